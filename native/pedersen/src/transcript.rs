//! The Fiat–Shamir transcript and the scheme's digests: BLAKE3, which nothing here needs to
//! replay in a circuit, at several GB/s so hashing `x` and `y` never dominates.
//!
//! Every absorbed item is framed by its label and its length, so no sequence of items can be
//! read as another. A challenge is 64 bytes of the running hash's output reduced modulo the
//! group order (bias below 2^-250), and is itself absorbed before the transcript goes on.

use halo2_proofs::halo2curves::bn256::Fr;
use halo2_proofs::halo2curves::ff::FromUniformBytes;

use zkmr_math::words::update_words;
use zkmr_scheme::digest::Domain;

use super::generators::TAG;

/// A running transcript.
#[derive(Clone)]
pub struct Transcript(blake3::Hasher);

impl Transcript {
    /// A transcript for one kind of statement (`label`), under the scheme's domain tag.
    pub fn new(label: &str) -> Self {
        let mut t = Self(blake3::Hasher::new());
        t.absorb("domain", TAG.as_bytes());
        t.absorb("statement", label.as_bytes());
        t
    }

    pub fn absorb(&mut self, label: &str, bytes: &[u8]) {
        self.frame(label, bytes.len());
        self.0.update(bytes);
    }

    /// An item's label and length, which its bytes then follow.
    fn frame(&mut self, label: &str, len: usize) {
        self.0.update(&(label.len() as u64).to_le_bytes());
        self.0.update(label.as_bytes());
        self.0.update(&(len as u64).to_le_bytes());
    }

    pub fn absorb_u64(&mut self, label: &str, v: u64) {
        self.absorb(label, &v.to_le_bytes());
    }

    /// Signed integers as 8-byte little-endian words.
    pub fn absorb_i64s(&mut self, label: &str, values: &[i64]) {
        self.frame(label, values.len() * 8);
        update_words(&mut self.0, values, i64::to_le_bytes);
    }

    /// Signed integers as 16-byte little-endian words.
    pub fn absorb_i128s(&mut self, label: &str, values: &[i128]) {
        self.frame(label, values.len() * 16);
        update_words(&mut self.0, values, i128::to_le_bytes);
    }

    /// A challenge scalar drawn from everything absorbed so far.
    pub fn challenge(&mut self, label: &str) -> Fr {
        let mut h = self.0.clone();
        h.update(b"challenge");
        h.update(label.as_bytes());
        let mut wide = [0u8; 64];
        h.finalize_xof().fill(&mut wide);
        self.absorb(label, &wide);
        Fr::from_uniform_bytes(&wide)
    }
}

/// The scheme's digests: BLAKE3 framed under its domain tag ([`zkmr_scheme::digest`]).
pub const DOMAIN: Domain = Domain(TAG);

/// A BLAKE3 digest of framed items under the domain tag and `label`.
pub fn digest(label: &str, items: &[&[u8]]) -> [u8; 32] {
    DOMAIN.digest(label, items)
}

/// The sibling hashes from leaf `index` up to the root of the job's Merkle tree over `leaves`.
pub fn merkle_path(leaves: &[[u8; 32]], index: usize) -> Vec<[u8; 32]> {
    DOMAIN.merkle_path(leaves, index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges_depend_on_every_item_and_its_framing() {
        let challenge = |items: &[(&str, &[u8])]| {
            let mut t = Transcript::new("job");
            for (label, bytes) in items {
                t.absorb(label, bytes);
            }
            t.challenge("c")
        };
        let base = challenge(&[("x", b"ab"), ("y", b"c")]);
        assert_ne!(base, challenge(&[("x", b"a"), ("y", b"bc")]));
        assert_ne!(base, challenge(&[("x", b"ab"), ("z", b"c")]));
        assert_ne!(base, challenge(&[("x", b"ab")]));
        assert_eq!(base, challenge(&[("x", b"ab"), ("y", b"c")]));
        let mut t = Transcript::new("batch");
        t.absorb("x", b"ab");
        t.absorb("y", b"c");
        assert_ne!(base, t.challenge("c"));
    }

    #[test]
    fn absorbed_words_read_as_their_bytes() {
        for len in [0usize, 1, 1023, 1024, 1025, 2047, 2048, 2049, 5000] {
            let small: Vec<i64> = (0..len as i64).map(|v| v * -7919 + 3).collect();
            let wide: Vec<i128> = small.iter().map(|v| (*v as i128) << 70 | 5).collect();
            let small_bytes: Vec<u8> = small.iter().flat_map(|v| v.to_le_bytes()).collect();
            let wide_bytes: Vec<u8> = wide.iter().flat_map(|v| v.to_le_bytes()).collect();
            let (mut streamed, mut whole) = (Transcript::new("job"), Transcript::new("job"));
            streamed.absorb_i64s("x", &small);
            streamed.absorb_i128s("y", &wide);
            whole.absorb("x", &small_bytes);
            whole.absorb("y", &wide_bytes);
            assert_eq!(streamed.challenge("c"), whole.challenge("c"), "{len} words");
        }
    }
}
