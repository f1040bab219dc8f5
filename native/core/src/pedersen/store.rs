//! A Pedersen key store opened for proving: the [`Prover`] of the scheme.
//!
//! Map tasks compute their partition's `Y_p = A_p·X` exactly and nothing else: no secret
//! reaches them beyond their block. The reducer, which holds the store's secret, assembles
//! `Y`, proves knowledge of the blinding `Σ_j x'_j·ρ_j` the job check leaves over, and binds
//! every partition into the job root.
//!
//! Blocks are read from disk on first use and kept, so a long-lived prover (an executor, a
//! service proving many vectors) pays the read once.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use halo2_proofs::halo2curves::bn256::Fr;
use prost::Message;

use super::encoding::{points_from_bytes, scalar_from_bytes, SCALAR_BYTES};
use super::generators::TAG;
use super::opening;
use super::proof::{self, Folded, Statement};
use super::setup::partition_blindings;
use super::statement::{
    job_leaf, job_root, matrix_key_digest, matrix_leaf, vectors_digest, Header, PartitionKeyId,
};
use super::transcript::merkle_path;
use crate::error::{Error, Result};
use crate::keystore::{digest_from_hex, KeyStore, Manifest};
use crate::matrix::gather_outputs;
use crate::scheme::{PartitionProved, Prover, Scheme, Vectors};
use crate::sparse::{Block, SparseRows};

/// The public matrix key's file.
pub const MATRIX_KEY: &str = "matrix.key";
/// The secret's file.
pub const SECRET: &str = "secret.key";

/// The file of partition `index`, relative to the store.
pub fn partition_file(index: u32) -> String {
    format!("partitions/{index:06}.part")
}

/// The secret of a store.
#[derive(Debug)]
pub struct Secret {
    pub seed: [u8; 32],
    /// `ρ_j`, the blinding of each column of the matrix key.
    pub column_blindings: Vec<Fr>,
}

/// One partition as stored.
#[derive(Debug)]
pub struct StoredPartition {
    pub block: Block,
    /// The encoded column commitments `C_{p,j}`.
    pub columns: Vec<u8>,
}

/// The partition identities a manifest lists.
pub fn partition_ids(manifest: &Manifest) -> Result<Vec<PartitionKeyId>> {
    manifest
        .partitions
        .iter()
        .map(|p| {
            Ok(PartitionKeyId {
                index: p.index,
                row_start: p.row_start,
                row_end: p.row_end,
                key_digest: digest_from_hex(&p.key_digest, "manifest key_digest")?,
            })
        })
        .collect()
}

/// The prover of a Pedersen key store.
#[derive(Debug)]
pub struct PedersenProver {
    store: KeyStore,
    ids: Vec<PartitionKeyId>,
    commitment: [u8; 32],
    columns: OnceLock<Vec<u8>>,
    secret: OnceLock<Secret>,
    blocks: Vec<OnceLock<Arc<Block>>>,
}

