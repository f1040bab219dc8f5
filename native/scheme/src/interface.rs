//! [`ProofScheme`]: everything a proof scheme does, from committing a matrix to checking a
//! proof, behind one trait, so the job layer and the engines never ask which scheme a store
//! uses. Each scheme is a crate implementing it (`zkmr-pedersen`, `zkmr-halo2`); `zkmr-core`'s
//! registry is the one place that lists them.

use std::ops::Range;
use std::path::Path;

use zkmr_math::device::Device;
use zkmr_math::error::{Error, Result};
use zkmr_math::fixed_point::FixedPoint;
use zkmr_math::matrix::{IntMatrix, PartitionLayout, DEFAULT_ROWS_PER_PARTITION};
use zkmr_math::progress::Progress;
use zkmr_math::sparse::{Block, SparseMatrix};
use zkmr_proto::{PartitionSetup, SetupPlan, StoreFile};

use crate::bundle::encoding_to_proto;
use crate::expected::{Expected, OpenedPartition, Verified};
use crate::id::Scheme;
use crate::prover::Prover;
use crate::srs::SrsChoice;
use crate::store::{KeyStore, Manifest};

/// How to commit a matrix.
#[derive(Clone, Debug)]
pub struct CommitOptions {
    pub scheme: Scheme,
    pub rows_per_partition: usize,
    /// The SRS, which a pairing-based scheme (halo2) needs and the Pedersen scheme refuses.
    pub srs: Option<SrsChoice>,
    /// halo2: matrix columns folded into one circuit row; chosen by size when `None`.
    pub fold: Option<usize>,
    /// Replace an existing key store.
    pub replace: bool,
}

impl Default for CommitOptions {
    fn default() -> Self {
        Self {
            scheme: Scheme::default(),
            rows_per_partition: DEFAULT_ROWS_PER_PARTITION,
            srs: None,
            fold: None,
            replace: false,
        }
    }
}

