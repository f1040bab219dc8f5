//! One error type for the proving core; every message names what failed and where.

use std::path::PathBuf;

/// What went wrong, with enough context for a user to find it.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// An input value or shape that the statement cannot encode.
    #[error("invalid input: {0}")]
    Input(String),
    /// A malformed artifact: bundle, key store, SRS, proof bytes.
    #[error("malformed data: {0}")]
    Format(String),
    /// A proof or bundle that does not verify; `partition` names the culprit where one exists.
    #[error("{}", rejection_message(*.partition, .reason))]
    Rejected {
        partition: Option<u32>,
        reason: String,
    },
    /// The caller asked for something the setup does not allow.
    #[error("{0}")]
    Usage(String),
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// halo2 refused to synthesize or prove; carries the partition.
    #[error("partition {partition}: proving failed: {reason}")]
    Proving { partition: u32, reason: String },
}

fn rejection_message(partition: Option<u32>, reason: &str) -> String {
    match partition {
        Some(p) => format!("rejected: partition {p}: {reason}"),
        None => format!("rejected: {reason}"),
    }
}

impl Error {
    /// A rejection that names the partition at fault.
    pub fn rejected(partition: u32, reason: impl Into<String>) -> Self {
        Error::Rejected {
            partition: Some(partition),
            reason: reason.into(),
        }
    }

    /// A rejection of the bundle as a whole.
    pub fn rejected_bundle(reason: impl Into<String>) -> Self {
        Error::Rejected {
            partition: None,
            reason: reason.into(),
        }
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result with the core's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
