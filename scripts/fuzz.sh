#!/usr/bin/env bash
# Fuzzes what zkmr reads from untrusted hands (bundles, key store files, JSON, CSV, Parquet and
# Arrow IPC inputs): builds the targets in fuzz/ once, replays the inputs that once crashed
# them (fuzz/regressions/<target>/), then runs each target for ZKMR_FUZZ_SECONDS (default 60)
# from its seed corpus. Prints one line per target and exits non-zero if any input crashed
# one; a crash's input is kept in fuzz/artifacts/<target>/ (git-ignored) with the command that
# replays it.
#
#   scripts/fuzz.sh                          every target, a minute each
#   ZKMR_FUZZ_SECONDS=600 scripts/fuzz.sh    longer
#   scripts/fuzz.sh bundle keystore          some targets
set -euo pipefail
shopt -s inherit_errexit nullglob
cd "$(dirname "$0")/.."
root=$PWD

# shellcheck source=scripts/rust.sh
source scripts/rust.sh
seconds=${ZKMR_FUZZ_SECONDS:-60}
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(bundle chain keystore json csv parquet arrow_ipc)

if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --locked
fi

# cargo-fuzz passes rustc the coverage instrumentation libFuzzer needs as nightly (-Z) flags;
# RUSTC_BOOTSTRAP lets the stable toolchain take them. No sanitizer: the code under test is
# safe Rust, which fails by panicking (libFuzzer catches the abort that follows), and
# AddressSanitizer would cost executions per second. Debug assertions are on, so arithmetic
# overflow counts as a crash too. 16 codegen units, as the workspace's release profile has,
# instead of cargo-fuzz's default of 1: a faster build for slightly slower fuzzing.
echo "== building the fuzz targets (fuzz/target)"
export RUSTC_BOOTSTRAP=1
cargo fuzz build --fuzz-dir fuzz --target-dir fuzz/target --sanitizer none \
  --debug-assertions --codegen-units 16
bin=$root/fuzz/target/$(rustc -vV | sed -n 's/^host: //p')/release

work=$(mktemp -d)
# The targets' scratch files and stores (rewritten for every input), in memory where the
# machine has a tmpfs; removed with the rest of the run.
scratch=$(mktemp -d -p /dev/shm zkmr-fuzz.XXXXXX 2>/dev/null) || scratch=$work/tmp
trap 'rm -rf "$work" "$scratch"' EXIT
mkdir -p "$scratch"
export TMPDIR=$scratch

# The panic (or libFuzzer's report) in a target's log, and the input it was running.
show_crash() {
  { grep -E '^Running: ' "$1" || true; } | tail -n 1
  grep -m1 -A30 -E "panicked at|ERROR: libFuzzer" "$1" || tail -n 40 "$1"
}

failed=0
for target in "${targets[@]}"; do
  log=$work/$target.log
  # Inputs that once crashed or stalled the target, each run once.
  regressions=("$root/fuzz/regressions/$target"/*)
  if [ ${#regressions[@]} -gt 0 ] &&
    ! "$bin/$target" -timeout=30 -rss_limit_mb=2048 "${regressions[@]}" >"$log" 2>&1; then
    echo "fuzz $target: a saved crash input (fuzz/regressions/$target/) CRASHED"
    show_crash "$log"
    failed=1
    continue
  fi
  # Fuzz a copy of the corpus: new entries stay out of the tracked seeds.
  mkdir -p "$work/corpus/$target" "$work/artifacts/$target"
  cp -R "$root/fuzz/corpus/$target/." "$work/corpus/$target/"
  status=0
  # A slow input is not a crash: libFuzzer would save one that runs past 10 s as a
  # slow-unit-* artifact, which a loaded machine makes by chance, so the report's threshold
  # sits at the hang timeout and only crashes, hangs and memory blow-ups count.
  "$bin/$target" "$work/corpus/$target" -max_total_time="$seconds" -timeout=120 \
    -report_slow_units=120 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/artifacts/$target/" >"$log" 2>&1 || status=$?
  rm -f "$work/artifacts/$target"/slow-unit-*
  runs=$(sed -n 's/^Done \([0-9]*\) runs in.*/\1/p' "$log")
  [ -n "$runs" ] || runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  artifacts=("$work/artifacts/$target"/*)
  if [ "$status" -eq 0 ] && [ ${#artifacts[@]} -eq 0 ]; then
    echo "fuzz $target: ${runs:-?} runs in $seconds s, 0 crashes" \
      "(${#regressions[@]} saved crash inputs replayed)"
    grep -m3 '^warning: ' "$log" || true
  else
    mkdir -p "$root/fuzz/artifacts/$target"
    cp "${artifacts[@]}" "$root/fuzz/artifacts/$target/" 2>/dev/null || true
    echo "fuzz $target: CRASHED after ${runs:-?} runs (exit $status)"
    show_crash "$log"
    for artifact in "${artifacts[@]}"; do
      echo "  replay: $bin/$target fuzz/artifacts/$target/${artifact##*/}"
      echo "  then keep it as a regression: mv it to fuzz/regressions/$target/"
    done
    failed=1
  fi
done
exit "$failed"
