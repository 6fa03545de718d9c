"""``vnfix convert`` and the legacy-encoding side of ``vnfix fix``.

``convert`` turns TCVN3, VNI-Windows and VIQR files into Unicode (NFC).  TCVN3
and VNI inputs may be the legacy bytes themselves (what old editors saved) or
their mojibake saved as Unicode ("ViÖt Nam" in UTF-8 or UTF-16); both are read.
``--from auto`` (the default) detects the encoding, reports it on stderr and
refuses below confidence 0.6.  ``vnfix fix`` warns about inputs that look
legacy-encoded (it never converts silently) and converts first with ``--from``.
"""

from __future__ import annotations

import codecs
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import vnfix
from vnfix import cli, legacy
from vnfix.cli import main

SCRIPT = Path(sys.executable).with_name("vnfix")
CASES = json.loads((Path(__file__).parent / "data" / "legacy_cases.json").read_text(encoding="utf-8"))
GOLD = (Path(__file__).resolve().parents[1] / "examples" / "sample.gold.txt").read_text(encoding="utf-8")
PARAGRAPH = ("Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập - Tự do - Hạnh phúc.\n"
             "Tôi yêu tiếng nước tôi từ khi mới ra đời, người ơi.\n"
             "Ban chấp hành Trung ương đã ban hành quyết định số 15/2020/QĐ-UBND ở Hà Nội.\n")
# (No toned capital starts a word: TCVN3 cannot store one, see vnfix.legacy.)


def legacy_bytes(mojibake: str) -> bytes:
    """The bytes a legacy file holds for ``mojibake`` (its cp1252 reading; Latin-1 where cp1252 has no byte)."""
    return bytes(ch.encode("cp1252")[0] if ch.encode("cp1252", "ignore") else ord(ch) for ch in mojibake)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


# --- Explicit --from ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[f"{c['encoding']}:{c['unicode'][:25]}" for c in CASES])
def test_each_case_converts_from_bytes_and_from_saved_mojibake(tmp_path, runner, case):
    enc = case["encoding"]
    expected = case["unicode"] + "\n"
    raw = legacy_bytes(case["legacy"]) + b"\n" if enc != "viqr" else (case["legacy"] + "\n").encode("utf-8")
    src = _write(tmp_path / "in.txt", raw)
    r = runner.invoke(main, ["convert", "--from", enc, str(src)])
    assert r.exit_code == 0, r.output
    assert r.stdout == expected
    if enc != "viqr":  # the mojibake saved as UTF-8 (what copying from an old document gives)
        _write(src, case["legacy"] + "\n")
        r = runner.invoke(main, ["convert", "--from", enc, str(src)])
        assert r.exit_code == 0 and r.stdout == expected


