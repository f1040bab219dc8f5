//! `zkOpen(bundle, partition, store)` and `zkVerifyPartition(opening, commitment [, x [,
//! job_root]])`: one partition of a verified job shown to a third party, and that party's
//! check.
//!
//! `zkOpen` needs the key store the job was proved from (its secret makes the opening's
//! proof) and refuses a bundle that does not verify against it. `zkVerifyPartition` needs only
//! the opening and the trusted commitment, optionally the `x` and the job root the party
//! expects, and like `zkVerifyExplain` answers `verified: partition P (rows a..b), x …, job
//! root …` or `rejected: …` instead of failing.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{exec_datafusion_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use prost::Message;
use zkmr_core::store::digest_from_hex;

use crate::args::{check, failed, in_function, Kind};
use crate::context::Shared;
use crate::expected::ExpectedArgs;
use crate::identity::{identity_methods, Identity};

const OPEN: &str = "zkOpen";
const VERIFY: &str = "zkVerifyPartition";

#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct ZkOpen {
    identity: Identity,
    shared: Shared,
}

impl ZkOpen {
    pub fn new(shared: Shared) -> Self {
        Self {
            identity: Identity::new(OPEN, Signature::any(3, Volatility::Immutable)),
            shared,
        }
    }
}

impl ScalarUDFImpl for ZkOpen {
    identity_methods!();

    fn return_type(&self, types: &[DataType]) -> Result<DataType> {
        check(
            OPEN,
            "zkOpen(bundle, partition, store)",
            &["bundle", "partition", "store"],
            &[Kind::Binary, Kind::Integer, Kind::Text],
            0,
            types,
        )?;
        Ok(DataType::Binary)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let bundles = cast(&arrays[0], &DataType::Binary)?;
        let bundles = bundles.as_binary::<i32>();
        let partitions = cast(&arrays[1], &DataType::Int64)?;
        let partitions = partitions.as_primitive::<Int64Type>();
        let stores = cast(&arrays[2], &DataType::Utf8)?;
        let stores = stores.as_string::<i32>();
        let openings = (0..bundles.len())
            .map(|i| {
                if bundles.is_null(i) || partitions.is_null(i) || stores.is_null(i) {
                    return Ok(None);
                }
                let partition = u32::try_from(partitions.value(i)).map_err(|_| {
                    exec_datafusion_err!("{OPEN}: partition {} is not one", partitions.value(i))
                })?;
                let store = self
                    .shared
                    .store(stores.value(i))
                    .map_err(|e| failed(OPEN, e))?;
                let bundle = zkmr_core::bundle::decode(bundles.value(i), "bundle")
                    .map_err(|e| failed(OPEN, e))?;
                let opening = store
                    .open_partition(&bundle, partition)
                    .map_err(|e| failed(OPEN, e))?;
                Ok(Some(opening.encode_to_vec()))
            })
            .collect::<Result<Vec<_>>>()?;
        let out: ArrayRef = Arc::new(BinaryArray::from_iter(openings));
        Ok(ColumnarValue::Array(out))
    }
}

#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct ZkVerifyPartition {
    identity: Identity,
}

impl ZkVerifyPartition {
    pub fn new() -> Self {
        Self {
            identity: Identity::new(VERIFY, Signature::variadic_any(Volatility::Immutable)),
        }
    }
}

impl ScalarUDFImpl for ZkVerifyPartition {
    identity_methods!();

    fn return_type(&self, types: &[DataType]) -> Result<DataType> {
        check(
            VERIFY,
            "zkVerifyPartition(opening, commitment [, x [, job_root]])",
            &["opening", "commitment", "x", "job_root"],
            &[
                Kind::Binary,
                Kind::Text,
                Kind::VectorsOrDigest,
                Kind::Digest,
            ],
            2,
            types,
        )?;
        Ok(DataType::Utf8)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let openings = cast(&arrays[0], &DataType::Binary)?;
        let openings = openings.as_binary::<i32>();
        let commitments = cast(&arrays[1], &DataType::Utf8)?;
        let commitments = commitments.as_string::<i32>();
        let lines = opening_verdicts(openings, commitments, arrays.get(2), arrays.get(3))
            .map_err(|e| in_function(VERIFY, e))?;
        let out: ArrayRef = Arc::new(StringArray::from_iter(lines));
        Ok(ColumnarValue::Array(out))
    }
}

/// The verdict lines on a column of openings; `None` where an argument is NULL.
fn opening_verdicts(
    openings: &BinaryArray,
    commitments: &StringArray,
    x: Option<&ArrayRef>,
    job_root: Option<&ArrayRef>,
) -> Result<Vec<Option<String>>> {
    let expected = ExpectedArgs::new(x, job_root)?;
    (0..openings.len())
        .map(|i| {
            if openings.is_null(i) || commitments.is_null(i) {
                return Ok(None);
            }
            let Some(expected) = expected.at(i)? else {
                return Ok(None);
            };
            let trusted = digest_from_hex(commitments.value(i), "commitment")
                .map_err(|e| exec_datafusion_err!("{e}"))?;
            let (_, line) =
                zkmr_core::verify::opening_verdict(openings.value(i), &trusted, &expected);
            Ok(Some(line))
        })
        .collect()
}
