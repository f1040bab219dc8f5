//! The core's errors as the package's Python exceptions (`zkmr/errors.py`), with the CLI's
//! message: what `zkmr` prints after `zkmr: `.

use pyo3::prelude::*;
use zkmr_core::Error;

/// The exception class in `zkmr.errors` for each kind of core error.
fn class_name(err: &Error) -> &'static str {
    match err {
        Error::Input(_) | Error::Usage(_) => "InputError",
        Error::Format(_) => "FormatError",
        Error::Rejected { .. } => "RejectedError",
        Error::Io { .. } => "StoreIOError",
        Error::Proving { .. } => "ProvingError",
    }
}

/// Raises `err` as its `zkmr.errors` exception.
pub fn to_py(py: Python<'_>, err: Error) -> PyErr {
    let message = err.to_string();
    let raised = py
        .import("zkmr.errors")
        .and_then(|module| module.getattr(class_name(&err)))
        .and_then(|class| class.call1((message,)));
    match raised {
        Ok(exception) => PyErr::from_value(exception),
        // The Python half is missing or broken: still say what failed.
        Err(import) => import,
    }
}

/// `?` for core results inside a function that holds the GIL.
pub trait OrRaise<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for zkmr_core::Result<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}
