//! Verifying a chain with nothing but the trusted spec: every step's bundle against its
//! stage's commitment, every input after the first made here from the output before it.

use prost::Message;

use super::spec::{uniform, ChainSpec};
use super::{Outcome, Walk};
use crate::error::{Error, Result};
use crate::verify::rejected_in;

/// Reads a chain proof, refusing any encoding but the canonical one. A file that does not
/// decode is unreadable input ([`Error::Format`]), not a rejected proof.
pub fn decode(bytes: &[u8], what: &str) -> Result<zkmr_proto::ChainProof> {
    let proof = zkmr_proto::ChainProof::decode(bytes)
        .map_err(|e| Error::Format(format!("{what}: not a chain proof: {e}")))?;
    if proof.encode_to_vec() != bytes {
        return Err(Error::Format(format!(
            "{what}: not a chain proof in the canonical encoding"
        )));
    }
    if proof.version != zkmr_proto::CHAIN_VERSION {
        return Err(Error::Format(format!(
            "{what}: chain proof version {}, this verifier reads {}",
            proof.version,
            zkmr_proto::CHAIN_VERSION
        )));
    }
    Ok(proof)
}

/// The most columns step 0's matrix can have, from the bytes that back them (the key the
/// chain carries for it, or the scheme's circuit bound): the uniform first input is made here
/// at that length, so a header's count alone must not size it.
fn carried_columns(proof: &zkmr_proto::ChainProof, first: &zkmr_proto::Bundle) -> Result<u64> {
    let key = proof
        .matrices
        .iter()
        .find(|m| m.commitment == first.matrix_commitment)
        .map(|m| m.columns.as_slice());
    crate::registry::of_bundle(first)
        .and_then(|scheme| scheme.columns_backed(key))
        .map_err(|e| rejected_in("step 0", e))
}

/// Verifies `proof` for the trusted `spec`: what the chain computed.
pub fn verify(proof: &zkmr_proto::ChainProof, spec: &ChainSpec) -> Result<Outcome> {
    if proof.spec != spec.canonical() {
        return Err(Error::rejected_bundle(
            "the chain was proved for another spec than the trusted one",
        ));
    }
    let mut used = vec![false; proof.matrices.len()];
    for (k, m) in proof.matrices.iter().enumerate() {
        if proof.matrices[..k]
            .iter()
            .any(|other| other.commitment == m.commitment)
        {
            return Err(Error::rejected_bundle(
                "a matrix key appears twice in the chain proof",
            ));
        }
    }
    let Some(first) = proof.steps.first() else {
        return Err(Error::rejected_bundle("the chain proof has no steps"));
    };
    let vectors = first.vectors.max(1) as usize;
    let first_values = if spec.input.uniform {
        let cols = first.matrix.as_ref().map_or(0, |m| m.cols);
        if cols == 0 || cols > carried_columns(proof, first)? || vectors != 1 {
            return Err(Error::rejected_bundle(
                "step 0: not one vector over a matrix the spec can start",
            ));
        }
        uniform(cols as usize, 1, spec.input.scale_bits)
    } else {
        first.x.clone()
    };
    let mut walk = Walk::start(spec, &first_values, vectors);
    let mut roots = Vec::with_capacity(proof.steps.len());
    for (k, step) in proof.steps.iter().enumerate() {
        if walk.finished() {
            return Err(Error::rejected_bundle(format!(
                "step {k}: the spec ends after {k} steps"
            )));
        }
        let label = walk.label();
        zkmr_scheme::bundle::check_version(step.version, &label).map_err(Error::rejected_bundle)?;
        let mut bundle = step.clone();
        if k > 0 || spec.input.uniform {
            if !bundle.x.is_empty() {
                return Err(Error::rejected_bundle(format!(
                    "{label}: carries an input, which the verifier makes itself"
                )));
            }
            bundle.x = walk.input().map_err(|e| rejected_in(&label, e))?;
        }
        if bundle.vectors.max(1) as usize != vectors {
            return Err(Error::rejected_bundle(format!(
                "{label}: proves {} vectors, the chain {vectors}",
                bundle.vectors.max(1)
            )));
        }
        let held = proof
            .matrices
            .iter()
            .position(|m| m.commitment == bundle.matrix_commitment);
        let key = held.map(|m| proof.matrices[m].columns.as_slice());
        let attached = crate::registry::of_bundle(&bundle)
            .and_then(|scheme| scheme.attach_matrix_key(&mut bundle, key))
            .map_err(|e| rejected_in(&label, e))?;
        if let (true, Some(m)) = (attached, held) {
            used[m] = true;
        }
        let verified = crate::verify::verify(&bundle, &walk.commitment())
            .map_err(|e| rejected_in(&label, e))?;
        if verified.x_encoding != spec.encoding() {
            return Err(Error::rejected_bundle(format!(
                "{label}: its input is not encoded as the spec says"
            )));
        }
        let rows = bundle.matrix.as_ref().map_or(0, |m| m.rows as usize);
        roots.push(verified.job_root);
        walk.advance(&verified.y, rows, verified.y_scale_bits)
            .map_err(|e| rejected_in(&label, e))?;
    }
    if !walk.finished() {
        return Err(Error::rejected_bundle(format!(
            "step {} is missing: {} has not finished after {} steps",
            walk.step,
            walk.label(),
            walk.step
        )));
    }
    if used.iter().any(|u| !u) {
        return Err(Error::rejected_bundle(
            "the chain proof holds a matrix key no step uses",
        ));
    }
    Ok(Outcome::from_walk(&walk, spec, first_values, roots))
}
