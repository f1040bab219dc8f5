"""The exceptions zkmr raises. Their messages are the ones the ``zkmr`` CLI prints after
``zkmr:``, so a failure reads the same from Python and from a shell."""


class ZkmrError(Exception):
    """Base class of every zkmr error."""


class InputError(ZkmrError, ValueError):
    """An input the statement cannot encode, or arguments the setup does not allow: a NaN, a
    ragged or wrongly shaped array, a dtype that is not a number, a vector of the wrong
    length, a malformed commitment."""


class FormatError(ZkmrError):
    """A malformed artifact: a damaged key store, proof bytes or SRS file."""


class RejectedError(ZkmrError):
    """A proof that does not verify, where an exception is the only way to say so.
    :func:`zkmr.verify` returns its verdict instead of raising this."""


class StoreIOError(ZkmrError, OSError):
    """A file or directory that could not be read or written; the message names it."""


class ProvingError(ZkmrError):
    """The prover failed on a partition (halo2); the message names it."""
