//! What the functions of one session share: its options and the key stores they opened.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use zkmr_core::job::JobRunner;
use zkmr_core::progress::{Event, Progress, Silent};
use zkmr_core::setup::SrsChoice;
use zkmr_core::store::KeyStore;
use zkmr_core::Result;
use zkmr_core::Scheme;

/// How a session's functions behave.
#[derive(Clone, Default)]
pub struct SessionOptions {
    /// The scheme `zkCommitMatrix` commits under.
    pub scheme: Scheme,
    /// The SRS `zkCommitMatrix` makes halo2 keys with; the halo2 scheme fails without one,
    /// saying how to choose one, and the Pedersen scheme refuses one.
    pub srs: Option<SrsChoice>,
    /// Let `zkCommitMatrix` replace an existing key store.
    pub replace_stores: bool,
    /// Told of the partitions keyed and proved (a progress bar, engine counters).
    pub progress: Option<Arc<dyn Progress + Send + Sync>>,
}

impl std::fmt::Debug for SessionOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionOptions")
            .field("scheme", &self.scheme)
            .field("srs", &self.srs)
            .field("replace_stores", &self.replace_stores)
            .field("progress", &self.progress.is_some())
            .finish()
    }
}

#[derive(Debug)]
struct Inner {
    options: SessionOptions,
    stores: Mutex<HashMap<PathBuf, Arc<JobRunner>>>,
}

/// The session state every function holds. Functions compare equal when they share it,
/// which is what DataFusion's function identity needs.
#[derive(Clone, Debug)]
pub(crate) struct Shared(Arc<Inner>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for Shared {}

impl Hash for Shared {
    fn hash<H: Hasher>(&self, state: &mut H) {
        std::ptr::hash(Arc::as_ptr(&self.0), state)
    }
}

impl Shared {
    pub fn new(options: SessionOptions) -> Self {
        Self(Arc::new(Inner {
            options,
            stores: Mutex::new(HashMap::new()),
        }))
    }

    pub fn options(&self) -> &SessionOptions {
        &self.0.options
    }

    /// Where progress goes.
    pub fn progress(&self) -> &dyn Progress {
        match &self.0.options.progress {
            Some(p) => p.as_ref(),
            None => &Silent,
        }
    }

    pub fn report(&self, event: Event) {
        self.progress().report(event);
    }

    /// Opens the key store at `dir`, reusing the SRS this session already read for it. The
    /// manifest is read on every call, so a store replaced since (its commitment changed) is
    /// taken up again.
    pub fn store(&self, dir: &str) -> Result<Arc<JobRunner>> {
        let path = PathBuf::from(dir);
        let store = KeyStore::open(&path)?;
        let cached = self.lock().get(&path).cloned();
        if let Some(open) = cached {
            if open.store.manifest.matrix_commitment == store.manifest.matrix_commitment {
                return Ok(open);
            }
        }
        let open = Arc::new(JobRunner::open(&path)?);
        self.lock().insert(path, open.clone());
        Ok(open)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<PathBuf, Arc<JobRunner>>> {
        self.0.stores.lock().unwrap_or_else(|e| e.into_inner())
    }
}
