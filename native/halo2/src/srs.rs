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

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;

use halo2_proofs::{
    halo2curves::{
        bn256::{Bn256, Fq, G1Affine, G2Affine},
        ff::FromUniformBytes,
        group::GroupEncoding,
    },
    poly::{
        commitment::{Params, ParamsProver},
        kzg::commitment::ParamsKZG,
    },
    SerdeFormat,
};
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};

use zkmr_math::error::{Error, Result};
use zkmr_math::field::F;
use zkmr_math::fsio::write_atomically;
use zkmr_scheme::{SrsChoice, SrsSource};

/// Seed of the development SRS. Public on purpose: the toxic waste is known to everyone.
const DEV_SEED: [u8; 32] = *b"zkmr development SRS: INSECURE!!";

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

/// The development SRS for `k`, from the cache directory when present.
pub fn development(k: u32, cache_dir: &Path) -> Result<ProverParams> {
    let path = cache_dir.join(format!("dev-srs-k{k}.params"));
    if let Ok(file) = File::open(&path) {
        match ProverParams::read_custom(&mut BufReader::new(file), SerdeFormat::RawBytes) {
            Ok(params) if params.k() == k => return Ok(params),
            _ => tracing::warn!(path = %path.display(), "ignoring unreadable cached SRS"),
        }
    }
    tracing::info!(
        k,
        "generating the development SRS (insecure, cached for later runs)"
    );
    let params = development_setup(k);
    std::fs::create_dir_all(cache_dir).map_err(|e| Error::io(cache_dir, e))?;
    write(&params, &path)?;
    Ok(params)
}

/// The development SRS's secret `s`: the first scalar its seeded generator draws, as in
/// halo2's own setup.
fn development_secret() -> halo2_proofs::halo2curves::bn256::Fr {
    use halo2_proofs::halo2curves::ff::Field;
    halo2_proofs::halo2curves::bn256::Fr::random(ChaCha20Rng::from_seed(DEV_SEED))
}

/// What `ProverParams::setup(k, ChaCha20Rng::from_seed(DEV_SEED))` returns, point for point,
/// an order of magnitude faster: halo2 multiplies the generator by each of the `2^(k+1)`
/// scalars with a full double-and-add, while here every scalar is cut into bytes and summed
/// from a table of the generator's byte multiples (32 additions per point). The aggregation
/// circuits need k around 21, where halo2's own setup takes minutes.
fn development_setup(k: u32) -> ProverParams {
    use halo2_proofs::arithmetic::parallelize;
    use halo2_proofs::halo2curves::{
        bn256::{Fr, G1},
        ff::{BatchInvert, Field, PrimeField},
        group::Curve,
    };

    let s = development_secret();
    let n = 1usize << k;
    let generator = G1Affine::generator();
    // table[w][b - 1] = b · 256^w · G
    let table: Vec<Vec<G1Affine>> = {
        let mut base: G1 = generator.into();
        (0..32)
            .map(|_| {
                let mut row = vec![G1::default(); 255];
                let mut acc = base;
                for entry in row.iter_mut() {
                    *entry = acc;
                    acc += base;
                }
                base = acc;
                let mut affine = vec![G1Affine::default(); 255];
                G1::batch_normalize(&row, &mut affine);
                affine
            })
            .collect()
    };
    let times_generator = |scalars: &[Fr]| -> Vec<G1Affine> {
        let mut points = vec![G1::default(); scalars.len()];
        parallelize(&mut points, |chunk, start| {
            for (point, scalar) in chunk.iter_mut().zip(&scalars[start..]) {
                let mut acc = G1::default();
                for (w, byte) in scalar.to_repr().as_ref().iter().enumerate() {
                    if *byte != 0 {
                        acc += table[w][*byte as usize - 1];
                    }
                }
                *point = acc;
            }
        });
        let mut affine = vec![G1Affine::default(); points.len()];
        parallelize(&mut affine, |chunk, start| {
            G1::batch_normalize(&points[start..start + chunk.len()], chunk);
        });
        affine
    };

    let mut powers = vec![Fr::ONE; n];
    parallelize(&mut powers, |chunk, start| {
        let mut current = s.pow_vartime([start as u64]);
        for p in chunk.iter_mut() {
            *p = current;
            current *= s;
        }
    });
    // L_i(s) = (s^n - 1) / n · ω^i / (s - ω^i)
    let mut omega = Fr::ROOT_OF_UNITY;
    for _ in k..Fr::S {
        omega = omega.square();
    }
    let multiplier = (s.pow_vartime([n as u64]) - Fr::ONE)
        * Fr::from(n as u64).invert().expect("n is invertible");
    let mut roots = vec![Fr::ONE; n];
    parallelize(&mut roots, |chunk, start| {
        let mut current = omega.pow_vartime([start as u64]);
        for r in chunk.iter_mut() {
            *r = current;
            current *= omega;
        }
    });
    let mut lagrange: Vec<Fr> = roots.iter().map(|r| s - r).collect();
    parallelize(&mut lagrange, |chunk, _| {
        chunk.iter_mut().batch_invert();
    });
    parallelize(&mut lagrange, |chunk, start| {
        for (l, r) in chunk.iter_mut().zip(&roots[start..]) {
            *l *= multiplier * r;
        }
    });

    let g2 = halo2_proofs::halo2curves::bn256::G2Affine::generator();
    let srs = VerifierSrs {
        g1: generator,
        g2,
        s_g2: (g2 * s).to_affine(),
    };
    srs.params(0).from_parts(
        k,
        times_generator(&powers),
        Some(times_generator(&lagrange)),
        srs.g2,
        srs.s_g2,
    )
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
fn check_g2_coordinates<'a>(bytes: &'a [u8], what: &str) -> Result<&'a [u8]> {
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

