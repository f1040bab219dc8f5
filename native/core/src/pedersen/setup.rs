//! Setup: commit every column of every partition and write the key store.
//!
//! `C_{p,j} = Σ_{i ∈ rows(p)} A_ij·G_i + ρ_{p,j}·H` and the matrix key `C_j = Σ_p C_{p,j}`.
//! The blindings `ρ_{p,j}` come from a fresh secret seed through a keyed BLAKE3 stream whose
//! input names the partition and its rows, so two commits of one matrix share nothing and a
//! re-partitioned matrix never reuses a blinding.
//!
//! Partitions are committed in parallel as they arrive from the source, so a matrix streamed
//! from a file needs memory for the partitions in flight, not for the whole matrix.

use std::time::Instant;

use halo2_proofs::halo2curves::bn256::{Fr, G1Affine, G1};
use halo2_proofs::halo2curves::ff::{Field, FromUniformBytes};
use halo2_proofs::halo2curves::group::Group;
use prost::Message;
use rand::RngCore;
use rayon::prelude::*;

use super::encoding::{points_to_bytes, scalar_to_bytes};
use super::generators::{self, TAG};
use super::msm::{h_table, normalize, window_for, Multiples};
use super::statement::{matrix_commitment, partition_key_digest, Header, PartitionKeyId};
use super::store::{partition_file, MATRIX_KEY, SECRET};
use crate::error::{Error, Result};
use crate::fixed_point::MatrixRounding;
use crate::keystore::{manifest, KeyStore, KeyStoreWriter};
use crate::matrix::Partitioning;
use crate::product::magnitude_bits;
use crate::progress::{Event, Progress};
use crate::scheme::Scheme;
use crate::sparse::Block;

/// The blindings `ρ_{p,0} .. ρ_{p,cols-1}` of one partition.
pub fn partition_blindings(
    seed: &[u8; 32],
    index: u32,
    row_start: u64,
    row_end: u64,
    cols: usize,
) -> Vec<Fr> {
    let mut h = blake3::Hasher::new_keyed(seed);
    h.update(TAG.as_bytes());
    h.update(b"/blinding");
    for v in [index as u64, row_start, row_end, cols as u64] {
        h.update(&v.to_le_bytes());
    }
    let mut stream = h.finalize_xof();
    (0..cols)
        .map(|_| {
            let mut wide = [0u8; 64];
            stream.fill(&mut wide);
            Fr::from_uniform_bytes(&wide)
        })
        .collect()
}

