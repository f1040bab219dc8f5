//! What a verifier checks a proof against and what it learns: the `x` the relying party
//! expected, the digest every verdict names `x` by, and the verified result. Kept below the
//! schemes, which check `x` and fill a [`Verified`] each, and the dispatch that picks one.

use zkmr_math::error::{Error, Result};
use zkmr_math::fixed_point::{FixedPoint, Number};
use zkmr_math::matrix::encode_vector;
use zkmr_math::words::update_words;

use crate::id::Scheme;

/// The `x` a relying party asked about: the vectors as it holds them (encoded at the
/// bundle's declared scale to compare), or the digest of the encoded vectors.
#[derive(Clone, Debug, PartialEq)]
pub enum ExpectedX {
    Vectors(Vec<Vec<Number>>),
    Digest([u8; 32]),
}

/// What the caller expects of a verdict beyond the commitment.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Expected {
    pub x: Option<ExpectedX>,
    /// An opening's job root, from a bundle the caller verified.
    pub job_root: Option<[u8; 32]>,
}

impl Expected {
    /// Expects `x` and nothing else.
    pub fn x(x: ExpectedX) -> Self {
        Self {
            x: Some(x),
            job_root: None,
        }
    }
}

/// The digest a verdict names its `x` by: BLAKE3 over a domain tag, the number of vectors, the
/// encoding and the encoded entries, so two verdicts with one digest are about the same
/// vectors read the same way, under either scheme.
pub fn x_digest(x: &[i64], vectors: usize, encoding: FixedPoint) -> [u8; 32] {
    let mut h = blake3::Hasher::new();
    h.update(b"zkmr-x-v1");
    for v in [
        vectors as u64,
        encoding.scale_bits as u64,
        encoding.value_bits as u64,
        x.len() as u64,
    ] {
        h.update(&v.to_le_bytes());
    }
    update_words(&mut h, x, i64::to_le_bytes);
    *h.finalize().as_bytes()
}

/// Rejects `x` (`vectors` vectors of `cols`, encoded with `encoding`) unless it is the
/// expected one, naming the first difference. Callers may hand it an `x` no verifier has
/// checked yet (the holder's one-partition check, an aggregated proof), so its length is
/// checked here before any vector is sliced out of it.
pub fn check_x(
    x: &[i64],
    vectors: usize,
    encoding: FixedPoint,
    cols: usize,
    expected: &Expected,
) -> Result<()> {
    let reject = |reason: String| Err(Error::rejected_bundle(format!("x: {reason}")));
    if expected.x.is_some() && Some(x.len()) != vectors.checked_mul(cols) {
        return reject(format!(
            "it has {} entries, {vectors} vectors of {cols} columns take {}",
            x.len(),
            vectors.saturating_mul(cols)
        ));
    }
    match &expected.x {
        None => Ok(()),
        Some(ExpectedX::Digest(want)) => {
            let have = x_digest(x, vectors, encoding);
            if &have == want {
                Ok(())
            } else {
                reject(format!(
                    "it proves x with digest {}, not the expected {}",
                    hex::encode(have),
                    hex::encode(want)
                ))
            }
        }
        Some(ExpectedX::Vectors(want)) => {
            // The prover declared x's scale. A coarser one than a verifier would choose for
            // these values would let a rounded x pass for the one asked about: where an entry
            // does not encode exactly, the scale must be at least the default for non-integers.
            let least = zkmr_math::fixed_point::DEFAULT_FLOAT_SCALE_BITS;
            if encoding.scale_bits < least {
                if let Some((b, j, v)) = want.iter().enumerate().find_map(|(b, vector)| {
                    vector
                        .iter()
                        .enumerate()
                        .find(|(_, v)| !encoding.is_exact(**v))
                        .map(|(j, v)| (b, j, *v))
                }) {
                    return reject(format!(
                        "the expected {}x[{j}] = {} is not exact at the proved scale 2^{}, \
                         which rounds it; a proof for it needs scale 2^{least} or finer",
                        if vectors > 1 {
                            format!("vector {b}, ")
                        } else {
                            String::new()
                        },
                        v.as_f64(),
                        encoding.scale_bits
                    ));
                }
            }
            if want.len() != vectors {
                return reject(format!(
                    "it proves {vectors} vector(s), the expected x has {}",
                    want.len()
                ));
            }
            for (b, vector) in want.iter().enumerate() {
                if vector.len() != cols {
                    return reject(format!(
                        "expected vector {b} has {} entries, the matrix {cols} columns",
                        vector.len()
                    ));
                }
                let encoded = encode_vector(vector, encoding).map_err(|e| {
                    Error::rejected_bundle(format!(
                        "x: the expected vector {b} is not one the proved x's encoding                          (scale 2^{}, {} bits) holds: {e}",
                        encoding.scale_bits, encoding.value_bits
                    ))
                })?;
                let proved = &x[b * cols..(b + 1) * cols];
                if let Some(j) = (0..cols).find(|j| proved[*j] != encoded[*j]) {
                    let at = if vectors == 1 {
                        format!("x[{j}]")
                    } else {
                        format!("vector {b}, x[{j}]")
                    };
                    return reject(format!(
                        "it proves {at} = {} (encoded {} at scale 2^{}), the expected x has {} \
                         (encoded {})",
                        encoding.decode(proved[j] as i128),
                        proved[j],
                        encoding.scale_bits,
                        vector[j].as_f64(),
                        encoded[j]
                    ));
                }
            }
            Ok(())
        }
    }
}

/// What a successful verification establishes.
#[derive(Clone, Debug)]
pub struct Verified {
    pub scheme: Scheme,
    /// `Y = A X`, encoded at scale `s_A + s_x`: one block of the matrix's rows per vector.
    pub y: Vec<i128>,
    pub vectors: usize,
    pub y_scale_bits: u32,
    pub job_root: [u8; 32],
    pub partitions: usize,
    pub matrix_encoding: FixedPoint,
    /// The vectors the verdict is about, one after another, and their digest.
    pub x: Vec<i64>,
    pub x_encoding: FixedPoint,
    pub x_digest: [u8; 32],
    /// The bundle was made under the development SRS (halo2), whose secret is public: its
    /// verification says nothing, since anyone can forge such proofs.
    pub srs_unsafe: bool,
}

/// What an opening's check establishes.
#[derive(Clone, Debug)]
pub struct OpenedPartition {
    pub index: u32,
    pub row_start: u64,
    pub row_end: u64,
    /// The vectors the opening is about, one after another, and their digest
    /// ([`x_digest`]).
    pub x: Vec<i64>,
    pub x_encoding: FixedPoint,
    pub x_digest: [u8; 32],
    /// The partition's `y`, encoded at scale `y_scale_bits`: one block per vector.
    pub y: Vec<i128>,
    pub vectors: usize,
    pub y_scale_bits: u32,
    pub job_root: [u8; 32],
}
