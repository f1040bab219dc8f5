//! The prover's key store: a directory made by `commit` and read by `prove`.
//!
//! Every store has a `manifest.json` naming its scheme, the matrix's shape and encoding, the
//! matrix commitment and the partition list. The rest is the scheme's:
//!
//! ```text
//! halo2:    srs.params              the SRS downsized to the circuit size
//!           partitions/NNNNNN.key   PartitionKey (protobuf): verifying key and encoded block
//! pedersen: matrix.key              PedersenMatrixKey: the column commitments C_j (public)
//!           secret.key              PedersenSecret: blinding seed and column blindings
//!           partitions/NNNNNN.part  PedersenPartition: encoded block and C_{p,j}
//! ```
//!
//! Files holding the matrix or a secret are readable by their owner only.
//!
//! A store is built in a temporary directory beside its destination and renamed into place,
//! so a failed `commit` leaves nothing behind.

use std::path::{Path, PathBuf};

use prost::Message;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::field::from_hex;
use crate::fixed_point::FixedPoint;
use crate::fsio::{read_bytes, write_bytes};
use crate::halo2::shape::CircuitShape;
use crate::halo2::srs::{self, ProverParams, SrsSource};
use crate::halo2::statement::{MatrixHeader, PartitionId};
use crate::matrix::Partitioning;
use crate::scheme::Scheme;

const FORMAT: &str = "zkmr-keystore";
/// Version 3: the scheme is recorded. Version 2: key digests hash the key's commitments (see
/// [`crate::halo2::keys::key_digest`]).
const VERSION: u32 = 3;

/// `manifest.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    pub scheme: Scheme,
    pub rows: u64,
    pub cols: u64,
    pub encoding: FixedPoint,
    pub rows_per_partition: u32,
    /// The halo2 scheme's circuit and SRS; absent under any other scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub halo2: Option<Halo2Setup>,
    pub matrix_commitment: String,
    pub partitions: Vec<ManifestPartition>,
}

/// What a halo2 store's keys were made with.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Halo2Setup {
    pub fold: u32,
    pub k: u32,
    pub srs: SrsSource,
    pub srs_digest: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ManifestPartition {
    pub index: u32,
    pub row_start: u64,
    pub row_end: u64,
    pub key_digest: String,
}

impl Manifest {
    /// The halo2 setup, for a halo2 store.
    pub fn halo2(&self) -> Result<&Halo2Setup> {
        self.halo2.as_ref().ok_or_else(|| {
            Error::Usage(format!(
                "the key store uses the {} scheme, not halo2",
                self.scheme
            ))
        })
    }

    /// Whether outputs made with this store are insecure (the development SRS).
    pub fn is_unsafe(&self) -> bool {
        self.halo2.as_ref().is_some_and(|h| h.srs.is_unsafe())
    }

    /// The halo2 statement's header.
    pub fn header(&self) -> Result<MatrixHeader> {
        let h = self.halo2()?;
        Ok(MatrixHeader {
            rows: self.rows,
            cols: self.cols,
            encoding: self.encoding,
            rows_per_partition: self.rows_per_partition,
            fold: h.fold,
            k: h.k,
            srs_digest: from_hex(&h.srs_digest, "manifest srs_digest")?,
        })
    }

    /// The halo2 circuit's shape.
    pub fn shape(&self) -> Result<CircuitShape> {
        CircuitShape::new(
            self.rows_per_partition as usize,
            self.cols as usize,
            self.halo2()?.fold as usize,
        )
    }

    pub fn partitioning(&self) -> Result<Partitioning> {
        Partitioning::new(self.rows as usize, self.rows_per_partition as usize)
    }

    /// The halo2 statement's partition identities.
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

    /// The matrix commitment as bytes.
    pub fn commitment(&self) -> Result<[u8; 32]> {
        digest_from_hex(&self.matrix_commitment, "manifest matrix_commitment")
    }
}

/// 32 bytes as 64 hex digits, as commitments, roots and digests are printed.
pub fn digest_to_hex(d: &[u8; 32]) -> String {
    hex::encode(d)
}

/// Reads 64 hex digits (an optional `0x` first) as 32 bytes; `what` names them in the error.
pub fn digest_from_hex(s: &str, what: &str) -> Result<[u8; 32]> {
    let s = s.trim();
    let s = s.strip_prefix("0x").unwrap_or(s);
    let bytes = hex::decode(s).map_err(|e| Error::Format(format!("{what}: not hex: {e}")))?;
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| Error::Format(format!("{what}: expected 32 bytes, got {}", b.len())))
}

/// An open key store.
#[derive(Clone, Debug)]
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
        match manifest.scheme {
            Scheme::Halo2 => {
                manifest.shape()?;
            }
            Scheme::Pedersen if manifest.halo2.is_some() => {
                return Err(Error::Format(format!(
                    "{}: a pedersen store with halo2 settings",
                    path.display()
                )))
            }
            Scheme::Pedersen => {}
        }
        Ok(Self {
            dir: dir.to_path_buf(),
            manifest,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Path of a file in the store.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.join(name)
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

    /// Writes a file of the store; a `private` one is readable by its owner only.
    pub fn write_file(&self, name: &str, bytes: &[u8], private: bool) -> Result<()> {
        let path = self.tmp.path().join(name);
        write_bytes(&path, bytes)?;
        if private {
            restrict(&path)?;
        }
        Ok(())
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

/// Makes a file readable and writable by its owner only.
fn restrict(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| Error::io(path, e))?;
    }
    Ok(())
}

/// The manifest of a finished commit under `scheme`; `partitions` are `(index, rows, key
/// digest)` in partition order.
pub(crate) fn manifest(
    scheme: Scheme,
    shape: (u64, u64, FixedPoint, u32),
    halo2: Option<Halo2Setup>,
    commitment: &[u8; 32],
    partitions: impl IntoIterator<Item = (u32, u64, u64, [u8; 32])>,
) -> Manifest {
    let (rows, cols, encoding, rows_per_partition) = shape;
    Manifest {
        format: FORMAT.into(),
        version: VERSION,
        scheme,
        rows,
        cols,
        encoding,
        rows_per_partition,
        halo2,
        matrix_commitment: hex::encode(commitment),
        partitions: partitions
            .into_iter()
            .map(
                |(index, row_start, row_end, key_digest)| ManifestPartition {
                    index,
                    row_start,
                    row_end,
                    key_digest: hex::encode(key_digest),
                },
            )
            .collect(),
    }
}
