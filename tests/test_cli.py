"""The ``vnfix`` command line: fix, explain and eval.

Most tests drive the click commands in-process with CliRunner; a few run the
installed ``vnfix`` entry point as a subprocess, end to end, to check what a
user sees: real stdin/stdout, exit codes, no tracebacks.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from vnfix import fix_text
from vnfix.cli import main

VNFIX = Path(sys.executable).with_name("vnfix")
OCR = "Chi thi s6 28-CT/TW ctia B6 Chinh tri\n"
FIXED = "Chỉ thị số 28-CT/TW của Bộ Chính trị\n"


@pytest.fixture
def run(tmp_path, monkeypatch):
    """Run ``vnfix ARGS`` in-process inside tmp_path; returns the click Result."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def _run(*args, input=None):
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)

    return _run


def _write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if "vnfix-tmp" in p.name)


# --- the basics ---------------------------------------------------------------------------------------
def test_help_and_version(run):
    result = run("--help")
    assert result.exit_code == 0
    for command in ("fix", "explain", "eval"):
        assert command in result.stdout
    assert run("fix", "--help").exit_code == 0
    version = run("--version")
    assert version.exit_code == 0 and "vnfix" in version.stdout


def test_stdin_to_stdout(run):
    result = run("fix", input=OCR)
    assert result.exit_code == 0
    assert result.stdout == FIXED
    assert run("fix", "-", input=OCR).stdout == FIXED
    crlf = run("fix", input=OCR.replace("\n", "\r\n").encode())
    assert crlf.stdout_bytes == FIXED.replace("\n", "\r\n").encode()


def test_file_to_output_file(run, tmp_path):
    _write(tmp_path / "scan.txt", OCR)
    result = run("fix", "scan.txt", "-o", "out.txt")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == FIXED
    assert (tmp_path / "scan.txt").read_text(encoding="utf-8") == OCR


def test_file_to_stdout(run, tmp_path):
    _write(tmp_path / "scan.txt", OCR)
    assert run("fix", "scan.txt").stdout == FIXED


def test_several_files_to_an_output_directory(run, tmp_path):
    _write(tmp_path / "a.txt", OCR)
    _write(tmp_path / "b.txt", "Cong hoa xa hoi chu nghia Viet Nam\n")
    result = run("fix", "a.txt", "b.txt", "-o", "out")
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.txt", "b.txt"]
    assert (tmp_path / "out" / "a.txt").read_text(encoding="utf-8") == FIXED
    assert (tmp_path / "out" / "b.txt").read_text(encoding="utf-8") == "Cộng hòa xã hội chủ nghĩa Việt Nam\n"


def test_glob_pattern_to_an_output_directory(run, tmp_path):
    (tmp_path / "in").mkdir()
    for name in ("p1.txt", "p2.txt", "p3.txt"):
        _write(tmp_path / "in" / name, OCR)
    result = run("fix", "in/*.txt", "-o", "out/")
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["p1.txt", "p2.txt", "p3.txt"]


def test_in_place_with_backup(run, tmp_path):
    _write(tmp_path / "a.txt", OCR)
    os.chmod(tmp_path / "a.txt", 0o640)
    result = run("fix", "-i", "--backup", ".orig", "a.txt")
    assert result.exit_code == 0
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == FIXED
    assert (tmp_path / "a.txt.orig").read_text(encoding="utf-8") == OCR
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o640  # mode kept
    assert _leftovers(tmp_path) == []


def test_in_place_without_backup(run, tmp_path):
    _write(tmp_path / "a.txt", OCR)
    assert run("fix", "--in-place", "a.txt").exit_code == 0
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == FIXED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt"]


def test_output_may_be_the_input_file(run, tmp_path):
    _write(tmp_path / "a.txt", OCR * 3)
    assert run("fix", "a.txt", "-o", "a.txt").exit_code == 0
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == FIXED * 3


@pytest.mark.parametrize(
    ("args", "message"),
    [(("fix", "-i", "-"), "--in-place"), (("fix", "-i", "a.txt", "-o", "b.txt"), "--in-place"),
     (("fix", "--backup", ".orig", "a.txt"), "--backup"), (("fix", "--format", "xml", "a.txt"), "format"),
     (("fix", "--tone-style", "modern", "a.txt"), "tone-style"), (("fix", "--threshold", "2", "a.txt"), "threshold"),
     (("fix", "--jobs", "0", "a.txt"), "jobs")],
)
def test_usage_errors_exit_2(run, tmp_path, args, message):
    _write(tmp_path / "a.txt", OCR)
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == OCR


