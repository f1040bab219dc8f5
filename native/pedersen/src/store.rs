//! A Pedersen key store opened for proving: the [`Prover`] of the scheme.
//!
//! Map tasks compute their partition's `Y_p = A_p·X` exactly and nothing else: no secret
//! reaches them beyond their block. The reducer, which holds the store's secret, assembles
//! `Y`, proves knowledge of the blinding `Σ_j x'_j·ρ_j` the job check leaves over, and binds
//! every partition into the job root. A partition of a verified job is opened against the
//! same matrix key ([`super::opening`]).
//!
//! Blocks are read from disk on first use and kept, so a long-lived prover (an executor, a
//! service proving many vectors) pays the read once.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use halo2_proofs::halo2curves::bn256::{Fr, G1Affine};
use prost::Message;
use rayon::prelude::*;

use super::encoding::{points_from_bytes, scalar_from_bytes, SCALAR_BYTES};
use super::generators::{self, TAG};
use super::msm::mul_h;
use super::opening;
use super::proof::{self, Statement};
use super::statement::{job_leaf, job_root, vectors_digest, MatrixHeader, PartitionId};
use super::transcript::merkle_path;
use zkmr_math::error::{Error, Result};
use zkmr_math::fixed_point::{output_bound, FixedPoint};
use zkmr_math::matrix::gather_outputs;
use zkmr_math::product::Multiplicand;
use zkmr_math::sparse::{Block, SparseRows};
use zkmr_scheme::store::KeyStore;
use zkmr_scheme::{
    each_partition, products_hold, x_digest, Assembled, PartitionProved, Prover, Scheme, Vectors,
    Verified,
};

/// The public matrix key's file.
pub const MATRIX_KEY: &str = "matrix.key";
/// The secret's file.
pub const SECRET: &str = "secret.key";

/// The file of partition `index`, relative to the store.
pub fn partition_file(index: u32) -> String {
    format!("partitions/{index:06}.part")
}

/// The secret of a store: `ρ_j`, the blinding of each column of the matrix key.
#[derive(Debug)]
pub struct Secret {
    pub column_blindings: Vec<Fr>,
}

/// The prover of a Pedersen key store.
#[derive(Debug)]
pub struct PedersenProver {
    store: KeyStore,
    ids: Vec<PartitionId>,
    commitment: [u8; 32],
    columns: OnceLock<Vec<u8>>,
    column_points: OnceLock<Vec<G1Affine>>,
    secret: OnceLock<Secret>,
    blocks: Vec<OnceLock<Arc<Block>>>,
}

impl PedersenProver {
    pub fn new(store: KeyStore) -> Result<Self> {
        let ids = store.manifest.partition_ids();
        let commitment = store.manifest.commitment()?;
        Ok(Self {
            blocks: (0..ids.len()).map(|_| OnceLock::new()).collect(),
            store,
            ids,
            commitment,
            columns: OnceLock::new(),
            column_points: OnceLock::new(),
            secret: OnceLock::new(),
        })
    }

    fn cols(&self) -> usize {
        self.store.manifest.cols as usize
    }

    /// The matrix key's encoded columns `C_j`.
    pub fn columns(&self) -> Result<&[u8]> {
        if let Some(c) = self.columns.get() {
            return Ok(c);
        }
        let path = self.store.file(MATRIX_KEY);
        let key = zkmr_proto::PedersenMatrixKey::decode(self.store.read(MATRIX_KEY)?.as_slice())
            .map_err(|e| Error::Format(format!("{}: {e}", path.display())))?;
        if key.generators != TAG {
            return Err(Error::Format(format!(
                "{}: generators \"{}\", this build knows \"{TAG}\"",
                path.display(),
                key.generators
            )));
        }
        let points = points_from_bytes(&key.columns, self.cols(), &path.display().to_string())?;
        self.column_points.get_or_init(|| points);
        Ok(self.columns.get_or_init(|| key.columns))
    }

