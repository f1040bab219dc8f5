//! Signed integers in the BN254 scalar field.
//!
//! The circuit works modulo `p`; matrix entries, `x` and `y` are signed integers far smaller
//! than `p/2`, so each has exactly one field representative and decoding takes the one in
//! `(-p/2, p/2)`. The bounds that keep every honest value inside that window are enforced by
//! [`crate::fixed_point`] before anything reaches the field.

use halo2_proofs::halo2curves::{
    bn256::Fr,
    ff::{Field, FromUniformBytes, PrimeField},
};

use crate::error::{Error, Result};

/// The field every proof is over.
pub type F = Fr;

/// Encodes a signed 128-bit integer as its field representative.
pub fn from_i128(v: i128) -> F {
    // `from_raw` is one Montgomery multiplication; `PrimeField::from_u128` doubles 64 times.
    let m = v.unsigned_abs();
    let magnitude = F::from_raw([m as u64, (m >> 64) as u64, 0, 0]);
    if v < 0 {
        -magnitude
    } else {
        magnitude
    }
}

/// Encodes a signed 64-bit integer as its field representative.
pub fn from_i64(v: i64) -> F {
    let magnitude = F::from(v.unsigned_abs());
    if v < 0 {
        -magnitude
    } else {
        magnitude
    }
}

/// An exact sum of terms `v·c`, each a signed integer `v` of at most 128 bits times a field
/// element `c` taken as its canonical integer (below `2^254`), reduced into the field once, when
/// read: a fold over a batch then costs a few word multiplications per entry instead of a
/// Montgomery multiplication, with the same result as summing in the field. Positive and negative
/// terms are kept apart as unsigned integers of seven 64-bit limbs, which hold any sum of fewer
/// than `2^67` terms (each below `2^381`).
#[derive(Clone, Copy, Debug, Default)]
pub struct WideSum {
    positive: [u64; 7],
    negative: [u64; 7],
}

/// `Σ_b γ^b·V_b` for `vectors` blocks of `len` integers one after another (`values`): the
/// Freivalds fold of a batch. Each position sums its entries times the powers of `γ` as exact
/// integers ([`WideSum`]) and enters the field once, which gives what Horner's rule in the
/// field gives at a fraction of the cost. Positions go to threads in runs, each run walking the
/// blocks in memory order.
pub fn fold_powers<T: Copy + Into<i128> + Sync>(
    values: &[T],
    len: usize,
    vectors: usize,
    gamma: F,
) -> Vec<F> {
    use rayon::prelude::*;
    const RUN: usize = 256;
    let powers: Vec<[u64; 4]> = std::iter::successors(Some(F::ONE), |p| Some(*p * gamma))
        .take(vectors)
        .map(|p| limbs(&p))
        .collect();
    let mut folded = vec![F::ZERO; len];
    folded
        .par_chunks_mut(RUN)
        .enumerate()
        .for_each(|(run, out)| {
            let start = run * RUN;
            let mut sums = vec![WideSum::default(); out.len()];
            for (b, power) in powers.iter().enumerate() {
                let block = &values[b * len + start..][..out.len()];
                for (sum, v) in sums.iter_mut().zip(block) {
                    sum.add(power, (*v).into());
                }
            }
            for (o, sum) in out.iter_mut().zip(&sums) {
                *o = sum.value();
            }
        });
    folded
}

/// A field element's canonical integer as four little-endian 64-bit limbs: a [`WideSum`]
/// coefficient.
pub fn limbs(f: &F) -> [u64; 4] {
    let repr = f.to_repr();
    std::array::from_fn(|i| u64::from_le_bytes(repr[8 * i..8 * i + 8].try_into().expect("8 bytes")))
}

impl WideSum {
    /// Adds `v·c`, for `c` given by its [`limbs`].
    pub fn add(&mut self, c: &[u64; 4], v: i128) {
        let m = v.unsigned_abs();
        let sum = if v < 0 {
            &mut self.negative
        } else {
            &mut self.positive
        };
        add_product(sum, c, m as u64, 0);
        let high = (m >> 64) as u64;
        if high != 0 {
            add_product(sum, c, high, 1);
        }
    }

