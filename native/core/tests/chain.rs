//! Chains through the real prover and verifier: an MLP-shaped chain against an independent
//! forward pass, PageRank against plain power iteration, and every way a chain proof can be
//! tampered with rejected, naming the step.

use prost::Message;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use zkmr_core::chain::prove::{prove, Stepper};
use zkmr_core::chain::spec::{ChainSpec, Input, Op, Repeat, Stage};
use zkmr_core::chain::verify;
use zkmr_core::field::{pack_i128, unpack_i128};
use zkmr_core::fixed_point::{FixedPoint, Number};
use zkmr_core::job::JobRunner;
use zkmr_core::matrix::IntMatrix;
use zkmr_core::progress::Silent;
use zkmr_core::setup::{commit, commit_sparse, CommitOptions};
use zkmr_core::sparse::SparseMatrix;
use zkmr_core::store::digest_to_hex;
use zkmr_core::Error;
use zkmr_core::Vectors;

const SCALE: u32 = 8;

fn options(per: usize) -> CommitOptions {
    CommitOptions {
        rows_per_partition: per,
        ..CommitOptions::default()
    }
}

/// Commits a dense matrix of encoded weights at `SCALE` bits; returns its store.
fn dense_store(
    dir: &std::path::Path,
    name: &str,
    rows: usize,
    cols: usize,
    data: Vec<i64>,
) -> JobRunner {
    let matrix = IntMatrix::new(rows, cols, data).unwrap();
    let encoding = FixedPoint::new(SCALE, 32).unwrap();
    commit(&matrix, encoding, &options(2), &dir.join(name), &Silent).unwrap();
    JobRunner::open(&dir.join(name)).unwrap()
}

fn hex(store: &JobRunner) -> String {
    digest_to_hex(&store.commitment().unwrap())
}

/// Two layers over `stores`: the first rescaled, through ReLU and with a bias input
/// appended, the second rescaled.
fn two_layers(names: [&str; 2], stores: &[JobRunner]) -> ChainSpec {
    let stage = |name: &str, store: &JobRunner, then: Vec<Op>| Stage {
        name: name.into(),
        commitment: hex(store),
        then,
        repeat: None,
    };
    ChainSpec {
        input: Input {
            scale_bits: SCALE,
            value_bits: 32,
            uniform: false,
        },
        stages: vec![
            stage(
                names[0],
                &stores[0],
                vec![
                    Op::Rescale { scale_bits: SCALE },
                    Op::Relu,
                    Op::Append { value: 1 },
                ],
            ),
            stage(
                names[1],
                &stores[1],
                vec![Op::Rescale { scale_bits: SCALE }],
            ),
        ],
    }
}

struct Mlp {
    _dir: tempfile::TempDir,
    stores: Vec<JobRunner>,
    w: Vec<(usize, usize, Vec<i64>)>,
    spec: ChainSpec,
    x: Vectors,
}

/// Two layers, 4 → 5 → 3, each with a bias column; a batch of 6 inputs.
fn mlp() -> Mlp {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let dir = tempfile::tempdir().unwrap();
    let mut w = Vec::new();
    let mut stores = Vec::new();
    for (name, rows, cols) in [("l1", 5, 5), ("l2", 3, 6)] {
        let data: Vec<i64> = (0..rows * cols).map(|_| rng.gen_range(-400..400)).collect();
        stores.push(dense_store(dir.path(), name, rows, cols, data.clone()));
        w.push((rows, cols, data));
    }
    let spec = two_layers(["layer 1", "layer 2"], &stores);
    let values = (0..6)
        .flat_map(|_| {
            let mut v: Vec<i64> = (0..4).map(|_| rng.gen_range(-600..600)).collect();
            v.push(1 << SCALE);
            v
        })
        .collect();
    let x = Vectors {
        values,
        count: 6,
        encoding: FixedPoint::new(SCALE, 32).unwrap(),
    };
    Mlp {
        _dir: dir,
        stores,
        w,
        spec,
        x,
    }
}

