#!/usr/bin/env bash
# The seed's workload in one process, measured: INPUTS random inputs of COLS values, streamed
# from Parquet, through one committed ROWS x COLS layer in chunks of CHUNK:
#   - zkmr prove --vectors --chunk (wall time, inputs/s, peak RSS), beside the f64 GEMM of one
#     chunk that `zkmr bench` measures in the same run, scaled to the batch;
#   - zkmr verify of the whole batch; zkmr open --batch of one input and its check alone.
# The batch proof is about 78 KB per input at 4096 columns: mind the disk (7.9 GB for 100,000).
#
#   scripts/bench-batch-large.sh [ROWS COLS INPUTS CHUNK]    (after the README's build; minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-4096} cols=${2:-4096} inputs=${3:-100000} chunk=${4:-256}
zkmr="${CARGO_TARGET_DIR:-target}/release/zkmr"
work="$PWD/target/bench-batch-large"
rm -rf "$work" && mkdir -p "$work"

"$zkmr" generate --rows "$rows" --cols "$cols" --seed 11 --out "$work/matrix.parquet" >/dev/null
"$zkmr" generate --rows "$inputs" --cols "$cols" --seed 12 --out "$work/inputs.parquet" >/dev/null
"$zkmr" commit --matrix "$work/matrix.parquet" --keys "$work/keys" --json >"$work/commit.json"
field() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$@"; }
commitment=$(field "$work/commit.json" matrix_commitment)
timed() { local name=$1; shift; /usr/bin/time -f '%e %M' -o "$work/$name.time" "$@"; }

timed prove "$zkmr" prove --keys "$work/keys" --vectors "$work/inputs.parquet" --chunk "$chunk" \
  --out "$work/batch.zkmr" --json >"$work/prove.json"
timed verify "$zkmr" verify --bundle "$work/batch.zkmr" --commitment "$commitment" --json \
  >"$work/verify.json"
one=$((inputs / 2))
timed open "$zkmr" open --batch "$work/batch.zkmr" --input "$one" --out "$work/input.opening" \
  --json >/dev/null
timed check "$zkmr" verify --opening "$work/input.opening" --commitment "$commitment" \
  --job-root "$(field "$work/prove.json" batch_root)" --json >/dev/null
"$zkmr" bench --sizes "${rows}x${cols}x${chunk}" --scheme pedersen --json >"$work/bench.json"

python3 - "$work" "$inputs" "$chunk" "$one" <<'PY'
import json, os, sys
work, inputs, chunk, one = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
def timing(name):
    seconds, kb = open(os.path.join(work, name + ".time")).read().split()
    return float(seconds), int(kb) / 1024
bench = json.load(open(os.path.join(work, "bench.json")))
row = bench["results"][0]
gemm = row["matvec_f64_s"] * inputs / chunk
proved = json.load(open(os.path.join(work, "prove.json")))
size = os.path.getsize(os.path.join(work, "batch.zkmr"))
print(f"{inputs} inputs in {proved['chunks']} chunks of {chunk}; batch root {proved['batch_root']}")
for name, label in [("prove", "zkmr prove --vectors --chunk"), ("verify", "zkmr verify (whole batch)"),
                    ("open", f"zkmr open --batch --input {one}"), ("check", "zkmr verify --opening (one input)")]:
    s, mib = timing(name)
    rate = f"{inputs / s:8.0f} inputs/s" if name in ("prove", "verify") else " " * 17
    print(f"  {label:36} {s:8.2f} s {rate}  peak RSS {mib:6.0f} MiB")
print(f"  f64 GEMM of the same chunks          {gemm:8.2f} s {inputs / gemm:8.0f} inputs/s"
      f"  (zkmr bench: {row['matvec_f64_s'] * 1e3:.1f} ms per chunk)")
print(f"  prove / GEMM {timing('prove')[0] / gemm:.2f}x; batch proof {size / 1e9:.2f} GB")
PY