    /// The sum, as a field element.
    pub fn value(&self) -> F {
        reduce(&self.positive) - reduce(&self.negative)
    }
}

/// `sum += c·w·2^(64·shift)`. No step overflows: a limb plus a limb product plus a carry is at
/// most `2^128 − 1`.
fn add_product(sum: &mut [u64; 7], c: &[u64; 4], w: u64, shift: usize) {
    let mut carry = 0u128;
    for (i, limb) in c.iter().enumerate() {
        let t = sum[i + shift] as u128 + *limb as u128 * w as u128 + carry;
        sum[i + shift] = t as u64;
        carry = t >> 64;
    }
    for limb in &mut sum[4 + shift..] {
        if carry == 0 {
            break;
        }
        let t = *limb as u128 + carry;
        *limb = t as u64;
        carry = t >> 64;
    }
}

/// An integer of seven limbs, modulo the field's order.
fn reduce(limbs: &[u64; 7]) -> F {
    let mut wide = [0u8; 64];
    for (out, limb) in wide.chunks_exact_mut(8).zip(limbs) {
        out.copy_from_slice(&limb.to_le_bytes());
    }
    F::from_uniform_bytes(&wide)
}

/// Decodes a field element whose signed representative fits in an `i128`.
pub fn to_i128(f: &F) -> Option<i128> {
    fn small(f: &F) -> Option<u128> {
        let repr = f.to_repr();
        let bytes = repr.as_ref();
        if bytes[16..].iter().any(|b| *b != 0) {
            return None;
        }
        Some(u128::from_le_bytes(
            bytes[..16].try_into().expect("16 bytes"),
        ))
    }
    if let Some(v) = small(f).filter(|v| *v <= i128::MAX as u128) {
        return Some(v as i128);
    }
    small(&-*f)
        .filter(|v| *v <= i128::MAX as u128 + 1)
        .map(|v| (v as i128).wrapping_neg())
}

/// The canonical 32-byte little-endian encoding of a field element.
pub fn to_bytes(f: &F) -> [u8; 32] {
    f.to_repr()
}

/// Reads a canonical 32-byte little-endian field element; `what` names it in the error.
pub fn from_bytes(bytes: &[u8], what: &str) -> Result<F> {
    let arr: [u8; 32] = bytes
        .try_into()
        .map_err(|_| Error::Format(format!("{what}: expected 32 bytes, got {}", bytes.len())))?;
    Option::from(F::from_repr(arr))
        .ok_or_else(|| Error::Format(format!("{what}: not a canonical field element")))
}

/// Parses a field element written as 64 hex digits (the canonical bytes).
pub fn from_hex(s: &str, what: &str) -> Result<F> {
    let s = s.trim().trim_start_matches("0x");
    let bytes = hex::decode(s).map_err(|e| Error::Format(format!("{what}: not hex: {e}")))?;
    from_bytes(&bytes, what)
}

/// Writes a field element as 64 hex digits of its canonical bytes.
pub fn to_hex(f: &F) -> String {
    hex::encode(to_bytes(f))
}

/// Packs `i128` values in their shortest common width, the wire form of `y` (bundle version 6
/// on): one byte `w` (1 to 16), then each value as `w` little-endian two's-complement bytes,
/// `w` the fewest that hold every value (1 for none). `y` is most of a batch's bundle, and its
/// entries rarely need the 16 bytes their type allows: a 4096-column product of 16-bit-scaled
/// inputs fits in 6.
pub fn pack_i128(values: &[i128]) -> Vec<u8> {
    let width = values.iter().map(|v| width_of(*v)).max().unwrap_or(1);
    let mut out = Vec::with_capacity(1 + width * values.len());
    out.push(width as u8);
    for v in values {
        out.extend_from_slice(&v.to_le_bytes()[..width]);
    }
    out
}

