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

use rand::RngCore;

use crate::bundle::{encoding_from_proto, encoding_to_proto};
use crate::error::{Error, Result};
use crate::fixed_point::{FixedPoint, MatrixRounding, Number};
use crate::halo2::keys::KeyMaker;
use crate::halo2::setup::SrsChoice;
use crate::halo2::shape::CircuitShape;
use crate::halo2::srs::{self, SrsSource, VerifierSrs};
use crate::halo2::statement::{MatrixHeader, PartitionId};
use crate::keystore::{digest_to_hex, manifest, Halo2Setup};
use crate::limits::MAX_DIMENSION;
use crate::matrix::{PartitionLayout, Partitioning};
use crate::pedersen::encoding::{points_from_bytes, points_to_bytes};
use crate::pedersen::setup::{finish_sums, Part, PartialSums, Sums};
use crate::pedersen::statement::{Header, PartitionId as PedersenPartitionId};
use crate::scheme::Scheme;
use zkmr_proto::{PartitionSetup, SetupFiles, SetupPlan, StoreFile};

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
    if scheme == Scheme::Pedersen {
        crate::limits::check_store_shape(rows, cols)?;
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
    match (scheme, srs) {
        (Scheme::Pedersen, Some(_)) => {
            return Err(Error::Usage(
                "the pedersen scheme takes no SRS (it has no trusted setup)".into(),
            ))
        }
        (Scheme::Pedersen, None) => {}
        (Scheme::Halo2, None) => {
            return Err(Error::Usage(
                "the halo2 scheme needs an SRS: a file, or the insecure development SRS".into(),
            ))
        }
        (Scheme::Halo2, Some(choice)) => {
            let shape = CircuitShape::choose(rows_per_partition, cols as usize)?;
            let (params, source) = choice.params(shape.k())?;
            plan.fold = shape.fold as u32;
            plan.k = shape.k();
            plan.srs = srs::to_bytes(&params);
            plan.srs_source = serde_json::to_string(&source).expect("an SRS source serialises");
        }
    }
    Ok(plan)
}

/// A plan as a task reads it.
struct Plan {
    scheme: Scheme,
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
        let scheme: Scheme = plan.scheme.parse()?;
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

    fn header(&self) -> Header {
        Header {
            rows: self.layout.rows,
            cols: self.layout.cols as u64,
            encoding: self.layout.encoding,
            rows_per_partition: self.layout.rows_per_partition as u32,
        }
    }

