#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs, builds once in the
# release profile (proofs are too slow unoptimised), then checks format, lints and tests.
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true
cd "$(dirname "$0")/.."

# shellcheck source=scripts/rust.sh
source scripts/rust.sh
rustup component add rustfmt clippy >/dev/null 2>&1 || true
# The JVM side: Java 17 and Maven from Debian; Spark's distribution (for spark-submit) from PyPI.
if ! command -v mvn >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq openjdk-17-jdk-headless maven python3-venv
fi
# The EVM verifier is compiled with solc-js from npm and run in revm.
if ! command -v npm >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi
if [ ! -d tools/solc/node_modules/solc ]; then
  npm ci --prefix tools/solc --no-audit --no-fund --silent
fi
export ZKMR_SOLC="${ZKMR_SOLC:-$PWD/tools/solc/solc.js}"
# Python in .venv: pyspark for spark-submit, networkx, scikit-learn and pytest for the examples.
# shellcheck source=scripts/python.sh
source scripts/python.sh
zkmr_python_env

# Tests keep the development SRS cache inside the build directory.
export ZKMR_CACHE_DIR="${ZKMR_CACHE_DIR:-$PWD/target/zkmr-cache}"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy (release profile, warnings are errors)"
cargo clippy --release --workspace --all-targets -- -D warnings
echo "== cargo test (release profile)"
# Building every target first gives the JNI library and the CLI the features the tests unify,
# so the test run reuses them instead of compiling the dependency tree a second time; the
# README's scripts/zkmr builds the same way.
zkmr_build
echo "== the Python package (pip install ./python into .venv)"
zkmr_python_package --after-workspace-build
log=$(mktemp)
cargo test --release --workspace 2>&1 | tee "$log"
echo "== fuzz (scripts/fuzz.sh: the saved crash inputs, then ${ZKMR_FUZZ_SECONDS:-60} s per target)"
if bash scripts/fuzz.sh; then echo "e2e: scripts/fuzz.sh ok" >>"$log"
else echo "e2e: scripts/fuzz.sh FAILED" | tee -a "$log"; fi
echo "== examples: PageRank against networkx, MLP inference against scikit-learn (pytest)"
# pytest exits 1 when tests failed (its summary line counts them) and 2+ when it could not run.
status=0
ZKMR_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/zkmr" \
  .venv/bin/python -m pytest -q -p no:cacheprovider integration-tests 2>&1 | tee -a "$log" || status=$?
if [ "$status" -gt 1 ]; then echo "e2e: pytest integration-tests FAILED" | tee -a "$log"; fi
echo "== mvn install (JUnit: embedded Spark local[2], Hadoop LocalJobRunner)"
# The jar takes the JNI library from the release build above, wherever cargo put it.
mvn -B -Dzkmr.cargo.skip=true -Dzkmr.native.dir="${CARGO_TARGET_DIR:-$PWD/target}/release" install 2>&1 | tee -a "$log"
mvn -B -q -pl jvm/hadoop dependency:build-classpath -Dmdep.includeScope=provided \
  -Dmdep.outputFile="$PWD/target/hadoop.classpath"
echo "== the Python package's tests (pytest python/tests: NumPy, the CLI, PySpark on the Spark jar)"
status=0
ZKMR_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/zkmr" \
  ZKMR_SPARK_JAR="$PWD/spark-udf/target/zkmr-spark-0.1.0.jar" \
  .venv/bin/python -m pytest -q -p no:cacheprovider python/tests 2>&1 | tee -a "$log" || status=$?
if [ "$status" -gt 1 ]; then echo "e2e: pytest python/tests FAILED" | tee -a "$log"; fi
echo "== end to end: spark-submit (local and a standalone cluster) and hadoop jar"
for run in integration-tests/spark_submit.sh integration-tests/spark_cluster.sh integration-tests/hadoop_jar.sh; do
  if bash "$run"; then echo "e2e: $run ok" >>"$log"; else echo "e2e: $run FAILED" | tee -a "$log"; fi
done
# One closing line with the totals over every cargo test binary, Surefire suite, pytest suite and
# end-to-end run.
awk '/^test result:/ { p += $4; f += $6 }
     /^\[(INFO|ERROR|WARNING)\] Tests run: [0-9]+, Failures: [0-9]+, Errors: [0-9]+, Skipped: [0-9]+$/ {
       gsub(",", ""); p += $4 - $6 - $8 - $10; f += $6 + $8 }
     /^e2e: .* ok$/ { p += 1 } /^e2e: .* FAILED$/ { f += 1 }
     /^=* *[0-9]+ [a-z]+(, [0-9]+ [a-z]+)* in [0-9.]+s( \([0-9:]+\))? *=*$/ {
       gsub(",", ""); for (i = 1; i < NF; i++) {
         if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^(failed|error)/) f += $i } }
     END { printf "%d passed, %d failed\n", p, f; exit (f > 0) }' "$log"
rm -f "$log"
