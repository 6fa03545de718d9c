"""Batch and parallel work: many texts, or one huge stream, over worker processes.

Input is cut only where the decoder cuts anyway (after a line that ends in
punctuation, or at a blank line), so the output is byte-identical to fixing the
whole text in one process. Workers are forked after the lexicons are loaded,
so they share them copy-on-write instead of loading them again, and at most
``2 * jobs`` chunks are in flight, so memory stays bounded on any input size.

>>> from vnfix.batch import fix_many
>>> fix_many(["Ha Noi", "Viet Nam"], jobs=1, repair="diacritics")
['Hà Nội', 'Việt Nam']
"""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from .config import Config
from .fixer import _BREAKS, Fixer, _ends_window

T = TypeVar("T")
R = TypeVar("R")
CHUNK_CHARS = 256 * 1024

_worker_fixer: Fixer | None = None


def _init_worker(config: Config) -> None:
    global _worker_fixer
    # Workers inherit the parent's signal handlers at fork. The parent alone handles Ctrl-C and
    # cleans up; a worker must simply die on SIGTERM, or Pool.terminate() waits for it forever.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if hasattr(signal, "SIGHUP"):
        signal.signal(signal.SIGHUP, signal.SIG_DFL)
    _worker_fixer = Fixer(config)


def _fix_chunk(text: str) -> str:
    assert _worker_fixer is not None
    return _worker_fixer.fix_text(text)


def iter_chunks(lines: Iterable[str], size: int = CHUNK_CHARS) -> Iterator[str]:
    """Group lines into chunks of about ``size`` characters that end where a window ends."""
    buf: list[str] = []
    n = 0
    whole = True  # the current item starts a line
    for line in lines:
        buf.append(line)
        n += len(line)
        if n >= size and _ends_window(line, whole):
            yield "".join(buf)
            buf, n = [], 0
        elif n >= 16 * size:  # one endless paragraph: cut anyway (the only place output may differ)
            yield "".join(buf)
            buf, n = [], 0
        whole = line[-1:] in _BREAKS
    if buf:
        yield "".join(buf)


def ordered_map(func: Callable[[T], R], items: Iterable[T], jobs: int, config: Config) -> Iterator[R]:
    """``map(func, items)`` over ``jobs`` processes, in order, with a bounded queue."""
    from .lexicon import default_lexicon

    Fixer(config).lexicon  # load (and extend) the lexicons once, before forking
    default_lexicon()
    ctx = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
    with ctx.Pool(jobs, initializer=_init_worker, initargs=(config,)) as pool:
        pending: deque = deque()
        for item in items:
            pending.append(pool.apply_async(func, (item,)))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def fix_stream(lines: Iterable[str], config: Config | None = None, jobs: int = 1) -> Iterator[str]:
    """Fix a stream of lines, yielding output text pieces in order; ``jobs > 1`` uses processes.

    The concatenated output equals ``Fixer(config).fix_text("".join(lines))``.
    """
    config = config or Config()
    if jobs <= 1:
        yield from Fixer(config).fix_lines(lines)
        return
    yield from ordered_map(_fix_chunk, iter_chunks(lines), jobs, config)


def fix_many(texts: Iterable[str], jobs: int | None = None, config: Config | None = None,
             **options: object) -> list[str]:
    """Fix many independent texts, in order, over ``jobs`` processes (default: all cores)."""
    config = (config or Config()).replace(**options) if options else (config or Config())
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1:
        fixer = Fixer(config)
        return [fixer.fix_text(t) for t in texts]
    return list(ordered_map(_fix_chunk, texts, jobs, config))
