#!/usr/bin/env bash
# Regenerates the fuzz seeds: native/fuzz/stores/ (the key stores the keystore target is built
# with) and fuzz/corpus/<target>/, from examples/matvec.json and the inputs of native/io's and the
# CLI's tests, made with the CLI of this checkout. Run it after a change to the bundle or key
# store format (the seeds must still verify for the targets to reach past the first checks),
# then rebuild the targets: the keystore target has the stores built in. ZKMR_BIN names a
# zkmr binary to use instead of building this checkout's with scripts/zkmr.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# The seeds need the full CLI (halo2 stores and bundles, `zkmr sql`).
zkmr() { ZKMR_FULL=1 "${ZKMR_BIN:-$root/scripts/zkmr}" "$@"; }
fuzz=$root/fuzz
stores=$root/native/fuzz/stores
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for target in bundle chain keystore json csv parquet arrow_ipc; do
  rm -rf "${fuzz:?}/corpus/$target"
  mkdir -p "$fuzz/corpus/$target"
done

# Key stores: examples/matvec.json (3x4) under each scheme, two rows per partition so that
# each store has a full and a short partition.
matvec=$root/examples/matvec.json
for scheme in pedersen halo2; do
  extra=()
  [ "$scheme" = halo2 ] && extra=(--dev-srs)
  zkmr commit --matrix "$matvec" --keys "$stores/$scheme" --scheme "$scheme" \
    --rows-per-partition 2 --force --json "${extra[@]}" >/dev/null
  chmod -R u+rw,go+r "$stores/$scheme"
done

# Bundles: one vector under each scheme, and a batch of two under pedersen.
printf '[[0.5, -1.0, 2.0, 4.0], [1, 2, 3, 4]]\n' >"$work/batch.json"
zkmr prove --keys "$stores/pedersen" --vector "$matvec" --out "$fuzz/corpus/bundle/pedersen" >/dev/null
zkmr prove --keys "$stores/pedersen" --vectors "$work/batch.json" \
  --out "$fuzz/corpus/bundle/pedersen-batch" >/dev/null
zkmr prove --keys "$stores/halo2" --vector "$matvec" --out "$fuzz/corpus/bundle/halo2" >/dev/null

# The bundles verify against their stores' commitments.
for bundle in pedersen pedersen-batch halo2; do
  commitment=$(sed -n 's/.*"matrix_commitment": *"\([0-9a-f]*\)".*/\1/p' \
    "$stores/${bundle%-batch}/manifest.json")
  zkmr verify --bundle "$fuzz/corpus/bundle/$bundle" --commitment "$commitment" >/dev/null
done

# Chain proofs: two stages over the pedersen store (3x4): ReLU and a constant 1 make the first
# output an input of the second.
chain_seeds() {
  local commitment spec=$work/chain.json
  commitment=$(sed -n 's/.*"matrix_commitment": *"\([0-9a-f]*\)".*/\1/p' "$stores/pedersen/manifest.json")
  printf '{"input": {"scale_bits": 0, "value_bits": 32}, "stages": [
    {"name": "first", "commitment": "%s", "then": [{"op": "rescale", "scale_bits": 0}, {"op": "relu"},
      {"op": "append", "value": 1}]},
    {"name": "second", "commitment": "%s"}]}\n' "$commitment" "$commitment" >"$spec"
  printf '[[1, -2, 3, 4], [0, 5, -1, 2]]\n' >"$work/chain-input.json"
  zkmr chain prove --spec "$spec" --keys "$stores/pedersen" --input "$work/chain-input.json" \
    --out "$fuzz/corpus/chain/two-stages" >/dev/null
  zkmr chain verify --spec "$spec" --proof "$fuzz/corpus/chain/two-stages" >/dev/null
}
chain_seeds

# Key store files, each behind the byte that selects it: the order of
# zkmr_fuzz::keystore::files().
i=0
for file in pedersen/manifest.json pedersen/matrix.key pedersen/secret.key \
  pedersen/partitions/000000.part pedersen/partitions/000001.part \
  halo2/manifest.json halo2/srs.params halo2/partitions/000000.key halo2/partitions/000001.key; do
  name=$(printf '%02d-%s' "$i" "${file//\//-}")
  { printf "\\x$(printf %02x "$i")"; cat "$stores/$file"; } >"$fuzz/corpus/keystore/$name"
  i=$((i + 1))
