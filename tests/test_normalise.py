"""Unicode normalisation: every spelling of a Vietnamese letter becomes one NFC letter.

Text reaches vnfix as NFC, as NFD (macOS file names, some PDF extractors), as
"precomposed base + combining tone" (the Windows-1258 habit) with the marks in
either order, or with lookalike letters (the Icelandic eth typed for Đ).
"""

from __future__ import annotations

import unicodedata

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from vnfix import normalise

NFD = lambda s: unicodedata.normalize("NFD", s)  # noqa: E731

BREVE, CIRCUMFLEX, HORN = "\u0306", "\u0302", "\u031b"
GRAVE, ACUTE, HOOK, TILDE, DOT = "\u0300", "\u0301", "\u0309", "\u0303", "\u0323"
TONES = (GRAVE, ACUTE, HOOK, TILDE, DOT)
# Every Vietnamese vowel letter as base + optional modifier.
VOWEL_BASES = [("a", ""), ("a", BREVE), ("a", CIRCUMFLEX), ("e", ""), ("e", CIRCUMFLEX), ("i", ""),
               ("o", ""), ("o", CIRCUMFLEX), ("o", HORN), ("u", ""), ("u", HORN), ("y", "")]


@pytest.mark.parametrize(
    ("text", "expected", "comment"),
    [
        ("Vie\u0323\u0302t Nam", "Việt Nam", "dot below typed before the circumflex"),
        ("Vie\u0302\u0323t Nam", "Việt Nam", "circumflex typed before the dot below"),
        ("e\u0323\u0302", "ệ", "e + dot below + circumflex"),
        ("e\u0302\u0323", "ệ", "e + circumflex + dot below"),
        ("e\u0300\u0302", "ề", "tone before circumflex: plain NFC would give è + ̂"),
        ("\u00e8\u0302", "ề", "precomposed è + combining circumflex"),
        ("\u00ea\u0300", "ề", "precomposed ê + combining grave (Windows-1258)"),
        ("a\u0301\u0306", "ắ", "acute before breve"),
        ("o\u0309\u031b", "ở", "hook above before horn"),
        ("u\u0303\u031b", "ữ", "tilde before horn"),
        ("\u01b0\u0309", "ử", "precomposed ư + combining hook"),
        ("\u00ca\u0300", "Ề", "capital Ê + combining grave"),
        ("\u01a0\u0303", "Ỡ", "capital Ơ + combining tilde"),
        ("a\u0301\u0301", "á", "a doubled tone mark is a typing slip"),
        ("a\u0340", "à", "deprecated combining grave tone mark"),
        ("a\u0341", "á", "deprecated combining acute tone mark"),
        ("Ð", "Đ", "Icelandic capital eth"),
        ("ð", "đ", "Icelandic small eth"),
        ("Ɖ", "Đ", "African capital D"),
        ("ɖ", "đ", "African small d"),
        ("ÐẢNG CỘNG SẢN", "ĐẢNG CỘNG SẢN", "eth in a heading"),
        ("ðiều 5", "điều 5", "eth as found in the law corpus"),
    ],
)
def test_normalise_cases(text, expected, comment):
    assert normalise(text) == expected


def test_nfd_sentence_becomes_nfc():
    nfc = "Cộng hòa xã hội chủ nghĩa Việt Nam – Độc lập, Tự do, Hạnh phúc"
    assert normalise(NFD(nfc)) == nfc


@pytest.mark.parametrize(
    "text",
    ["Cộng hòa xã hội chủ nghĩa Việt Nam", "Thuỷ lợi Khánh Hoà", "ĐƯỜNG NGUYỄN TRÃI", "中文 русский 😀",
     "naïve café", ""],
)
def test_nfc_text_is_returned_unchanged(text):
    assert normalise(text) == text


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_is_untouched(text):
    assert normalise(text) == text


@given(st.sampled_from(VOWEL_BASES), st.sampled_from(("",) + TONES), st.booleans(), st.data())
def test_marks_in_any_order_give_one_letter(base_mod, tone, upper, data):
    base, modifier = base_mod
    if upper:
        base = base.upper()
    letter = unicodedata.normalize("NFC", base + modifier + tone)
    assert len(letter) == 1
    marks = data.draw(st.permutations([m for m in (modifier, tone) if m]))
    assert normalise(base + "".join(marks)) == letter
    assert normalise(NFD(letter)) == letter


VIETNAMESE_ISH = st.text(
    alphabet=st.sampled_from(
        list("aăâeêioôơuưyđdAĂÂEÊIOÔƠUƯYĐD ÐðƉɖ\n") + [BREVE, CIRCUMFLEX, HORN, *TONES, "\u0340", "\u0341",
                                                       "\u0308", "\u0327", "\u031b"]
    ),
    max_size=30,
)


@given(st.one_of(st.text(), VIETNAMESE_ISH))
def test_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


@given(VIETNAMESE_ISH)
def test_vietnamese_output_is_nfc(text):
    assert unicodedata.is_normalized("NFC", normalise(text))


@given(st.text())
def test_other_scripts_are_left_alone(text):
    """Only Latin letters and combining marks may change: CJK, Greek, Cyrillic... pass as they are."""
    keep = regex.compile(r"[^\p{Latin}\p{M}]+")
    assert keep.findall(normalise(text)) == keep.findall(text)


@pytest.mark.parametrize("text", ["Guðrún", "k\u2126", "李\uf900", "русский", "Ελληνικά"])
def test_non_vietnamese_text_is_unchanged(text):
    assert normalise(text) == text


@given(VIETNAMESE_ISH)
def test_only_marks_and_lookalikes_change(text):
    """Letters without marks, spaces and newlines come through in the same order."""
    strip = lambda s: "".join(c for c in NFD(s) if not unicodedata.combining(c))  # noqa: E731
    lookalikes = str.maketrans("ÐðƉɖ", "ĐđĐđ")  # mended only inside Vietnamese words
    assert strip(normalise(text)).translate(lookalikes) == strip(text).translate(lookalikes)
