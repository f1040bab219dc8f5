//! Setup: cut the matrix into partitions, make each partition's keys and publish the
//! matrix commitment.
//!
//! Partitions are keyed in parallel and written as they finish; at most one partition's key
//! material per worker thread is in memory at a time.

use std::path::Path;
use std::time::Instant;

use rayon::prelude::*;

use crate::keys::{key_digest, vk_to_bytes, KeyMaker};
use crate::shape::CircuitShape;
use crate::srs::{self, VerifierSrs};
use crate::statement::{matrix_commitment, MatrixHeader, PartitionId};
use zkmr_math::error::Result;
use zkmr_math::field::to_bytes;
use zkmr_math::field::F;
use zkmr_math::fixed_point::FixedPoint;
use zkmr_scheme::store::{manifest, KeyStore, KeyStoreWriter};
use zkmr_scheme::SrsChoice;

use crate::store::{write_partition, write_srs, Settings};
use zkmr_math::matrix::{IntMatrix, Partitioning};
use zkmr_math::progress::{Event, Progress};
use zkmr_scheme::Scheme;

/// How to cut the matrix.
#[derive(Clone, Copy, Debug)]
pub struct CommitOptions {
    pub rows_per_partition: usize,
    /// Column fold; chosen automatically when `None`.
    pub fold: Option<usize>,
    /// Replace an existing key store.
    pub replace: bool,
}

impl Default for CommitOptions {
    fn default() -> Self {
        Self {
            rows_per_partition: zkmr_math::matrix::DEFAULT_ROWS_PER_PARTITION,
            fold: None,
            replace: false,
        }
    }
}

/// What `commit` made.
#[derive(Debug)]
pub struct SetupDone {
    pub store: KeyStore,
    pub commitment: F,
    pub srs_seconds: f64,
    pub keygen_seconds: f64,
}

/// Makes the key store for `matrix` in `dest` and returns the matrix commitment.
pub fn commit(
    matrix: &IntMatrix,
    encoding: FixedPoint,
    options: CommitOptions,
    srs: &SrsChoice,
    dest: &Path,
    progress: &dyn Progress,
) -> Result<SetupDone> {
    // Large partitions are clamped to the matrix so a small matrix gets a small circuit.
    let rows_per_partition = options.rows_per_partition.min(matrix.rows());
    let partitioning = Partitioning::new(matrix.rows(), rows_per_partition)?;
    let shape = match options.fold {
        Some(fold) => CircuitShape::new(rows_per_partition, matrix.cols(), fold)?,
        None => CircuitShape::choose(rows_per_partition, matrix.cols())?,
    };
    let k = shape.k();
    tracing::info!(
        rows = matrix.rows(),
        cols = matrix.cols(),
        partitions = partitioning.count(),
        fold = shape.fold,
        k,
        "committing matrix"
    );

    let started = Instant::now();
    let (params, source) = srs::params_for(srs, k)?;
    let srs_seconds = started.elapsed().as_secs_f64();
    let header = MatrixHeader {
        rows: matrix.rows() as u64,
        cols: matrix.cols() as u64,
        encoding,
        rows_per_partition: rows_per_partition as u32,
        fold: shape.fold as u32,
        k,
        srs_digest: VerifierSrs::of(&params).digest(),
    };

    let keys = KeyMaker::new(&params, shape)?;
    let writer = KeyStoreWriter::create(dest, options.replace)?;
    write_srs(&writer, &params)?;
    progress.report(Event::Started {
        total: partitioning.count(),
    });
    let started = Instant::now();
    let ids = (0..partitioning.count())
        .into_par_iter()
        .map(|p| {
            let index = p as u32;
            let rows = partitioning.range(p);
            let (id, key) = partition_key(&keys, index, rows.clone(), matrix.block(rows));
            write_partition(&writer, &key)?;
            progress.report(Event::PartitionDone { index });
            Ok(id)
        })
        .collect::<Result<Vec<_>>>()?;
    let keygen_seconds = started.elapsed().as_secs_f64();

    let commitment = matrix_commitment(&header, &ids);
    let settings = Settings {
        fold: header.fold,
        k,
        srs: source,
        srs_digest: zkmr_math::field::to_hex(&header.srs_digest),
    };
    let store = writer.finish(manifest(
        Scheme::Halo2,
        (
            header.rows,
            header.cols,
            header.encoding,
            header.rows_per_partition,
        ),
        matrix.rounding(encoding),
        Some(settings.to_value()),
        &to_bytes(&commitment),
        ids.iter().map(|p| {
            (
                p.index,
                p.row_start,
                p.row_end,
                Some(to_bytes(&p.key_digest)),
            )
        }),
    ))?;
    Ok(SetupDone {
        store,
        commitment,
        srs_seconds,
        keygen_seconds,
    })
}

/// The keys of partition `index` (rows `rows`, encoded `block`): its identity in the matrix
/// commitment and its store file. The one place a partition is keyed, by `commit` here and by
/// a setup task.
pub(crate) fn partition_key(
    keys: &KeyMaker,
    index: u32,
    rows: std::ops::Range<usize>,
    block: &[i64],
) -> (PartitionId, zkmr_proto::PartitionKey) {
    let vk = keys.verifying_key(block);
    let id = PartitionId {
        index,
        row_start: rows.start as u64,
        row_end: rows.end as u64,
        key_digest: key_digest(&vk),
    };
    let key = zkmr_proto::PartitionKey {
        index,
        row_start: id.row_start,
        row_end: id.row_end,
        verifying_key: vk_to_bytes(&vk),
        block: block.to_vec(),
    };
    (id, key)
}
