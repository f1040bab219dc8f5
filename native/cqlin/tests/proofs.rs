//! The scheme end to end through the real verifier (`docs/cqlin.md` section 8): completeness
//! on every kind of shape and on batches, against a plain integer product; and every way a
//! statement, a proof or a commitment can be wrong, rejected.

use halo2_proofs::halo2curves::bn256::{Fr, G1Affine, G1};
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::halo2curves::group::Curve;
use halo2_proofs::halo2curves::msm::msm_best;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkmr_cqlin::commit::{commit, self_test};
use zkmr_cqlin::commitment::{Commitment, Header};
use zkmr_cqlin::key::ProverKey;
use zkmr_cqlin::lagrange::evaluate_and_open;
use zkmr_cqlin::proof::{Batch, Proof, PROOF_BYTES};
use zkmr_cqlin::prove::prove;
use zkmr_cqlin::shape::Shape;
use zkmr_cqlin::srs::{Allowed, Development};
use zkmr_cqlin::verify::verify;
use zkmr_math::fixed_point::FixedPoint;

const A_BITS: u32 = 16;
const X_BITS: u32 = 20;
const ALLOWED: Allowed = Allowed { development: true };

struct Setup {
    rows: usize,
    cols: usize,
    entries: Vec<i64>,
    commitment: Commitment,
    key: ProverKey,
}

fn setup(rows: usize, cols: usize, seed: u64) -> Setup {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let bound = 1i64 << (A_BITS - 1);
    let entries: Vec<i64> = (0..rows * cols)
        .map(|_| rng.gen_range(-bound..bound))
        .collect();
    setup_with(rows, cols, entries)
}

fn setup_with(rows: usize, cols: usize, entries: Vec<i64>) -> Setup {
    let shape = Shape::new(rows, cols).unwrap();
    let srs = Development::for_shape(&shape);
    let header = Header {
        rows: rows as u64,
        cols: cols as u64,
        encoding: FixedPoint::new(0, A_BITS).unwrap(),
        srs: srs.id(),
        rows_per_partition: rows as u64,
        partitions: 1,
    };
    let (commitment, key) = commit(&entries, header, &srs, &srs.tables(&shape)).unwrap();
    Setup {
        rows,
        cols,
        entries,
        commitment,
        key,
    }
}

/// The plain integer product, independent of the scheme.
fn product(s: &Setup, x: &[i64]) -> Vec<i128> {
    x.chunks(s.cols)
        .flat_map(|x| {
            (0..s.rows).map(move |i| {
                (0..s.cols)
                    .map(|j| i128::from(s.entries[i * s.cols + j]) * i128::from(x[j]))
                    .sum::<i128>()
            })
        })
        .collect()
}

fn inputs(s: &Setup, vectors: usize, seed: u64) -> Vec<i64> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let bound = 1i64 << (X_BITS - 1);
    (0..vectors * s.cols)
        .map(|_| rng.gen_range(-bound..bound))
        .collect()
}

fn batch<'a>(vectors: usize, x: &'a [i64], y: &'a [i128]) -> Batch<'a> {
    Batch {
        context: b"test",
        vectors,
        x,
        y,
        x_bits: X_BITS,
    }
}

fn check(s: &Setup, b: &Batch, proof: &Proof) -> zkmr_math::error::Result<()> {
    verify(&s.commitment, &s.commitment.digest(), &ALLOWED, b, proof)
}

fn proved(s: &Setup, vectors: usize, seed: u64) -> (Vec<i64>, Vec<i128>, Proof) {
    let x = inputs(s, vectors, seed);
    let y = product(s, &x);
    let proof = prove(&s.key, &s.commitment, &batch(vectors, &x, &y)).unwrap();
    (x, y, proof)
}

#[test]
fn products_of_every_shape_and_batch_verify() {
    for (k, (rows, cols)) in [
        (1, 1),
        (2, 2),
        (5, 3),
        (3, 5),
        (8, 8),
        (16, 1),
        (1, 16),
        (7, 13),
        (33, 17),
    ]
    .into_iter()
    .enumerate()
    {
        let s = setup(rows, cols, k as u64);
        for vectors in [1, 2, 5] {
            let (x, y, proof) = proved(&s, vectors, 100 + k as u64);
            check(&s, &batch(vectors, &x, &y), &proof)
                .unwrap_or_else(|e| panic!("{rows}x{cols}, {vectors} vectors: {e}"));
            assert_eq!(proof.to_bytes().len(), PROOF_BYTES);
            assert_eq!(Proof::from_bytes(&proof.to_bytes()).unwrap(), proof);
        }
    }
}

