"""Python values to the two array types the native module takes: C-contiguous ``int64`` or
``float64`` arrays of two dimensions. Integers stay integers (and exact); floats are encoded
at a fixed-point scale. Anything else is refused with an :class:`InputError` naming what was
given."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from .errors import InputError


def as_matrix_array(value: Any, what: str, ndim: tuple[int, ...] = (2,)) -> np.ndarray:
    """``value`` as an ``int64`` or ``float64`` array with one of the dimensions ``ndim``.

    Lists of lists are accepted; a ragged one is refused, as are booleans, complex numbers,
    strings and objects (NumPy would otherwise turn them into numbers silently or not at all),
    and a masked array with anything masked (whose mask NumPy would otherwise drop).
    """
    if isinstance(value, np.ma.MaskedArray):
        masked = int(np.ma.count_masked(value))
        if masked:
            entries = "entry" if masked == 1 else "entries"
            raise InputError(
                f"{what}: a masked array with {masked} masked {entries}; zkmr proves every "
                "value, so fill them first (a.filled(value)) or pass a.data to use the values "
                "under the mask"
            )
        value = value.data
    if isinstance(value, np.ndarray):
        array = value
    else:
        try:
            array = np.asarray(value)
        except ValueError as err:  # NumPy refuses ragged nested sequences
            raise InputError(f"{what}: rows of different lengths ({err})") from None
    if array.dtype == object:
        raise InputError(f"{what}: rows of different lengths, or values that are not numbers")
    if array.ndim not in ndim:
        want = " or ".join(f"{d}-dimensional" for d in ndim)
        raise InputError(f"{what}: expected a {want} array, got shape {array.shape}")
    if array.size == 0:
        raise InputError(f"{what}: the array is empty (shape {array.shape})")
    kind = array.dtype.kind
    if kind == "i" or kind == "u":
        if kind == "u" and array.dtype.itemsize == 8 and array.max() > np.iinfo(np.int64).max:
            raise InputError(f"{what}: {array.max()} does not fit a signed 64-bit integer")
        return np.ascontiguousarray(array, dtype=np.int64)
    if kind == "f":
        return np.ascontiguousarray(array, dtype=np.float64)
    raise InputError(
        f"{what}: dtype {array.dtype} is not a number type zkmr encodes "
        "(signed or unsigned integers, or floats)"
    )


def is_path(value: Any) -> bool:
    """Whether ``value`` names a file rather than holding numbers."""
    return isinstance(value, (str, os.PathLike))