/// How many entries [`pack_i128`]'s `bytes` hold, from their length and width byte alone (so a
/// count is checked before anything is decoded); `None` when the bytes are no packing.
pub fn packed_i128_count(bytes: &[u8]) -> Option<usize> {
    let (&width, entries) = bytes.split_first()?;
    let width = width as usize;
    ((1..=16).contains(&width) && entries.len().is_multiple_of(width))
        .then(|| entries.len() / width)
}

/// Unpacks [`pack_i128`]'s form, which must be the shortest: any other width for the same
/// values is refused, so one list of values has one encoding. `what` names the field in errors.
pub fn unpack_i128(bytes: &[u8], what: &str) -> Result<Vec<i128>> {
    let (&width, entries) = bytes
        .split_first()
        .ok_or_else(|| Error::Format(format!("{what}: empty (no width byte)")))?;
    let width = width as usize;
    if packed_i128_count(bytes).is_none() {
        return Err(Error::Format(format!(
            "{what}: {} bytes are not entries of the {width} bytes its first byte states (1 to 16)",
            entries.len()
        )));
    }
    let values: Vec<i128> = entries
        .chunks_exact(width)
        .map(|c| {
            let fill = if c[width - 1] & 0x80 != 0 { 0xff } else { 0 };
            let mut word = [fill; 16];
            word[..width].copy_from_slice(c);
            i128::from_le_bytes(word)
        })
        .collect();
    let shortest = values.iter().map(|v| width_of(*v)).max().unwrap_or(1);
    if shortest != width {
        return Err(Error::Format(format!(
            "{what}: entries of {width} bytes that fit in {shortest} (not the shortest form)"
        )));
    }
    Ok(values)
}

/// The fewest bytes that hold `v` in two's complement.
fn width_of(v: i128) -> usize {
    let magnitude = if v < 0 { !v } else { v };
    let bits = 128 - magnitude.leading_zeros() as usize + 1;
    bits.div_ceil(8)
}

