//! Partial aggregation state: one protobuf message per group, in one binary field.
//!
//! DataFusion hands a group's state from the partial to the final aggregation step as Arrow
//! values. Every zkmr aggregate keeps its state as a message of the wire contract, so the
//! state is one `BINARY` field however rich the message is, and Spark's aggregates can pass
//! the same bytes between stages.

use std::sync::Arc;

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::datatypes::{DataType, Field, FieldRef};
use datafusion::common::{exec_datafusion_err, Result, ScalarValue};
use prost::Message;
use zkmr_core::bundle::{encoding_from_proto, encoding_to_proto};
use zkmr_core::Vectors;

use crate::args::failed;

/// The state's one field.
pub(crate) fn fields(aggregate: &str) -> Vec<FieldRef> {
    vec![field(aggregate, "state")]
}

/// A binary state field named `part`.
pub(crate) fn field(aggregate: &str, part: &str) -> FieldRef {
    Arc::new(Field::new(
        format!("{aggregate}[{part}]"),
        DataType::Binary,
        true,
    ))
}

/// A message as the state's one value.
pub(crate) fn value(message: &impl Message) -> Vec<ScalarValue> {
    vec![ScalarValue::Binary(Some(message.encode_to_vec()))]
}

/// The messages of a batch of states, skipping groups that held nothing.
pub(crate) fn decode<M: Message + Default>(states: &[ArrayRef], function: &str) -> Result<Vec<M>> {
    decode_column(&states[0], function)
}

/// The messages of one state field over a batch of states, skipping groups that held nothing.
pub(crate) fn decode_column<M: Message + Default>(
    column: &ArrayRef,
    function: &str,
) -> Result<Vec<M>> {
    let states = column.as_binary::<i32>();
    (0..states.len())
        .filter(|i| states.is_valid(*i) && !states.value(*i).is_empty())
        .map(|i| {
            M::decode(states.value(i))
                .map_err(|e| exec_datafusion_err!("{function}: corrupt partial state: {e}"))
        })
        .collect()
}

/// `x` as the states of `zkMatMul` and `zkCommit` carry it: the `x` fields of a
/// `PartitionRows`.
pub(crate) fn x_state(x: &Vectors) -> zkmr_proto::PartitionRows {
    zkmr_proto::PartitionRows {
        x: x.values.clone(),
        x_encoding: Some(encoding_to_proto(x.encoding)),
        vectors: x.count as u32,
        ..Default::default()
    }
}

/// The `x` a state carries (see [`x_state`]).
pub(crate) fn x_of(state: &zkmr_proto::PartitionRows, function: &str) -> Result<Vectors> {
    Ok(Vectors {
        values: state.x.clone(),
        count: state.vectors.max(1) as usize,
        encoding: encoding_from_proto(state.x_encoding.as_ref(), "x_encoding")
            .map_err(|e| failed(function, e))?,
    })
}
