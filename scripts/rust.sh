# Sourced by the scripts that build zkmr: installs Rust with rustup when the machine has none,
# and builds either the whole workspace (the test command: release profile, every target) or
# the CLI alone (scripts/zkmr, scripts/example.sh), with one feature set for every dependency,
# so neither rebuilds the other's dependencies.

if ! command -v cargo >/dev/null 2>&1; then
  if [ -x "$HOME/.cargo/bin/cargo" ]; then
    # shellcheck disable=SC1091
    source "$HOME/.cargo/env"
  else
    if ! command -v curl >/dev/null 2>&1; then
      apt-get update -qq && apt-get install -y -qq curl ca-certificates build-essential
    fi
    curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    # shellcheck disable=SC1091
    source "$HOME/.cargo/env"
  fi
fi

# The workspace's Python package (python/) asks a Python 3 interpreter for its build
# configuration (PyO3) in the workspace build.
if ! command -v python3 >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq python3
fi

# One feature set for the CLI, the JNI library and the tests: whichever builds first, the
# others reuse it.
zkmr_build() {
  cargo build --release --workspace --all-targets "$@"
}

# Builds the CLI alone (target/release/zkmr). The quick build by default: no default features,
# so pedersen, jobs, batches, chains, openings and benchmarks, a third of the dependencies
# (about 5 minutes on a fresh 2-core machine); a command that needs halo2 or SQL says so.
# ZKMR_FULL=1 builds the full CLI, and once a full one is there (this way or from the test
# command's build) it is the one kept current. native/cli/Cargo.toml's feature pins give the
# quick build the workspace's features for every dependency, so the test command reuses it.
# A build of another kind than the binary there (the first, or the full one after the quick)
# says so and shows cargo's progress; the others (nothing or little to do) stay quiet.
zkmr_cli_build() {
  local bin="${CARGO_TARGET_DIR:-target}/release/zkmr" args=(--release -p zkmr-cli --bin zkmr)
  local have=none want=quick
  if [ -x "$bin" ]; then
    case "$("$bin" --version 2>/dev/null)" in *"full build"*) have=full ;; *) have=quick ;; esac
  fi
  if [ "${ZKMR_FULL:-}" = 1 ] || [ "$have" = full ]; then want=full; else args+=(--no-default-features); fi
  if [ "$have" = "$want" ]; then
    args+=(--quiet)
  elif [ "$want" = full ]; then
    echo "building the full zkmr CLI (halo2, aggregation, SQL): about 15 minutes on 2 cores after the quick build, once" >&2
  else
    echo "building the zkmr CLI (the quick build: about 5 minutes on 2 cores, once; ZKMR_FULL=1 adds halo2 and SQL)" >&2
  fi
  cargo build "${args[@]}"
}

# For the test command, after the workspace build: makes the quick CLI build as scripts/zkmr
# does on a fresh clone (with the lints, when the test command turned them on), keeps it as
# target/release/zkmr-quick (integration-tests' test_quick_build.py runs it), puts the full CLI
# back, and fails when the quick build resolves any dependency to other features than the
# workspace build does (then it would compile it twice, and native/cli/Cargo.toml's feature
# pins are stale: scripts/feature_pins.py prints the new ones).
zkmr_quick_build_check() {
  local dir="${CARGO_TARGET_DIR:-target}/release" log stale
  log=$(mktemp)
  if ! cargo build --release -p zkmr-cli --bin zkmr --no-default-features >"$log" 2>&1; then
    cat "$log"
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
  cp "$dir/zkmr" "$dir/zkmr-quick"
  zkmr_build --quiet
  stale=$(python3 scripts/feature_pins.py -p zkmr-cli --no-default-features)
  if [ -n "$stale" ]; then
    echo "the quick CLI build resolves dependencies to other features than the workspace build;" \
      "native/cli/Cargo.toml needs these pins:" >&2
    echo "$stale" >&2
    return 1
  fi
}

# Makes the builds that follow in this shell run clippy's lints on the workspace's own crates,
# warnings as errors, while they compile: clippy-driver stands in for rustc on the workspace
# members as `cargo clippy` itself arranges it (RUSTC_WORKSPACE_WRAPPER, CLIPPY_ARGS), while
# the dependencies compile with rustc once. A separate `cargo clippy` would compile every
# dependency a second time in check mode, about a third of the release build's time. Cargo
# hashes the wrapper into the artifacts' names, so a plain build (scripts/zkmr, `zkmr bench`)
# never picks up a clippy-built crate, which clippy compiles without MIR optimisations.
zkmr_lint_during_build() {
  local driver
  driver=$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver) || {
    echo "clippy-driver not found (rustup component add clippy)" >&2
    return 1
  }
  export RUSTC_WORKSPACE_WRAPPER="$driver"
  export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
}
