"""Progress for long work: a callable ``(done, total)`` counted in partitions, or ``True`` for
a ``tqdm`` bar when tqdm is installed. The callable runs on the worker threads of the proof,
each call holding the GIL."""

from __future__ import annotations

import contextlib
from typing import Callable, Iterator, Optional, Union

ProgressCallback = Callable[[int, int], object]
ProgressArg = Union[None, bool, ProgressCallback]


@contextlib.contextmanager
def reporter(progress: ProgressArg, label: str) -> Iterator[Optional[ProgressCallback]]:
    """The callable to hand to the native module for ``progress``, and a bar closed after."""
    if progress is None or progress is False:
        yield None
        return
    if callable(progress):
        yield progress
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:
        # Asked for a bar without tqdm: the work goes on without one.
        yield None
        return
    bar = tqdm(desc=label, unit="partition", total=0)

    def update(done: int, total: int) -> None:
        if bar.total != total:
            bar.reset(total=total)
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()
