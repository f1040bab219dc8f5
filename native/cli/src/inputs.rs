//! Reading and encoding the user's matrix and vectors, and the scheme and SRS flags.

use std::path::{Path, PathBuf};

use zkmr_core::fixed_point::Number;
use zkmr_core::setup::{srs_choice, SrsChoice};
use zkmr_core::Vectors;
use zkmr_core::{Result, Scheme};

/// The scheme a new key store is committed under, and the SRS the halo2 scheme needs.
#[derive(clap::Args, Clone, Debug)]
pub struct SchemeArgs {
    /// Proof scheme: pedersen (default: fast, no trusted setup), halo2 (a proof per partition,
    /// aggregatable into one EVM-verifiable proof; needs --srs or --dev-srs) or cqlin (one
    /// proof of 384 bytes for the whole job, checked natively or on the EVM; needs --dev-srs).
    #[arg(long, default_value = "pedersen", value_parser = str::parse::<Scheme>)]
    pub scheme: Scheme,
    /// halo2: KZG parameters file (halo2 ParamsKZG, BN254; compressed or raw points).
    /// The cqlin scheme reads no SRS file yet.
    #[arg(long, value_name = "FILE", conflicts_with = "dev_srs")]
    pub srs: Option<PathBuf>,
    /// halo2, cqlin: the insecure, deterministic development SRS (every verdict says UNSAFE).
    #[arg(long)]
    pub dev_srs: bool,
}

impl SchemeArgs {
    /// Refuses `--srs`/`--dev-srs` for a scheme set up without an SRS, and their absence for
    /// one that needs it, naming the flags.
    pub fn check(&self) -> Result<()> {
        let needs = zkmr_core::registry::scheme(self.scheme)?.capabilities().srs;
        let given = self.srs.is_some() || self.dev_srs;
        if given && !needs {
            return Err(zkmr_core::Error::Usage(format!(
                "the {} scheme takes no SRS (it has no trusted setup); --srs and --dev-srs are for \
                 --scheme halo2 and --scheme cqlin",
                self.scheme
            )));
        }
        if needs && !given {
            return Err(zkmr_core::Error::Usage(format!(
                "the {} scheme needs an SRS: --srs FILE, or --dev-srs for the insecure development \
                 SRS",
                self.scheme
            )));
        }
        Ok(())
    }

    /// The SRS asked for, if any.
    pub fn srs(&self) -> Option<SrsChoice> {
        srs_choice(self.srs.clone(), self.dev_srs).expect("clap refuses --srs with --dev-srs")
    }
}

/// `--srs FILE` or `--dev-srs`, one of them required.
#[derive(clap::Args, Clone, Debug)]
#[group(required = true, multiple = false)]
pub struct SrsArgs {
    /// KZG parameters file (halo2 ParamsKZG, BN254; compressed or raw points).
    #[arg(long, value_name = "FILE")]
    pub srs: Option<PathBuf>,
    /// Use the insecure, deterministic development SRS (cached in $ZKMR_CACHE_DIR).
    #[arg(long)]
    pub dev_srs: bool,
}

impl SrsArgs {
    /// The SRS to read; only aggregation takes it from these flags.
    #[cfg(feature = "halo2")]
    pub fn choice(&self) -> SrsChoice {
        srs_choice(self.srs.clone(), self.dev_srs)
            .ok()
            .flatten()
            .expect("clap requires one of --srs and --dev-srs")
    }
}

pub use zkmr_io::with_file;

/// Vectors as read and as encoded (one, or a batch).
pub struct Vector {
    pub numbers: Vec<Vec<Number>>,
    pub x: Vectors,
}

impl Vector {
    /// Whether every value encoded without rounding.
    pub fn is_exact(&self) -> bool {
        self.numbers
            .iter()
            .flatten()
            .all(|v| self.x.encoding.is_exact(*v))
    }
}

/// One vector: a JSON array or `{"vector": [...]}`, or a one-column Parquet or Arrow table.
pub fn vector(path: &Path, scale: Option<u32>, value_bits: Option<u32>) -> Result<Vector> {
    let numbers = zkmr_io::read_vector(path)?;
    encode_vectors(path, vec![numbers], scale, value_bits)
}

/// A batch: a JSON array of vectors, or Parquet or Arrow with one vector per row (`row`,
/// `values`, as a matrix is laid out).
pub fn vectors(path: &Path, scale: Option<u32>, value_bits: Option<u32>) -> Result<Vector> {
    let numbers = zkmr_io::read_vectors(path)?;
    encode_vectors(path, numbers, scale, value_bits)
}

fn encode_vectors(
    path: &Path,
    numbers: Vec<Vec<Number>>,
    scale: Option<u32>,
    value_bits: Option<u32>,
) -> Result<Vector> {
    let x = Vectors::encode(&numbers, scale, value_bits).map_err(|e| with_file(path, e))?;
    Ok(Vector { numbers, x })
}

/// `A x` in f64 for each vector, one after another: the reference for the quantization error.
pub fn reference_product(a: &[Vec<Number>], xs: &[Vec<Number>]) -> Vec<f64> {
    xs.iter()
        .flat_map(|x| {
            a.iter().map(move |row| {
                row.iter()
                    .zip(x)
                    .map(|(a, x)| a.as_f64() * x.as_f64())
                    .sum()
            })
        })
        .collect()
}

/// The key store a command proves from (`prove`, `open`), and the commitment its holder
/// published for it.
#[derive(clap::Args)]
pub struct StoreArgs {
    /// Key store made by `zkmr commit` (for `open`: the one the bundle was proved from, whose
    /// secret makes the opening's proof).
    #[arg(long, value_name = "DIR")]
    pub keys: PathBuf,
    /// The matrix commitment you published for this store (64 hex digits): a store whose
    /// manifest names another (replaced, or rewritten and resealed) is refused.
    #[arg(long, value_name = "HEX")]
    pub commitment: Option<String>,
}

impl StoreArgs {
    /// Opens the store, proving on `device`, and refuses it if it does not commit to
    /// `--commitment`.
    pub fn open(&self, device: zkmr_core::device::Device) -> Result<zkmr_core::job::JobRunner> {
        let store = zkmr_core::job::JobRunner::open_on(&self.keys, device)?;
        if let Some(hex) = &self.commitment {
            store.expect_commitment(
                &zkmr_core::store::digest_from_hex(hex, "--commitment")
                    .map_err(|e| zkmr_core::Error::Usage(e.to_string()))?,
            )?;
        }
        Ok(store)
    }
}
