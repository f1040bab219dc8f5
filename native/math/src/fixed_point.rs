//! Fixed-point encoding of real inputs as the signed integers the circuit multiplies.
//!
//! A value `v` with scale `s` becomes `round(v * 2^s)`; integers with scale `s` become
//! `v << s` exactly. Products carry scale `s_A + s_x`. Every encoded value must satisfy
//! `|e| < 2^value_bits`, and the dimensions must keep `|y|` below `2^126`: then `y` has one
//! representative in the field and in an `i128`, so the field equation the circuit proves
//! is the integer equation the user means.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Largest magnitude bound an input may declare; keeps encoded values inside `i64`.
pub const MAX_VALUE_BITS: u32 = 62;
/// Largest scale; a larger one would leave no room for the integer part.
pub const MAX_SCALE_BITS: u32 = 60;
/// Bound on `|y|` in bits: `y` must fit an `i128` and stay far below `p/2`.
pub const MAX_OUTPUT_BITS: u32 = 126;
/// Magnitude bound used when none is declared.
pub const DEFAULT_VALUE_BITS: u32 = 32;
/// Scale used for inputs that hold non-integers when none is declared.
pub const DEFAULT_FLOAT_SCALE_BITS: u32 = 16;

/// One input number as read: integers stay exact, everything else is a float.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    /// The value as a float, for reference computations.
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(v) => v as f64,
            Number::Float(v) => v,
        }
    }

    /// Whether the value is an integer (a float with no fractional part counts).
    pub fn is_integral(self) -> bool {
        match self {
            Number::Int(_) => true,
            Number::Float(v) => v.is_finite() && v.fract() == 0.0,
        }
    }
}

/// The declared encoding of one input (the matrix or the vector).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixedPoint {
    /// Values are multiplied by `2^scale_bits` before rounding.
    pub scale_bits: u32,
    /// Encoded magnitudes must be below `2^value_bits`.
    pub value_bits: u32,
}

impl FixedPoint {
    /// Checks the declaration itself.
    pub fn new(scale_bits: u32, value_bits: u32) -> Result<Self> {
        if scale_bits > MAX_SCALE_BITS {
            return Err(Error::Input(format!(
                "scale of {scale_bits} bits exceeds the maximum of {MAX_SCALE_BITS}"
            )));
        }
        if value_bits == 0 || value_bits > MAX_VALUE_BITS {
            return Err(Error::Input(format!(
                "value width of {value_bits} bits must be between 1 and {MAX_VALUE_BITS}"
            )));
        }
        Ok(Self {
            scale_bits,
            value_bits,
        })
    }

    /// The encoding for `values`: the requested scale, or 0 when every value is an integer
    /// and [`DEFAULT_FLOAT_SCALE_BITS`] otherwise.
    pub fn for_values(
        values: impl IntoIterator<Item = Number>,
        scale_bits: Option<u32>,
        value_bits: Option<u32>,
    ) -> Result<Self> {
        let integral = scale_bits.is_some() || values.into_iter().all(Number::is_integral);
        Self::for_integrality(integral, scale_bits, value_bits)
    }

    /// The encoding for values known to be all integers (`integral`) or not: the requested
    /// scale, or 0 for integers and [`DEFAULT_FLOAT_SCALE_BITS`] otherwise.
    pub fn for_integrality(
        integral: bool,
        scale_bits: Option<u32>,
        value_bits: Option<u32>,
    ) -> Result<Self> {
        let scale = match scale_bits {
            Some(s) => s,
            None if integral => 0,
            None => DEFAULT_FLOAT_SCALE_BITS,
        };
        Self::new(scale, value_bits.unwrap_or(DEFAULT_VALUE_BITS))
    }

