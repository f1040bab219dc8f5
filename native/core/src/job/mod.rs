//! A job: partitions proved where their rows are, combined by a reducer into a verified
//! bundle, under whichever scheme the key store records.
//!
//! Every engine goes through [`JobRunner`] (the CLI in one process; the SQL aggregates, Spark
//! and Hadoop across tasks through JNI), so a partition proved anywhere is the same
//! [`zkmr_proto::PartitionResult`] and a job committed anywhere is the same bundle and root.
//! Nothing here depends on the scheme: its [`Prover`] does the scheme's part.

mod products;
mod reduce;
mod task;

pub use reduce::{order_partitions, Reduced};
pub use task::PartitionSummary;

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use rayon::prelude::*;

use crate::device::{Device, DeviceChoice};
use crate::error::{Error, Result};
use crate::fixed_point::{check_output_range, decode_all, product_scale, y_error_bound};
use crate::matrix::gather_outputs;
use crate::product::Multiplicand;
use crate::progress::{Event, Progress};
use crate::store::KeyStore;
use crate::store::StoreFiles;
use crate::{ProofScheme, Prover, Scheme, Vectors};

/// A key store opened for proving, with its scheme's prover.
#[derive(Debug)]
pub struct JobRunner {
    pub store: KeyStore,
    scheme: &'static dyn ProofScheme,
    prover: Box<dyn Prover>,
}

impl JobRunner {
    /// Opens the store at `dir`. Under halo2 the SRS is read once here, and the device comes
    /// from `ZKMR_DEVICE` (engines have no command line).
    pub fn open(dir: &Path) -> Result<Self> {
        Self::open_on(dir, Device::select(DeviceChoice::from_env()))
    }

    /// Opens the store at `dir`, proving on `device` where the scheme uses one.
    pub fn open_on(dir: &Path, device: Device) -> Result<Self> {
        Self::with_store(KeyStore::open(dir)?, device)
    }

    /// Opens the store `files` reads (see [`crate::store::files`]), proving on `device`.
    pub fn open_from(files: Arc<dyn StoreFiles>, device: Device) -> Result<Self> {
        Self::with_store(KeyStore::open_from(files)?, device)
    }

    fn with_store(store: KeyStore, device: Device) -> Result<Self> {
        let scheme = crate::registry::scheme(store.manifest.scheme)?;
        scheme.check_manifest(&store.manifest, store.dir())?;
        let prover = scheme.prover(store.clone(), device)?;
        Ok(Self {
            store,
            scheme,
            prover,
        })
    }

    pub fn scheme(&self) -> Scheme {
        self.prover.scheme()
    }

    pub fn prover(&self) -> &dyn Prover {
        self.prover.as_ref()
    }

    /// The matrix the store holds, as the wire contract describes it.
    pub fn matrix_meta(&self) -> Result<zkmr_proto::MatrixMeta> {
        self.scheme.matrix_meta(&self.store.manifest)
    }

    /// The matrix commitment.
    pub fn commitment(&self) -> Result<[u8; 32]> {
        self.store.manifest.commitment()
    }

    /// Refuses the store unless its manifest names `trusted`, the commitment its holder
    /// published. A manifest's digests are unkeyed, so whoever can rewrite a store can reseal
    /// it for another matrix; pinning the commitment means everything proved from the store
    /// verifies against the published one (each proof is verified before it is returned).
    pub fn expect_commitment(&self, trusted: &[u8; 32]) -> Result<()> {
        let have = self.commitment()?;
        if &have != trusted {
            return Err(Error::Input(format!(
                "{}: the key store commits to {}, not the expected commitment {}; it was \
                 replaced or rewritten since that commitment was published",
                self.store.dir().display(),
                hex::encode(have),
                hex::encode(trusted)
            )));
        }
        Ok(())
    }

    /// Whether outputs made with this store are insecure (the development SRS).
    pub fn is_unsafe(&self) -> bool {
        self.prover.is_unsafe()
    }

