"""Progress for long work: a callable ``(done, total)`` counted in partitions, or ``True`` for
a bar: tqdm's when tqdm is installed (``pip install ./python[progress]``), else a plain one
on standard error. The callable runs on the worker threads of the proof,
each call holding the GIL."""

from __future__ import annotations

import contextlib
import sys
import time
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
        with _plain_bar(label) as update:
            yield update
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


@contextlib.contextmanager
def _plain_bar(label: str) -> Iterator[ProgressCallback]:
    """A one-line bar on standard error, redrawn at most every tenth of a second and on the
    last partition, then ended with a newline."""
    drawn_at = None

    def update(done: int, total: int) -> None:
        nonlocal drawn_at
        now = time.monotonic()
        if done < total and drawn_at is not None and now - drawn_at < 0.1:
            return
        width = 30
        filled = width * done // total if total else width
        sys.stderr.write(f"\r{label} [{'=' * filled}{' ' * (width - filled)}] {done}/{total} partitions")
        sys.stderr.flush()
        drawn_at = now

    try:
        yield update
    finally:
        if drawn_at is not None:
            sys.stderr.write("\n")
            sys.stderr.flush()
