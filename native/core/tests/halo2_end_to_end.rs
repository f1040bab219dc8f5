//! Whole jobs under the halo2 scheme through the real prover and verifier: results against
//! plain integer and f64 matmul, and every tampering of a bundle rejected with the partition
//! named.

use std::sync::OnceLock;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zkmr_core::device::Device;
use zkmr_core::field::{pack_i128, to_bytes, unpack_i128};
use zkmr_core::fixed_point::{FixedPoint, Number, QuantizationError};
use zkmr_core::job::{JobRunner, Proved};
use zkmr_core::matrix::{encode_vector, IntMatrix};
use zkmr_core::progress::Silent;
use zkmr_core::setup::SrsChoice;
use zkmr_core::setup::{commit, CommitOptions, MatrixCommitted};
use zkmr_core::Vectors;
use zkmr_core::{verify, Error, Scheme};

fn dev_srs() -> SrsChoice {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    SrsChoice::Development {
        cache_dir: DIR
            .get_or_init(|| tempfile::tempdir().unwrap())
            .path()
            .to_path_buf(),
    }
}

fn halo2(rows_per_partition: usize) -> CommitOptions {
    CommitOptions {
        scheme: Scheme::Halo2,
        rows_per_partition,
        srs: Some(dev_srs()),
        ..CommitOptions::default()
    }
}

fn prove(
    committed: &MatrixCommitted,
    x: &[i64],
    encoding: FixedPoint,
) -> zkmr_core::Result<Proved> {
    JobRunner::open_on(committed.store.dir(), Device::Cpu)?
        .prove(&Vectors::one(x.to_vec(), encoding), &Silent)
}

struct Job {
    _dir: tempfile::TempDir,
    matrix: IntMatrix,
    committed: MatrixCommitted,
    x: Vec<i64>,
    encoding: FixedPoint,
}

fn job(rows: usize, cols: usize, rows_per_partition: usize, seed: u64) -> Job {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let encoding = FixedPoint::new(0, 32).unwrap();
    let data = (0..rows * cols)
        .map(|_| rng.gen_range(-1000..1000))
        .collect();
    let matrix = IntMatrix::new(rows, cols, data).unwrap();
    let x = (0..cols).map(|_| rng.gen_range(-1000..1000)).collect();
    let dir = tempfile::tempdir().unwrap();
    let committed = commit(
        &matrix,
        encoding,
        &halo2(rows_per_partition),
        &dir.path().join("k"),
        &Silent,
    )
    .unwrap();
    Job {
        _dir: dir,
        matrix,
        committed,
        x,
        encoding,
    }
}

impl Job {
    fn prove(&self) -> Proved {
        prove(&self.committed, &self.x, self.encoding).unwrap()
    }
}

#[test]
fn random_shapes_match_integer_matmul() {
    // m or n = 1, sizes not multiples of the partition, one partition, many partitions.
    for (i, (rows, cols, rpp)) in [
        (1, 1, 4),
        (1, 9, 4),
        (7, 1, 3),
        (10, 13, 4),
        (5, 33, 8),
        (17, 6, 5),
    ]
    .into_iter()
    .enumerate()
    {
        let job = job(rows, cols, rpp, i as u64);
        let proved = job.prove();
        let expected = job.matrix.mul_vec(&job.x);
        assert_eq!(proved.y, expected, "{rows}x{cols}");
        let verified = verify::verify(&proved.bundle, &job.committed.commitment).unwrap();
        assert_eq!(verified.y, expected);
        assert_eq!(verified.job_root, proved.job_root);
        assert_eq!(verified.partitions, rows.div_ceil(rpp.min(rows)));
    }
}

