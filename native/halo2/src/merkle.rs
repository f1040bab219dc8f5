//! Binary Poseidon Merkle trees with inclusion proofs.
//!
//! Leaves are padded to a power of two with zero; callers bind the real leaf count in the
//! value they publish (see [`crate::statement`]), so padding cannot pass for a leaf.

use crate::poseidon;
use zkmr_math::field::F;

/// The parent of two nodes.
pub fn parent(left: F, right: F) -> F {
    poseidon::hash(&[left, right])
}

/// A Merkle tree kept level by level, leaves first.
#[derive(Clone, Debug)]
pub struct MerkleTree {
    levels: Vec<Vec<F>>,
}

impl MerkleTree {
    pub fn new(leaves: &[F]) -> Self {
        let width = leaves.len().max(1).next_power_of_two();
        let mut level = leaves.to_vec();
        level.resize(width, F::zero());
        let mut levels = vec![level];
        while levels.last().expect("one level").len() > 1 {
            let next = levels
                .last()
                .expect("one level")
                .chunks(2)
                .map(|pair| parent(pair[0], pair[1]))
                .collect();
            levels.push(next);
        }
        Self { levels }
    }

    pub fn root(&self) -> F {
        self.levels.last().expect("one level")[0]
    }

    /// Siblings from the leaf up to the root.
    pub fn proof(&self, index: usize) -> Vec<F> {
        let mut idx = index;
        self.levels[..self.levels.len() - 1]
            .iter()
            .map(|level| {
                let sibling = level[idx ^ 1];
                idx /= 2;
                sibling
            })
            .collect()
    }
}

/// Whether `leaf` sits at `index` under `root`.
pub fn verify(root: F, leaf: F, index: usize, siblings: &[F]) -> bool {
    let mut node = leaf;
    let mut idx = index;
    for sibling in siblings {
        node = if idx.is_multiple_of(2) {
            parent(node, *sibling)
        } else {
            parent(*sibling, node)
        };
        idx /= 2;
    }
    idx == 0 && node == root
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_leaf_proves_and_no_other_does() {
        for n in [1usize, 2, 3, 5, 8] {
            let leaves: Vec<F> = (0..n as u64).map(|i| F::from(i + 100)).collect();
            let tree = MerkleTree::new(&leaves);
            for (i, leaf) in leaves.iter().enumerate() {
                let proof = tree.proof(i);
                assert!(verify(tree.root(), *leaf, i, &proof));
                assert!(!verify(tree.root(), *leaf + F::one(), i, &proof));
                if n > 1 {
                    assert!(!verify(tree.root(), *leaf, i ^ 1, &proof));
                }
            }
        }
    }

    #[test]
    fn root_depends_on_order() {
        let a = [F::from(1), F::from(2), F::from(3)];
        let b = [F::from(2), F::from(1), F::from(3)];
        assert_ne!(MerkleTree::new(&a).root(), MerkleTree::new(&b).root());
    }
}