/// Packs `i128` values as 16-byte little-endian two's complement: `y` in version 5 bundles,
/// partition openings and aggregated proofs.
pub fn pack_i128_fixed(values: &[i128]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Unpacks [`pack_i128_fixed`]'s form; `what` names the field in the error.
pub fn unpack_i128_fixed(bytes: &[u8], what: &str) -> Result<Vec<i128>> {
    if !bytes.len().is_multiple_of(16) {
        return Err(Error::Format(format!(
            "{what}: length {} is not a multiple of 16",
            bytes.len()
        )));
    }
    Ok(bytes
        .chunks_exact(16)
        .map(|c| i128::from_le_bytes(c.try_into().expect("16 bytes")))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_proofs::halo2curves::ff::Field;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn signed_round_trip(v in any::<i128>()) {
            prop_assert_eq!(to_i128(&from_i128(v)), Some(v));
        }

        #[test]
        fn packed_values_round_trip_in_their_shortest_width(
            values in prop::collection::vec(any::<i128>().prop_map(|v| v >> (v as u8 % 127)), 0..40)
        ) {
            let packed = pack_i128(&values);
            prop_assert_eq!(unpack_i128(&packed, "y").unwrap(), values.clone());
            let width = packed[0] as usize;
            prop_assert_eq!(packed.len(), 1 + width * values.len());
            if width > 1 {
                // One byte narrower loses a value.
                let narrower: Vec<u8> = std::iter::once(width as u8 - 1)
                    .chain(packed[1..].chunks(width).flat_map(|c| c[..width - 1].to_vec()))
                    .collect();
                prop_assert_ne!(unpack_i128(&narrower, "y").ok(), Some(values.clone()));
            }
            if width < 16 {
                // One byte wider is refused, though it states the same values.
                let wider: Vec<u8> = std::iter::once(width as u8 + 1)
                    .chain(values.iter().flat_map(|v| v.to_le_bytes()[..width + 1].to_vec()))
                    .collect();
                prop_assert!(unpack_i128(&wider, "y").unwrap_err().to_string().contains("not the shortest form"));
            }
        }

        #[test]
        fn a_wide_sum_is_the_sum_in_the_field(
            terms in proptest::collection::vec((any::<i128>(), any::<[u64; 4]>()), 0..40),
        ) {
            let mut sum = WideSum::default();
            let mut expected = F::ZERO;
            for (v, seed) in &terms {
                let c = F::from_raw(*seed) * F::from_raw(*seed);
                sum.add(&limbs(&c), *v);
                expected += from_i128(*v) * c;
            }
            prop_assert_eq!(sum.value(), expected);
        }

        #[test]
        fn arithmetic_matches_integers(a in any::<i64>(), b in any::<i64>()) {
            let product = a as i128 * b as i128;
            prop_assert_eq!(to_i128(&(from_i64(a) * from_i64(b))), Some(product));
        }
    }

    #[test]
    fn fold_is_the_sum_of_each_position_times_powers_of_gamma() {
        let gamma = F::from(0x5eed_u64).square();
        for (len, vectors) in [
            (1, 1),
            (3, 2),
            (255, 3),
            (256, 2),
            (257, 5),
            (600, 4),
            (300, 70),
        ] {
            let values: Vec<i128> = (0..len * vectors)
                .map(|k| match k % 97 {
                    0 => i128::MIN,
                    1 => i128::MAX,
                    _ => (k as i128 * 7919 - 40_000) << (k % 90),
                })
                .collect();
            let small: Vec<i64> = values
                .iter()
                .map(|v| (*v >> 64) as i64 ^ *v as i64)
                .collect();
            let expected = |to: &dyn Fn(usize) -> F| -> Vec<F> {
                (0..len)
                    .map(|j| {
                        (0..vectors)
                            .map(|b| to(b * len + j) * gamma.pow_vartime([b as u64]))
                            .sum()
                    })
                    .collect()
            };
            assert_eq!(
                fold_powers(&values, len, vectors, gamma),
                expected(&|k| from_i128(values[k]))
            );
            assert_eq!(
                fold_powers(&small, len, vectors, gamma),
                expected(&|k| from_i64(small[k]))
            );
        }
    }

    #[test]
    fn a_wide_sum_carries_through_every_limb() {
        // The largest terms, many times over: every limb of both sums fills and carries.
        let c = -F::ONE; // p - 1, the largest canonical integer
        let mut sum = WideSum::default();
        let mut expected = F::ZERO;
        for k in 0..5000 {
            let v = if k % 3 == 0 { i128::MIN } else { i128::MAX - k };
            sum.add(&limbs(&c), v);
            expected += from_i128(v) * c;
        }
        assert_eq!(sum.value(), expected);
    }

    #[test]
    fn values_beyond_i128_do_not_decode() {
        let big = F::from_u128(u128::MAX) * F::from(4u64);
        assert_eq!(to_i128(&big), None);
        assert_eq!(to_i128(&-big), None);
    }

    #[test]
    fn hex_rejects_non_canonical_bytes() {
        assert!(from_hex(&"ff".repeat(32), "root").is_err());
        let f = from_i64(-5);
        assert_eq!(from_hex(&to_hex(&f), "root").unwrap(), f);
    }

    #[test]
    fn each_value_takes_the_fewest_bytes_and_malformed_packs_are_named() {
        for (v, width) in [
            (0i128, 1),
            (-1, 1),
            (127, 1),
            (128, 2),
            (-128, 1),
            (-129, 2),
            (1 << 47, 7),
            (i128::MAX, 16),
            (i128::MIN, 16),
        ] {
            assert_eq!(pack_i128(&[v])[0] as usize, width, "{v}");
            assert_eq!(unpack_i128(&pack_i128(&[v]), "y").unwrap(), [v]);
        }
        assert_eq!(pack_i128(&[]), [1]);
        for (bytes, says) in [
            (vec![], "no width byte"),
            (vec![0, 1], "first byte states"),
            (vec![17; 18], "first byte states"),
            (vec![2, 1, 0, 1], "first byte states"),
            (vec![2, 5, 0], "not the shortest form"),
        ] {
            let e = unpack_i128(&bytes, "partition 3 y")
                .unwrap_err()
                .to_string();
            assert!(
                e.contains("partition 3 y") && e.contains(says),
                "{bytes:?}: {e}"
            );
        }
    }
}
