//! Binary Merkle trees over 32-byte leaves. The shape is shared; the node hash is the caller's,
//! so each statement (a pedersen job root, a batch root) hashes its nodes under its own domain.
//!
//! Leaves are padded with zero leaves to a power of two. A root alone does not say how many
//! leaves it has, so whoever publishes one binds the leaf count beside it.

/// The root over `leaves`.
pub fn root(leaves: &[[u8; 32]], node: impl Fn(&[u8; 32], &[u8; 32]) -> [u8; 32]) -> [u8; 32] {
    let mut level = padded(leaves);
    while level.len() > 1 {
        level = up(&level, &node);
    }
    level[0]
}

/// The sibling hashes from leaf `index` up to [`root`]`(leaves)`.
pub fn path(
    leaves: &[[u8; 32]],
    index: usize,
    node: impl Fn(&[u8; 32], &[u8; 32]) -> [u8; 32],
) -> Vec<[u8; 32]> {
    let mut level = padded(leaves);
    let mut path = Vec::new();
    let mut at = index;
    while level.len() > 1 {
        path.push(level[at ^ 1]);
        level = up(&level, &node);
        at /= 2;
    }
    path
}

/// The root that leaf `index` and its [`path`] lead to.
pub fn root_from(
    leaf: [u8; 32],
    index: usize,
    path: &[[u8; 32]],
    node: impl Fn(&[u8; 32], &[u8; 32]) -> [u8; 32],
) -> [u8; 32] {
    path.iter()
        .enumerate()
        .fold(leaf, |hash, (level, sibling)| {
            if (index >> level) & 1 == 0 {
                node(&hash, sibling)
            } else {
                node(sibling, &hash)
            }
        })
}

/// The length of a [`path`] in a tree over `count` leaves.
pub fn depth(count: usize) -> usize {
    count.max(1).next_power_of_two().trailing_zeros() as usize
}

fn padded(leaves: &[[u8; 32]]) -> Vec<[u8; 32]> {
    let mut level = leaves.to_vec();
    level.resize(leaves.len().max(1).next_power_of_two(), [0u8; 32]);
    level
}

fn up(level: &[[u8; 32]], node: impl Fn(&[u8; 32], &[u8; 32]) -> [u8; 32]) -> Vec<[u8; 32]> {
    level
        .chunks(2)
        .map(|pair| node(&pair[0], &pair[1]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(left: &[u8; 32], right: &[u8; 32]) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        h.update(left);
        h.update(right);
        *h.finalize().as_bytes()
    }

    #[test]
    fn every_leaf_s_path_leads_to_the_root_and_no_other_leaf_s_does() {
        for count in [1, 2, 3, 5, 8, 13] {
            let leaves: Vec<[u8; 32]> = (0..count).map(|i| [i as u8 + 1; 32]).collect();
            let top = root(&leaves, node);
            for (i, leaf) in leaves.iter().enumerate() {
                let p = path(&leaves, i, node);
                assert_eq!(p.len(), depth(count));
                assert_eq!(root_from(*leaf, i, &p, node), top);
                if count > 1 {
                    let other = (i + 1) % count;
                    assert_ne!(root_from(*leaf, other, &p, node), top, "{count}: {i}");
                    assert_ne!(root_from(leaves[other], i, &p, node), top, "{count}: {i}");
                }
            }
        }
    }
}
