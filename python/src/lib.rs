//! `zkmr._native`: the Rust half of the zkmr Python package.
//!
//! It stays thin, like the JNI bridge: NumPy arrays and paths in, the core's commit, prove and
//! verify, and Python objects out. Argument checking that is about Python values (dtype,
//! dimensions) happens in `zkmr/arrays.py`; every check about the matrix, the vectors and the
//! artifacts is the core's, so errors read as the CLI's. Long work runs with the GIL released.

mod arrays;
mod batch;
mod cli;
mod commit;
mod errors;
mod progress;
mod proof;
mod prove;
mod verify;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(cli::cli, m)?)?;
    m.add_function(wrap_pyfunction!(commit::commit, m)?)?;
    m.add_function(wrap_pyfunction!(prove::prove, m)?)?;
    m.add_function(wrap_pyfunction!(verify::verify, m)?)?;
    m.add_function(wrap_pyfunction!(proof::load, m)?)?;
    m.add_function(wrap_pyfunction!(batch::prove_batch, m)?)?;
    m.add_function(wrap_pyfunction!(batch::verify_batch, m)?)?;
    m.add_function(wrap_pyfunction!(batch::open_input, m)?)?;
    m.add_function(wrap_pyfunction!(batch::verify_input, m)?)?;
    m.add_class::<batch::Batch>()?;
    m.add_class::<commit::Commitment>()?;
    m.add_class::<proof::Proof>()?;
    m.add_class::<verify::Verification>()?;
    m.add(
        "DEFAULT_ROWS_PER_PARTITION",
        zkmr_core::setup::DEFAULT_ROWS_PER_PARTITION,
    )?;
    Ok(())
}
