#!/usr/bin/env bash
# Runs an example from a fresh clone: sets up .venv (scripts/python.sh), builds zkmr, then runs
# examples/NAME/NAME.py with the arguments given.
#   scripts/example.sh pagerank --graph karate
#   scripts/example.sh pagerank --graph generated --nodes 100000 --edges 1000000
#   scripts/example.sh mlp
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
name="${1:?usage: scripts/example.sh pagerank|mlp [ARGS...]}"
shift
script="$root/examples/$name/$name.py"
[ -f "$script" ] || { echo "no example \"$name\" (examples: pagerank, mlp)" >&2; exit 2; }
# shellcheck source=scripts/python.sh
source "$root/scripts/python.sh"
zkmr_python_env >&2
# shellcheck source=scripts/rust.sh
source "$root/scripts/rust.sh"
(cd "$root" && zkmr_build --quiet) >&2
export ZKMR_BIN="${CARGO_TARGET_DIR:-$root/target}/release/zkmr"
exec "$root/.venv/bin/python" "$script" "$@"
