//! The KZG structured reference string (BN254) and its verifier-side digest.
//!
//! Accepted files: halo2's `ParamsKZG` serialisation (`k` as u32 little-endian, then `2^k`
//! monomial and `2^k` Lagrange G1 points, then `g2` and `s·g2`), with points either compressed
//! (`SerdeFormat::Processed`, as the public ceremony-derived files are) or uncompressed
//! (`SerdeFormat::RawBytes`); the format is told apart by the file length. A larger `k`
//! than needed is downsized.
//!
//! The development SRS is derived from a published seed, so anyone can forge proofs under it;
//! it exists so that tests, examples and benchmarks run on a fresh machine, and it is always
//! labelled unsafe. Being deterministic, it gives the same commitments on every machine.

mod development;
mod verifier;

pub use development::development;
pub use verifier::VerifierSrs;

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use halo2_proofs::{
    halo2curves::bn256::{Bn256, Fq},
    poly::{commitment::Params, kzg::commitment::ParamsKZG},
    SerdeFormat,
};

use zkmr_math::error::{Error, Result};
use zkmr_math::fsio::write_atomically;
use zkmr_scheme::{SrsChoice, SrsSource};

/// Prover parameters for one circuit size.
pub type ProverParams = ParamsKZG<Bn256>;

/// Loads or generates the parameters `choice` names, for circuits of size `2^k`, and where
/// they came from.
pub fn params_for(choice: &SrsChoice, k: u32) -> Result<(ProverParams, SrsSource)> {
    match choice {
        SrsChoice::File(path) => Ok((
            load(path, k)?,
            SrsSource::File {
                path: path.display().to_string(),
            },
        )),
        SrsChoice::Development { cache_dir } => {
            Ok((development(k, cache_dir)?, SrsSource::Development))
        }
    }
}

/// Reads an SRS file and downsizes it to `k`.
pub fn load(path: &Path, k: u32) -> Result<ProverParams> {
    let len = std::fs::metadata(path)
        .map_err(|e| Error::io(path, e))?
        .len();
    let mut reader = BufReader::new(File::open(path).map_err(|e| Error::io(path, e))?);
    let mut header = [0u8; 4];
    reader
        .read_exact(&mut header)
        .map_err(|e| Error::io(path, e))?;
    let file_k = u32::from_le_bytes(header);
    if file_k > 28 {
        return Err(Error::Format(format!(
            "{}: SRS header says k = {file_k}; not a halo2 ParamsKZG file",
            path.display()
        )));
    }
    let n = 1u64 << file_k;
    let format = if len == 4 + 2 * n * 32 + 2 * 64 {
        SerdeFormat::Processed
    } else if len == 4 + 2 * n * 64 + 2 * 128 {
        SerdeFormat::RawBytes
    } else {
        return Err(Error::Format(format!(
            "{}: {len} bytes does not match a ParamsKZG file of k = {file_k} \
             (compressed or uncompressed points)",
            path.display()
        )));
    };
    if file_k < k {
        return Err(Error::Usage(format!(
            "{}: SRS of k = {file_k} is too small; the circuit needs k = {k}",
            path.display()
        )));
    }
    let mut reader = BufReader::new(File::open(path).map_err(|e| Error::io(path, e))?);
    let mut params = ProverParams::read_custom(&mut reader, format)
        .map_err(|e| Error::Format(format!("{}: {e}", path.display())))?;
    if file_k > k {
        params.downsize(k);
    }
    Ok(params)
}

/// Writes prover parameters (key stores keep a copy so that proving needs no SRS flag).
pub fn write(params: &ProverParams, path: &Path) -> Result<()> {
    write_atomically(path, |w| {
        let mut w = BufWriter::new(w);
        params.write_custom(&mut w, SerdeFormat::RawBytes)?;
        w.flush()
    })
}

/// Parameters as [`write`] writes them, as bytes (a key store hashes what it keeps).
pub fn to_bytes(params: &ProverParams) -> Vec<u8> {
    let mut bytes = Vec::new();
    params
        .write_custom(&mut bytes, SerdeFormat::RawBytes)
        .expect("writing to memory cannot fail");
    bytes
}

