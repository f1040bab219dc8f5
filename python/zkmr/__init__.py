"""zkmr: verifiable matrix multiplication from Python.

Commit a matrix once, prove ``y = A·x`` (or ``Y = A·X`` for a batch of vectors) against the
key store, and let anyone holding the matrix commitment verify the result without ``A``::

    import numpy as np, zkmr
    c = zkmr.commit(np.array([[1, 2], [3, 4]]), "keys")
    y, proof = zkmr.prove("keys", np.array([5, 6]))
    assert zkmr.verify(proof, c.hex, x=np.array([5, 6]))

The schemes, formats and errors are the ``zkmr`` CLI's: a proof saved here verifies with
``zkmr verify --bundle`` and a bundle from ``zkmr prove`` loads here. The default scheme is
``pedersen`` (proving at about the cost of the product, verifying with one MSM); ``halo2``
gives succinct proofs that aggregate into one EVM-verifiable proof; ``cqlin`` gives one proof of
six points for the whole job, checked with one product of pairings (natively or on the EVM).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Optional, Tuple, Union

import numpy as np

from . import _native
from ._native import Batch, Commitment, Proof, Verification
from .arrays import as_matrix_array, is_path
from .errors import (
    FormatError,
    InputError,
    ProvingError,
    RejectedError,
    StoreIOError,
    ZkmrError,
)
from .progress import ProgressArg, reporter

__all__ = [
    "commit",
    "prove",
    "verify",
    "load",
    "prove_batch",
    "verify_batch",
    "open_input",
    "verify_input",
    "Batch",
    "InputVerification",
    "Commitment",
    "Proof",
    "Verification",
    "ZkmrError",
    "InputError",
    "FormatError",
    "RejectedError",
    "StoreIOError",
    "ProvingError",
    "DEFAULT_ROWS_PER_PARTITION",
]

#: Matrix rows per partition (one proof each) when none is asked for.
DEFAULT_ROWS_PER_PARTITION: int = _native.DEFAULT_ROWS_PER_PARTITION

PathLike = Union[str, "os.PathLike[str]"]


def commit(
    matrix: Union[np.ndarray, Any, PathLike],
    store: PathLike,
    *,
    scheme: str = "pedersen",
    rows_per_partition: int = DEFAULT_ROWS_PER_PARTITION,
    scale_bits: Optional[int] = None,
    value_bits: Optional[int] = None,
    shape: Optional[Tuple[int, int]] = None,
    srs: Optional[PathLike] = None,
    dev_srs: bool = False,
    force: bool = False,
    progress: ProgressArg = None,
) -> Commitment:
    """Commits ``matrix`` into a new key store at ``store`` and returns its commitment.

    Args:
        matrix: a two-dimensional array (or nested lists) of integers or floats, or the path
            of a matrix file in any form ``zkmr commit --matrix`` reads: rows in JSON, Parquet
            (streamed, so the matrix need not fit in memory) or Arrow IPC, or coordinate
            entries ``(row, col, value)`` in CSV, JSON, Parquet or Arrow IPC, kept sparse.
        store: the key store directory to create.
        scheme: ``"pedersen"`` (default; no trusted setup), ``"halo2"`` (needs ``srs`` or
            ``dev_srs``) or ``"cqlin"`` (needs ``dev_srs``).
        rows_per_partition: matrix rows per partition (one proof each), 1 to 2**24.
        scale_bits: fixed-point scale in bits (default: 0 for integers, 16 otherwise).
        value_bits: bound on encoded magnitudes, in bits (default 32).
        shape: ``(rows, cols)`` of a matrix file in coordinate form (default: one past the
            largest indices).
        srs: halo2: a KZG parameters file.
        dev_srs: halo2, cqlin: the insecure, deterministic development SRS.
        force: replace an existing key store.
        progress: ``(done, total)`` callable over partitions, or ``True`` for a tqdm bar.

    Returns:
        The :class:`Commitment`; ``str(c)`` and ``c.hex`` are what a verifier trusts.

    Raises:
        InputError: a value that cannot be encoded (NaN, infinity, too large), a ragged or
            wrongly shaped array, a dtype that is not a number, a masked array with masked
            entries; the message names the row and column. Also a ``store`` directory that
            exists and is not empty, without ``force=True``.
        StoreIOError: the store cannot be written.
    """
    options = dict(
        scheme=scheme,
        rows_per_partition=rows_per_partition,
        scale_bits=scale_bits,
        value_bits=value_bits,
        srs=None if srs is None else os.fspath(srs),
        dev_srs=dev_srs,
        force=force,
    )
    matrix = os.fspath(matrix) if is_path(matrix) else as_matrix_array(matrix, "matrix")
    with reporter(progress, "commit") as callback:
        return _native.commit(matrix, os.fspath(store), shape=shape, progress=callback, **options)


def prove(
    store: Union[PathLike, Commitment],
    x: Union[np.ndarray, Any],
    *,
    scale_bits: Optional[int] = None,
    value_bits: Optional[int] = None,
    commitment: Union[Commitment, str, None] = None,
    progress: ProgressArg = None,
) -> Tuple[np.ndarray, Proof]:
    """Proves ``y = A·x`` for the matrix committed in ``store``.

    Args:
        store: the key store directory (or the :class:`Commitment` that made it, which also
            pins the store to that commitment unless ``commitment`` says otherwise).
        x: one vector (shape ``(cols,)``) or a batch of vectors, one per row (shape
            ``(batch, cols)``), proved as one job (pedersen and cqlin stores). Integers or floats.
        scale_bits: fixed-point scale of ``x`` in bits (default: 0 for integers, 16 otherwise).
        value_bits: bound on encoded magnitudes of ``x``, in bits (default 32).
        commitment: the matrix commitment you published for this store (64 hex digits, or a
            :class:`Commitment`): a store whose manifest names another (replaced, or rewritten
            and resealed for another matrix) is refused, so nothing is proved from it.
        progress: ``(done, total)`` callable over partitions, or ``True`` for a tqdm bar.

    Returns:
        ``(y, proof)``: ``y`` of shape ``(rows,)`` or ``(batch, rows)``, ``int64`` for integer
        inputs (exact) and ``float64`` otherwise, already verified against the store's
        commitment; ``proof.y_error_bound`` bounds ``|y − A·x|`` for the unrounded inputs.

    Raises:
        InputError: a NaN, a wrongly shaped or typed array, a vector of the wrong length (the
            message names the vector and index), a store that does not commit to
            ``commitment``, or a ``commitment`` that is not 64 hex digits.
        StoreIOError, FormatError: a missing or damaged key store.
    """
    if isinstance(store, Commitment):
        commitment = store if commitment is None else commitment
        store = store.store
    if isinstance(commitment, Commitment):
        commitment = commitment.hex
    array = as_matrix_array(x, "x", ndim=(1, 2))
    batch = array.ndim == 2
    with reporter(progress, "prove") as callback:
        return _native.prove(
            os.fspath(store),
            array if batch else array.reshape(1, -1),
            batch=batch,
            scale_bits=scale_bits,
            value_bits=value_bits,
            commitment=commitment,
            progress=callback,
        )


def verify(
    proof: Union[Proof, bytes, PathLike],
    commitment: Union[Commitment, str],
    x: Union[np.ndarray, Any, None] = None,
    x_digest: Optional[str] = None,
) -> Verification:
    """Verifies ``proof`` against the matrix commitment you trust and the ``x`` you asked about.

    A proof is about one ``x``: pass yours (or its digest) so that a proof for any other is
    rejected, or read the one it is about from the verdict (``.x``, ``.x_digest``).

    Args:
        proof: a :class:`Proof`, bundle bytes, or the path of a saved bundle.
        commitment: the trusted matrix commitment: 64 hex digits, or a :class:`Commitment`.
        x: the vector (shape ``(cols,)``) or batch (shape ``(batch, cols)``) you asked about,
            compared with the proof's at the scale it was proved at.
        x_digest: instead of ``x``, its digest (64 hex digits, as a verdict's ``x_digest``
            and ``zkmr verify`` give it).

    Returns:
        A :class:`Verification`, true exactly when the proof verified. On success it carries
        the verified ``y``, the ``x`` it is about and its digest, the job root and, for a proof
        made here, ``y_error_bound``; on rejection ``reason`` says why (as ``zkmr verify``
        does: ``rejected: x: ...`` for a proof of another ``x``) and ``partition`` names the
        partition at fault where one is. Malformed bytes are a rejection, not an exception.

    Raises:
        InputError: a commitment or digest that is not 64 hex digits, both ``x`` and
            ``x_digest``, or an ``x`` that is not an array of numbers.
        FormatError, StoreIOError: a path that is not a bundle, or cannot be read (as
            ``zkmr verify --bundle`` says).
    """
    if isinstance(commitment, Commitment):
        commitment = commitment.hex
    if is_path(proof):
        proof = load(proof)
    if x is not None:
        x = as_matrix_array(x, "x", ndim=(1, 2))
        x = x if x.ndim == 2 else x.reshape(1, -1)
    return _native.verify(proof, commitment, x=x, x_digest=x_digest)


def load(path: PathLike) -> Proof:
    """Reads a proof saved by :meth:`Proof.save` or written by ``zkmr prove --out``.

    Raises:
        FormatError: the file is not a bundle.
        StoreIOError: the file cannot be read.
    """
    return _native.load(os.fspath(path))


def _hex(commitment: Union[Commitment, str]) -> str:
    return commitment.hex if isinstance(commitment, Commitment) else commitment


def prove_batch(
    store: Union[PathLike, Commitment],
    vectors: PathLike,
    out: PathLike,
    *,
    chunk: int = 1024,
    y_out: Optional[PathLike] = None,
    scale_bits: Optional[int] = None,
    value_bits: Optional[int] = None,
    commitment: Union[Commitment, str, None] = None,
    progress: ProgressArg = None,
) -> Batch:
    """Proves a batch of any size, streamed from a file ``chunk`` vectors at a time.

    Each chunk is proved as one job (a Freivalds batch under pedersen) and the chunks are tied,
    in order, by a batch root into one batch proof (docs/batches.md): the file ``zkmr prove
    --vectors FILE --chunk N`` writes, which :func:`verify_batch` and ``zkmr verify`` check.
    Memory holds one chunk whatever the batch's size, so the inputs never need to fit in it.

    Args:
        store: the key store directory (or the :class:`Commitment` that made it, which also
            pins the store to that commitment unless ``commitment`` says otherwise).
        vectors: the batch, one vector per row: Parquet (``row: int64``, ``values:
            list<float64>``; streamed), Arrow IPC or JSON, as ``zkmr prove --vectors`` reads it.
        out: the batch proof to write.
        chunk: vectors per chunk (1 for a halo2 store).
        y_out: a Parquet table to write ``y`` to (``row``, ``values``: one row per input).
        scale_bits, value_bits: the encoding of ``x``, as for :func:`prove` (each chunk is
            encoded on its own).
        commitment: the matrix commitment you published for this store; another is refused.
        progress: ``(done, total)`` callable over each chunk's partitions, or ``True`` for a
            bar.

    Returns:
        The :class:`Batch`: ``batch_root`` (what a verifier pins), ``chunks``, ``vectors`` and
        ``seconds``. Neither file appears unless the whole batch was proved.

    Raises:
        InputError: a vector that cannot be encoded or has the wrong length (the message
            names the file and the chunk's vectors), a chunk size out of range.
        StoreIOError, FormatError: a missing or damaged key store or batch file.
    """
    if isinstance(store, Commitment):
        commitment = store if commitment is None else commitment
        store = store.store
    with reporter(progress, "prove") as callback:
        return _native.prove_batch(
            os.fspath(store),
            os.fspath(vectors),
            os.fspath(out),
            chunk=chunk,
            y_out=None if y_out is None else os.fspath(y_out),
            scale_bits=scale_bits,
            value_bits=value_bits,
            commitment=None if commitment is None else _hex(commitment),
            progress=callback,
        )


def verify_batch(
    proof: PathLike,
    commitment: Union[Commitment, str],
    *,
    vectors: Optional[PathLike] = None,
    batch_root: Optional[str] = None,
) -> Batch:
    """Verifies a batch proof: every chunk with its scheme's verifier (a few at a time, in
    parallel) and the batch root over them.

    Args:
        proof: the batch proof's path (:func:`prove_batch`, ``zkmr prove --chunk``, or a Spark
            ``ZkBatch`` job's).
        commitment: the trusted matrix commitment.
        vectors: the batch file you asked about, compared with every chunk's ``x`` a chunk at
            a time.
        batch_root: the batch root you were given (64 hex digits), required when given.

    Returns:
        A :class:`Batch`, true exactly when the proof verified; on rejection ``reason`` names
        the chunk at fault (``chunk 2 (inputs from 10): x: ...``).

    Raises:
        InputError: a commitment or root that is not 64 hex digits.
        StoreIOError, InputError: a file that cannot be read.
    """
    return _native.verify_batch(
        os.fspath(proof),
        _hex(commitment),
        vectors=None if vectors is None else os.fspath(vectors),
        batch_root=batch_root,
    )


def open_input(proof: PathLike, input: int, out: PathLike) -> int:
    """Writes one input's opening of a batch proof to ``out``, for the input's owner: the chunk
    that holds input ``input`` (counted from 0) and the path from it to the batch root, as
    ``zkmr open --batch`` does. Returns the chunk's index.

    Raises:
        InputError: the batch has no such input.
        FormatError, StoreIOError: the file is not a batch proof, or cannot be read.
    """
    return _native.open_input(os.fspath(proof), input, os.fspath(out))


@dataclass(frozen=True)
class InputVerification:
    """The verdict on one input's opening; true exactly when it verified."""

    verified: bool
    #: Why the opening was rejected; ``None`` when it verified.
    reason: Optional[str] = None
    #: The input's index in the batch, its ``x`` and ``y = A·x`` as verified.
    input: Optional[int] = None
    x: Optional[np.ndarray] = None
    y: Optional[np.ndarray] = None
    #: The batch root the opening leads to: compare it with the published one, or pass it.
    batch_root: Optional[str] = None

    def __bool__(self) -> bool:
        return self.verified


