//! The transparent generators: `G_i` for matrix row `i` and `H` for blindings.
//!
//! Each is BN254's SVDW hash-to-curve (halo2curves) of a fixed message under the versioned
//! domain tag [`TAG`], so nobody knows a discrete-log relation among them and there is no
//! setup to trust. The verifier derives them itself and never reads them from an artifact:
//! `G_i = a_i·H` would let every `y` verify. A table of them on disk is read only where its
//! bytes hash to a digest compiled into this binary (`PINNED`, computed from derived
//! generators), so what is read is exactly what deriving gives; any other file is ignored.
//!
//! Hash-to-curve costs tens of microseconds a point, so the rows' generators are derived once
//! per process, in parallel, and kept: a long-running verifier or prover pays it once. A
//! fresh process that needs thousands of them reads them from the cache file instead (a
//! digest and a strict decoding: tens of milliseconds, where deriving 65,536 takes seconds).

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use halo2_proofs::halo2curves::bn256::{G1Affine, G1};
use halo2_proofs::halo2curves::group::Curve;
use halo2_proofs::halo2curves::CurveExt;
use rayon::prelude::*;

use super::encoding::{point_from_bytes, points_to_bytes, POINT_BYTES};
use zkmr_math::error::{Error, Result};

/// Domain tag of every generator; a new version of the scheme takes a new tag.
pub const TAG: &str = "zkmr-pedersen-v1";

/// The smallest and largest `k` with a pinned digest of the first `2^k` generators.
const PINNED_MIN_LOG: u32 = 10;
const PINNED_MAX_LOG: u32 = 20;

/// BLAKE3 of the first `2^k` row generators as [`points_to_bytes`] encodes them (64-byte
/// uncompressed points), for `k` from [`PINNED_MIN_LOG`] to [`PINNED_MAX_LOG`]. Computed once
/// by deriving them, and recomputed by the tests. These, not the cache file, are the trust
/// root of cached generators: a prefix of the file is used only when it hashes to its entry.
const PINNED: [&str; (PINNED_MAX_LOG - PINNED_MIN_LOG + 1) as usize] = [
    "b39204a46ebbd9b799c45776a6ae2afb3cc980f89423c8801fb721f1a2160a5e", // k = 10
    "95ba1c4ec4d3316f10389e458ee470b9ce48c5849b5ed872c22c7d72222a0338", // k = 11
    "2d18a4d3cd3ae5115ed87d6ebab4b3bc98553c4f8929e10b0a31967949bfc489", // k = 12
    "92bd27e7c9f29db59af0d6083c6febf081a60c33e16f03f38d37da50411f46c9", // k = 13
    "749ace9168f422fb6a1b981094c0604756e22909857eb337b177e7e0386a6ed8", // k = 14
    "23bce635b53a38c64c785b71d651e855f9e72ca89f9ca72d40108a77dfd31ee6", // k = 15
    "430f4929c5a9dd4d577d3347aa8f644f3c7588a1e24c225b727545a77ae5ed3b", // k = 16
    "f38ccaadb0d00e7b2c5f2e540ed6d99a693f2d3319192f9d4af8cbf68b04fde3", // k = 17
    "75dcc2a0c057bd75d19d4a23602219b87c3fdf9beea26a8223baefe707261d93", // k = 18
    "a7e146d3497fcd3fef08cc4759b5b3331c329730e716cfc4d92558eaace69d79", // k = 19
    "be5a12a59b649ebba92c15705975acc74b92a1c58e0b05c6a4c2d4a13c9e0da6", // k = 20
];

/// A process missing fewer rows than this derives them and leaves the disk alone: that costs
/// a sixteenth of deriving 65,536 rows or less, not worth reading or writing a file.
const MIN_CACHED_ROWS: usize = 1 << 12;

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

