//! Opening a key store: its manifest checked against itself, every file against the manifest.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use zkmr_math::error::{Error, Result};
use zkmr_math::limits::MAX_DIMENSION;

use super::files::{DirFiles, StoreFiles};
use super::manifest::{Manifest, FORMAT, MAX_BLOCK_ENTRIES, VERSION};

/// An open key store.
#[derive(Clone, Debug)]
pub struct KeyStore {
    /// The store's location, for messages: a directory or a URI.
    dir: PathBuf,
    files: Arc<dyn StoreFiles>,
    pub manifest: Manifest,
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

/// Whether `dir` is a directory with something in it: where a commit must be asked to replace
/// what is there (each engine names how: `--force`, `force=True`, `zkmr sql --force`).
pub fn is_occupied(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|mut entries| entries.next().is_some())
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
            let keyed = manifest
                .partitions
                .first()
                .is_some_and(|p| !p.key_digest.is_empty());
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
}