# --- options ----------------------------------------------------------------------------------------------
def test_config_options(run, tmp_path):
    _write(tmp_path / "a.txt", "Uy ban nhan dan tinh Khanh Hoa\n")
    assert run("fix", "a.txt").stdout == "Ủy ban nhân dân tỉnh Khánh Hòa\n"
    assert run("fix", "--tone-style", "new", "a.txt").stdout == "Uỷ ban nhân dân tỉnh Khánh Hoà\n"
    assert run("fix", "--repair", "diacritics", "a.txt").stdout == "Ủy ban nhân dân tỉnh Khánh Hòa\n"


def test_lexicon_option(run, tmp_path):
    _write(tmp_path / "names.txt", "Khuổi Nặm\n")
    _write(tmp_path / "a.txt", "Ban Khuoi Nam\n")
    assert run("fix", "a.txt").stdout == "Bản Khuoi Nam\n"
    assert run("fix", "--lexicon", "names.txt", "a.txt").stdout.startswith("Bản Khuổi ")
    missing = run("fix", "--lexicon", "nope.txt", "a.txt")
    assert missing.exit_code == 2 and "nope.txt" in missing.stderr


def test_threshold_option(run, tmp_path):
    text = "Nha nuéc bao hé quyén sé hitu tri tué.\nThong tu nay cé hiéu luc tit ngay ky.\n"
    _write(tmp_path / "a.txt", text)
    lenient = run("fix", "--threshold", "0", "a.txt").stdout
    strict = run("fix", "--threshold", "1", "a.txt").stdout
    changed = lambda out: sum(a != b for a, b in zip(text.split(), out.split()))  # noqa: E731
    assert changed(strict) < changed(lenient)


def test_jobs_give_the_same_output(run, tmp_path):
    text = ("Chi thi s6 28-CT/TW ctia B6 Chinh tri.\nCong hoa xa hoi chu nghia Viet Nam\n\n" * 40)
    _write(tmp_path / "a.txt", text)
    one = run("fix", "a.txt").stdout
    two = run("fix", "--jobs", "2", "a.txt").stdout
    assert one == two == fix_text(text)


# --- output formats -----------------------------------------------------------------------------------
def test_json_format(run, tmp_path):
    _write(tmp_path / "a.txt", OCR + "Cộng hòa\r\nHa Noi\n")
    result = run("fix", "--format", "json", "a.txt")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    assert [r["line"] for r in records] == [1, 2, 3]
    assert all(r["file"] == "a.txt" for r in records)
    assert [r["text"] for r in records] == [FIXED.rstrip("\n"), "Cộng hòa", "Hà Nội"]
    first = records[0]["edits"]
    assert {(e["original"], e["replacement"]) for e in first} >= {("s6", "số"), ("ctia", "của"), ("B6", "Bộ")}
    source = OCR.rstrip("\n")
    for e in first:
        assert source[e["column"]:e["column"] + len(e["original"])] == e["original"]
        assert 0 <= e["confidence"] <= 1
        assert all(len(a) == 2 for a in e["alternatives"])
    assert records[1]["edits"] == []
    assert [(e["column"], e["replacement"]) for e in records[2]["edits"]] == [(0, "Hà"), (3, "Nội")]


def test_json_format_from_stdin(run):
    result = run("fix", "--format", "json", input=OCR)
    record = json.loads(result.stdout)
    assert record["text"] == FIXED.rstrip("\n")
    assert record["line"] == 1


def test_diff_format(run, tmp_path):
    _write(tmp_path / "a.txt", "Cộng hòa xã hội\n" + OCR + "Cộng hòa xã hội\n")
    result = run("fix", "--format", "diff", "a.txt")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "--- a.txt"
    assert lines[1] == "+++ a.txt (vnfix)"
    assert "-" + OCR.rstrip("\n") in lines
    assert "+" + FIXED.rstrip("\n") in lines
    assert " Cộng hòa xã hội" in lines
    # the file itself is not touched
    assert (tmp_path / "a.txt").read_text(encoding="utf-8") == "Cộng hòa xã hội\n" + OCR + "Cộng hòa xã hội\n"


