"""The ``vnfix`` command line.

Exit codes: 0 all done; 1 some input could not be processed (each named on
stderr, the others were done); 2 usage error.
"""

from __future__ import annotations

import difflib
import glob
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

import click

from . import __version__
from .batch import fix_stream
from .config import Config
from .fixer import Fixer
from .textio import Encoding, InputError, atomic_writer, read_lines

EXAMPLES = """
\b
Examples:
  vnfix fix scan.txt                  repaired text to stdout
  vnfix fix 'archive/*.txt' -o out/   one output file per input, in out/
  vnfix fix -i --backup .orig a.txt   repair in place, keep a.txt.orig
  cat a.txt | vnfix fix --format json one JSON object per line, with the edits
  vnfix fix --format diff a.txt       unified diff of what would change
  vnfix fix --jobs 2 big.txt -o big.fixed.txt
"""


def _expand(patterns: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    for p in patterns or ("-",):
        matches = sorted(glob.glob(p)) if p != "-" and glob.has_magic(p) else []
        out.extend(matches or [p])
    return out


def _open_input(name: str, errors: str) -> tuple[Encoding, Iterator[str]]:
    if name == "-":
        return read_lines(sys.stdin.buffer, "<stdin>", errors)
    path = Path(name)
    if path.is_dir():
        raise InputError(f"{name}: is a directory")
    try:
        stream = open(path, "rb")  # noqa: SIM115 - closed when the generator ends
    except FileNotFoundError:
        raise InputError(f"{name}: no such file") from None
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except OSError as e:
        raise InputError(f"{name}: {e.strerror}") from None
    enc, lines = read_lines(stream, name, errors)

    def closing() -> Iterator[str]:
        with stream:
            yield from lines

    return enc, closing()


def _render(fmt: str, fixer: Fixer, lines: Iterator[str], name: str, jobs: int) -> Iterator[str]:
    if fmt == "text":
        yield from fix_stream(lines, fixer.config, jobs)
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
        click.option("--lexicon", "lexicons", multiple=True, type=click.Path(exists=True, dir_okay=False),
                     help="Extra words/names file, one per line (repeatable)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _make_config(repair: str, tone_style: str, threshold: float, lexicons: tuple[str, ...]) -> Config:
    return Config(repair=repair, tone_style=tone_style, threshold=threshold, lexicon_files=lexicons)  # type: ignore[arg-type]


@main.command(epilog=EXAMPLES)
@click.argument("inputs", nargs=-1)
@click.option("-o", "--output", type=click.Path(), help="Output file, or directory (one file per input).")
@click.option("-i", "--in-place", is_flag=True, help="Replace each input file (atomically).")
@click.option("--backup", metavar="SUFFIX", help="With --in-place, keep the original as FILE+SUFFIX.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "diff"]), default="text", show_default=True)
@click.option("-j", "--jobs", type=click.IntRange(1), default=1, show_default=True, help="Worker processes.")
@click.option("--errors", type=click.Choice(["strict", "replace"]), default="strict", show_default=True,
              help="Invalid UTF-8: stop with an error naming the byte, or replace it with U+FFFD and warn.")
@click.option("-q", "--quiet", is_flag=True, help="No progress or warnings on stderr.")
@_config_options
def fix(inputs: tuple[str, ...], output: str | None, in_place: bool, backup: str | None, fmt: str, jobs: int,
        errors: str, quiet: bool, repair: str, tone_style: str, threshold: float, lexicons: tuple[str, ...]) -> None:
    """Repair FILES (paths, globs, or - for stdin; stdin when none)."""
    names = _expand(inputs)
    if in_place and (output or "-" in names):
        raise click.UsageError("--in-place works on named files and cannot be combined with -o")
    if backup and not in_place:
        raise click.UsageError("--backup needs --in-place")
    out_dir = output is not None and (Path(output).is_dir() or output.endswith(os.sep) or len(names) > 1)
    if out_dir and output:
        Path(output).mkdir(parents=True, exist_ok=True)
    fixer = Fixer(_make_config(repair, tone_style, threshold, lexicons))
    failed = 0
    show_progress = not quiet and sys.stderr.isatty() and len(names) > 1
    with click.progressbar(names, label="vnfix", file=sys.stderr) if show_progress else _nullbar(names) as bar:
        for name in bar:
            try:
                enc, lines = _open_input(name, errors)
                if errors == "replace" and not quiet:
                    lines = _warn_replacements(lines, name)
                pieces = _render(fmt, fixer, lines, name, jobs)
                if in_place:
                    _write(Path(name), enc, pieces, backup)
                elif output:
                    target = Path(output) / Path(name if name != "-" else "stdin.txt").name if out_dir else Path(output)
                    _write(target, enc, pieces, None)
                else:
                    _emit(sys.stdout, pieces)
            except InputError as e:
                failed += 1
                click.echo(f"vnfix: error: {e}", err=True)
            except OSError as e:
                failed += 1
                click.echo(f"vnfix: error: {e.filename or name}: {e.strerror}", err=True)
    if failed:
        sys.exit(1)


class _nullbar:
    def __init__(self, items: list[str]) -> None:
        self.items = items

    def __enter__(self) -> list[str]:
        return self.items

    def __exit__(self, *exc: object) -> None:
        return None


def _warn_replacements(lines: Iterator[str], name: str) -> Iterator[str]:
    count = 0
    for line in lines:
        count += line.count("\ufffd")
        yield line
    if count:
        click.echo(f"vnfix: warning: {name}: {count} invalid byte sequence(s) replaced by U+FFFD", err=True)


def _emit(stream: TextIO, pieces: Iterator[str]) -> None:
    for piece in pieces:
        stream.write(piece)
    stream.flush()


def _write(target: Path, enc: Encoding, pieces: Iterator[str], backup: str | None) -> None:
    with atomic_writer(target, enc, backup) as out:
        for piece in pieces:
            out.write(piece)


@main.command(epilog="\b\nExample:\n  vnfix explain 'Chi thi s6 28-CT/TW ctia B6 Chinh tri'")
@click.argument("text")
@_config_options
def explain(text: str, repair: str, tone_style: str, threshold: float, lexicons: tuple[str, ...]) -> None:
    """Show each edit vnfix would make to TEXT, with confidence and alternatives."""
    result = Fixer(_make_config(repair, tone_style, threshold, lexicons)).fix_and_explain(text)
    click.echo(result.text)
    for e in result.edits:
        alts = ", ".join(f"{a} {p:.2f}" for a, p in e.alternatives) or "-"
        click.echo(f"  {e.start:>4}-{e.end:<4} {e.original!r:>14} -> {e.replacement!r:<14} {e.confidence:.2f}  (also: {alts})")


@main.command(name="eval", epilog="\b\nExample:\n  vnfix eval page.gold.txt page.fixed.txt")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.argument("hyp", type=click.Path(exists=True, dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the measures as JSON.")
def eval_(gold: str, hyp: str, as_json: bool) -> None:
    """CER and WER of HYP against GOLD (line-aligned; tone placement does not count)."""
    from .metrics import measure

    g = Path(gold).read_text(encoding="utf-8").splitlines()
    h = Path(hyp).read_text(encoding="utf-8").splitlines()
    if len(g) != len(h):
        click.echo(f"vnfix: error: line counts differ: {gold} has {len(g)}, {hyp} has {len(h)}", err=True)
        sys.exit(1)
    m = measure(g, h)
    if as_json:
        click.echo(json.dumps(m.as_dict()))
    else:
        click.echo(f"CER {m.cer:.4f}  WER {m.wer:.4f}  ({m.words} words, {m.word_errors} word errors)")