    /// The store's secret.
    pub fn secret(&self) -> Result<&Secret> {
        if let Some(s) = self.secret.get() {
            return Ok(s);
        }
        let path = self.store.file(SECRET);
        let what = path.display().to_string();
        let secret = zkmr_proto::PedersenSecret::decode(self.store.read(SECRET)?.as_slice())
            .map_err(|e| Error::Format(format!("{what}: {e}")))?;
        if secret.column_blindings.len() != self.cols() * SCALAR_BYTES {
            return Err(Error::Format(format!(
                "{what}: {} bytes of column blindings for {} columns",
                secret.column_blindings.len(),
                self.cols()
            )));
        }
        let column_blindings = secret
            .column_blindings
            .chunks(SCALAR_BYTES)
            .enumerate()
            .map(|(j, b)| scalar_from_bytes(b, &format!("{what}: column blinding {j}")))
            .collect::<Result<_>>()?;
        Ok(self.secret.get_or_init(|| Secret { column_blindings }))
    }

    /// Reads partition `index`'s block from disk, checking it is the one the manifest lists.
    pub fn read_partition(&self, index: u32) -> Result<Block> {
        let id = self.ids.get(index as usize).ok_or_else(|| {
            Error::Input(format!(
                "partition {index} is not in the key store, which has {} partitions",
                self.ids.len()
            ))
        })?;
        let name = partition_file(index);
        let what = self.store.file(&name).display().to_string();
        let part = zkmr_proto::PedersenPartition::decode(self.store.read(&name)?.as_slice())
            .map_err(|e| Error::Format(format!("{what}: {e}")))?;
        let rows = (id.row_end - id.row_start) as usize;
        let width = part.entry_bytes as usize;
        let entries = if part.sparse {
            part.col_index.len() / 4
        } else {
            rows * self.cols()
        };
        if part.index != index
            || (part.row_start, part.row_end) != (id.row_start, id.row_end)
            || !matches!(width, 4 | 8)
            || part.block.len() != entries * width
            || !(part.sparse || part.row_offsets.is_empty() && part.col_index.is_empty())
            || (part.sparse && part.row_offsets.len() != (rows + 1) * 8)
        {
            return Err(Error::Format(format!(
                "{what}: does not hold partition {index} as the manifest lists it"
            )));
        }
        let values = if width == 4 {
            part.block
                .chunks_exact(4)
                .map(|b| i32::from_le_bytes(b.try_into().expect("4 bytes")) as i64)
                .collect()
        } else {
            part.block
                .chunks_exact(8)
                .map(|b| i64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect()
        };
        Ok(if part.sparse {
            let sparse = SparseRows {
                offsets: part
                    .row_offsets
                    .chunks_exact(8)
                    .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
                    .collect(),
                cols: part
                    .col_index
                    .chunks_exact(4)
                    .map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
                    .collect(),
                values,
            };
            sparse.check(rows, self.cols(), &what)?;
            Block::Sparse(sparse)
        } else {
            Block::Dense(values)
        })
    }

    fn cached_block(&self, index: u32) -> Result<Arc<Block>> {
        let slot = self.blocks.get(index as usize).ok_or_else(|| {
            Error::Input(format!(
                "partition {index} is not in the key store, which has {} partitions",
                self.ids.len()
            ))
        })?;
        if let Some(block) = slot.get() {
            return Ok(block.clone());
        }
        let block = Arc::new(self.read_partition(index)?);
        Ok(slot.get_or_init(|| block).clone())
    }

    /// The matrix key's columns `C_j` as points, decoded when [`Self::columns`] reads them.
    fn column_points(&self) -> Result<&[G1Affine]> {
        self.columns()?;
        Ok(self.column_points.get().expect("decoded with the columns"))
    }

    /// What the verifier checks, over the values this prover made the proof from: every `y`
    /// entry within the bound the encodings allow, and `Σ_j x'_j·C_j − Σ_i y'_i·G_i = ρ*·H` for
    /// the folded `x'`, `y'` and the `ρ*` the Schnorr proof shows knowledge of, which is what
    /// that proof's check establishes. A `y` that is not `A·X` (a task's error, a store whose
    /// blocks no longer match its columns) fails it as it fails the verifier.
    fn check(
        &self,
        partitions: &[PartitionProved],
        folded: &proof::Folded,
        rho: &Fr,
        x_encoding: FixedPoint,
    ) -> Result<()> {
        let manifest = &self.store.manifest;
        let bound = output_bound(self.cols(), manifest.encoding, x_encoding);
        for p in partitions {
            if let Some(why) = proof::beyond_bound(&p.y, bound) {
                return Err(Error::rejected(p.proof.index, why));
            }
        }
        let rows = manifest.rows as usize;
        let generators = generators::rows(rows);
        let p = folded.point(self.column_points()?, &generators, 0..rows);
        if p != mul_h(rho) {
            return Err(Error::rejected_bundle(proof::CHECK_FAILS));
        }
        Ok(())
    }

    /// Partition `index`'s product: all the Pedersen scheme asks of a partition, since its
    /// proof is one check over the whole job.
    fn prove_over(&self, index: u32, xs: &Multiplicand<'_>) -> Result<PartitionProved> {
        let started = Instant::now();
        let block = self.cached_block(index)?;
        let id = self.ids[index as usize];
        let rows = (id.row_end - id.row_start) as usize;
        let y = block.product(rows, self.cols(), xs);
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
}

impl Prover for PedersenProver {
    fn scheme(&self) -> Scheme {
        Scheme::Pedersen
    }

    fn is_unsafe(&self) -> bool {
        false
    }

    fn block(&self, index: u32) -> Result<Arc<Block>> {
        self.cached_block(index)
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

    /// Checked by [`PedersenProver::check`]: the verifier's relation over the values the proof
    /// was made from, not a second pass over the bundle.
    fn assemble(&self, x: &Vectors, partitions: Vec<PartitionProved>) -> Result<Assembled> {
        let manifest = &self.store.manifest;
        let (rows, cols) = (manifest.rows as usize, self.cols());
        // y as one block of all rows per vector.
        let y = gather_outputs(
            rows,
            x.count,
            partitions
                .iter()
                .map(|p| (p.proof.row_start as usize, p.y.as_slice())),
        );
        let y_scale_bits = manifest.encoding.scale_bits + x.encoding.scale_bits;
        let statement = Statement {
            commitment: &self.commitment,
            partition: None,
            rows,
            cols,
            x: &x.values,
            vectors: x.count,
            x_encoding: x.encoding,
            y: &y,
            y_scale_bits,
        };
        let (t, folded) = proof::transcript(&statement);
        let rho = folded.blinding(&self.secret()?.column_blindings);
        let (commitment_t, s) = proof::prove(t, rho);

        let leaf_x = vectors_digest(&x.values);
        let leaves: Vec<[u8; 32]> = partitions
            .par_iter()
            .zip(&self.ids)
            .map(|(p, id)| job_leaf(id, &leaf_x, &p.y))
            .collect();
        let root = job_root(&self.commitment, x.count, x.encoding, &leaves);
        let checked = self
            .check(&partitions, &folded, &rho, x.encoding)
            .map(|()| Verified {
                scheme: Scheme::Pedersen,
                y,
                vectors: x.count,
                y_scale_bits,
                job_root: root,
                partitions: partitions.len(),
                matrix_encoding: manifest.encoding,
                x: x.values.clone(),
                x_encoding: x.encoding,
                x_digest: x_digest(&x.values, x.count, x.encoding),
                srs_unsafe: false,
            });
        let bundle = zkmr_proto::Bundle {
            version: zkmr_proto::BUNDLE_VERSION,
            matrix: Some(zkmr_proto::MatrixMeta {
                rows: manifest.rows,
                cols: manifest.cols,
                encoding: Some(zkmr_scheme::bundle::encoding_to_proto(manifest.encoding)),
                rows_per_partition: manifest.rows_per_partition,
                ..Default::default()
            }),
            srs: None,
            matrix_commitment: self.commitment.to_vec(),
            x: x.values.clone(),
            x_encoding: Some(zkmr_scheme::bundle::encoding_to_proto(x.encoding)),
            partitions: partitions
                .into_iter()
                .map(|p| zkmr_proto::PartitionProof {
                    y: zkmr_math::field::pack_i128(&p.y),
                    ..p.proof
                })
                .collect(),
            job_root: root.to_vec(),
            scheme: Scheme::Pedersen.to_proto(),
            vectors: x.count as u32,
            cqlin: None,
            pedersen: Some(zkmr_proto::PedersenProof {
                generators: TAG.into(),
                columns: self.columns()?.to_vec(),
                t: super::encoding::point_to_bytes(&commitment_t).to_vec(),
                s: super::encoding::scalar_to_bytes(&s).to_vec(),
            }),
        };
        Ok(Assembled { bundle, checked })
    }

    fn key_digest(&self, _index: u32) -> Result<Option<[u8; 32]>> {
        Ok(None)
    }

    fn job_leaf(&self, index: u32, x: &Vectors, y: &[i128]) -> Result<[u8; 32]> {
        let id = self
            .ids
            .get(index as usize)
            .ok_or_else(|| Error::Input(format!("partition {index} is not in the key store")))?;
        Ok(job_leaf(id, &vectors_digest(&x.values), y))
    }

    fn open_partition(
        &self,
        bundle: &zkmr_proto::Bundle,
        index: u32,
    ) -> Result<zkmr_proto::PartitionOpening> {
        let id = *self.ids.get(index as usize).ok_or_else(|| {
            Error::Usage(format!(
                "partition {index} is not in the key store, which has {} partitions",
                self.ids.len()
            ))
        })?;
        let manifest = &self.store.manifest;
        let vectors = bundle.vectors.max(1) as usize;
        let x_digest = vectors_digest(&bundle.x);
        let blocks = bundle
            .partitions
            .iter()
            .map(|p| zkmr_scheme::bundle::partition_y(bundle.version, &p.y, "y"))
            .collect::<Result<Vec<_>>>()?;
        let job_leaves: Vec<[u8; 32]> = self
            .ids
            .iter()
            .zip(&blocks)
            .map(|(id, y)| job_leaf(id, &x_digest, y))
            .collect();
        let y = gather_outputs(
            manifest.rows as usize,
            vectors,
            self.ids
                .iter()
                .zip(&blocks)
                .map(|(id, block)| (id.row_start as usize, block.as_slice())),
        );
        let job_root: [u8; 32] = bundle
            .job_root
            .as_slice()
            .try_into()
            .map_err(|_| Error::Format("the bundle's job root is not 32 bytes".into()))?;
        Ok(opening::make(opening::Parts {
            header: MatrixHeader {
                rows: manifest.rows,
                cols: manifest.cols,
                encoding: manifest.encoding,
                rows_per_partition: manifest.rows_per_partition,
            },
            commitment: &self.commitment,
            columns: self.columns()?,
            id,
            x: &bundle.x,
            x_encoding: zkmr_scheme::bundle::encoding_from_proto(
                bundle.x_encoding.as_ref(),
                "x_encoding",
            )?,
            vectors,
            y: &y,
            job_path: merkle_path(&job_leaves, index as usize),
            job_root,
            blindings: &self.secret()?.column_blindings,
        }))
    }

    fn partitions_hold(
        &self,
        bundle: &zkmr_proto::Bundle,
        indices: &[u32],
    ) -> Result<Option<Vec<bool>>> {
        let cols = self.cols();
        products_hold(
            bundle,
            (Scheme::Pedersen, &self.commitment, &self.ids, cols),
            indices,
            |index, xs| {
                let id = self.ids[index as usize];
                let rows = (id.row_end - id.row_start) as usize;
                Ok(self.cached_block(index)?.product(rows, cols, xs))
            },
        )
    }
}