/// The three points a verifier needs: `g1`, `g2` and `s·g2`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifierSrs {
    pub g1: G1Affine,
    pub g2: G2Affine,
    pub s_g2: G2Affine,
}

impl VerifierSrs {
    pub fn of(params: &ProverParams) -> Self {
        let g1 = params.get_g()[0];
        Self {
            g1,
            g2: params.g2(),
            s_g2: params.s_g2(),
        }
    }

    /// Blake2b of the compressed points, reduced into the field; bound into the matrix
    /// commitment so a bundle cannot swap in a setup whose trapdoor the prover knows.
    pub fn digest(&self) -> F {
        let hash = blake2b_simd::Params::new()
            .hash_length(64)
            .personal(b"zkmr-srs-digest\0")
            .to_state()
            .update(self.g1.to_bytes().as_ref())
            .update(self.g2.to_bytes().as_ref())
            .update(self.s_g2.to_bytes().as_ref())
            .finalize();
        F::from_uniform_bytes(hash.as_array())
    }

    pub fn to_proto(&self) -> zkmr_proto::SrsVerifierParams {
        zkmr_proto::SrsVerifierParams {
            g1: self.g1.to_bytes().as_ref().to_vec(),
            g2: self.g2.to_bytes().as_ref().to_vec(),
            s_g2: self.s_g2.to_bytes().as_ref().to_vec(),
        }
    }

    pub fn from_proto(p: &zkmr_proto::SrsVerifierParams) -> Result<Self> {
        fn point<C: GroupEncoding>(bytes: &[u8], what: &str) -> Result<C> {
            let mut repr = C::Repr::default();
            if repr.as_ref().len() != bytes.len() {
                return Err(Error::Format(format!("srs.{what}: wrong length")));
            }
            repr.as_mut().copy_from_slice(bytes);
            Option::from(C::from_bytes(&repr))
                .ok_or_else(|| Error::Format(format!("srs.{what}: not a curve point")))
        }
        Ok(Self {
            g1: point(&p.g1, "g1")?,
            g2: point(check_g2_coordinates(&p.g2, "g2")?, "g2")?,
            s_g2: point(check_g2_coordinates(&p.s_g2, "s_g2")?, "s_g2")?,
        })
    }

    /// Whether these are the development SRS's points, whose secret is public: anything
    /// verified under them could have been forged.
    pub fn is_development(&self) -> bool {
        use halo2_proofs::halo2curves::group::Curve;
        self.s_g2 == (G2Affine::generator() * development_secret()).to_affine()
    }

    /// Verifier parameters for circuits of size `2^k`. The KZG verifier reads only `g1`,
    /// `g2`, `s·g2` and the size, so the point vectors hold `g1` alone.
    pub fn params(&self, k: u32) -> ProverParams {
        let mut bytes = Vec::with_capacity(4 + 2 * 32 + 2 * 64);
        bytes.extend_from_slice(&0u32.to_le_bytes());
        for _ in 0..2 {
            bytes.extend_from_slice(self.g1.to_bytes().as_ref());
        }
        bytes.extend_from_slice(self.g2.to_bytes().as_ref());
        bytes.extend_from_slice(self.s_g2.to_bytes().as_ref());
        // For n = 1 the single Lagrange point equals g1, so this is a valid size-one setup.
        let unit = ProverParams::read_custom(&mut bytes.as_slice(), SerdeFormat::Processed)
            .expect("points were valid when decoded");
        unit.from_parts(k, vec![self.g1], Some(Vec::new()), self.g2, self.s_g2)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