/// The matrix a commit reads: whole and dense, whole and sparse, or streamed as
/// `(partition, block)` pairs of `rows × cols` (a matrix read from a file need never be held
/// whole). A scheme refuses the forms it cannot commit.
pub enum MatrixInput<'a> {
    Dense(&'a IntMatrix),
    Sparse(&'a SparseMatrix),
    Stream {
        rows: u64,
        cols: u64,
        /// Every value was encoded without rounding.
        exact: bool,
        blocks: Box<dyn Iterator<Item = Result<(usize, Block)>> + Send + 'a>,
    },
}

/// What a commit made.
#[derive(Debug)]
pub struct MatrixCommitted {
    pub store: KeyStore,
    pub commitment: [u8; 32],
    /// Loading or generating the SRS (zero for a scheme without one).
    pub srs_seconds: f64,
    /// Committing the partitions.
    pub setup_seconds: f64,
}

/// A scheme's part of the store a distributed setup's driver writes last: the matrix
/// commitment, the scheme's settings for the manifest, each partition's key digest (in
/// partition order; `None` under a scheme with one key for the matrix) and the files that
/// depend on every partition.
#[derive(Debug)]
pub struct SetupFinished {
    pub commitment: [u8; 32],
    pub settings: Option<serde_json::Value>,
    pub key_digests: Vec<Option<[u8; 32]>>,
    pub files: Vec<StoreFile>,
}

/// What a scheme can do, for the engines that choose how to drive it.
#[derive(Clone, Copy, Debug)]
pub struct Capabilities {
    /// It is set up with an SRS ([`CommitOptions::srs`]).
    pub srs: bool,
    /// It proves a batch of vectors in one proof.
    pub batches: bool,
    /// It commits sparse matrices and matrices streamed partition by partition.
    pub streamed_commit: bool,
    /// An open prover keeps what it read, so a second proof costs less than the first.
    pub warm_prover: bool,
    /// A partition's proof is its block of `y` and nothing else: the job's proof is made at the
    /// reduce step from `y` alone. A task may then multiply any rows it holds and send only
    /// their products, so an engine never moves rows to meet their partition.
    pub row_products: bool,
}

/// One proof scheme's whole life: setup (in one process, or as a distributed job), the key
/// store it writes, proving, verifying, openings, and what a chain of products needs.
///
/// Implementations check what is theirs to check (their options, their settings in a store,
/// their parts of a bundle); the job layer checks the rest (shapes, partition order, `x`).
pub trait ProofScheme: Send + Sync + std::fmt::Debug {
    /// The scheme's name, as stores, bundles and the wire contract record it.
    fn id(&self) -> Scheme;

    /// What the scheme can do.
    fn capabilities(&self) -> Capabilities;

    /// Commits `matrix`, encoded with `encoding`, into a key store at `dest`; refuses options
    /// and matrix forms the scheme does not take.
    fn commit(
        &self,
        matrix: MatrixInput<'_>,
        encoding: FixedPoint,
        options: &CommitOptions,
        dest: &Path,
        progress: &dyn Progress,
    ) -> Result<MatrixCommitted>;

    /// Setup as a distributed job, at the driver: fills the scheme's fields of `plan` (whose
    /// shape is set), with the SRS where the scheme needs one.
    fn plan_setup(&self, plan: &mut SetupPlan, srs: Option<&SrsChoice>) -> Result<()>;

    /// Setup as a distributed job, in a task: commits partition `index` (rows `range`, the
    /// dense `block`) and returns its store file, key digest and what the driver combines
    /// (the fields of [`PartitionSetup`] that are the scheme's).
    fn setup_partition(
        &self,
        plan: &SetupPlan,
        layout: &PartitionLayout,
        index: u32,
        range: Range<usize>,
        block: &[i64],
    ) -> Result<PartitionSetup>;

    /// Setup as a distributed job, at the driver: once every partition is committed (`parts`,
    /// in partition order), the scheme's commitment, settings and shared files.
    fn finish_setup(
        &self,
        plan: &SetupPlan,
        layout: &PartitionLayout,
        parts: &[PartitionSetup],
    ) -> Result<SetupFinished>;

    /// Checks the scheme's part of a store's manifest (its settings, its key digests), which
    /// the store's own open checked for form only; `location` names the store in errors.
    fn check_manifest(&self, manifest: &Manifest, location: &Path) -> Result<()>;

    /// The prover over an open store, proving on `device` where the scheme uses one.
    fn prover(&self, store: KeyStore, device: Device) -> Result<Box<dyn Prover>>;

    /// The matrix a store holds as the wire contract describes it; a scheme with circuit
    /// settings adds them.
    fn matrix_meta(&self, manifest: &Manifest) -> Result<zkmr_proto::MatrixMeta> {
        Ok(zkmr_proto::MatrixMeta {
            rows: manifest.rows,
            cols: manifest.cols,
            encoding: Some(encoding_to_proto(manifest.encoding)),
            rows_per_partition: manifest.rows_per_partition,
            ..Default::default()
        })
    }

    /// Verifies a bundle of this scheme for the matrix behind `trusted_commitment`.
    fn verify(
        &self,
        bundle: &zkmr_proto::Bundle,
        trusted_commitment: &[u8; 32],
    ) -> Result<Verified>;

    /// Verifies a partition opening of this scheme; a scheme without openings rejects it.
    fn verify_opening(
        &self,
        opening: &zkmr_proto::PartitionOpening,
        _trusted_commitment: &[u8; 32],
        _expected: &Expected,
    ) -> Result<OpenedPartition> {
        Err(Error::rejected(
            opening.index,
            format!(
                "the {} scheme makes no partition openings: each partition of its bundles \
                 carries its own proof",
                self.id()
            ),
        ))
    }

    /// Chains keep one copy of each matrix's public key beside their steps: takes the key out
    /// of a step's bundle, `None` where the scheme's bundles carry none.
    fn detach_matrix_key(&self, _bundle: &mut zkmr_proto::Bundle) -> Option<Vec<u8>> {
        None
    }

    /// Puts the chain's copy of the matrix key (`key`, where the chain holds one for the
    /// bundle's commitment) back into a step's bundle. `Ok(true)` when it was used; an error
    /// when the bundle needs a key the chain does not hold, or carries one it should not.
    fn attach_matrix_key(
        &self,
        bundle: &mut zkmr_proto::Bundle,
        key: Option<&[u8]>,
    ) -> Result<bool>;

    /// The most columns a matrix of this scheme can have given the key a chain carries for it
    /// (`None` when it carries none): a bound read from bytes that exist, so a header's column
    /// count alone never sizes an allocation.
    fn columns_backed(&self, key: Option<&[u8]>) -> Result<u64>;
}
