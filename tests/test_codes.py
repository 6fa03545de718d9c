"""Document codes: byte for byte by default; with ``codes="restore"``, their abbreviations get back
the Đ that text typed without marks or an OCR engine that does not know Vietnamese wrote as D.

data/codes.json holds codes alone (``codes``) and whole lines (``lines``).
"""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from conftest import load_cases
from hypothesis import given
from hypothesis import strategies as st

from vnfix import Config, Fixer, fix_and_explain, fix_text, tokenize
from vnfix.cli import main
from vnfix.codes import restore_code

CODES = load_cases("codes.json", "codes")
LINES = load_cases("codes.json", "lines")


def _mode(case: dict) -> str:
    return "diacritics" if "typed without marks" in case["comment"] else "ocr"


@pytest.mark.parametrize("case", [pytest.param(c, id=c["input"]) for c in CODES])
def test_a_code_gets_its_abbreviations_eth_back(case, lexicon):
    assert restore_code(case["input"], lexicon) == case["expected"]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["input"]) for c in CODES])
def test_a_code_alone_is_restored_by_fix_text_too(case):
    assert fix_text(case["input"], codes="restore") == case["expected"]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["input"][:40]) for c in LINES])
def test_a_line_with_codes_restored(case):
    assert fix_text(case["input"], codes="restore", repair=_mode(case)) == case["expected"]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["input"][:40]) for c in LINES])
def test_by_default_every_code_passes_byte_for_byte(case):
    codes = [t.text for t in tokenize(case["input"]) if t.kind in ("code", "url", "email")]
    out = [t.text for t in tokenize(fix_text(case["input"], repair=_mode(case))) if t.kind in ("code", "url", "email")]
    assert codes and out == codes


@pytest.mark.parametrize("case", [pytest.param(c, id=c["expected"][:40]) for c in LINES])
def test_a_restored_line_is_a_fixed_point(case):
    assert fix_text(case["expected"], codes="restore", repair=_mode(case)) == case["expected"]


def test_explain_reports_a_restored_code_with_its_span():
    text = "Theo 496/QD-UBND ngày 5/3/2024"
    result = fix_and_explain(text, codes="restore")
    assert result.text == "Theo 496/QĐ-UBND ngày 5/3/2024"
    (edit,) = result.edits
    assert (edit.original, edit.replacement, edit.confidence) == ("496/QD-UBND", "496/QĐ-UBND", 1.0)
    assert text[edit.start:edit.end] == "496/QD-UBND"


def test_a_protected_code_is_kept():
    fixer = Fixer(codes="restore", protect=(r"\d+/QD-\w+",))
    assert fixer.fix_text("Theo 496/QD-UBND và 56/2017/ND-CP") == "Theo 496/QD-UBND và 56/2017/NĐ-CP"


def test_a_users_own_abbreviation_is_always_restored(lexicon):
    assert restore_code("12/KHDT-VP", lexicon) == "12/KHĐT-VP"  # known, and running text writes it so
    assert Fixer(codes="restore", extra_words=("TĐKT",)).fix_text("Số 07/TDKT") == "Số 07/TĐKT"
    assert Fixer(codes="restore").fix_text("Số 07/TDKT") == "Số 07/TDKT"


def test_codes_must_be_keep_or_restore():
    with pytest.raises(ValueError, match="codes must be"):
        Config(codes="fix")  # type: ignore[arg-type]


def test_cli_restores_codes_only_when_asked():
    runner = CliRunner()
    text = "Nghị định 56/2017/ND-CP\n"
    assert runner.invoke(main, ["fix"], input=text).output == text
    assert runner.invoke(main, ["fix", "--codes", "restore"], input=text).output == "Nghị định 56/2017/NĐ-CP\n"


_CODE = st.from_regex(r"\A[0-9]{1,4}(/[0-9]{4})?[/-][A-ZĐ]{1,8}(-[A-ZĐa-z]{1,6})?\Z")


@given(_CODE)
def test_restoring_only_turns_d_into_eth(code):
    from vnfix.lexicon import default_lexicon

    out = restore_code(code, default_lexicon())
    assert len(out) == len(code)
    assert all(a == b or (a, b) == ("D", "Đ") for a, b in zip(code, out))
    assert restore_code(out, default_lexicon()) == out
