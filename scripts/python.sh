# The project's Python: .venv with pyspark (spark-submit) and the examples' packages
# (examples/requirements.txt), installed once and again whenever the list changes.
# Sourced by scripts/test.sh and scripts/example.sh.

zkmr_python_env() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3-venv
  fi
  [ -x "$root/.venv/bin/python" ] || python3 -m venv "$root/.venv"
  local stamp="$root/.venv/.zkmr-requirements" want
  want="pyspark==4.3.0 $(sha256sum "$root/examples/requirements.txt" | cut -c1-16)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    "$root/.venv/bin/pip" install -q --disable-pip-version-check pyspark==4.3.0 \
      -r "$root/examples/requirements.txt"
    echo "$want" >"$stamp"
  fi
}
