"""Reading and writing text files safely: encodings, clear errors, atomic replacement.

``read_lines`` streams a file's lines (line endings kept) after detecting its
encoding from the BOM (UTF-8 with BOM, UTF-16 and UTF-32 LE/BE); invalid bytes
raise ``InputError`` naming the file and byte offset, and binary files are
refused.  It works in bounded memory and linear time on any input: with
``max_line`` a line longer than that is handed out in pieces, cut just before a
space or tab, so that no token is split (a run of 16 x ``max_line`` characters
without a blank, which is not text, is cut between two characters that do not
form a combining sequence).  The fixer judges each piece as a line of its own,
so words of a line longer than ``MAX_LINE`` (a million characters) may come out
differently than if it were fixed whole; everything else is unchanged.

``atomic_writer`` writes to a temporary file beside the target, fsyncs it,
renames it over the target and fsyncs the directory, so the target is never
half-written: a reader sees the old content or the new, whatever happens (full
disk, SIGKILL, power loss).  The temporary file is ``.NAME.XXXXXXXX.vnfix-tmp``
and is removed on any error or catchable signal; only SIGKILL (or a crash of
the machine) can leave one behind, and the next write to the same target
deletes such leftovers (a live writer holds a lock on its own, so a concurrent
run is never disturbed).  Targets that are not regular files (``/dev/null``,
``/dev/stdout``, a FIFO) cannot be replaced and are written directly.
"""

from __future__ import annotations

import codecs
import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

try:  # POSIX: lets the next run tell a dead writer's temp file from a live one's
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

# UTF-32 first: its LE BOM starts with the UTF-16 LE BOM.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32", "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16-be"),
)
_BLOCK = 1 << 16
#: Lines longer than this (in characters) are handed out in pieces by the CLI.
MAX_LINE = 1 << 20
_HARD_CUT = 16  # ... and cut anywhere (between characters) once a piece has no blank for 16 x max_line
# What str.splitlines() breaks lines at.
_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
TMP_SUFFIX = ".vnfix-tmp"


class InputError(Exception):
    """A file vnfix cannot read as text; the message names the file and the place."""


