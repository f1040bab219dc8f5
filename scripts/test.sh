#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs, builds once in the
# release profile (proofs are too slow unoptimised), then checks format, lints and tests.
#
#   scripts/test.sh                  every part, as CI runs it
#   scripts/test.sh rust python      some parts: lint (imports, fmt, clippy), rust (cargo test,
#                                    which replays the fuzz targets' saved inputs), examples
#                                    (PageRank, MLP), jvm (Maven: Spark, Hadoop), python (the
#                                    package's tests; builds the jvm part's jar first), clusters
#                                    (spark-submit, a standalone cluster, hadoop jar; the same)
#   scripts/test.sh fuzz             libFuzzer over every fuzz target (scripts/fuzz.sh), which
#                                    only runs when named: exploring is not a deterministic test
set -euo pipefail
shopt -s inherit_errexit 2>/dev/null || true
cd "$(dirname "$0")/.."

default=(lint rust examples jvm python clusters)
all=("${default[@]}" fuzz)
parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=("${default[@]}")
for part in "${parts[@]}"; do
  case " ${all[*]} " in *" $part "*) ;; *) echo "scripts/test.sh: no part \"$part\" (${all[*]})" >&2; exit 2 ;; esac
done
want() {
  local part
  for part in "${parts[@]}"; do [ "$part" = "$1" ] && return 0; done
  return 1
}
# The python and clusters parts run on the jar the jvm part builds.
if { want python || want clusters; } && ! want jvm; then parts+=(jvm); fi

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

log=$(mktemp)
if want lint; then
  echo "== import structure (scripts/check-imports.py: no import cycles, engines scheme-blind)"
  python3 scripts/check-imports.py --self-test
  python3 scripts/check-imports.py --report
  echo "== cargo fmt --check"
  cargo fmt --all -- --check
fi
if want lint || want rust || want examples || want jvm || want python; then
  # Building every target first gives the JNI library and the CLI the features the tests
  # unify, so the test run reuses them instead of compiling the dependency tree a second
  # time; the README's scripts/zkmr builds the same way. With the lint part, the same build
  # runs clippy's lints on the workspace's crates (scripts/rust.sh says how), and the steps
  # after it build under the same settings, so nothing compiles twice.
  if want lint; then
    echo "== cargo build (release profile, every target) with clippy's lints, warnings as errors"
    zkmr_lint_during_build
  else
    echo "== cargo build (release profile, every target)"
  fi
  zkmr_build
fi
if want rust || want examples; then
  echo "== the quick CLI build (scripts/zkmr's first build) on the workspace build's dependencies"
  zkmr_quick_build_check
fi
if want rust || want python; then
  echo "== the Python package (pip install ./python into .venv)"
  zkmr_python_package --after-workspace-build
fi
if want rust; then
  echo "== cargo test (release profile)"
  cargo test --release --workspace 2>&1 | tee -a "$log"
fi
if want fuzz; then
  echo "== fuzz (scripts/fuzz.sh: the saved crash inputs, then ${ZKMR_FUZZ_SECONDS:-60} s per target)"
  if bash scripts/fuzz.sh; then echo "e2e: scripts/fuzz.sh ok" >>"$log"
  else echo "e2e: scripts/fuzz.sh FAILED" | tee -a "$log"; fi
fi
if want examples; then
  echo "== examples: PageRank against networkx, MLP inference against scikit-learn (pytest)"
  # pytest exits 1 when tests failed (its summary line counts them) and 2+ when it could not run.
  status=0
  ZKMR_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/zkmr" \
    ZKMR_QUICK_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/zkmr-quick" \
    .venv/bin/python -m pytest -q -p no:cacheprovider integration-tests 2>&1 | tee -a "$log" || status=$?
  if [ "$status" -gt 1 ]; then echo "e2e: pytest integration-tests FAILED" | tee -a "$log"; fi
fi
if want jvm; then
  echo "== mvn install (JUnit: embedded Spark local[2], Hadoop LocalJobRunner)"
  # The jar takes the JNI library from the release build above, wherever cargo put it.
  mvn -B -Dzkmr.cargo.skip=true -Dzkmr.native.dir="${CARGO_TARGET_DIR:-$PWD/target}/release" install 2>&1 | tee -a "$log"
  mvn -B -q -pl jvm/hadoop dependency:build-classpath -Dmdep.includeScope=provided \
    -Dmdep.outputFile="$PWD/target/hadoop.classpath"
fi
if want python; then
  echo "== the Python package's tests (pytest python/tests: NumPy, the CLI, PySpark on the Spark jar)"
  status=0
  ZKMR_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/zkmr" \
    ZKMR_SPARK_JAR="$PWD/spark-udf/target/zkmr-spark-0.1.0.jar" \
    .venv/bin/python -m pytest -q -p no:cacheprovider python/tests 2>&1 | tee -a "$log" || status=$?
  if [ "$status" -gt 1 ]; then echo "e2e: pytest python/tests FAILED" | tee -a "$log"; fi
fi
if want clusters; then
  echo "== end to end: spark-submit (local and a standalone cluster) and hadoop jar"
  for run in integration-tests/spark_submit.sh integration-tests/spark_cluster.sh integration-tests/hadoop_jar.sh; do
    if bash "$run"; then echo "e2e: $run ok" >>"$log"; else echo "e2e: $run FAILED" | tee -a "$log"; fi
  done
fi
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
