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
pub(crate) enum VectorArg {
    One(NumberLists),
    /// The rows' batches: offsets into `vectors`, one entry per vector.
    Batch {
        outer: ListArray,
        vectors: NumberLists,
    },
}

impl VectorArg {
    pub fn new(array: &ArrayRef, what: &str) -> Result<Self> {
        if !is_vector_list(array.data_type()) {
            return Ok(Self::One(NumberLists::new(array, what)?));
        }
        let inner = match array.data_type() {
            DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => f.clone(),
            _ => unreachable!("checked above"),
        };
        let outer = cast(array, &DataType::List(inner))
            .map_err(|e| exec_datafusion_err!("{what}: cannot read as vectors: {e}"))?;
        let outer = outer.as_list::<i32>().clone();
        let vectors = NumberLists::new(outer.values(), what)?;
        Ok(Self::Batch { outer, vectors })
    }

    pub fn is_null(&self, i: usize) -> bool {
        match self {
            Self::One(lists) => lists.is_null(i),
            Self::Batch { outer, .. } => outer.is_null(i),
        }
    }

    /// The vectors of row `i`; `at(b, j)` names entry `j` of vector `b` in errors.
    pub fn vectors(
        &self,
        i: usize,
        at: &dyn Fn(usize, usize) -> String,
    ) -> Result<Vec<Vec<Number>>> {
        match self {
            Self::One(lists) => Ok(vec![lists.numbers(i, &|j| at(0, j))?]),
            Self::Batch { outer, vectors } => {
                let offsets = outer.value_offsets();
                let (start, end) = (offsets[i] as usize, offsets[i + 1] as usize);
                if start == end {
                    return exec_err!("{}: an empty batch of vectors", at(0, 0));
                }
                (start..end)
                    .map(|k| {
                        if vectors.is_null(k) {
                            return exec_err!("{}: null vector", at(k - start, 0));
                        }
                        vectors.numbers(k, &|j| at(k - start, j))
                    })
                    .collect()
            }
        }
    }
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