/// The forward pass written out: integer products, f64 rounding (exact at these sizes).
fn forward(w: &[(usize, usize, Vec<i64>)], x: &[i64]) -> Vec<i128> {
    let mut v: Vec<i64> = x.to_vec();
    for (l, (rows, cols, data)) in w.iter().enumerate() {
        let y: Vec<i64> = (0..*rows)
            .map(|i| {
                let dot: i64 = (0..*cols).map(|j| data[i * cols + j] * v[j]).sum();
                (dot as f64 / (1u64 << SCALE) as f64).round() as i64
            })
            .collect();
        v = if l + 1 < w.len() {
            y.iter().map(|e| (*e).max(0)).chain([1 << SCALE]).collect()
        } else {
            y
        };
    }
    v.into_iter().map(i128::from).collect()
}

#[test]
fn an_mlp_chain_equals_the_forward_pass_and_verifies() {
    let m = mlp();
    let proved = prove(&m.spec, &m.stores, Some(&m.x), &Silent).unwrap();
    let outcome = verify::verify(&proved.proof, &m.spec).unwrap();
    assert_eq!(outcome.steps, 2);
    assert_eq!(
        (outcome.len, outcome.vectors, outcome.scale_bits),
        (3, 6, SCALE)
    );
    assert_eq!(outcome.first_input, m.x.values);
    for b in 0..6 {
        let expect = forward(&m.w, &m.x.values[b * 5..(b + 1) * 5]);
        assert_eq!(
            &outcome.output[b * 3..(b + 1) * 3],
            expect.as_slice(),
            "input {b}"
        );
    }
    assert_eq!(outcome.output, proved.outcome.output);
    // The proof round-trips through its canonical bytes.
    let bytes = proved.proof.encode_to_vec();
    assert_eq!(verify::decode(&bytes, "chain").unwrap(), proved.proof);
}

#[test]
fn every_changed_byte_of_a_chain_proof_is_rejected() {
    let m = mlp();
    let bytes = prove(&m.spec, &m.stores, Some(&m.x), &Silent)
        .unwrap()
        .proof
        .encode_to_vec();
    let mut accepted = Vec::new();
    for k in 0..bytes.len() {
        let mut changed = bytes.clone();
        changed[k] ^= 0x01;
        let outcome = verify::decode(&changed, "chain").and_then(|p| verify::verify(&p, &m.spec));
        if outcome.is_ok() {
            accepted.push(k);
        }
    }
    assert!(
        accepted.is_empty(),
        "accepted flips at {accepted:?} of {}",
        bytes.len()
    );
}

struct PageRank {
    _dir: tempfile::TempDir,
    stores: Vec<JobRunner>,
    spec: ChainSpec,
    edges: Vec<(usize, usize)>,
    /// The committed matrix's coordinate entries, as an engine's tasks would hold them.
    entries: Vec<(u64, u64, Number)>,
    n: usize,
}

const A_SCALE: u32 = 20;
const R_SCALE: u32 = 30;

/// A 7-node graph with a dangling node (6): the column-stochastic matrix at `A_SCALE` bits,
/// its last row the dangling indicator.
fn pagerank() -> PageRank {
    let n = 7;
    let edges = vec![
        (0, 1),
        (0, 2),
        (1, 2),
        (2, 0),
        (3, 2),
        (4, 3),
        (4, 5),
        (5, 4),
        (1, 6),
        (5, 6),
    ];
    let mut out = vec![0usize; n];
    for (s, _) in &edges {
        out[*s] += 1;
    }
    let mut entries: Vec<(u64, u64, Number)> = edges
        .iter()
        .map(|(s, t)| (*t as u64, *s as u64, Number::Float(1.0 / out[*s] as f64)))
        .collect();
    for (j, o) in out.iter().enumerate() {
        if *o == 0 {
            entries.push((n as u64, j as u64, Number::Int(1)));
        }
    }
    let encoding = FixedPoint::new(A_SCALE, 32).unwrap();
    let matrix = SparseMatrix::encode(n as u64 + 1, n as u64, &entries, encoding).unwrap();
    let dir = tempfile::tempdir().unwrap();
    commit_sparse(
        &matrix,
        encoding,
        &options(3),
        &dir.path().join("m"),
        &Silent,
    )
    .unwrap();
    let store = JobRunner::open(&dir.path().join("m")).unwrap();
    let spec = ChainSpec {
        input: Input {
            scale_bits: R_SCALE,
            value_bits: 32,
            uniform: true,
        },
        stages: vec![Stage {
            name: "pagerank".into(),
            commitment: hex(&store),
            then: vec![
                Op::Pagerank { damping: 0.85 },
                Op::Rescale {
                    scale_bits: R_SCALE,
                },
            ],
            repeat: Some(Repeat {
                tolerance: 1e-7,
                max: 200,
            }),
        }],
    };
    PageRank {
        _dir: dir,
        stores: vec![store],
        spec,
        edges,
        entries,
        n,
    }
}

