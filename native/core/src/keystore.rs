//! The prover's key store: a directory made by `commit` and read by `prove`.
//!
//! ```text
//! manifest.json          matrix header, SRS origin and digest, commitment, partition list
//! srs.params             the SRS downsized to the circuit size (so proving needs no flag)
//! partitions/NNNNNN.key  PartitionKey (protobuf): verifying key and the encoded block
//! ```
//!
//! A store is built in a temporary directory beside its destination and renamed into place,
//! so a failed `commit` leaves nothing behind.

use std::path::{Path, PathBuf};

use prost::Message;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::field::{from_hex, to_hex, F};
use crate::fixed_point::FixedPoint;
use crate::fsio::{read_bytes, write_bytes};
use crate::matrix::Partitioning;
use crate::shape::CircuitShape;
use crate::srs::{self, ProverParams, SrsSource};
use crate::statement::{MatrixHeader, PartitionId};

const FORMAT: &str = "zkmr-keystore";
/// Version 2: key digests hash the key's commitments (see [`crate::keys::key_digest`]).
const VERSION: u32 = 2;

/// `manifest.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub rows: u64,
    pub cols: u64,
    pub encoding: FixedPoint,
    pub rows_per_partition: u32,
    pub fold: u32,
    pub k: u32,
    pub srs: SrsSource,
    pub srs_digest: String,
    pub matrix_commitment: String,
    pub partitions: Vec<ManifestPartition>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ManifestPartition {
    pub index: u32,
    pub row_start: u64,
    pub row_end: u64,
    pub key_digest: String,
}

impl Manifest {
    pub fn header(&self) -> Result<MatrixHeader> {
        Ok(MatrixHeader {
            rows: self.rows,
            cols: self.cols,
            encoding: self.encoding,
            rows_per_partition: self.rows_per_partition,
            fold: self.fold,
            k: self.k,
            srs_digest: from_hex(&self.srs_digest, "manifest srs_digest")?,
        })
    }

    pub fn shape(&self) -> Result<CircuitShape> {
        CircuitShape::new(
            self.rows_per_partition as usize,
            self.cols as usize,
            self.fold as usize,
        )
    }

    pub fn partitioning(&self) -> Result<Partitioning> {
        Partitioning::new(self.rows as usize, self.rows_per_partition as usize)
    }

    pub fn partition_ids(&self) -> Result<Vec<PartitionId>> {
        self.partitions
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

    pub fn commitment(&self) -> Result<F> {
        from_hex(&self.matrix_commitment, "manifest matrix_commitment")
    }
}

/// An open key store.
#[derive(Debug)]
pub struct KeyStore {
    dir: PathBuf,
    pub manifest: Manifest,
}

fn partition_file(dir: &Path, index: u32) -> PathBuf {
    dir.join("partitions").join(format!("{index:06}.key"))
}

impl KeyStore {
    /// Opens a store and checks its manifest against itself.
    pub fn open(dir: &Path) -> Result<Self> {
        let path = dir.join("manifest.json");
        let bytes = read_bytes(&path)?;
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| Error::Format(format!("{}: {e}", path.display())))?;
        if manifest.format != FORMAT || manifest.version != VERSION {
            return Err(Error::Format(format!(
                "{}: not a {FORMAT} v{VERSION} manifest",
                path.display()
            )));
        }
        let partitioning = manifest.partitioning()?;
        if manifest.partitions.len() != partitioning.count() {
            return Err(Error::Format(format!(
                "{}: lists {} partitions, the matrix has {}",
                path.display(),
                manifest.partitions.len(),
                partitioning.count()
            )));
        }
        manifest.shape()?;
        Ok(Self {
            dir: dir.to_path_buf(),
            manifest,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The SRS the store was made with.
    pub fn params(&self) -> Result<ProverParams> {
        srs::read(&self.dir.join("srs.params"))
    }

    /// Reads partition `index`, checking it is the one the manifest lists.
    pub fn partition(&self, index: u32) -> Result<zkmr_proto::PartitionKey> {
        let path = partition_file(&self.dir, index);
        let key = zkmr_proto::PartitionKey::decode(read_bytes(&path)?.as_slice())
            .map_err(|e| Error::Format(format!("{}: {e}", path.display())))?;
        let listed = &self.manifest.partitions[index as usize];
        let rows = (key.row_end - key.row_start) as usize;
        if key.index != index
            || key.row_start != listed.row_start
            || key.row_end != listed.row_end
            || key.block.len() != rows * self.manifest.cols as usize
        {
            return Err(Error::Format(format!(
                "{}: does not hold partition {index} as the manifest lists it",
                path.display()
            )));
        }
        Ok(key)
    }
}

/// A key store under construction in a temporary directory.
pub struct KeyStoreWriter {
    tmp: tempfile::TempDir,
    dest: PathBuf,
}

impl KeyStoreWriter {
    /// Starts a store for `dest`; an existing non-empty `dest` is refused unless `replace`.
    pub fn create(dest: &Path, replace: bool) -> Result<Self> {
        if dest.exists() {
            let empty = std::fs::read_dir(dest)
                .map_err(|e| Error::io(dest, e))?
                .next()
                .is_none();
            if !empty && !replace {
                return Err(Error::Usage(format!(
                    "{} already exists and is not empty; pass --force to replace it",
                    dest.display()
                )));
            }
        }
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        let tmp = tempfile::Builder::new()
            .prefix(".zkmr-keys-")
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        let parts = tmp.path().join("partitions");
        std::fs::create_dir(&parts).map_err(|e| Error::io(&parts, e))?;
        Ok(Self {
            tmp,
            dest: dest.to_path_buf(),
        })
    }

    pub fn write_srs(&self, params: &ProverParams) -> Result<()> {
        srs::write(params, &self.tmp.path().join("srs.params"))
    }

    pub fn write_partition(&self, key: &zkmr_proto::PartitionKey) -> Result<()> {
        write_bytes(
            &partition_file(self.tmp.path(), key.index),
            &key.encode_to_vec(),
        )
    }

    /// Writes the manifest and moves the store into place.
    pub fn finish(self, manifest: &Manifest) -> Result<KeyStore> {
        let bytes = serde_json::to_vec_pretty(manifest).expect("manifest serialises");
        write_bytes(&self.tmp.path().join("manifest.json"), &bytes)?;
        if self.dest.exists() {
            std::fs::remove_dir_all(&self.dest).map_err(|e| Error::io(&self.dest, e))?;
        }
        let tmp = self.tmp.keep();
        std::fs::rename(&tmp, &self.dest).map_err(|e| Error::io(&self.dest, e))?;
        KeyStore::open(&self.dest)
    }
}

/// Builds the manifest of a finished commit.
pub(crate) fn manifest(
    header: &MatrixHeader,
    srs: SrsSource,
    commitment: F,
    partitions: &[PartitionId],
) -> Manifest {
    Manifest {
        format: FORMAT.into(),
        version: VERSION,
        rows: header.rows,
        cols: header.cols,
        encoding: header.encoding,
        rows_per_partition: header.rows_per_partition,
        fold: header.fold,
        k: header.k,
        srs,
        srs_digest: to_hex(&header.srs_digest),
        matrix_commitment: to_hex(&commitment),
        partitions: partitions
            .iter()
            .map(|p| ManifestPartition {
                index: p.index,
                row_start: p.row_start,
                row_end: p.row_end,
                key_digest: to_hex(&p.key_digest),
            })
            .collect(),
    }
}
