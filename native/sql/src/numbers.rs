//! Reading SQL values as the numbers the proving core encodes.
//!
//! A matrix row or a vector arrives as a list (`LIST`, `LARGE LIST` or `FIXED SIZE LIST`) of
//! integers or floats. Lists are normalised once per batch to `List<Int64>` or
//! `List<Float64>`, so integers stay exact and every error can name the row and column.

use datafusion::arrow::array::{Array, ArrayRef, AsArray, ListArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, Float64Type, Int64Type};
use datafusion::common::{exec_datafusion_err, exec_err, Result};
use std::sync::Arc;
use zkmr_core::fixed_point::Number;
use zkmr_core::Vectors;

/// Whether `t` is a list of numbers, as an argument's type must be.
pub(crate) fn is_number_list(t: &DataType) -> bool {
    match t {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            f.data_type().is_numeric()
        }
        _ => false,
    }
}

/// Whether `t` is a list of number lists: a batch of vectors.
pub(crate) fn is_vector_list(t: &DataType) -> bool {
    match t {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
            is_number_list(f.data_type())
        }
        _ => false,
    }
}

/// A column of vectors per row: one (`NUMBER[]`) or a batch (`NUMBER[][]`).
pub(crate) struct VectorArg {
    what: String,
    column: VectorColumn,
}

enum VectorColumn {
    One(NumberLists),
    /// The rows' batches: offsets into `vectors`, one entry per vector.
    Batch {
        outer: ListArray,
        vectors: NumberLists,
    },
}

impl VectorArg {
    /// Normalises `array`; `what` names the argument in errors.
    pub fn new(array: &ArrayRef, what: &str) -> Result<Self> {
        let column = if is_vector_list(array.data_type()) {
            let inner = match array.data_type() {
                DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
                    f.clone()
                }
                _ => unreachable!("checked above"),
            };
            let outer = cast(array, &DataType::List(inner))
                .map_err(|e| exec_datafusion_err!("{what}: cannot read as vectors: {e}"))?;
            let outer = outer.as_list::<i32>().clone();
            let vectors = NumberLists::new(outer.values(), what)?;
            VectorColumn::Batch { outer, vectors }
        } else {
            VectorColumn::One(NumberLists::new(array, what)?)
        };
        Ok(Self {
            what: what.to_string(),
            column,
        })
    }

    pub fn is_null(&self, i: usize) -> bool {
        match &self.column {
            VectorColumn::One(lists) => lists.is_null(i),
            VectorColumn::Batch { outer, .. } => outer.is_null(i),
        }
    }

    /// The vectors of row `i`, a non-null one; errors name the vector (in a batch) and entry.
    pub fn vectors(&self, i: usize) -> Result<Vec<Vec<Number>>> {
        let what = &self.what;
        match &self.column {
            VectorColumn::One(lists) => {
                Ok(vec![lists.numbers(i, &|j| format!("{what} index {j}"))?])
            }
            VectorColumn::Batch { outer, vectors } => {
                let offsets = outer.value_offsets();
                let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
                if start == end {
                    return exec_err!("{what}: an empty batch of vectors");
                }
                (start..end)
                    .map(|k| {
                        let b = k - start;
                        if vectors.is_null(k) {
                            return exec_err!("{what} vector {b}: null vector");
                        }
                        vectors.numbers(k, &|j| format!("{what} vector {b}, index {j}"))
                    })
                    .collect()
            }
        }
    }
}

/// The job's `x` over a batch of rows, as `zkMatMul` and `zkCommit` both read it: the same
/// vectors on every row, encoded once by [`encode_x`]. Sharing this is what makes the `x` a
/// query passes to both functions one `x`, so the reducer can hold the tasks to it. `row(i)`
/// names row `i` in errors; `None` for an empty batch.
pub(crate) fn constant_x(
    array: &ArrayRef,
    scale_bits: Option<u32>,
    row: &dyn Fn(usize) -> String,
) -> Result<Option<Vectors>> {
    let xs = VectorArg::new(array, "x")?;
    let mut first: Option<(Vec<Vec<Number>>, Vectors)> = None;
    for i in 0..array.len() {
        if xs.is_null(i) {
            return exec_err!("x is null at {}", row(i));
        }
        let x = xs.vectors(i)?;
        match &first {
            // Compared as read, not encoded: encoding once per batch, not once per row.
            Some((numbers, _)) if *numbers != x => {
                return exec_err!("x differs between rows (at {})", row(i))
            }
            Some(_) => {}
            None => {
                let encoded = encode_x(&x, scale_bits)?;
                first = Some((x, encoded));
            }
        }
    }
    Ok(first.map(|(_, encoded)| encoded))
}

/// Encodes `x` as `zkmr prove` encodes vectors: one encoding for the batch, at `scale_bits`
/// or the default for its values (0 for integers, 16 bits otherwise).
pub(crate) fn encode_x(x: &[Vec<Number>], scale_bits: Option<u32>) -> Result<Vectors> {
    Vectors::encode(x, scale_bits, None).map_err(|e| exec_datafusion_err!("x: {e}"))
}

/// A column of number lists, normalised.
pub(crate) struct NumberLists {
    list: ListArray,
    integers: bool,
}

impl NumberLists {
    /// Normalises `array`; `what` names the argument in errors.
    pub fn new(array: &ArrayRef, what: &str) -> Result<Self> {
        if !is_number_list(array.data_type()) {
            return exec_err!(
                "{what} must be a list of numbers, got {}",
                array.data_type()
            );
        }
        let element = match array.data_type() {
            DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => {
                f.data_type().clone()
            }
            _ => unreachable!("checked above"),
        };
        let integers = element.is_integer();
        let target = if integers {
            DataType::Int64
        } else {
            DataType::Float64
        };
        let list_type = DataType::List(Arc::new(Field::new_list_field(target, true)));
        let cast = cast(array, &list_type)
            .map_err(|e| exec_datafusion_err!("{what}: cannot read as numbers: {e}"))?;
        Ok(Self {
            list: cast.as_list::<i32>().clone(),
            integers,
        })
    }

    pub fn is_null(&self, i: usize) -> bool {
        self.list.is_null(i)
    }

    /// The numbers of list `i`; `at(j)` names entry `j` in errors. A null list is an error
    /// the caller reports with its own context.
    pub fn numbers(&self, i: usize, at: &dyn Fn(usize) -> String) -> Result<Vec<Number>> {
        let values = self.list.value(i);
        if let Some(j) = (0..values.len()).find(|j| values.is_null(*j)) {
            return exec_err!("{}: null value", at(j));
        }
        Ok(if self.integers {
            values
                .as_primitive::<Int64Type>()
                .values()
                .iter()
                .map(|v| Number::Int(*v))
                .collect()
        } else {
            values
                .as_primitive::<Float64Type>()
                .values()
                .iter()
                .map(|v| Number::Float(*v))
                .collect()
        })
    }
}