impl PedersenProver {
    pub fn new(store: KeyStore) -> Result<Self> {
        let ids = partition_ids(&store.manifest)?;
        let commitment = store.manifest.commitment()?;
        Ok(Self {
            blocks: (0..ids.len()).map(|_| OnceLock::new()).collect(),
            store,
            ids,
            commitment,
            columns: OnceLock::new(),
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
        points_from_bytes(&key.columns, self.cols(), &path.display().to_string())?;
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
        let seed: [u8; 32] = secret
            .seed
            .try_into()
            .map_err(|_| Error::Format(format!("{what}: the seed is not 32 bytes")))?;
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
        Ok(self.secret.get_or_init(|| Secret {
            seed,
            column_blindings,
        }))
    }

    /// Reads partition `index` from disk, checking it is the one the manifest lists.
    pub fn read_partition(&self, index: u32) -> Result<StoredPartition> {
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
        let digest =
            super::statement::partition_key_digest(index, id.row_start, id.row_end, &part.columns);
        if digest != id.key_digest {
            return Err(Error::Format(format!(
                "{what}: its column commitments are not the ones the manifest lists"
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
        let block = if part.sparse {
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
        };
        Ok(StoredPartition {
            block,
            columns: part.columns,
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
        let block = Arc::new(self.read_partition(index)?.block);
        Ok(slot.get_or_init(|| block).clone())
    }

    /// Checks partition `index`'s outputs against its column commitments with the store's
    /// blindings: `Σ_j x'_j·C_{p,j} − Σ_{i∈p} y'_i·G_i = (Σ_j x'_j·ρ_{p,j})·H`, with the job's
    /// statement `folded` (by its `γ` for a batch). Names the partition of a job whose check
    /// failed.
    pub fn check_partition(&self, index: u32, folded: &Folded) -> Result<bool> {
        let id = self.ids[index as usize];
        let part = self.read_partition(index)?;
        let cols = self.cols();
        let columns = points_from_bytes(&part.columns, cols, "partition columns")?;
        let seed = self.secret()?.seed;
        let blindings = partition_blindings(&seed, index, id.row_start, id.row_end, cols);
        let generators = super::generators::rows(id.row_end as usize);
        let p = folded.point(
            &columns,
            &generators,
            id.row_start as usize..id.row_end as usize,
        );
        Ok(p == super::msm::mul_h(&folded.blinding(&blindings)))
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
        let started = Instant::now();
        let block = self.cached_block(index)?;
        let id = self.ids[index as usize];
        let rows = (id.row_end - id.row_start) as usize;
        let y = block.product(rows, self.cols(), &x.values, x.count);
        Ok(PartitionProved {
            y,
            proof: zkmr_proto::PartitionProof {
                index,
                row_start: id.row_start,
                row_end: id.row_end,
                key_digest: id.key_digest.to_vec(),
                ..Default::default()
            },
            device: "cpu".into(),
            seconds: started.elapsed().as_secs_f64(),
        })
    }

    fn assemble(
        &self,
        x: &Vectors,
        partitions: Vec<PartitionProved>,
    ) -> Result<zkmr_proto::Bundle> {
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

        let x_digest = vectors_digest(&x.values);
        let leaves: Vec<[u8; 32]> = partitions
            .iter()
            .zip(&self.ids)
            .map(|(p, id)| job_leaf(id, &x_digest, &p.y))
            .collect();
        let root = job_root(&self.commitment, x.count, x.encoding, &leaves);
        Ok(zkmr_proto::Bundle {
            version: zkmr_proto::BUNDLE_VERSION,
            matrix: Some(zkmr_proto::MatrixMeta {
                rows: manifest.rows,
                cols: manifest.cols,
                encoding: Some(crate::bundle::encoding_to_proto(manifest.encoding)),
                rows_per_partition: manifest.rows_per_partition,
                ..Default::default()
            }),
            srs: None,
            matrix_commitment: self.commitment.to_vec(),
            x: x.values.clone(),
            x_encoding: Some(crate::bundle::encoding_to_proto(x.encoding)),
            partitions: partitions
                .into_iter()
                .map(|p| zkmr_proto::PartitionProof {
                    y: crate::field::pack_i128(&p.y),
                    ..p.proof
                })
                .collect(),
            job_root: root.to_vec(),
            scheme: Scheme::Pedersen.to_proto(),
            vectors: x.count as u32,
            pedersen: Some(zkmr_proto::PedersenProof {
                generators: TAG.into(),
                columns: self.columns()?.to_vec(),
                t: super::encoding::point_to_bytes(&commitment_t).to_vec(),
                s: super::encoding::scalar_to_bytes(&s).to_vec(),
            }),
        })
    }

    fn key_digest(&self, index: u32) -> Result<[u8; 32]> {
        self.ids
            .get(index as usize)
            .map(|id| id.key_digest)
            .ok_or_else(|| Error::Input(format!("partition {index} is not in the key store")))
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
        let cols = self.cols();
        let part = self.read_partition(index)?;
        let matrix_leaves: Vec<[u8; 32]> = self.ids.iter().map(matrix_leaf).collect();
        let x_digest = vectors_digest(&bundle.x);
        let blocks = bundle
            .partitions
            .iter()
            .map(|p| crate::field::unpack_i128(&p.y, "y"))
            .collect::<Result<Vec<_>>>()?;
        let job_leaves: Vec<[u8; 32]> = self
            .ids
            .iter()
            .zip(&blocks)
            .map(|(id, y)| job_leaf(id, &x_digest, y))
            .collect();
        let job_root: [u8; 32] = bundle
            .job_root
            .as_slice()
            .try_into()
            .map_err(|_| Error::Format("the bundle's job root is not 32 bytes".into()))?;
        let seed = self.secret()?.seed;
        let blindings = partition_blindings(&seed, index, id.row_start, id.row_end, cols);
        Ok(opening::make(opening::Parts {
            header: Header {
                rows: manifest.rows,
                cols: manifest.cols,
                encoding: manifest.encoding,
                rows_per_partition: manifest.rows_per_partition,
            },
            commitment: &self.commitment,
            matrix_key_digest: matrix_key_digest(self.columns()?),
            id,
            columns: &part.columns,
            matrix_path: merkle_path(&matrix_leaves, index as usize),
            x: &bundle.x,
            x_encoding: crate::bundle::encoding_from_proto(
                bundle.x_encoding.as_ref(),
                "x_encoding",
            )?,
            vectors: bundle.vectors as usize,
            y: &blocks[index as usize],
            job_path: merkle_path(&job_leaves, index as usize),
            job_root,
            blindings: &blindings,
        }))
    }

    fn partitions_hold(
        &self,
        bundle: &zkmr_proto::Bundle,
        indices: &[u32],
    ) -> Result<Option<Vec<bool>>> {
        if bundle.scheme != Scheme::Pedersen.to_proto()
            || bundle.matrix_commitment != self.commitment
        {
            return Err(Error::Usage(
                "the bundle was not proved from this key store".into(),
            ));
        }
        if let Some(index) = indices.iter().find(|i| **i as usize >= self.ids.len()) {
            return Err(Error::Usage(format!(
                "partition {index} is not in the key store, which has {} partitions",
                self.ids.len()
            )));
        }
        let manifest = &self.store.manifest;
        let (rows, cols) = (manifest.rows as usize, self.cols());
        let vectors = bundle.vectors.max(1) as usize;
        if bundle.x.len() != vectors * cols || bundle.partitions.len() != self.ids.len() {
            return Err(Error::rejected_bundle(
                "x or the partition list does not fit the matrix",
            ));
        }
        let mut blocks = Vec::with_capacity(self.ids.len());
        for (p, id) in bundle.partitions.iter().zip(&self.ids) {
            let block = crate::field::unpack_i128(&p.y, "y")?;
            let len = (id.row_end - id.row_start) as usize;
            if (p.row_start, p.row_end) != (id.row_start, id.row_end)
                || block.len() != len * vectors
            {
                return Err(Error::rejected(
                    p.index,
                    "its rows or y block do not fit the matrix",
                ));
            }
            blocks.push((id.row_start as usize, block));
        }
        let y = gather_outputs(
            rows,
            vectors,
            blocks.iter().map(|(start, b)| (*start, b.as_slice())),
        );
        let x_encoding =
            crate::bundle::encoding_from_proto(bundle.x_encoding.as_ref(), "x_encoding")?;
        let statement = Statement {
            commitment: &self.commitment,
            partition: None,
            rows,
            cols,
            x: &bundle.x,
            vectors,
            x_encoding,
            y: &y,
            y_scale_bits: manifest.encoding.scale_bits + x_encoding.scale_bits,
        };
        let (_, folded) = proof::transcript(&statement);
        indices
            .iter()
            .map(|index| self.check_partition(*index, &folded))
            .collect::<Result<_>>()
            .map(Some)
    }
}
