//! The halo2 scheme's part of a key store: its settings in the manifest, the SRS file and one
//! file per partition.
//!
//! ```text
//! manifest.json           "halo2": {"fold", "k", "srs", "srs_digest"}; a key digest per partition
//! srs.params              the SRS downsized to the circuit size
//! partitions/NNNNNN.key   PartitionKey (protobuf): verifying key and encoded block
//! ```

use prost::Message;
use serde::{Deserialize, Serialize};
use zkmr_math::error::{Error, Result};
use zkmr_math::field::from_hex;
use zkmr_scheme::store::{KeyStore, KeyStoreWriter, Manifest};
use zkmr_scheme::SrsSource;

use crate::shape::CircuitShape;
use crate::srs::{self, ProverParams};
use crate::statement::{MatrixHeader, PartitionId};

/// What a halo2 store's keys were made with: the manifest's `halo2` settings.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Settings {
    pub fold: u32,
    pub k: u32,
    pub srs: SrsSource,
    pub srs_digest: String,
}

impl Settings {
    /// The settings as the manifest records them.
    pub fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("halo2 settings serialise")
    }
}

/// The store's SRS file.
pub const SRS_FILE: &str = "srs.params";

/// The store's file of partition `index`, relative to the store.
pub fn partition_file(index: u32) -> String {
    format!("partitions/{index:06}.key")
}

/// The halo2 settings of a store's manifest.
pub fn settings(manifest: &Manifest) -> Result<Settings> {
    manifest.settings()?.ok_or_else(|| {
        Error::Usage(format!(
            "the key store uses the {} scheme, not halo2",
            manifest.scheme
        ))
    })
}

/// The statement's header of a store.
pub fn header(manifest: &Manifest) -> Result<MatrixHeader> {
    let h = settings(manifest)?;
    Ok(MatrixHeader {
        rows: manifest.rows,
        cols: manifest.cols,
        encoding: manifest.encoding,
        rows_per_partition: manifest.rows_per_partition,
        fold: h.fold,
        k: h.k,
        srs_digest: from_hex(&h.srs_digest, "manifest srs_digest")?,
    })
}

/// The circuit's shape of a store.
pub fn shape(manifest: &Manifest) -> Result<CircuitShape> {
    CircuitShape::new(
        manifest.rows_per_partition as usize,
        manifest.cols as usize,
        settings(manifest)?.fold as usize,
    )
}

/// The statement's partition identities a store lists.
pub fn partition_ids(manifest: &Manifest) -> Result<Vec<PartitionId>> {
    manifest
        .partitions
        .iter()
        .map(|p| {
            Ok(PartitionId {
                index: p.index,
                row_start: p.row_start,
                row_end: p.row_end,
                key_digest: from_hex(&p.key_digest, "manifest key_digest")?,
            })
        })
        .collect()
}

/// The SRS the store was made with.
pub fn params(store: &KeyStore) -> Result<ProverParams> {
    srs::from_bytes(
        &store.read(SRS_FILE)?,
        &store.file(SRS_FILE).display().to_string(),
    )
}

/// Reads partition `index`, checking it is the one the manifest lists.
pub fn partition(store: &KeyStore, index: u32) -> Result<zkmr_proto::PartitionKey> {
    let name = partition_file(index);
    let path = store.file(&name);
    let key = zkmr_proto::PartitionKey::decode(store.read(&name)?.as_slice())
        .map_err(|e| Error::Format(format!("{}: {e}", path.display())))?;
    let manifest = &store.manifest;
    let listed = manifest.partitions.get(index as usize).ok_or_else(|| {
        Error::Usage(format!(
            "partition {index} is not in the key store, which has {} partitions",
            manifest.partitions.len()
        ))
    })?;
    let rows = key.row_end.saturating_sub(key.row_start) as usize;
    if key.index != index
        || key.row_start != listed.row_start
        || key.row_end != listed.row_end
        || key.block.len() != rows * manifest.cols as usize
    {
        return Err(Error::Format(format!(
            "{}: does not hold partition {index} as the manifest lists it",
            path.display()
        )));
    }
    Ok(key)
}

/// Writes the store's SRS file.
pub fn write_srs(writer: &KeyStoreWriter, params: &ProverParams) -> Result<()> {
    writer.write_file(SRS_FILE, &srs::to_bytes(params), false)
}

/// Writes a partition's file (it holds the block: readable by its owner only).
pub fn write_partition(writer: &KeyStoreWriter, key: &zkmr_proto::PartitionKey) -> Result<()> {
    writer.write_file(&partition_file(key.index), &key.encode_to_vec(), true)
}
