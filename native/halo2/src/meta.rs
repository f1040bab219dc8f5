//! The statement's header as the wire contract's `MatrixMeta` carries it in bundles, openings
//! and aggregated proofs.

use zkmr_math::error::{Error, Result};
use zkmr_scheme::bundle::{encoding_from_proto, encoding_to_proto};

use crate::statement::MatrixHeader;

/// The header as the wire contract carries it.
pub fn meta_to_proto(h: &MatrixHeader) -> zkmr_proto::MatrixMeta {
    zkmr_proto::MatrixMeta {
        rows: h.rows,
        cols: h.cols,
        encoding: Some(encoding_to_proto(h.encoding)),
        rows_per_partition: h.rows_per_partition,
        fold: h.fold,
        k: h.k,
        srs_digest: zkmr_math::field::to_bytes(&h.srs_digest).to_vec(),
    }
}

/// The header a bundle carries.
pub fn meta_from_proto(m: Option<&zkmr_proto::MatrixMeta>) -> Result<MatrixHeader> {
    let m = m.ok_or_else(|| Error::Format("bundle: missing matrix".into()))?;
    Ok(MatrixHeader {
        rows: m.rows,
        cols: m.cols,
        encoding: encoding_from_proto(m.encoding.as_ref(), "matrix.encoding")?,
        rows_per_partition: m.rows_per_partition,
        fold: m.fold,
        k: m.k,
        srs_digest: zkmr_math::field::from_bytes(&m.srs_digest, "bundle matrix.srs_digest")?,
    })
}