#[test]
fn float_matrix_300x517_is_within_the_reported_error() {
    let mut rng = ChaCha8Rng::seed_from_u64(300517);
    let a: Vec<Vec<Number>> = (0..300)
        .map(|_| {
            (0..517)
                .map(|_| Number::Float(rng.gen_range(-10.0..10.0)))
                .collect()
        })
        .collect();
    let x: Vec<Number> = (0..517)
        .map(|_| Number::Float(rng.gen_range(-1.0..1.0)))
        .collect();
    let enc_a = FixedPoint::for_values(a.iter().flatten().copied(), None, None).unwrap();
    let enc_x = FixedPoint::for_values(x.iter().copied(), None, None).unwrap();
    let matrix = IntMatrix::encode(&a, enc_a).unwrap();
    let x_enc = encode_vector(&x, enc_x).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let committed = commit(&matrix, enc_a, &halo2(64), &dir.path().join("k"), &Silent).unwrap();
    let proved = prove(&committed, &x_enc, enc_x).unwrap();
    let verified = verify::verify(&proved.bundle, &committed.commitment).unwrap();

    let scale = ((enc_a.scale_bits + enc_x.scale_bits) as f64).exp2();
    let y: Vec<f64> = verified.y.iter().map(|v| *v as f64 / scale).collect();
    let reference: Vec<f64> = a
        .iter()
        .map(|row| {
            row.iter()
                .zip(&x)
                .map(|(a, x)| a.as_f64() * x.as_f64())
                .sum()
        })
        .collect();
    let error = QuantizationError::measure(&y, &reference);
    // Each product errs by at most |a| e_x + |x| e_a + e_a e_x with e = 2^-(s+1).
    let (ea, ex) = (
        0.5 / (enc_a.scale_bits as f64).exp2(),
        0.5 / (enc_x.scale_bits as f64).exp2(),
    );
    let bound = 517.0 * (10.0 * ex + 1.0 * ea + ea * ex);
    assert!(error.max_abs_error <= bound, "{error:?} > {bound}");
    assert!(
        error.max_abs_error > 0.0,
        "floats at 16 bits cannot be exact"
    );
    assert_eq!(verified.y, matrix.mul_vec(&x_enc));
}

/// Shared proved job for the tamper tests: 10 rows in 4 partitions of 3 (last one short).
fn proved_job() -> &'static (Job, Proved) {
    static JOB: OnceLock<(Job, Proved)> = OnceLock::new();
    JOB.get_or_init(|| {
        let job = job(10, 7, 3, 42);
        let proved = job.prove();
        (job, proved)
    })
}