#[test]
fn an_input_of_zeros_proves_with_identity_points_that_round_trip() {
    let s = setup(4, 6, 3);
    let x = vec![0i64; 6];
    let y = product(&s, &x);
    let proof = prove(&s.key, &s.commitment, &batch(1, &x, &y)).unwrap();
    assert_eq!(proof.c_x, G1Affine::default());
    let decoded = Proof::from_bytes(&proof.to_bytes()).unwrap();
    check(&s, &batch(1, &x, &y), &decoded).unwrap();
}

#[test]
fn every_changed_x_or_y_entry_is_rejected() {
    let s = setup(5, 7, 4);
    for vectors in [1, 3] {
        let (x, y, proof) = proved(&s, vectors, 5);
        for k in 0..y.len() {
            let mut wrong = y.clone();
            wrong[k] += 1;
            assert!(
                check(&s, &batch(vectors, &x, &wrong), &proof).is_err(),
                "y entry {k} of {vectors} vectors"
            );
        }
        for k in 0..x.len() {
            let mut wrong = x.clone();
            wrong[k] -= 1;
            assert!(
                check(&s, &batch(vectors, &wrong, &y), &proof).is_err(),
                "x entry {k} of {vectors} vectors"
            );
        }
    }
}

#[test]
fn a_wrong_product_is_refused_by_the_prover_and_a_batch_with_one_wrong_vector_fails() {
    let s = setup(6, 4, 6);
    let x = inputs(&s, 4, 7);
    let mut y = product(&s, &x);
    y[2 * 6 + 3] += 5;
    let refused = prove(&s.key, &s.commitment, &batch(4, &x, &y)).unwrap_err();
    assert!(refused.to_string().contains("does not verify"), "{refused}");
}

#[test]
fn every_byte_of_a_proof_is_bound() {
    let s = setup(4, 4, 8);
    let (x, y, proof) = proved(&s, 2, 9);
    let bytes = proof.to_bytes();
    for k in 0..bytes.len() {
        let mut changed = bytes.clone();
        changed[k] ^= 1 << (k % 8);
        match Proof::from_bytes(&changed) {
            Err(_) => {}
            Ok(p) => assert!(
                check(&s, &batch(2, &x, &y), &p).is_err(),
                "byte {k} of the proof"
            ),
        }
    }
}

#[test]
fn another_matrix_or_another_header_is_rejected() {
    let s = setup(4, 4, 10);
    let other = setup(4, 4, 11);
    let (x, y, proof) = proved(&s, 1, 12);
    let b = batch(1, &x, &y);
    // Another matrix's commitment, trusted as itself.
    assert!(verify(
        &other.commitment,
        &other.commitment.digest(),
        &ALLOWED,
        &b,
        &proof
    )
    .is_err());
    // This matrix's data under another trusted digest.
    let refused = verify(
        &s.commitment,
        &other.commitment.digest(),
        &ALLOWED,
        &b,
        &proof,
    )
    .unwrap_err();
    assert!(
        refused.to_string().contains("trusted commitment"),
        "{refused}"
    );
    // Another header with the same M_2 (partitioning, encoding), trusted as what it is.
    for change in 0..2 {
        let mut c = s.commitment.clone();
        if change == 0 {
            c.header.rows_per_partition = 2;
            c.header.partitions = 2;
        } else {
            c.header.encoding = FixedPoint::new(1, A_BITS).unwrap();
        }
        assert!(
            verify(&c, &c.digest(), &ALLOWED, &b, &proof).is_err(),
            "header change {change}"
        );
    }
}

