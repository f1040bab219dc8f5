//! Hot paths of one partition under each scheme: setup, proving and verification (64×1024).

use criterion::{criterion_group, criterion_main, Criterion};
use zkmr_core::device::Device;
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::job::JobRunner;
use zkmr_core::matrix::IntMatrix;
use zkmr_core::progress::Silent;
use zkmr_core::setup::SrsChoice;
use zkmr_core::setup::{commit, CommitOptions};
use zkmr_core::verify::verify;
use zkmr_core::Vectors;

fn partition(c: &mut Criterion) {
    let (rows, cols) = (64, 1024);
    let data = (0..rows * cols)
        .map(|i| (i as i64 * 7919) % 65536 - 32768)
        .collect();
    let matrix = IntMatrix::new(rows, cols, data).unwrap();
    let encoding = FixedPoint::new(0, 32).unwrap();
    let x = Vectors::one(
        (0..cols as i64)
            .map(|j| (j * 40503) % 65536 - 32768)
            .collect(),
        encoding,
    );
    let dir = tempfile::tempdir().unwrap();
    for scheme in zkmr_core::registry::all().map(|s| s.id()) {
        let options = CommitOptions {
            scheme,
            srs: (zkmr_core::registry::scheme(scheme)
                .unwrap()
                .capabilities()
                .srs)
                .then(|| SrsChoice::Development {
                    cache_dir: zkmr_core::setup::default_cache_dir(),
                }),
            replace: true,
            ..CommitOptions::default()
        };
        let mut group = c.benchmark_group(format!("{scheme}_partition_64x1024"));
        group.sample_size(10);
        let keys = dir.path().join(scheme.name());
        group.bench_function("commit", |b| {
            b.iter(|| commit(&matrix, encoding, &options, &keys, &Silent).unwrap())
        });
        let committed = commit(&matrix, encoding, &options, &keys, &Silent).unwrap();
        let store = JobRunner::open_on(&keys, Device::Cpu).unwrap();
        group.bench_function("prove", |b| b.iter(|| store.prove(&x, &Silent).unwrap()));
        let proved = store.prove(&x, &Silent).unwrap();
        group.bench_function("verify", |b| {
            b.iter(|| verify(&proved.bundle, &committed.commitment).unwrap())
        });
        group.finish();
    }
}

criterion_group!(benches, partition);
criterion_main!(benches);
