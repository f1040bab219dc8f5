//! Setup: commit every column of the matrix and write the key store.
//!
//! `C_j = Σ_i A_ij·G_i + ρ_j·H`: each partition contributes the unblinded partial sums
//! `S_{p,j} = Σ_{i ∈ rows(p)} A_ij·G_i` of the columns its rows use, and the blindings are added
//! once per column when every partition is in. The matrix key `C_0 .. C_{n-1}` is the only
//! commitment to `A`: no per-partition commitment exists, so nothing could be opened against
//! another key than the one jobs are checked against (`docs/pedersen.md`, section 4).
//!
//! The blindings come from a fresh secret seed through a keyed BLAKE3 stream, so two commits
//! of one matrix share nothing. Partitions are committed in parallel as they arrive from the
//! source, so a matrix streamed from a file needs memory for the partitions in flight, not for
//! the whole matrix; a sparse partition costs a term per non-zero and touches only its
//! non-zero columns.

use std::time::Instant;

use halo2_proofs::halo2curves::bn256::{Fr, G1Affine, G1};
use halo2_proofs::halo2curves::ff::FromUniformBytes;
use halo2_proofs::halo2curves::group::prime::PrimeCurveAffine;
use halo2_proofs::halo2curves::group::Group;
use prost::Message;
use rand::RngCore;
use rayon::prelude::*;

use super::encoding::{points_to_bytes, scalar_to_bytes};
use super::generators::{self, TAG};
use super::msm::{h_table, normalize, window_for, Multiples};
use super::statement::{matrix_commitment, MatrixHeader, PartitionId};
use super::store::{partition_file, MATRIX_KEY, SECRET};
use zkmr_math::error::{Error, Result};
use zkmr_math::fixed_point::MatrixRounding;
use zkmr_math::matrix::Partitioning;
use zkmr_math::product::magnitude_bits;
use zkmr_math::progress::{Event, Progress};
use zkmr_math::sparse::Block;
use zkmr_scheme::store::{manifest, KeyStore, KeyStoreWriter};
use zkmr_scheme::Scheme;

/// The column blindings `ρ_0 .. ρ_{cols-1}` of a matrix committed under `seed`. Each commit
/// draws a fresh seed and keeps only the blindings, so no seed ever blinds two matrix keys
/// (two keys under one seed would differ by an unblinded `Σ_i (A_ij − A'_ij)·G_i`).
pub fn column_blindings(seed: &[u8; 32], header: &MatrixHeader) -> Vec<Fr> {
    let mut h = blake3::Hasher::new_keyed(seed);
    h.update(TAG.as_bytes());
    h.update(b"/column-blinding");
    for v in [header.rows, header.cols, header.rows_per_partition as u64] {
        h.update(&v.to_le_bytes());
    }
    let mut stream = h.finalize_xof();
    (0..header.cols)
        .map(|_| {
            let mut wide = [0u8; 64];
            stream.fill(&mut wide);
            Fr::from_uniform_bytes(&wide)
        })
        .collect()
}

/// A partition's unblinded partial column sums `S_{p,j}`: the columns its rows use, in
/// increasing order, and their sums (a column whose sum is the identity is left out).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartialSums {
    pub cols: Vec<u32>,
    pub points: Vec<G1Affine>,
}

/// The partial column sums of one partition: `block` is its rows (dense or sparse) and
/// `bases` their generators. A sparse block costs a term per non-zero and an accumulator per
/// column it uses; a dense one a term per entry.
pub fn partial_sums(block: &Block, cols: usize, bases: &[G1Affine]) -> PartialSums {
    let bits = block.magnitude_bits().max(1);
    let used: Vec<u32> = match block {
        Block::Dense(_) => (0..cols as u32).collect(),
        Block::Sparse(rows) => {
            let mut used = rows.cols.clone();
            used.sort_unstable();
            used.dedup();
            used
        }
    };
    let slot = |j: usize| match block {
        Block::Dense(_) => j,
        Block::Sparse(_) => used
            .binary_search(&(j as u32))
            .expect("every column of the block is listed"),
    };
    // Positive and negative entries accumulate apart, so every table lookup adds a multiple.
    let mut positive = vec![G1::identity(); used.len()];
    let mut negative = vec![G1::identity(); used.len()];
    let mut add = |table: &Multiples, j: usize, v: i64| {
        let k = slot(j);
        if v > 0 {
            table.add_multiple(&mut positive[k], v.unsigned_abs());
        } else if v < 0 {
            table.add_multiple(&mut negative[k], v.unsigned_abs());
        }
    };
    match block {
        Block::Dense(block) => {
            let window = window_for(bits, cols);
            for (row, base) in block.chunks(cols).zip(bases) {
                let table = Multiples::new(base, bits, window);
                for (j, v) in row.iter().enumerate() {
                    add(&table, j, *v);
                }
            }
        }
        Block::Sparse(rows) => {
            for (i, base) in bases.iter().enumerate() {
                let uses = (rows.offsets[i + 1] - rows.offsets[i]) as usize;
                if uses == 0 {
                    continue;
                }
                let table = Multiples::new(base, bits, window_for(bits, uses));
                for (j, v) in rows.row(i) {
                    add(&table, j, v);
                }
            }
        }
    }
    for (pos, neg) in positive.iter_mut().zip(&negative) {
        *pos -= neg;
    }
    let mut sums = PartialSums::default();
    for (j, point) in used.into_iter().zip(normalize(&positive)) {
        if !bool::from(point.is_identity()) {
            sums.cols.push(j);
            sums.points.push(point);
        }
    }
    sums
}