/// PageRank by plain power iteration in f64, to a far tighter tolerance.
fn power_iteration(n: usize, edges: &[(usize, usize)]) -> Vec<f64> {
    let mut out = vec![0usize; n];
    for (s, _) in edges {
        out[*s] += 1;
    }
    let mut r = vec![1.0 / n as f64; n];
    for _ in 0..1000 {
        let dangling: f64 = (0..n).filter(|j| out[*j] == 0).map(|j| r[j]).sum();
        let mut next = vec![(0.15 + 0.85 * dangling) / n as f64; n];
        for (s, t) in edges {
            next[*t] += 0.85 * r[*s] / out[*s] as f64;
        }
        r = next;
    }
    r
}

#[test]
fn pagerank_converges_to_the_power_iteration_ranks() {
    let p = pagerank();
    let proved = prove(&p.spec, &p.stores, None, &Silent).unwrap();
    let outcome = verify::verify(&proved.proof, &p.spec).unwrap();
    assert_eq!(outcome.stages[0].converged, Some(true));
    assert!(
        outcome.steps > 5 && outcome.steps < 200,
        "{} steps",
        outcome.steps
    );
    let ranks = outcome.decoded();
    let reference = power_iteration(p.n, &p.edges);
    let l1: f64 = ranks
        .iter()
        .zip(&reference)
        .map(|(a, b)| (a - b).abs())
        .sum();
    assert!(l1 < 1e-5, "L1 {l1}: {ranks:?} vs {reference:?}");
    // One copy of the matrix key, whatever the number of iterations.
    assert_eq!(proved.proof.matrices.len(), 1);
    assert!(proved.proof.steps.iter().all(|s| s.x.is_empty()));
}

/// The entries dealt to three tasks, a row's entries in several of them, as an edge list's
/// input splits would hold them.
fn dealt(entries: &[(u64, u64, Number)]) -> Vec<Vec<(u64, u64, Number)>> {
    let mut tasks = vec![Vec::new(); 3];
    for (k, e) in entries.iter().enumerate() {
        tasks[(k * 7) % 3].push(*e);
    }
    tasks
}

#[test]
fn a_chain_stepped_from_task_products_is_the_chain_proved_in_one_process() {
    let p = pagerank();
    let store = &p.stores[0];
    let tasks = dealt(&p.entries);
    let mut stepper = Stepper::start(&p.spec, store, None).unwrap();
    while let Some(x) = stepper.next_input().unwrap() {
        let pieces = tasks
            .iter()
            .map(|held| store.multiply_entries(held.clone(), &x).unwrap())
            .collect();
        let reduced = store.reduce_products(&x, pieces).unwrap();
        let root = reduced.verified.job_root;
        stepper
            .record(store, reduced.bundle, &reduced.verified.y, root)
            .unwrap();
    }
    let stepped = stepper.finish().unwrap();
    let whole = prove(&p.spec, &p.stores, None, &Silent).unwrap();
    assert_eq!(stepped.outcome.job_roots, whole.outcome.job_roots);
    // The same steps over the same matrix: everything but the Schnorr proofs' nonces.
    assert_eq!(stepped.proof.steps.len(), whole.proof.steps.len());
    assert_eq!(stepped.proof.matrices, whole.proof.matrices);
    for (a, b) in stepped.proof.steps.iter().zip(&whole.proof.steps) {
        assert_eq!((&a.x, &a.partitions), (&b.x, &b.partitions));
    }
    let outcome = verify::verify(&stepped.proof, &p.spec).unwrap();
    assert_eq!(outcome.output, whole.outcome.output);
}

