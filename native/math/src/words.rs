//! Integers hashed as the little-endian words they are, converted a block at a time: one
//! BLAKE3 update per block instead of one per word, which costs several times the hashing
//! itself for a batch's `x` and `y`, and no copy of them whole. The bytes hashed, and so every
//! digest, are those of one update per word.

/// Feeds `values` to `h` as words of `N` bytes, `bytes` giving each word's.
pub fn update_words<T: Copy, const N: usize>(
    h: &mut blake3::Hasher,
    values: &[T],
    bytes: impl Fn(T) -> [u8; N],
) {
    let mut block = [0u8; 16 * 1024];
    for chunk in values.chunks(block.len() / N) {
        for (out, v) in block.chunks_exact_mut(N).zip(chunk) {
            out.copy_from_slice(&bytes(*v));
        }
        h.update(&block[..chunk.len() * N]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_hash_as_one_update_per_word() {
        for len in [0, 1, 2047, 2048, 2049, 5000] {
            let values: Vec<i64> = (0..len as i64).map(|k| k * 0x0123_4567_89ab - 77).collect();
            let mut blocked = blake3::Hasher::new();
            update_words(&mut blocked, &values, i64::to_le_bytes);
            let mut each = blake3::Hasher::new();
            for v in &values {
                each.update(&v.to_le_bytes());
            }
            assert_eq!(blocked.finalize(), each.finalize(), "{len} words");
        }
    }
}
