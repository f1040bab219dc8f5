//! The Pedersen scheme through the real prover and verifier: results against plain integer
//! matmul, and forgeries and tampered artifacts of every kind rejected.

use std::sync::OnceLock;

use halo2_proofs::halo2curves::bn256::{Fr, G1Affine, G1};
use halo2_proofs::halo2curves::ff::Field;
use halo2_proofs::halo2curves::group::Curve;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zkmr_core::device::Device;
use zkmr_core::field::{from_i64, pack_i128, unpack_i128};
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::job::{JobRunner, Proved};
use zkmr_core::matrix::IntMatrix;
use zkmr_core::pedersen::encoding::{point_from_bytes, point_to_bytes, scalar_to_bytes};
use zkmr_core::pedersen::generators;
use zkmr_core::pedersen::msm::{mul_h, signed_msm};
use zkmr_core::pedersen::statement::{matrix_commitment, MatrixHeader};
use zkmr_core::pedersen::store::PedersenProver;
use zkmr_core::pedersen::transcript::Transcript;
use zkmr_core::progress::Silent;
use zkmr_core::setup::{commit, CommitOptions};
use zkmr_core::verify::{verify, verify_expecting, Expected, ExpectedX};
use zkmr_core::Vectors;
use zkmr_core::{Error, Scheme};

struct Job {
    _dir: tempfile::TempDir,
    matrix: IntMatrix,
    store: JobRunner,
    commitment: [u8; 32],
    x: Vectors,
}

fn encoding() -> FixedPoint {
    FixedPoint::new(0, 32).unwrap()
}

fn job(rows: usize, cols: usize, per: usize, vectors: usize, seed: u64) -> Job {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let data = (0..rows * cols)
        .map(|_| rng.gen_range(-1000..1000))
        .collect();
    let matrix = IntMatrix::new(rows, cols, data).unwrap();
    let values = (0..vectors * cols)
        .map(|_| rng.gen_range(-1000..1000))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let options = CommitOptions {
        rows_per_partition: per,
        ..CommitOptions::default()
    };
    let keys = dir.path().join("k");
    let committed = commit(&matrix, encoding(), &options, &keys, &Silent).unwrap();
    assert_eq!(committed.store.manifest.scheme, Scheme::Pedersen);
    Job {
        _dir: dir,
        matrix,
        store: JobRunner::open_on(&keys, Device::Cpu).unwrap(),
        commitment: committed.commitment,
        x: Vectors {
            values,
            count: vectors,
            encoding: encoding(),
        },
    }
}

impl Job {
    fn prove(&self) -> Proved {
        self.store.prove(&self.x, &Silent).unwrap()
    }

    /// `Y = A X` over the integers, one block per vector.
    fn expected(&self) -> Vec<i128> {
        let cols = self.matrix.cols();
        (0..self.x.count)
            .flat_map(|b| self.matrix.mul_vec(self.x.get(b, cols)))
            .collect()
    }
}

