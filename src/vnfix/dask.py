"""Fix text at scale with Dask: bags of texts, dataframe columns, whole files.

Needs the ``dask`` extra: ``pip install 'vnfix[dask]'`` (dask[bag,dataframe],
distributed, pandas). Every function works with any Dask scheduler; for real
parallelism use processes, e.g. ``distributed.LocalCluster(n_workers=CORES,
threads_per_worker=1)`` (fixing is CPU-bound Python: threads share one core).

Each worker process builds one ``Fixer`` per ``Config`` and keeps it (a
module-level cache keyed by the frozen, hashable ``Config``), so the lexicons
are loaded once per worker, not once per task or per text.

* ``fix_bag(bag)``: each element (a line, a document, or a ``(key, text)``
  pair) is fixed on its own, order kept.
* ``read_text_files(paths)``: a bag of file chunks cut only where the decoder
  cuts anyway (after a line ending in punctuation, or at a blank line), read
  by the workers themselves; ``"".join`` of the fixed chunks is exactly
  ``vnfix.fix_text`` of the whole file.
* ``fix_column(ddf, "text")`` / ``fix_series(series)``: a dataframe text
  column; missing values (None, NaN, ``pd.NA``) stay as they are.
* ``fix_files(paths, out_dir)``: repair files into ``out_dir``, written in
  order while the workers compute, with a bounded number of chunks in flight.
  The output equals ``vnfix fix FILE`` byte for byte.

>>> import dask.bag as db
>>> from vnfix.dask import fix_bag
>>> fix_bag(db.from_sequence(["Ha Noi", "Viet Nam"], npartitions=2)).compute()
['Hà Nội', 'Việt Nam']
"""

from __future__ import annotations

try:
    import dask
    import dask.bag as db
    from dask.delayed import Delayed
except ImportError as _e:  # pragma: no cover - exercised only without dask
    raise ImportError(
        "vnfix.dask needs Dask, which is not installed: pip install 'vnfix[dask]' "
        "(installs dask[bag,dataframe], distributed and pandas)"
    ) from _e

import glob
import os
import threading
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from .batch import _ends_window, iter_chunks
from .config import Config
from .fixer import Fixer
from .textio import Encoding, atomic_writer, read_lines, sniff

if TYPE_CHECKING:  # pragma: no cover
    import dask.dataframe as dd
    import pandas as pd  # type: ignore[import-untyped]

__all__ = ["fix_bag", "fix_column", "fix_files", "fix_series", "get_worker_fixer", "preload", "read_text_files",
           "window_ranges"]

PathLike = Union[str, "os.PathLike[str]"]
BLOCKSIZE = 1 << 20
"""Default bytes per chunk of ``read_text_files`` (about 10 s of work for one core)."""

_FIXERS: dict[Config, Fixer] = {}
_LOCK = threading.Lock()


def get_worker_fixer(config: Config | None = None) -> Fixer:
    """The ``Fixer`` this process keeps for ``config`` (built, and its lexicons loaded, on first use).

    >>> get_worker_fixer() is get_worker_fixer(Config())
    True
    """
    config = config or Config()
    fixer = _FIXERS.get(config)
    if fixer is None:
        with _LOCK:
            fixer = _FIXERS.get(config)
            if fixer is None:
                fixer = Fixer(config)
                fixer.lexicon  # noqa: B018 - load now, under the lock, so that threads of one worker share one copy
                fixer.index  # noqa: B018
                _FIXERS[config] = fixer
    return fixer


def preload(client: Any, config: Config | None = None) -> None:
    """Load the lexicons on every worker of a ``distributed.Client`` now, not in the first task."""
    client.run(_preload, config)


def _preload(config: Config | None) -> None:
    get_worker_fixer(config)


def _fix_value(fixer: Fixer, value: Any) -> Any:
    if isinstance(value, str):
        return fixer.fix_text(value)
    if value is None:
        return None
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[1], (str, type(None))):
        key, text = value
        return (key, None if text is None else fixer.fix_text(text))
    raise TypeError(f"vnfix.dask.fix_bag: elements must be str, None or (key, str) pairs, not {type(value).__name__}")