def test_diff_of_correct_text_is_empty(run, tmp_path):
    _write(tmp_path / "a.txt", "Cộng hòa xã hội chủ nghĩa Việt Nam\n")
    result = run("fix", "--format", "diff", "a.txt")
    assert result.exit_code == 0
    assert result.stdout == ""


# --- explain and eval --------------------------------------------------------------------------------
def test_explain(run):
    result = run("explain", OCR.rstrip("\n"))
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == FIXED.rstrip("\n")
    assert any("'ctia'" in line and "'của'" in line for line in lines[1:])
    assert any("'s6'" in line and "'số'" in line for line in lines[1:])
    assert all("also:" in line for line in lines[1:])


def test_explain_correct_text(run):
    result = run("explain", "Cộng hòa xã hội chủ nghĩa Việt Nam")
    assert result.stdout == "Cộng hòa xã hội chủ nghĩa Việt Nam\n"


def test_explain_with_options(run):
    assert run("explain", "--tone-style", "new", "Hoa binh").stdout.splitlines()[0] == "Hoà bình"


def test_eval(run, tmp_path):
    _write(tmp_path / "gold.txt", "Hòa bình\nViệt Nam\n")
    _write(tmp_path / "hyp.txt", "Hoà binh\nViệt Nam\n")
    result = run("eval", "gold.txt", "hyp.txt")
    assert result.exit_code == 0
    assert result.stdout.startswith("CER ")
    assert "WER 0.2500" in result.stdout
    assert "(4 words, 1 word errors)" in result.stdout
    measures = json.loads(run("eval", "--json", "gold.txt", "hyp.txt").stdout)
    assert measures["words"] == 4 and measures["word_errors"] == 1
    assert measures["wer"] == 0.25
    assert measures["char_errors"] == 1


def test_eval_line_count_mismatch(run, tmp_path):
    _write(tmp_path / "gold.txt", "a\nb\n")
    _write(tmp_path / "hyp.txt", "a\n")
    result = run("eval", "gold.txt", "hyp.txt")
    assert result.exit_code == 1
    assert "gold.txt" in result.stderr and "hyp.txt" in result.stderr


def test_eval_missing_file(run, tmp_path):
    _write(tmp_path / "gold.txt", "a\n")
    result = run("eval", "gold.txt", "nope.txt")
    assert result.exit_code == 2
    assert "nope.txt" in result.stderr


def test_eval_invalid_utf8_is_a_clean_error(tmp_path):
    _write(tmp_path / "gold.txt", b"Ha Noi \xff\n")
    _write(tmp_path / "hyp.txt", "Hà Nội\n")
    proc = subprocess.run([str(VNFIX), "eval", "gold.txt", "hyp.txt"], cwd=tmp_path, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert "gold.txt" in proc.stderr


# --- errors ------------------------------------------------------------------------------------------
def test_nonexistent_file(run, tmp_path):
    _write(tmp_path / "a.txt", OCR)
    result = run("fix", "nope.txt", "a.txt", "-o", "out")
    assert result.exit_code == 1
    assert "nope.txt" in result.stderr
    assert "Traceback" not in result.stderr
    # the other file is still done
    assert (tmp_path / "out" / "a.txt").read_text(encoding="utf-8") == FIXED


def test_directory_as_input(run, tmp_path):
    (tmp_path / "d").mkdir()
    result = run("fix", "d")
    assert result.exit_code == 1
    assert "d: is a directory" in result.stderr


def test_invalid_utf8_names_file_and_byte_offset(run, tmp_path):
    _write(tmp_path / "bad.txt", "Hà Nội\n".encode() + b"ab\xffcd\n")
    result = run("fix", "bad.txt", "-o", "out.txt")
    assert result.exit_code == 1
    assert "bad.txt" in result.stderr
    assert "byte 12" in result.stderr  # 'Hà Nội\n' is 10 bytes, then 'ab'
    assert "--errors replace" in result.stderr
    assert not (tmp_path / "out.txt").exists()
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("data", "offset"),
    [(b"a" * 65536 + b"\xff\n", 65536),  # at the first block boundary
     (b"a" * 65535 + "ệ".encode() + b"b" * 10 + b"\xff\n", 65548),  # a character split by the boundary
     (b"abc\xe1\xbb", 3)],  # truncated at the end of the file
)
def test_invalid_utf8_offset_across_blocks(run, tmp_path, data, offset):
    _write(tmp_path / "bad.txt", data)
    result = run("fix", "bad.txt")
    assert result.exit_code == 1
    assert f"at byte {offset} " in result.stderr


