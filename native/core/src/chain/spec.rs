//! A chain's specification: the committed matrices in order and the public step functions
//! between them. Prover and verifier read the same spec; the verifier trusts only its own copy.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::fixed_point::{FixedPoint, MAX_SCALE_BITS};
use crate::store::digest_from_hex;

/// The chain: how its first input is made, and its stages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainSpec {
    pub input: Input,
    pub stages: Vec<Stage>,
}

/// The first input's encoding, shared by every vector the chain feeds a matrix, and where the
/// first input comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Input {
    pub scale_bits: u32,
    pub value_bits: u32,
    /// The first input is the uniform distribution, every entry `round(2^scale / n)` for the
    /// first matrix's `n` columns (PageRank's start), which the verifier makes itself; when
    /// false it is the prover's input, published in the proof.
    #[serde(default)]
    pub uniform: bool,
}

/// One committed matrix, the step function applied to its product, and how often.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stage {
    /// A label for messages ("layer 1", "pagerank").
    pub name: String,
    /// The matrix commitment, hex.
    pub commitment: String,
    /// Applied in order to the product's output; the result feeds the next product.
    #[serde(default)]
    pub then: Vec<Op>,
    /// Repeat the stage (the same matrix on its own output) until the step changes the vector
    /// by at most `tolerance` in L1, or `max` times.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<Repeat>,
}

#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    pub tolerance: f64,
    pub max: u32,
}

/// A public, deterministic function of integer vectors. Each op applies to every vector of a
/// batch alone and keeps track of the fixed-point scale.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Op {
    /// Rounds to a smaller scale: `round(v / 2^(s − scale_bits))`, halves away from zero.
    Rescale { scale_bits: u32 },
    /// `max(v, 0)`.
    Relu,
    /// Appends `value` at the current scale (a bias column's constant input).
    Append { value: i64 },
    /// PageRank's step on `M·r` with the dangling mass in the last row: entry `i < N` becomes
    /// `d·y_i + (d·y_N + (1 − d)·1) / N`, `N` the rows but the last, `d` the damping.
    Pagerank { damping: f64 },
}

/// Damping factors are applied as `d_num / 2^DAMPING_BITS`, the same in prover and verifier.
const DAMPING_BITS: u32 = 30;

impl ChainSpec {
    /// Parses and checks a spec (JSON).
    pub fn from_json(text: &str, what: &str) -> Result<Self> {
        let spec: ChainSpec = serde_json::from_str(text)
            .map_err(|e| Error::Input(format!("{what}: not a chain spec: {e}")))?;
        spec.check()
            .map_err(|e| Error::Input(format!("{what}: {e}")))?;
        Ok(spec)
    }

    /// The one byte form a proof carries and a verifier compares.
    pub fn canonical(&self) -> String {
        serde_json::to_string(self).expect("a spec serializes")
    }

    /// The encoding of every vector the chain feeds a matrix.
    pub fn encoding(&self) -> FixedPoint {
        FixedPoint {
            scale_bits: self.input.scale_bits,
            value_bits: self.input.value_bits,
        }
    }

    fn check(&self) -> std::result::Result<(), String> {
        FixedPoint::new(self.input.scale_bits, self.input.value_bits).map_err(|e| e.to_string())?;
        if self.stages.is_empty() {
            return Err("a chain needs at least one stage".into());
        }
        for (s, stage) in self.stages.iter().enumerate() {
            let at = format!("stage {s} ({})", stage.name);
            digest_from_hex(&stage.commitment, "commitment").map_err(|e| format!("{at}: {e}"))?;
            for op in &stage.then {
                match op {
                    Op::Rescale { scale_bits } if *scale_bits > MAX_SCALE_BITS => {
                        return Err(format!("{at}: rescale to {scale_bits} bits"))
                    }
                    Op::Pagerank { damping } if !(0.0..1.0).contains(damping) => {
                        return Err(format!("{at}: damping {damping} is not in [0, 1)"))
                    }
                    _ => {}
                }
            }
            if let Some(r) = stage.repeat {
                if !(r.tolerance.is_finite() && r.tolerance >= 0.0) || r.max == 0 {
                    return Err(format!(
                        "{at}: repeat needs a tolerance of at least 0 and a max of at least 1"
                    ));
                }
            }
        }
        Ok(())
    }

    /// The matrix commitment of stage `s`.
    pub fn commitment(&self, s: usize) -> [u8; 32] {
        digest_from_hex(&self.stages[s].commitment, "commitment").expect("checked on parse")
    }
}

/// The first input when the spec makes it: `count` uniform vectors of `n` entries.
pub fn uniform(n: usize, count: usize, scale_bits: u32) -> Vec<i64> {
    let one = 1i128 << scale_bits;
    let entry = round_div(one, n as i128) as i64;
    vec![entry; n * count]
}

