"""The ``vnfix`` command line.

Exit codes: 0 all done; 1 some input could not be processed (each named on
stderr, the others were done); 2 usage error; 130/143 interrupted (Ctrl-C,
SIGTERM).  Every error is one line ``vnfix: error: ...`` on stderr, never a
traceback (set ``VNFIX_DEBUG=1`` to see one for an internal error).

Files written with ``-o`` or ``--in-place`` keep the input's encoding (UTF-8,
UTF-8 with BOM, UTF-16/32 with BOM) and are replaced atomically (see
``vnfix.textio``); standard output is always UTF-8.
"""

from __future__ import annotations

import contextlib
import difflib
import glob
import json
import os
import signal
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, NoReturn

import click

from . import __version__, legacy
from .batch import fix_stream
from .config import Config
from .fixer import Fixer
from .textio import (
    MAX_LINE,
    UTF8,
    Encoding,
    InputError,
    OutputError,
    atomic_writer,
    read_head,
    read_lines,
    sniff,
)

EXAMPLES = """
\b
Examples:
  vnfix fix scan.txt                  repaired text to stdout
  vnfix fix 'archive/*.txt' -o out/   one output file per input, in out/
  vnfix fix -i --backup .orig a.txt   repair in place, keep a.txt.orig
  cat a.txt | vnfix fix --format json one JSON object per line, with the edits
  vnfix fix --format diff a.txt       unified diff of what would change
  vnfix fix --jobs 2 big.txt -o big.fixed.txt
  vnfix fix --from tcvn3 old.txt      convert from TCVN3 (ABC) first, then repair
  vnfix fix --codes restore a.txt     also 56/2017/ND-CP -> 56/2017/NĐ-CP
"""

CONVERT_EXAMPLES = """
\b
Examples:
  vnfix convert old.txt               guess the encoding, Unicode to stdout
  vnfix convert --from vni a.txt -o a.utf8.txt
  vnfix convert --from tcvn3 -i 'archive/*.txt'   convert files in place
  vnfix convert --from viqr - < mail.txt
"""

DETECT_MIN = 0.6  # confidence needed to act on a detected legacy encoding (--from auto)
WARN_MIN = 0.8  # ... and to warn about one in vnfix fix (one repaired word is not enough evidence)
_DETECT_BYTES = 1 << 16
_FROM = click.Choice(["auto", *legacy.LEGACY_ENCODINGS], case_sensitive=False)