def _fix_partition(items: Iterable[Any], config: Config | None) -> list[Any]:
    fixer = get_worker_fixer(config)
    return [_fix_value(fixer, v) for v in items]


def fix_bag(bag: db.Bag, config: Config | None = None, **options: object) -> db.Bag:
    """A bag of the fixed texts, in the same order and partitions.

    Each element is fixed on its own: a ``str`` (a line or a whole document),
    ``None`` (kept), or a ``(key, text)`` pair (the key is kept, as from
    ``read_text_files(..., include_path=True)``). To fix a file exactly as a
    whole, give it as the window-aligned chunks of ``read_text_files`` rather
    than as single lines: a line fixed alone loses the words of the lines
    around it.

    >>> import dask.bag as db
    >>> fix_bag(db.from_sequence(["Thuc hien Chi thi", ("doc-2", "Hoa binh")]), tone_style="new").compute()
    ['Thực hiện Chỉ thị', ('doc-2', 'Hoà bình')]
    """
    config = _config(config, options)
    return bag.map_partitions(_fix_partition, config)


def _config(config: Config | None, options: dict[str, object]) -> Config:
    config = config or Config()
    return config.replace(**options) if options else config


# -- files ----------------------------------------------------------------------------------


def _expand(paths: PathLike | Sequence[PathLike]) -> list[str]:
    items = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    out: list[str] = []
    for p in items:
        p = os.fspath(p)
        matches = sorted(glob.glob(p)) if glob.has_magic(p) else [p]
        if not matches:
            raise FileNotFoundError(f"{p}: no file matches")
        out.extend(matches)
    return out


def window_ranges(path: PathLike, blocksize: int = BLOCKSIZE) -> tuple[Encoding, list[tuple[int, int]]]:
    """The encoding of a UTF-8 file and byte ranges of about ``blocksize`` that end where a decoding window ends.

    One sequential pass over the file's lines (cheap next to fixing it), in
    memory bounded by ``16 * blocksize`` whatever the line lengths. Like
    ``vnfix.batch.iter_chunks``, a run of more than ``16 * blocksize`` bytes with
    no window end is cut anyway (before a space if there is one): the only place
    where the output may differ from fixing the file whole. Raises ``ValueError``
    for UTF-16/32 files (``read_text_files`` reads those in the client instead).

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = p.write_bytes(b"Ha Noi.\\nViet Nam\\nla\\n\\nmot\\n")
    >>> window_ranges(p, blocksize=1)[1]
    [(0, 8), (8, 21), (21, 25)]
    """
    limit = 16 * max(blocksize, 1)
    ranges: list[tuple[int, int]] = []
    with open(path, "rb") as f:
        enc = sniff(f.read(1 << 16), os.fspath(path))
        if enc.name not in ("utf-8", "utf-8-sig"):
            raise ValueError(f"{path}: {enc.label} has no byte-range reader")
        start = pos = len(enc.bom)
        f.seek(pos)
        n = 0
        whole = True  # the piece read starts a line
        while True:
            line = f.readline(limit)
            if not line:
                break
            pos += len(line)
            n += len(line)
            if line.endswith(b"\n"):
                last = line.decode("utf-8", "replace").splitlines(keepends=True)[-1]
                if n >= blocksize and _ends_window(last, whole or len(last) < len(line)) or n >= limit:
                    ranges.append((start, pos))
                    start, n = pos, 0
                whole = True
                continue
            whole = False
            if n >= limit:  # a line of more than 16 x blocksize bytes: cut before a space, or a character
                at = line.rfind(b" ")
                if at <= 0:  # no space: before the last character read (it may be incomplete)
                    at = len(line) - 1
                    while at > 0 and line[at] & 0xC0 == 0x80:
                        at -= 1
                cut = pos - len(line) + at
                if cut > start:
                    ranges.append((start, cut))
                    start, n = cut, pos - cut
        if pos > start:
            ranges.append((start, pos))
    return enc, ranges