#[test]
fn the_same_commitment_read_as_another_shape_with_the_same_entry_count_is_rejected() {
    // 8x2 and 2x8 pad to the same N = 16 and share the development SRS of that length.
    let s = setup(8, 2, 13);
    let (x, _, _) = proved(&s, 1, 14);
    let mut c = s.commitment.clone();
    c.header.rows = 2;
    c.header.cols = 8;
    let x8: Vec<i64> = x.iter().copied().chain(std::iter::repeat_n(0, 6)).collect();
    // The product the reinterpreted shape would claim: A read column-major as 2x8.
    let y2: Vec<i128> = (0..2)
        .map(|i| {
            (0..8)
                .map(|j| i128::from(s.entries[(j * 2 + i) % 16]) * i128::from(x8[j]))
                .sum()
        })
        .collect();
    let proof = prove(&s.key, &s.commitment, &batch(1, &x, &product(&s, &x))).unwrap();
    assert!(verify(&c, &c.digest(), &ALLOWED, &batch(1, &x8, &y2), &proof).is_err());
}

#[test]
fn bounds_srs_and_lengths_are_checked_before_the_pairing() {
    let s = setup(3, 3, 15);
    let (x, y, proof) = proved(&s, 1, 16);
    let digest = s.commitment.digest();
    let unsafe_refused = verify(
        &s.commitment,
        &digest,
        &Allowed::default(),
        &batch(1, &x, &y),
        &proof,
    )
    .unwrap_err();
    assert!(
        unsafe_refused.to_string().contains("development SRS"),
        "{unsafe_refused}"
    );

    let mut big_x = x.clone();
    big_x[1] = 1 << X_BITS;
    let e = check(&s, &batch(1, &big_x, &y), &proof).unwrap_err();
    assert!(e.to_string().contains("x of vector 0, entry 1"), "{e}");

    let mut big_y = y.clone();
    big_y[2] = 1i128 << 60;
    let e = check(&s, &batch(1, &x, &big_y), &proof).unwrap_err();
    assert!(e.to_string().contains("y of vector 0, row 2"), "{e}");

    let wide = Batch {
        x_bits: 120,
        ..batch(1, &x, &y)
    };
    let e = check(&s, &wide, &proof).unwrap_err();
    assert!(e.to_string().contains("at most 62"), "{e}");
    let hostile = Batch {
        x_bits: u32::MAX,
        ..batch(1, &x, &y)
    };
    assert!(check(&s, &hostile, &proof).is_err());
    // 62-bit entries through 62-bit x and four columns would reach 2^127.
    let widest = Batch {
        x_bits: 62,
        ..batch(1, &[0; 4], &[0; 3])
    };
    let e = widest.check(&Shape::new(3, 4).unwrap(), 62).unwrap_err();
    assert!(e.to_string().contains("past the 2^126"), "{e}");
    let within = Batch {
        x: &[0; 3],
        ..widest
    };
    assert!(within.check(&Shape::new(3, 3).unwrap(), 62).is_ok());

    let e = check(&s, &batch(1, &x[..2], &y), &proof).unwrap_err();
    assert!(e.to_string().contains("entries"), "{e}");
    let e = check(&s, &batch(usize::MAX / 2 + 2, &x, &y), &proof).unwrap_err();
    assert!(e.to_string().contains("entries each"), "{e}");
    let e = check(&s, &batch(0, &[], &[]), &proof).unwrap_err();
    assert!(e.to_string().contains("no vectors"), "{e}");
}

/// The rest of a proof for chosen `C_x, Q, S, P`: the transcript replayed and both openings
/// made as the prover makes them, so that a forgery is judged on its algebra alone.
fn finish(s: &Setup, b: &Batch, c_x: G1Affine, q: G1Affine, s_: G1Affine, p: G1Affine) -> Proof {
    let (t, x, y) = b.fold(&s.commitment, &s.commitment.digest());
    open(s, t, &x, &y, [c_x, q, s_, p])
}

/// A proof's openings after `C_x, Q, S, P`, from a transcript `t` that has drawn `γ` and the
/// folded `x` and `y`.
fn open(
    s: &Setup,
    mut t: zkmr_cqlin::transcript::Transcript,
    x: &[Fr],
    y: &[Fr],
    points: [G1Affine; 4],
) -> Proof {
    let shape = s.key.shape;
    let [c_x, q, s_, p] = points;
    t.absorb_points(b"commitments", &points);
    let zeta = t.challenge(b"zeta");
    let zeta_cols = zeta.pow_vartime([shape.padded_rows() as u64]);
    let (_, ox) = evaluate_and_open(x, shape.padded_cols(), shape.col_root(), zeta_cols).unwrap();
    let (_, oy) = evaluate_and_open(y, shape.padded_rows(), shape.row_root(), zeta).unwrap();
    Proof {
        c_x,
        q,
        s: s_,
        p,
        pi_x: msm_best(&ox, &s.key.cols).to_affine(),
        pi_y: msm_best(&oy, &s.key.rows).to_affine(),
    }
}

