//! Key stores, bundles and an opening made by an earlier zkmr (`fixtures/v5`, see its README)
//! still open, verify and prove: same matrix commitments, same `y` (checked against a plain
//! integer product here), same job roots.

use std::path::{Path, PathBuf};

use zkmr_core::device::Device;
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::job::JobRunner;
use zkmr_core::progress::Silent;
use zkmr_core::verify::{opening_verdict, verify, Expected};
use zkmr_core::{Scheme, Vectors};

const MATRIX: [[i64; 3]; 5] = [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, -12], [0, 1, 0]];
const PEDERSEN_COMMITMENT: &str =
    "477067e21fe46f6b275b394780ea1efe5f41baa8460f82352ae3e4fca773aec3";
const HALO2_COMMITMENT: &str = "313998368fa8872a71dd2bd9d954a6c2377b2a447099c87e32094ab1e3f24e01";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/v5")
        .join(name)
}

fn commitment(hex: &str) -> [u8; 32] {
    zkmr_core::store::digest_from_hex(hex, "fixture").unwrap()
}

/// `A·x` for each vector, one block of rows per vector, computed directly.
fn product(xs: &[[i64; 3]]) -> Vec<i128> {
    xs.iter()
        .flat_map(|x| {
            MATRIX
                .iter()
                .map(move |row| row.iter().zip(x).map(|(a, b)| (a * b) as i128).sum())
        })
        .collect()
}

/// The old bundle verifies with today's verifier, and today's prover, from the old store,
/// makes a bundle with the same `y` and job root.
fn check(scheme: Scheme, keys: &str, bundle: &str, hex: &str, xs: &[[i64; 3]]) {
    let trusted = commitment(hex);
    let old = zkmr_core::bundle::read(&fixture(bundle)).unwrap();
    let verified = verify(&old, &trusted).unwrap();
    assert_eq!(verified.scheme, scheme);
    assert_eq!(verified.y, product(xs));
    assert_eq!(verified.partitions, 3);

    let store = JobRunner::open_on(&fixture(keys), Device::Cpu).unwrap();
    assert_eq!(store.scheme(), scheme);
    assert_eq!(store.commitment().unwrap(), trusted);
    let x = Vectors {
        values: xs.iter().flatten().copied().collect(),
        count: xs.len(),
        encoding: FixedPoint::new(0, 32).unwrap(),
    };
    let proved = store.prove(&x, &Silent).unwrap();
    let again = verify(&proved.bundle, &trusted).unwrap();
    assert_eq!(again.y, verified.y);
    assert_eq!(again.job_root, verified.job_root);
    assert_eq!(again.x_digest, verified.x_digest);
}

#[test]
fn a_pedersen_store_and_bundle_from_before_still_verify_and_prove() {
    check(
        Scheme::Pedersen,
        "pedersen-keys",
        "pedersen-bundle.pb",
        PEDERSEN_COMMITMENT,
        &[[1, -2, 3], [0, 5, 1]],
    );
}

#[test]
fn a_halo2_store_and_bundle_from_before_still_verify_and_prove() {
    check(
        Scheme::Halo2,
        "halo2-keys",
        "halo2-bundle.pb",
        HALO2_COMMITMENT,
        &[[1, -2, 3]],
    );
}

#[test]
fn an_opening_from_before_still_verifies_and_a_changed_byte_does_not() {
    let bytes = std::fs::read(fixture("pedersen-opening-1.pb")).unwrap();
    let trusted = commitment(PEDERSEN_COMMITMENT);
    let (opened, line) = opening_verdict(&bytes, &trusted, &Expected::default());
    let opened = opened.unwrap_or_else(|| panic!("{line}"));
    assert_eq!((opened.index, opened.row_start, opened.row_end), (1, 2, 4));
    let y = product(&[[1, -2, 3], [0, 5, 1]]);
    assert_eq!(opened.y, [&y[2..4], &y[7..9]].concat());
    let mut changed = bytes.clone();
    let last = changed.len() - 1;
    changed[last] ^= 1;
    let (none, line) = opening_verdict(&changed, &trusted, &Expected::default());
    assert!(none.is_none() && line.starts_with("rejected"), "{line}");
}