#[test]
fn jobs_match_integer_matmul() {
    for (i, (rows, cols, per, vectors)) in [
        (1, 1, 4, 1),
        (1, 9, 4, 1),
        (7, 1, 3, 1),
        (10, 13, 4, 1),
        (17, 6, 5, 3),
        (9, 4, 9, 8),
    ]
    .into_iter()
    .enumerate()
    {
        let job = job(rows, cols, per, vectors, i as u64);
        let proved = job.prove();
        assert_eq!(proved.y, job.expected(), "{rows}x{cols}x{vectors}");
        let verified = verify(&proved.bundle, &job.commitment).unwrap();
        assert_eq!(verified.y, job.expected());
        assert_eq!(verified.vectors, vectors);
        assert_eq!(verified.job_root, proved.job_root);
        assert_eq!(verified.partitions, rows.div_ceil(per.min(rows)));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn random_shapes_and_partitions_match_integer_matmul(
        rows in 1usize..12, cols in 1usize..10, per in 1usize..7, vectors in 1usize..4,
        seed in any::<u64>(),
    ) {
        let job = job(rows, cols, per, vectors, seed);
        let proved = job.prove();
        prop_assert_eq!(&proved.y, &job.expected());
        let verified = verify(&proved.bundle, &job.commitment).unwrap();
        prop_assert_eq!(verified.y, job.expected());
    }
}

/// The prover's own check, which a job trusts instead of running the verifier over its bundle
/// again: it vouches for exactly what the verifier accepts, and for nothing it rejects.
#[test]
fn the_provers_own_check_agrees_with_the_verifier() {
    for (vectors, seed) in [(1, 60), (3, 61)] {
        let job = job(10, 7, 3, vectors, seed);
        let prover = job.store.prover();
        let honest = prover.prove_partitions(4, &job.x, &|_| ()).unwrap();
        let assembled = prover.assemble(&job.x, honest.clone()).unwrap();
        let own = assembled.checked.unwrap();
        let theirs = verify(&assembled.bundle, &job.commitment).unwrap();
        assert_eq!(own.y, job.expected());
        assert_eq!(
            (own.y, own.job_root, own.x_digest, own.x, own.vectors),
            (
                theirs.y,
                theirs.job_root,
                theirs.x_digest,
                theirs.x,
                theirs.vectors
            )
        );
        assert_eq!(
            (
                own.partitions,
                own.y_scale_bits,
                own.matrix_encoding,
                own.x_encoding
            ),
            (
                theirs.partitions,
                theirs.y_scale_bits,
                theirs.matrix_encoding,
                theirs.x_encoding
            )
        );

        // One output off by one, as a faulty task or a store whose blocks no longer match
        // its columns would give: the prover refuses it as the verifier does.
        let mut wrong = honest.clone();
        wrong[2].y[vectors * 3 - 1] += 1;
        let assembled = prover.assemble(&job.x, wrong).unwrap();
        let err = assembled.checked.unwrap_err().to_string();
        assert!(err.contains("the homomorphic check fails"), "{err}");
        assert!(verify(&assembled.bundle, &job.commitment).is_err());

        // An output beyond what the encodings allow is named by its partition.
        let mut huge = honest;
        huge[1].y[0] = 1 << 120;
        let err = prover.assemble(&job.x, huge).unwrap().checked.unwrap_err();
        assert!(
            err.to_string()
                .starts_with("rejected: partition 1: a y entry exceeds the bound"),
            "{err}"
        );
    }
}

/// Shared job for the tamper tests: 10 rows in 4 partitions of 3 (the last one short).
fn proved_job() -> &'static (Job, Proved) {
    static JOB: OnceLock<(Job, Proved)> = OnceLock::new();
    JOB.get_or_init(|| {
        let job = job(10, 7, 3, 1, 42);
        let proved = job.prove();
        (job, proved)
    })
}

fn batch_job() -> &'static (Job, Proved) {
    static JOB: OnceLock<(Job, Proved)> = OnceLock::new();
    JOB.get_or_init(|| {
        let job = job(10, 7, 3, 4, 43);
        let proved = job.prove();
        (job, proved)
    })
}

