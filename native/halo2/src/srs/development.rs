//! The insecure development SRS: derived from a published seed, so that tests, examples and
//! benchmarks run on a fresh machine; every verdict under it says UNSAFE.

use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use halo2_proofs::{halo2curves::bn256::G1Affine, poly::commitment::Params, SerdeFormat};
use rand_chacha::{rand_core::SeedableRng, ChaCha20Rng};

use zkmr_math::error::{Error, Result};

use super::{write, ProverParams, VerifierSrs};

/// Seed of the development SRS. Public on purpose: the toxic waste is known to everyone.
pub(super) const DEV_SEED: [u8; 32] = *b"zkmr development SRS: INSECURE!!";

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
pub(super) fn development_secret() -> halo2_proofs::halo2curves::bn256::Fr {
    use halo2_proofs::halo2curves::ff::Field;
    halo2_proofs::halo2curves::bn256::Fr::random(ChaCha20Rng::from_seed(DEV_SEED))
}

/// What `ProverParams::setup(k, ChaCha20Rng::from_seed(DEV_SEED))` returns, point for point,
/// an order of magnitude faster: halo2 multiplies the generator by each of the `2^(k+1)`
/// scalars with a full double-and-add, while here every scalar is cut into bytes and summed
/// from a table of the generator's byte multiples (32 additions per point). The aggregation
/// circuits need k around 21, where halo2's own setup takes minutes.
pub(super) fn development_setup(k: u32) -> ProverParams {
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
