//! Where a key store's files come from.
//!
//! The CLI and the SQL engine read a store from a local directory. On a cluster the store lives
//! wherever the engine can reach it (HDFS, an object store, a copy shipped with the job), and
//! the engine reads the bytes for us: the JNI library implements [`StoreFiles`] by calling back
//! into the JVM, which reads through Hadoop's `FileSystem`. Either way [`crate::store`]
//! checks every file against the manifest's digests, so a source is trusted for nothing.
//!
//! Files are read when the scheme first needs them, so a map task reads the manifest and its
//! own partition, never the whole matrix.

use std::fmt::Debug;
use std::path::{Path, PathBuf};

/// A source of a key store's files, named by their paths relative to the store
/// (`manifest.json`, `partitions/000003.part`, ...).
pub trait StoreFiles: Send + Sync + Debug {
    /// The store's location as its user named it (a directory or a URI), for messages.
    fn location(&self) -> &str;

    /// The whole file `name`; `ErrorKind::NotFound` when the store has no such file.
    fn read(&self, name: &str) -> std::io::Result<Vec<u8>>;
}

/// A store in a local directory.
#[derive(Debug)]
pub struct DirFiles {
    dir: PathBuf,
    location: String,
}

impl DirFiles {
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_path_buf(),
            location: dir.display().to_string(),
        }
    }
}

impl StoreFiles for DirFiles {
    fn location(&self) -> &str {
        &self.location
    }

    fn read(&self, name: &str) -> std::io::Result<Vec<u8>> {
        std::fs::read(self.dir.join(name))
    }
}
