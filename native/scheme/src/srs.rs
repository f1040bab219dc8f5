//! The structured reference string a pairing-based scheme is set up with: what a user asks for
//! ([`SrsChoice`], read the same way by every engine through [`srs_choice`]) and what a store
//! records of where it came from ([`SrsSource`]). Loading one is the scheme's own business.

use std::path::PathBuf;

use zkmr_math::error::{Error, Result};

/// Which SRS to make keys with.
#[derive(Clone, Debug)]
pub enum SrsChoice {
    /// A powers-of-tau file in the scheme's accepted format (halo2: a `ParamsKZG` file).
    File(PathBuf),
    /// The insecure development SRS, cached in the given directory.
    Development { cache_dir: PathBuf },
}

/// Where an SRS came from; recorded in key stores and shown to users.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SrsSource {
    /// A file the user supplied.
    File { path: String },
    /// The insecure development SRS.
    Development,
}

impl SrsSource {
    pub fn is_unsafe(&self) -> bool {
        matches!(self, SrsSource::Development)
    }
}

/// The SRS a user asked for with a file or the development flag, read the same way by every
/// engine: the file, or the insecure development SRS cached in `$ZKMR_CACHE_DIR` (else the
/// user's cache directory), or none; both at once is refused.
pub fn srs_choice(file: Option<PathBuf>, development: bool) -> Result<Option<SrsChoice>> {
    match (file, development) {
        (Some(_), true) => Err(Error::Usage(
            "an SRS file and the development SRS were both asked for; give one".into(),
        )),
        (Some(path), false) => Ok(Some(SrsChoice::File(path))),
        (None, true) => Ok(Some(SrsChoice::Development {
            cache_dir: default_cache_dir(),
        })),
        (None, false) => Ok(None),
    }
}

/// The default cache directory (development SRS, generator tables): `$ZKMR_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/zkmr`, else `~/.cache/zkmr`.
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ZKMR_CACHE_DIR") {
        return dir.into();
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("zkmr")
}
