"""CER and WER of a repaired text against gold, blind to tone placement.

vnfix.metrics.measure must agree with the project's official scorer,
shared/tools/score.py, which the test runs as a subprocess on the same lines.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from vnfix.metrics import Measures, canonical_word, measure
from vnfix.syllable import normalize_tone, strip_marks

SCORE_PY = Path(__file__).resolve().parents[2] / "shared" / "tools" / "score.py"
needs_scorer = pytest.mark.skipif(not SCORE_PY.exists(), reason=f"official scorer not found at {SCORE_PY}")


# --- small examples ---------------------------------------------------------------------------------
def test_docstring_example():
    m = measure(["Hòa bình"], ["Hoà binh"])
    assert (m.words, m.word_errors, m.wer) == (2, 1, 0.5)


def test_tone_placement_does_not_count():
    m = measure(["Hòa thủy khỏe ủy"], ["Hoà thuỷ khoẻ uỷ"])
    assert (m.word_errors, m.char_errors, m.wer, m.cer) == (0, 0, 0.0, 0.0)


def test_unicode_form_does_not_count():
    gold = "Cộng hòa xã hội chủ nghĩa Việt Nam"
    m = measure([gold], [unicodedata.normalize("NFD", gold)])
    assert (m.word_errors, m.char_errors) == (0, 0)


def test_a_wrong_tone_counts_once():
    m = measure(["của"], ["cua"])
    # canonical forms: 'cua3' and 'cua'
    assert (m.words, m.word_errors, m.chars, m.char_errors) == (1, 1, 4, 1)
    assert m.cer == 0.25


def test_insertions_and_deletions():
    m = measure(["một hai ba bốn"], ["một ba bốn năm"])
    assert (m.words, m.word_errors) == (4, 2)


def test_whitespace_between_words_does_not_count():
    m = measure(["Việt  Nam\t2024"], [" Việt Nam 2024 "])
    assert (m.word_errors, m.char_errors) == (0, 0)


def test_several_lines_add_up():
    m = measure(["Hà Nội", "Việt Nam", ""], ["Ha Noi", "Việt Nam", ""])
    assert (m.words, m.word_errors) == (4, 2)
    assert m.wer == 0.5


def test_empty_input():
    assert measure([], []) == Measures(0.0, 0.0, 0, 0, 0, 0)
    m = measure([""], ["thêm"])
    assert (m.words, m.word_errors, m.wer) == (0, 1, 1.0)  # rates never divide by zero


def test_line_counts_must_match():
    with pytest.raises(ValueError, match="line counts differ"):
        measure(["a", "b"], ["a"])


def test_as_dict():
    d = measure(["Hòa bình"], ["Hoà binh"]).as_dict()
    assert set(d) == {"cer", "wer", "chars", "char_errors", "words", "word_errors"}
    assert json.loads(json.dumps(d)) == d


@pytest.mark.parametrize(
    ("word", "canonical"),
    [("hòa", "hoa2"), ("hoà", "hoa2"), ("Thủy", "Thuy3"), ("thuỷ", "thuy3"), ("người", "ngươi2"), ("việt", "viêt5"),
     ("có", "co1"), ("nghĩa", "nghia4"), ("an", "an"), ("28-CT/TW", "28-CT/TW")],
)
def test_canonical_word(word, canonical):
    assert canonical_word(word) == canonical


@given(st.lists(st.sampled_from(["Hòa", "bình", "người", "Việt", "Nam", "28-CT/TW", "của", "thuỷ", ""]), max_size=6)
       .map(" ".join))
def test_a_text_has_no_errors_against_itself(line):
    m = measure([line], [line])
    assert (m.word_errors, m.char_errors) == (0, 0)


# --- agreement with the official scorer --------------------------------------------------------------
WORDS = ["Cộng", "hòa", "hoà", "xã", "hội", "chủ", "nghĩa", "Việt", "Nam", "Thủy", "thuỷ", "khỏe", "khoẻ", "người",
         "của", "số", "28-CT/TW", "Bộ", "Chính", "trị", "quý", "Ủy", "uỷ", "ban", "nhân", "dân", "2024", "điều",
         "được", "(HĐND)", "là", "và", "s6", "ctia", "B6", "x&", "Hi€u", "English", "中文"]


def _damage(word: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:
        return strip_marks(word)
    if roll < 0.25:
        return normalize_tone(word, "new")
    if roll < 0.3:
        return unicodedata.normalize("NFD", word)
    if roll < 0.35:
        return word.upper()
    return word


def _sample_pairs(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    gold, hyp = [], []
    for _ in range(n):
        words = [rng.choice(WORDS) for _ in range(rng.randint(0, 12))]
        out = [_damage(w, rng) for w in words]
        if out and rng.random() < 0.2:
            del out[rng.randrange(len(out))]
        if rng.random() < 0.2:
            out.insert(rng.randint(0, len(out)), rng.choice(WORDS))
        gold.append(" ".join(words))
        hyp.append("  ".join(out) if rng.random() < 0.1 else " ".join(out))
    return gold, hyp


def _official(tmp_path: Path, gold: list[str], hyp: list[str]) -> dict:
    (tmp_path / "gold.txt").write_text("\n".join(gold) + "\n", encoding="utf-8")
    (tmp_path / "hyp.txt").write_text("\n".join(hyp) + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(SCORE_PY), "gold.txt", "hyp.txt", "--json"], cwd=tmp_path,
                          capture_output=True, text=True, check=True, timeout=60)
    return json.loads(proc.stdout)["hyp"]


def _assert_agree(m: Measures, ref: dict) -> None:
    assert (m.chars, m.words) == (ref["chars"], ref["words"])
    assert m.cer == pytest.approx(ref["cer"], abs=1e-12)
    assert m.wer == pytest.approx(ref["wer"], abs=1e-12)


@needs_scorer
@pytest.mark.parametrize(
    ("gold", "hyp"),
    [
        (["Hòa bình"], ["Hoà binh"]),
        (["Chỉ thị số 28-CT/TW của Bộ Chính trị"], ["Chi thi s6 28-CT/TW ctia B6 Chinh tri"]),
        (["Ủy ban nhân dân", "Thủy lợi", ""], ["Uỷ ban nhân dân", "Thuỷ lợi", ""]),
        (["Cộng hòa xã hội chủ nghĩa Việt Nam"], [unicodedata.normalize("NFD", "Cộng hoà xã hội chủ nghĩa Việt Nam")]),
        (["một hai ba bốn"], ["một ba bốn năm"]),
    ],
)
def test_agrees_with_score_py_on_examples(tmp_path, gold, hyp):
    _assert_agree(measure(gold, hyp), _official(tmp_path, gold, hyp))


@needs_scorer
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_score_py_on_a_random_sample(tmp_path, seed):
    gold, hyp = _sample_pairs(150, seed)
    _assert_agree(measure(gold, hyp), _official(tmp_path, gold, hyp))


@needs_scorer
def test_cli_eval_agrees_with_score_py(tmp_path):
    gold, hyp = _sample_pairs(60, 4)
    ref = _official(tmp_path, gold, hyp)
    vnfix = Path(sys.executable).with_name("vnfix")
    proc = subprocess.run([str(vnfix), "eval", "--json", "gold.txt", "hyp.txt"], cwd=tmp_path, capture_output=True,
                          text=True, check=True, timeout=60)
    _assert_agree(Measures(**json.loads(proc.stdout)), ref)


@needs_scorer
def test_agrees_with_score_py_on_lookalike_letters(tmp_path):
    gold, hyp = ["Điều 5"], ["Ðiều 5"]
    _assert_agree(measure(gold, hyp), _official(tmp_path, gold, hyp))
