//! Hot paths of one partition: key generation, proving and verification (64×1024).

use criterion::{criterion_group, criterion_main, Criterion};
use zkmr_core::device::Device;
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::matrix::IntMatrix;
use zkmr_core::progress::Silent;
use zkmr_core::setup::{commit, CommitOptions, SrsChoice};
use zkmr_core::{prove, srs, verify};

fn partition(c: &mut Criterion) {
    let (rows, cols) = (64, 1024);
    let data = (0..rows * cols)
        .map(|i| (i as i64 * 7919) % 65536 - 32768)
        .collect();
    let matrix = IntMatrix::new(rows, cols, data).unwrap();
    let x: Vec<i64> = (0..cols as i64)
        .map(|j| (j * 40503) % 65536 - 32768)
        .collect();
    let encoding = FixedPoint::new(0, 32).unwrap();
    let srs = SrsChoice::Development {
        cache_dir: srs::default_cache_dir(),
    };
    let dir = tempfile::tempdir().unwrap();
    let mut group = c.benchmark_group("partition_64x1024");
    group.sample_size(10);
    group.bench_function("commit", |b| {
        b.iter(|| {
            let options = CommitOptions {
                replace: true,
                ..CommitOptions::default()
            };
            commit(
                &matrix,
                encoding,
                options,
                &srs,
                &dir.path().join("bench"),
                &Silent,
            )
            .unwrap()
        })
    });
    let committed = commit(
        &matrix,
        encoding,
        CommitOptions::default(),
        &srs,
        &dir.path().join("k"),
        &Silent,
    )
    .unwrap();
    group.bench_function("prove", |b| {
        b.iter(|| prove::prove(Device::Cpu, &committed.store, &x, encoding, &Silent).unwrap())
    });
    let proved = prove::prove(Device::Cpu, &committed.store, &x, encoding, &Silent).unwrap();
    group.bench_function("verify", |b| {
        b.iter(|| verify::verify(&proved.bundle, committed.commitment).unwrap())
    });
    group.finish();
}

criterion_group!(benches, partition);
criterion_main!(benches);
