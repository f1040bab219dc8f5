//! The Fiat–Shamir transcript of `docs/cqlin.md` sections 3 and 9.3: Keccak-256 as a hash
//! chain, the same on the EVM (`KECCAK256`) as here. `h_0 = keccak(tag)`; an item is absorbed
//! as `h ← keccak(h ‖ u64_be(|label|) ‖ label ‖ u64_be(|bytes|) ‖ bytes)`, so `x` and `y` are
//! hashed once each, as the calldata slices they are; a challenge labelled `L` is the 512-bit
//! big-endian integer `keccak(h ‖ L ‖ 0x00) ‖ keccak(h ‖ L ‖ 0x01)` reduced mod `r`, after
//! which `h ← keccak(h ‖ L ‖ c)` with `c` as 32 big-endian bytes.

use halo2_proofs::halo2curves::bn256::{Fr, G1Affine};
use halo2_proofs::halo2curves::ff::{FromUniformBytes, PrimeField};
use sha3::{Digest, Keccak256};

use crate::encoding::{g1_bytes, word, WORD_BYTES};

/// The transcript's domain tag.
pub const TAG: &[u8] = b"zkmr-cqlin-v1";

/// One proof's transcript.
#[derive(Clone)]
pub struct Transcript {
    state: [u8; 32],
}

impl Default for Transcript {
    fn default() -> Self {
        Self::new()
    }
}

impl Transcript {
    pub fn new() -> Self {
        Self {
            state: Keccak256::digest(TAG).into(),
        }
    }

    /// Absorbs one labelled item.
    pub fn absorb(&mut self, label: &[u8], bytes: &[u8]) {
        let mut h = self.item(label, bytes.len());
        h.update(bytes);
        self.state = h.finalize().into();
    }

    /// Absorbs integers as one item of 16-byte zigzag words ([`word`]), streamed into the hash
    /// rather than written out first: the same state as absorbing the words' bytes.
    pub fn absorb_words<T: Copy + Into<i128>>(&mut self, label: &[u8], values: &[T]) {
        const CHUNK: usize = 1024;
        let mut h = self.item(label, values.len() * WORD_BYTES);
        let mut buffer = Vec::with_capacity(CHUNK * WORD_BYTES);
        for chunk in values.chunks(CHUNK) {
            buffer.clear();
            for v in chunk {
                buffer.extend_from_slice(&word((*v).into()));
            }
            h.update(&buffer);
        }
        self.state = h.finalize().into();
    }

    /// The hash of an item so far: the state, the label and the length of `len` bytes.
    fn item(&self, label: &[u8], len: usize) -> Keccak256 {
        let mut h = Keccak256::new();
        h.update(self.state);
        h.update((label.len() as u64).to_be_bytes());
        h.update(label);
        h.update((len as u64).to_be_bytes());
        h
    }

    /// Absorbs `G1` points in their EIP-196 bytes, one item.
    pub fn absorb_points(&mut self, label: &[u8], points: &[G1Affine]) {
        let bytes: Vec<u8> = points.iter().flat_map(g1_bytes).collect();
        self.absorb(label, &bytes);
    }

    /// Draws the challenge labelled `label`.
    pub fn challenge(&mut self, label: &[u8]) -> Fr {
        let half = |counter: u8| -> [u8; 32] {
            let mut h = Keccak256::new();
            h.update(self.state);
            h.update(label);
            h.update([counter]);
            h.finalize().into()
        };
        let mut wide = [0u8; 64];
        wide[..32].copy_from_slice(&half(0));
        wide[32..].copy_from_slice(&half(1));
        // `from_uniform_bytes` reads little-endian; the transcript's integer is big-endian.
        wide.reverse();
        let c = Fr::from_uniform_bytes(&wide);
        let mut be = c.to_repr();
        be.as_mut().reverse();
        let mut h = Keccak256::new();
        h.update(self.state);
        h.update(label);
        h.update(be.as_ref());
        self.state = h.finalize().into();
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streamed_words_hash_as_their_bytes_across_chunk_boundaries() {
        for len in [0usize, 1, 1023, 1024, 1025, 3000] {
            let values: Vec<i128> = (0..len as i128).map(|v| (v * -7919) << (v % 100)).collect();
            let small: Vec<i64> = (0..len as i64).map(|v| v * 31 - 500).collect();
            let bytes =
                |v: &mut dyn Iterator<Item = i128>| -> Vec<u8> { v.flat_map(word).collect() };
            let (mut streamed, mut whole) = (Transcript::new(), Transcript::new());
            streamed.absorb_words(b"y", &values);
            streamed.absorb_words(b"x", &small);
            whole.absorb(b"y", &bytes(&mut values.iter().copied()));
            whole.absorb(b"x", &bytes(&mut small.iter().map(|v| i128::from(*v))));
            assert_eq!(
                streamed.challenge(b"c"),
                whole.challenge(b"c"),
                "{len} words"
            );
        }
    }

    #[test]
    fn challenges_depend_on_every_item_its_label_and_its_framing() {
        let draw = |items: &[(&[u8], &[u8])]| {
            let mut t = Transcript::new();
            for (label, bytes) in items {
                t.absorb(label, bytes);
            }
            t.challenge(b"zeta")
        };
        let base = draw(&[(b"x", b"abc"), (b"y", b"d")]);
        assert_eq!(base, draw(&[(b"x", b"abc"), (b"y", b"d")]));
        assert_ne!(base, draw(&[(b"x", b"abd"), (b"y", b"d")]));
        assert_ne!(base, draw(&[(b"x", b"ab"), (b"y", b"cd")]));
        assert_ne!(base, draw(&[(b"y", b"abc"), (b"y", b"d")]));
        let mut t = Transcript::new();
        let first = t.challenge(b"gamma");
        assert_ne!(first, t.challenge(b"gamma"), "a challenge moves the state");
    }

    /// The chain's first challenge, recomputed by hand from its definition with a 512-bit
    /// reduction written here (schoolbook over bytes), independent of `from_uniform_bytes`.
    #[test]
    fn a_challenge_is_the_big_endian_512_bit_value_mod_r() {
        let mut t = Transcript::new();
        t.absorb(b"item", &[1, 2, 3]);
        let state = t.state;
        let c = t.challenge(b"nu");
        let mut wide = Vec::new();
        for counter in [0u8, 1] {
            let mut h = Keccak256::new();
            h.update(state);
            h.update(b"nu");
            h.update([counter]);
            wide.extend_from_slice(&h.finalize());
        }
        let expected = wide.iter().fold(Fr::from(0), |acc, b| {
            acc * Fr::from(256) + Fr::from(*b as u64)
        });
        assert_eq!(c, expected);
    }
}
