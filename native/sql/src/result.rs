//! The structs `zkMatMul` and `zkCommit` return, as Arrow types and values.

use std::sync::Arc;

use datafusion::arrow::array::{
    ArrayRef, BinaryArray, Float64Array, Int64Array, ListArray, StringArray, StructArray,
};
use datafusion::arrow::datatypes::{DataType, Field, Fields};
use datafusion::common::{exec_datafusion_err, Result, ScalarValue};
use prost::Message;
use zkmr_core::job::PartitionSummary;
use zkmr_core::store::digest_to_hex;

fn float_list() -> DataType {
    DataType::List(Arc::new(Field::new_list_field(DataType::Float64, true)))
}

/// The fields of a `zkMatMul` result.
pub(crate) fn partition_fields() -> Fields {
    Fields::from(vec![
        Field::new("partition", DataType::Int64, false),
        Field::new("row_start", DataType::Int64, false),
        Field::new("row_end", DataType::Int64, false),
        Field::new("y", float_list(), false),
        // NULL under pedersen, whose one key is the matrix's.
        Field::new("key_digest", DataType::Utf8, true),
        Field::new("leaf", DataType::Utf8, false),
        Field::new("proof", DataType::Binary, false),
        Field::new("prove_seconds", DataType::Float64, false),
        Field::new("result", DataType::Binary, false),
    ])
}

/// The fields of a `zkCommit` result.
pub(crate) fn job_fields() -> Fields {
    Fields::from(vec![
        Field::new("matrix_commitment", DataType::Utf8, false),
        Field::new("job_root", DataType::Utf8, false),
        Field::new("y", float_list(), false),
        Field::new("y_scale_bits", DataType::Int64, false),
        Field::new("partitions", DataType::Int64, false),
        Field::new("bundle", DataType::Binary, false),
        Field::new("vectors", DataType::Int64, false),
        Field::new("y_error_bound", DataType::Float64, false),
        // The x the job proves (the query's, as encoded, decoded) and its digest, which
        // every verdict on the bundle names.
        Field::new("x", float_list(), false),
        Field::new("x_digest", DataType::Utf8, false),
    ])
}

/// The fields of a `zkCommitMatrix` result.
pub(crate) fn matrix_fields() -> Fields {
    Fields::from(vec![
        Field::new("matrix_commitment", DataType::Utf8, false),
        Field::new("store", DataType::Utf8, false),
        Field::new("rows", DataType::Int64, false),
        Field::new("cols", DataType::Int64, false),
        Field::new("partitions", DataType::Int64, false),
        Field::new("rows_per_partition", DataType::Int64, false),
        Field::new("scale_bits", DataType::Int64, false),
        Field::new("k", DataType::Int64, false),
        Field::new("srs_unsafe", DataType::Boolean, false),
        Field::new("scheme", DataType::Utf8, false),
    ])
}

/// One struct value from single-row columns.
pub(crate) fn struct_value(fields: Fields, columns: Vec<ArrayRef>) -> Result<ScalarValue> {
    Ok(ScalarValue::Struct(Arc::new(StructArray::try_new(
        fields, columns, None,
    )?)))
}

pub(crate) fn int(v: i64) -> ArrayRef {
    Arc::new(Int64Array::from(vec![v]))
}

pub(crate) fn float(v: f64) -> ArrayRef {
    Arc::new(Float64Array::from(vec![v]))
}

pub(crate) fn text(v: String) -> ArrayRef {
    Arc::new(StringArray::from(vec![v]))
}

pub(crate) fn bytes(v: &[u8]) -> ArrayRef {
    Arc::new(BinaryArray::from_vec(vec![v]))
}

pub(crate) fn floats(v: Vec<f64>) -> ArrayRef {
    Arc::new(ListArray::from_iter_primitive::<
        datafusion::arrow::datatypes::Float64Type,
        _,
        _,
    >(std::iter::once(Some(v.into_iter().map(Some)))))
}

/// The `zkMatMul` struct for a proved partition.
pub(crate) fn partition_value(
    result: &zkmr_proto::PartitionResult,
    summary: &PartitionSummary,
) -> Result<ScalarValue> {
    let proof = result
        .proof
        .as_ref()
        .ok_or_else(|| exec_datafusion_err!("partition result without a proof"))?;
    struct_value(
        partition_fields(),
        vec![
            int(summary.index as i64),
            int(summary.row_start as i64),
            int(summary.row_end as i64),
            floats(summary.y.clone()),
            Arc::new(StringArray::from(vec![summary
                .key_digest
                .as_ref()
                .map(digest_to_hex)])),
            text(digest_to_hex(&summary.leaf)),
            bytes(&proof.proof),
            Arc::new(Float64Array::from(vec![summary.prove_seconds])),
            bytes(&result.encode_to_vec()),
        ],
    )
}
