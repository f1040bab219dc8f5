#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs, builds once in the
# release profile (proofs are too slow unoptimised), then checks format, lints and tests.
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  if ! command -v curl >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq curl ca-certificates build-essential
  fi
  curl -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
  # shellcheck disable=SC1091
  source "$HOME/.cargo/env"
fi
rustup component add rustfmt clippy >/dev/null 2>&1 || true

# Tests keep the development SRS cache inside the build directory.
export ZKMR_CACHE_DIR="${ZKMR_CACHE_DIR:-$PWD/target/zkmr-cache}"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy (release profile, warnings are errors)"
cargo clippy --release --workspace --all-targets -- -D warnings
echo "== cargo test (release profile)"
log=$(mktemp)
cargo test --release --workspace 2>&1 | tee "$log"
# One closing line with the totals over every test binary.
awk '/^test result:/ { p += $4; f += $6 } END { printf "%d passed, %d failed\n", p, f }' "$log"
rm -f "$log"