    /// Encodes one value; `at` says where it came from for the error message.
    pub fn encode(&self, v: Number, at: impl FnOnce() -> String) -> Result<i64> {
        let encoded = match v {
            Number::Int(i) => (i as i128) << self.scale_bits,
            Number::Float(f) => {
                if f.is_nan() {
                    return Err(Error::Input(format!("{}: NaN cannot be encoded", at())));
                }
                if f.is_infinite() {
                    return Err(Error::Input(format!("{}: {f} cannot be encoded", at())));
                }
                let scaled = (f * (self.scale_bits as f64).exp2()).round();
                if scaled.abs() >= (MAX_VALUE_BITS as f64).exp2() {
                    return Err(self.overflow(&f.to_string(), at));
                }
                scaled as i128
            }
        };
        if encoded.unsigned_abs() >= 1u128 << self.value_bits {
            let shown = match v {
                Number::Int(i) => i.to_string(),
                Number::Float(f) => f.to_string(),
            };
            return Err(self.overflow(&shown, at));
        }
        Ok(encoded as i64)
    }

    fn overflow(&self, shown: &str, at: impl FnOnce() -> String) -> Error {
        Error::Input(format!(
            "{}: {shown} at scale 2^{} does not fit the declared {} bits",
            at(),
            self.scale_bits,
            self.value_bits
        ))
    }

    /// Decodes an encoded value of this scale.
    pub fn decode(&self, e: i128) -> f64 {
        e as f64 / (self.scale_bits as f64).exp2()
    }
}

/// Decodes values encoded at scale `2^scale_bits` (outputs, whose width is not declared).
pub fn decode_all(encoded: &[i128], scale_bits: u32) -> Vec<f64> {
    let scale = (scale_bits as f64).exp2();
    encoded.iter().map(|v| *v as f64 / scale).collect()
}

/// The encoding of `y = A x`: scales add.
pub fn product_scale(a: FixedPoint, x: FixedPoint) -> u32 {
    a.scale_bits + x.scale_bits
}

/// The bound every entry of `y = A·x` stays below for `cols` columns of values within their
/// declared bits: `2^(v_A + v_x + bitlen(cols))`, capped at `2^MAX_OUTPUT_BITS`.
pub fn output_bound(cols: usize, a: FixedPoint, x: FixedPoint) -> u128 {
    1u128 << (a.value_bits + x.value_bits + usize::BITS - cols.leading_zeros()).min(MAX_OUTPUT_BITS)
}

/// Rejects dimensions whose accumulated sums could leave the range the proof pins down.
pub fn check_output_range(cols: usize, a: FixedPoint, x: FixedPoint) -> Result<()> {
    let sum_bits = usize::BITS - cols.max(1).leading_zeros();
    let bits = a.value_bits + x.value_bits + sum_bits;
    if bits > MAX_OUTPUT_BITS {
        return Err(Error::Input(format!(
            "{cols} columns of {}-bit matrix values times {}-bit vector values can reach \
             2^{bits}, beyond the 2^{MAX_OUTPUT_BITS} the proof can represent; \
             lower --value-bits",
            a.value_bits, x.value_bits
        )));
    }
    Ok(())
}

/// What a key store keeps to bound the rounding error of its products: whether every matrix
/// entry was encoded without rounding, and the largest row sum of absolute values (decoded).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixRounding {
    pub exact: bool,
    pub max_row_l1: f64,
}

impl MatrixRounding {
    /// The largest decoded row sum of absolute values of a row-major `block`.
    pub fn max_row_l1(block: &[i64], cols: usize, encoding: FixedPoint) -> f64 {
        let max = block
            .chunks(cols.max(1))
            .map(|row| row.iter().map(|v| v.unsigned_abs() as u128).sum::<u128>())
            .max()
            .unwrap_or(0);
        max as f64 / (encoding.scale_bits as f64).exp2()
    }
}

impl FixedPoint {
    /// Whether `v` encodes without rounding.
    pub fn is_exact(&self, v: Number) -> bool {
        match v {
            Number::Int(_) => true,
            Number::Float(f) => (f * (self.scale_bits as f64).exp2()).fract() == 0.0,
        }
    }

    /// Half a unit of the scale: the most rounding moves a value.
    fn half_unit(&self) -> f64 {
        (-(self.scale_bits as f64) - 1.0).exp2()
    }
}