/// A block's values as stored: 4 bytes each when they fit, else 8.
fn value_bytes(values: &[i64]) -> (u32, Vec<u8>) {
    if magnitude_bits(values) < 32 {
        (
            4,
            values
                .iter()
                .flat_map(|v| (*v as i32).to_le_bytes())
                .collect(),
        )
    } else {
        (8, values.iter().flat_map(|v| v.to_le_bytes()).collect())
    }
}

/// Commits partition `index` (rows `rows`, its `block`, their generators `bases`): its partial
/// sums, its store file and its largest decoded row L1 norm. The one place a partition is
/// committed, by `commit` here and by a setup task; it needs no secret.
pub(crate) fn commit_partition(
    header: &MatrixHeader,
    index: u32,
    rows: std::ops::Range<usize>,
    block: &Block,
    bases: &[G1Affine],
) -> (Part, zkmr_proto::PedersenPartition, f64) {
    let cols = header.cols as usize;
    let (start, end) = (rows.start as u64, rows.end as u64);
    let sums = partial_sums(block, cols, bases);
    let l1 = block.max_row_l1(cols, header.encoding);
    let (entry_bytes, values) = value_bytes(block.values());
    let mut file = zkmr_proto::PedersenPartition {
        index,
        row_start: start,
        row_end: end,
        entry_bytes,
        block: values,
        ..Default::default()
    };
    if let Block::Sparse(sparse) = block {
        file.sparse = true;
        file.row_offsets = sparse
            .offsets
            .iter()
            .flat_map(|o| o.to_le_bytes())
            .collect();
        file.col_index = sparse.cols.iter().flat_map(|c| c.to_le_bytes()).collect();
    }
    let part = Part {
        id: PartitionId {
            index,
            row_start: start,
            row_end: end,
        },
        sums,
    };
    (part, file, l1)
}

/// What `commit` made.
#[derive(Debug)]
pub struct SetupDone {
    pub store: KeyStore,
    pub commitment: [u8; 32],
    pub seconds: f64,
}

/// One committed partition, on its way into the sums.
pub(crate) struct Part {
    pub(crate) id: PartitionId,
    pub(crate) sums: PartialSums,
}

/// Running sums over committed partitions: the unblinded matrix key.
pub(crate) struct Sums {
    ids: Vec<PartitionId>,
    columns: Vec<G1>,
}

impl Sums {
    pub(crate) fn new(cols: usize) -> Self {
        Self {
            ids: Vec::new(),
            columns: vec![G1::identity(); cols],
        }
    }

    pub(crate) fn add(mut self, part: Part) -> Self {
        self.ids.push(part.id);
        for (j, point) in part.sums.cols.iter().zip(&part.sums.points) {
            self.columns[*j as usize] += point;
        }
        self
    }

    fn merge(mut self, other: Sums) -> Self {
        self.ids.extend(other.ids);
        for (sum, c) in self.columns.iter_mut().zip(&other.columns) {
            *sum += c;
        }
        self
    }
}

