//! Signed integers in the BN254 scalar field.
//!
//! The circuit works modulo `p`; matrix entries, `x` and `y` are signed integers far smaller
//! than `p/2`, so each has exactly one field representative and decoding takes the one in
//! `(-p/2, p/2)`. The bounds that keep every honest value inside that window are enforced by
//! [`crate::fixed_point`] before anything reaches the field.

use halo2_proofs::halo2curves::{bn256::Fr, ff::PrimeField};

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

/// `v·R⁻¹`, where `R = 2^256` is the field's Montgomery radix: the element whose internal form
/// is `|v|` itself (negated for a negative `v`), made without the multiplication that
/// [`from_i128`] spends entering Montgomery form. Sums and Horner folds of such elements are
/// the same sums of the `v`s times `R⁻¹`, which one multiplication by [`radix`] removes: a fold
/// over a batch converts once per result instead of once per entry, with the same result.
pub fn from_i128_over_radix(v: i128) -> F {
    use halo2_proofs::halo2curves::serde::SerdeObject;
    let mut internal = [0u8; 32];
    internal[..16].copy_from_slice(&v.unsigned_abs().to_le_bytes());
    // |v| < 2^127 < p, so these limbs are a reduced internal form.
    let scaled = F::from_raw_bytes_unchecked(&internal);
    if v < 0 {
        -scaled
    } else {
        scaled
    }
}

/// `R = 2^256 mod p`, which turns a sum of [`from_i128_over_radix`] terms into the sum of
/// their integers.
pub fn radix() -> F {
    use halo2_proofs::halo2curves::ff::Field;
    F::from(2).pow_vartime([256])
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

/// Packs `i128` values as 16-byte little-endian two's complement, the wire form of `y`.
pub fn pack_i128(values: &[i128]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Unpacks the wire form of `y`; `what` names the field in the error.
pub fn unpack_i128(bytes: &[u8], what: &str) -> Result<Vec<i128>> {
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
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn signed_round_trip(v in any::<i128>()) {
            prop_assert_eq!(to_i128(&from_i128(v)), Some(v));
        }

        #[test]
        fn over_radix_times_radix_is_the_integer(v in any::<i128>(), w in any::<i128>(), g in any::<u64>()) {
            prop_assert_eq!(from_i128_over_radix(v) * radix(), from_i128(v));
            let gamma = F::from(g);
            let fold = (from_i128_over_radix(v) * gamma + from_i128_over_radix(w)) * radix();
            prop_assert_eq!(fold, from_i128(v) * gamma + from_i128(w));
        }

        #[test]
        fn arithmetic_matches_integers(a in any::<i64>(), b in any::<i64>()) {
            let product = a as i128 * b as i128;
            prop_assert_eq!(to_i128(&(from_i64(a) * from_i64(b))), Some(product));
        }
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
}