#[test]
fn a_stepped_chain_refuses_a_job_for_another_input_or_matrix_and_ends_where_the_spec_does() {
    let p = pagerank();
    let store = &p.stores[0];
    let mut stepper = Stepper::start(&p.spec, store, None).unwrap();
    let x = stepper.next_input().unwrap().unwrap();
    // A job proved for another input than the chain's next one.
    let mut other = x.clone();
    other.values[0] += 1;
    let proved = store.prove(&other, &Silent).unwrap();
    let err = stepper
        .record(store, proved.bundle, &proved.y, proved.job_root)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("step 0 (pagerank, iteration 1): the job was proved for another input"),
        "{err}"
    );
    // A store of another matrix.
    let dir = tempfile::tempdir().unwrap();
    let other_store = dense_store(dir.path(), "other", 8, 7, vec![1; 56]);
    let proved = store.prove(&x, &Silent).unwrap();
    let err = stepper
        .record(&other_store, proved.bundle, &proved.y, proved.job_root)
        .unwrap_err()
        .to_string();
    assert!(err.contains("step 0 (pagerank"), "{err}");
    // Unfinished, the chain gives no proof.
    let err = stepper.finish().unwrap_err().to_string();
    assert!(err.contains("the chain is not over"), "{err}");
}

fn rejected(proof: &zkmr_proto::ChainProof, spec: &ChainSpec) -> String {
    match verify::verify(proof, spec) {
        Err(e @ Error::Rejected { .. }) => e.to_string(),
        other => panic!("expected a rejection, got {other:?}"),
    }
}

#[test]
fn tampered_skipped_or_reordered_steps_are_rejected_naming_the_step() {
    let p = pagerank();
    let proof = prove(&p.spec, &p.stores, None, &Silent).unwrap().proof;
    let steps = proof.steps.len();
    assert!(steps >= 5);

    // A changed intermediate output fails that step's own check.
    let mut bad = proof.clone();
    let mut y = unpack_i128(&bad.steps[2].partitions[1].y, "y").unwrap();
    y[0] += 1;
    bad.steps[2].partitions[1].y = pack_i128(&y);
    let msg = rejected(&bad, &p.spec);
    assert!(msg.contains("step 2 (pagerank, iteration 3)"), "{msg}");

    // A step skipped: the next one's output is not the product of the input made from the
    // output before it.
    let mut bad = proof.clone();
    bad.steps.remove(3);
    let msg = rejected(&bad, &p.spec);
    assert!(msg.contains("step 3 (pagerank, iteration 4)"), "{msg}");

    // Two steps swapped.
    let mut bad = proof.clone();
    bad.steps.swap(1, 2);
    let msg = rejected(&bad, &p.spec);
    assert!(msg.contains("step 1 (pagerank, iteration 2)"), "{msg}");

    // Stopping early, before the tolerance is met.
    let mut bad = proof.clone();
    bad.steps.truncate(steps - 1);
    let msg = rejected(&bad, &p.spec);
    assert!(
        msg.contains(&format!("step {} is missing", steps - 1)),
        "{msg}"
    );

    // A step beyond convergence.
    let mut bad = proof.clone();
    bad.steps.push(proof.steps[steps - 1].clone());
    let msg = rejected(&bad, &p.spec);
    assert!(
        msg.contains(&format!("step {steps}: the spec ends")),
        "{msg}"
    );

    // An input the verifier makes itself, carried anyway.
    let mut bad = proof.clone();
    bad.steps[1].x = vec![0; p.n];
    let msg = rejected(&bad, &p.spec);
    assert!(
        msg.contains("step 1") && msg.contains("carries an input"),
        "{msg}"
    );

    // Another spec: a looser tolerance, or another damping.
    let mut other = p.spec.clone();
    other.stages[0].repeat = Some(Repeat {
        tolerance: 1e-3,
        max: 200,
    });
    assert!(rejected(&proof, &other).contains("another spec"));
    let mut other = p.spec.clone();
    other.stages[0].then[0] = Op::Pagerank { damping: 0.8 };
    assert!(rejected(&proof, &other).contains("another spec"));
    // The same spec text with the proof's own copy changed.
    let mut bad = proof.clone();
    bad.spec = other.canonical();
    assert!(rejected(&bad, &p.spec).contains("another spec"));

    // The matrix key twice, or missing from a step that needs it.
    let mut bad = proof.clone();
    bad.matrices.push(proof.matrices[0].clone());
    assert!(rejected(&bad, &p.spec).contains("twice"));
    let mut bad = proof.clone();
    bad.matrices.clear();
    let msg = rejected(&bad, &p.spec);
    assert!(
        msg.contains("step 0") && msg.contains("matrix key"),
        "{msg}"
    );
}

