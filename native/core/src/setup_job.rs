//! Setup run as a distributed job, for engines that hold the matrix across many machines
//! (Spark's `zkCommitMatrix`): the driver [`plan`]s, each task commits the partitions whose rows
//! it holds ([`commit_partition`]) and writes their files into the store, and the driver
//! [`finish`]es with the files that depend on every partition (the Pedersen matrix key
//! `C_j = Σ_p S_{p,j} + ρ_j·H` and secret, the halo2 SRS) and the manifest. No secret reaches a
//! task: a Pedersen task returns unblinded partial sums, and the driver draws the seed and
//! blinds.
//!
//! Each partition is committed by the same function `zkmr commit` uses, so a store made this
//! way is the store `zkmr commit` makes from the same matrix and plan: under halo2 (no
//! randomness) byte for byte, under Pedersen up to the fresh blinding seed.

use std::collections::BTreeMap;

use crate::bundle::{encoding_from_proto, encoding_to_proto};
use crate::error::{Error, Result};
use crate::fixed_point::{FixedPoint, MatrixRounding, Number};
use crate::limits::MAX_DIMENSION;
use crate::matrix::{PartitionLayout, Partitioning};
use crate::store::{digest_to_hex, manifest};
use crate::Scheme;
use zkmr_proto::{PartitionSetup, SetupFiles, SetupPlan, StoreFile};
use zkmr_scheme::{ProofScheme, SrsChoice};

/// Version of [`SetupPlan`]; tasks refuse any other. Version 2: no blinding seed in the plan.
const PLAN_VERSION: u32 = 2;

/// The plan for committing a `rows × cols` matrix encoded with `encoding` in partitions of
/// `rows_per_partition` rows: what the driver broadcasts to the setup tasks. Under halo2 it
/// loads the SRS (`srs`) downsized for the circuit; under Pedersen it needs nothing more.
pub fn plan(
    scheme: Scheme,
    rows: u64,
    cols: u64,
    encoding: FixedPoint,
    rows_per_partition: usize,
    srs: Option<&SrsChoice>,
) -> Result<SetupPlan> {
    if rows == 0 || cols == 0 || rows > MAX_DIMENSION || cols > MAX_DIMENSION {
        return Err(Error::Input(format!(
            "a {rows}x{cols} matrix: both dimensions must be between 1 and {MAX_DIMENSION}"
        )));
    }
    let rows_per_partition = rows_per_partition.min(rows as usize);
    Partitioning::new(rows as usize, rows_per_partition)?;
    let mut plan = SetupPlan {
        version: PLAN_VERSION,
        scheme: scheme.to_string(),
        rows,
        cols,
        encoding: Some(encoding_to_proto(encoding)),
        rows_per_partition: rows_per_partition as u32,
        ..SetupPlan::default()
    };
    crate::registry::scheme(scheme)?.plan_setup(&mut plan, srs)?;
    Ok(plan)
}

/// A plan as a task reads it.
struct Plan {
    scheme: &'static dyn ProofScheme,
    layout: PartitionLayout,
    partitioning: Partitioning,
}

impl Plan {
    fn read(plan: &SetupPlan) -> Result<Self> {
        if plan.version != PLAN_VERSION {
            return Err(Error::Format(format!(
                "setup plan version {}, expected {PLAN_VERSION}",
                plan.version
            )));
        }
        let scheme = crate::registry::scheme(plan.scheme.parse()?)?;
        let encoding = encoding_from_proto(plan.encoding.as_ref(), "setup plan encoding")?;
        let partitioning = Partitioning::new(plan.rows as usize, plan.rows_per_partition as usize)?;
        Ok(Self {
            scheme,
            layout: PartitionLayout {
                rows: plan.rows,
                cols: plan.cols as usize,
                rows_per_partition: plan.rows_per_partition as u64,
                encoding,
            },
            partitioning,
        })
    }
}

/// Commits the partition whose rows a task holds (every row of one partition, each once, in
/// any order), as `zkmr commit` commits it.
pub fn commit_partition(plan: &SetupPlan, rows: Vec<(u64, Vec<Number>)>) -> Result<PartitionSetup> {
    let read = Plan::read(plan)?;
    let encoding = read.layout.encoding;
    let exact = rows
        .iter()
        .all(|(_, values)| values.iter().all(|v| encoding.is_exact(*v)));
    let (index, block) = read.layout.block_of(rows)?;
    let range = read.partitioning.range(index as usize);
    let setup = read
        .scheme
        .setup_partition(plan, &read.layout, index, range.clone(), &block)?;
    Ok(PartitionSetup {
        index,
        row_start: range.start as u64,
        row_end: range.end as u64,
        file_digest: blake3::hash(&setup.contents).to_hex().to_string(),
        max_row_l1: MatrixRounding::max_row_l1(&block, read.layout.cols, encoding),
        exact,
        ..setup
    })
}

/// The rest of the store once every partition is committed (`parts`, each exactly once, their
/// `contents` not needed): the scheme's shared files and the manifest, last.
pub fn finish(plan: &SetupPlan, mut parts: Vec<PartitionSetup>) -> Result<SetupFiles> {
    let read = Plan::read(plan)?;
    parts.sort_by_key(|p| p.index);
    let count = read.partitioning.count();
    if parts.len() != count
        || parts.iter().enumerate().any(|(i, p)| {
            let r = read.partitioning.range(i);
            p.index as usize != i || (p.row_start, p.row_end) != (r.start as u64, r.end as u64)
        })
    {
        return Err(Error::Input(format!(
            "setup: {} partitions committed, not each of the {} once",
            parts.len(),
            count
        )));
    }
    let rounding = MatrixRounding {
        exact: parts.iter().all(|p| p.exact),
        max_row_l1: parts.iter().map(|p| p.max_row_l1).fold(0.0, f64::max),
    };
    let finished = read.scheme.finish_setup(plan, &read.layout, &parts)?;
    let mut files: Vec<StoreFile> = finished.files;
    let ids = parts
        .iter()
        .zip(finished.key_digests)
        .map(|(p, key_digest)| (p.index, p.row_start, p.row_end, key_digest));
    let mut listed: BTreeMap<String, String> = parts
        .iter()
        .map(|p| (p.file.clone(), p.file_digest.clone()))
        .collect();
    for f in &files {
        listed.insert(
            f.name.clone(),
            blake3::hash(&f.contents).to_hex().to_string(),
        );
    }
    let shape = (
        read.layout.rows,
        read.layout.cols as u64,
        read.layout.encoding,
        read.layout.rows_per_partition as u32,
    );
    let sealed = manifest(
        read.scheme.id(),
        shape,
        rounding,
        finished.settings,
        &finished.commitment,
        ids,
    )
    .sealed(listed);
    files.push(StoreFile {
        name: "manifest.json".into(),
        contents: sealed.to_bytes(),
    });
    Ok(SetupFiles {
        files,
        matrix_commitment: digest_to_hex(&finished.commitment),
    })
}
