"""Diacritic restoration: Vietnamese typed without marks gets its marks back.

Each case in data/restore.json is a real administrative or news sentence with
the marks stripped from its words (codes, numbers, URLs and e-mails are kept
as typed). ``modes`` says which repair modes restore it exactly:
``diacritics`` is ``Fixer(repair="diacritics")``, ``ocr`` is the default
``fix_text``. These are regression specifications: the current model gets every
one of them right, and must keep doing so.
"""

from __future__ import annotations

import pytest
from conftest import load_cases

from vnfix import Fixer, fix_text
from vnfix.syllable import normalize_tone, strip_marks
from vnfix.tokenize import tokenize

CASES = load_cases("restore.json")


def _params(mode):
    return [pytest.param(c, id=c["input"][:40]) for c in CASES if mode in c["modes"]]


@pytest.mark.parametrize("case", _params("diacritics"))
def test_restore_diacritics_mode(case):
    fixer = Fixer(repair="diacritics", **case.get("options", {}))
    assert fixer.fix_text(case["input"]) == case["expected"]


@pytest.mark.parametrize("threshold", [0.0, 0.5, 0.99])
@pytest.mark.parametrize("case", _params("diacritics"))
def test_restoring_marks_is_never_held_back_by_the_threshold(case, threshold):
    """Marks given to a word written without any are applied whatever the threshold (fix_text
    skips the confidence work that ``fix_and_explain`` reports): both give the expected text."""
    fixer = Fixer(repair="diacritics", threshold=threshold, **case.get("options", {}))
    assert fixer.fix_text(case["input"]) == fixer.fix_and_explain(case["input"]).text == case["expected"]


@pytest.mark.parametrize("text", ["mU", "mU*", "cO", "nGuoi ta", "Ong CHuong"])
def test_restoring_marks_in_odd_letter_case_is_never_held_back_either(text):
    # (found by the fuzzer: fix_and_explain held back mU -> mũ, whose case changes too, and fix_text did not)
    fixer = Fixer(repair="diacritics")
    assert fixer.fix_and_explain(text).text == fixer.fix_text(text) != text


@pytest.mark.parametrize("case", _params("ocr"))
def test_restore_default_fix_text(case):
    assert fix_text(case["input"], **case.get("options", {})) == case["expected"]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["input"][:40]) for c in CASES])
def test_restore_case_is_consistent(case):
    """Only marks are added: stripping them from the expected text gives the input back."""
    stripped = "".join(strip_marks(t.text) if t.kind == "word" else t.text for t in tokenize(case["expected"]))
    assert stripped == case["input"]


def test_enough_cases():
    assert len(CASES) >= 40
    assert sum("diacritics" in c["modes"] for c in CASES) >= 35
    assert sum("ocr" in c["modes"] for c in CASES) >= 35


# --- case, tone style and protected tokens --------------------------------------------------------
def test_all_caps_title_and_lower_case_are_kept():
    base = "cong hoa xa hoi chu nghia viet nam"
    out = fix_text(base)
    assert fix_text(base.upper()) == out.upper()
    assert fix_text(base.title()) == out.title()


def test_tone_style_new_writes_hoa_and_thuy_the_new_way():
    assert fix_text("hoa binh", tone_style="new") == "hoà bình"
    assert fix_text("thuy loi", tone_style="new") == "thuỷ lợi"
    assert fix_text("hoa binh") == "hòa bình"
    assert fix_text("thuy loi") == "thủy lợi"


def test_tone_style_changes_only_tone_placement():
    text = "Uy ban nhan dan tinh Khanh Hoa quyet dinh ve thuy loi"
    old = fix_text(text)
    new = fix_text(text, tone_style="new")
    assert [normalize_tone(w, "old") for w in new.split()] == old.split()


def test_words_that_already_carry_marks_are_kept_in_diacritics_mode():
    fixer = Fixer(repair="diacritics")
    # "Hoà" (new style) and the odd "tóan" already carry marks: the diacritics mode keeps them.
    assert fixer.fix_text("Hoà binh va tóan hoc") == "Hoà bình và tóan học"


@pytest.mark.parametrize(
    "protected",
    ["28-CT/TW", "121/2020/QH14", "224-KH/Th.U", "2021-2030", "25/12/2023", "0243.22.33.111",
     "https://vanban.chinhphu.vn/a?b=1", "vanthu@moj.gov.vn", "QH14", "H5N1", "15/2019/QD-UBND"],
)
@pytest.mark.parametrize("mode", ["diacritics", "ocr"])
def test_protected_tokens_unchanged(protected, mode):
    text = f"Theo van ban {protected} cua Bo Tu phap"
    out = Fixer(repair=mode).fix_text(text)
    assert f" {protected} " in out
    assert out.startswith("Theo văn bản ")
    assert out.endswith(" của Bộ Tư pháp")


