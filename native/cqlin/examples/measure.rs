//! Times each step of the scheme at one shape, with the plain f64 product of the same data
//! beside it and the EVM verifier's gas: `ZKMR_SOLC=tools/solc/solc.js cargo run --release -p
//! zkmr-cqlin --example measure -- ROWS COLS VECTORS`. The development SRS's tables are
//! computed first (minutes at 4096²; a ceremony SRS would ship them).

use std::hint::black_box;
use std::time::Instant;

use rand::{Rng, SeedableRng};
use snark_verifier::loader::evm::deploy_and_call;
use zkmr_cqlin::commit::commit;
use zkmr_cqlin::commitment::Header;
use zkmr_cqlin::evm::{calldata, calldata_gas, solidity};
use zkmr_cqlin::proof::{Batch, PROOF_BYTES};
use zkmr_cqlin::prove::prove;
use zkmr_cqlin::shape::Shape;
use zkmr_cqlin::srs::{Allowed, Development};
use zkmr_cqlin::verify::verify;
use zkmr_math::fixed_point::FixedPoint;

/// The plain f64 product on one core: a matvec, or `matrixmultiply`'s GEMM for a batch.
fn product(a: &[f64], x: &[f64], m: usize, n: usize, vectors: usize) -> Vec<f64> {
    let mut y = vec![0f64; vectors * m];
    if vectors == 1 {
        for (out, row) in y.iter_mut().zip(a.chunks(n)) {
            *out = row.iter().zip(x).map(|(a, x)| a * x).sum();
        }
    } else {
        // SAFETY: the slices hold vectors×n, m×n and vectors×m values.
        unsafe {
            matrixmultiply::dgemm(
                vectors,
                n,
                m,
                1.0,
                x.as_ptr(),
                n as isize,
                1,
                a.as_ptr(),
                1,
                n as isize,
                0.0,
                y.as_mut_ptr(),
                m as isize,
                1,
            )
        };
    }
    y
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let (m, n, batch_size) = (args[0], args[1], args[2]);
    let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(1);
    // Entries and inputs of 16 bits, as a layer quantised to 16 fractional bits is.
    let a: Vec<i64> = (0..m * n).map(|_| rng.gen_range(-32768..32768)).collect();
    let shape = Shape::new(m, n).unwrap();
    let srs = Development::for_shape(&shape);
    let t = Instant::now();
    let tables = srs.tables(&shape);
    println!("development SRS tables: {:.1} s", t.elapsed().as_secs_f64());
    let header = Header {
        rows: m as u64,
        cols: n as u64,
        encoding: FixedPoint::new(0, 16).unwrap(),
        srs: srs.id(),
        rows_per_partition: m as u64,
        partitions: 1,
    };
    let t = Instant::now();
    let (c, key) = commit(&a, header, &srs, &tables).unwrap();
    println!(
        "commit (M_2, cached quotients, self-test): {:.1} s",
        t.elapsed().as_secs_f64()
    );
    drop(tables);
    let bytecode = zkmr_scheme::solidity::compile_optimized(
        &solidity(&c, &Allowed { development: true }).unwrap(),
    )
    .unwrap();
    let af: Vec<f64> = a.iter().map(|v| *v as f64).collect();
    for vectors in [1, batch_size] {
        let x: Vec<i64> = (0..vectors * n)
            .map(|_| rng.gen_range(-32768..32768))
            .collect();
        let xf: Vec<f64> = x.iter().map(|v| *v as f64).collect();
        let t = Instant::now();
        let mut reps = 0;
        while reps < 3 || t.elapsed().as_secs_f64() < 0.5 {
            black_box(product(&af, &xf, m, n, vectors));
            reps += 1;
        }
        let plain = t.elapsed().as_secs_f64() / reps as f64;
        // The prover's product: exact, so in integers (each |y| < 2^45 here).
        let t = Instant::now();
        let y: Vec<i128> = product(&af, &xf, m, n, vectors)
            .iter()
            .map(|v| *v as i128)
            .collect();
        let batch = Batch {
            context: b"measure",
            vectors,
            x: &x,
            y: &y,
            x_bits: 16,
        };
        let proof = prove(&key, &c, &batch).unwrap();
        let proving = t.elapsed().as_secs_f64();
        let t = Instant::now();
        verify(
            &c,
            &c.digest(),
            &Allowed { development: true },
            &batch,
            &proof,
        )
        .unwrap();
        let verifying = t.elapsed().as_secs_f64();
        let data = calldata(&batch, &proof);
        let gas = deploy_and_call(bytecode.clone(), data.clone()).unwrap();
        let data_gas = calldata_gas(&data);
        println!(
            "{m}x{n}, {vectors} vectors: f64 product {:.1} ms; prove (product included) {:.1} ms = \
             {:.2}x; proof {PROOF_BYTES} bytes; verify {:.1} ms; EVM {gas} gas = 21000 + calldata \
             {data_gas} ({} bytes) + execution {}",
            plain * 1e3,
            proving * 1e3,
            proving / plain,
            verifying * 1e3,
            data.len(),
            gas - 21000 - data_gas
        );
    }
}
