//! The shape of an aggregation tree.
//!
//! The job's Merkle trees have `W = next_pow2(N)` leaf slots. A node aggregates up to
//! `fan_in` children and covers a power-of-two run of slots, so every node's public roots
//! are roots of genuine subtrees of the job's trees and a parent combines them with plain
//! Merkle steps. Slots past the last partition are padding: a node simply has fewer real
//! children and uses the root of an all-zero subtree for each missing one.
//!
//! A node's circuit depends on its level, how many real children it has and whether it
//! holds the last partition (whose row count may be short), never on its position: the
//! first covered index is a public input the parent fixes. So a level needs at most two
//! circuits, whatever `N`.

use zkmr_core::field::F;
use zkmr_core::halo2::merkle::parent;

/// Where a node sits and what its circuit looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct NodeSpec {
    /// 0 for nodes over partition proofs.
    pub level: usize,
    /// Position within the level.
    pub position: usize,
    /// First partition index the node covers.
    pub first_index: usize,
    /// Leaf slots per child (1 at level 0).
    pub child_span: usize,
    /// Child slots the node's subtree has (a power of two).
    pub slots: usize,
    /// Real children (at most `slots`).
    pub children: usize,
    /// Whether the node covers the last partition.
    pub holds_last: bool,
    /// Whether this is the tree's root.
    pub is_root: bool,
}

impl NodeSpec {
    /// Leaf slots the node covers.
    pub fn span(&self) -> usize {
        self.child_span * self.slots
    }

    /// The circuit this node needs; nodes with equal circuits share keys.
    pub fn circuit(&self) -> CircuitKind {
        CircuitKind {
            level: self.level,
            slots: self.slots,
            children: self.children,
            holds_last: self.holds_last,
            is_root: self.is_root,
        }
    }
}

/// What distinguishes one node circuit from another within a plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CircuitKind {
    pub level: usize,
    pub slots: usize,
    pub children: usize,
    pub holds_last: bool,
    pub is_root: bool,
}

/// Every node of the tree, level by level.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    pub partitions: usize,
    pub fan_in: usize,
    pub levels: Vec<Vec<NodeSpec>>,
}

impl Plan {
    /// The tree for `partitions` proofs, at most `fan_in` (a power of two, at least 2) per node.
    pub fn new(partitions: usize, fan_in: usize) -> Result<Self, String> {
        if partitions == 0 {
            return Err("nothing to aggregate: the bundle has no partitions".into());
        }
        if fan_in < 2 || !fan_in.is_power_of_two() {
            return Err(format!(
                "fan-in must be a power of two of at least 2, got {fan_in}"
            ));
        }
        let width = partitions.next_power_of_two();
        let mut levels = Vec::new();
        let mut child_span = 1;
        let mut children_total = partitions;
        loop {
            let slots = fan_in.min(width / child_span);
            let span = child_span * slots;
            let count = children_total.div_ceil(slots);
            let level: Vec<NodeSpec> = (0..count)
                .map(|position| {
                    let first_child = position * slots;
                    let children = slots.min(children_total - first_child);
                    NodeSpec {
                        level: levels.len(),
                        position,
                        first_index: position * span,
                        child_span,
                        slots,
                        children,
                        holds_last: position == count - 1,
                        is_root: span == width,
                    }
                })
                .collect();
            levels.push(level);
            if span == width {
                break;
            }
            child_span = span;
            children_total = count;
        }
        Ok(Self {
            partitions,
            fan_in,
            levels,
        })
    }

    pub fn root(&self) -> &NodeSpec {
        &self.levels.last().expect("a plan has a root")[0]
    }

    /// The distinct circuits, bottom-up.
    pub fn circuits(&self) -> Vec<CircuitKind> {
        let mut kinds: Vec<CircuitKind> = self
            .levels
            .iter()
            .flatten()
            .map(NodeSpec::circuit)
            .collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    pub fn nodes(&self) -> usize {
        self.levels.iter().map(Vec::len).sum()
    }
}

/// Root of a subtree of `span` all-zero leaves, as [`zkmr_core::halo2::merkle::MerkleTree`] pads.
pub fn zero_root(span: usize) -> F {
    let mut node = F::zero();
    let mut width = 1;
    while width < span {
        node = parent(node, node);
        width *= 2;
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nodes_cover_every_partition_once() {
        for n in 1..=40 {
            for fan_in in [2, 4, 8] {
                let plan = Plan::new(n, fan_in).unwrap();
                let leaves = &plan.levels[0];
                let covered: usize = leaves.iter().map(|s| s.children).sum();
                assert_eq!(covered, n, "n={n} fan_in={fan_in}");
                for pair in plan.levels.windows(2) {
                    let children: usize = pair[1].iter().map(|s| s.children).sum();
                    assert_eq!(children, pair[0].len());
                }
                assert_eq!(plan.root().span(), n.next_power_of_two());
                assert!(
                    plan.root().is_root
                        && plan.levels.iter().flatten().filter(|s| s.is_root).count() == 1
                );
                // A level needs at most two circuits: full nodes and the last one.
                for level in &plan.levels {
                    let mut kinds: Vec<_> = level.iter().map(NodeSpec::circuit).collect();
                    kinds.dedup();
                    assert!(kinds.len() <= 2, "n={n} fan_in={fan_in}");
                }
            }
        }
    }

    #[test]
    fn zero_roots_match_padded_trees() {
        use zkmr_core::halo2::merkle::MerkleTree;
        for span in [1, 2, 4, 8] {
            assert_eq!(
                zero_root(span),
                MerkleTree::new(&vec![F::zero(); span]).root()
            );
        }
    }
}