    fn shape(&self, plan: &SetupPlan) -> Result<CircuitShape> {
        CircuitShape::new(
            self.layout.rows_per_partition as usize,
            self.layout.cols,
            plan.fold as usize,
        )
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
    let (file, contents, key_digest, sums) = match read.scheme {
        Scheme::Pedersen => {
            let bases = crate::pedersen::generators::range(range.clone());
            let (part, file, _) = crate::pedersen::setup::commit_partition(
                &read.header(),
                index,
                range.clone(),
                &crate::sparse::Block::Dense(block.clone()),
                &bases,
            );
            (
                crate::pedersen::store::partition_file(index),
                prost::Message::encode_to_vec(&file),
                Vec::new(),
                part.sums,
            )
        }
        Scheme::Halo2 => {
            let params = srs::from_bytes(&plan.srs, "setup plan SRS")?;
            let keys = KeyMaker::new(&params, read.shape(plan)?)?;
            let (id, key) = crate::halo2::setup::partition_key(&keys, index, range.clone(), &block);
            (
                crate::keystore::partition_file(index),
                prost::Message::encode_to_vec(&key),
                crate::field::to_bytes(&id.key_digest).to_vec(),
                PartialSums::default(),
            )
        }
    };
    Ok(PartitionSetup {
        index,
        row_start: range.start as u64,
        row_end: range.end as u64,
        key_digest,
        file_digest: blake3::hash(&contents).to_hex().to_string(),
        file,
        contents,
        columns: points_to_bytes(&sums.points),
        sum_columns: sums.cols.iter().flat_map(|j| j.to_le_bytes()).collect(),
        max_row_l1: MatrixRounding::max_row_l1(&block, read.layout.cols, encoding),
        exact,
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
    let mut files: Vec<StoreFile> = Vec::new();
    let (commitment, halo2, ids) = match read.scheme {
        Scheme::Pedersen => {
            let header = read.header();
            let mut seed = [0u8; 32];
            rand::rngs::OsRng.fill_bytes(&mut seed);
            let mut sums = Sums::new(read.layout.cols);
            for p in &parts {
                sums = sums.add(Part {
                    id: PedersenPartitionId {
                        index: p.index,
                        row_start: p.row_start,
                        row_end: p.row_end,
                    },
                    sums: partial_sums_of(p, read.layout.cols)?,
                });
            }
            let (ids, commitment, shared) = finish_sums(&header, &seed, count, sums)?;
            for (name, contents, _) in shared {
                files.push(StoreFile {
                    name: name.into(),
                    contents,
                });
            }
            let ids: Vec<_> = ids
                .iter()
                .map(|id| (id.index, id.row_start, id.row_end, None))
                .collect();
            (commitment, None, ids)
        }
        Scheme::Halo2 => {
            let params = srs::from_bytes(&plan.srs, "setup plan SRS")?;
            let header = MatrixHeader {
                rows: read.layout.rows,
                cols: read.layout.cols as u64,
                encoding: read.layout.encoding,
                rows_per_partition: read.layout.rows_per_partition as u32,
                fold: plan.fold,
                k: plan.k,
                srs_digest: VerifierSrs::of(&params).digest(),
            };
            let ids = parts
                .iter()
                .map(|p| {
                    Ok(PartitionId {
                        index: p.index,
                        row_start: p.row_start,
                        row_end: p.row_end,
                        key_digest: crate::field::from_bytes(
                            &p.key_digest,
                            "partition key digest",
                        )?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let commitment = crate::halo2::statement::matrix_commitment(&header, &ids);
            let source: SrsSource = serde_json::from_str(&plan.srs_source)
                .map_err(|e| Error::Format(format!("setup plan SRS source: {e}")))?;
            files.push(StoreFile {
                name: crate::keystore::SRS_FILE.into(),
                contents: plan.srs.clone(),
            });
            let halo2 = Halo2Setup {
                fold: plan.fold,
                k: plan.k,
                srs: source,
                srs_digest: crate::field::to_hex(&header.srs_digest),
            };
            let ids = ids
                .iter()
                .map(|id| {
                    (
                        id.index,
                        id.row_start,
                        id.row_end,
                        Some(crate::field::to_bytes(&id.key_digest)),
                    )
                })
                .collect();
            (crate::field::to_bytes(&commitment), Some(halo2), ids)
        }
    };
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
    let sealed = manifest(read.scheme, shape, rounding, halo2, &commitment, ids).sealed(listed);
    files.push(StoreFile {
        name: "manifest.json".into(),
        contents: sealed.to_bytes(),
    });
    Ok(SetupFiles {
        files,
        matrix_commitment: digest_to_hex(&commitment),
    })
}

/// A Pedersen task's partial sums, as the driver takes them: one canonical point per listed
/// column, the columns increasing and inside the matrix, and no halo2 key digest.
fn partial_sums_of(p: &PartitionSetup, cols: usize) -> Result<PartialSums> {
    let what = format!("setup partition {}", p.index);
    if !p.key_digest.is_empty() || !p.sum_columns.len().is_multiple_of(4) {
        return Err(Error::Format(format!(
            "{what}: not a pedersen partition's sums"
        )));
    }
    let listed: Vec<u32> = p
        .sum_columns
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
        .collect();
    if listed.windows(2).any(|w| w[0] >= w[1]) || listed.last().is_some_and(|j| *j as usize >= cols)
    {
        return Err(Error::Format(format!(
            "{what}: its columns are not increasing column numbers below {cols}"
        )));
    }
    let points = points_from_bytes(&p.columns, listed.len(), &format!("{what} sums"))?;
    Ok(PartialSums {
        cols: listed,
        points,
    })
}