/// The attack the degree check stops (2.1): with `Δ = (y − y*)/n'` as a polynomial,
/// `Q − Δ` and `S + X^{N−m'}·Δ` satisfy E1 for any `y*`. `S` then has degree `N − 1`, past the
/// bound `N − m' − 1`, and E3' needs `P = X^{m'}·S` of degree up to `N + m' − 1`, beyond the
/// public powers. Made with the development trapdoor, that `P` passes (the attack is real and
/// the check is what stands in its way); every `P` of degree below `N` is refused.
#[test]
fn the_degree_check_is_what_refuses_a_quotient_moved_into_s() {
    let s = setup(4, 4, 17);
    let shape = s.key.shape;
    let sigma = Development::for_shape(&shape).trapdoor();
    let x = inputs(&s, 1, 18);
    let y = product(&s, &x);
    let honest = prove(&s.key, &s.commitment, &batch(1, &x, &y)).unwrap();
    let mut forged_y = y.clone();
    forged_y[0] += 1;
    let b = batch(1, &x, &forged_y);
    // Δ(X) = (y − y*)(X)/n' = −L_0^V(X)/n'.
    let n_inv = Fr::from(shape.padded_cols() as u64).invert().unwrap();
    let delta = G1::from(s.key.rows[0]) * -n_inv;
    let power = |k: usize| sigma.pow_vartime([k as u64]);
    let (n_all, mp) = (shape.entries(), shape.padded_rows());
    let q = (G1::from(honest.q) - delta).to_affine();
    let s_forged = (G1::from(honest.s) + delta * power(n_all - mp)).to_affine();
    let with_trapdoor = (G1::from(honest.p) + delta * power(n_all)).to_affine();
    let forged = finish(&s, &b, honest.c_x, q, s_forged, with_trapdoor);
    check(&s, &b, &forged).expect("the forgery is algebraically sound but for the degree");
    for k in [0, 1, mp, n_all - mp, n_all - 1] {
        let p = (G1::from(honest.p) + delta * power(k)).to_affine();
        let forged = finish(&s, &b, honest.c_x, q, s_forged, p);
        assert!(check(&s, &b, &forged).is_err(), "P shifted by [σ^{k}·Δ]");
    }
    let forged = finish(&s, &b, honest.c_x, q, s_forged, honest.p);
    assert!(check(&s, &b, &forged).is_err());
}

#[test]
fn cached_data_that_disagree_with_the_commitment_fail_the_self_test() {
    let s = setup(5, 4, 19);
    for field in 0..3 {
        let mut key = clone_key(&s.key);
        let target = match field {
            0 => &mut key.quotients,
            1 => &mut key.shifted,
            _ => &mut key.raised,
        };
        target[1] = (G1::from(target[1]) + G1::generator()).to_affine();
        let e = self_test(&s.entries, &s.commitment, &key).unwrap_err();
        assert!(e.to_string().contains("self-test"), "{e}");
    }
    self_test(&s.entries, &s.commitment, &s.key).unwrap();
}

/// A committer whose padding row is not zero: the header says 3 rows, `M_2` holds a fourth.
/// Inputs whose product has a nonzero fourth entry are unprovable, and the self-test refuses
/// the store (9.2: padding costs completeness only).
#[test]
fn a_nonzero_padding_row_fails_the_self_test() {
    let s = setup(4, 3, 20);
    let mut c = s.commitment.clone();
    c.header.rows = 3;
    c.header.rows_per_partition = 3;
    let e = self_test(&s.entries[..9], &c, &s.key).unwrap_err();
    assert!(e.to_string().contains("self-test"), "{e}");
    let x = inputs(&s, 1, 21);
    let y = product(&s, &x);
    let refused = prove(&s.key, &c, &batch(1, &x, &y[..3])).unwrap_err();
    assert!(refused.to_string().contains("does not verify"), "{refused}");
}