fn reject(bundle: &zkmr_proto::Bundle) -> (Option<u32>, String) {
    let (job, _) = proved_job();
    match verify::verify(bundle, &job.committed.commitment) {
        Err(Error::Rejected { partition, reason }) => (partition, reason),
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
    assert_eq!(proved.bundle.partitions.len(), 4);
    verify::verify(&proved.bundle, &job.committed.commitment).unwrap();
}

#[test]
fn altered_y_is_rejected_naming_the_partition() {
    let bundle = tampered(|b| {
        let mut y = unpack_i128(&b.partitions[2].y, "y").unwrap();
        y[1] += 1;
        b.partitions[2].y = pack_i128(&y);
    });
    let (partition, reason) = reject(&bundle);
    assert_eq!(partition, Some(2), "{reason}");
}

#[test]
fn swapped_partitions_are_rejected() {
    let bundle = tampered(|b| b.partitions.swap(0, 1));
    assert_eq!(reject(&bundle).0, Some(1));
}

#[test]
fn swapped_proofs_with_indices_kept_are_rejected() {
    // Same positions and indices, proofs and keys exchanged: the keys no longer rebuild the
    // commitment.
    let bundle = tampered(|b| {
        let (vk0, vk1) = (
            b.partitions[0].verifying_key.clone(),
            b.partitions[1].verifying_key.clone(),
        );
        b.partitions[0].verifying_key = vk1;
        b.partitions[1].verifying_key = vk0;
    });
    let (_, reason) = reject(&bundle);
    assert!(reason.contains("commitment"), "{reason}");
    let bundle = tampered(|b| {
        let (p0, p1) = (b.partitions[0].proof.clone(), b.partitions[1].proof.clone());
        b.partitions[0].proof = p1;
        b.partitions[1].proof = p0;
    });
    assert!(matches!(reject(&bundle).0, Some(0) | Some(1)));
}

#[test]
fn dropped_partition_is_rejected() {
    let last = tampered(|b| {
        b.partitions.pop();
    });
    let (partition, reason) = reject(&last);
    assert_eq!(partition, Some(3), "{reason}");
    let middle = tampered(|b| {
        b.partitions.remove(1);
    });
    assert_eq!(reject(&middle).0, Some(2));
}

#[test]
fn duplicated_partition_is_rejected() {
    let bundle = tampered(|b| {
        let copy = b.partitions[1].clone();
        b.partitions.insert(2, copy);
    });
    let (partition, reason) = reject(&bundle);
    assert_eq!(partition, Some(1));
    assert!(reason.contains("duplicated"), "{reason}");
}

#[test]
fn reordered_partitions_are_rejected() {
    let bundle = tampered(|b| b.partitions.reverse());
    let (partition, reason) = reject(&bundle);
    assert_eq!(partition, Some(3));
    assert!(reason.contains("out of order"), "{reason}");
}

#[test]
fn moved_row_range_is_rejected() {
    let bundle = tampered(|b| b.partitions[1].row_end += 1);
    assert_eq!(reject(&bundle).0, Some(1));
}

#[test]
fn another_x_is_rejected() {
    let bundle = tampered(|b| b.x[3] += 1);
    assert_eq!(reject(&bundle).0, Some(0));
}

#[test]
fn another_commitment_is_rejected() {
    let (job, proved) = proved_job();
    let other = job_with_other_matrix();
    let err = verify::verify(&proved.bundle, &other).unwrap_err();
    assert!(matches!(err, Error::Rejected { .. }), "{err}");
    // A bundle for another matrix under that matrix's own commitment still verifies.
    verify::verify(&proved.bundle, &job.committed.commitment).unwrap();
}

fn job_with_other_matrix() -> [u8; 32] {
    job(10, 7, 3, 43).committed.commitment
}

#[test]
fn flipped_proof_bytes_are_rejected() {
    let proof_len = proved_job().1.bundle.partitions[1].proof.len();
    for position in [0, proof_len / 2, proof_len - 1] {
        let bundle = tampered(|b| b.partitions[1].proof[position] ^= 0x01);
        assert_eq!(reject(&bundle).0, Some(1), "byte {position}");
    }
    let truncated = tampered(|b| {
        b.partitions[1].proof.truncate(proof_len - 32);
    });
    assert_eq!(reject(&truncated).0, Some(1));
    let extended = tampered(|b| b.partitions[1].proof.push(0));
    assert_eq!(reject(&extended).0, Some(1));
}

#[test]
fn forged_job_root_is_rejected() {
    let bundle = tampered(|b| b.job_root = to_bytes(&zkmr_core::field::F::from(7u64)).to_vec());
    let (_, reason) = reject(&bundle);
    assert!(reason.contains("job root"), "{reason}");
}

#[test]
fn tampered_verifying_key_is_rejected() {
    let bundle = tampered(|b| {
        let vk = &mut b.partitions[2].verifying_key;
        let at = vk.len() - 40;
        vk[at] ^= 0x01;
    });
    let (partition, reason) = reject(&bundle);
    assert!(
        partition == Some(2) || reason.contains("commitment"),
        "{reason}"
    );
}

#[test]
fn swapped_srs_is_rejected() {
    let bundle = tampered(|b| {
        let srs = b.srs.as_mut().unwrap();
        std::mem::swap(&mut srs.g2, &mut srs.s_g2);
    });
    let (_, reason) = reject(&bundle);
    assert!(reason.contains("SRS"), "{reason}");
}

#[test]
fn wrong_vector_length_and_range_are_input_errors() {
    let (job, _) = proved_job();
    let short = prove(&job.committed, &job.x[1..], job.encoding).unwrap_err();
    assert!(short.to_string().contains("7 columns"), "{short}");
    let mut big = job.x.clone();
    big[4] = 1 << 40;
    let err = prove(&job.committed, &big, job.encoding).unwrap_err();
    assert!(err.to_string().contains("vector index 4"), "{err}");
}

#[test]
fn proofs_are_zero_knowledge_randomised() {
    let (job, proved) = proved_job();
    let again = job.prove();
    assert_eq!(again.job_root, proved.job_root);
    assert_ne!(
        again.bundle.partitions[0].proof,
        proved.bundle.partitions[0].proof
    );
}
