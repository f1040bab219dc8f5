//! What a verified bundle or aggregated proof established, as `verify` reports it.

use serde_json::Value;
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::verify::{x_digest, Verified};

/// What either kind of proof established.
pub(super) struct Outcome {
    pub job_root: [u8; 32],
    pub partitions: usize,
    /// The vectors the verdict is about, and their encoding.
    pub x: Vec<i64>,
    pub x_encoding: FixedPoint,
    pub y: Vec<i128>,
    pub vectors: usize,
    pub y_scale_bits: u32,
    pub aggregated: bool,
    /// Verified under the development SRS: anyone could have forged it.
    pub srs_unsafe: bool,
}

impl Outcome {
    pub fn x_digest(&self) -> [u8; 32] {
        x_digest(&self.x, self.vectors, self.x_encoding)
    }
}

/// `x` decoded, as a batch (one array per vector) or a single vector, as `y` is shown.
pub(super) fn x_value(x: &[i64], encoding: FixedPoint, vectors: usize) -> Value {
    let decoded: Vec<f64> = x.iter().map(|v| encoding.decode(*v as i128)).collect();
    let cols = decoded.len() / vectors.max(1);
    crate::commands::prove::y_value(&decoded, cols, vectors > 1)
}

impl Outcome {
    /// A verified bundle's outcome (`aggregated` for one aggregated proof).
    pub fn of(v: Verified, aggregated: bool) -> Self {
        Self {
            job_root: v.job_root,
            partitions: v.partitions,
            x: v.x,
            x_encoding: v.x_encoding,
            y: v.y,
            vectors: v.vectors,
            y_scale_bits: v.y_scale_bits,
            aggregated,
            srs_unsafe: v.srs_unsafe,
        }
    }
}
