# The project's Python: .venv with pyspark (spark-submit) and the examples' packages
# (examples/requirements.txt), installed once and again whenever the list changes.
# Sourced by scripts/test.sh and scripts/example.sh.
#
# zkmr_python_package builds the zkmr package (python/) as a wheel, target/wheels/zkmr-*.whl,
# which installs on a machine of this platform without Rust, and installs it into .venv, as
# the README's `pip install ./python` does: maturin builds it in the workspace's target
# directory.

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

zkmr_python_package() {
  local root log again
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  local wheels="${CARGO_TARGET_DIR:-$root/target}/wheels"
  log=$(mktemp)
  rm -f "$wheels"/zkmr-*.whl
  if ! "$root/.venv/bin/pip" wheel -v --no-deps --disable-pip-version-check -w "$wheels" \
    "$root/python" >"$log" 2>&1; then
    cat "$log"
    rm -f "$log"
    return 1
  fi
  "$root/.venv/bin/pip" install -q --force-reinstall --no-deps --disable-pip-version-check \
    "$wheels"/zkmr-*.whl
  # After the workspace build, the package's own build compiles the package, the CLI without
  # SQL (its `zkmr` command) and PyO3 (whose configuration follows the interpreter maturin
  # names) and nothing else; a dependency compiling here means python/Cargo.toml's feature
  # pins are stale (scripts/feature_pins.py).
  again=$(grep -oE 'Compiling [A-Za-z0-9_-]+ v' "$log" | awk '{print $2}' |
    grep -vxE 'zkmr-python|zkmr-cli|pyo3|pyo3-ffi|pyo3-macros|pyo3-macros-backend|pyo3-build-config|numpy' |
    sort -u | tr '\n' ' ' || true)
  rm -f "$log"
  if [ "${1:-}" = "--after-workspace-build" ] && [ -n "$again" ]; then
    echo "the Python package compiled the workspace's dependencies again: $again" \
      "(regenerate python/Cargo.toml's pins with python3 scripts/feature_pins.py -p zkmr-python)" >&2
    return 1
  fi
}
