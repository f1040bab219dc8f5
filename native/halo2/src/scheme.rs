//! The halo2 scheme behind [`ProofScheme`]: commit, the distributed setup's three phases, the
//! store's checks, the prover and the verifier. It has no openings (each partition carries its
//! own proof) and its bundles carry no matrix key.

use std::ops::Range;
use std::path::Path;

use zkmr_math::device::Device;
use zkmr_math::error::{Error, Result};
use zkmr_math::field::{from_bytes, to_bytes};
use zkmr_math::fixed_point::FixedPoint;
use zkmr_math::matrix::PartitionLayout;
use zkmr_math::progress::Progress;
use zkmr_proto::{PartitionSetup, SetupPlan, StoreFile};
use zkmr_scheme::store::{KeyStore, Manifest};
use zkmr_scheme::{
    Capabilities, CommitOptions, MatrixCommitted, MatrixInput, ProofScheme, Prover, Scheme,
    SetupFinished, SrsChoice, SrsSource, Verified,
};

use crate::keys::KeyMaker;
use crate::prover::Halo2Prover;
use crate::shape::{CircuitShape, MAX_K};
use crate::srs::{self, VerifierSrs};
use crate::statement::{matrix_commitment, MatrixHeader, PartitionId};
use crate::store::{partition_file, Settings, SRS_FILE};

/// The halo2 scheme.
#[derive(Clone, Copy, Debug, Default)]
pub struct Halo2;

impl ProofScheme for Halo2 {
    fn id(&self) -> Scheme {
        Scheme::Halo2
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            srs: true,
            batches: false,
            streamed_commit: false,
            warm_prover: false,
            row_products: false,
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
        let matrix = match matrix {
            MatrixInput::Dense(m) => m,
            MatrixInput::Sparse(_) => {
                return Err(Error::Usage(
                    "a matrix in coordinate form is committed under the pedersen scheme only: \
                     the halo2 scheme's circuit holds every entry"
                        .into(),
                ))
            }
            MatrixInput::Stream { .. } => {
                return Err(Error::Usage(
                    "a matrix committed as it is read is committed under the pedersen scheme \
                     only"
                        .into(),
                ))
            }
        };
        let srs = options.srs.as_ref().ok_or_else(|| {
            Error::Usage(
                "the halo2 scheme needs an SRS: a file, or the insecure development SRS".into(),
            )
        })?;
        let halo2 = crate::setup::CommitOptions {
            rows_per_partition: options.rows_per_partition,
            fold: options.fold,
            replace: options.replace,
        };
        let done = crate::setup::commit(matrix, encoding, halo2, srs, dest, progress)?;
        Ok(MatrixCommitted {
            store: done.store,
            commitment: to_bytes(&done.commitment),
            srs_seconds: done.srs_seconds,
            setup_seconds: done.keygen_seconds,
        })
    }

    fn plan_setup(&self, plan: &mut SetupPlan, srs: Option<&SrsChoice>) -> Result<()> {
        let choice = srs.ok_or_else(|| {
            Error::Usage(
                "the halo2 scheme needs an SRS: a file, or the insecure development SRS".into(),
            )
        })?;
        let shape = CircuitShape::choose(plan.rows_per_partition as usize, plan.cols as usize)?;
        let (params, source) = srs::params_for(choice, shape.k())?;
        plan.fold = shape.fold as u32;
        plan.k = shape.k();
        plan.srs = srs::to_bytes(&params);
        plan.srs_source = serde_json::to_string(&source).expect("an SRS source serialises");
        Ok(())
    }

    fn setup_partition(
        &self,
        plan: &SetupPlan,
        layout: &PartitionLayout,
        index: u32,
        range: Range<usize>,
        block: &[i64],
    ) -> Result<PartitionSetup> {
        let params = srs::from_bytes(&plan.srs, "setup plan SRS")?;
        let shape = CircuitShape::new(
            layout.rows_per_partition as usize,
            layout.cols,
            plan.fold as usize,
        )?;
        let keys = KeyMaker::new(&params, shape)?;
        let (id, key) = crate::setup::partition_key(&keys, index, range, block);
        Ok(PartitionSetup {
            file: partition_file(index),
            contents: prost::Message::encode_to_vec(&key),
            key_digest: to_bytes(&id.key_digest).to_vec(),
            ..PartitionSetup::default()
        })
    }

    fn finish_setup(
        &self,
        plan: &SetupPlan,
        layout: &PartitionLayout,
        parts: &[PartitionSetup],
    ) -> Result<SetupFinished> {
        let params = srs::from_bytes(&plan.srs, "setup plan SRS")?;
        let header = MatrixHeader {
            rows: layout.rows,
            cols: layout.cols as u64,
            encoding: layout.encoding,
            rows_per_partition: layout.rows_per_partition as u32,
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
                    key_digest: from_bytes(&p.key_digest, "partition key digest")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let commitment = matrix_commitment(&header, &ids);
        let source: SrsSource = serde_json::from_str(&plan.srs_source)
            .map_err(|e| Error::Format(format!("setup plan SRS source: {e}")))?;
        let settings = Settings {
            fold: plan.fold,
            k: plan.k,
            srs: source,
            srs_digest: zkmr_math::field::to_hex(&header.srs_digest),
        };
        Ok(SetupFinished {
            commitment: to_bytes(&commitment),
            settings: Some(settings.to_value()),
            key_digests: ids
                .iter()
                .map(|id| Some(to_bytes(&id.key_digest)))
                .collect(),
            files: vec![StoreFile {
                name: SRS_FILE.into(),
                contents: plan.srs.clone(),
            }],
        })
    }

    fn check_manifest(&self, manifest: &Manifest, location: &Path) -> Result<()> {
        let path = location.join("manifest.json");
        if manifest.settings.len() != 1 {
            return Err(Error::Format(format!(
                "{}: a halo2 store records its settings, and nothing else, under \"halo2\"",
                path.display()
            )));
        }
        if manifest.partitions.iter().any(|p| p.key_digest.is_empty()) {
            return Err(Error::Format(format!(
                "{}: a halo2 store lists a key digest for every partition",
                path.display()
            )));
        }
        crate::store::shape(manifest)?;
        Ok(())
    }

    fn prover(&self, store: KeyStore, device: Device) -> Result<Box<dyn Prover>> {
        let params = crate::store::params(&store)?;
        Ok(Box::new(Halo2Prover::new(store, params, device)?))
    }

    fn matrix_meta(&self, manifest: &Manifest) -> Result<zkmr_proto::MatrixMeta> {
        Ok(crate::meta::meta_to_proto(&crate::store::header(manifest)?))
    }

    fn verify(
        &self,
        bundle: &zkmr_proto::Bundle,
        trusted_commitment: &[u8; 32],
    ) -> Result<Verified> {
        crate::verify::verdict(bundle, trusted_commitment)
    }

    fn attach_matrix_key(
        &self,
        bundle: &mut zkmr_proto::Bundle,
        _key: Option<&[u8]>,
    ) -> Result<bool> {
        // A halo2 bundle carries no matrix key; one that holds another scheme's is refused.
        if bundle.pedersen.is_some() || bundle.cqlin.is_some() {
            return Err(Error::rejected_bundle(
                "its matrix key is not the chain proof's one copy",
            ));
        }
        Ok(false)
    }

    /// A partition's circuit holds every column in at most `2^MAX_K` rows.
    fn columns_backed(&self, _key: Option<&[u8]>) -> Result<u64> {
        Ok(1 << MAX_K)
    }
}
