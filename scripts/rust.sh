# Sourced by the scripts that build zkmr: installs Rust with rustup when the machine has none,
# and builds the workspace the one way every command here builds it (release profile, every
# target), so the test command and the CLI wrapper never rebuild each other's dependencies.

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
# configuration (PyO3), even when only the CLI is wanted.
if ! command -v python3 >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq python3
fi

# One feature set for the CLI, the JNI library and the tests: whichever builds first, the
# others reuse it.
zkmr_build() {
  cargo build --release --workspace --all-targets "$@"
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
