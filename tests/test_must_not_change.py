"""Correct text comes back byte for byte.

vnfix is run over whole documents, most of whose lines need no repair: correct
Vietnamese (in either tone style), English, codes, URLs, e-mails, numbers,
other scripts and emoji. Every line of data/must_not_change.json must come back
unchanged. Lines vnfix currently damages are kept as strict xfail cases with the
output observed when they were recorded (``observed``), so that a fix shows up
as an XPASS to be promoted.
"""

from __future__ import annotations

import pytest
from conftest import case_params, load_cases

from vnfix import Fixer, fix_and_explain, fix_text

CASES = load_cases("must_not_change.json")
CLEAN = [c["text"] for c in CASES if not c.get("xfail")]


@pytest.mark.parametrize("case", case_params(CASES, "text"))
def test_fix_text_leaves_correct_text_alone(case):
    out = fix_text(case["text"])
    assert out == case["text"], f"changed to {out!r}"


@pytest.mark.parametrize("text", CLEAN, ids=lambda t: t[:40])
def test_no_edits_are_reported(text):
    result = fix_and_explain(text)
    assert result.text == text
    assert [(e.original, e.replacement) for e in result.edits] == []


def test_enough_cases():
    assert len(CLEAN) >= 60


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_whole_document_is_unchanged(newline):
    """The same lines as one document: windows now span lines, and still nothing changes."""
    doc = newline.join(CLEAN) + newline
    assert fix_text(doc) == doc


def test_new_tone_style_does_not_retone_correct_text():
    """tone_style only applies to words vnfix writes; ``retone`` is off by default."""
    doc = "\n".join(CLEAN)
    assert Fixer(tone_style="new").fix_text(doc) == doc


def test_paragraphs_separated_by_blank_lines_are_unchanged():
    doc = "\n\n".join(CLEAN[:20])
    assert fix_text(doc) == doc
