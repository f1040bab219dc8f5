//! The cqlin scheme behind [`ProofScheme`]: commit (a dense matrix, in one process, under the
//! development SRS), the store's checks, the prover, the verifier and the public data a chain
//! keeps one copy of.

use std::ops::Range;
use std::path::Path;
use std::time::Instant;

use zkmr_math::device::Device;
use zkmr_math::error::{Error, Result};
use zkmr_math::fixed_point::FixedPoint;
use zkmr_math::matrix::{PartitionLayout, Partitioning};
use zkmr_math::progress::{Event, Progress};
use zkmr_proto::{PartitionSetup, SetupPlan};
use zkmr_scheme::store::{manifest, KeyStore, KeyStoreWriter, Manifest};
use zkmr_scheme::{
    Capabilities, CommitOptions, MatrixCommitted, MatrixInput, ProofScheme, Prover, Scheme,
    SetupFinished, SrsChoice, SrsSource, Verified,
};

use crate::commitment::{Commitment, Header};
use crate::shape::Shape;
use crate::srs::Development;
use crate::store::CqlinProver;

/// The cqlin scheme.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cqlin;

/// The settings a cqlin store records under its name.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    srs: SrsSource,
}

/// Why a distributed setup is refused.
const ONE_PROCESS: &str = "the cqlin scheme commits a matrix in one process (its cached \
    quotients combine every column); commit it with `zkmr commit --scheme cqlin`";

impl ProofScheme for Cqlin {
    fn id(&self) -> Scheme {
        Scheme::Cqlin
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            srs: true,
            batches: true,
            streamed_commit: false,
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
        let matrix =
            match matrix {
                MatrixInput::Dense(m) => m,
                MatrixInput::Sparse(_) | MatrixInput::Stream { .. } => return Err(Error::Usage(
                    "the cqlin scheme commits a dense matrix held whole; a matrix in coordinate \
                     form or streamed as it is read is committed under the pedersen scheme"
                        .into(),
                )),
            };
        if options.fold.is_some() {
            return Err(Error::Usage(
                "a column fold is for the halo2 scheme's circuit; the cqlin scheme has none".into(),
            ));
        }
        match &options.srs {
            Some(SrsChoice::Development { .. }) => {}
            Some(SrsChoice::File(path)) => {
                return Err(Error::Usage(format!(
                    "{}: the cqlin scheme does not read an SRS file yet (its tables are derived \
                     from the development SRS only); use --dev-srs, whose verdicts say UNSAFE",
                    path.display()
                )))
            }
            None => {
                return Err(Error::Usage(
                    "the cqlin scheme needs an SRS: --dev-srs for the insecure development SRS"
                        .into(),
                ))
            }
        }
        let (rows, cols) = (matrix.rows(), matrix.cols());
        let shape = Shape::new(rows, cols)?;
        let rows_per_partition = options.rows_per_partition.min(rows);
        let partitioning = Partitioning::new(rows, rows_per_partition)?;
        let srs = Development::for_shape(&shape);
        let header = Header {
            rows: rows as u64,
            cols: cols as u64,
            encoding,
            srs: srs.id(),
            rows_per_partition: rows_per_partition as u64,
            partitions: partitioning.count() as u64,
        };
        tracing::info!(
            rows,
            cols,
            padded_rows = shape.padded_rows(),
            padded_cols = shape.padded_cols(),
            "committing matrix (cqlin, development SRS)"
        );
        let writer = KeyStoreWriter::create(dest, options.replace)?;
        progress.report(Event::Started {
            total: partitioning.count(),
        });
        let started = Instant::now();
        let tables = srs.tables(&shape);
        let srs_seconds = started.elapsed().as_secs_f64();
        let started = Instant::now();
        let (public, key) = crate::commit::commit(matrix.block(0..rows), header, &srs, &tables)?;
        drop(tables);
        crate::store::write(&writer, &public, &key, matrix.block(0..rows))?;
        let commitment = public.digest();
        let settings = Settings {
            srs: SrsSource::Development,
        };
        let store = writer.finish(manifest(
            Scheme::Cqlin,
            (
                header.rows,
                header.cols,
                encoding,
                rows_per_partition as u32,
            ),
            matrix.rounding(encoding),
            Some(serde_json::to_value(settings).expect("settings serialize")),
            &commitment,
            (0..partitioning.count()).map(|p| {
                let range = partitioning.range(p);
                (p as u32, range.start as u64, range.end as u64, None)
            }),
        ))?;
        for index in 0..partitioning.count() as u32 {
            progress.report(Event::PartitionDone { index });
        }
        Ok(MatrixCommitted {
            store,
            commitment,
            srs_seconds,
            setup_seconds: started.elapsed().as_secs_f64(),
        })
    }