/// A bound on `|y_i − (A·x)_i|` for the unrounded inputs, over every row and vector: with
/// `A = Â + E`, `x = x̂ + e` and `|E|, |e|` at most half a unit where rounding happened,
/// `A·x − Â·x̂ = Â·e + E·x̂ + E·e`, so the error is at most
/// `ε_x·max_i‖Â_i‖₁ + ε_A·‖x̂‖₁ + n·ε_A·ε_x`. `x` holds `vectors` encoded vectors.
pub fn y_error_bound(
    a: FixedPoint,
    rounding: MatrixRounding,
    x: FixedPoint,
    x_exact: bool,
    x_values: &[i64],
    cols: usize,
) -> f64 {
    let eps_a = if rounding.exact { 0.0 } else { a.half_unit() };
    let eps_x = if x_exact { 0.0 } else { x.half_unit() };
    let x_l1 = x_values
        .chunks(cols.max(1))
        .map(|v| v.iter().map(|e| e.unsigned_abs() as f64).sum::<f64>())
        .fold(0.0f64, f64::max)
        / (x.scale_bits as f64).exp2();
    eps_x * rounding.max_row_l1 + eps_a * x_l1 + cols as f64 * eps_a * eps_x
}

/// Maximum and mean absolute difference between `y` decoded and an exact reference.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct QuantizationError {
    pub max_abs_error: f64,
    pub mean_abs_error: f64,
}

impl QuantizationError {
    pub fn measure(decoded: &[f64], reference: &[f64]) -> Self {
        assert_eq!(decoded.len(), reference.len(), "same length");
        if decoded.is_empty() {
            return Self::default();
        }
        let errors = decoded.iter().zip(reference).map(|(d, r)| (d - r).abs());
        let (max, sum) = errors.fold((0.0f64, 0.0), |(m, s), e| (m.max(e), s + e));
        Self {
            max_abs_error: max,
            mean_abs_error: sum / decoded.len() as f64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fp(s: u32, b: u32) -> FixedPoint {
        FixedPoint::new(s, b).unwrap()
    }

    #[test]
    fn integers_shift_exactly() {
        assert_eq!(fp(4, 32).encode(Number::Int(-3), String::new).unwrap(), -48);
        assert_eq!(
            fp(0, 32).encode(Number::Float(7.0), String::new).unwrap(),
            7
        );
    }

    #[test]
    fn floats_round_to_nearest() {
        let e = fp(8, 32);
        assert_eq!(e.encode(Number::Float(0.5), String::new).unwrap(), 128);
        assert_eq!(
            e.encode(Number::Float(-1.0 / 3.0), String::new).unwrap(),
            -85
        );
        assert!((e.decode(-85) + 1.0 / 3.0).abs() <= 0.5 / 256.0);
    }

    #[test]
    fn rejects_nan_infinity_and_overflow_with_location() {
        let e = fp(8, 16);
        let at = || "row 2, column 5".to_string();
        let nan = e
            .encode(Number::Float(f64::NAN), at)
            .unwrap_err()
            .to_string();
        assert!(
            nan.contains("row 2, column 5") && nan.contains("NaN"),
            "{nan}"
        );
        assert!(e.encode(Number::Float(f64::INFINITY), at).is_err());
        // 256 * 2^8 = 2^16 does not fit 16 bits; 255.99 does.
        let over = e.encode(Number::Int(256), at).unwrap_err().to_string();
        assert!(over.contains("16 bits"), "{over}");
        assert!(e.encode(Number::Float(255.99), at).is_ok());
        assert!(e.encode(Number::Float(1e300), at).is_err());
    }

    #[test]
    fn default_scale_depends_on_integrality() {
        let ints = [Number::Int(1), Number::Float(2.0)];
        assert_eq!(
            FixedPoint::for_values(ints, None, None).unwrap().scale_bits,
            0
        );
        let floats = [Number::Int(1), Number::Float(2.5)];
        assert_eq!(
            FixedPoint::for_values(floats, None, None)
                .unwrap()
                .scale_bits,
            DEFAULT_FLOAT_SCALE_BITS
        );
    }

    #[test]
    fn output_range_accounts_for_columns() {
        assert!(check_output_range(1 << 20, fp(0, 50), fp(0, 50)).is_ok());
        assert!(check_output_range(1 << 30, fp(0, 48), fp(0, 48)).is_err());
    }

    #[test]
    fn declarations_are_checked() {
        assert!(FixedPoint::new(61, 32).is_err());
        assert!(FixedPoint::new(0, 63).is_err());
        assert!(FixedPoint::new(0, 0).is_err());
    }
}