@pytest.mark.parametrize("beam", [1, 2, 8])
def test_a_narrow_beam_still_keeps_every_reading_in_play(beam):
    """The many near-equal histories of one word (Chương, Chưởng, Chướng...) cannot crowd
    the next word's readings out of the beam: each reading keeps its best history."""
    fixer = Fixer(repair="diacritics", beam=beam)
    assert fixer.fix_text("Ong Chuong lung tung") == "Ông Chương lúng túng"
    assert fixer.fix_text("Hung sung sot nhan ra").split()[1:] == ["sửng", "sốt", "nhận", "ra"]  # (Hùng or Hưng)


@pytest.mark.parametrize("text", ["CẢ NƯỚC", "TỔ CHỨC CÁC HOẠT ĐỘNG", "yucA CẢ%", "HĐND TỈNH"])
def test_capitals_with_marks_stay_even_where_their_letters_spell_an_acronym(text):
    # (found by the fuzzer: CẢ became CA, the acronym of Công an, and a second pass restored CẢ)
    out = fix_text(text, repair="diacritics")
    assert out == text
    assert fix_text(out, repair="diacritics") == out


@pytest.mark.parametrize("text", ["m&m}=\x07&1\nDA\nu=mm=\x07}2&&\nDAr1&&PomDA\x17N\x07}1&&@o", "DA\nu va"])
def test_an_acronym_given_its_marks_is_context_as_the_next_pass_reads_it(text):
    # (found by the fuzzer: DA became ĐA, read as an unknown word; a second pass read it as the
    # syllable đa, and the word after it changed)
    out = fix_text(text, repair="diacritics")
    assert fix_text(out, repair="diacritics") == out


@pytest.mark.parametrize(("text", "expected"), [("Ông ấy nói DIEU này", "Ông ấy nói ĐIỀU này"),
                                                ("người PANG 28-CT/TW", "người PĂNG 28-CT/TW")])
def test_restoring_marks_keeps_typed_capitals_beside_marked_words(text, expected):
    # (found by Hypothesis: the OCR letter-case rule had made PANG "Păng" when restoring marks)
    assert Fixer(repair="diacritics").fix_text(text) == expected


# --- everyday writing -------------------------------------------------------------------------------
def test_every_syllable_a_word_spells_unmarked_is_a_reading():
    from vnfix.candidates import restore
    from vnfix.lexicon import default_lexicon

    lex = default_lexicon()
    readings = [c.text for c in restore("bo", lex)]
    assert len(readings) == len(lex.by_stripped["bo"]) > 8
    assert "bợ" in readings  # (the 15th commonest: tạm bợ, nịnh bợ)


@pytest.mark.parametrize("everyday, formal", [("tôi", "tới"), ("lắm", "làm"), ("mình", "minh"), ("hỏi", "hội")])
def test_everyday_writing_favours_the_syllables_people_write(everyday, formal):
    from vnfix.lexicon import default_lexicon

    lex = default_lexicon()
    assert lex.everyday[lex.vocab[everyday]] > lex.everyday[lex.vocab[formal]] + 0.3


def test_the_lean_to_everyday_writing_is_for_restoring_marks_only():
    # OCR repair reads official documents: there the model's own frequencies stand, and every
    # syllable a word spells without marks is as likely as the word (no lean).
    from vnfix.candidates import AS_READ, repair_terms
    from vnfix.fuzzy import default_index
    from vnfix.lexicon import default_lexicon

    terms = repair_terms("lam", default_lexicon(), default_index(), 12, False)
    assert {c for _, text, kind, c in terms if kind == AS_READ} == {0.0} and "lắm" in {t[1] for t in terms}
    assert Fixer(repair="diacritics").fix_text("Toi nho me lam.") == "Tôi nhớ mẹ lắm."


def test_a_lexicon_without_everyday_counts_leans_nowhere(tmp_path):
    import shutil

    from vnfix.lexicon import Lexicon, lexicon_dir

    for name in ("words.txt", "acronyms.txt", "lm.bin"):
        shutil.copy(lexicon_dir() / name, tmp_path)
    rows = (lexicon_dir() / "syllables.tsv").read_text(encoding="utf-8").splitlines()
    (tmp_path / "syllables.tsv").write_text("".join("\t".join(r.split("\t")[:4]) + "\n" for r in rows),
                                           encoding="utf-8")
    lex = Lexicon.load(tmp_path)
    assert set(lex.everyday) == {0.0} and len(lex.everyday) == len(lex.vocab)