def verify_input(
    opening: PathLike,
    commitment: Union[Commitment, str],
    *,
    batch_root: Optional[str] = None,
    x: Union[np.ndarray, Any, None] = None,
) -> InputVerification:
    """The owner's check of one input of a batch: its chunk verifies against ``commitment``,
    the input lies in it, the path leads to ``batch_root`` and the input is ``x``.

    Args:
        opening: the file :func:`open_input` (or ``zkmr open --batch``) wrote.
        commitment: the trusted matrix commitment.
        batch_root: the published batch root (64 hex digits); without it, compare the
            verdict's ``batch_root`` with the published one yourself.
        x: your input (shape ``(cols,)``), compared at the scale it was proved at.

    Returns:
        An :class:`InputVerification` with the verified ``x`` and ``y``; a rejection is a
        result naming what does not hold, not an exception.

    Raises:
        InputError: a commitment or root that is not 64 hex digits, an ``x`` that is not one
            vector of numbers.
        FormatError, StoreIOError: the file is not an input opening, or cannot be read.
    """
    if x is not None:
        x = as_matrix_array(x, "x", ndim=(1,)).reshape(1, -1)
    try:
        x_verified, y, index, root = _native.verify_input(
            os.fspath(opening), _hex(commitment), batch_root=batch_root, x=x
        )
    except RejectedError as rejected:
        return InputVerification(verified=False, reason=str(rejected))
    return InputVerification(
        verified=True, input=index, x=x_verified, y=y, batch_root=root
    )