class _Stop(BaseException):
    """A signal asked vnfix to stop (raised from the handler, so temp files are removed)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: object) -> NoReturn:
    raise _Stop(signum)


class VnfixGroup(click.Group):
    """Turns every failure into one ``vnfix: error: ...`` line and an exit code."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        handlers = {}
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGHUP", None)):
                # (a signal the caller set to be ignored stays ignored: nohup, background jobs)
                if sig is not None and signal.getsignal(sig) not in (signal.SIG_IGN, None):
                    with contextlib.suppress(OSError, ValueError):
                        handlers[sig] = signal.signal(sig, _on_signal)
        try:
            rv = super().main(args, prog_name or "vnfix", complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as e:  # "vnfix" alone: the help, as click shows it
            e.show()
            sys.exit(2)
        except click.UsageError as e:
            hint = f" (see '{e.ctx.command_path} --help')" if e.ctx is not None else ""
            _die(f"{_one_line(e.format_message())}{hint}", 2)
        except click.ClickException as e:
            _die(_one_line(e.format_message()), e.exit_code or 1)
        except click.Abort:
            _die("interrupted", 130)
        except KeyboardInterrupt:
            _die("interrupted", 130)
        except _Stop as e:
            _die("interrupted" if e.signum == signal.SIGINT else f"stopped by signal {e.signum}", 128 + e.signum)
        except BrokenPipeError:
            _quiet_stdout()
            sys.exit(1)
        finally:
            for sig, old in handlers.items():
                with contextlib.suppress(OSError, ValueError, TypeError):
                    signal.signal(sig, old)
        if standalone_mode:
            sys.exit(rv if isinstance(rv, int) else 0)
        return rv


def _one_line(message: str) -> str:
    return " ".join(message.split())


def _die(message: str, code: int) -> NoReturn:
    _error(message)
    sys.exit(code)


def _error(message: str) -> None:
    click.echo(f"vnfix: error: {_one_line(message)}", err=True)


def _warn(message: str) -> None:
    click.echo(f"vnfix: warning: {_one_line(message)}", err=True)


def _quiet_stdout() -> None:
    """After stdout failed (closed pipe, full disk), keep the exit-time flush from complaining."""
    with contextlib.suppress(Exception):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


# -- inputs -------------------------------------------------------------------------------


def _expand(patterns: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for p in patterns or ("-",):
        matches = sorted(glob.glob(p)) if p != "-" and glob.has_magic(p) else []
        out.extend(matches or [p])
    return out


@contextlib.contextmanager
def _opened(name: str) -> Iterator[BinaryIO]:
    """The input's byte stream; ``InputError`` naming it if it cannot be opened."""
    if name == "-":
        yield sys.stdin.buffer
        return
    path = Path(name)
    try:
        if path.is_dir():
            raise InputError(f"{name}: is a directory")
        stream = open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as e:
        raise InputError(f"{name}: {e.strerror or e}") from None
    with stream:
        yield stream


def _display(name: str) -> str:
    return "<stdin>" if name == "-" else name


def _head(stream: BinaryIO, name: str) -> bytes:
    try:
        return read_head(stream, _DETECT_BYTES)
    except OSError as e:
        raise InputError(f"{name}: {e.strerror or e}") from None


def _detect(head: bytes, name: str) -> legacy.Detection:
    """``legacy.detect`` on the first bytes of a file, read as that file will be read."""
    enc = sniff(head, name)
    cut = head.rfind(b"\n") + 1 if len(head) >= _DETECT_BYTES else len(head)
    sample = head[: cut or len(head)]
    if enc is not UTF8:  # a BOM: Unicode text (mojibake or VIQR saved as Unicode, maybe)
        return legacy.detect(sample.decode(enc.name, errors="ignore"))
    return legacy.detect(sample)  # valid UTF-8 is judged as text, anything else as cp1252 bytes


def _legacy_lines(stream: BinaryIO, name: str, head: bytes, encoding: str,
                  max_line: int | None) -> tuple[Encoding, Iterator[str]]:
    """Lines of a legacy-encoded input, converted to Unicode (NFC).

    With a BOM the file is Unicode text holding mojibake (or VIQR): read it as such.
    Otherwise each line is taken as UTF-8 text if it is valid UTF-8 (mojibake saved
    as UTF-8, or VIQR), else as the legacy bytes themselves (``legacy.decode``).
    """
    enc = sniff(head, name)
    if enc is not UTF8:
        bom_enc, lines = read_lines(stream, name, head=head, max_line=max_line)
        return bom_enc, (legacy.to_unicode(line, encoding) for line in lines)

    def convert(data: bytes) -> str:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return legacy.decode(data, encoding)
        return legacy.to_unicode(text, encoding)

    return UTF8, (convert(line) for line in _byte_lines(stream, head, name, max_line))


def _byte_lines(stream: BinaryIO, head: bytes, name: str, max_line: int | None) -> Iterator[bytes]:
    """Lines of bytes (split after b"\\n"); overlong ones in pieces cut before a space."""
    pending = b""
    block = head
    consumed = 0
    while True:
        nul = block.find(b"\x00")
        if nul >= 0:
            raise InputError(f"{name}: looks like a binary file (NUL byte at offset {consumed + nul}); not processed")
        consumed += len(block)
        data = pending + block
        start = 0
        while True:
            end = data.find(b"\n", start)
            if end < 0:
                break
            yield data[start:end + 1]
            start = end + 1
        pending = data[start:]
        if max_line and len(pending) > max_line:
            at = pending.rfind(b" ")
            if at > 0:
                yield pending[:at]
                pending = pending[at:]
            elif len(pending) > 16 * max_line:
                yield pending
                pending = b""
        if not block:
            if pending:
                yield pending
            return
        block = stream.read(1 << 16)


def _resolve_from(source: str, head: bytes, name: str, quiet: bool, refuse: bool) -> str | None:
    """The legacy encoding to read ``name`` in: ``source``, or for ``auto`` the detected one.

    ``refuse``: for ``vnfix convert``, an undecided detection is an error; for ``vnfix fix``
    it means "read as Unicode".
    """
    source = source.lower()
    if source != "auto":
        return source
    found = _detect(head, name)
    shown = _display(name)
    if found.encoding is not None and found.confidence >= DETECT_MIN:
        if not quiet:
            click.echo(f"vnfix: {shown}: detected {found.encoding} (confidence {found.confidence:.2f}; "
                       f"{found.evidence})", err=True)
        return found.encoding
    if not refuse:
        return None
    if found.encoding is None:
        raise InputError(f"{shown}: does not look legacy-encoded ({found.evidence}; confidence "
                         f"{found.confidence:.2f}); name the encoding with --from tcvn3|vni|viqr to convert anyway")
    raise InputError(f"{shown}: cannot tell the encoding: best guess {found.encoding} with confidence "
                     f"{found.confidence:.2f} (< {DETECT_MIN}); name it with --from tcvn3|vni|viqr")


def _legacy_warning(head: bytes, name: str) -> None:
    """Warn (do not convert) when an input to ``vnfix fix`` looks legacy-encoded."""
    try:
        found = _detect(head, name)
    except InputError:
        return
    if found.encoding is None or found.confidence < WARN_MIN:
        return
    shown = _display(name)
    arg = "-" if name == "-" else _quote(name)
    kind = "VIQR" if found.encoding == "viqr" else found.encoding.upper()
    _warn(f"{shown}: looks like {kind} text, not Unicode (confidence {found.confidence:.2f}); "
          f"convert it first with 'vnfix convert --from {found.encoding} {arg}', "
          f"or use 'vnfix fix --from {found.encoding}'")


def _quote(name: str) -> str:
    import shlex

    return shlex.quote(name)


# -- outputs ------------------------------------------------------------------------------


class _Stdout:
    """UTF-8 to standard output whatever the locale; a write error names ``<stdout>``."""

    def __init__(self) -> None:
        self._stream = getattr(sys.stdout, "buffer", None)

    def write(self, text: str) -> int:
        data = text.encode("utf-8", "surrogateescape")
        try:
            if self._stream is None:
                sys.stdout.write(data.decode("utf-8", "replace"))
            else:
                self._stream.write(data)
        except BrokenPipeError:
            raise
        except OSError as e:
            raise OutputError(f"<stdout>: {e.strerror or e}") from None
        return len(text)

    def flush(self) -> None:
        try:
            sys.stdout.flush()
            if self._stream is not None:
                self._stream.flush()
        except BrokenPipeError:
            raise
        except OSError as e:
            raise OutputError(f"<stdout>: {e.strerror or e}") from None


def _batched(pieces: Iterable[str], size: int = 1 << 16) -> Iterator[str]:
    """Join small pieces into writes of about ``size`` characters."""
    buf: list[str] = []
    n = 0
    for piece in pieces:
        buf.append(piece)
        n += len(piece)
        if n >= size:
            yield "".join(buf)
            buf, n = [], 0
    if buf:
        yield "".join(buf)


def _fix_pieces(fixer: Fixer, lines: Iterable[str], jobs: int) -> Iterator[str]:
    """The fixed text, in pieces, in bounded memory.

    ``lines`` come from ``read_lines(max_line=MAX_LINE)``: a line longer than a million characters
    arrives in pieces (cut before a blank), each fixed as a line of its own.
    """
    if jobs > 1:
        return fix_stream(lines, fixer.config, jobs)
    # (Fixer.fix_lines() gathers each output line whole; fix_chunks() does not.)
    return _batched(fixer.fix_chunks(lines))


def _render(fmt: str, fixer: Fixer, lines: Iterable[str], name: str, jobs: int) -> Iterator[str]:
    if fmt == "text":
        yield from _fix_pieces(fixer, lines, jobs)
    elif fmt == "json":
        for number, (out, edits, line_start) in enumerate(fixer.explain_lines(lines), start=1):
            yield json.dumps({
                "file": name, "line": number, "text": out.rstrip("\r\n"),
                "edits": [{"column": e.start - line_start, "original": e.original, "replacement": e.replacement,
                           "confidence": e.confidence, "alternatives": [list(a) for a in e.alternatives]}
                          for e in edits],
            }, ensure_ascii=False) + "\n"
    else:
        before = list(lines)
        after = list(fix_stream(iter(before), fixer.config, jobs))
        after_lines = "".join(after).splitlines(keepends=True)
        for line in difflib.unified_diff(before, after_lines, name, name + " (vnfix)"):
            yield line if line.endswith(("\n", "\r")) else line + "\n"


class _Outputs:
    """Where each input's result goes: stdout, a file, a directory, or the input itself."""

    def __init__(self, names: list[str], output: str | None, in_place: bool, backup: str | None) -> None:
        if in_place and output:
            raise click.UsageError("--in-place cannot be combined with -o")
        if in_place and "-" in names:
            raise click.UsageError("--in-place works on named files, not on standard input")
        if backup is not None and not in_place:
            raise click.UsageError("--backup needs --in-place")
        if backup is not None and (not backup or "/" in backup or backup in (".", "..")):
            raise click.UsageError(f"--backup: {backup!r} is not a file name suffix")
        self.output, self.in_place, self.backup = output, in_place, backup
        self.to_dir = output is not None and (
            Path(output).is_dir() or output.endswith(("/", os.sep)) or len(names) > 1)
        self.done: dict[Path, str] = {}
        self.stdout = _Stdout()

    def prepare(self) -> None:
        if self.to_dir and self.output:
            out = Path(self.output)
            if out.exists() and not out.is_dir():
                raise OutputError(f"{self.output}: not a directory (needed for several inputs)")
            try:
                out.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise OutputError(f"{self.output}: cannot create the directory: {e.strerror or e}") from None

    def target(self, name: str) -> Path | None:
        """The file to write for input ``name`` (None: stdout)."""
        if self.in_place:
            path = Path(name)
            if not path.is_file():
                if not path.exists() and not path.is_symlink():
                    raise InputError(f"{name}: no such file")
                raise InputError(f"{name}: not a regular file; --in-place cannot replace it")
            return path
        if not self.output:
            return None
        if not self.to_dir:
            return None if _is_stdout(self.output) else Path(self.output)
        path = Path(self.output) / (Path(name).name if name != "-" else "stdin.txt")
        key = Path(os.path.abspath(path))
        if key in self.done:
            raise InputError(f"{name}: its output {path} was already written for {self.done[key]}; not processed")
        self.done[key] = name
        return path

    def write(self, target: Path | None, enc: Encoding, pieces: Iterable[str]) -> None:
        if target is None:
            for piece in pieces:
                self.stdout.write(piece)
            self.stdout.flush()
            return
        with atomic_writer(target, enc, self.backup if self.in_place else None) as out:
            for piece in pieces:
                out.write(piece)


def _is_stdout(path: str) -> bool:
    """Is ``path`` the file standard output already writes to (``-o /dev/stdout``, ``-o out > out``)?"""
    try:
        return os.path.samestat(os.stat(path), os.fstat(sys.stdout.fileno()))
    except (OSError, ValueError, AttributeError):
        return False


def _run_files(names: list[str], outputs: _Outputs, work: Any) -> None:
    """Call ``work(name, stream, target)`` for every input, reporting each failure on one line."""
    failed = 0
    show_progress = sys.stderr.isatty() and len(names) > 1 and work.__dict__.get("progress", True)
    try:
        outputs.prepare()
    except OutputError as e:
        _die(str(e), 1)
    with click.progressbar(names, label="vnfix", file=sys.stderr) if show_progress else _nullbar(names) as bar:
        for name in bar:
            try:
                target = outputs.target(name)  # before opening: a FIFO given to --in-place must not block
                with _opened(name) as stream:
                    work(name, stream, target)
            except (InputError, OutputError) as e:
                failed += 1
                _error(str(e))
            except BrokenPipeError:
                raise
            except OSError as e:  # reading the input failed midway (EIO, ...)
                failed += 1
                _error(f"{e.filename or _display(name)}: {e.strerror or e}")
            except UnicodeDecodeError as e:  # only a --lexicon file can give one now
                failed += 1
                _error(f"a --lexicon file is not valid UTF-8 (byte {e.start}: {e.reason})")
            except (KeyboardInterrupt, _Stop):
                raise
            except Exception as e:  # a bug: say so, on one line, and go on with the other files
                if os.environ.get("VNFIX_DEBUG"):
                    raise
                failed += 1
                _error(f"{_display(name)}: internal error ({type(e).__name__}: {e}); "
                       "please report it (VNFIX_DEBUG=1 shows the traceback)")
    if failed:
        sys.exit(1)


class _nullbar:
    def __init__(self, items: list[str]) -> None:
        self.items = items

    def __enter__(self) -> list[str]:
        return self.items

    def __exit__(self, *exc: object) -> None:
        return None


def _warn_replacements(lines: Iterable[str], name: str) -> Iterator[str]:
    count = 0
    for line in lines:
        count += line.count("\ufffd")
        yield line
    if count:
        _warn(f"{name}: {count} invalid byte sequence(s) replaced by U+FFFD")


# -- commands -----------------------------------------------------------------------------


@click.group(cls=VnfixGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="vnfix")
def main() -> None:
    """Repair Vietnamese text damaged by OCR or typed without diacritics."""


def _config_options(f):  # type: ignore[no-untyped-def]
    options = [
        click.option("--repair", type=click.Choice(["ocr", "diacritics"]), default="ocr", show_default=True,
                     help="ocr: any word may be damaged; diacritics: only restore words written without marks."),
        click.option("--tone-style", type=click.Choice(["old", "new"]), default="old", show_default=True,
                     help="Tone placement in words vnfix writes: old (hòa, thủy) or new (hoà, thuỷ)."),
        click.option("--threshold", type=click.FloatRange(0, 1), default=Config.threshold, show_default=True,
                     help="Minimum confidence for a repair; below it a word is left as it was."),
        click.option("--codes", type=click.Choice(["keep", "restore"]), default="keep", show_default=True,
                     help="keep: document codes pass byte for byte; restore: give their abbreviations back "
                          "the Đ they lost (56/2017/ND-CP -> 56/2017/NĐ-CP)."),
        click.option("--lexicon", "lexicons", multiple=True, type=click.Path(exists=True, dir_okay=False),
                     help="Extra words/names file, one per line (repeatable)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _output_options(f):  # type: ignore[no-untyped-def]
    options = [
        click.option("-o", "--output", type=click.Path(), help="Output file, or directory (one file per input)."),
        click.option("-i", "--in-place", is_flag=True, help="Replace each input file (atomically)."),
        click.option("--backup", metavar="SUFFIX", help="With --in-place, keep the original as FILE+SUFFIX."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _make_config(repair: str, tone_style: str, threshold: float, codes: str, lexicons: tuple[str, ...]) -> Config:
    return Config(repair=repair, tone_style=tone_style, threshold=threshold, codes=codes,  # type: ignore[arg-type]
                  lexicon_files=lexicons)


def _make_fixer(config: Config) -> Fixer:
    """A fixer with its lexicons loaded, or a one-line error naming the --lexicon file at fault."""
    for path in config.lexicon_files:
        try:
            with open(path, "rb") as f:
                _, lines = read_lines(f, path)
                for _ in lines:
                    pass
        except InputError as e:
            _die(f"--lexicon {str(e).split('; use --errors')[0]}", 1)
        except OSError as e:
            _die(f"--lexicon {path}: {e.strerror or e}", 1)
    fixer = Fixer(config)
    fixer.lexicon  # noqa: B018 - load now, not in the middle of the first file
    return fixer


@main.command(epilog=EXAMPLES)
@click.argument("inputs", nargs=-1)
@_output_options
@click.option("--format", "fmt", type=click.Choice(["text", "json", "diff"]), default="text", show_default=True)
@click.option("-j", "--jobs", type=click.IntRange(1), default=1, show_default=True, help="Worker processes.")
@click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", show_default=True,
              help="Invalid UTF-8: stop with an error naming the byte, or replace it with U+FFFD and warn.")
@click.option("--from", "source", type=_FROM, default=None, metavar="[auto|tcvn3|vni|viqr]",
              help="Convert from this legacy encoding first (see vnfix convert). Without it, an input that "
                   "looks legacy-encoded gets a warning.")
@click.option("-q", "--quiet", is_flag=True, help="No progress or warnings on stderr.")
@_config_options
def fix(inputs: tuple[str, ...], output: str | None, in_place: bool, backup: str | None, fmt: str, jobs: int,
        errors: str, source: str | None, quiet: bool, repair: str, tone_style: str, threshold: float,
        codes: str, lexicons: tuple[str, ...]) -> None:
    """Repair FILES (paths, globs, or - for stdin; stdin when none)."""
    names = _expand(inputs)
    outputs = _Outputs(names, output, in_place, backup)
    fixer = _make_fixer(_make_config(repair, tone_style, threshold, codes, lexicons))
    max_line = MAX_LINE if fmt != "diff" else None

    def work(name: str, stream: BinaryIO, target: Path | None) -> None:
        shown = _display(name)
        head = _head(stream, shown)
        encoding = _resolve_from(source, head, name, quiet, refuse=False) if source else None
        if encoding is not None:
            enc, lines = _legacy_lines(stream, shown, head, encoding, max_line)
        else:
            if not quiet and not source:
                _legacy_warning(head, name)
            enc, lines = read_lines(stream, shown, errors, head=head, max_line=max_line)
            if errors == "replace" and not quiet:
                lines = _warn_replacements(lines, shown)
        outputs.write(target, enc, _render(fmt, fixer, lines, shown, jobs))

    work.progress = not quiet  # type: ignore[attr-defined]
    _run_files(names, outputs, work)


@main.command(epilog=CONVERT_EXAMPLES)
@click.argument("inputs", nargs=-1)
@click.option("--from", "source", type=_FROM, default="auto", show_default=True,
              help="The legacy encoding: TCVN3 (ABC), VNI-Windows, VIQR, or auto to detect it "
                   f"(refused below confidence {DETECT_MIN}).")
@_output_options
@click.option("-q", "--quiet", is_flag=True, help="Do not report the detected encoding.")
def convert(inputs: tuple[str, ...], source: str, output: str | None, in_place: bool, backup: str | None,
            quiet: bool) -> None:
    """Convert legacy-encoded FILES (TCVN3, VNI, VIQR) to Unicode (NFC).

    TCVN3 and VNI files may hold the legacy bytes themselves or their mojibake
    saved as Unicode ("ViÖt Nam"); both are read.  Output is UTF-8 (or the
    input's UTF-16/32 with BOM).
    """
    names = _expand(inputs)
    outputs = _Outputs(names, output, in_place, backup)

    def work(name: str, stream: BinaryIO, target: Path | None) -> None:
        shown = _display(name)
        head = _head(stream, shown)
        sniff(head, shown)  # refuse binary data before anything else
        # An empty file is the same in every encoding: nothing to detect.
        encoding = _resolve_from(source, head, name, quiet, refuse=True) if head else "viqr"
        assert encoding is not None
        enc, lines = _legacy_lines(stream, shown, head, encoding, MAX_LINE)
        outputs.write(target, enc, _batched(lines))

    work.progress = not quiet  # type: ignore[attr-defined]
    _run_files(names, outputs, work)


@main.command(epilog="\b\nExample:\n  vnfix explain 'Chi thi s6 28-CT/TW ctia B6 Chinh tri'")
@click.argument("text")
@_config_options
def explain(text: str, repair: str, tone_style: str, threshold: float, codes: str,
            lexicons: tuple[str, ...]) -> None:
    """Show each edit vnfix would make to TEXT, with confidence and alternatives."""
    result = _make_fixer(_make_config(repair, tone_style, threshold, codes, lexicons)).fix_and_explain(text)
    out = _Stdout()
    out.write(result.text + "\n")
    for e in result.edits:
        alts = ", ".join(f"{a} {p:.2f}" for a, p in e.alternatives) or "-"
        out.write(f"  {e.start:>4}-{e.end:<4} {e.original!r:>14} -> {e.replacement!r:<14} {e.confidence:.2f}"
                  f"  (also: {alts})\n")
    out.flush()


def _read_all_lines(name: str) -> list[str]:
    with _opened(name) as stream:
        _, lines = read_lines(stream, name)
        return "".join(lines).splitlines()


@main.command(name="eval", epilog="\b\nExample:\n  vnfix eval page.gold.txt page.fixed.txt")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.argument("hyp", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the measures as JSON.")
def eval_(gold: str, hyp: str, as_json: bool) -> None:
    """CER and WER of HYP against GOLD (line-aligned; tone placement does not count)."""
    from .metrics import measure

    try:
        g = _read_all_lines(gold)
        h = _read_all_lines(hyp)
    except InputError as e:
        _die(str(e), 1)
    if len(g) != len(h):
        _die(f"line counts differ: {gold} has {len(g)}, {hyp} has {len(h)}", 1)
    m = measure(g, h)
    out = _Stdout()
    if as_json:
        out.write(json.dumps(m.as_dict()) + "\n")
    else:
        out.write(f"CER {m.cer:.4f}  WER {m.wer:.4f}  ({m.words} words, {m.word_errors} word errors)\n")
    out.flush()
