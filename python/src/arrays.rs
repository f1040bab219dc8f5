//! NumPy arrays in and out. `zkmr/arrays.py` hands over C-contiguous two-dimensional `int64`
//! or `float64` arrays; integers stay exact and floats are encoded at their fixed-point scale,
//! as the CLI reads numbers from files.

use numpy::{IntoPyArray, PyArrayMethods, PyReadonlyArray2};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use zkmr_core::fixed_point::{decode_all, Number};

/// The rows of a two-dimensional `int64` or `float64` array, as numbers.
pub fn rows(array: &Bound<'_, PyAny>) -> PyResult<Vec<Vec<Number>>> {
    if let Ok(ints) = array.extract::<PyReadonlyArray2<'_, i64>>() {
        Ok(collect(&ints, Number::Int))
    } else if let Ok(floats) = array.extract::<PyReadonlyArray2<'_, f64>>() {
        Ok(collect(&floats, Number::Float))
    } else {
        Err(PyTypeError::new_err(
            "expected a two-dimensional int64 or float64 NumPy array",
        ))
    }
}

fn collect<T: numpy::Element + Copy>(
    array: &PyReadonlyArray2<'_, T>,
    number: impl Fn(T) -> Number,
) -> Vec<Vec<Number>> {
    array
        .as_array()
        .rows()
        .into_iter()
        .map(|row| row.iter().map(|v| number(*v)).collect())
        .collect()
}

/// Fixed-point values decoded (`y`, or the `x` a proof is about): `int64` when they are
/// integers that fit, `float64` otherwise; shaped `(vectors, n)` for a batch and `(n,)` for
/// one vector.
pub fn decoded(
    py: Python<'_>,
    y: &[i128],
    scale_bits: u32,
    vectors: usize,
    batch: bool,
) -> PyResult<Py<PyAny>> {
    let rows = y.len() / vectors.max(1);
    let shape: Vec<usize> = if batch {
        vec![vectors, rows]
    } else {
        vec![rows]
    };
    let ints: Option<Vec<i64>> = (scale_bits == 0)
        .then(|| y.iter().map(|v| i64::try_from(*v).ok()).collect())
        .flatten();
    let array = match ints {
        Some(ints) => ints.into_pyarray(py).reshape(shape)?.into_any(),
        None => decode_all(y, scale_bits)
            .into_pyarray(py)
            .reshape(shape)?
            .into_any(),
    };
    Ok(array.unbind())
}
