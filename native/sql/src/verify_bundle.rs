//! `zkVerify(bundle, commitment [, x])` and `zkVerifyExplain(bundle, commitment [, x])`.
//!
//! A bundle that fails to decode or verify, or proves another `x` than the one given, is a
//! `false` (or its reason), not a query error: checking untrusted bundles is the point. A
//! commitment or an `x` digest that is not 64 hex digits is the caller's mistake and fails
//! the query. Every verdict line names the `x` it is about by its digest.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray, BinaryArray, BooleanArray, StringArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::DataType;
use datafusion::common::{exec_datafusion_err, Result};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};
use zkmr_core::store::digest_from_hex;
use zkmr_core::verify::Expected;

use crate::args::{check, in_function, Kind};
use crate::expected::ExpectedArgs;
use crate::identity::{identity_methods, Identity};

#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct ZkVerify {
    identity: Identity,
    explain: bool,
}

impl ZkVerify {
    /// `zkVerify`: true or false.
    pub fn boolean() -> Self {
        Self::new(false)
    }

    /// `zkVerifyExplain`: "verified: ..." or the reason for rejecting.
    pub fn explaining() -> Self {
        Self::new(true)
    }

    fn new(explain: bool) -> Self {
        Self {
            identity: Identity::new(
                Self::display(explain),
                Signature::variadic_any(Volatility::Immutable),
            ),
            explain,
        }
    }

    fn display(explain: bool) -> &'static str {
        if explain {
            "zkVerifyExplain"
        } else {
            "zkVerify"
        }
    }
}

/// The verdict on one bundle: verified or not, and the line saying why.
fn verdict(bundle: &[u8], commitment: &str, expected: &Expected) -> Result<(bool, String)> {
    let trusted =
        digest_from_hex(commitment, "commitment").map_err(|e| exec_datafusion_err!("{e}"))?;
    let (verified, line) = zkmr_core::verify::verdict(bundle, &trusted, expected);
    Ok((verified.is_some(), line))
}

/// The verdicts on a column of bundles; `None` where an argument is NULL.
fn verdicts(
    bundles: &BinaryArray,
    commitments: &StringArray,
    x: Option<&ArrayRef>,
) -> Result<Vec<Option<(bool, String)>>> {
    let expected = ExpectedArgs::new(x, None)?;
    (0..bundles.len())
        .map(|i| {
            if bundles.is_null(i) || commitments.is_null(i) {
                return Ok(None);
            }
            let Some(expected) = expected.at(i)? else {
                return Ok(None);
            };
            verdict(bundles.value(i), commitments.value(i), &expected).map(Some)
        })
        .collect()
}

impl ScalarUDFImpl for ZkVerify {
    identity_methods!();

    fn return_type(&self, types: &[DataType]) -> Result<DataType> {
        let name = Self::display(self.explain);
        check(
            name,
            &format!("{name}(bundle, commitment [, x])"),
            &["bundle", "commitment", "x"],
            &[Kind::Binary, Kind::Text, Kind::VectorsOrDigest],
            1,
            types,
        )?;
        Ok(if self.explain {
            DataType::Utf8
        } else {
            DataType::Boolean
        })
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let bundles = cast(&arrays[0], &DataType::Binary)?;
        let bundles = bundles.as_binary::<i32>();
        let commitments = cast(&arrays[1], &DataType::Utf8)?;
        let commitments = commitments.as_string::<i32>();
        let verdicts = verdicts(bundles, commitments, arrays.get(2))
            .map_err(|e| in_function(Self::display(self.explain), e))?;
        let out: ArrayRef = if self.explain {
            Arc::new(StringArray::from_iter(
                verdicts.into_iter().map(|v| v.map(|(_, line)| line)),
            ))
        } else {
            Arc::new(BooleanArray::from_iter(
                verdicts.into_iter().map(|v| v.map(|(ok, _)| ok)),
            ))
        };
        Ok(ColumnarValue::Array(out))
    }
}
