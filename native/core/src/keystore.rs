//! The prover's key store: a directory made by `commit` and read by `prove`, from that
//! directory or from wherever an engine keeps it ([`crate::store_files`]).
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
//! The manifest lists the BLAKE3 digest of every other file and carries a checksum of itself,
//! and it must be in the one form this code writes: a changed byte anywhere in a store is
//! found when the file is read, before anything is proved from it. (This catches corruption
//! and files swapped between stores; a prover who edits a store on purpose is caught by
//! verification, which never trusts the store.)
//!
//! A store is built in a temporary directory beside its destination and renamed into place,
//! so a failed `commit` leaves nothing behind and a reader never sees half a store. While it
//! is built, the destination is locked: a second `commit` into it fails at once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use prost::Message;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::field::from_hex;
use crate::fixed_point::{FixedPoint, MatrixRounding};
use crate::fsio::write_bytes;
use crate::halo2::shape::CircuitShape;
use crate::halo2::srs::{self, ProverParams, SrsSource};
use crate::halo2::statement::{MatrixHeader, PartitionId};
use crate::matrix::Partitioning;
use crate::scheme::Scheme;
use crate::store_files::{DirFiles, StoreFiles};

use crate::limits::MAX_DIMENSION;

const FORMAT: &str = "zkmr-keystore";
/// The most entries of one partition's block: a manifest that declares more (or more rows or
/// columns than [`MAX_DIMENSION`]) is refused before anything is allocated.
const MAX_BLOCK_ENTRIES: u64 = 1 << 34;
/// Version 5: a pedersen store keeps one matrix key and no per-partition commitments, so its
/// partitions list no key digest. Version 4: file digests and the manifest's checksum. Version 3: the scheme is recorded.
/// Version 2: key digests hash the key's commitments (see
/// [`crate::halo2::keys::key_digest`]).
const VERSION: u32 = 5;

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
    /// What bounds the rounding error of `y`.
    pub rounding: MatrixRounding,
    /// The halo2 scheme's circuit and SRS; absent under any other scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub halo2: Option<Halo2Setup>,
    pub matrix_commitment: String,
    pub partitions: Vec<ManifestPartition>,
    /// BLAKE3 (hex) of every other file of the store, by path relative to the store.
    pub files: BTreeMap<String, String>,
    /// BLAKE3 (hex) of this manifest as written with an empty checksum.
    pub checksum: String,
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
    /// halo2: the digest of the partition's verifying key. Empty under pedersen, whose only
    /// key is the matrix's.
    #[serde(default, skip_serializing_if = "String::is_empty")]
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

    /// This manifest listing `files` (name to BLAKE3 digest, hex) and sealed with its checksum:
    /// what a store's `manifest.json` holds.
    pub(crate) fn sealed(self, files: BTreeMap<String, String>) -> Manifest {
        let mut manifest = Manifest {
            files,
            checksum: String::new(),
            ..self
        };
        manifest.checksum = manifest.compute_checksum();
        manifest
    }

    /// The manifest's bytes as written.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("manifest serialises");
        bytes.push(b'\n');
        bytes
    }

    /// The checksum of this manifest: its bytes with the checksum left empty.
    fn compute_checksum(&self) -> String {
        let unsealed = Manifest {
            checksum: String::new(),
            ..self.clone()
        };
        blake3::hash(&unsealed.to_bytes()).to_hex().to_string()
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
    /// The store's location, for messages: a directory or a URI.
    dir: PathBuf,
    files: Arc<dyn StoreFiles>,
    pub manifest: Manifest,
}

/// The halo2 store's SRS file.
pub(crate) const SRS_FILE: &str = "srs.params";

/// The halo2 store's file of partition `index`, relative to the store.
pub(crate) fn partition_file(index: u32) -> String {
    format!("partitions/{index:06}.key")
}

/// Whether `dir` holds a key store manifest (of any version): what `--force` may replace.
pub fn is_key_store(dir: &Path) -> bool {
    #[derive(Deserialize)]
    struct Format {
        format: String,
    }
    std::fs::read(dir.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<Format>(&b).ok())
        .is_some_and(|f| f.format == FORMAT)
}

