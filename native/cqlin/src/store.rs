//! A cqlin key store: its three files and the [`Prover`] over them.
//!
//! - `cqlin-public.bin` (public): the commitment's public data, header then `M_2`, whose
//!   digest is the matrix commitment.
//! - `cqlin-key.bin` (secret, like the matrix): the prover's cached data — per padded column
//!   `[Q_j]`, `[S_j]`, `[σ^{m'}·S_j]`, `T_j`, then the `m'` bases `U_i` — as EIP-196 points, in
//!   that order; their count follows from the shape.
//! - `cqlin-matrix.bin` (secret): the encoded entries, row-major, little-endian, 4 bytes each
//!   where the encoding's values fit 31 bits and 8 otherwise.
//!
//! Map tasks compute their partition's `Y_p = A_p·X` and nothing else; the reducer, which holds
//! the cached data, proves the whole job at once from the gathered `y` (the quotients need
//! every column, so a partition has no proof of its own). Files are read on first use and kept,
//! so a long-lived prover pays the read once.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use rayon::prelude::*;
use zkmr_math::error::{Error, Result};
use zkmr_math::matrix::gather_outputs;
use zkmr_math::product::Multiplicand;
use zkmr_math::sparse::Block;
use zkmr_scheme::digest::PartitionId;
use zkmr_scheme::store::{KeyStore, KeyStoreWriter};
use zkmr_scheme::{
    each_partition, products_hold, x_digest, Assembled, PartitionProved, Prover, Scheme, Vectors,
    Verified,
};

use crate::bundle::{bundle_of, context, DOMAIN};
use crate::commitment::Commitment;
use crate::encoding::{g1_bytes, g1_from_bytes, G1_BYTES};
use crate::key::ProverKey;
use crate::proof::Batch;
use crate::srs::Allowed;

/// The public data's file.
pub const PUBLIC: &str = "cqlin-public.bin";
/// The cached data's file.
pub const KEY: &str = "cqlin-key.bin";
/// The matrix's file.
pub const MATRIX: &str = "cqlin-matrix.bin";

/// Bytes per stored entry under an encoding of `value_bits`.
fn entry_bytes(value_bits: u32) -> usize {
    if value_bits <= 31 {
        4
    } else {
        8
    }
}

/// Writes the store's three files.
pub fn write(
    writer: &KeyStoreWriter,
    commitment: &Commitment,
    key: &ProverKey,
    entries: &[i64],
) -> Result<()> {
    writer.write_file(PUBLIC, &commitment.bytes(), false)?;
    let points = key
        .quotients
        .iter()
        .chain(&key.shifted)
        .chain(&key.raised)
        .chain(&key.cols)
        .chain(&key.rows);
    let key_bytes: Vec<u8> = points.flat_map(g1_bytes).collect();
    writer.write_file(KEY, &key_bytes, true)?;
    let matrix: Vec<u8> = if entry_bytes(commitment.header.encoding.value_bits) == 4 {
        entries
            .iter()
            .flat_map(|v| (*v as i32).to_le_bytes())
            .collect()
    } else {
        entries.iter().flat_map(|v| v.to_le_bytes()).collect()
    };
    writer.write_file(MATRIX, &matrix, true)
}

/// The prover of a cqlin key store.
#[derive(Debug)]
pub struct CqlinProver {
    store: KeyStore,
    ids: Vec<PartitionId>,
    commitment: [u8; 32],
    public: OnceLock<Commitment>,
    key: OnceLock<Arc<ProverKey>>,
    matrix: OnceLock<Arc<Vec<i64>>>,
}

impl CqlinProver {
    pub fn new(store: KeyStore) -> Result<Self> {
        Ok(Self {
            ids: store.manifest.partition_ids(),
            commitment: store.manifest.commitment()?,
            store,
            public: OnceLock::new(),
            key: OnceLock::new(),
            matrix: OnceLock::new(),
        })
    }

    fn cols(&self) -> usize {
        self.store.manifest.cols as usize
    }

    /// The public data, checked against the manifest's commitment and shape.
    pub fn public(&self) -> Result<&Commitment> {
        if let Some(c) = self.public.get() {
            return Ok(c);
        }
        let what = self.store.file(PUBLIC).display().to_string();
        let public = Commitment::from_bytes(&self.store.read(PUBLIC)?)
            .map_err(|e| Error::Format(format!("{what}: {e}")))?;
        let m = &self.store.manifest;
        let h = &public.header;
        if public.digest() != self.commitment
            || (h.rows, h.cols, h.encoding) != (m.rows, m.cols, m.encoding)
            || h.rows_per_partition != m.rows_per_partition as u64
            || h.partitions != self.ids.len() as u64
        {
            return Err(Error::Format(format!(
                "{what}: not the public data of the matrix the manifest describes"
            )));
        }
        Ok(self.public.get_or_init(|| public))
    }

