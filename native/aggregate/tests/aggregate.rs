//! The smallest real aggregation (two partitions, the second short) through the prover, the
//! native verifier and the EVM verifier, with every tampering rejected.

use std::sync::OnceLock;

use halo2_proofs::{halo2curves::bn256::G1Affine, plonk::VerifyingKey, SerdeFormat};
use rand::{Rng, SeedableRng};
use zkmr_aggregate::{
    aggregate, aggregator::partition_params, evm, keys::root_verifying_key, plan::Plan,
    verifier::verify, Aggregated, Settings, VerifiedJob,
};
use zkmr_core::device::Device;
use zkmr_core::field::F;
use zkmr_core::fixed_point::FixedPoint;
use zkmr_core::halo2::setup::{commit, CommitOptions};
use zkmr_core::halo2::srs::{development, ProverParams};
use zkmr_core::matrix::IntMatrix;
use zkmr_core::progress::Silent;
use zkmr_core::setup::SrsChoice;

struct Fixture {
    _dir: tempfile::TempDir,
    expected_y: Vec<i128>,
    commitment: F,
    bundle: zkmr_proto::Bundle,
    params: ProverParams,
    aggregated: Aggregated,
    vk: VerifyingKey<G1Affine>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let cache = zkmr_core::setup::default_cache_dir();
        let mut rng = rand::rngs::StdRng::seed_from_u64(11);
        let (rows, cols) = (7, 5);
        let data = (0..rows * cols).map(|_| rng.gen_range(-500..500)).collect();
        let matrix = IntMatrix::new(rows, cols, data).unwrap();
        let x: Vec<i64> = (0..cols).map(|_| rng.gen_range(-500..500)).collect();
        let encoding = FixedPoint::new(0, 16).unwrap();
        let options = CommitOptions {
            rows_per_partition: 4,
            ..CommitOptions::default()
        };
        let srs = SrsChoice::Development {
            cache_dir: cache.clone(),
        };
        let committed = commit(
            &matrix,
            encoding,
            options,
            &srs,
            &dir.path().join("k"),
            &Silent,
        )
        .unwrap();
        let proved = zkmr_core::job::JobRunner::open_on(committed.store.dir(), Device::Cpu)
            .unwrap()
            .prove(&zkmr_core::Vectors::one(x.clone(), encoding), &Silent)
            .unwrap();
        let settings = Settings::default();
        let params = development(settings.k, &cache).unwrap();
        let job = VerifiedJob::new(&proved.bundle, &params).unwrap();
        let context = job.context;
        let (aggregated, prover_vk) = aggregate(job, &params, settings, &|_, _| {}).unwrap();
        let plan = Plan::new(2, settings.fan_in).unwrap();
        let small = partition_params(&params, context.header.k).unwrap();
        let (vk, _) = root_verifying_key(&params, &small, &context, &plan).unwrap();
        assert_eq!(
            vk.to_bytes(SerdeFormat::RawBytes),
            prover_vk.to_bytes(SerdeFormat::RawBytes),
            "the verifier rebuilds the prover's root key"
        );
        Fixture {
            _dir: dir,
            expected_y: matrix.mul_vec(&x),
            commitment: committed.commitment,
            bundle: proved.bundle,
            params,
            aggregated,
            vk,
        }
    })
}

#[test]
fn aggregated_proof_verifies_and_carries_the_product() {
    let f = fixture();
    let verified = verify(&f.aggregated, f.commitment, &f.vk).unwrap();
    assert_eq!(verified.y, f.expected_y);
    assert_eq!(verified.partitions, 2);
    let decoded = Aggregated::decode(
        &prost::Message::encode_to_vec(&f.aggregated.to_proto()),
        "round trip",
    )
    .unwrap();
    assert_eq!(decoded, f.aggregated);
}

type Tamper = Box<dyn Fn(&mut Aggregated)>;

#[test]
fn tampered_aggregates_are_rejected() {
    let f = fixture();
    let one = F::one();
    let cases: Vec<(&str, Tamper)> = vec![
        ("job root", Box::new(move |a| a.job_root += one)),
        (
            "matrix commitment",
            Box::new(move |a| a.matrix_commitment += one),
        ),
        ("x", Box::new(|a| a.x[0] += 1)),
        ("x digest", Box::new(move |a| a.x_digest += one)),
        ("y", Box::new(|a| a.y[6] -= 1)),
        ("y digest", Box::new(move |a| a.y_digest += one)),
        ("accumulator", Box::new(move |a| a.accumulator[3] += one)),
        ("proof byte", Box::new(|a| a.proof[100] ^= 1)),
        (
            "truncated proof",
            Box::new(|a| a.proof.truncate(a.proof.len() - 32)),
        ),
        (
            "bytes after the proof",
            Box::new(|a| a.proof.extend([0; 32])),
        ),
    ];
    for (what, tamper) in cases {
        let mut agg = f.aggregated.clone();
        tamper(&mut agg);
        let err = verify(&agg, f.commitment, &f.vk).unwrap_err().to_string();
        assert!(err.starts_with("rejected"), "{what}: {err}");
    }
    // Consistent values for another commitment: the digests match, the proof does not.
    let mut agg = f.aggregated.clone();
    agg.matrix_commitment += one;
    let err = verify(&agg, agg.matrix_commitment, &f.vk)
        .unwrap_err()
        .to_string();
    assert!(err.contains("does not verify"), "{err}");
}

#[test]
fn tampered_bundles_do_not_aggregate() {
    let f = fixture();
    let mut bundle = f.bundle.clone();
    bundle.partitions[1].y[0] ^= 1;
    let err = VerifiedJob::new(&bundle, &f.params)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("partition 1"), "{err}");
    let mut bundle = f.bundle.clone();
    bundle.partitions.swap(0, 1);
    assert!(VerifiedJob::new(&bundle, &f.params).is_err());
    let mut bundle = f.bundle.clone();
    bundle.x[2] += 1;
    assert!(VerifiedJob::new(&bundle, &f.params).is_err());
}

#[test]
fn evm_verifier_accepts_the_proof_and_rejects_tampering() {
    let f = fixture();
    if std::env::var_os("ZKMR_SOLC").is_none() {
        let solc = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tools/solc/solc.js");
        std::env::set_var("ZKMR_SOLC", solc);
    }
    let source = evm::solidity(
        &f.aggregated.srs,
        f.aggregated.settings.k,
        &f.vk,
        f.aggregated.instances().len(),
    );
    let code = evm::compile(&source).unwrap();
    let calldata = evm::calldata(&f.aggregated);
    let gas = evm::call(code.clone(), calldata.clone()).unwrap();
    eprintln!("EVM verification gas: {gas}, verifier {} bytes", code.len());
    // Public input words come first: flip the job root's last byte (word 13).
    let mut tampered = calldata.clone();
    tampered[13 * 32 + 31] ^= 1;
    assert!(evm::call(code.clone(), tampered).is_err());
    let mut tampered = calldata;
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(evm::call(code, tampered).is_err());
}