def test_invalid_utf8_offset_after_bom(run, tmp_path):
    """Offsets count the BOM: they are positions in the file as it is on disk."""
    _write(tmp_path / "bad.txt", b"\xef\xbb\xbfab\xff\n")
    result = run("fix", "bad.txt")
    assert result.exit_code == 1
    assert "at byte 5 " in result.stderr


def test_invalid_utf8_in_place_leaves_the_file_alone(run, tmp_path):
    data = b"Ha Noi \xff\n"
    _write(tmp_path / "bad.txt", data)
    result = run("fix", "-i", "--backup", ".orig", "bad.txt")
    assert result.exit_code == 1
    assert (tmp_path / "bad.txt").read_bytes() == data
    assert not (tmp_path / "bad.txt.orig").exists()
    assert _leftovers(tmp_path) == []


def test_errors_replace_warns_and_succeeds(run, tmp_path):
    _write(tmp_path / "bad.txt", b"Ha Noi \xff\xfe ok\n")
    result = run("fix", "--errors", "replace", "bad.txt")
    assert result.exit_code == 0
    assert result.stdout == "Hà Nội \ufffd\ufffd ok\n"
    assert "warning" in result.stderr and "bad.txt" in result.stderr and "2 invalid" in result.stderr
    quiet = run("fix", "--errors", "replace", "-q", "bad.txt")
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_suggested_convert_command_exists(run, tmp_path):
    """The invalid-UTF-8 message points to `vnfix convert`, which must exist."""
    _write(tmp_path / "bad.txt", b"\xff\n")
    assert "vnfix convert" in run("fix", "bad.txt").stderr
    assert run("convert", "--help").exit_code == 0


def test_binary_file_is_refused(run, tmp_path):
    _write(tmp_path / "image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    result = run("fix", "image.png", "-o", "out.png")
    assert result.exit_code == 1
    assert "image.png" in result.stderr and "binary" in result.stderr
    assert not (tmp_path / "out.png").exists()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le"])
def test_utf16_with_bom_is_read_and_written_back(run, tmp_path, encoding):
    data = "\ufeffChi thi s6 ctia B6\r\n".encode("utf-16-le") if encoding == "utf-16-le" else \
        "Chi thi s6 ctia B6\r\n".encode("utf-16")
    _write(tmp_path / "u16.txt", data)
    expected = fix_text("Chi thi s6 ctia B6\r\n")
    assert run("fix", "u16.txt").stdout_bytes == expected.encode("utf-8")  # stdout is always UTF-8
    assert run("fix", "u16.txt", "-o", "out.txt").exit_code == 0
    out = (tmp_path / "out.txt").read_bytes()
    assert out.startswith(b"\xff\xfe")
    assert out.decode("utf-16") == expected


def test_utf16_big_endian_is_written_back_big_endian(run, tmp_path):
    _write(tmp_path / "be.txt", b"\xfe\xff" + "Ha Noi\n".encode("utf-16-be"))
    assert run("fix", "be.txt", "-o", "out.txt").exit_code == 0
    assert (tmp_path / "out.txt").read_bytes() == b"\xfe\xff" + "Hà Nội\n".encode("utf-16-be")


def test_utf8_bom_is_kept(run, tmp_path):
    _write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + OCR.encode())
    assert run("fix", "bom.txt", "-o", "out.txt").exit_code == 0
    assert (tmp_path / "out.txt").read_bytes() == b"\xef\xbb\xbf" + FIXED.encode()
    assert run("fix", "-i", "bom.txt").exit_code == 0
    assert (tmp_path / "bom.txt").read_bytes() == b"\xef\xbb\xbf" + FIXED.encode()


def test_empty_file(run, tmp_path):
    _write(tmp_path / "empty.txt", b"")
    result = run("fix", "empty.txt")
    assert result.exit_code == 0 and result.stdout == ""
    assert run("fix", "empty.txt", "-o", "out.txt").exit_code == 0
    assert (tmp_path / "out.txt").read_bytes() == b""
    assert json.loads(json.dumps(run("fix", "--format", "json", "empty.txt").stdout)) == ""