@pytest.mark.parametrize("enc", legacy.LEGACY_ENCODINGS)
def test_whole_document_round_trip(tmp_path, runner, enc):
    src = _write(tmp_path / "doc.txt", legacy.encode(PARAGRAPH, enc))
    out = tmp_path / "doc.utf8.txt"
    r = runner.invoke(main, ["convert", "--from", enc, str(src), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8") == PARAGRAPH
    assert r.stderr == ""  # nothing detected, nothing to report


def test_line_endings_are_kept(tmp_path, runner):
    text = "Việt Nam\r\nHà Nội\rTôi yêu\n\nxong"
    src = _write(tmp_path / "a.txt", legacy.encode(text, "vni"))
    r = runner.invoke(main, ["convert", "--from", "vni", str(src)])
    assert r.stdout_bytes == text.encode("utf-8")


def test_mojibake_saved_as_utf16_keeps_utf16(tmp_path, runner):
    mojibake = legacy.from_unicode(PARAGRAPH, "tcvn3")
    src = _write(tmp_path / "a.txt", codecs.BOM_UTF16_LE + mojibake.encode("utf-16-le"))
    r = runner.invoke(main, ["convert", "--from", "tcvn3", "--in-place", str(src)])
    assert r.exit_code == 0, r.output
    assert src.read_bytes() == codecs.BOM_UTF16_LE + PARAGRAPH.encode("utf-16-le")


def test_explicit_from_converts_even_text_that_does_not_look_legacy(tmp_path, runner):
    src = _write(tmp_path / "a.txt", "Vie^.t Nam\n")
    r = runner.invoke(main, ["convert", "--from", "viqr", str(src)])
    assert r.exit_code == 0 and r.stdout == "Việt Nam\n"


def test_encoding_names_are_case_insensitive(tmp_path, runner):
    src = _write(tmp_path / "a.txt", legacy.encode("Việt Nam\n", "vni"))
    assert runner.invoke(main, ["convert", "--from", "VNI", str(src)]).stdout == "Việt Nam\n"


# --- --from auto --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("enc", legacy.LEGACY_ENCODINGS)
def test_auto_detects_and_reports_on_stderr(tmp_path, runner, enc):
    src = _write(tmp_path / "a.txt", legacy.encode(GOLD, enc, errors="replace"))
    r = runner.invoke(main, ["convert", str(src)])
    assert r.exit_code == 0, r.output
    report = r.stderr.strip()
    assert report.startswith(f"vnfix: {src}: detected {enc} (confidence ") and "\n" not in report
    confidence = float(report.split("confidence ")[1].split(";")[0])
    assert confidence >= cli.DETECT_MIN
    out = r.stdout
    assert legacy.detect(out).encoding is None
    assert out.count("\n") == GOLD.count("\n")
    if enc == "vni":  # VNI is lossless; TCVN3 capitals and VIQR edge cases are checked in test_legacy.py
        assert out == GOLD


def test_auto_quiet_does_not_report(tmp_path, runner):
    src = _write(tmp_path / "a.txt", legacy.encode(GOLD, "vni"))
    r = runner.invoke(main, ["convert", "-q", str(src)])
    assert r.exit_code == 0 and r.stderr == "" and r.stdout == GOLD


@pytest.mark.parametrize("text", [GOLD, PARAGRAPH, "The quick brown fox jumps over the lazy dog.\n"])
def test_auto_refuses_unicode_text(tmp_path, text):
    src = _write(tmp_path / "a.txt", text)
    out = tmp_path / "out.txt"
    r = subprocess.run([str(SCRIPT), "convert", str(src), "-o", str(out)], capture_output=True, check=False,
                       timeout=120)
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.count("\n") == 1 and err.startswith(f"vnfix: error: {src}: does not look legacy-encoded")
    assert "--from" in err and "Traceback" not in err
    assert not out.exists()


def test_auto_refuses_below_the_confidence_threshold(tmp_path, runner, monkeypatch):
    src = _write(tmp_path / "a.txt", legacy.encode("Việt Nam\n", "vni"))
    monkeypatch.setattr(legacy, "detect", lambda data: legacy.Detection("vni", 0.55, "a weak guess"))
    r = runner.invoke(main, ["convert", str(src)])
    assert r.exit_code == 1
    assert r.stderr.strip() == (f"vnfix: error: {src}: cannot tell the encoding: best guess vni with confidence "
                                "0.55 (< 0.6); name it with --from tcvn3|vni|viqr")
    # ... while naming the encoding skips detection altogether
    assert runner.invoke(main, ["convert", "--from", "vni", str(src)]).stdout == "Việt Nam\n"


def test_empty_file_converts_to_empty_output(tmp_path, runner):
    src = _write(tmp_path / "empty.txt", b"")
    out = tmp_path / "out.txt"
    for args in (["convert", str(src), "-o", str(out)], ["convert", "--from", "tcvn3", str(src), "-o", str(out)]):
        r = runner.invoke(main, args)
        assert r.exit_code == 0 and r.stderr == "" and out.read_bytes() == b""


def test_text_without_words_is_refused_by_auto(tmp_path, runner):
    src = _write(tmp_path / "n.txt", "12 34 -- 56\n")
    r = runner.invoke(main, ["convert", str(src)])
    assert r.exit_code == 1 and r.stderr.startswith(f"vnfix: error: {src}: ") and "--from" in r.stderr


def test_stdin(runner):
    r = runner.invoke(main, ["convert", "--from", "tcvn3", "-"], input=legacy.encode("Việt Nam\n", "tcvn3"))
    assert r.exit_code == 0 and r.stdout == "Việt Nam\n"
    r = runner.invoke(main, ["convert"], input=legacy.encode(GOLD, "vni"))
    assert r.exit_code == 0 and "vnfix: <stdin>: detected vni" in r.stderr and r.stdout == GOLD


# --- Files, output, failures -----------------------------------------------------------------------------------


def test_in_place_with_backup_and_output_directory(tmp_path, runner):
    a = _write(tmp_path / "a.txt", legacy.encode(PARAGRAPH, "vni"))
    b = _write(tmp_path / "b.txt", legacy.encode(PARAGRAPH, "vni"))
    original = a.read_bytes()
    r = runner.invoke(main, ["convert", "--from", "vni", "-i", "--backup", ".orig", str(a)])
    assert r.exit_code == 0
    assert a.read_text(encoding="utf-8") == PARAGRAPH and (tmp_path / "a.txt.orig").read_bytes() == original
    outdir = tmp_path / "out"
    r = runner.invoke(main, ["convert", "--from", "vni", str(b), str(tmp_path / "a.txt.orig"), "-o", str(outdir)])
    assert r.exit_code == 0
    assert (outdir / "b.txt").read_text(encoding="utf-8") == PARAGRAPH
    assert (outdir / "a.txt.orig").read_text(encoding="utf-8") == PARAGRAPH


def test_one_bad_file_does_not_stop_the_others(tmp_path, runner):
    good = _write(tmp_path / "good.txt", legacy.encode(GOLD, "vni"))
    binary = _write(tmp_path / "blob.bin", b"\x00\x01\x02")
    plain = _write(tmp_path / "plain.txt", PARAGRAPH)
    outdir = tmp_path / "out"
    r = runner.invoke(main, ["convert", str(binary), str(plain), str(tmp_path / "missing.txt"), str(good),
                             "-o", str(outdir)])
    assert r.exit_code == 1
    errors = [line for line in r.stderr.splitlines() if line.startswith("vnfix: error: ")]
    assert len(errors) == 3 and "binary" in errors[0] and "does not look legacy" in errors[1]
    assert "no such file" in errors[2]
    assert sorted(p.name for p in outdir.iterdir()) == ["good.txt"]
    assert (outdir / "good.txt").read_text(encoding="utf-8") == GOLD


def test_binary_after_the_first_block_is_refused(tmp_path, runner):
    src = _write(tmp_path / "a.txt", legacy.encode(PARAGRAPH, "tcvn3") * 1000 + b"\x00")
    out = tmp_path / "out.txt"
    r = runner.invoke(main, ["convert", "--from", "tcvn3", str(src), "-o", str(out)])
    assert r.exit_code == 1 and "binary" in r.stderr and not out.exists()


def test_long_lines_are_converted_in_pieces_with_the_same_result(tmp_path, runner, monkeypatch):
    line = " ".join([PARAGRAPH.replace("\n", " ").lower()] * 50)  # lower case: no TCVN3 capital guessing
    monkeypatch.setattr(cli, "MAX_LINE", 64)
    for enc in legacy.LEGACY_ENCODINGS:
        src = _write(tmp_path / f"{enc}.txt", legacy.encode(line, enc))
        r = runner.invoke(main, ["convert", "--from", enc, str(src)])
        assert r.exit_code == 0 and r.stdout == line, enc


def test_tcvn3_toned_capital_before_a_capital_in_the_same_word(tmp_path, runner):
    src = _write(tmp_path / "a.txt", legacy.encode("ỦY BAN NHÂN DÂN\n", "tcvn3"))
    assert runner.invoke(main, ["convert", "--from", "tcvn3", str(src)]).stdout == "ỦY BAN NHÂN DÂN\n"


def test_help_has_examples(runner):
    r = runner.invoke(main, ["convert", "--help"])
    assert r.exit_code == 0 and "Examples:" in r.output and "vnfix convert --from vni" in r.output


# --- vnfix fix: the warning, and --from ---------------------------------------------------------------------


@pytest.mark.parametrize("enc,saved", [("tcvn3", "bytes"), ("vni", "bytes"), ("viqr", "text"), ("tcvn3", "text"),
                                       ("vni", "text")])
def test_fix_warns_about_legacy_input(tmp_path, enc, saved):
    text = legacy.encode(GOLD, enc, errors="replace") if saved == "bytes" else \
        legacy.from_unicode(GOLD, enc, errors="replace").encode("utf-8")
    src = _write(tmp_path / "old.txt", text)
    r = subprocess.run([str(SCRIPT), "fix", "--errors", "replace", str(src), "-o", str(tmp_path / "out.txt")],
                       capture_output=True, check=False, timeout=120)
    assert r.returncode == 0
    err = r.stderr.decode()
    warning = next(line for line in err.splitlines() if "looks like" in line)
    assert warning.startswith(f"vnfix: warning: {src}: looks like ")
    assert enc.upper() in warning and "confidence " in warning
    assert f"vnfix convert --from {enc} {src}" in warning and f"vnfix fix --from {enc}" in warning
    assert "Traceback" not in err


def test_fix_warning_on_legacy_bytes_comes_before_the_utf8_error(tmp_path, runner):
    src = _write(tmp_path / "old.txt", legacy.encode(GOLD, "tcvn3", errors="replace"))
    r = runner.invoke(main, ["fix", str(src)])
    assert r.exit_code == 1
    warning, error = r.stderr.splitlines()
    assert warning.startswith(f"vnfix: warning: {src}: looks like TCVN3 text")
    assert error.startswith(f"vnfix: error: {src}: not valid UTF-8 at byte ")


@pytest.mark.parametrize("text", [GOLD, PARAGRAPH, "Chi thi s6 28-CT/TW ctia B6 Chinh tri\n",
                                  "Cong hoa xa hoi chu nghia Viet Nam\n", "It's 9 a.m. in the U.S. - what?\n",
                                  "Café, naïve, Müller, señor, Ångström, façade.\n"])
def test_fix_does_not_warn_about_ordinary_text(tmp_path, runner, text):
    src = _write(tmp_path / "a.txt", text)
    r = runner.invoke(main, ["fix", str(src)])
    assert r.exit_code == 0 and r.stderr == ""


def test_fix_does_not_blame_one_stray_byte_on_a_legacy_encoding(tmp_path, runner):
    src = _write(tmp_path / "a.txt", b"Ha Noi \xff\n")  # one repaired "word" is no evidence
    r = runner.invoke(main, ["fix", str(src)])
    assert r.exit_code == 1 and "looks like" not in r.stderr and len(r.stderr.splitlines()) == 1


def test_fix_quiet_does_not_warn(tmp_path, runner):
    src = _write(tmp_path / "a.txt", legacy.from_unicode(GOLD, "vni", errors="replace"))
    r = runner.invoke(main, ["fix", "-q", str(src)])
    assert r.exit_code == 0 and r.stderr == ""


@pytest.mark.parametrize("enc", legacy.LEGACY_ENCODINGS)
def test_fix_from_converts_first_then_fixes(tmp_path, runner, enc):
    damaged = "Chi thi s6 28-CT/TW ctia B6 Chinh tri. Việt Nam\n"
    src = _write(tmp_path / "a.txt", legacy.encode(damaged, enc))
    r = runner.invoke(main, ["fix", "--from", enc, str(src)])
    assert r.exit_code == 0, r.output
    assert r.stdout == vnfix.fix_text(legacy.decode(legacy.encode(damaged, enc), enc))
    assert r.stdout == vnfix.fix_text(damaged)
    assert r.stderr == ""


def test_fix_from_auto(tmp_path, runner):
    src = _write(tmp_path / "old.txt", legacy.encode(GOLD, "vni"))
    r = runner.invoke(main, ["fix", "--from", "auto", str(src)])
    assert r.exit_code == 0
    assert r.stderr.startswith(f"vnfix: {src}: detected vni")
    assert r.stdout == vnfix.fix_text(GOLD)
    plain = _write(tmp_path / "plain.txt", "Chi thi s6 ctia B6\n")  # not legacy: read as Unicode, no refusal
    r = runner.invoke(main, ["fix", "--from", "auto", str(plain)])
    assert r.exit_code == 0 and r.stderr == "" and r.stdout == vnfix.fix_text("Chi thi s6 ctia B6\n")
