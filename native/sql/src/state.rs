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

/// The state's one field.
pub(crate) fn fields(aggregate: &str) -> Vec<FieldRef> {
    vec![Arc::new(Field::new(
        format!("{aggregate}[state]"),
        DataType::Binary,
        true,
    ))]
}

/// A message as the state's one value.
pub(crate) fn value(message: &impl Message) -> Vec<ScalarValue> {
    vec![ScalarValue::Binary(Some(message.encode_to_vec()))]
}

/// The messages of a batch of states, skipping groups that held nothing.
pub(crate) fn decode<M: Message + Default>(states: &[ArrayRef], function: &str) -> Result<Vec<M>> {
    let states = states[0].as_binary::<i32>();
    (0..states.len())
        .filter(|i| states.is_valid(*i) && !states.value(*i).is_empty())
        .map(|i| {
            M::decode(states.value(i))
                .map_err(|e| exec_datafusion_err!("{function}: corrupt partial state: {e}"))
        })
        .collect()
}
