//! Reading and encoding the user's matrix and vector, and the SRS flags.

use std::path::{Path, PathBuf};

use zkmr_core::fixed_point::{FixedPoint, Number};
use zkmr_core::matrix::{encode_vector, IntMatrix};
use zkmr_core::setup::SrsChoice;
use zkmr_core::{srs, Error, Result};

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
    pub fn choice(&self) -> SrsChoice {
        match &self.srs {
            Some(path) => SrsChoice::File(path.clone()),
            None => SrsChoice::Development {
                cache_dir: srs::default_cache_dir(),
            },
        }
    }
}

/// A matrix as read and as encoded.
pub struct Matrix {
    pub numbers: Vec<Vec<Number>>,
    pub encoded: IntMatrix,
    pub encoding: FixedPoint,
}

fn with_file(path: &Path, err: Error) -> Error {
    match err {
        Error::Input(msg) if !msg.starts_with(&path.display().to_string()) => {
            Error::Input(format!("{}: {msg}", path.display()))
        }
        other => other,
    }
}

pub fn matrix(path: &Path, scale: Option<u32>, value_bits: Option<u32>) -> Result<Matrix> {
    let numbers = zkmr_io::read_matrix(path)?;
    let encoding = FixedPoint::for_values(numbers.iter().flatten().copied(), scale, value_bits)?;
    let encoded = IntMatrix::encode(&numbers, encoding).map_err(|e| with_file(path, e))?;
    Ok(Matrix {
        numbers,
        encoded,
        encoding,
    })
}

/// A vector as read and as encoded.
pub struct Vector {
    pub numbers: Vec<Number>,
    pub encoded: Vec<i64>,
    pub encoding: FixedPoint,
}

pub fn vector(path: &Path, scale: Option<u32>, value_bits: Option<u32>) -> Result<Vector> {
    let numbers = zkmr_io::read_vector(path)?;
    let encoding = FixedPoint::for_values(numbers.iter().copied(), scale, value_bits)?;
    let encoded = encode_vector(&numbers, encoding).map_err(|e| with_file(path, e))?;
    Ok(Vector {
        numbers,
        encoded,
        encoding,
    })
}

/// `A x` in f64, the reference for the quantization error.
pub fn reference_product(a: &[Vec<Number>], x: &[Number]) -> Vec<f64> {
    a.iter()
        .map(|row| {
            row.iter()
                .zip(x)
                .map(|(a, x)| a.as_f64() * x.as_f64())
                .sum()
        })
        .collect()
}