/// Commits a matrix of `header.rows × header.cols` whose partitions `blocks` yields, each
/// once in any order as `(index, block)` (row-major, encoded with `header.encoding`), and
/// writes the key store at `dest`.
pub fn commit(
    header: MatrixHeader,
    blocks: impl Iterator<Item = Result<(usize, Block)>> + Send,
    exact: bool,
    dest: &std::path::Path,
    replace: bool,
    progress: &dyn Progress,
) -> Result<SetupDone> {
    let started = Instant::now();
    zkmr_math::limits::check_store_shape(header.rows, header.cols)?;
    if header.cols > 1 << 17 || header.rows > 1 << 20 {
        tracing::warn!(
            rows = header.rows,
            cols = header.cols,
            "a large shape: each row needs a generator (about 34 µs) and each column a blinded \
             point (about 17 µs), whether or not it holds entries; this commit takes a while"
        );
    }
    let cols = header.cols as usize;
    let partitioning = Partitioning::new(header.rows as usize, header.rows_per_partition as usize)?;
    let count = partitioning.count();
    tracing::info!(
        rows = header.rows,
        cols,
        partitions = count,
        "committing matrix (pedersen)"
    );
    let mut seed = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut seed);
    let generators = generators::rows(header.rows as usize);
    h_table();
    let writer = KeyStoreWriter::create(dest, replace)?;
    progress.report(Event::Started { total: count });

    let max_row_l1 = std::sync::Mutex::new(0.0f64);
    let sums = blocks
        .par_bridge()
        .map(|block| {
            let (p, block) = block?;
            if p >= count {
                return Err(Error::Input(format!(
                    "partition {p} is outside the {count} partitions of the matrix"
                )));
            }
            let rows = partitioning.range(p);
            let shaped = match &block {
                Block::Dense(values) => values.len() == rows.len() * cols,
                Block::Sparse(sparse) => sparse.check(rows.len(), cols, "block").is_ok(),
            };
            if !shaped {
                return Err(Error::Input(format!(
                    "partition {p} does not hold {} rows of {cols} columns",
                    rows.len()
                )));
            }
            let (part, file, l1) =
                commit_partition(&header, p as u32, rows.clone(), &block, &generators[rows]);
            let mut max = max_row_l1.lock().expect("no block panicked");
            *max = max.max(l1);
            drop(max);
            writer.write_file(&partition_file(p as u32), &file.encode_to_vec(), true)?;
            progress.report(Event::PartitionDone { index: p as u32 });
            Ok(part)
        })
        .try_fold(|| Sums::new(cols), |sums, part| Ok(sums.add(part?)))
        .try_reduce(|| Sums::new(cols), |a, b| Ok(a.merge(b)))?;
    let (ids, commitment, files) = finish_sums(&header, &seed, count, sums)?;
    for (name, bytes, private) in files {
        writer.write_file(name, &bytes, private)?;
    }
    let manifest = manifest(
        Scheme::Pedersen,
        (
            header.rows,
            header.cols,
            header.encoding,
            header.rows_per_partition,
        ),
        MatrixRounding {
            exact,
            max_row_l1: *max_row_l1.lock().expect("no block panicked"),
        },
        None,
        &commitment,
        ids.iter()
            .map(|id| (id.index, id.row_start, id.row_end, None)),
    );
    let store = writer.finish(manifest)?;
    Ok(SetupDone {
        store,
        commitment,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// A store file: its name, bytes and whether only its owner may read it.
pub(crate) type StoreFile = (&'static str, Vec<u8>, bool);

/// The matrix commitment and the store's matrix key and secret from the sums over every
/// partition (each of the `count` exactly once), with the partitions in order: how `commit`
/// ends, and a distributed setup's driver. The blindings are added here, once per column.
pub(crate) fn finish_sums(
    header: &MatrixHeader,
    seed: &[u8; 32],
    count: usize,
    sums: Sums,
) -> Result<(Vec<PartitionId>, [u8; 32], [StoreFile; 2])> {
    let Sums { mut ids, columns } = sums;
    ids.sort_by_key(|id| id.index);
    let each_once = ids.iter().enumerate().all(|(i, id)| id.index as usize == i);
    if ids.len() != count || !each_once {
        return Err(Error::Input(format!(
            "the matrix source gave {} partitions, not each of the {count} once",
            ids.len()
        )));
    }
    let blindings = column_blindings(seed, header);
    let h = h_table();
    let blinded: Vec<G1> = columns
        .into_par_iter()
        .zip(&blindings)
        .map(|(mut c, rho)| {
            h.add_scalar(&mut c, rho);
            c
        })
        .collect();
    let columns = points_to_bytes(&normalize(&blinded));
    let commitment = matrix_commitment(header, count, &columns);
    let key = zkmr_proto::PedersenMatrixKey {
        generators: TAG.into(),
        columns,
    };
    let secret = zkmr_proto::PedersenSecret {
        column_blindings: blindings.iter().flat_map(scalar_to_bytes).collect(),
    };
    let files = [
        (MATRIX_KEY, key.encode_to_vec(), false),
        (SECRET, secret.encode_to_vec(), true),
    ];
    Ok((ids, commitment, files))
}
