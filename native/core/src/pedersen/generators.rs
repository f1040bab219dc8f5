//! The transparent generators: `G_i` for matrix row `i` and `H` for blindings.
//!
//! Each is BN254's SVDW hash-to-curve (halo2curves) of a fixed message under the versioned
//! domain tag [`TAG`], so nobody knows a discrete-log relation among them and there is no
//! setup to trust. The verifier derives them itself: they are never read from an artifact or a
//! cache on disk, where `G_i = a_i·H` would let every `y` verify.
//!
//! Hash-to-curve costs tens of microseconds a point, so the rows' generators are derived once
//! per process, in parallel, and kept: a long-running verifier or prover pays it once.

use std::sync::{Arc, Mutex, OnceLock};

use halo2_proofs::halo2curves::bn256::{G1Affine, G1};
use halo2_proofs::halo2curves::group::Curve;
use halo2_proofs::halo2curves::CurveExt;
use rayon::prelude::*;

/// Domain tag of every generator; a new version of the scheme takes a new tag.
pub const TAG: &str = "zkmr-pedersen-v1";

/// Derives one generator from its message.
fn derive(messages: impl IndexedParallelIterator<Item = Vec<u8>>) -> Vec<G1Affine> {
    let projective: Vec<G1> = messages
        .map_init(|| G1::hash_to_curve(TAG), |hash, m| hash(&m))
        .collect();
    let mut affine = vec![G1Affine::default(); projective.len()];
    G1::batch_normalize(&projective, &mut affine);
    affine
}

fn row_message(i: u64) -> Vec<u8> {
    let mut m = b"G".to_vec();
    m.extend_from_slice(&i.to_le_bytes());
    m
}

/// `H`, the blinding generator.
pub fn h() -> G1Affine {
    static H: OnceLock<G1Affine> = OnceLock::new();
    *H.get_or_init(|| derive(vec![b"H".to_vec()].into_par_iter())[0])
}

/// The rows' generators derived so far in this process.
static ROWS: OnceLock<Mutex<Arc<Vec<G1Affine>>>> = OnceLock::new();

/// `G_0 .. G_{rows-1}`, derived on first use and kept for the process.
pub fn rows(rows: usize) -> Arc<Vec<G1Affine>> {
    let cache = ROWS.get_or_init(|| Mutex::new(Arc::new(Vec::new())));
    let mut held = cache.lock().unwrap_or_else(|e| e.into_inner());
    if held.len() < rows {
        let from = held.len() as u64;
        let more = derive(
            (from as usize..rows)
                .into_par_iter()
                .map(|i| row_message(i as u64)),
        );
        let mut all = Vec::with_capacity(rows);
        all.extend_from_slice(&held);
        all.extend(more);
        *held = Arc::new(all);
    }
    held.clone()
}

/// `G_i` for `i` in `range`: from the process's table when it holds them, else derived for
/// the range alone (a check of one partition of a tall matrix needs only its rows).
pub fn range(range: std::ops::Range<usize>) -> Vec<G1Affine> {
    if let Some(cache) = ROWS.get() {
        let held = cache.lock().unwrap_or_else(|e| e.into_inner());
        if held.len() >= range.end {
            return held[range].to_vec();
        }
    }
    derive(range.into_par_iter().map(|i| row_message(i as u64)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use halo2_proofs::halo2curves::group::prime::PrimeCurveAffine;
    use halo2_proofs::halo2curves::group::GroupEncoding;

    fn bytes(p: &G1Affine) -> [u8; 32] {
        let mut out = [0u8; 32];
        out.copy_from_slice(p.to_bytes().as_ref());
        out
    }

    /// The generators are a trust root: these bytes must never drift.
    #[test]
    fn generators_are_pinned() {
        let g = rows(2);
        assert_eq!(
            hex::encode(bytes(&g[0])),
            "c1b8cc7c57259dffe4d7db1ebd1ab9fea8c672d68464c2d3714691e659d92905"
        );
        assert_eq!(
            hex::encode(bytes(&g[1])),
            "433d63bf6824b1af09066130f6093a77f0ade58e6b9439b473e8beddf3aabf0e"
        );
        assert_eq!(
            hex::encode(bytes(&h())),
            "566e10b491b0c8eca76169a98a1160485ca276c4b6b7dc3dd05cf1f30b637f66"
        );
    }

    #[test]
    fn generators_are_distinct_and_not_identity() {
        let g = rows(300);
        let mut all: Vec<[u8; 32]> = g.iter().map(bytes).collect();
        all.push(bytes(&h()));
        assert!(g.iter().all(|p| !bool::from(p.is_identity())));
        let count = all.len();
        all.sort();
        all.dedup();
        assert_eq!(all.len(), count);
        // A longer table extends the shorter one.
        assert_eq!(rows(310)[..300], g[..]);
        assert_eq!(range(305..312)[..5], rows(310)[305..310]);
        assert_eq!(range(305..312)[6], rows(312)[311]);
    }
}
