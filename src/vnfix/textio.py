"""Reading and writing text files safely: encodings, clear errors, atomic replacement.

``read_lines`` streams a file's lines (line endings kept) after detecting its
encoding from the BOM (UTF-8 with BOM, UTF-16 LE/BE); invalid bytes raise
``InputError`` naming the file and byte offset, and binary files are refused.
``atomic_writer`` writes to a temporary file beside the target, fsyncs and
renames, so a crash or a full disk never leaves a half-written file.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, TextIO

_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_BLOCK = 1 << 16


class InputError(Exception):
    """A file vnfix cannot read as text; the message names the file and the place."""


@dataclass(frozen=True)
class Encoding:
    """How a file was encoded, so that the output can be written the same way."""

    name: str  # codec for reading
    bom: bytes  # written back before the output


def sniff(head: bytes, name: str) -> Encoding:
    """Pick the encoding from the first bytes; refuse binary data."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return Encoding(codec, bom if codec == "utf-8-sig" else b"")
    nul = head.find(b"\x00")
    if nul >= 0:
        raise InputError(f"{name}: looks like a binary file (NUL byte at offset {nul}); not processed")
    return Encoding("utf-8", b"")


def read_lines(stream: BinaryIO, name: str, errors: str = "strict") -> tuple[Encoding, Iterator[str]]:
    """The encoding of ``stream`` and an iterator over its decoded lines (endings kept)."""
    head = stream.read(_BLOCK)
    enc = sniff(head, name)

    def lines() -> Iterator[str]:
        decoder = codecs.getincrementaldecoder(enc.name)(errors=errors)
        consumed = 0
        block = head
        pending = ""
        while True:
            final = not block
            buffered = len(decoder.getstate()[0])  # bytes of an unfinished character from the last block
            try:
                text = decoder.decode(block, final=final)
            except UnicodeDecodeError as e:
                offset = consumed - buffered + e.start
                raise InputError(
                    f"{name}: not valid {enc.name.upper()} at byte {max(offset, 0)} ({e.reason}); "
                    "use --errors replace to substitute U+FFFD, or vnfix convert for legacy encodings"
                ) from None
            consumed += len(block)
            if "\x00" in text:
                raise InputError(f"{name}: contains NUL characters (binary data?); not processed")
            pending += text
            parts = pending.splitlines(keepends=True)
            # keep the last part (it may be an incomplete line, or a \r waiting for its \n)
            pending = parts.pop() if parts and not final else ""
            yield from parts
            if final:
                return
            block = stream.read(_BLOCK)

    return enc, lines()


@contextlib.contextmanager
def atomic_writer(path: Path, encoding: Encoding, backup: str | None = None) -> Iterator[TextIO]:
    """Write ``path`` all-or-nothing: temp file, fsync, optional backup, rename."""
    path = Path(path)
    directory = path.parent if str(path.parent) else Path(".")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".vnfix-tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as raw:
            raw.write(encoding.bom)
            codec = "utf-16" if encoding.name == "utf-16" else "utf-8"
            text = io.TextIOWrapper(raw, encoding=codec, newline="")
            yield text
            text.flush()
            raw.flush()
            os.fsync(raw.fileno())
            text.detach()
        if path.exists():
            with contextlib.suppress(OSError):
                os.chmod(tmp, path.stat().st_mode & 0o7777)
            if backup:
                shutil.copy2(path, path.with_name(path.name + backup))
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
