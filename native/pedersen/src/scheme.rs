//! The Pedersen scheme behind [`ProofScheme`]: commit (dense, sparse or streamed), the
//! distributed setup's three phases, the store's checks, the prover, the verifier, openings
//! and the matrix key a chain keeps one copy of.

use std::ops::Range;
use std::path::Path;
use std::time::Instant;

use rand::RngCore;
use zkmr_math::device::Device;
use zkmr_math::error::{Error, Result};
use zkmr_math::fixed_point::FixedPoint;
use zkmr_math::matrix::{PartitionLayout, Partitioning};
use zkmr_math::progress::Progress;
use zkmr_math::sparse::Block;
use zkmr_proto::{PartitionSetup, SetupPlan, StoreFile};
use zkmr_scheme::store::{KeyStore, Manifest};
use zkmr_scheme::{
    Capabilities, CommitOptions, Expected, MatrixCommitted, MatrixInput, OpenedPartition,
    ProofScheme, Prover, Scheme, SetupFinished, SrsChoice, Verified,
};

use crate::encoding::{points_from_bytes, points_to_bytes, POINT_BYTES};
use crate::setup::{finish_sums, Part, PartialSums, Sums};
use crate::statement::{MatrixHeader, PartitionId};
use crate::store::PedersenProver;

/// The Pedersen scheme.
#[derive(Clone, Copy, Debug, Default)]
pub struct Pedersen;