    /// The cached data, with the verifier's constants for the self-check of every proof.
    fn key(&self) -> Result<Arc<ProverKey>> {
        if let Some(k) = self.key.get() {
            return Ok(k.clone());
        }
        let public = self.public()?;
        let shape = public.header.shape()?;
        let what = self.store.file(KEY).display().to_string();
        let bytes = self.store.read(KEY)?;
        let (mp, np) = (shape.padded_rows(), shape.padded_cols());
        let count = 4 * np + mp;
        if bytes.len() != count * G1_BYTES {
            return Err(Error::Format(format!(
                "{what}: {} bytes, the cached data of a {}x{} matrix take {}",
                bytes.len(),
                shape.rows,
                shape.cols,
                count * G1_BYTES
            )));
        }
        let points = bytes
            .par_chunks(G1_BYTES)
            .enumerate()
            .map(|(k, b)| {
                g1_from_bytes(b).map_err(|e| Error::Format(format!("{what}: point {k}: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let part = |k: usize, len: usize| points[k * np..k * np + len].to_vec();
        let key = ProverKey {
            shape,
            quotients: part(0, np),
            shifted: part(1, np),
            raised: part(2, np),
            cols: part(3, np),
            rows: part(4, mp),
            constants: Allowed { development: true }.constants(&public.header.srs, &shape)?,
        };
        Ok(self.key.get_or_init(|| Arc::new(key)).clone())
    }

    /// The matrix's entries, row-major.
    fn matrix(&self) -> Result<Arc<Vec<i64>>> {
        if let Some(m) = self.matrix.get() {
            return Ok(m.clone());
        }
        let m = &self.store.manifest;
        let what = self.store.file(MATRIX).display().to_string();
        let bytes = self.store.read(MATRIX)?;
        let width = entry_bytes(m.encoding.value_bits);
        let entries = (m.rows as usize).checked_mul(m.cols as usize);
        if Some(bytes.len()) != entries.and_then(|e| e.checked_mul(width)) {
            return Err(Error::Format(format!(
                "{what}: {} bytes do not hold a {}x{} matrix of {width}-byte entries",
                bytes.len(),
                m.rows,
                m.cols
            )));
        }
        let values = if width == 4 {
            bytes
                .chunks_exact(4)
                .map(|b| i32::from_le_bytes(b.try_into().expect("4 bytes")) as i64)
                .collect()
        } else {
            bytes
                .chunks_exact(8)
                .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect()
        };
        Ok(self.matrix.get_or_init(|| Arc::new(values)).clone())
    }

    fn id(&self, index: u32) -> Result<PartitionId> {
        self.ids.get(index as usize).copied().ok_or_else(|| {
            Error::Input(format!(
                "partition {index} is not in the key store, which has {} partitions",
                self.ids.len()
            ))
        })
    }

    /// Partition `index`'s rows, row-major.
    fn rows(&self, index: u32) -> Result<(PartitionId, Arc<Vec<i64>>)> {
        Ok((self.id(index)?, self.matrix()?))
    }

    /// Partition `index`'s product: all the cqlin scheme asks of a partition, since its proof
    /// is one for the whole job.
    fn prove_over(&self, index: u32, xs: &Multiplicand<'_>) -> Result<PartitionProved> {
        let started = Instant::now();
        let (id, matrix) = self.rows(index)?;
        let cols = self.cols();
        let block = &matrix[id.row_start as usize * cols..id.row_end as usize * cols];
        let rows = (id.row_end - id.row_start) as usize;
        let y = zkmr_math::product::product_of(block, rows, cols, xs);
        Ok(PartitionProved {
            y,
            proof: zkmr_proto::PartitionProof {
                index,
                row_start: id.row_start,
                row_end: id.row_end,
                ..Default::default()
            },
            device: "cpu".into(),
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    /// The proof of `y = A·x` for the whole job, or why not (a `y` that is not the product,
    /// which the prover's own check refuses, or one past its bound).
    fn prove_job(&self, x: &Vectors, y: &[i128]) -> Result<Vec<u8>> {
        let key = self.key()?;
        let public = self.public()?;
        let context = context(x.encoding);
        let batch = Batch {
            context: &context,
            vectors: x.count,
            x: &x.values,
            y,
            x_bits: x.encoding.value_bits,
        };
        Ok(crate::prove::prove(&key, public, &batch)?.to_bytes())
    }
}

impl Prover for CqlinProver {
    fn scheme(&self) -> Scheme {
        Scheme::Cqlin
    }

    fn is_unsafe(&self) -> bool {
        self.store.manifest.is_unsafe()
    }

    fn block(&self, index: u32) -> Result<Arc<Block>> {
        let (id, matrix) = self.rows(index)?;
        let cols = self.cols();
        Ok(Arc::new(Block::Dense(
            matrix[id.row_start as usize * cols..id.row_end as usize * cols].to_vec(),
        )))
    }

    fn prove_partition(&self, index: u32, x: &Vectors) -> Result<PartitionProved> {
        self.prove_over(index, &Multiplicand::new(&x.values, x.count))
    }

    /// Every partition's product reads one [`Multiplicand`], so a batch is converted for the
    /// f64 kernel once, not once per partition.
    fn prove_partitions(
        &self,
        count: u32,
        x: &Vectors,
        done: &(dyn Fn(u32) + Sync),
    ) -> Result<Vec<PartitionProved>> {
        let xs = Multiplicand::new(&x.values, x.count);
        each_partition(count, done, |index| self.prove_over(index, &xs))
    }

    /// The prover's check is [`crate::prove::prove`]'s: the verifier's equation over the proof
    /// it made, before it is released; a `y` that is not `A·X` gets no proof, and the bundle
    /// then carries none (the job layer names the faulty partitions with
    /// [`Prover::partitions_hold`]).
    fn assemble(&self, x: &Vectors, partitions: Vec<PartitionProved>) -> Result<Assembled> {
        let manifest = &self.store.manifest;
        let rows = manifest.rows as usize;
        let y = gather_outputs(
            rows,
            x.count,
            partitions
                .iter()
                .map(|p| (p.proof.row_start as usize, p.y.as_slice())),
        );
        let proved = self.prove_job(x, &y);
        let leaf_x = DOMAIN.vectors_digest(&x.values);
        let leaves: Vec<[u8; 32]> = partitions
            .par_iter()
            .zip(&self.ids)
            .map(|(p, id)| DOMAIN.job_leaf(id, &leaf_x, &p.y))
            .collect();
        let root = DOMAIN.job_root(&self.commitment, x.count, x.encoding, &leaves);
        let public = self.public()?;
        let (proof, checked) = match proved {
            Ok(proof) => (
                proof,
                Ok(Verified {
                    scheme: Scheme::Cqlin,
                    y,
                    vectors: x.count,
                    y_scale_bits: manifest.encoding.scale_bits + x.encoding.scale_bits,
                    job_root: root,
                    partitions: partitions.len(),
                    matrix_encoding: manifest.encoding,
                    x: x.values.clone(),
                    x_encoding: x.encoding,
                    x_digest: x_digest(&x.values, x.count, x.encoding),
                    srs_unsafe: self.is_unsafe(),
                }),
            ),
            Err(e) => (Vec::new(), Err(e)),
        };
        let bundle = bundle_of(public, &self.commitment, x, partitions, root, proof);
        Ok(Assembled { bundle, checked })
    }

    fn key_digest(&self, _index: u32) -> Result<Option<[u8; 32]>> {
        Ok(None)
    }

    fn job_leaf(&self, index: u32, x: &Vectors, y: &[i128]) -> Result<[u8; 32]> {
        Ok(DOMAIN.job_leaf(&self.id(index)?, &DOMAIN.vectors_digest(&x.values), y))
    }

    fn open_partition(
        &self,
        _bundle: &zkmr_proto::Bundle,
        _index: u32,
    ) -> Result<zkmr_proto::PartitionOpening> {
        Err(Error::Usage(
            "the cqlin scheme makes no partition openings: its one proof is for the whole job \
             (the pedersen scheme opens partitions)"
                .into(),
        ))
    }

    fn partitions_hold(
        &self,
        bundle: &zkmr_proto::Bundle,
        indices: &[u32],
    ) -> Result<Option<Vec<bool>>> {
        products_hold(
            bundle,
            (Scheme::Cqlin, &self.commitment, &self.ids, self.cols()),
            indices,
            |index, xs| Ok(self.prove_over(index, xs)?.y),
        )
    }
}