class OutputError(OSError):
    """A file vnfix cannot write; the message names the output file and the reason."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "output error"


@dataclass(frozen=True)
class Encoding:
    """How a file was encoded, so that the output can be written the same way."""

    name: str  # codec for reading (it consumes the BOM itself)
    bom: bytes  # written back before the output
    write_codec: str = "utf-8"  # codec for writing, after the BOM

    @property
    def label(self) -> str:
        """A name for messages: UTF-8, UTF-8 with BOM, UTF-16 LE, ..."""
        if self.write_codec == "utf-8":
            return "UTF-8 with BOM" if self.bom else "UTF-8"
        return self.write_codec.upper().replace("-LE", " LE").replace("-BE", " BE")


UTF8 = Encoding("utf-8", b"", "utf-8")


def sniff(head: bytes, name: str) -> Encoding:
    """Pick the encoding from the first bytes; refuse binary data."""
    for bom, codec, write in _BOMS:
        if head.startswith(bom):
            return Encoding(codec, bom, write)
    nul = head.find(b"\x00")
    if nul >= 0:
        raise InputError(f"{name}: looks like a binary file (NUL byte at offset {nul}); not processed")
    return UTF8


def read_head(stream: BinaryIO, size: int = _BLOCK) -> bytes:
    """Up to ``size`` bytes from the start of ``stream`` (short reads of pipes are retried)."""
    parts: list[bytes] = []
    n = 0
    while n < size:
        block = stream.read(size - n)
        if not block:
            break
        parts.append(block)
        n += len(block)
    return b"".join(parts)


def read_lines(stream: BinaryIO, name: str, errors: str = "strict", *, head: bytes | None = None,
               max_line: int | None = None) -> tuple[Encoding, Iterator[str]]:
    """The encoding of ``stream`` and an iterator over its decoded lines (endings kept).

    ``head``: bytes already read from the start of ``stream``.  ``max_line``: hand
    out lines longer than this in pieces (see the module notes); the pieces of a
    line join back to exactly the line.
    """
    if head is None:
        head = read_head(stream)
    enc = sniff(head, name)
    return enc, _lines(stream, head, enc, name, errors, max_line)


def _lines(stream: BinaryIO, head: bytes, enc: Encoding, name: str, errors: str,
           max_line: int | None) -> Iterator[str]:
    # The BOM is skipped here, not by the codec, so that error offsets count it.
    decoder = codecs.getincrementaldecoder(enc.write_codec)(errors=errors)
    consumed = len(enc.bom)
    block = head[len(enc.bom):]
    if not block and head:  # a file that is only a BOM
        block = stream.read(_BLOCK)
    pending: list[str] = []  # the start of an unfinished line, in fragments (never rescanned)
    size = 0  # characters in pending
    cr = False  # pending ends with "\r": a "\n" may follow in the next block
    scanned = 0  # leading fragments of pending known to hold no space or tab
    while True:
        final = not block
        buffered = len(decoder.getstate()[0])  # bytes of an unfinished character from the last block
        try:
            text = decoder.decode(block, final=final)
        except UnicodeDecodeError as e:
            offset = max(consumed - buffered + e.start, 0)
            raise InputError(
                f"{name}: not valid {enc.label} at byte {offset} ({e.reason}); "
                "use --errors replace to substitute U+FFFD, or vnfix convert for legacy encodings"
            ) from None
        consumed += len(block)
        if "\x00" in text:
            raise InputError(f"{name}: contains NUL characters (binary data?); not processed")
        if cr and text:
            if text[0] == "\n":
                pending.append("\n")
                text = text[1:]
            yield "".join(pending)
            pending, size, cr, scanned = [], 0, False, 0
        if text:
            parts = text.splitlines(keepends=True)
            last = parts.pop()
            if parts:
                pending.append(parts[0])
                yield "".join(pending)
                pending, size, scanned = [], 0, 0
                yield from parts[1:]
            if last[-1] in _BREAKS and last[-1] != "\r":
                pending.append(last)
                yield "".join(pending)
                pending, size, scanned = [], 0, 0
            else:
                pending.append(last)
                size += len(last)
                cr = last[-1] == "\r"
                if max_line and size > max_line and not cr:
                    yield from _cut(pending, size, max_line, scanned)
                    size = sum(map(len, pending))
                    scanned = len(pending)  # what is left has no blank to cut at (but maybe its first character)
        if final:
            if pending:
                yield "".join(pending)
            return
        block = stream.read(_BLOCK)


def _cut(pending: list[str], size: int, max_line: int, scanned: int) -> Iterator[str]:
    """Hand out the start of an overlong unfinished line (``pending``, changed in place).

    The cut is just before the last space or tab, so no token is split and the fixer's
    output is unchanged; a line with no blank in 16 x ``max_line`` characters (not text,
    but it must not exhaust memory) is cut before a character that is not a combining mark
    (inside a run of marks only when the run alone is 256 x ``max_line`` long).
    """
    for k in range(len(pending) - 1, scanned - 1, -1):
        frag = pending[k]
        at = max(frag.rfind(" "), frag.rfind("\t"))
        if at > 0 or (at == 0 and k > 0):
            head = "".join(pending[:k]) + frag[:at]
            pending[:k + 1] = [frag[at:]]
            yield head
            return
    if size < _HARD_CUT * max_line:
        return
    import unicodedata

    text = "".join(pending)
    at = len(text) - 1
    while at > 0 and unicodedata.combining(text[at]):
        at -= 1
    if at == 0:  # all one base letter and its marks: wait for the next letter (no empty piece) ...
        if size < _HARD_CUT * _HARD_CUT * max_line:
            return
        at = len(text) - 1  # ... unless the marks never end: then this is no text, and memory comes first
    pending[:] = [text[at:]]
    yield text[:at]


# -- writing ------------------------------------------------------------------------------


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _lock(fd: int) -> bool:
    """Take the writer's lock on a temp file (held until the process ends or closes it)."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


def stale_temp_files(path: Path) -> list[Path]:
    """Temp files of ``path`` left by a writer that died (SIGKILL, crash); a live writer's are not listed."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    found: list[Path] = []
    if fcntl is None:
        return found
    prefix = f".{path.name}."
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return found
    for entry in entries:
        if not (entry.name.startswith(prefix) and entry.name.endswith(TMP_SUFFIX)):
            continue
        if len(entry.name) != len(prefix) + 8 + len(TMP_SUFFIX):  # mkstemp's 8 random characters
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        except OSError:
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode) and _lock(fd):
                found.append(Path(entry.path))
        finally:
            os.close(fd)
    return found


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Delete what ``stale_temp_files`` lists (each checked again under its lock); return the deleted."""
    removed = []
    for tmp in stale_temp_files(path):
        try:
            fd = os.open(tmp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            continue
        try:
            # Still unlocked, and still the same file at that name: its writer is gone.
            if _lock(fd) and os.stat(tmp).st_ino == os.fstat(fd).st_ino:
                os.unlink(tmp)
                removed.append(tmp)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


class _Writer:
    """A text stream over a file descriptor; an OSError while writing becomes an ``OutputError``."""

    def __init__(self, fd: int, codec: str, target: Path) -> None:
        self._fd = fd
        self._encoder = codecs.getincrementalencoder(codec)(errors="strict")
        self._target = target
        self._buf: list[bytes] = []
        self._size = 0

    def write(self, text: str) -> int:
        try:
            data = self._encoder.encode(text)
        except UnicodeEncodeError as e:
            raise OutputError(f"{self._target}: cannot write {text[e.start:e.end]!r} ({e.reason})") from None
        self._buf.append(data)
        self._size += len(data)
        if self._size >= _BLOCK:
            self.flush()
        return len(text)

    def write_bytes(self, data: bytes) -> None:
        self._buf.append(data)
        self._size += len(data)

    def flush(self) -> None:
        view = memoryview(b"".join(self._buf))
        self._buf, self._size = [], 0
        try:
            while view:
                view = view[os.write(self._fd, view):]
        except OSError as e:
            raise OutputError(f"{self._target}: {_reason(e)}") from None


def _reason(e: OSError) -> str:
    if e.errno == errno.ENOSPC:
        return "no space left on device; output not written"
    if e.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return e.strerror or str(e)


def _new_temp(path: Path, directory: Path) -> tuple[int, str]:
    """Create and lock a fresh temp file beside ``path``."""
    for _ in range(5):
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TMP_SUFFIX, dir=directory)
        except OSError as e:
            raise OutputError(f"{path}: cannot create a file in {directory}: {_reason(e)}") from None
        # A concurrent run's clean-up may have taken it for a dead writer's before the lock was on.
        with contextlib.suppress(OSError):
            if _lock(fd) and os.stat(tmp).st_ino == os.fstat(fd).st_ino:
                return fd, tmp
        os.close(fd)
    raise OutputError(f"{path}: cannot create a temporary file in {directory}")