    fn plan_setup(&self, _plan: &mut SetupPlan, _srs: Option<&SrsChoice>) -> Result<()> {
        Err(Error::Usage(ONE_PROCESS.into()))
    }

    fn setup_partition(
        &self,
        _plan: &SetupPlan,
        _layout: &PartitionLayout,
        _index: u32,
        _range: Range<usize>,
        _block: &[i64],
    ) -> Result<PartitionSetup> {
        Err(Error::Usage(ONE_PROCESS.into()))
    }

    fn finish_setup(
        &self,
        _plan: &SetupPlan,
        _layout: &PartitionLayout,
        _parts: &[PartitionSetup],
    ) -> Result<SetupFinished> {
        Err(Error::Usage(ONE_PROCESS.into()))
    }

    fn check_manifest(&self, manifest: &Manifest, location: &Path) -> Result<()> {
        let path = location.join("manifest.json");
        let settings: Option<Settings> = manifest.settings()?;
        if manifest.settings.len() != 1 || settings.is_none() {
            return Err(Error::Format(format!(
                "{}: a cqlin store records its SRS, and nothing else, under \"cqlin\"",
                path.display()
            )));
        }
        // The only SRS a cqlin store is made under; its outputs are then marked UNSAFE.
        if settings.is_some_and(|s| s.srs != SrsSource::Development) {
            return Err(Error::Format(format!(
                "{}: a cqlin store under an SRS other than the development one, which this \
                 build does not make",
                path.display()
            )));
        }
        if manifest.partitions.iter().any(|p| !p.key_digest.is_empty()) {
            return Err(Error::Format(format!(
                "{}: a cqlin store whose partitions list key digests",
                path.display()
            )));
        }
        Shape::new(manifest.rows as usize, manifest.cols as usize)
            .map_err(|e| Error::Format(format!("{}: {e}", path.display())))?;
        Ok(())
    }

    fn prover(&self, store: KeyStore, _device: Device) -> Result<Box<dyn Prover>> {
        Ok(Box::new(CqlinProver::new(store)?))
    }

    fn verify(
        &self,
        bundle: &zkmr_proto::Bundle,
        trusted_commitment: &[u8; 32],
    ) -> Result<Verified> {
        crate::bundle::verify(bundle, trusted_commitment)
    }

    fn detach_matrix_key(&self, bundle: &mut zkmr_proto::Bundle) -> Option<Vec<u8>> {
        Some(std::mem::take(&mut bundle.cqlin.as_mut()?.public_data))
    }

    fn attach_matrix_key(
        &self,
        bundle: &mut zkmr_proto::Bundle,
        key: Option<&[u8]>,
    ) -> Result<bool> {
        match (bundle.cqlin.as_mut(), key) {
            (None, _) if bundle.pedersen.is_none() => Ok(false),
            (Some(c), Some(key)) if c.public_data.is_empty() => {
                c.public_data = key.to_vec();
                Ok(true)
            }
            _ => Err(Error::rejected_bundle(
                "its matrix key is not the chain proof's one copy",
            )),
        }
    }

    /// The public data name the column count; a shape the scheme takes bounds it.
    fn columns_backed(&self, key: Option<&[u8]>) -> Result<u64> {
        let key = key.ok_or_else(|| {
            Error::rejected_bundle("its matrix key is not the chain proof's one copy")
        })?;
        let public =
            Commitment::from_bytes(key).map_err(|e| Error::rejected_bundle(e.to_string()))?;
        Ok(public.header.shape()?.cols as u64)
    }
}
