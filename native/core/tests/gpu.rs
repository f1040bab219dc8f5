//! The CUDA prover against the CPU one: keys made by a CPU setup prove on the GPU, and the
//! GPU's proofs verify with the CPU verifier and are rejected when tampered with.
//!
//! Built only with the `cuda` feature and meant for a GPU host: there a missing GPU is a
//! failure, not a skip. Build here with `scripts/build-cuda.sh`'s environment and
//! `cargo test --release -p zkmr-core --features cuda --test gpu --no-run`, then run the
//! binary on the GPU machine.
#![cfg(feature = "cuda")]

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zkmr_core::device::{Device, DeviceChoice};
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::job::JobRunner;
use zkmr_core::matrix::IntMatrix;
use zkmr_core::progress::Silent;
use zkmr_core::setup::SrsChoice;
use zkmr_core::setup::{commit, CommitOptions};
use zkmr_core::Vectors;
use zkmr_core::{verify, Scheme};

fn gpu() -> Device {
    let device = Device::select(DeviceChoice::Cuda);
    assert_eq!(
        device,
        Device::Cuda,
        "no usable GPU on this host (see the warning above); this test needs one"
    );
    device
}

#[test]
fn cpu_keys_prove_on_the_gpu_and_verify_on_the_cpu() {
    let (rows, cols, rows_per_partition) = (300, 257, 64);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let data: Vec<i64> = (0..rows * cols)
        .map(|_| rng.gen_range(-1 << 20..1 << 20))
        .collect();
    let x: Vec<i64> = (0..cols)
        .map(|_| rng.gen_range(-1 << 20..1 << 20))
        .collect();
    let expected: Vec<i128> = data
        .chunks(cols)
        .map(|row| {
            row.iter()
                .zip(&x)
                .map(|(a, b)| *a as i128 * *b as i128)
                .sum()
        })
        .collect();
    let matrix = IntMatrix::new(rows, cols, data).unwrap();
    let encoding = FixedPoint::new(0, 32).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let options = CommitOptions {
        scheme: Scheme::Halo2,
        rows_per_partition,
        srs: Some(SrsChoice::Development {
            cache_dir: dir.path().join("srs"),
        }),
        ..CommitOptions::default()
    };
    let keys = dir.path().join("keys");
    let committed = commit(&matrix, encoding, &options, &keys, &Silent).unwrap();
    let x = Vectors::one(x, encoding);

    let on_gpu = JobRunner::open_on(&keys, gpu())
        .unwrap()
        .prove(&x, &Silent)
        .unwrap();
    assert!(on_gpu.bundle.partitions.iter().all(|p| p.device == "cuda"));
    let verified = verify::verify(&on_gpu.bundle, &committed.commitment).unwrap();
    assert_eq!(verified.y, expected);

    // The same statement either way: equal job roots and proof sizes from the CPU prover.
    let on_cpu = JobRunner::open_on(&keys, Device::Cpu)
        .unwrap()
        .prove(&x, &Silent)
        .unwrap();
    assert_eq!(on_cpu.job_root, on_gpu.job_root);
    for (g, c) in on_gpu
        .bundle
        .partitions
        .iter()
        .zip(&on_cpu.bundle.partitions)
    {
        assert_eq!(g.proof.len(), c.proof.len(), "partition {}", g.index);
    }

    // A GPU proof with one byte changed, and one cut short, are rejected naming the partition.
    let mut tampered = on_gpu.bundle.clone();
    tampered.partitions[2].proof[40] ^= 1;
    let err = verify::verify(&tampered, &committed.commitment).unwrap_err();
    assert!(err.to_string().contains("partition 2"), "{err}");
    let mut short = on_gpu.bundle.clone();
    short.partitions[4].proof.truncate(100);
    let err = verify::verify(&short, &committed.commitment).unwrap_err();
    assert!(err.to_string().contains("partition 4"), "{err}");
}
