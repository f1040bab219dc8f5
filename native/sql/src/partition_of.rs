//! `zkPartition(row, store)`: the partition a matrix row belongs to.
//!
//! The `GROUP BY` key of `zkMatMul`. The second argument is the key store (its manifest says
//! how many rows a partition has) or that number itself. The result grows with `row`, so a
//! table sorted by row stays sorted by partition and DataFusion can aggregate it in order.

use std::sync::Arc;

use datafusion::arrow::array::{Array, AsArray, Int64Array};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{exec_err, Result, ScalarValue};
use datafusion::logical_expr::sort_properties::{ExprProperties, SortProperties};
use datafusion::logical_expr::{
    ColumnarValue, ScalarFunctionArgs, ScalarUDFImpl, Signature, Volatility,
};

use crate::args::failed;
use crate::context::Shared;
use crate::identity::{identity_methods, Identity};

const NAME: &str = "zkPartition";

#[derive(Debug, PartialEq, Eq, Hash)]
pub(crate) struct ZkPartition {
    identity: Identity,
    shared: Shared,
}

impl ZkPartition {
    pub fn new(shared: Shared) -> Self {
        Self {
            identity: Identity::new(NAME, Signature::any(2, Volatility::Immutable)),
            shared,
        }
    }

    /// Rows per partition from the second argument.
    fn rows_per_partition(&self, arg: &ColumnarValue) -> Result<i64> {
        let ColumnarValue::Scalar(value) = arg else {
            return exec_err!(
                "{NAME}: the second argument must be a constant (a store path or a row count)"
            );
        };
        let per = match value {
            ScalarValue::Utf8(Some(dir))
            | ScalarValue::LargeUtf8(Some(dir))
            | ScalarValue::Utf8View(Some(dir)) => {
                self.shared
                    .store(dir)
                    .map_err(|e| failed(NAME, e))?
                    .store
                    .manifest
                    .rows_per_partition as i64
            }
            other => match other.cast_to(&DataType::Int64)? {
                ScalarValue::Int64(Some(n)) => n,
                _ => return exec_err!("{NAME}: the second argument is null"),
            },
        };
        if per <= 0 {
            return exec_err!("{NAME}: rows per partition must be positive, got {per}");
        }
        Ok(per)
    }
}

impl ScalarUDFImpl for ZkPartition {
    identity_methods!();

    fn return_type(&self, types: &[DataType]) -> Result<DataType> {
        crate::args::check(
            NAME,
            "zkPartition(row, store | rows_per_partition)",
            &["row", "store"],
            &[crate::args::Kind::Integer, crate::args::Kind::TextOrInteger],
            0,
            types,
        )?;
        Ok(DataType::Int64)
    }

    fn invoke_with_args(&self, args: ScalarFunctionArgs) -> Result<ColumnarValue> {
        let per = self.rows_per_partition(&args.args[1])?;
        let rows = args.args[0].to_array(args.number_rows)?;
        let rows = cast(&rows, &DataType::Int64)?;
        let rows = rows.as_primitive::<Int64Type>();
        if let Some(i) = (0..rows.len()).find(|i| rows.is_null(*i)) {
            return exec_err!("{NAME}: row index is null (at position {i} of a batch)");
        }
        if let Some(r) = rows.values().iter().find(|r| **r < 0) {
            return exec_err!("{NAME}: row index {r} is negative");
        }
        let out = Int64Array::from_iter_values(rows.values().iter().map(|r| r / per));
        Ok(ColumnarValue::Array(Arc::new(out)))
    }

    fn output_ordering(&self, inputs: &[ExprProperties]) -> Result<SortProperties> {
        Ok(inputs[0].sort_properties)
    }
}
