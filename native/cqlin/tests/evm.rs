//! The generated Solidity verifier, compiled with `$ZKMR_SOLC` (solc-js from `tools/solc` in
//! the test command) and run in revm: it accepts the honest proof the native verifier accepts,
//! with its gas reported, and reverts on a changed `y`, `x`, context or proof byte, and on a
//! proof for another matrix.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use snark_verifier::loader::evm::deploy_and_call;
use zkmr_cqlin::commit::commit;
use zkmr_cqlin::commitment::{Commitment, Header};
use zkmr_cqlin::evm::{calldata, calldata_gas, solidity};
use zkmr_cqlin::key::ProverKey;
use zkmr_cqlin::proof::{Batch, Proof};
use zkmr_cqlin::prove::prove;
use zkmr_cqlin::shape::Shape;
use zkmr_cqlin::srs::{Allowed, Development};
use zkmr_cqlin::verify::verify;
use zkmr_math::fixed_point::FixedPoint;
use zkmr_scheme::solidity::compile_optimized as compile;

fn setup(rows: usize, cols: usize, seed: u64) -> (Vec<i64>, Commitment, ProverKey) {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let entries: Vec<i64> = (0..rows * cols).map(|_| rng.gen_range(-500..500)).collect();
    let shape = Shape::new(rows, cols).unwrap();
    let srs = Development::for_shape(&shape);
    let header = Header {
        rows: rows as u64,
        cols: cols as u64,
        encoding: FixedPoint::new(0, 10).unwrap(),
        srs: srs.id(),
        rows_per_partition: rows as u64,
        partitions: 1,
    };
    let (c, key) = commit(&entries, header, &srs, &srs.tables(&shape)).unwrap();
    (entries, c, key)
}

fn product(entries: &[i64], rows: usize, cols: usize, x: &[i64]) -> Vec<i128> {
    x.chunks(cols)
        .flat_map(|x| {
            (0..rows).map(move |i| {
                (0..cols)
                    .map(|j| i128::from(entries[i * cols + j]) * i128::from(x[j]))
                    .sum::<i128>()
            })
        })
        .collect()
}

#[test]
fn the_contract_accepts_what_the_native_verifier_accepts_and_nothing_changed() {
    let (rows, cols) = (6, 5);
    let (entries, c, key) = setup(rows, cols, 1);
    let (_, other, other_key) = setup(rows, cols, 2);
    let bytecode = compile(&solidity(&c, &Allowed { development: true }).unwrap()).unwrap();
    let mut rng = ChaCha20Rng::seed_from_u64(3);
    for vectors in [1usize, 3] {
        // Negative entries on both sides, zeros among them: the zigzag words' every case.
        let mut x: Vec<i64> = (0..vectors * cols)
            .map(|_| rng.gen_range(-900..900))
            .collect();
        x[1] = 0;
        let y = product(&entries, rows, cols, &x);
        let batch = Batch {
            context: b"a job's context, 37 bytes long......",
            vectors,
            x: &x,
            y: &y,
            x_bits: 10,
        };
        let proof = prove(&key, &c, &batch).unwrap();
        verify(
            &c,
            &c.digest(),
            &Allowed { development: true },
            &batch,
            &proof,
        )
        .unwrap();
        let data = calldata(&batch, &proof);
        let gas = deploy_and_call(bytecode.clone(), data.clone())
            .unwrap_or_else(|e| panic!("{vectors} vectors: the contract refused: {e}"));
        println!(
            "{rows}x{cols}, {vectors} vectors: {gas} gas, of which calldata {}",
            calldata_gas(&data)
        );

        let refused = |data: Vec<u8>, what: &str| {
            assert!(
                deploy_and_call(bytecode.clone(), data).is_err(),
                "the contract accepted {what}"
            );
        };
        let layout_end = data.len() - 384;
        let y_start = layout_end - 16 * vectors * rows;
        let x_start = y_start - 16 * vectors * cols;
        for k in 0..vectors * rows {
            let mut changed = data.clone();
            changed[y_start + 16 * k + 15] ^= 2;
            refused(changed, &format!("y entry {k} changed"));
        }
        for k in 0..vectors * cols {
            let mut changed = data.clone();
            changed[x_start + 16 * k + 15] ^= 2;
            refused(changed, &format!("x entry {k} changed"));
        }
        for k in (0..384).step_by(7) {
            let mut changed = data.clone();
            changed[layout_end + k] ^= 1;
            refused(changed, &format!("proof byte {k} changed"));
        }
        let mut changed = data.clone();
        changed[96] ^= 1;
        refused(changed, "a changed context");
        let mut changed = data.clone();
        changed[96 + batch.context.len()] = 1;
        refused(changed, "a nonzero byte in the context's padding");
        let mut wider = data.clone();
        wider[31] = 11;
        refused(wider, "x_bits changed");
        refused(data[..data.len() - 1].to_vec(), "a short call");

        // A proof for another matrix with the same x and its own product.
        let other_y = {
            let (e, _, _) = setup(rows, cols, 2);
            product(&e, rows, cols, &x)
        };
        let other_batch = Batch {
            y: &other_y,
            ..batch
        };
        let other_proof: Proof = prove(&other_key, &other, &other_batch).unwrap();
        refused(
            calldata(&other_batch, &other_proof),
            "another matrix's proof",
        );
    }
}

/// The generator takes its constants from the allowlist: the development SRS only when asked
/// for, and the contract then says UNSAFE. The contract has no function a selector reaches.
#[test]
fn the_contract_is_made_only_for_an_allowed_srs_and_answers_only_a_verified_call() {
    let (_, c, _) = setup(2, 3, 5);
    let refused = solidity(&c, &Allowed::default()).unwrap_err();
    assert!(refused.to_string().contains("development SRS"), "{refused}");
    let source = solidity(&c, &Allowed { development: true }).unwrap();
    assert!(source.contains("UNSAFE"));
    let bytecode = compile(&source).unwrap();
    for call in [
        vec![],
        vec![0x9a, 0x76, 0x71, 0x7a],
        vec![0xa2, 0x2b, 0xd2, 0xd3],
        vec![0; 96],
    ] {
        assert!(
            deploy_and_call(bytecode.clone(), call.clone()).is_err(),
            "the contract answered {call:02x?}"
        );
    }
}

/// A `y` past the bound the encodings give is refused before the pairing, as natively.
#[test]
fn the_contract_refuses_an_entry_past_its_bound() {
    let (entries, c, key) = setup(3, 4, 4);
    let bytecode = compile(&solidity(&c, &Allowed { development: true }).unwrap()).unwrap();
    let x = vec![3i64, -2, 1, 0];
    let y = product(&entries, 3, 4, &x);
    let batch = Batch {
        context: b"",
        vectors: 1,
        x: &x,
        y: &y,
        x_bits: 2,
    };
    let proof = prove(&key, &c, &batch).unwrap();
    deploy_and_call(bytecode.clone(), calldata(&batch, &proof)).unwrap();
    let over = Batch { x_bits: 1, ..batch };
    assert!(deploy_and_call(bytecode, calldata(&over, &proof)).is_err());
}
