//! Writing a key store: staged beside its destination, locked, and renamed into place.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use zkmr_math::error::{Error, Result};
use zkmr_math::fsio::write_bytes;

use super::manifest::Manifest;
use super::open::{is_key_store, KeyStore};

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
        let file =
            zkmr_math::fsio::lock_dir(dest, "another zkmr commit is writing this key store")?;
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
                    "{} already exists and is not empty; a commit replaces the key store there only \
                     when asked to",
                    dest.display()
                )));
            }
            if !empty && !is_key_store(dest) {
                return Err(Error::Usage(format!(
                    "{} is not a key store (no zkmr manifest.json): a commit replaces only a key \
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
        zkmr_math::fsio::remove_staging(parent, &staging_prefix(kind, dest));
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