fn clone_key(k: &ProverKey) -> ProverKey {
    ProverKey {
        shape: k.shape,
        quotients: k.quotients.clone(),
        shifted: k.shifted.clone(),
        raised: k.raised.clone(),
        cols: k.cols.clone(),
        rows: k.rows.clone(),
        constants: k.constants.clone(),
    }
}

/// A wide matrix: the self-test runs on the folded unit-vector batch (`O(m + n)` memory), so
/// a shape with thousands of columns commits and proves.
#[test]
fn a_wide_matrix_commits_and_proves() {
    let s = setup(2, 2048, 22);
    let (x, y, proof) = proved(&s, 2, 23);
    check(&s, &batch(2, &x, &y), &proof).unwrap();
}

/// The statement's items in the order the transcript absorbs them before `γ` (section 9.3).
const BOUND: [&str; 7] = [
    "context",
    "commitment",
    "header",
    "m2",
    "statement",
    "x",
    "y",
];

/// A proof made as the prover makes it but over a transcript that leaves out the item `omit`
/// ("none": every item), the fold and every later step replayed from it: what a prover (or a
/// verifier) that forgot to bind that item would accept.
fn weak_proof(s: &Setup, b: &Batch, omit: &str) -> Proof {
    use zkmr_cqlin::encoding::{g2_bytes, word};
    use zkmr_cqlin::transcript::Transcript;
    let x_wide: Vec<i128> = b.x.iter().map(|v| i128::from(*v)).collect();
    let words = |values: &[i128]| -> Vec<u8> { values.iter().flat_map(|v| word(*v)).collect() };
    let mut dims = Vec::new();
    for v in [s.rows as u64, s.cols as u64, b.vectors as u64] {
        dims.extend_from_slice(&v.to_be_bytes());
    }
    dims.extend_from_slice(&b.x_bits.to_be_bytes());
    let items: [(&str, Vec<u8>); 7] = [
        ("context", b.context.to_vec()),
        ("commitment", s.commitment.digest().to_vec()),
        ("header", s.commitment.header.bytes().to_vec()),
        ("m2", g2_bytes(&s.commitment.m2).to_vec()),
        ("statement", dims),
        ("x", words(&x_wide)),
        ("y", words(b.y)),
    ];
    let mut t = Transcript::new();
    for (label, bytes) in &items {
        if *label != omit {
            t.absorb(label.as_bytes(), bytes);
        }
    }
    let gamma = t.challenge(b"gamma");
    let fold = |values: &[i128], len: usize| -> Vec<Fr> {
        let mut acc = vec![Fr::ZERO; len];
        for vector in values.chunks(len).rev() {
            for (a, v) in acc.iter_mut().zip(vector) {
                *a = *a * gamma + zkmr_math::field::from_i128(*v);
            }
        }
        acc
    };
    let (x, y) = (fold(&x_wide, s.cols), fold(b.y, s.rows));
    let msm = |bases: &[G1Affine]| msm_best(&x, &bases[..s.cols]).to_affine();
    let points = [
        msm(&s.key.cols),
        msm(&s.key.quotients),
        msm(&s.key.shifted),
        msm(&s.key.raised),
    ];
    open(s, t, &x, &y, points)
}

/// Every item of the statement is in the verifier's transcript: the proof a prover makes over
/// a transcript without it draws other challenges and fails, while the same replay with every
/// item bound is the honest proof, byte for byte.
#[test]
fn a_proof_over_a_transcript_missing_any_bound_item_is_rejected() {
    let s = setup(6, 5, 23);
    for vectors in [1, 3] {
        let x = inputs(&s, vectors, 24);
        let y = product(&s, &x);
        let b = batch(vectors, &x, &y);
        let honest = prove(&s.key, &s.commitment, &b).unwrap();
        let replayed = weak_proof(&s, &b, "none");
        assert_eq!(replayed.to_bytes(), honest.to_bytes(), "{vectors} vectors");
        check(&s, &b, &replayed).unwrap();
        for omit in BOUND {
            let e = check(&s, &b, &weak_proof(&s, &b, omit))
                .expect_err(&format!("{vectors} vectors, transcript without {omit}"));
            assert!(e.to_string().contains("does not verify"), "{omit}: {e}");
        }
    }
}
