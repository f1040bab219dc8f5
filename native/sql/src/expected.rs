//! The optional `x` and `job_root` arguments of `zkVerify`, `zkVerifyExplain` and
//! `zkVerifyPartition`: what the relying party expects a verdict to be about.
//!
//! A bundle that verifies proves `y = A·x` for the `x` it carries, which its maker chose; only
//! a check against the `x` the relying party asked about says the answer is to its question.
//! A NULL literal leaves an argument out (so `zkVerifyPartition(o, c, NULL, root)` checks the
//! root alone); a NULL value in a column that gives the argument makes that row's verdict
//! NULL, as a NULL bundle does, so a missing expectation never passes for a met one.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_datafusion_err, Result};
use zkmr_core::store::digest_from_hex;
use zkmr_core::verify::{Expected, ExpectedX};

use crate::args::is_text;
use crate::numbers::VectorArg;

/// The expectation arguments of one call, read per row.
pub(crate) struct ExpectedArgs {
    x: Option<XColumn>,
    job_root: Option<StringArray>,
}

/// `x` as vectors, or as their digest.
enum XColumn {
    Vectors(VectorArg),
    Digests(StringArray),
}

impl ExpectedArgs {
    /// `x` and `job_root` where given: absent or a NULL literal expects nothing of them.
    pub fn new(x: Option<&ArrayRef>, job_root: Option<&ArrayRef>) -> Result<Self> {
        let x = match given(x) {
            None => None,
            Some(x) if is_text(x.data_type()) => Some(XColumn::Digests(strings(x)?)),
            Some(x) => Some(XColumn::Vectors(VectorArg::new(x, "x")?)),
        };
        let job_root = given(job_root).map(strings).transpose()?;
        Ok(Self { x, job_root })
    }

    /// What row `i` expects; `None` when an argument given is NULL on that row.
    pub fn at(&self, i: usize) -> Result<Option<Expected>> {
        let x = match &self.x {
            None => None,
            Some(XColumn::Vectors(v)) if v.is_null(i) => return Ok(None),
            Some(XColumn::Vectors(v)) => Some(ExpectedX::Vectors(v.vectors(i)?)),
            Some(XColumn::Digests(d)) if d.is_null(i) => return Ok(None),
            Some(XColumn::Digests(d)) => Some(ExpectedX::Digest(digest(d.value(i), "x")?)),
        };
        let job_root = match &self.job_root {
            None => None,
            Some(r) if r.is_null(i) => return Ok(None),
            Some(r) => Some(digest(r.value(i), "job_root")?),
        };
        Ok(Some(Expected { x, job_root }))
    }
}

/// An argument that was passed and is not the NULL literal.
fn given(array: Option<&ArrayRef>) -> Option<&ArrayRef> {
    array.filter(|a| !a.data_type().is_null())
}

fn strings(array: &ArrayRef) -> Result<StringArray> {
    Ok(cast(array, &DataType::Utf8)?.as_string::<i32>().clone())
}

/// A digest the caller gave: not 64 hex digits is its mistake, and fails the query.
fn digest(hex: &str, what: &str) -> Result<[u8; 32]> {
    digest_from_hex(hex, what).map_err(|e| exec_datafusion_err!("{e}"))
}