def _read_range(spec: tuple[str, int, int, str]) -> str:
    path, start, end, errors = spec
    with open(path, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ValueError(f"{path}: contains NUL bytes (binary data?) at byte {start + nul}; not processed")
    try:
        return data.decode("utf-8", errors)
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not valid UTF-8 at byte {start + e.start} ({e.reason})") from None


def _read_keyed(spec: tuple[str, int, int, str]) -> tuple[str, str]:
    return spec[0], _read_range(spec)


def _text_chunks(path: str, blocksize: int, errors: str) -> tuple[Encoding, list[str]]:
    """Fallback for files that cannot be read by byte range: chunks read here, in the client."""
    with open(path, "rb") as stream:
        enc, lines = read_lines(stream, path, errors)
        return enc, list(iter_chunks(lines, blocksize))


def _file_bag(path: str, blocksize: int, errors: str, include_path: bool) -> tuple[Encoding, db.Bag]:
    try:
        enc, ranges = window_ranges(path, blocksize)
    except ValueError:
        enc, chunks = _text_chunks(path, blocksize, errors)
        items: list[Any] = [(path, c) for c in chunks] if include_path else chunks
        return enc, db.from_sequence(items or [""], partition_size=1)
    specs = [(os.path.abspath(path), s, e, errors) for s, e in ranges] or [(os.path.abspath(path), 0, 0, errors)]
    bag = db.from_sequence(specs, partition_size=1)
    return enc, bag.map(_read_keyed if include_path else _read_range)


def read_text_files(paths: PathLike | Sequence[PathLike], blocksize: int = BLOCKSIZE, *,
                    errors: str = "strict", include_path: bool = False) -> db.Bag:
    """A bag of the text of ``paths`` (names or globs), one chunk of about ``blocksize`` bytes per partition.

    Chunks hold whole lines and end where a decoding window ends, so fixing
    each chunk on its own and joining them gives exactly what fixing each file
    whole gives. The client only finds the cut points (one pass over the
    lines); the workers read their byte ranges themselves, so no text goes
    through the scheduler (paths must be readable by the workers). A UTF-8 BOM
    is skipped. UTF-16 files are read in the client and sent as data.
    ``errors="replace"`` substitutes U+FFFD for invalid UTF-8; with
    ``"strict"`` a worker raises ``ValueError`` naming the file and byte.
    With ``include_path=True`` the elements are ``(path, chunk)`` pairs.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("Ha Noi.\\nViet Nam\\n", encoding="utf-8")
    >>> "".join(fix_bag(read_text_files(d / "*.txt", blocksize=4)).compute())
    'Hà Nội.\\nViệt Nam\\n'
    """
    bags = [_file_bag(p, blocksize, errors, include_path)[1] for p in _expand(paths)]
    return bags[0] if len(bags) == 1 else db.concat(bags)


def _ordered_compute(items: Sequence[Delayed], window: int) -> Iterator[Any]:
    """Compute delayed objects and yield their results in order, with at most ``window`` in flight."""
    try:
        from distributed import default_client

        client = default_client()
    except (ImportError, ValueError):
        client = None
    if client is None:  # local scheduler: compute a window at a time
        for i in range(0, len(items), window):
            yield from dask.compute(*items[i:i + window])
        return
    pending: deque = deque()
    todo = iter(items)
    for item in todo:
        pending.append(client.compute(item))
        if len(pending) >= window:
            break
    while pending:
        future = pending.popleft()
        result = future.result()
        future.release()
        nxt = next(todo, None)
        if nxt is not None:
            pending.append(client.compute(nxt))
        yield result


def fix_files(paths: PathLike | Sequence[PathLike], out_dir: PathLike, config: Config | None = None, *,
              blocksize: int = BLOCKSIZE, errors: str = "strict", in_flight: int | None = None,
              **options: object) -> list[Path]:
    """Repair each file of ``paths`` (names or globs) into ``out_dir``/its name; the written paths, in order.

    The chunks of ``read_text_files`` are fixed on the workers (``fix_bag``)
    and written back here in order, while later chunks are still computing; at
    most ``in_flight`` chunks (default: 4 per worker thread) are computed but
    not yet written, so memory stays bounded on any input size. Each output is
    written atomically, with the input's BOM, and is byte-identical to ``vnfix
    fix FILE -o OUT``. Uses the default ``distributed.Client`` if there is one,
    else the local Dask scheduler.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("Chi thi so 28-CT/TW cua Bo Chinh tri\\n", encoding="utf-8")
    >>> [p.name for p in fix_files(d / "a.txt", d / "out")]
    ['a.txt']
    >>> (d / "out" / "a.txt").read_text(encoding="utf-8")
    'Chỉ thị số 28-CT/TW của Bộ Chính trị\\n'
    """
    config = _config(config, options)
    names = _expand(paths)
    out = Path(out_dir)
    targets = [out / Path(n).name for n in names]
    if len(set(targets)) < len(targets):
        raise ValueError("fix_files: two inputs have the same file name; they would overwrite each other in out_dir")
    out.mkdir(parents=True, exist_ok=True)
    if in_flight is None:
        in_flight = 4 * _threads()
    counts: list[int] = []
    encodings: list[Encoding] = []
    parts: list[Delayed] = []
    for name in names:
        enc, bag = _file_bag(name, blocksize, errors, include_path=False)
        delayed_parts = fix_bag(bag, config).to_delayed()
        encodings.append(enc)
        counts.append(len(delayed_parts))
        parts.extend(delayed_parts)
    results = _ordered_compute(parts, max(in_flight, 1))
    for target, enc, count in zip(targets, encodings, counts):
        with atomic_writer(target, enc) as stream:
            for _ in range(count):
                for piece in next(results):
                    stream.write(piece)
    return targets


def _threads() -> int:
    try:
        from distributed import default_client

        return max(sum(default_client().nthreads().values()), 1)
    except (ImportError, ValueError):
        return os.cpu_count() or 1


# -- dataframes ------------------------------------------------------------------------------


def _fix_values(fixer: Fixer, series: pd.Series, name: object) -> pd.Series:
    import pandas as pd  # type: ignore[import-untyped]

    out: list[Any] = []
    for index, value in zip(series.index, series.tolist()):
        if isinstance(value, str):
            out.append(fixer.fix_text(value))
        elif value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
            out.append(value)  # missing: None, NaN, pd.NA or NaT stay as they are
        else:
            raise TypeError(f"vnfix.dask: column {name!r}, row {index!r}: expected str or a missing value, "
                            f"not {type(value).__name__}")
    return pd.Series(out, index=series.index, dtype=series.dtype, name=series.name)


def _fix_series_partition(series: pd.Series, config: Config) -> pd.Series:
    return _fix_values(get_worker_fixer(config), series, series.name)


def _fix_frame_partition(df: pd.DataFrame, column: object, output: object, config: Config) -> pd.DataFrame:
    df = df.copy(deep=False)
    df[output] = _fix_values(get_worker_fixer(config), df[column], column)
    return df


def fix_series(series: dd.Series, config: Config | None = None, **options: object) -> dd.Series:
    """A dask Series of text, fixed value by value (same index, name and dtype).

    Each value is fixed on its own. Missing values (``None``, ``NaN``,
    ``pd.NA``) are kept as they are; any other non-string value raises
    ``TypeError`` naming the row.
    """
    config = _config(config, options)
    return series.map_partitions(_fix_series_partition, config, meta=series._meta)


def fix_column(ddf: dd.DataFrame, column: str, config: Config | None = None, output_column: str | None = None,
               **options: object) -> dd.DataFrame:
    """``ddf`` with its text ``column`` fixed, in place or into ``output_column`` (added after the others).

    Rows, index, partitions and the column's dtype are kept (object, or a
    pandas string dtype). Missing values (``None``, ``NaN``, ``pd.NA``) stay as
    they are, so that "no text" remains distinguishable from an empty text;
    any other non-string value raises ``TypeError`` naming the row.

    >>> import pandas as pd, dask.dataframe as dd
    >>> df = dd.from_pandas(pd.DataFrame({"id": [1, 2, 3], "text": ["Ha Noi", None, "Viet Nam"]}), npartitions=2)
    >>> out = fix_column(df, "text", output_column="fixed").compute()
    >>> out["fixed"].tolist()[::2], out["fixed"].isna().tolist()
    (['Hà Nội', 'Việt Nam'], [False, True, False])
    """
    config = _config(config, options)
    output = output_column or column
    meta = ddf._meta.copy()
    meta[output] = ddf._meta[column]
    return ddf.map_partitions(_fix_frame_partition, column, output, config, meta=meta)
