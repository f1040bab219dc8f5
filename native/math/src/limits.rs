//! The sizes zkmr accepts, in one place. Every size read from an untrusted file or a flag is
//! checked against these before anything is allocated for it: a header's count is backed by
//! no bytes, so without a bound a few bytes could ask for terabytes and abort the process.

use crate::error::{Error, Result};

/// The most rows or columns an artifact (a bundle, an opening, a manifest, a setup plan) may
/// declare.
pub const MAX_DIMENSION: u64 = 1 << 32;

/// The most vectors one bundle (or opening) carries.
pub const MAX_VECTORS: u64 = 1 << 20;

/// The most rows a pedersen store commits: the verifier and the committer hold one generator
/// `G_i` per row (64 bytes, derived at about 34 µs each), 1 GiB at this limit.
pub const MAX_STORE_ROWS: u64 = 1 << 24;

/// The most columns a pedersen store commits: setup holds one partial sum per column (96
/// bytes) and blinds each, 1.5 GiB at this limit.
pub const MAX_STORE_COLS: u64 = 1 << 24;

/// Refuses a shape beyond [`MAX_STORE_ROWS`] and [`MAX_STORE_COLS`], before anything is
/// allocated or staged for it: a declared shape (`--shape`) is backed by no bytes.
pub fn check_store_shape(rows: u64, cols: u64) -> Result<()> {
    if rows > MAX_STORE_ROWS || cols > MAX_STORE_COLS {
        return Err(Error::Input(format!(
            "a {rows}x{cols} matrix is beyond the 2^24 = {MAX_STORE_ROWS} rows and \
             {MAX_STORE_COLS} columns a pedersen key store holds (one generator a row and one \
             point a column, in memory)"
        )));
    }
    Ok(())
}
