//! The vectors a job proves a product for, encoded.

use zkmr_math::error::{Error, Result};
use zkmr_math::fixed_point::{FixedPoint, Number};
use zkmr_math::matrix::encode_vector;

/// One vector `x`, or a batch of them, encoded: `values` holds `count` vectors of the matrix's
/// column count, one after another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vectors {
    pub values: Vec<i64>,
    pub count: usize,
    pub encoding: FixedPoint,
}

impl Vectors {
    pub fn one(values: Vec<i64>, encoding: FixedPoint) -> Self {
        Self {
            values,
            count: 1,
            encoding,
        }
    }

    /// Encodes vectors as one batch at one encoding: `scale` and `value_bits`, or the defaults
    /// for their values. Every vector must have as many entries as the first; errors name the
    /// vector (in a batch of more than one) and the index.
    pub fn encode(
        numbers: &[Vec<Number>],
        scale: Option<u32>,
        value_bits: Option<u32>,
    ) -> Result<Self> {
        let encoding =
            FixedPoint::for_values(numbers.iter().flatten().copied(), scale, value_bits)?;
        let len = numbers.first().map_or(0, Vec::len);
        let mut values = Vec::with_capacity(numbers.len() * len);
        for (b, vector) in numbers.iter().enumerate() {
            if vector.len() != len {
                return Err(Error::Input(format!(
                    "vector {b} has {} entries but vector 0 has {len}",
                    vector.len()
                )));
            }
            let encoded = encode_vector(vector, encoding).map_err(|e| match e {
                Error::Input(msg) if numbers.len() > 1 => {
                    Error::Input(format!("vector {b}, {msg}"))
                }
                other => other,
            })?;
            values.extend(encoded);
        }
        Ok(Self {
            values,
            count: numbers.len(),
            encoding,
        })
    }

    /// Vector `b`, for `cols` columns.
    pub fn get(&self, b: usize, cols: usize) -> &[i64] {
        &self.values[b * cols..(b + 1) * cols]
    }
}