fn rejected(bundle: &zkmr_proto::Bundle, commitment: &[u8; 32]) -> String {
    match verify(bundle, commitment) {
        Err(e @ Error::Rejected { .. }) => e.to_string(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn tampered(f: impl FnOnce(&mut zkmr_proto::Bundle)) -> zkmr_proto::Bundle {
    let mut bundle = proved_job().1.bundle.clone();
    f(&mut bundle);
    bundle
}

#[test]
fn honest_bundle_verifies() {
    let (job, proved) = proved_job();
    verify(&proved.bundle, &job.commitment).unwrap();
}

#[test]
fn every_y_entry_off_by_one_is_rejected() {
    let (job, proved) = proved_job();
    for p in 0..proved.bundle.partitions.len() {
        let entries = unpack_i128(&proved.bundle.partitions[p].y, "y")
            .unwrap()
            .len();
        for i in 0..entries {
            for delta in [1, -1] {
                let bundle = tampered(|b| {
                    let mut y = unpack_i128(&b.partitions[p].y, "y").unwrap();
                    y[i] += delta;
                    b.partitions[p].y = pack_i128(&y);
                });
                let reason = rejected(&bundle, &job.commitment);
                assert!(reason.contains("homomorphic check"), "{reason}");
            }
        }
    }
}

#[test]
fn another_x_is_rejected() {
    let (job, _) = proved_job();
    for j in 0..7 {
        let bundle = tampered(|b| b.x[j] += 1);
        rejected(&bundle, &job.commitment);
    }
}

#[test]
fn another_matrix_is_rejected() {
    let (first, proved) = proved_job();
    let other = job_of_other_matrix();
    // Its commitment, and its key in place of this one's.
    rejected(&proved.bundle, &other.commitment);
    let other_proved = other.prove();
    let bundle = tampered(|b| b.pedersen = other_proved.bundle.pedersen.clone());
    rejected(&bundle, &first.commitment);
    rejected(&bundle, &other.commitment);
    // The same matrix committed again: hiding, so another commitment, and this bundle is
    // not a proof for it.
    let again = job(10, 7, 3, 1, 42);
    assert_eq!(again.matrix, first.matrix);
    assert_ne!(again.commitment, first.commitment);
    assert_ne!(
        again.prove().bundle.pedersen.unwrap().columns,
        proved.bundle.pedersen.as_ref().unwrap().columns
    );
    rejected(&proved.bundle, &again.commitment);
}

fn job_of_other_matrix() -> Job {
    job(10, 7, 3, 1, 44)
}

/// The matrix commitment of a bundle's header and key, as a forger publishing its own
/// commitment would compute it.
fn commitment_of(bundle: &zkmr_proto::Bundle) -> [u8; 32] {
    let m = bundle.matrix.as_ref().unwrap();
    let header = MatrixHeader {
        rows: m.rows,
        cols: m.cols,
        encoding: encoding(),
        rows_per_partition: m.rows_per_partition,
    };
    matrix_commitment(
        &header,
        bundle.partitions.len(),
        &bundle.pedersen.as_ref().unwrap().columns,
    )
}

#[test]
fn swapped_column_commitments_are_rejected() {
    let (job, _) = proved_job();
    let bundle = tampered(|b| {
        let columns = &mut b.pedersen.as_mut().unwrap().columns;
        let (first, second) = columns.split_at_mut(64);
        first.swap_with_slice(&mut second[..64]);
    });
    let reason = rejected(&bundle, &job.commitment);
    assert!(reason.contains("commitment"), "{reason}");
    // Under a commitment published for the swapped key (and claimed by the bundle), the
    // check itself fails.
    let forged = commitment_of(&bundle);
    let mut bundle = bundle;
    bundle.matrix_commitment = forged.to_vec();
    let reason = rejected(&bundle, &forged);
    assert!(reason.contains("homomorphic check"), "{reason}");
    assert_eq!(commitment_of(&proved_job().1.bundle), job.commitment);
}

#[test]
fn changed_t_or_s_is_rejected() {
    let (job, _) = proved_job();
    let other_t = point_to_bytes(&(G1::generator() * Fr::from(5)).to_affine()).to_vec();
    let bundle = tampered(|b| b.pedersen.as_mut().unwrap().t = other_t);
    rejected(&bundle, &job.commitment);
    let bundle = tampered(|b| {
        let s = &mut b.pedersen.as_mut().unwrap().s;
        s[0] = s[0].wrapping_add(1);
    });
    rejected(&bundle, &job.commitment);
    // A non-canonical s (at or above the group order) and a point off the curve.
    let bundle = tampered(|b| b.pedersen.as_mut().unwrap().s = vec![0xff; 32]);
    assert!(rejected(&bundle, &job.commitment).contains("canonical"));
    let bundle = tampered(|b| b.pedersen.as_mut().unwrap().t[5] ^= 1);
    rejected(&bundle, &job.commitment);
}

/// The fields the job transcript binds after its domain tag, in order.
const FIELDS: [&str; 11] = [
    "statement",
    "matrix commitment",
    "rows",
    "cols",
    "vectors",
    "x scale bits",
    "x value bits",
    "x",
    "y scale bits",
    "y",
    "T",
];

/// The job transcript as [`proof::transcript`] builds it for one vector, but without `omit`
/// (a statement kind left out reads as another kind's label).
fn weak_transcript(job: &Job, y: &[i128], omit: &str) -> Transcript {
    let mut t = Transcript::new(if omit == "statement" { "" } else { "job" });
    let m = &job.store.store.manifest;
    let items: [(&str, Vec<u8>); 9] = [
        ("matrix commitment", job.commitment.to_vec()),
        ("rows", m.rows.to_le_bytes().to_vec()),
        ("cols", m.cols.to_le_bytes().to_vec()),
        ("vectors", 1u64.to_le_bytes().to_vec()),
        ("x scale bits", 0u64.to_le_bytes().to_vec()),
        ("x value bits", 32u64.to_le_bytes().to_vec()),
        (
            "x",
            job.x.values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        ),
        ("y scale bits", 0u64.to_le_bytes().to_vec()),
        ("y", y.iter().flat_map(|v| v.to_le_bytes()).collect()),
    ];
    for (label, bytes) in items.iter().filter(|(l, _)| *l != omit) {
        t.absorb(label, bytes);
    }
    t
}

/// An honest Schnorr proof of the job's blinding, made with the store's secret over a
/// transcript that leaves `omit` out.
fn weak_proof(job: &Job, omit: &str) -> (G1Affine, Fr) {
    let prover = PedersenProver::new(job.store.store.clone()).unwrap();
    let rho: Fr = job
        .x
        .values
        .iter()
        .zip(&prover.secret().unwrap().column_blindings)
        .map(|(x, r)| from_i64(*x) * r)
        .sum();
    let k = Fr::random(rand::rngs::OsRng);
    let t = mul_h(&k).to_affine();
    let mut transcript = weak_transcript(job, &job.expected(), omit);
    if omit != "T" {
        transcript.absorb("T", &point_to_bytes(&t));
    }
    let c = transcript.challenge("c");
    (t, k + c * rho)
}

fn with_proof(t: &G1Affine, s: &Fr) -> zkmr_proto::Bundle {
    tampered(|b| {
        let p = b.pedersen.as_mut().unwrap();
        p.t = point_to_bytes(t).to_vec();
        p.s = scalar_to_bytes(s).to_vec();
    })
}

#[test]
fn a_transcript_missing_any_bound_field_is_rejected() {
    let (job, _) = proved_job();
    // The same prover with every field bound is accepted: the weak transcripts differ from
    // the verifier's only in the field they leave out.
    let (t, s) = weak_proof(job, "none");
    verify(&with_proof(&t, &s), &job.commitment).unwrap();
    for omit in FIELDS {
        let (t, s) = weak_proof(job, omit);
        let reason = rejected(&with_proof(&t, &s), &job.commitment);
        assert!(reason.contains("homomorphic check"), "{omit}: {reason}");
    }
}

/// `Σ_j x_j·C_j − Σ_i y_i·G_i` for the bundle's key.
fn check_point(bundle: &zkmr_proto::Bundle, x: &[i64], y: &[i128]) -> G1 {
    let columns: Vec<G1Affine> = bundle
        .pedersen
        .as_ref()
        .unwrap()
        .columns
        .chunks(64)
        .map(|c| point_from_bytes(c, "column").unwrap())
        .collect();
    let g = generators::rows(y.len());
    let x: Vec<i128> = x.iter().map(|v| *v as i128).collect();
    signed_msm(&x, &columns) - signed_msm(y, &g[..y.len()])
}

#[test]
fn a_challenge_drawn_before_t_forges_a_wrong_y_and_the_verifier_rejects_it() {
    let (job, proved) = proved_job();
    let mut y = proved.y.clone();
    y[4] += 1;
    let wrong = check_point(&proved.bundle, &job.x.values, &y);
    // The weak Fiat–Shamir forger: c from everything but T, then T = s·H − c·P.
    let c = weak_transcript(job, &y, "T").challenge("c");
    let s = Fr::random(rand::rngs::OsRng);
    let forged_t = (mul_h(&s) - wrong * c).to_affine();
    // The forgery satisfies the equation a verifier without T in its transcript would check.
    assert_eq!(mul_h(&s), wrong * c + forged_t);
    let bundle = tampered(|b| {
        let rows = 3;
        for (p, part) in b.partitions.iter_mut().enumerate() {
            let start = p * rows;
            part.y = pack_i128(&y[start..(start + rows).min(y.len())]);
        }
        let p = b.pedersen.as_mut().unwrap();
        p.t = point_to_bytes(&forged_t).to_vec();
        p.s = scalar_to_bytes(&s).to_vec();
    });
    let reason = rejected(&bundle, &job.commitment);
    assert!(reason.contains("homomorphic check"), "{reason}");
}

#[test]
fn a_batch_with_one_wrong_output_column_is_rejected() {
    let (job, proved) = batch_job();
    assert_eq!(proved.y, job.expected());
    verify(&proved.bundle, &job.commitment).unwrap();
    for vector in 0..4 {
        let mut bundle = proved.bundle.clone();
        // Partition 1 holds rows 3..6: vector `vector`'s block starts at vector·3.
        let mut y = unpack_i128(&bundle.partitions[1].y, "y").unwrap();
        y[vector * 3 + 1] -= 1;
        bundle.partitions[1].y = pack_i128(&y);
        let reason = rejected(&bundle, &job.commitment);
        assert!(reason.contains("homomorphic check"), "{reason}");
    }
    // Swapping two vectors' outputs is a wrong answer too.
    let mut bundle = proved.bundle.clone();
    let y = unpack_i128(&bundle.partitions[0].y, "y").unwrap();
    let mut swapped = y[3..6].to_vec();
    swapped.extend_from_slice(&y[0..3]);
    swapped.extend_from_slice(&y[6..]);
    bundle.partitions[0].y = pack_i128(&swapped);
    rejected(&bundle, &job.commitment);
    // One vector fewer claimed.
    let mut bundle = proved.bundle.clone();
    bundle.vectors = 3;
    rejected(&bundle, &job.commitment);
}

/// A change to a bundle.
type Change = Box<dyn Fn(&mut zkmr_proto::Bundle)>;

#[test]
fn partition_list_tampering_is_rejected_naming_the_partition() {
    let (job, _) = proved_job();
    let cases: Vec<(Change, Option<u32>)> = vec![
        (Box::new(|b| b.partitions.swap(0, 1)), Some(1)),
        (
            Box::new(|b| {
                b.partitions.pop();
            }),
            Some(3),
        ),
        (
            Box::new(|b| {
                let copy = b.partitions[1].clone();
                b.partitions[2] = copy;
            }),
            Some(1),
        ),
        (Box::new(|b| b.partitions[2].row_end += 1), Some(2)),
        (
            Box::new(|b| b.partitions[3].verifying_key = vec![1]),
            Some(3),
        ),
        (Box::new(|b| b.job_root[0] ^= 1), None),
    ];
    for (i, (change, partition)) in cases.iter().enumerate() {
        let bundle = tampered(|b| change(b));
        match verify(&bundle, &job.commitment) {
            Err(Error::Rejected { partition: p, .. }) => assert_eq!(p, *partition, "case {i}"),
            other => panic!("case {i}: {other:?}"),
        }
    }
}

#[test]
fn the_reducer_names_the_partition_whose_task_lied() {
    let (job, proved) = proved_job();
    let results: Vec<zkmr_proto::PartitionResult> = (0..4u32)
        .map(|index| {
            let block = job.store.prover().block(index).unwrap();
            job.store.prove_block(index, &block, &job.x).unwrap()
        })
        .collect();
    let committed = job.store.reduce(&job.x, results.clone()).unwrap();
    assert_eq!(committed.verified.y, job.expected());
    assert_eq!(committed.verified.job_root, proved.job_root);

    let mut lying = results;
    let proof = lying[2].proof.as_mut().unwrap();
    let mut y = unpack_i128(&proof.y, "y").unwrap();
    y[0] += 7;
    proof.y = pack_i128(&y);
    match job.store.reduce(&job.x, lying) {
        Err(Error::Rejected {
            partition: Some(2), ..
        }) => {}
        other => panic!("expected partition 2 named, got {other:?}"),
    }
}

#[test]
fn one_partition_checks_alone_against_the_store() {
    let (job, proved) = proved_job();
    for index in 0..4 {
        job.store.check_partition(&proved.bundle, index).unwrap();
    }
    let bundle = tampered(|b| {
        let mut y = unpack_i128(&b.partitions[1].y, "y").unwrap();
        y[2] -= 1;
        b.partitions[1].y = pack_i128(&y);
    });
    job.store.check_partition(&bundle, 0).unwrap();
    assert!(job.store.check_partition(&bundle, 1).is_err());
    let (batch, batch_proved) = batch_job();
    for index in 0..4 {
        batch
            .store
            .check_partition(&batch_proved.bundle, index)
            .unwrap();
    }
    assert!(job.store.check_partition(&batch_proved.bundle, 0).is_err());
}

#[test]
fn wrong_vectors_are_input_errors() {
    let (job, _) = proved_job();
    let short = Vectors::one(job.x.values[1..].to_vec(), encoding());
    let err = job.store.prove(&short, &Silent).unwrap_err();
    assert!(err.to_string().contains("7 columns"), "{err}");
    let mut big = job.x.clone();
    big.values[4] = 1 << 40;
    let err = job.store.prove(&big, &Silent).unwrap_err();
    assert!(err.to_string().contains("vector index 4"), "{err}");
    let ragged = Vectors {
        values: vec![1; 13],
        count: 2,
        encoding: encoding(),
    };
    let err = job.store.prove(&ragged, &Silent).unwrap_err();
    assert!(
        err.to_string().contains("2 vectors hold 13 entries"),
        "{err}"
    );
}

#[test]
fn proofs_are_randomised_and_roots_are_not() {
    let (job, proved) = proved_job();
    let again = job.prove();
    assert_eq!(again.job_root, proved.job_root);
    assert_ne!(
        again.bundle.pedersen.as_ref().unwrap().t,
        proved.bundle.pedersen.as_ref().unwrap().t
    );
}

#[test]
fn store_files_holding_secrets_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let (job, _) = proved_job();
    let dir = job.store.store.dir();
    for file in ["secret.key", "partitions/000000.part"] {
        let mode = std::fs::metadata(dir.join(file))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{file} is readable by others: {mode:o}");
    }
}

/// Opens every partition of `proved` and checks each alone, as a third party would: the
/// bytes decode, the opening verifies against the commitment, and its `y` block and job root
/// are the job's.
fn check_openings(job: &Job, proved: &Proved) -> Vec<Vec<u8>> {
    use prost::Message;
    use zkmr_core::pedersen::opening;
    let rows = job.matrix.rows();
    let expected = job.expected();
    let count = proved.bundle.partitions.len();
    (0..count as u32)
        .map(|index| {
            let bytes = job
                .store
                .open_partition(&proved.bundle, index)
                .unwrap()
                .encode_to_vec();
            let opened = opening::verify(
                &zkmr_core::bundle::decode_opening(&bytes, "opening").unwrap(),
                &job.commitment,
                &Expected::default(),
            )
            .unwrap();
            assert_eq!(opened.x, job.x.values);
            assert_eq!(opened.index, index);
            assert_eq!(opened.job_root, proved.job_root);
            let (start, end) = (opened.row_start as usize, opened.row_end as usize);
            let block: Vec<i128> = (0..job.x.count)
                .flat_map(|b| expected[b * rows + start..b * rows + end].to_vec())
                .collect();
            assert_eq!(opened.y, block, "partition {index}");
            bytes
        })
        .collect()
}

#[test]
fn each_partition_opens_alone_against_the_commitment_and_the_job_root() {
    let (job, proved) = proved_job();
    check_openings(job, proved);
    let (job, proved) = batch_job();
    check_openings(job, proved);
}

#[test]
fn every_byte_of_an_opening_is_bound() {
    use zkmr_core::pedersen::opening;
    let (job, proved) = batch_job();
    let openings = check_openings(job, proved);
    let bytes = &openings[1];
    let check = |b: &[u8]| {
        zkmr_core::bundle::decode_opening(b, "opening")
            .and_then(|o| opening::verify(&o, &job.commitment, &Expected::default()))
    };
    let mut accepted = Vec::new();
    for at in 0..bytes.len() {
        for flip in [0x01u8, 0xff] {
            let mut changed = bytes.clone();
            changed[at] ^= flip;
            if check(&changed).is_ok() {
                accepted.push((at, flip));
            }
        }
    }
    assert!(
        accepted.is_empty(),
        "changed openings verify at {accepted:?}"
    );
    // Another matrix's commitment, and another partition's proof under this one's name.
    let other = job_of_other_matrix();
    let none = Expected::default();
    assert!(opening::verify(
        &zkmr_core::bundle::decode_opening(bytes, "o").unwrap(),
        &other.commitment,
        &none
    )
    .is_err());
    let mut swapped = zkmr_core::bundle::decode_opening(&openings[1], "o").unwrap();
    let donor = zkmr_core::bundle::decode_opening(&openings[2], "o").unwrap();
    swapped.t = donor.t;
    swapped.z = donor.z;
    let err = opening::verify(&swapped, &job.commitment, &none).unwrap_err();
    assert!(err.to_string().contains("partition 1"), "{err}");
}

#[test]
fn openings_are_made_for_verified_jobs_only() {
    let (job, proved) = proved_job();
    let mut bundle = proved.bundle.clone();
    let mut y = unpack_i128(&bundle.partitions[2].y, "y").unwrap();
    y[0] += 1;
    bundle.partitions[2].y = pack_i128(&y);
    let err = job.store.open_partition(&bundle, 0).unwrap_err();
    assert!(matches!(err, Error::Rejected { .. }), "{err}");
    let err = job.store.open_partition(&proved.bundle, 99).unwrap_err();
    assert!(err.to_string().contains("partition 99"), "{err}");
}

#[test]
fn the_reported_error_bound_holds_for_rounded_float_inputs() {
    use zkmr_core::fixed_point::{decode_all, Number};
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (rows, cols) = (23, 31);
    let a: Vec<Vec<Number>> = (0..rows)
        .map(|_| {
            (0..cols)
                .map(|_| Number::Float(rng.gen_range(-3.0..3.0)))
                .collect()
        })
        .collect();
    let x: Vec<Number> = (0..cols)
        .map(|_| Number::Float(rng.gen_range(-2.0..2.0)))
        .collect();
    for (scale_a, scale_x) in [(4, 6), (8, 8), (12, 2)] {
        let a_enc = FixedPoint::new(scale_a, 32).unwrap();
        let x_enc = FixedPoint::new(scale_x, 32).unwrap();
        let matrix = IntMatrix::encode(&a, a_enc).unwrap();
        assert!(!matrix.is_exact());
        let dir = tempfile::tempdir().unwrap();
        let options = CommitOptions {
            rows_per_partition: 5,
            ..CommitOptions::default()
        };
        commit(&matrix, a_enc, &options, &dir.path().join("k"), &Silent).unwrap();
        let store = JobRunner::open_on(&dir.path().join("k"), Device::Cpu).unwrap();
        let values = zkmr_core::matrix::encode_vector(&x, x_enc).unwrap();
        let vectors = Vectors::one(values, x_enc);
        let proved = store.prove(&vectors, &Silent).unwrap();
        let y = decode_all(&proved.y, scale_a + scale_x);
        let bound = store.y_error_bound(&vectors, false);
        let worst = a
            .iter()
            .zip(&y)
            .map(|(row, y)| {
                let exact: f64 = row
                    .iter()
                    .zip(&x)
                    .map(|(a, x)| a.as_f64() * x.as_f64())
                    .sum();
                (exact - y).abs()
            })
            .fold(0.0f64, f64::max);
        assert!(
            worst <= bound * (1.0 + 1e-9),
            "{scale_a}/{scale_x}: {worst} > {bound}"
        );
        assert!(worst > 0.0 && bound > 0.0);
        // With x exact, its half of the bound goes.
        assert!(store.y_error_bound(&vectors, true) < bound);
    }
}

/// The job's vectors as the relying party holds them.
fn numbers(x: &Vectors, cols: usize) -> Vec<Vec<zkmr_core::fixed_point::Number>> {
    (0..x.count)
        .map(|b| {
            x.get(b, cols)
                .iter()
                .map(|v| zkmr_core::fixed_point::Number::Int(*v))
                .collect()
        })
        .collect()
}

#[test]
fn a_verdict_names_its_x_and_refuses_another() {
    use zkmr_core::verify::x_digest;
    for (job, proved) in [proved_job(), batch_job()] {
        let cols = job.matrix.cols();
        let asked = numbers(&job.x, cols);
        let verified = verify_expecting(
            &proved.bundle,
            &job.commitment,
            &Expected::x(ExpectedX::Vectors(asked.clone())),
        )
        .unwrap();
        assert_eq!(verified.x, job.x.values);
        assert_eq!(
            verified.x_digest,
            x_digest(&job.x.values, job.x.count, job.x.encoding)
        );
        let by_digest = Expected::x(ExpectedX::Digest(verified.x_digest));
        verify_expecting(&proved.bundle, &job.commitment, &by_digest).unwrap();

        // Another x: one entry of the last vector off by one, a vector missing, a digest.
        let mut other = asked.clone();
        let last = other.last_mut().unwrap();
        last[3] = zkmr_core::fixed_point::Number::Int(last[3].as_f64() as i64 + 1);
        let err = verify_expecting(
            &proved.bundle,
            &job.commitment,
            &Expected::x(ExpectedX::Vectors(other)),
        )
        .unwrap_err();
        assert!(err.to_string().contains("x[3]"), "{err}");
        assert!(err.to_string().starts_with("rejected: x:"), "{err}");
        let err = verify_expecting(
            &proved.bundle,
            &job.commitment,
            &Expected::x(ExpectedX::Vectors(asked[..asked.len() - 1].to_vec())),
        );
        assert!(err.is_err());
        let err = verify_expecting(
            &proved.bundle,
            &job.commitment,
            &Expected::x(ExpectedX::Digest([7; 32])),
        )
        .unwrap_err();
        assert!(err.to_string().contains("digest"), "{err}");
    }
}

#[test]
fn a_coarse_scale_cannot_pass_a_rounded_x_for_the_one_asked_about() {
    use zkmr_core::fixed_point::Number;
    let (job, proved) = proved_job();
    // The bundle proves integers at scale 0; a relying party asking about x + 0.4 must not be
    // told that this bundle is about its x.
    let asked: Vec<Number> = job
        .x
        .values
        .iter()
        .map(|v| Number::Float(*v as f64 + 0.4))
        .collect();
    let err = verify_expecting(
        &proved.bundle,
        &job.commitment,
        &Expected::x(ExpectedX::Vectors(vec![asked])),
    )
    .unwrap_err();
    assert!(err.to_string().contains("not exact"), "{err}");
}

#[test]
fn an_opening_names_its_x_and_job_and_refuses_others() {
    use prost::Message;
    use zkmr_core::pedersen::opening;
    let (job, proved) = proved_job();
    let bytes = job
        .store
        .open_partition(&proved.bundle, 2)
        .unwrap()
        .encode_to_vec();
    let cols = job.matrix.cols();
    let right = Expected {
        x: Some(ExpectedX::Vectors(numbers(&job.x, cols))),
        job_root: Some(proved.job_root),
    };
    let (opened, line) = zkmr_core::verify::opening_verdict(&bytes, &job.commitment, &right);
    let opened = opened.unwrap_or_else(|| panic!("{line}"));
    assert_eq!(opened.x, job.x.values);
    assert!(line.contains(&hex::encode(opened.x_digest)), "{line}");
    let mut wrong_x = numbers(&job.x, cols);
    wrong_x[0][0] = zkmr_core::fixed_point::Number::Int(job.x.values[0] + 1);
    let (none, line) = zkmr_core::verify::opening_verdict(
        &bytes,
        &job.commitment,
        &Expected {
            x: Some(ExpectedX::Vectors(wrong_x)),
            job_root: None,
        },
    );
    assert!(none.is_none() && line.contains("x[0]"), "{line}");
    let other_root = Expected {
        x: None,
        job_root: Some([3; 32]),
    };
    let err = opening::verify(
        &zkmr_core::bundle::decode_opening(&bytes, "o").unwrap(),
        &job.commitment,
        &other_root,
    )
    .unwrap_err();
    assert!(err.to_string().contains("job root"), "{err}");
}

/// The review's split key, end to end. Under the earlier design a committer published `C_j`
/// for `A` beside per-partition commitments for `A' ≠ A`, and an opening of partition 0 gave
/// another `y` than the job for the same `x`. Now an opening is checked against the one matrix
/// key, so the committer — holding `A`, `A'`, every blinding and the store — makes the
/// opening of `A'` with everything it has, and the verifier refuses it; the honest opening
/// agrees with the bundle.
#[test]
fn a_committer_cannot_open_one_commitment_two_ways() {
    use zkmr_core::pedersen::opening::{self, Parts};
    use zkmr_core::pedersen::statement::{job_leaf, job_root, vectors_digest, PartitionId};
    use zkmr_core::pedersen::transcript::merkle_path;
    let (job, proved) = proved_job();
    let split = job_of_other_matrix();
    let prover = PedersenProver::new(job.store.store.clone()).unwrap();
    let (rows, cols) = (job.matrix.rows(), job.matrix.cols());
    // y for A, with partition 0's rows (0..3) from A' instead: A'_0·x.
    let mut y = job.expected();
    let other = split.matrix.mul_vec(&job.x.values);
    y[..3].copy_from_slice(&other[..3]);
    assert_ne!(y, job.expected(), "A' must differ from A on partition 0");
    let ids: Vec<PartitionId> = (0..4u32)
        .map(|p| PartitionId {
            index: p,
            row_start: p as u64 * 3,
            row_end: (p as u64 * 3 + 3).min(rows as u64),
        })
        .collect();
    let header = MatrixHeader {
        rows: rows as u64,
        cols: cols as u64,
        encoding: encoding(),
        rows_per_partition: 3,
    };
    // Partition 0's opening of a job whose outputs are `y`, with the committer's key and
    // blindings.
    let open_partition_0 = |y: &[i128]| {
        let leaves: Vec<[u8; 32]> = ids
            .iter()
            .map(|id| {
                let block = &y[id.row_start as usize..id.row_end as usize];
                job_leaf(id, &vectors_digest(&job.x.values), block)
            })
            .collect();
        opening::make(Parts {
            header,
            commitment: &job.commitment,
            columns: prover.columns().unwrap(),
            id: ids[0],
            x: &job.x.values,
            x_encoding: encoding(),
            vectors: 1,
            y,
            job_path: merkle_path(&leaves, 0),
            job_root: job_root(&job.commitment, 1, encoding(), &leaves),
            blindings: &prover.secret().unwrap().column_blindings,
        })
    };
    let forged = open_partition_0(&y);
    let err = opening::verify(&forged, &job.commitment, &Expected::default()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Rejected {
                partition: Some(0),
                ..
            }
        ),
        "{err}"
    );
    use prost::Message;
    let (none, line) = zkmr_core::verify::opening_verdict(
        &forged.encode_to_vec(),
        &job.commitment,
        &Expected::default(),
    );
    assert!(none.is_none(), "{line}");
    // The same opening made from A's own outputs verifies, and says what the bundle says.
    let honest = open_partition_0(&proved.y);
    let opened = opening::verify(&honest, &job.commitment, &Expected::default()).unwrap();
    assert_eq!(opened.y, proved.y[..3].to_vec());
    assert_eq!(opened.job_root, proved.job_root);
}

#[test]
fn the_reducer_takes_x_from_the_driver_and_names_a_task_that_proved_another() {
    let (job, proved) = proved_job();
    let other = Vectors::one(job.x.values.iter().map(|v| v + 1).collect(), encoding());
    let prove_all = |x: &Vectors| -> Vec<zkmr_proto::PartitionResult> {
        (0..4u32)
            .map(|index| {
                let block = job.store.prover().block(index).unwrap();
                job.store.prove_block(index, &block, x).unwrap()
            })
            .collect()
    };
    // Every task proved another x (one executor running every task): the job's x wins.
    let err = job.store.reduce(&job.x, prove_all(&other)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Rejected {
                partition: Some(0),
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("another x"), "{err}");
    // One task of four proved another x.
    let mut mixed = prove_all(&job.x);
    mixed[2] = prove_all(&other).swap_remove(2);
    let err = job.store.reduce(&job.x, mixed).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Rejected {
                partition: Some(2),
                ..
            }
        ),
        "{err}"
    );
    // The honest job under the driver's x is the job `prove` makes.
    let committed = job.store.reduce(&job.x, prove_all(&job.x)).unwrap();
    assert_eq!(committed.verified.job_root, proved.job_root);
    assert_eq!(committed.verified.x, job.x.values);
}

#[test]
fn the_holder_refuses_a_store_that_commits_to_another_matrix() {
    let (job, _) = proved_job();
    job.store.expect_commitment(&job.commitment).unwrap();
    let other = job_of_other_matrix();
    let err = job.store.expect_commitment(&other.commitment).unwrap_err();
    assert!(
        err.to_string().contains("not the expected commitment"),
        "{err}"
    );
}
