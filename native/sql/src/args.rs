//! Argument checks and conversions shared by the functions.

use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{exec_datafusion_err, exec_err, plan_err, DataFusionError, Result};

use crate::numbers::{is_number_list, is_vector_list};

/// What an argument must be, for signature checks at planning time.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Kind {
    Integer,
    NumberList,
    /// One vector (a number list) or a batch (a list of number lists).
    Vectors,
    /// The `x` a verdict expects: vectors, or their digest in hex; a NULL literal leaves it out.
    VectorsOrDigest,
    Text,
    /// A digest in hex; a NULL literal leaves it out.
    Digest,
    TextOrInteger,
    Binary,
    Struct,
}

impl Kind {
    fn accepts(self, t: &DataType) -> bool {
        match self {
            Kind::Integer => t.is_integer() || t.is_null(),
            Kind::NumberList => is_number_list(t) || t.is_null(),
            Kind::Vectors => is_number_list(t) || is_vector_list(t) || t.is_null(),
            Kind::VectorsOrDigest => Kind::Vectors.accepts(t) || Kind::Text.accepts(t),
            Kind::Text => is_text(t),
            Kind::Digest => Kind::Text.accepts(t) || t.is_null(),
            Kind::TextOrInteger => Kind::Text.accepts(t) || t.is_integer(),
            Kind::Binary => matches!(
                t,
                DataType::Binary | DataType::LargeBinary | DataType::BinaryView
            ),
            Kind::Struct => matches!(t, DataType::Struct(_)),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Kind::Integer => "an integer",
            Kind::NumberList => "a list of numbers",
            Kind::Vectors => "a list of numbers or a list of such lists",
            Kind::VectorsOrDigest => {
                "a list of numbers, a list of such lists or a digest (64 hex digits)"
            }
            Kind::Text => "a string",
            Kind::Digest => "a digest (64 hex digits)",
            Kind::TextOrInteger => "a string or an integer",
            Kind::Binary => "bytes",
            Kind::Struct => "a struct",
        }
    }
}

/// Whether `t` is a string type.
pub(crate) fn is_text(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Checks argument types against `names` and `kinds` (the last `optional` may be absent),
/// so a wrong call fails at planning with the function's usage.
pub(crate) fn check(
    function: &str,
    usage: &str,
    names: &[&str],
    kinds: &[Kind],
    optional: usize,
    types: &[DataType],
) -> Result<()> {
    let required = kinds.len() - optional;
    if types.len() < required || types.len() > kinds.len() {
        return plan_err!(
            "{function} takes {}{} arguments, got {}: {usage}",
            required,
            if optional > 0 {
                format!(" to {}", kinds.len())
            } else {
                String::new()
            },
            types.len()
        );
    }
    for (i, t) in types.iter().enumerate() {
        if !kinds[i].accepts(t) {
            return plan_err!(
                "{function}: argument {} ({}) must be {}, got {t}: {usage}",
                i + 1,
                names[i],
                kinds[i].describe()
            );
        }
    }
    Ok(())
}

/// A string argument, the same on every row (a store path): the first non-null value.
pub(crate) fn constant_text(array: &ArrayRef, what: &str) -> Result<String> {
    let text = cast(array, &DataType::Utf8)?;
    let text = text.as_string::<i32>();
    let Some(first) = (0..text.len()).find(|i| text.is_valid(*i)) else {
        return exec_err!("{what} is null");
    };
    let value = text.value(first);
    if (0..text.len()).any(|i| text.is_valid(i) && text.value(i) != value) {
        return exec_err!("{what} differs between rows of one group");
    }
    Ok(value.to_string())
}

/// An integer argument, the same on every row; `None` when absent or null.
pub(crate) fn constant_integer(array: Option<&ArrayRef>, what: &str) -> Result<Option<i64>> {
    let Some(array) = array else { return Ok(None) };
    let ints = cast(array, &DataType::Int64)?;
    let ints = ints.as_primitive::<Int64Type>();
    let Some(first) = (0..ints.len()).find(|i| ints.is_valid(*i)) else {
        return Ok(None);
    };
    let value = ints.value(first);
    if (0..ints.len()).any(|i| ints.is_valid(i) && ints.value(i) != value) {
        return exec_err!("{what} differs between rows of one group");
    }
    Ok(Some(value))
}

/// A scale in bits (`x_scale_bits`), the same on every row; `None` when absent or null.
pub(crate) fn constant_scale(array: Option<&ArrayRef>, what: &str) -> Result<Option<u32>> {
    constant_integer(array, what)?
        .map(|s| u32::try_from(s).map_err(|_| exec_datafusion_err!("{what} {s} is negative")))
        .transpose()
}

/// Row indices as `u64`, each non-null and non-negative.
pub(crate) fn row_indices(array: &ArrayRef) -> Result<Vec<u64>> {
    let ints = cast(array, &DataType::Int64)?;
    let ints = ints.as_primitive::<Int64Type>();
    (0..ints.len())
        .map(|i| {
            if ints.is_null(i) {
                return exec_err!("row index is null");
            }
            u64::try_from(ints.value(i))
                .map_err(|_| exec_datafusion_err!("row index {} is negative", ints.value(i)))
        })
        .collect()
}

/// A core error as a DataFusion error naming the function.
pub(crate) fn failed(function: &str, err: zkmr_core::Error) -> DataFusionError {
    DataFusionError::Execution(format!("{function}: {err}"))
}

/// Prefixes a DataFusion error with the function's name, unless [`failed`] already did.
pub(crate) fn in_function(function: &str, err: DataFusionError) -> DataFusionError {
    match err {
        DataFusionError::Execution(msg) if !msg.starts_with(&format!("{function}: ")) => {
            DataFusionError::Execution(format!("{function}: {msg}"))
        }
        other => other,
    }
}