def test_crlf_file_keeps_crlf(run, tmp_path):
    data = "Ha Noi\r\nViet Nam\r\n\r\nChi thi s6 ctia B6\r\n"
    _write(tmp_path / "crlf.txt", data)
    assert run("fix", "crlf.txt", "-o", "out.txt").exit_code == 0
    out = (tmp_path / "out.txt").read_bytes()
    assert out == fix_text(data).encode()
    assert out.count(b"\r\n") == 4 and out.replace(b"\r\n", b"").count(b"\n") == 0
    assert run("fix", "-i", "crlf.txt").exit_code == 0
    assert (tmp_path / "crlf.txt").read_bytes() == out


def test_cr_only_file_keeps_cr(run, tmp_path):
    _write(tmp_path / "mac.txt", "Ha Noi\rViet Nam\r")
    assert run("fix", "mac.txt").stdout_bytes == "Hà Nội\rViệt Nam\r".encode()


def test_no_trailing_newline_is_kept(run, tmp_path):
    _write(tmp_path / "a.txt", "Ha Noi")
    assert run("fix", "a.txt").stdout == "Hà Nội"


def test_new_output_file_honours_umask(run, tmp_path):
    _write(tmp_path / "a.txt", OCR)
    old = os.umask(0o022)
    try:
        assert run("fix", "a.txt", "-o", "out.txt").exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "out.txt").stat().st_mode) == 0o644


# --- end to end: the installed entry point ----------------------------------------------------------
def _vnfix(*args, **kwargs):
    return subprocess.run([str(VNFIX), *args], capture_output=True, timeout=120, **kwargs)


def test_entry_point_is_installed():
    assert VNFIX.exists(), f"{VNFIX} missing: is vnfix installed into this environment?"


def test_end_to_end_stdin_to_stdout():
    proc = _vnfix("fix", input=OCR.encode())
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode() == FIXED
    assert proc.stderr == b""


def test_end_to_end_files(tmp_path):
    _write(tmp_path / "a.txt", OCR)
    _write(tmp_path / "b.txt", b"\xef\xbb\xbfHa Noi\r\n")
    proc = _vnfix("fix", "a.txt", "b.txt", "missing.txt", "-o", "out", cwd=tmp_path)
    assert proc.returncode == 1
    stderr = proc.stderr.decode()
    assert "missing.txt" in stderr and "Traceback" not in stderr
    assert (tmp_path / "out" / "a.txt").read_text(encoding="utf-8") == FIXED
    assert (tmp_path / "out" / "b.txt").read_bytes() == b"\xef\xbb\xbf" + "Hà Nội\r\n".encode()


def test_end_to_end_invalid_utf8(tmp_path):
    _write(tmp_path / "bad.txt", b"Ha Noi \xc3\x28\n")
    proc = _vnfix("fix", "bad.txt", "-o", "out.txt", cwd=tmp_path)
    assert proc.returncode == 1
    stderr = proc.stderr.decode()
    assert "bad.txt" in stderr and "byte 7" in stderr and "Traceback" not in stderr
    assert not (tmp_path / "out.txt").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_end_to_end_stdout_to_dev_full(tmp_path):
    _write(tmp_path / "a.txt", OCR * 100)
    with open("/dev/full", "wb") as full:
        proc = subprocess.run([str(VNFIX), "fix", "a.txt"], cwd=tmp_path, stdout=full, stderr=subprocess.PIPE,
                              timeout=120)
    stderr = proc.stderr.decode()
    assert proc.returncode != 0
    assert "no space left on device" in stderr.lower()
    assert "Traceback" not in stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_end_to_end_output_to_dev_full(tmp_path):
    """-o naming a device writes to the device (as the shell's > would) and reports the full disk.

    The test goes through a symlink in tmp_path, never /dev/full itself: an implementation
    that renames a temp file over the target (run as root) would replace only the link.
    """
    (tmp_path / "full").symlink_to("/dev/full")
    _write(tmp_path / "a.txt", OCR)
    try:
        proc = _vnfix("fix", "a.txt", "-o", "full", cwd=tmp_path)
        assert proc.returncode != 0
        assert "no space left on device" in proc.stderr.decode().lower()
    finally:
        assert Path("/dev/full").is_char_device(), "/dev/full was replaced"
    assert (tmp_path / "full").is_symlink()