impl KeyStore {
    /// Opens a store and checks its manifest against itself: its form, its checksum and its
    /// partition list.
    pub fn open(dir: &Path) -> Result<Self> {
        if !dir.join("manifest.json").exists() && dir.is_dir() {
            return Err(Error::Usage(format!(
                "{} is not a key store (no manifest.json); make one with zkmr commit",
                dir.display()
            )));
        }
        Self::open_from(Arc::new(DirFiles::new(dir)))
    }

    /// Opens the store whose files `files` reads (a directory, or bytes an engine reads from
    /// its file system), with the checks of [`KeyStore::open`].
    pub fn open_from(files: Arc<dyn StoreFiles>) -> Result<Self> {
        let dir = PathBuf::from(files.location());
        let path = dir.join("manifest.json");
        let bytes = files
            .read("manifest.json")
            .map_err(|e| Error::io(&path, e))?;
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| Error::Format(format!("{}: {e}", path.display())))?;
        if manifest.format == FORMAT && manifest.version < VERSION {
            return Err(Error::Format(format!(
                "{}: a {FORMAT} v{} store, made by an earlier zkmr; this one reads v{VERSION}: \
                 commit the matrix again (its commitment changes)",
                path.display(),
                manifest.version
            )));
        }
        if manifest.format != FORMAT || manifest.version != VERSION {
            return Err(Error::Format(format!(
                "{}: not a {FORMAT} v{VERSION} manifest",
                path.display()
            )));
        }
        if manifest.to_bytes() != bytes || manifest.compute_checksum() != manifest.checksum {
            return Err(Error::Format(format!(
                "{}: the manifest does not match its checksum (the file was changed)",
                path.display()
            )));
        }
        if manifest.rows > MAX_DIMENSION
            || manifest.cols > MAX_DIMENSION
            || manifest.rows_per_partition as u64 * manifest.cols > MAX_BLOCK_ENTRIES
        {
            return Err(Error::Format(format!(
                "{}: a {}x{} matrix in partitions of {} rows is beyond what a store holds",
                path.display(),
                manifest.rows,
                manifest.cols,
                manifest.rows_per_partition
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
        for (position, p) in manifest.partitions.iter().enumerate() {
            let rows = partitioning.range(position);
            let keyed = manifest.scheme == Scheme::Halo2;
            if (p.index as usize, p.row_start, p.row_end)
                != (position, rows.start as u64, rows.end as u64)
                || p.key_digest.is_empty() == keyed
            {
                return Err(Error::Format(format!(
                    "{}: partition {} at position {position} lists rows {}..{}{}, the matrix's \
                     partition {position} holds rows {}..{}",
                    path.display(),
                    p.index,
                    p.row_start,
                    p.row_end,
                    match (keyed, p.key_digest.is_empty()) {
                        (true, true) => " and no key digest",
                        (false, false) => " and a key digest",
                        _ => "",
                    },
                    rows.start,
                    rows.end
                )));
            }
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
            dir,
            files,
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

    /// Reads file `name` of the store, checking it against the digest the manifest lists.
    pub fn read(&self, name: &str) -> Result<Vec<u8>> {
        let path = self.dir.join(name);
        let listed = self.manifest.files.get(name).ok_or_else(|| {
            Error::Format(format!(
                "{}: the store's manifest does not list {name}",
                self.dir.display()
            ))
        })?;
        let replaced = || {
            Error::Usage(format!(
                "{}: the key store was replaced while it was being read; open it again",
                self.dir.display()
            ))
        };
        let bytes = match self.files.read(name).map_err(|e| Error::io(&path, e)) {
            Err(Error::Io { source, .. })
                if source.kind() == std::io::ErrorKind::NotFound && self.replaced() =>
            {
                return Err(replaced())
            }
            other => other?,
        };
        if blake3::hash(&bytes).to_hex().as_str() != listed {
            if self.replaced() {
                return Err(replaced());
            }
            return Err(Error::Format(format!(
                "{}: not the file the store's manifest lists (changed, or from another store)",
                path.display()
            )));
        }
        Ok(bytes)
    }

    /// Whether the manifest now on disk is no longer the one this store was opened with: a
    /// `commit --force` replaced the store between the open and a read. A reader then sees a
    /// file of the new store, which its digest check refuses; this tells that apart from a
    /// changed file.
    fn replaced(&self) -> bool {
        self.files
            .read("manifest.json")
            .map_or(true, |now| now != self.manifest.to_bytes())
    }

    /// The SRS the store was made with.
    pub fn params(&self) -> Result<ProverParams> {
        srs::from_bytes(
            &self.read(SRS_FILE)?,
            &self.dir.join(SRS_FILE).display().to_string(),
        )
    }

    /// Reads partition `index`, checking it is the one the manifest lists.
    pub fn partition(&self, index: u32) -> Result<zkmr_proto::PartitionKey> {
        let name = partition_file(index);
        let path = self.dir.join(&name);
        let key = zkmr_proto::PartitionKey::decode(self.read(&name)?.as_slice())
            .map_err(|e| Error::Format(format!("{}: {e}", path.display())))?;
        let listed = self
            .manifest
            .partitions
            .get(index as usize)
            .ok_or_else(|| {
                Error::Usage(format!(
                    "partition {index} is not in the key store, which has {} partitions",
                    self.manifest.partitions.len()
                ))
            })?;
        let rows = key.row_end.saturating_sub(key.row_start) as usize;
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
    replace: bool,
    /// Digests of the files written so far (partitions are written from several threads).
    files: Mutex<BTreeMap<String, String>>,
    /// The lock on the destination, held until the store is in place.
    _lock: DestinationLock,
}

/// An exclusive lock on a store's destination directory, so that two commits into one
/// directory cannot interleave: the second fails at once. A destination created for the lock
/// is removed again if the commit does not finish.
struct DestinationLock {
    _file: std::fs::File,
    created: Option<PathBuf>,
}

impl DestinationLock {
    fn take(dest: &Path) -> Result<Self> {
        let created = if dest.exists() {
            None
        } else {
            std::fs::create_dir_all(dest).map_err(|e| Error::io(dest, e))?;
            Some(dest.to_path_buf())
        };
        let file = crate::fsio::lock_dir(dest, "another zkmr commit is writing this key store")?;
        Ok(Self {
            _file: file,
            created,
        })
    }
}

impl Drop for DestinationLock {
    fn drop(&mut self) {
        // Only an empty directory made for the lock is removed: once the store is renamed
        // into place, `remove_dir` fails on it and leaves it alone.
        if let Some(dir) = &self.created {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

impl KeyStoreWriter {
    /// Starts a store for `dest`. An existing non-empty `dest` is refused unless `replace`,
    /// and even then only a key store is replaced, never a directory of other files.
    pub fn create(dest: &Path, replace: bool) -> Result<Self> {
        if dest.exists() {
            if !dest.is_dir() {
                return Err(Error::Usage(format!(
                    "{} exists and is not a directory",
                    dest.display()
                )));
            }
            let empty = std::fs::read_dir(dest)
                .map_err(|e| Error::io(dest, e))?
                .next()
                .is_none();
            if !empty && !replace {
                return Err(Error::Usage(format!(
                    "{} already exists and is not empty; pass --force to replace the key store \
                     there",
                    dest.display()
                )));
            }
            if !empty && !is_key_store(dest) {
                return Err(Error::Usage(format!(
                    "{} is not a key store (no zkmr manifest.json): --force replaces only a key \
                     store, never other files",
                    dest.display()
                )));
            }
        }
        let lock = DestinationLock::take(dest)?;
        let parent = match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        remove_stale_staging(&parent, dest);
        let tmp = tempfile::Builder::new()
            .prefix(&staging_prefix(STAGING, dest))
            .tempdir_in(&parent)
            .map_err(|e| Error::io(&parent, e))?;
        let parts = tmp.path().join("partitions");
        std::fs::create_dir(&parts).map_err(|e| Error::io(&parts, e))?;
        Ok(Self {
            tmp,
            dest: dest.to_path_buf(),
            replace,
            files: Mutex::new(BTreeMap::new()),
            _lock: lock,
        })
    }

    pub fn write_srs(&self, params: &ProverParams) -> Result<()> {
        self.write_file(SRS_FILE, &srs::to_bytes(params), false)
    }

    /// Writes a file of the store; a `private` one is readable by its owner only.
    pub fn write_file(&self, name: &str, bytes: &[u8], private: bool) -> Result<()> {
        let path = self.tmp.path().join(name);
        write_bytes(&path, bytes)?;
        if private {
            restrict(&path)?;
        }
        self.files
            .lock()
            .expect("no writer panicked holding the file list")
            .insert(name.to_string(), blake3::hash(bytes).to_hex().to_string());
        Ok(())
    }

    pub fn write_partition(&self, key: &zkmr_proto::PartitionKey) -> Result<()> {
        self.write_file(&partition_file(key.index), &key.encode_to_vec(), true)
    }

    /// Writes the manifest, with the digests of every file written, and moves the store into
    /// place. A store being replaced is moved aside first and removed once the new one is in
    /// place; if another commit put a store there meanwhile, this one fails and leaves it.
    pub fn finish(self, manifest: Manifest) -> Result<KeyStore> {
        let manifest = manifest.sealed(
            self.files
                .into_inner()
                .expect("no writer panicked holding the file list"),
        );
        write_bytes(&self.tmp.path().join("manifest.json"), &manifest.to_bytes())?;
        let old = if self.replace && is_key_store(&self.dest) {
            let parent = self
                .tmp
                .path()
                .parent()
                .expect("a temporary directory has a parent");
            let aside = tempfile::Builder::new()
                .prefix(&staging_prefix(ASIDE, &self.dest))
                .tempdir_in(parent)
                .map_err(|e| Error::io(parent, e))?;
            std::fs::rename(&self.dest, aside.path()).map_err(|e| Error::io(&self.dest, e))?;
            Some(aside)
        } else {
            None
        };
        let tmp = self.tmp.keep();
        if let Err(e) = std::fs::rename(&tmp, &self.dest) {
            let _ = std::fs::remove_dir_all(&tmp);
            if let Some(aside) = old {
                let _ = std::fs::rename(aside.path(), &self.dest);
            }
            return Err(Error::Usage(format!(
                "{}: could not move the new key store into place ({e}); the directory is no \
                 longer empty, another commit may have written it",
                self.dest.display()
            )));
        }
        drop(old);
        KeyStore::open(&self.dest)
    }
}

/// The staging directory of a store being written, and of a store being replaced, beside the
/// destination: `.zkmr-keys-NAME.XXXXXX`, `.zkmr-old-keys-NAME.XXXXXX`.
const STAGING: &str = ".zkmr-keys-";
const ASIDE: &str = ".zkmr-old-keys-";

fn staging_prefix(kind: &str, dest: &Path) -> String {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    format!("{kind}{name}.")
}

/// Removes what a commit into `dest` killed before it finished (`kill -9`, a power cut) left
/// beside it. Called with the destination's lock held: a commit still running holds that lock,
/// so every staging directory of this destination found now belongs to a dead one.
fn remove_stale_staging(parent: &Path, dest: &Path) {
    for kind in [STAGING, ASIDE] {
        crate::fsio::remove_staging(parent, &staging_prefix(kind, dest));
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
/// digest)` in partition order, the key digest halo2's only.
pub(crate) fn manifest(
    scheme: Scheme,
    shape: (u64, u64, FixedPoint, u32),
    rounding: MatrixRounding,
    halo2: Option<Halo2Setup>,
    commitment: &[u8; 32],
    partitions: impl IntoIterator<Item = (u32, u64, u64, Option<[u8; 32]>)>,
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
        rounding,
        halo2,
        matrix_commitment: hex::encode(commitment),
        files: BTreeMap::new(),
        checksum: String::new(),
        partitions: partitions
            .into_iter()
            .map(
                |(index, row_start, row_end, key_digest)| ManifestPartition {
                    index,
                    row_start,
                    row_end,
                    key_digest: key_digest.map(hex::encode).unwrap_or_default(),
                },
            )
            .collect(),
    }
}