done

# JSON: the examples and the shapes native/io's tests read.
cp "$matvec" "$fuzz/corpus/json/example-matvec.json"
cp "$root/examples/vector.json" "$fuzz/corpus/json/example-vector.json"
printf '[5, -6, 7]\n' >"$fuzz/corpus/json/vector-ints.json"
printf '{"matrix": [[1, 2.5]], "vector": [5, -6, 7]}\n' >"$fuzz/corpus/json/combined.json"
cp "$work/batch.json" "$fuzz/corpus/json/batch.json"

# CSV: the table of the CLI's SQL test (a row index and one column per matrix column).
printf 'row,c0,c1,c2\n0,1.5,-2,3.25\n1,4,5.5,-6\n2,-7.75,8,9\n' >"$fuzz/corpus/csv/matrix.csv"
printf 'x\n5\n-6\n7\n' >"$fuzz/corpus/csv/vector.csv"
printf 'name,"quoted, field",n\n"a ""b""",,1e3\n' >"$fuzz/corpus/csv/quoted.csv"

# Matrices in coordinate form: CSV and JSON (Parquet and Arrow IPC below).
coordinate_seeds() {
  printf 'row,col,value\n0,1,2.5\n2,0,-1\n1,3,4\n' >"$fuzz/corpus/csv/coordinates.csv"
  printf '{"shape": [3, 4], "entries": [[0, 1, 2.5], [2, 0, -1], [1, 3, 4]]}\n' \
    >"$fuzz/corpus/json/coordinates.json"
}
coordinate_seeds

# Parquet and Arrow IPC: the layouts native/io's tests write (rows out of order, float and
# integer lists, a one-column vector), written by DataFusion through `zkmr sql`.
floats="SELECT column1 AS row, column2 AS values FROM (VALUES
  (CAST(1 AS BIGINT), make_array(4.0, 5.5, -6.0, 1.0)), (0, make_array(1.5, -2.0, 3.25, 0.0)),
  (2, make_array(-7.75, 8.0, 9.0, -2.5)))"
ints="SELECT column1 AS row, column2 AS values FROM (VALUES
  (CAST(0 AS BIGINT), make_array(1, -2, 3)), (1, make_array(3, 4, -5)))"
vector="SELECT column1 AS x FROM (VALUES (5), (-6), (7))"
entries="SELECT column1 AS row, column2 AS col, column3 AS value FROM (VALUES
  (CAST(0 AS BIGINT), CAST(1 AS BIGINT), 2.5), (2, 0, -1.0), (1, 3, 4.0))"
for table in floats ints vector entries; do
  zkmr sql "COPY (${!table}) TO '$fuzz/corpus/parquet/$table.parquet' STORED AS PARQUET" >/dev/null
  zkmr sql "COPY (${!table}) TO '$fuzz/corpus/arrow_ipc/$table.arrow' STORED AS ARROW" >/dev/null
  # An Arrow IPC stream is a file's body: the messages (each from its 0xFFFFFFFF continuation
  # marker) between the leading magic and its padding, and the footer (its bytes, their length
  # and the trailing magic).
  python3 - "$fuzz/corpus/arrow_ipc/$table.arrow" "$fuzz/corpus/arrow_ipc/$table.arrows" <<'EOF'
import struct, sys
data = open(sys.argv[1], "rb").read()
footer = struct.unpack("<i", data[-10:-6])[0]
start = data.index(b"\xff\xff\xff\xff", 6)
open(sys.argv[2], "wb").write(data[start : len(data) - 10 - footer])
EOF
done

# Each seed must read back: a seed that its reader rejects starts the fuzzer nowhere.
for file in "$fuzz"/corpus/parquet/ints.parquet "$fuzz"/corpus/arrow_ipc/ints.arrow*; do
  ext=${file##*.}
  for matrix in "$file" "${file%/ints.*}/floats.$ext"; do
    vector=${file%/ints.*}/vector.$ext
    case $matrix in *floats*) vector=$matvec ;; esac
    zkmr run --matrix "$matrix" --vector "$vector" --json >/dev/null ||
      { echo "seed $matrix or $vector does not read" >&2; exit 1; }
  done
done
du -sh "$fuzz/corpus" "$stores"
