"""Measures: CER and WER of a repaired text against gold, blind to tone placement.

Words are whitespace tokens; each is compared after NFC and moving its tone
mark to a trailing digit, so ``hòa`` and ``hoà`` count as the same word — the
convention of the project's official scorer.

>>> m = measure(["Hòa bình"], ["Hoà binh"])
>>> m.words, m.word_errors, round(m.wer, 2)
(2, 1, 0.5)
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from rapidfuzz.distance import Levenshtein

_TONE_MARKS = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}


def canonical_word(word: str) -> str:
    """``word`` with its tone as a trailing digit: ``hòa`` and ``hoà`` → ``hoa2``.

    Exactly the official scorer's convention (plain Unicode NFC, no lookalike folding).
    """
    tone = ""
    kept = []
    for ch in unicodedata.normalize("NFD", word):
        if ch in _TONE_MARKS:
            tone = _TONE_MARKS[ch]
        else:
            kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept)) + tone


@dataclass(frozen=True)
class Measures:
    """Error counts and rates of one comparison."""

    cer: float
    wer: float
    chars: int
    char_errors: int
    words: int
    word_errors: int

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def measure(gold: Sequence[str], hyp: Sequence[str]) -> Measures:
    """Compare line-aligned texts (lists of lines of equal length)."""
    if len(gold) != len(hyp):
        raise ValueError(f"line counts differ: gold {len(gold)}, hyp {len(hyp)}")
    ce = cn = we = wn = 0
    for g, h in zip(gold, hyp):
        gw = [canonical_word(w) for w in g.split()]
        hw = [canonical_word(w) for w in h.split()]
        we += Levenshtein.distance(gw, hw)
        wn += len(gw)
        gs, hs = " ".join(gw), " ".join(hw)
        ce += Levenshtein.distance(gs, hs)
        cn += len(gs)
    return Measures(ce / max(cn, 1), we / max(wn, 1), cn, ce, wn, we)