@contextlib.contextmanager
def atomic_writer(path: Path, encoding: Encoding = UTF8, backup: str | None = None) -> Iterator[_Writer]:
    """Write ``path`` all-or-nothing: temp file, fsync, optional backup, rename, fsync of the directory.

    Errors name ``path`` (``OutputError``); exceptions raised by the caller's code pass
    through unchanged, and the temp file is removed in every case.  ``backup``: keep the
    old file as ``path + backup`` (made atomically too, by a hard link where possible).
    """
    path = Path(path)
    try:
        st: os.stat_result | None = os.stat(path)  # follows symbolic links
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise OutputError(f"{path}: {_reason(e)}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{path}: is a directory")
    special = os.path.abspath(path).startswith(("/dev/", "/proc/"))
    if st is not None and (special or not stat.S_ISREG(st.st_mode)):
        # A device, a FIFO or an alias of an open file (/dev/null, /dev/stdout, /proc/self/fd/1)
        # cannot be replaced by a rename: write to it, as the shell's ">" would.
        if backup:
            raise OutputError(f"{path}: not a regular file; cannot replace it")
        with _direct(path, encoding) as out:
            yield out
        return
    if path.is_symlink():  # write through the link: the link stays, the file it points to is replaced
        path = Path(os.path.realpath(path))
    directory = path.parent
    if not directory.is_dir():
        raise OutputError(f"{path}: directory {directory} does not exist")
    remove_stale_temp_files(path)
    fd, tmp = _new_temp(path, directory)
    try:
        out = _Writer(fd, encoding.write_codec, path)
        out.write_bytes(encoding.bom)
        yield out
        out.flush()
        try:
            mode = (st.st_mode & 0o7777) if st is not None else (0o666 & ~_umask())
            with contextlib.suppress(OSError):
                os.fchmod(fd, mode)
            if st is not None and (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                with contextlib.suppress(OSError):
                    os.fchown(fd, st.st_uid, st.st_gid)
            os.fsync(fd)
        except OSError as e:
            raise OutputError(f"{path}: {_reason(e)}") from None
        if backup and st is not None:
            _backup(path, Path(str(path) + backup))
        try:
            os.replace(tmp, path)  # the lock is still held, so no clean-up can take it meanwhile
        except OSError as e:
            raise OutputError(f"{path}: cannot replace it: {_reason(e)}") from None
        tmp = ""
        _fsync_dir(directory)
    except BaseException:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    finally:
        os.close(fd)


@contextlib.contextmanager
def _direct(path: Path, encoding: Encoding) -> Iterator[_Writer]:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0))
    except OSError as e:
        raise OutputError(f"{path}: {_reason(e)}") from None
    try:
        out = _Writer(fd, encoding.write_codec, path)
        out.write_bytes(encoding.bom)
        yield out
        out.flush()
    finally:
        os.close(fd)


def _backup(path: Path, backup: Path) -> None:
    """Make ``backup`` a copy of ``path`` atomically: link (or copy) to a temp name, then rename."""
    fd, tmp = tempfile.mkstemp(prefix=f".{backup.name}.", suffix=TMP_SUFFIX, dir=backup.parent)
    os.close(fd)
    try:
        os.unlink(tmp)
        try:
            os.link(path, tmp)
        except OSError:
            shutil.copy2(path, tmp)
        os.replace(tmp, backup)
    except OSError as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"{backup}: cannot write the backup: {_reason(e)}") from None


def _fsync_dir(directory: Path) -> None:
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