/// The column commitments of one partition: `block` is its rows (dense or sparse) and
/// `bases` their generators. A sparse block costs a term per non-zero, a dense one per entry.
pub fn commit_columns(
    block: &Block,
    cols: usize,
    bases: &[G1Affine],
    blindings: &[Fr],
) -> Vec<G1Affine> {
    let bits = block.magnitude_bits().max(1);
    // Positive and negative entries accumulate apart, so every table lookup adds a multiple.
    let mut positive = vec![G1::identity(); cols];
    let mut negative = vec![G1::identity(); cols];
    let mut add = |table: &Multiples, j: usize, v: i64| {
        if v > 0 {
            table.add_multiple(&mut positive[j], v.unsigned_abs());
        } else if v < 0 {
            table.add_multiple(&mut negative[j], v.unsigned_abs());
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
    let h = h_table();
    for ((pos, neg), rho) in positive.iter_mut().zip(&negative).zip(blindings) {
        *pos -= neg;
        h.add_scalar(pos, rho);
    }
    normalize(&positive)
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

/// Commits partition `index` (rows `rows`, row-major `block`, their generators `bases`) under
/// the blinding `seed`: its part of the sums, its store file and its largest decoded row L1
/// norm. The one place a partition is committed, by `commit` here and by a setup task.
pub(crate) fn commit_partition(
    header: &Header,
    seed: &[u8; 32],
    index: u32,
    rows: std::ops::Range<usize>,
    block: &Block,
    bases: &[G1Affine],
) -> (Part, zkmr_proto::PedersenPartition, f64) {
    let cols = header.cols as usize;
    let (start, end) = (rows.start as u64, rows.end as u64);
    let blindings = partition_blindings(seed, index, start, end, cols);
    let columns = commit_columns(block, cols, bases, &blindings);
    let column_bytes = points_to_bytes(&columns);
    let id = PartitionKeyId {
        index,
        row_start: start,
        row_end: end,
        key_digest: partition_key_digest(index, start, end, &column_bytes),
    };
    let l1 = block.max_row_l1(cols, header.encoding);
    let (entry_bytes, values) = value_bytes(block.values());
    let mut file = zkmr_proto::PedersenPartition {
        index,
        row_start: start,
        row_end: end,
        entry_bytes,
        block: values,
        columns: column_bytes,
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
        id,
        columns,
        blindings,
    };
    (part, file, l1)
}

/// What `commit` made.
#[derive(Debug)]
pub struct Committed {
    pub store: KeyStore,
    pub commitment: [u8; 32],
    pub seconds: f64,
}

/// One committed partition, on its way into the sums.
pub(crate) struct Part {
    pub(crate) id: PartitionKeyId,
    pub(crate) columns: Vec<G1Affine>,
    pub(crate) blindings: Vec<Fr>,
}

/// Running sums over committed partitions: the matrix key and the column blindings.
pub(crate) struct Sums {
    ids: Vec<PartitionKeyId>,
    columns: Vec<G1>,
    blindings: Vec<Fr>,
}

impl Sums {
    pub(crate) fn new(cols: usize) -> Self {
        Self {
            ids: Vec::new(),
            columns: vec![G1::identity(); cols],
            blindings: vec![Fr::ZERO; cols],
        }
    }

    pub(crate) fn add(mut self, part: Part) -> Self {
        self.ids.push(part.id);
        for (sum, c) in self.columns.iter_mut().zip(&part.columns) {
            *sum += c;
        }
        for (sum, r) in self.blindings.iter_mut().zip(&part.blindings) {
            *sum += r;
        }
        self
    }

    fn merge(mut self, other: Sums) -> Self {
        self.ids.extend(other.ids);
        for (sum, c) in self.columns.iter_mut().zip(&other.columns) {
            *sum += c;
        }
        for (sum, r) in self.blindings.iter_mut().zip(&other.blindings) {
            *sum += r;
        }
        self
    }
}

/// Commits a matrix of `header.rows × header.cols` whose partitions `blocks` yields, each
/// once in any order as `(index, block)` (row-major, encoded with `header.encoding`), and
/// writes the key store at `dest`.
pub fn commit(
    header: Header,
    blocks: impl Iterator<Item = Result<(usize, Block)>> + Send,
    exact: bool,
    dest: &std::path::Path,
    replace: bool,
    progress: &dyn Progress,
) -> Result<Committed> {
    let started = Instant::now();
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
            let (part, file, l1) = commit_partition(
                &header,
                &seed,
                p as u32,
                rows.clone(),
                &block,
                &generators[rows],
            );
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
            .map(|id| (id.index, id.row_start, id.row_end, id.key_digest)),
    );
    let store = writer.finish(manifest)?;
    Ok(Committed {
        store,
        commitment,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// A store file: its name, bytes and whether only its owner may read it.
pub(crate) type StoreFile = (&'static str, Vec<u8>, bool);

/// The matrix commitment and the store's matrix key and secret from the sums over every
/// partition (each of the `count` exactly once), with the partitions in order: how `commit`
/// ends, and a distributed setup's driver.
pub(crate) fn finish_sums(
    header: &Header,
    seed: &[u8; 32],
    count: usize,
    sums: Sums,
) -> Result<(Vec<PartitionKeyId>, [u8; 32], [StoreFile; 2])> {
    let Sums {
        mut ids,
        columns,
        blindings,
    } = sums;
    ids.sort_by_key(|id| id.index);
    let each_once = ids.iter().enumerate().all(|(i, id)| id.index as usize == i);
    if ids.len() != count || !each_once {
        return Err(Error::Input(format!(
            "the matrix source gave {} partitions, not each of the {count} once",
            ids.len()
        )));
    }
    let columns = points_to_bytes(&normalize(&columns));
    let commitment = matrix_commitment(header, &columns, &ids);
    let key = zkmr_proto::PedersenMatrixKey {
        generators: TAG.into(),
        columns,
    };
    let secret = zkmr_proto::PedersenSecret {
        seed: seed.to_vec(),
        column_blindings: blindings.iter().flat_map(scalar_to_bytes).collect(),
    };
    let files = [
        (MATRIX_KEY, key.encode_to_vec(), false),
        (SECRET, secret.encode_to_vec(), true),
    ];
    Ok((ids, commitment, files))
}
