//! A halo2 key store opened for proving: the [`Prover`] of the scheme.

use zkmr_math::device::Device;
use zkmr_math::error::{Error, Result};
use zkmr_math::field::to_bytes;
use zkmr_scheme::store::KeyStore;
use zkmr_scheme::{Assembled, PartitionProved, Prover, Scheme, Vectors};

use super::prove::{assemble, prove_partition};
use super::shape::CircuitShape;
use super::srs::ProverParams;
use super::statement::{job_leaf, vector_digest, PartitionId};

/// The prover of a halo2 key store: its SRS read once, proofs made on `device`.
#[derive(Debug)]
pub struct Halo2Prover {
    store: KeyStore,
    params: ProverParams,
    device: Device,
    ids: Vec<PartitionId>,
    /// The circuit's shape, read from the manifest's settings once.
    shape: CircuitShape,
}

impl Halo2Prover {
    pub fn new(store: KeyStore, params: ProverParams, device: Device) -> Result<Self> {
        let ids = crate::store::partition_ids(&store.manifest)?;
        let shape = crate::store::shape(&store.manifest)?;
        Ok(Self {
            store,
            params,
            device,
            ids,
            shape,
        })
    }

    fn id(&self, index: u32) -> Result<&PartitionId> {
        self.ids.get(index as usize).ok_or_else(|| {
            Error::Input(format!(
                "partition {index} is not in the key store, which has {} partitions",
                self.ids.len()
            ))
        })
    }

    /// One vector: halo2 proves a circuit per vector, so batches are the Pedersen scheme's.
    fn one<'a>(&self, x: &'a Vectors) -> Result<&'a [i64]> {
        if x.count != 1 {
            return Err(Error::Usage(format!(
                "{} vectors at once: batches need a key store made under the pedersen scheme; \
                 {} uses halo2",
                x.count,
                self.store.dir().display()
            )));
        }
        Ok(&x.values)
    }
}

impl Prover for Halo2Prover {
    fn scheme(&self) -> Scheme {
        Scheme::Halo2
    }

    fn is_unsafe(&self) -> bool {
        self.store.manifest.is_unsafe()
    }

    fn block(&self, index: u32) -> Result<std::sync::Arc<zkmr_math::sparse::Block>> {
        Ok(std::sync::Arc::new(zkmr_math::sparse::Block::Dense(
            crate::store::partition(&self.store, index)?.block,
        )))
    }

    fn prove_partition(&self, index: u32, x: &Vectors) -> Result<PartitionProved> {
        let x = self.one(x)?;
        prove_partition(
            self.device,
            &self.params,
            self.shape,
            crate::store::partition(&self.store, index)?,
            x,
        )
    }

    /// Checked by the scheme's verifier itself: one proof per partition.
    fn assemble(&self, x: &Vectors, partitions: Vec<PartitionProved>) -> Result<Assembled> {
        let bundle = assemble(
            &self.store,
            &self.params,
            self.one(x)?,
            x.encoding,
            partitions,
        )?;
        let checked = crate::verify::verdict(&bundle, &self.store.manifest.commitment()?);
        Ok(Assembled { bundle, checked })
    }

    fn key_digest(&self, index: u32) -> Result<Option<[u8; 32]>> {
        Ok(Some(to_bytes(&self.id(index)?.key_digest)))
    }

    fn job_leaf(&self, index: u32, x: &Vectors, y: &[i128]) -> Result<[u8; 32]> {
        let id = self.id(index)?;
        Ok(to_bytes(&job_leaf(id, vector_digest(self.one(x)?), y)))
    }

    /// Each partition has its own proof, and the verifier names the one that fails.
    fn open_partition(
        &self,
        _bundle: &zkmr_proto::Bundle,
        _index: u32,
    ) -> Result<zkmr_proto::PartitionOpening> {
        Err(Error::Usage(
            "partition openings are made under the pedersen scheme; under halo2 each \
             partition of a bundle carries its own proof: verify the bundle"
                .into(),
        ))
    }

    fn partitions_hold(
        &self,
        _bundle: &zkmr_proto::Bundle,
        _indices: &[u32],
    ) -> Result<Option<Vec<bool>>> {
        Ok(None)
    }
}