impl ProofScheme for Pedersen {
    fn id(&self) -> Scheme {
        Scheme::Pedersen
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            srs: false,
            batches: true,
            streamed_commit: true,
            warm_prover: true,
            row_products: true,
        }
    }

    fn commit(
        &self,
        matrix: MatrixInput<'_>,
        encoding: FixedPoint,
        options: &CommitOptions,
        dest: &Path,
        progress: &dyn Progress,
    ) -> Result<MatrixCommitted> {
        let why = match &matrix {
            MatrixInput::Dense(_) => None,
            MatrixInput::Sparse(_) => Some(
                "a matrix in coordinate form is committed under the pedersen scheme only: the \
                 halo2 scheme's circuit holds every entry",
            ),
            MatrixInput::Stream { .. } => {
                Some("a matrix committed as it is read is committed under the pedersen scheme only")
            }
        };
        check_options(options, why)?;
        let (rows, cols, exact, blocks): (u64, u64, bool, Box<dyn Iterator<Item = _> + Send>) =
            match matrix {
                MatrixInput::Dense(m) => {
                    let p = partitioning(m.rows(), options)?;
                    let blocks = (0..p.count())
                        .map(move |i| Ok((i, Block::Dense(m.block(p.range(i)).to_vec()))));
                    (
                        m.rows() as u64,
                        m.cols() as u64,
                        m.is_exact(),
                        Box::new(blocks),
                    )
                }
                MatrixInput::Sparse(m) => {
                    let p = partitioning(m.rows(), options)?;
                    let blocks = (0..p.count()).map(move |i| Ok((i, m.block(p.range(i)))));
                    (
                        m.rows() as u64,
                        m.cols() as u64,
                        m.is_exact(),
                        Box::new(blocks),
                    )
                }
                MatrixInput::Stream {
                    rows,
                    cols,
                    exact,
                    blocks,
                } => (rows, cols, exact, blocks),
            };
        let header = MatrixHeader {
            rows,
            cols,
            encoding,
            rows_per_partition: (options.rows_per_partition as u64).min(rows) as u32,
        };
        let started = Instant::now();
        let done = crate::setup::commit(header, blocks, exact, dest, options.replace, progress)?;
        Ok(MatrixCommitted {
            store: done.store,
            commitment: done.commitment,
            srs_seconds: 0.0,
            setup_seconds: started.elapsed().as_secs_f64(),
        })
    }

    fn plan_setup(&self, plan: &mut SetupPlan, srs: Option<&SrsChoice>) -> Result<()> {
        zkmr_math::limits::check_store_shape(plan.rows, plan.cols)?;
        if srs.is_some() {
            return Err(Error::Usage(
                "the pedersen scheme takes no SRS (it has no trusted setup)".into(),
            ));
        }
        Ok(())
    }

    fn setup_partition(
        &self,
        _plan: &SetupPlan,
        layout: &PartitionLayout,
        index: u32,
        range: Range<usize>,
        block: &[i64],
    ) -> Result<PartitionSetup> {
        let bases = crate::generators::range(range.clone());
        let (part, file, _) = crate::setup::commit_partition(
            &header_of(layout),
            index,
            range,
            &Block::Dense(block.to_vec()),
            &bases,
        );
        Ok(PartitionSetup {
            file: crate::store::partition_file(index),
            contents: prost::Message::encode_to_vec(&file),
            columns: points_to_bytes(&part.sums.points),
            sum_columns: part
                .sums
                .cols
                .iter()
                .flat_map(|j| j.to_le_bytes())
                .collect(),
            ..PartitionSetup::default()
        })
    }

    fn finish_setup(
        &self,
        _plan: &SetupPlan,
        layout: &PartitionLayout,
        parts: &[PartitionSetup],
    ) -> Result<SetupFinished> {
        let header = header_of(layout);
        let mut seed = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        let mut sums = Sums::new(layout.cols);
        for p in parts {
            sums = sums.add(Part {
                id: PartitionId {
                    index: p.index,
                    row_start: p.row_start,
                    row_end: p.row_end,
                },
                sums: partial_sums_of(p, layout.cols)?,
            });
        }
        let (ids, commitment, shared) = finish_sums(&header, &seed, parts.len(), sums)?;
        Ok(SetupFinished {
            commitment,
            settings: None,
            key_digests: vec![None; ids.len()],
            files: shared
                .into_iter()
                .map(|(name, contents, _)| StoreFile {
                    name: name.into(),
                    contents,
                })
                .collect(),
        })
    }

    fn check_manifest(&self, manifest: &Manifest, location: &Path) -> Result<()> {
        if !manifest.settings.is_empty() {
            return Err(Error::Format(format!(
                "{}: a pedersen store with halo2 settings",
                location.join("manifest.json").display()
            )));
        }
        if manifest.partitions.iter().any(|p| !p.key_digest.is_empty()) {
            return Err(Error::Format(format!(
                "{}: a pedersen store whose partitions list key digests",
                location.join("manifest.json").display()
            )));
        }
        Ok(())
    }

    fn prover(&self, store: KeyStore, _device: Device) -> Result<Box<dyn Prover>> {
        Ok(Box::new(PedersenProver::new(store)?))
    }

    fn verify(
        &self,
        bundle: &zkmr_proto::Bundle,
        trusted_commitment: &[u8; 32],
    ) -> Result<Verified> {
        crate::verify::verify(bundle, trusted_commitment)
    }

    fn verify_opening(
        &self,
        opening: &zkmr_proto::PartitionOpening,
        trusted_commitment: &[u8; 32],
        expected: &Expected,
    ) -> Result<OpenedPartition> {
        crate::opening::verify(opening, trusted_commitment, expected)
    }

    fn detach_matrix_key(&self, bundle: &mut zkmr_proto::Bundle) -> Option<Vec<u8>> {
        Some(std::mem::take(&mut bundle.pedersen.as_mut()?.columns))
    }

    fn attach_matrix_key(
        &self,
        bundle: &mut zkmr_proto::Bundle,
        key: Option<&[u8]>,
    ) -> Result<bool> {
        match (bundle.pedersen.as_mut(), key) {
            (None, _) => Ok(false),
            (Some(p), Some(key)) if p.columns.is_empty() => {
                p.columns = key.to_vec();
                Ok(true)
            }
            _ => Err(Error::rejected_bundle(
                "its matrix key is not the chain proof's one copy",
            )),
        }
    }

    fn columns_backed(&self, key: Option<&[u8]>) -> Result<u64> {
        key.map(|k| (k.len() / POINT_BYTES) as u64).ok_or_else(|| {
            Error::rejected_bundle("its matrix key is not the chain proof's one copy")
        })
    }
}

/// Refuses options that are not pedersen's (an SRS, a fold, another scheme), or any options
/// at all for a matrix form only pedersen commits, saying `why`.
fn check_options(options: &CommitOptions, why: Option<&str>) -> Result<()> {
    if let Some(why) = why {
        if options.scheme != Scheme::Pedersen || options.srs.is_some() || options.fold.is_some() {
            return Err(Error::Usage(why.into()));
        }
    }
    if options.srs.is_some() {
        return Err(Error::Usage(
            "the pedersen scheme takes no SRS (it has no trusted setup)".into(),
        ));
    }
    if options.fold.is_some() {
        return Err(Error::Usage(
            "a column fold is for the halo2 scheme's circuit; the pedersen scheme has none".into(),
        ));
    }
    Ok(())
}

/// The partitions of a matrix of `rows` rows under `options`.
fn partitioning(rows: usize, options: &CommitOptions) -> Result<Partitioning> {
    Partitioning::new(rows, options.rows_per_partition.min(rows))
}

fn header_of(layout: &PartitionLayout) -> MatrixHeader {
    MatrixHeader {
        rows: layout.rows,
        cols: layout.cols as u64,
        encoding: layout.encoding,
        rows_per_partition: layout.rows_per_partition as u32,
    }
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