    /// Checks vectors against the store's matrix and their declared encoding.
    pub fn check_vectors(&self, x: &Vectors) -> Result<()> {
        let cols = self.store.manifest.cols as usize;
        if x.count == 0 {
            return Err(Error::Input("no vectors".into()));
        }
        let most = crate::limits::MAX_VECTORS;
        if x.count as u64 > most {
            return Err(Error::Input(format!(
                "{} vectors are more than the {most} one bundle holds: prove them in batches of at \
                 most {most}",
                x.count
            )));
        }
        if x.values.len() != x.count * cols {
            let what = if x.count == 1 {
                format!("vector has {} entries", x.values.len())
            } else {
                format!("{} vectors hold {} entries in all", x.count, x.values.len())
            };
            return Err(Error::Input(format!(
                "{what} but the matrix has {cols} columns"
            )));
        }
        let bound = 1u64 << x.encoding.value_bits;
        if let Some(k) = x.values.iter().position(|v| v.unsigned_abs() >= bound) {
            let at = if x.count == 1 {
                format!("vector index {k}")
            } else {
                format!("vector {}, index {}", k / cols, k % cols)
            };
            return Err(Error::Input(format!(
                "{at}: {} does not fit the declared {} bits",
                x.values[k], x.encoding.value_bits
            )));
        }
        check_output_range(cols, self.store.manifest.encoding, x.encoding)
    }

    /// Proves every partition for `x` in this process, in parallel, assembles the bundle and
    /// verifies it against the store's commitment before returning anything: a store whose
    /// files were changed consistently enough to pass their digests still cannot hand out an
    /// unverified `y`.
    pub fn prove(&self, x: &Vectors, progress: &dyn Progress) -> Result<Proved> {
        let (bundle, verified, seconds) = self.prove_verified(x, progress)?;
        Ok(Proved {
            bundle,
            y: verified.y,
            job_root: verified.job_root,
            seconds,
        })
    }

    /// [`Self::prove`] with the verdict whole, as a reduce step returns it: what an engine task
    /// that proves a whole job (a chunk of a batch) reports.
    pub fn prove_reduced(&self, x: &Vectors, progress: &dyn Progress) -> Result<Reduced> {
        let (bundle, verified, _) = self.prove_verified(x, progress)?;
        Ok(self.reduced(x, bundle, verified, self.commitment()?))
    }

    fn prove_verified(
        &self,
        x: &Vectors,
        progress: &dyn Progress,
    ) -> Result<(zkmr_proto::Bundle, crate::verify::Verified, f64)> {
        self.check_vectors(x)?;
        let started = Instant::now();
        let count = self.store.manifest.partitions.len();
        progress.report(Event::Started { total: count });
        let partitions = self.prover.prove_partitions(count as u32, x, &|index| {
            progress.report(Event::PartitionDone { index })
        })?;
        let assembled = self.prover.assemble(x, partitions)?;
        let seconds = started.elapsed().as_secs_f64();
        let verified = assembled.checked.map_err(|e| match e {
            Error::Rejected { .. } => Error::Format(format!(
                "{}: the key store's own result does not verify, so it is damaged or \
                 inconsistent ({e}); commit the matrix again",
                self.store.dir().display()
            )),
            other => other,
        })?;
        Ok((assembled.bundle, verified, seconds))
    }

    /// `Y = A X` from the committed blocks, decoded, vector after vector, with no proof: the
    /// work a job proves, which benchmarks set beside proving it.
    pub fn plain_product(&self, x: &Vectors) -> Result<Vec<f64>> {
        self.check_vectors(x)?;
        let manifest = &self.store.manifest;
        let partitioning = manifest.partitioning()?;
        let cols = manifest.cols as usize;
        let xs = Multiplicand::new(&x.values, x.count);
        let blocks = (0..manifest.partitions.len())
            .into_par_iter()
            .map(|index| {
                let rows = partitioning.range(index);
                let block = self.prover.block(index as u32)?;
                Ok((rows.start, block.product(rows.len(), cols, &xs)))
            })
            .collect::<Result<Vec<_>>>()?;
        let y = gather_outputs(
            manifest.rows as usize,
            x.count,
            blocks.iter().map(|(start, y)| (*start, y.as_slice())),
        );
        Ok(decode_all(&y, product_scale(manifest.encoding, x.encoding)))
    }

    /// A bound on the rounding error of `y = A·x` against the unrounded inputs; `x_exact`
    /// says whether `x` encoded without rounding (see [`y_error_bound`]).
    pub fn y_error_bound(&self, x: &Vectors, x_exact: bool) -> f64 {
        let manifest = &self.store.manifest;
        y_error_bound(
            manifest.encoding,
            manifest.rounding,
            x.encoding,
            x_exact,
            &x.values,
            manifest.cols as usize,
        )
    }
}

/// A job proved in one process.
#[derive(Debug)]
pub struct Proved {
    pub bundle: zkmr_proto::Bundle,
    /// `Y = A X`, encoded at scale `s_A + s_x`: one block of all rows per vector.
    pub y: Vec<i128>,
    pub job_root: [u8; 32],
    pub seconds: f64,
}
