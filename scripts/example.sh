#!/usr/bin/env bash
# Runs an example from a fresh clone: sets up .venv (scripts/python.sh), builds zkmr, then runs
# examples/NAME/NAME.py with the arguments given.
#   scripts/example.sh pagerank --graph karate
#   scripts/example.sh pagerank --graph generated --nodes 100000 --edges 1000000
#   scripts/example.sh mlp
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
usage() {
  cat <<'EOF'
usage: scripts/example.sh EXAMPLE [ARGS...]

  pagerank   PageRank as a verified chain, against networkx.pagerank
             (--graph karate|les_miserables|generated; --help for the rest)
  mlp        an MLP's predictions on scikit-learn's digits as a verified chain, against predict

Sets up .venv and builds zkmr on first use; `scripts/example.sh EXAMPLE --help` lists the
example's own arguments.
EOF
}
case "${1:-}" in
  "") usage >&2; exit 2 ;;
  -h | --help | help) usage; exit 0 ;;
esac
name="$1"
shift
script="$root/examples/$name/$name.py"
[ -f "$script" ] || { echo "no example \"$name\" (examples: pagerank, mlp)" >&2; usage >&2; exit 2; }
# shellcheck source=scripts/python.sh
source "$root/scripts/python.sh"
zkmr_python_env >&2
# shellcheck source=scripts/rust.sh
source "$root/scripts/rust.sh"
(cd "$root" && zkmr_cli_build) >&2
export ZKMR_BIN="${CARGO_TARGET_DIR:-$root/target}/release/zkmr"
exec "$root/.venv/bin/python" "$script" "$@"
