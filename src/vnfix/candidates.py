"""Candidates: the syllables a word token may stand for, each with a channel log-probability.

Two sources feed the lattice. Diacritic restoration proposes every known syllable
that shares the token's unmarked form (``nguoi`` → người, ngươi, ...). OCR repair
(``vnfix.fuzzy``) proposes syllables within a learned edit distance of a damaged
token (``ctia`` → của). The decoder then lets the language model choose.

>>> from vnfix.lexicon import default_lexicon
>>> [c.text for c in restore("Duong", default_lexicon())][:2]
['đường', 'dương']
"""

from __future__ import annotations

import math
from typing import NamedTuple

import regex

from .fuzzy import FuzzyIndex
from .lexicon import Lexicon
from .lm import SPECIALS
from .syllable import has_marks, normalize_tone, parse, strip_marks
from .tokenize import OCR_SYMBOLS

UNK = SPECIALS.index("<unk>")
NUM = SPECIALS.index("<num>")
# ln P(this exact spelling | some unknown word): the LM predicts the class <unk>, and
# one specific foreign word or name is one of thousands in it.
UNK_SPELLING = math.log(1 / 5000)
# ... and far fewer unknown words are spelled like OCR damage: a digit or an OCR symbol among
# lower-case letters (16i, ho1, tri€t), or marks on letters no Vietnamese syllable has (soéng).
IMPLAUSIBLE = math.log(1 / 10)
HOPELESS = 10.0  # nats below the best reading of a word
ACRONYM_LOGP = -6.0  # an all-caps word whose best syllable reads worse than this is an acronym


class Candidate(NamedTuple):
    """One reading of a token: LM id, lower-case text (old tone style), channel ln-probability."""

    lm_id: int
    text: str
    logp: float


def keep_as_is(word: str, lex: Lexicon) -> Candidate:
    """The token read as itself: a known syllable keeps its LM id, anything else is <unk>."""
    low = word.lower()
    canon = normalize_tone(low) if parse(low) else low
    return Candidate(lex.vocab.get(canon, UNK), canon, 0.0)


def restore(word: str, lex: Lexicon, limit: int = 8) -> list[Candidate]:
    """Readings of a word whose marks may have been stripped.

    A word that already carries valid marks is kept; an upper-case acronym
    that lost its Đ gets it back (HDND → HĐND); an unknown word stays itself.
    """
    if word.isupper() and len(word) >= 2:
        acro = lex.acronyms.get(strip_marks(word))
        if acro is not None and acro != word:
            return [Candidate(UNK, acro.lower(), 0.0)]
    low = word.lower()
    if has_marks(low):
        return [keep_as_is(word, lex)]
    bucket = lex.by_stripped.get(low)
    if not bucket:
        return [keep_as_is(word, lex)]
    return [Candidate(lex.vocab.get(s, UNK), s, 0.0) for s, _ in bucket[:limit]]


def is_clean(word: str, lex: Lexicon) -> bool:
    """True when ``word`` reads as itself: a known syllable, acronym or user word."""
    low = word.lower()
    if parse(low):
        return normalize_tone(low) in lex.vocab or low in lex.user_words
    return word.isupper() and word in lex.acronyms.values()


_DAMAGE_MARK = regex.compile(r"[\d" + OCR_SYMBOLS + r"]")


def _implausible(word: str, low: str) -> bool:
    """A lower-case word spelled the way OCR damages syllables, not the way words are written."""
    if not any(c.islower() for c in word):
        return False
    if _DAMAGE_MARK.search(word):
        return True
    return word == low and has_marks(low.replace("đ", "d")) and not parse(low)  # (a lone "đ" is a unit)


def repair(word: str, lex: Lexicon, index: FuzzyIndex, limit: int, marked: bool, damage: float) -> list[Candidate]:
    """Readings of a word that OCR may have damaged in any way.

    The channel is a mixture: with probability ``1 - damage`` the word was read
    correctly, otherwise the learned OCR channel rewrote it. In a window where no
    word carries a mark (``marked`` false) the marks were simply never written,
    so every syllable with the same unmarked letters is as likely as the word itself.
    """
    asis = keep_as_is(word, lex)
    low = word.lower()
    lr, lk = math.log(damage), math.log1p(-damage)
    out: dict[str, Candidate] = {}
    if not marked:
        for c in restore(word, lex, limit):
            out[c.text] = c._replace(logp=0.0 if c.text == asis.text or c.lm_id != UNK else lk)
    matches = index.lookup(low, limit)
    for m in matches:
        if m.syllable in out:
            continue
        lp = lr + m.logp
        if m.syllable == asis.text:
            lp = max(lk, lp)
        out[m.syllable] = Candidate(lex.vocab.get(m.syllable, UNK), m.syllable, lp)
    # In unmarked text a word that some syllable spells unmarked is that syllable, not a foreign word.
    shouting = word.isupper() and len(word) >= 2
    if asis.text not in out and (marked or low not in lex.by_stripped):
        # An unknown all-caps word far from any syllable is an acronym (VND, THCS), not a misreading.
        acronym_like = shouting and all(m.logp < ACRONYM_LOGP for m in matches)
        penalty = UNK_SPELLING if asis.lm_id == UNK and not acronym_like else 0.0
        if penalty and _implausible(word, low):
            penalty += IMPLAUSIBLE
        out[asis.text] = asis._replace(logp=lk + penalty)
    if shouting:
        acro = lex.acronyms.get(strip_marks(word))
        if acro is not None and acro.lower() not in out:
            # HDND for HĐND is OCR's doing in damaged text; VND in clean text is meant.
            out[acro.lower()] = Candidate(UNK, acro.lower(), 0.0 if acro in lex.user_acronyms else lr)
    # Readings far less likely than the best one cannot win against any context; drop them.
    best = max(c.logp for c in out.values())
    return [c for c in out.values() if c.logp >= best - HOPELESS]
