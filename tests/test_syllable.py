"""The Vietnamese syllable model: parse, compose, tone placement, marks and case.

The cases live in data/syllables.json; each says in a few words which rule of
Vietnamese spelling it pins down.
"""

from __future__ import annotations

import pytest
from conftest import case_params, load_cases
from hypothesis import given
from hypothesis import strategies as st

from vnfix.syllable import (
    Syllable,
    apply_case,
    compose,
    has_marks,
    is_valid,
    normalize_tone,
    parse,
    remove_tone,
    split_marks,
    strip_marks,
    tone_of,
)

FILE = "syllables.json"


# --- parse ----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", case_params(load_cases(FILE, "parse"), "word"))
def test_parse(case):
    syl = parse(case["word"])
    assert syl is not None
    assert (syl.onset, syl.medial, syl.nucleus, syl.coda, syl.tone) == (
        case["onset"], case["medial"], case["nucleus"], case["coda"], case["tone"]
    )
    assert is_valid(case["word"])


@pytest.mark.parametrize("case", case_params(load_cases(FILE, "parse"), "word"))
def test_compose_gives_the_word_back(case):
    """compose() writes the parsed syllable in lower case, tone where the style puts it."""
    word = case["word"].lower()
    syl = parse(word)
    assert compose(syl) == normalize_tone(word, "old")
    assert compose(syl, style="new") == normalize_tone(word, "new")
    assert strip_marks(compose(syl)) == strip_marks(word)


@pytest.mark.parametrize("case", case_params(load_cases(FILE, "invalid"), "word"))
def test_invalid(case):
    assert parse(case["word"]) is None
    assert not is_valid(case["word"])


@pytest.mark.parametrize("case", case_params(load_cases(FILE, "valid"), "word"))
def test_valid(case):
    assert is_valid(case["word"])


def test_parse_is_case_insensitive():
    assert parse("NGHIÊNG") == parse("Nghiêng") == parse("nghiêng")


def test_syllable_properties():
    syl = parse("khuỷu")
    assert syl.vowels == "uyu"
    assert syl.final_consonant == ""
    viet = parse("việt")
    assert viet.vowels == "iê"
    assert viet.final_consonant == "t"


def test_compose_from_parts():
    assert compose(Syllable("th", "u", "y", "", "hook")) == "thủy"
    assert compose(Syllable("th", "u", "y", "", "hook"), style="new") == "thuỷ"
    assert compose(Syllable("ng", "", "ươ", "i", "grave")) == "người"
    assert compose(Syllable("", "", "a", "", "")) == "a"


# --- tone placement ---------------------------------------------------------------------------
@pytest.mark.parametrize("case", case_params(load_cases(FILE, "tone_placement"), "word"))
def test_tone_placement(case):
    assert normalize_tone(case["word"]) == case["old"]
    assert normalize_tone(case["word"], "old") == case["old"]
    assert normalize_tone(case["word"], "new") == case["new"]


@pytest.mark.parametrize("case", case_params(load_cases(FILE, "tone_placement"), "word"))
def test_tone_placement_round_trip(case):
    assert normalize_tone(case["old"], "new") == case["new"]
    assert normalize_tone(case["new"], "old") == case["old"]


# --- marks ------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", case_params(load_cases(FILE, "strip_marks"), "text"))
def test_strip_marks(case):
    assert strip_marks(case["text"]) == case["expected"]


@pytest.mark.parametrize(
    ("letter", "expected"),
    [
        ("ệ", ("ê", "circumflex", "dot")),
        ("ằ", ("ă", "breve", "grave")),
        ("ữ", ("ư", "horn", "tilde")),
        ("á", ("a", "", "acute")),
        ("ơ", ("ơ", "horn", "")),
        ("a", ("a", "", "")),
    ],
)
def test_split_marks(letter, expected):
    assert split_marks(letter) == expected


@pytest.mark.parametrize(
    ("word", "without_tone", "tone"),
    [("Trường", "Trương", "grave"), ("ĐẢNG", "ĐANG", "hook"), ("nghĩa", "nghia", "tilde"),
     ("việt", "viêt", "dot"), ("có", "co", "acute"), ("ăn", "ăn", "")],
)
def test_remove_tone_and_tone_of(word, without_tone, tone):
    assert remove_tone(word) == without_tone
    assert tone_of(word) == tone


def test_has_marks():
    assert has_marks("đi")
    assert has_marks("ăn")
    assert has_marks("nghĩa")
    assert not has_marks("nghia")
    assert not has_marks("28-CT/TW")


# --- case -------------------------------------------------------------------------------------
@pytest.mark.parametrize("case", case_params(load_cases(FILE, "apply_case"), "pattern"))
def test_apply_case(case):
    assert apply_case(case["pattern"], case["word"]) == case["expected"]


# --- properties over the whole syllable inventory ------------------------------------------------
@pytest.fixture(scope="module")
def inventory(lexicon):
    return sorted(s for s in lexicon.vocab if not s.startswith("<"))


def test_every_lexicon_syllable_is_valid_and_canonical(inventory):
    """The shipped syllables are well formed and stored in the old tone style."""
    assert len(inventory) > 5000
    assert [s for s in inventory if parse(s) is None] == []
    assert [s for s in inventory if compose(parse(s)) != s] == []


def test_tone_styles_round_trip_over_the_inventory(inventory):
    for s in inventory:
        new = normalize_tone(s, "new")
        assert normalize_tone(new, "old") == s
        assert normalize_tone(s.upper(), "new") == new.upper()
        assert normalize_tone(s.capitalize(), "new") == new.capitalize()


SYLLABLES = st.sampled_from(
    ["người", "hòa", "hoà", "thủy", "thuỷ", "khỏe", "khoẻ", "quý", "già", "giữa", "nghiêng", "khuỷu",
     "xuân", "thuở", "hoặc", "khuya", "huỳnh", "quyển", "chuyện", "việt", "oai", "ừ", "đảng", "tóan",
     "qúy", "gìa", "hoa", "của", "mùa", "ngoẹo", "rượu", "ủy", "uỷ"]
)
CASES = st.sampled_from([str.lower, str.upper, str.capitalize])


@given(SYLLABLES, CASES, st.sampled_from(["old", "new"]))
def test_normalize_tone_properties(word, case, style):
    word = case(word)
    out = normalize_tone(word, style)
    assert normalize_tone(out, style) == out  # idempotent
    assert strip_marks(out) == strip_marks(word)  # same letters
    assert tone_of(out) == tone_of(word)  # same tone
    assert apply_case(word, out) == out  # same case
    assert parse(out) == parse(word)  # same syllable


@given(st.text(max_size=12))
def test_parse_and_normalize_tone_never_raise(text):
    syl = parse(text)
    if syl is not None:
        assert compose(syl)
    normalize_tone(text)
    strip_marks(text)