/// Applies `ops` to the product `y` (`vectors` blocks of `rows`, at `scale` bits), giving the
/// next input and its scale. Values that leave `i64` are an error naming the op.
pub fn apply(
    ops: &[Op],
    y: &[i128],
    rows: usize,
    vectors: usize,
    scale: u32,
) -> Result<(Vec<i128>, usize, u32)> {
    let (mut v, mut len, mut scale) = (y.to_vec(), rows, scale);
    for op in ops {
        match *op {
            Op::Rescale { scale_bits } => {
                if scale_bits > scale {
                    return Err(Error::Input(format!(
                        "rescale to {scale_bits} bits from a product at {scale} bits"
                    )));
                }
                let shift = scale - scale_bits;
                v.iter_mut().for_each(|e| *e = round_shift(*e, shift));
                scale = scale_bits;
            }
            Op::Relu => v.iter_mut().for_each(|e| *e = (*e).max(0)),
            Op::Append { value } => {
                let constant = (value as i128)
                    .checked_mul(1i128 << scale)
                    .ok_or_else(|| Error::Input(format!("append {value} at {scale} bits")))?;
                v = v
                    .chunks(len)
                    .flat_map(|block| block.iter().copied().chain(std::iter::once(constant)))
                    .collect();
                len += 1;
            }
            Op::Pagerank { damping } => {
                if len < 2 {
                    return Err(Error::Input(
                        "pagerank needs the ranks and a last row of dangling mass".into(),
                    ));
                }
                let n = (len - 1) as i128;
                let d = (damping * (1u64 << DAMPING_BITS) as f64).round() as i128;
                let one = 1i128 << DAMPING_BITS;
                let unit = 1i128 << scale;
                let overflow = || Error::Input(format!("pagerank on a product at {scale} bits"));
                let mut next = Vec::with_capacity((len - 1) * vectors);
                for block in v.chunks(len) {
                    let (ranks, dangling) = block.split_at(len - 1);
                    let spread = d
                        .checked_mul(dangling[0])
                        .and_then(|m| m.checked_add((one - d).checked_mul(unit)?))
                        .ok_or_else(overflow)?;
                    for y in ranks {
                        let scaled = (d * n)
                            .checked_mul(*y)
                            .and_then(|m| m.checked_add(spread))
                            .ok_or_else(overflow)?;
                        next.push(round_div(scaled, one * n));
                    }
                }
                v = next;
                len -= 1;
            }
        }
    }
    debug_assert_eq!(v.len(), len * vectors);
    Ok((v, len, scale))
}

/// `round(a / b)` for `b > 0`, halves away from zero.
fn round_div(a: i128, b: i128) -> i128 {
    let q = (2 * a.abs() + b) / (2 * b);
    if a < 0 {
        -q
    } else {
        q
    }
}

/// `round(v / 2^shift)`, halves away from zero.
fn round_shift(v: i128, shift: u32) -> i128 {
    if shift == 0 {
        return v;
    }
    let half = 1i128 << (shift - 1);
    let q = (v.abs() + half) >> shift;
    if v < 0 {
        -q
    } else {
        q
    }
}

/// The tolerance in encoded units: `floor(tolerance · 2^scale)`.
pub fn tolerance_units(tolerance: f64, scale: u32) -> u128 {
    (tolerance * (scale as f64).exp2()).floor() as u128
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_symmetric_and_to_nearest() {
        assert_eq!(round_shift(5, 1), 3);
        assert_eq!(round_shift(-5, 1), -3);
        assert_eq!(round_shift(4, 2), 1);
        assert_eq!(round_shift(-6, 2), -2);
        assert_eq!(round_div(7, 2), 4);
        assert_eq!(round_div(-7, 2), -4);
        assert_eq!(round_div(1, 3), 0);
    }

    #[test]
    fn ops_follow_the_scale() {
        let y = [3i128 << 8, -(5 << 8), 1 << 7];
        let (v, len, scale) = apply(
            &[
                Op::Rescale { scale_bits: 2 },
                Op::Relu,
                Op::Append { value: 1 },
            ],
            &y,
            3,
            1,
            10,
        )
        .unwrap();
        assert_eq!((v, len, scale), (vec![3, 0, 1, 4], 4, 2));
    }

    #[test]
    fn pagerank_step_keeps_the_mass() {
        // Two nodes, 0 -> 1, node 1 dangling; r = (1/2, 1/2) at 20 bits.
        let unit = 1i128 << 20;
        let r = unit / 2;
        // M r: row 0 gets nothing, row 1 gets r_0, the dangling row r_1.
        let y = [0, r, r];
        let (v, len, _) = apply(&[Op::Pagerank { damping: 0.85 }], &y, 3, 1, 20).unwrap();
        assert_eq!(len, 2);
        let total: i128 = v.iter().sum();
        assert!((total - unit).abs() <= 1, "{total} vs {unit}");
        let expect0 = (0.85 * 0.5 + 0.15) / 2.0;
        assert!((v[0] as f64 / unit as f64 - expect0).abs() < 1e-6);
    }
}