/// Reads parameters from the bytes of a file [`write`] wrote; `what` names it.
pub fn from_bytes(bytes: &[u8], what: &str) -> Result<ProverParams> {
    // halo2 reserves room for the 2·2^k points the first four bytes declare before reading
    // them: a declared size the bytes cannot hold is refused before that.
    let k = bytes
        .get(..4)
        .map(|b| u32::from_le_bytes(b.try_into().expect("four bytes")));
    let holds = |k: u32| k <= 28 && (bytes.len() as u64) >= (2u64 << k) * 64;
    if !k.is_some_and(holds) {
        return Err(Error::Format(format!(
            "{what}: not an SRS file: its declared size does not fit its {} bytes",
            bytes.len()
        )));
    }
    ProverParams::read_custom(&mut &bytes[..], SerdeFormat::RawBytes)
        .map_err(|e| Error::Format(format!("{what}: {e}")))
}

/// `bytes` when they are a compressed G2 point's two canonical `Fq` coordinates (the flags
/// in the top two bits aside). halo2curves' G2 decoding panics on a non-canonical
/// coordinate instead of failing, so untrusted bytes are checked here first.
pub(super) fn check_g2_coordinates<'a>(bytes: &'a [u8], what: &str) -> Result<&'a [u8]> {
    let canonical = |half: &[u8]| -> bool {
        let mut repr = [0u8; 32];
        repr.copy_from_slice(half);
        bool::from(Fq::from_bytes(&repr).is_some())
    };
    let ok = bytes.len() == 64 && canonical(&bytes[..32]) && {
        let mut c1 = [0u8; 32];
        c1.copy_from_slice(&bytes[32..]);
        c1[31] &= 0x3f;
        canonical(&c1)
    };
    if ok {
        Ok(bytes)
    } else {
        Err(Error::Format(format!(
            "srs.{what}: not a compressed G2 point"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::development::{development_setup, DEV_SEED};
    use super::*;
    use halo2_proofs::poly::commitment::ParamsProver;
    use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};

    #[test]
    fn development_srs_is_deterministic_and_cached() {
        let dir = tempfile::tempdir().unwrap();
        let a = development(4, dir.path()).unwrap();
        let b = development(4, dir.path()).unwrap();
        let c = ProverParams::setup(4, ChaCha20Rng::from_seed(DEV_SEED));
        assert_eq!(VerifierSrs::of(&a), VerifierSrs::of(&c));
        assert_eq!(a.get_g(), b.get_g());
        assert!(dir.path().join("dev-srs-k4.params").exists());
    }

    #[test]
    fn fast_development_setup_is_halo2_setup() {
        for k in [1, 4, 7] {
            let fast = development_setup(k);
            let reference = ProverParams::setup(k, ChaCha20Rng::from_seed(DEV_SEED));
            let bytes = |p: &ProverParams| {
                let mut out = Vec::new();
                p.write_custom(&mut out, SerdeFormat::RawBytes).unwrap();
                out
            };
            assert!(bytes(&fast) == bytes(&reference), "k = {k}");
        }
    }

    #[test]
    fn load_accepts_both_formats_and_downsizes() {
        let dir = tempfile::tempdir().unwrap();
        let params = development(5, dir.path()).unwrap();
        for format in [SerdeFormat::Processed, SerdeFormat::RawBytes] {
            let path = dir.path().join(format!("srs-{format:?}"));
            let mut file = File::create(&path).unwrap();
            params.write_custom(&mut file, format).unwrap();
            let loaded = load(&path, 4).unwrap();
            assert_eq!(loaded.k(), 4);
            assert_eq!(VerifierSrs::of(&loaded), VerifierSrs::of(&params));
            assert!(load(&path, 6).is_err());
        }
    }

    #[test]
    fn load_rejects_truncated_files() {
        let dir = tempfile::tempdir().unwrap();
        let params = development(4, dir.path()).unwrap();
        let path = dir.path().join("cut");
        let mut bytes = Vec::new();
        params
            .write_custom(&mut bytes, SerdeFormat::Processed)
            .unwrap();
        std::fs::write(&path, &bytes[..bytes.len() - 7]).unwrap();
        let err = load(&path, 4).unwrap_err().to_string();
        assert!(err.contains("does not match"), "{err}");
    }

    #[test]
    fn verifier_points_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let v = VerifierSrs::of(&development(4, dir.path()).unwrap());
        assert_eq!(VerifierSrs::from_proto(&v.to_proto()).unwrap(), v);
        let params = v.params(9);
        assert_eq!(params.k(), 9);
        assert_eq!(VerifierSrs::of(&params), v);
    }
}
