//! The EVM verifier (`docs/cqlin.md` 9.3, 12.4): a Solidity contract generated per matrix
//! commitment, holding the commitment, its header and `M_2` and the four `G2` constants of the
//! SRS the allowlist gives for it, and replaying the native transcript byte for byte. It has no
//! function but its fallback: a call returns only after the pairing check has passed. Its field work over `x` and `y` is one pass
//! (each entry decoded, folded with `γ` and added to a barycentric sum kept as a fraction, so
//! no inversion per entry; the bound checked once on the OR of the magnitudes), then eight `ecMul`s and one five-pair `ecPairing`.
//! Any `solc` 0.8.19 compiles it; the tests use solc-js (`tools/solc`) and revm.

use halo2_proofs::halo2curves::bn256::{Fr, G2Affine};
use halo2_proofs::halo2curves::ff::{Field, PrimeField};
use sha3::{Digest, Keccak256};
use zkmr_math::error::{Error, Result};

use crate::commitment::Commitment;
use crate::encoding::{g2_bytes, in_subgroup, word};
use crate::proof::{Batch, Proof};
use crate::srs::{development_id, Allowed};

const TEMPLATE: &str = include_str!("evm/Verifier.sol");

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn scalar_word(v: &Fr) -> String {
    let mut be = v.to_repr();
    be.as_mut().reverse();
    format!("0x{}", hex(be.as_ref()))
}

/// A `G2` point as the four words EIP-197 takes.
fn g2_words(p: &G2Affine) -> Vec<String> {
    g2_bytes(p)
        .chunks(32)
        .map(|w| format!("0x{}", hex(w)))
        .collect()
}

/// `mstore`s of `bytes` from `data` on, a word at a time (the last padded with zeros).
fn stores(bytes: &[u8]) -> String {
    bytes
        .chunks(32)
        .enumerate()
        .map(|(k, chunk)| {
            let mut w = [0u8; 32];
            w[..chunk.len()].copy_from_slice(chunk);
            format!("mstore(add(data, {}), 0x{})", 32 * k, hex(&w))
        })
        .collect::<Vec<_>>()
        .join("\n                ")
}

/// The Solidity source of the verifier for `commitment`, with the constants of the SRS its
/// header names, taken from the allowlist (never from a store); the development SRS only when
/// `allowed` says so, and then the contract says UNSAFE.
pub fn solidity(commitment: &Commitment, allowed: &Allowed) -> Result<String> {
    let header = commitment.header;
    let shape = header.shape()?;
    let constants = allowed.constants(&header.srs, &shape)?;
    if !in_subgroup(&commitment.m2) {
        return Err(Error::Input(
            "the commitment's M_2 is not in G2's prime-order subgroup".into(),
        ));
    }
    let srs_note = if header.srs == development_id(shape.log_entries()) {
        "UNSAFE: made under the development SRS, whose trapdoor is public: anyone can forge a \
         proof this contract accepts."
    } else {
        "Made under an SRS on zkmr's allowlist."
    };
    let r = -Fr::ONE;
    let r_minus_2 = r - Fr::ONE;
    // `r` itself is not an `Fr`; its hex is that of `r − 1` plus one.
    let modulus = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
    debug_assert_eq!(scalar_word(&r), modulus.replace("0000001", "0000000"));
    let two_256 = Fr::from(2).pow_vartime([256u64]);
    let inv = |v: usize| Fr::from(v as u64).invert().unwrap();
    let h0: [u8; 32] = Keccak256::digest(crate::transcript::TAG).into();
    let args = |p: &G2Affine| g2_words(p).join(", ");
    let col_bits = usize::BITS - shape.cols.leading_zeros();
    let replacements: [(&str, String); 23] = [
        ("{{DIGEST}}", format!("0x{}", hex(&commitment.digest()))),
        ("{{HEADER_HEX}}", hex(&header.bytes())),
        ("{{R_MINUS_2}}", scalar_word(&r_minus_2)),
        ("{{R256}}", scalar_word(&two_256)),
        ("{{R}}", modulus.into()),
        (
            "{{Q}}",
            "0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47".into(),
        ),
        ("{{A_BITS}}", header.encoding.value_bits.to_string()),
        ("{{COL_BITS}}", col_bits.to_string()),
        ("{{COLS_INV}}", scalar_word(&inv(shape.padded_cols()))),
        ("{{ROWS_INV}}", scalar_word(&inv(shape.padded_rows()))),
        ("{{COLS}}", shape.cols.to_string()),
        ("{{ROWS}}", shape.rows.to_string()),
        ("{{LOG_ROWS}}", shape.log_rows.to_string()),
        ("{{LOG_COLS}}", shape.log_cols.to_string()),
        (
            "{{OMEGA_COLS_INV}}",
            scalar_word(&shape.col_root().invert().unwrap()),
        ),
        (
            "{{OMEGA_ROWS_INV}}",
            scalar_word(&shape.row_root().invert().unwrap()),
        ),
        ("{{H0}}", format!("0x{}", hex(&h0))),
        ("{{HEADER_WORDS}}", stores(&header.bytes())),
        ("{{M2_WORDS}}", stores(&g2_bytes(&commitment.m2))),
        ("{{M2_ARGS}}", args(&commitment.m2)),
        ("{{G2_ONE}}", args(&constants.one)),
        ("{{G2_ALL}}", args(&constants.sigma_entries)),
        ("{{G2_SIGMA}}", args(&constants.sigma)),
    ];
    let mut source = TEMPLATE
        .replace("{{G2_ROWS}}", &args(&constants.sigma_rows))
        .replace("{{SRS_NOTE}}", srs_note);
    for (key, value) in replacements.iter() {
        source = source.replace(key, value);
    }
    debug_assert!(
        !source.contains("{{"),
        "a placeholder is left in the verifier"
    );
    Ok(source)
}

/// The call that asks the verifier about `batch` and `proof` (the layout the contract's
/// comment gives).
pub fn calldata(batch: &Batch, proof: &Proof) -> Vec<u8> {
    let mut out = Vec::new();
    for v in [
        u64::from(batch.x_bits),
        batch.vectors as u64,
        batch.context.len() as u64,
    ] {
        let mut w = [0u8; 32];
        w[24..].copy_from_slice(&v.to_be_bytes());
        out.extend_from_slice(&w);
    }
    out.extend_from_slice(batch.context);
    out.resize(out.len().div_ceil(32) * 32, 0);
    for v in batch.x {
        out.extend_from_slice(&word(i128::from(*v)));
    }
    for v in batch.y {
        out.extend_from_slice(&word(*v));
    }
    out.extend_from_slice(&proof.to_bytes());
    out
}

/// The gas a transaction pays for `calldata` (EIP-2028: 4 a zero byte, 16 any other).
pub fn calldata_gas(calldata: &[u8]) -> u64 {
    calldata.iter().map(|b| if *b == 0 { 4 } else { 16 }).sum()
}