/// `G_0 .. G_{rows-1}`, derived (or read from the cache file) on first use and kept for the
/// process.
pub fn rows(rows: usize) -> Arc<Vec<G1Affine>> {
    let table = ROWS.get_or_init(|| Mutex::new(Arc::new(Vec::new())));
    let mut held = table.lock().unwrap_or_else(|e| e.into_inner());
    if held.len() < rows {
        *held = Arc::new(extend(&held, rows, &cache_file()));
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

/// The cache file, beside the development SRS's: named by the tag, since the pinned digests
/// hold for one tag only.
fn cache_file() -> PathBuf {
    zkmr_scheme::srs::default_cache_dir().join(format!("{TAG}-generators.bin"))
}

/// `held` (the first generators) extended to at least `rows`, through the cache file at
/// `cache` when at least [`MIN_CACHED_ROWS`] are missing: its pinned prefix is used and the
/// rest derived. When the file falls short of `2^k`, the pinned size that covers `rows`, the
/// derivation goes on to `2^k` and, if it took at least [`MIN_CACHED_ROWS`] rows, the file is
/// rewritten with those `2^k`, so that the next process with this many rows derives none.
fn extend(held: &[G1Affine], rows: usize, cache: &Path) -> Vec<G1Affine> {
    if rows.saturating_sub(held.len()) < MIN_CACHED_ROWS {
        return derive_after(held.to_vec(), rows);
    }
    let log = prefix_log(rows);
    let read = read_cache(cache, log)
        .inspect_err(|e| tracing::debug!("not using the cached Pedersen generators: {e}"))
        .unwrap_or_default();
    let base = if read.len() > held.len() {
        read
    } else {
        held.to_vec()
    };
    let from = base.len();
    if from >= 1 << log {
        return derive_after(base, rows);
    }
    let all = derive_after(base, rows.max(1 << log));
    if all.len() - from >= MIN_CACHED_ROWS {
        if let Err(e) = write_cache(cache, &all[..1 << log]) {
            tracing::debug!("not caching the Pedersen generators: {e}");
        }
    }
    all
}

/// `held` followed by the generators of rows `held.len() .. rows`.
fn derive_after(mut held: Vec<G1Affine>, rows: usize) -> Vec<G1Affine> {
    let from = held.len();
    held.extend(derive(
        (from..rows).into_par_iter().map(|i| row_message(i as u64)),
    ));
    held
}

/// The pinned `k` whose `2^k` generators cover `rows`, as far as any pinned size does.
fn prefix_log(rows: usize) -> u32 {
    rows.next_power_of_two()
        .ilog2()
        .clamp(PINNED_MIN_LOG, PINNED_MAX_LOG)
}

/// The first `2^min(k, max_log)` generators from the cache file at `path`, which must hold
/// exactly `2^k` of them for a pinned `k`, once their bytes hash to the pinned digest. The
/// digest alone makes them the derived generators; they are decoded strictly all the same
/// (tens of milliseconds for `2^16`), so that no point of the file is taken unchecked.
fn read_cache(path: &Path, max_log: u32) -> Result<Vec<G1Affine>> {
    let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
    let len = file.metadata().map_err(|e| Error::io(path, e))?.len();
    let held = (PINNED_MIN_LOG..=PINNED_MAX_LOG)
        .find(|k| len == (POINT_BYTES as u64) << k)
        .ok_or_else(|| {
            Error::Format(format!(
                "{}: {len} bytes are not 2^k points for a pinned k",
                path.display()
            ))
        })?;
    let log = held.min(max_log);
    let mut bytes = vec![0u8; POINT_BYTES << log];
    file.read_exact(&mut bytes)
        .map_err(|e| Error::io(path, e))?;
    if blake3::hash(&bytes).to_hex().as_str() != PINNED[(log - PINNED_MIN_LOG) as usize] {
        return Err(Error::Format(format!(
            "{}: its first 2^{log} points do not match the pinned digest",
            path.display()
        )));
    }
    // Not `points_from_bytes`: naming each point for its error costs a third of the time.
    bytes
        .par_chunks(POINT_BYTES)
        .map(|point| point_from_bytes(point, "a cached generator"))
        .collect()
}

/// Writes `points` as the cache file at `path`, whole or not at all.
fn write_cache(path: &Path, points: &[G1Affine]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    zkmr_math::fsio::write_bytes(path, &points_to_bytes(points))
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

    /// Recomputes the pinned digests of the first `2^k` generators, `k` up to `max_log`.
    fn check_pinned(max_log: u32) {
        let bytes = points_to_bytes(&derive_after(Vec::new(), 1 << max_log));
        for k in PINNED_MIN_LOG..=max_log {
            let digest = blake3::hash(&bytes[..POINT_BYTES << k]);
            assert_eq!(
                digest.to_hex().as_str(),
                PINNED[(k - PINNED_MIN_LOG) as usize],
                "k = {k}"
            );
        }
    }

    /// The pinned digests up to `2^14` generators. Deriving `2^20` takes tens of seconds, so
    /// the larger ones are checked by the ignored test below.
    #[test]
    fn pinned_digests_match_derived_generators() {
        check_pinned(14);
    }

    /// Manual check of every pinned digest (`2^20` derivations, tens of seconds in release):
    /// `cargo test --release -p zkmr-core --lib pedersen::generators -- --ignored`.
    #[test]
    #[ignore = "manual check: derives 2^20 generators"]
    fn all_pinned_digests_match_derived_generators() {
        check_pinned(PINNED_MAX_LOG);
    }

    /// `G_0 .. G_{2^12 - 1}`, the smallest table the cache is written with.
    fn derived() -> &'static [G1Affine] {
        static DERIVED: OnceLock<Vec<G1Affine>> = OnceLock::new();
        DERIVED.get_or_init(|| derive_after(Vec::new(), MIN_CACHED_ROWS))
    }

    /// A cache file holding the derived table, in a fresh directory.
    fn valid_cache() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("generators.bin");
        write_cache(&path, derived()).unwrap();
        (dir, path)
    }

    #[test]
    fn a_valid_cache_gives_the_derived_generators() {
        let (_dir, path) = valid_cache();
        assert_eq!(read_cache(&path, 12).unwrap(), derived());
        assert_eq!(read_cache(&path, 11).unwrap(), derived()[..1 << 11]);
        assert_eq!(extend(&[], MIN_CACHED_ROWS, &path), derived());
        // More rows than the file holds: its rows, then derived ones up to the next pinned
        // size, which replaces the file.
        let grown = extend(&derived()[..10], MIN_CACHED_ROWS + 10, &path);
        assert_eq!(grown.len(), 2 * MIN_CACHED_ROWS);
        assert_eq!(grown[..MIN_CACHED_ROWS], *derived());
        assert_eq!(
            grown[MIN_CACHED_ROWS..],
            range(MIN_CACHED_ROWS..2 * MIN_CACHED_ROWS)
        );
        assert_eq!(read_cache(&path, 13).unwrap(), grown);
    }

    /// A file that is not what the pinned digest says is ignored, the generators derived, and
    /// the file replaced by a valid one.
    fn assert_ignored_and_rewritten(path: &Path) {
        assert!(read_cache(path, 12).is_err());
        assert_eq!(extend(&[], MIN_CACHED_ROWS, path), derived());
        assert_eq!(read_cache(path, 12).unwrap(), derived());
    }

    #[test]
    fn a_cache_with_a_flipped_byte_is_ignored() {
        let (_dir, path) = valid_cache();
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[100 * POINT_BYTES + 5] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        assert_ignored_and_rewritten(&path);
    }

    /// Valid points that are not the generators (here two of them swapped; an attacker's would
    /// be multiples of `H`): only the pinned digest tells them apart.
    #[test]
    fn a_cache_of_other_points_is_ignored() {
        let (_dir, path) = valid_cache();
        let mut points = derived().to_vec();
        points.swap(0, 1);
        write_cache(&path, &points).unwrap();
        assert_ignored_and_rewritten(&path);
    }

    #[test]
    fn a_truncated_cache_is_ignored() {
        let (_dir, path) = valid_cache();
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert_ignored_and_rewritten(&path);
    }

    #[test]
    fn a_missing_or_unwritable_cache_only_costs_a_derivation() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("generators.bin");
        // Few rows: the disk is not touched.
        assert_eq!(extend(&[], 100, &missing), derived()[..100]);
        assert!(!missing.exists());
        let blocked = dir.path().join("file");
        std::fs::write(&blocked, b"").unwrap();
        // A directory path under a plain file can be neither read nor created.
        let path = blocked.join("generators.bin");
        assert_eq!(extend(&[], MIN_CACHED_ROWS, &path), derived());
    }
}