#[test]
fn a_stage_without_its_store_or_with_a_wrong_input_is_refused_before_proving() {
    let m = mlp();
    let msg = prove(&m.spec, &m.stores[..1], Some(&m.x), &Silent)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("stage 1 (layer 2): no key store"), "{msg}");
    let mut x = m.x.clone();
    x.encoding = FixedPoint::new(SCALE + 1, 32).unwrap();
    let msg = prove(&m.spec, &m.stores, Some(&x), &Silent)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("the spec says"), "{msg}");
    // A step function whose output leaves the chain's value bits is named.
    let mut narrow = m.spec.clone();
    narrow.input.value_bits = 10;
    narrow.stages[0].then[2] = Op::Append { value: 8 };
    let mut x = m.x.clone();
    x.encoding = narrow.encoding();
    x.values
        .iter_mut()
        .for_each(|v| *v = (*v).clamp(-1000, 1000));
    let err = prove(&narrow, &m.stores, Some(&x), &Silent)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("step 1 (layer 2)") && err.contains("value bits"),
        "{err}"
    );
    let _ = ChainSpec::from_json("{\"input\": {}}", "spec.json").unwrap_err();
}

/// A chain's stages may use either scheme: a halo2 layer (one vector; the development SRS)
/// feeding a pedersen one, verified and tampered with like any other.
#[test]
fn a_halo2_stage_feeds_a_pedersen_stage() {
    let dir = tempfile::tempdir().unwrap();
    let srs = zkmr_core::setup::SrsChoice::Development {
        cache_dir: dir.path().join("srs"),
    };
    let encoding = FixedPoint::new(SCALE, 32).unwrap();
    let w1: Vec<i64> = vec![300, -200, 100, 50, -120, 80, 40, -10, 256, 0, -256, 512];
    let w2: Vec<i64> = vec![128, -64, 32, 256, -100, 200, 20, -30];
    let halo2 = CommitOptions {
        scheme: zkmr_core::Scheme::Halo2,
        rows_per_partition: 2,
        srs: Some(srs),
        ..CommitOptions::default()
    };
    let m1 = IntMatrix::new(3, 4, w1.clone()).unwrap();
    commit(&m1, encoding, &halo2, &dir.path().join("h"), &Silent).unwrap();
    let stores = vec![
        JobRunner::open(&dir.path().join("h")).unwrap(),
        dense_store(dir.path(), "p", 2, 4, w2.clone()),
    ];
    let spec = two_layers(["halo2 layer", "pedersen layer"], &stores);
    let x = Vectors::one(vec![512, -256, 384, 1 << SCALE], encoding);
    let proof = prove(&spec, &stores, Some(&x), &Silent).unwrap().proof;
    assert_eq!(
        proof.matrices.len(),
        1,
        "only the pedersen key is shared out"
    );
    let outcome = verify::verify(&proof, &spec).unwrap();
    let w = vec![(3, 4, w1), (2, 4, w2)];
    assert_eq!(outcome.output, forward(&w, &x.values));

    let mut bad = proof.clone();
    let mut y = unpack_i128(&bad.steps[0].partitions[1].y, "y").unwrap();
    y[0] += 1;
    bad.steps[0].partitions[1].y = pack_i128(&y);
    let msg = rejected(&bad, &spec);
    assert!(msg.contains("step 0 (halo2 layer)"), "{msg}");
}
