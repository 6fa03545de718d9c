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

from .channel import LP_OTHER
from .fuzzy import FuzzyIndex
from .lexicon import UNK, Lexicon
from .lm import SPECIALS
from .syllable import has_marks, normalize_tone, parse, strip_marks
from .tokenize import OCR_SYMBOLS

NUM = SPECIALS.index("<num>")
# ln P(this exact spelling | some unknown word): the LM predicts the class <unk>, and
# one specific foreign word or name is one of thousands in it.
UNK_SPELLING = math.log(1 / 5000)
# ... and far fewer unknown words are spelled like OCR damage: a digit or an OCR symbol among
# lower-case letters (16i, ho1, tri€t), or marks on letters no Vietnamese syllable has (soéng).
IMPLAUSIBLE = math.log(1 / 100)
HOPELESS = 10.0  # nats below the best reading of a word
ACRONYM_LOGP = -6.0  # an all-caps word whose best syllable reads worse than this is an acronym


class Candidate(NamedTuple):
    """One reading of a token: LM id, lower-case text (old tone style), channel ln-probability."""

    lm_id: int
    text: str
    logp: float


Reading = tuple[int, str, float]  # a Candidate's fields, as the decoder reads them


# Symbols that are words in their own right, and the syllable the language model reads them as.
SYMBOL_READINGS = {"&": "và"}
# ln P(a lone & is an ampersand | text with OCR damage): in the training pairs it was 2 times in 69;
# the other 67 times OCR's reading of a short syllable, mostly "ở".
LITERAL_SYMBOL = math.log(2 / 69)


def keep_as_is(word: str, lex: Lexicon) -> Candidate:
    """The token read as itself: a known syllable keeps its LM id (``&`` reads as "và"),
    anything else is <unk>."""
    low = word.lower()
    canon = normalize_tone(low) if parse(low) else low
    return Candidate(lex.vocab.get(SYMBOL_READINGS.get(canon, canon), UNK), canon, 0.0)


def restore(word: str, lex: Lexicon) -> list[Candidate]:
    """Readings of a word whose marks may have been stripped: every known syllable it is
    written as without its marks (up to 30: ``bo`` is bộ, bố, bỏ, bò, ... and bợ in *tạm bợ*).

    A word that already carries valid marks is kept; an upper-case acronym
    that lost its Đ gets it back where clean text mostly writes it so (HDND → HĐND,
    but CD stays); an unknown word stays itself.

    >>> from vnfix.lexicon import default_lexicon
    >>> lex = default_lexicon()
    >>> [c.text for c in restore("HDND", lex)], restore("CD", lex)[0].text
    (['hđnd', 'hdnd'], 'cd')
    """
    low = word.lower()
    if has_marks(low):
        return [keep_as_is(word, lex)]  # (CẢ is cả, though CA is an acronym too)
    bucket = lex.by_stripped.get(low)
    if not bucket and word.isupper() and len(word) >= 2:
        # (Capitals that spell syllables are those syllables, the acronym among them: TU DO is
        # TỰ DO, TƯ only where the context says Trung ương; DA is da, dạ, đa, ...)
        acro = lex.acronyms.get(word)
        if acro is not None and acro != word:
            marks = lex.acronym_marks.get(acro)
            if marks is None or acro in lex.user_acronyms:
                return [keep_as_is(acro, lex)]
            # Clean text says how often the bare letters are this acronym with its Đ unwritten
            # (HĐND: 33 times in 36) or another one (CD for CĐ: 194 in 216).
            out = [keep_as_is(acro, lex)._replace(logp=marks),
                   keep_as_is(word, lex)._replace(logp=math.log1p(-math.exp(marks)))]
            return sorted(out, key=lambda c: -c.logp)
    if not bucket:
        return [keep_as_is(word, lex)]
    return [Candidate(lex.vocab.get(s, UNK), s, 0.0) for s, _ in bucket]


def is_clean(word: str, lex: Lexicon) -> bool:
    """True when ``word`` reads as itself: a known syllable, acronym or user word."""
    low = word.lower()
    if parse(low):
        return normalize_tone(low) in lex.vocab or low in lex.user_words
    return low in SYMBOL_READINGS or word.isupper() and word in lex.acronym_set


# OCR prints 0, 1, 3, 4 and 6 for letters (ô, l, ã, â, ố: lexicons/channel.tsv), never 2, 5 or 9:
# "5m" is five metres.
_DAMAGE_MARK = regex.compile(r"[01346" + OCR_SYMBOLS + r"]")


def implausible(word: str, low: str) -> bool:
    """A lower-case or Title-case word spelled the way OCR damages syllables, not the way words are written.

    >>> [implausible(w, w.lower()) for w in ("ho1", "Huyén", "huyện", "Huyen", "HUYÉN")]
    [True, True, False, False, False]
    """
    if not any(c.islower() for c in word):
        return False
    if _DAMAGE_MARK.search(word):
        return True
    return word[1:] == low[1:] and has_marks(low.replace("đ", "d")) and not parse(low)  # (a lone "đ" is a unit)


# How a reading's channel ln-probability depends on the damage rate r (see ``repair``):
AS_READ = 0  # c: the marks were never written, so any marked sibling is as likely as the word
READ = 1  # ln(1 - r) + c: the word was read right
MISREAD = 2  # ln r + c: the OCR channel rewrote it
EITHER = 3  # max of the two: the channel's best reading is the word itself

Term = tuple[int, str, int, float]  # lm id, text, one of the four kinds above, c


def repair_terms(word: str, lex: Lexicon, index: FuzzyIndex, limit: int, marked: bool) -> tuple[Term, ...]:
    """The readings ``repair`` weighs, before the damage rate is known (a word is met at many rates)."""
    asis = keep_as_is(word, lex)
    low = word.lower()
    out: dict[str, Term] = {}
    if not marked:
        for c in restore(word, lex):
            out[c.text] = (c.lm_id, c.text, AS_READ if c.text == asis.text or c.lm_id != UNK else READ, c.logp)
    matches = index.lookup(low, limit)
    if len(low) == 1 and "a" <= low <= "z":
        # A letter standing alone is that letter, or a syllable that holds it (b: bộ), or one the
        # channel learned it stands for (v: ý, g: ở); not any syllable one unknown rewrite away
        # ("điểm b khoản 3" is not "điểm a": of 1,665 lone letters in 12,000 synthetic lines, 14
        # stood for something without that letter, 6 of them g for ở).
        matches = [m for m in matches if low in strip_marks(m.syllable) or m.logp > LP_OTHER]
    vocab = lex.vocab
    for m in matches:
        if m.syllable not in out:
            out[m.syllable] = (vocab.get(m.syllable, UNK), m.syllable, EITHER if m.syllable == asis.text else MISREAD,
                               m.logp)
    shouting = word.isupper() and len(word) >= 2
    if marked and word in SYMBOL_READINGS:  # (among OCR damage, seldom the symbol it is)
        out[asis.text] = (asis.lm_id, asis.text, READ, LITERAL_SYMBOL)
    elif asis.text not in out and (marked or low not in lex.by_stripped):
        # (In unmarked text a word that some syllable spells unmarked is that syllable, not a foreign word.)
        # An unknown all-caps word far from any syllable is an acronym (VND, THCS), not a misreading;
        # so is a known one that spells no syllable (TT, VT in "TT HĐND", "Lưu: VT"), however near.
        acronym_like = shouting and (all(m.logp < ACRONYM_LOGP for m in matches)
                                     or word in lex.acronym_set and low not in lex.by_stripped)
        penalty = UNK_SPELLING if asis.lm_id == UNK and not acronym_like else 0.0
        if penalty and implausible(word, low):
            penalty += IMPLAUSIBLE
        out[asis.text] = (asis.lm_id, asis.text, READ, penalty)
    if shouting:
        acro = lex.acronyms.get(strip_marks(word))
        if acro is not None and acro.lower() not in out:
            # HDND for HĐND is OCR's doing in damaged text; VND in clean text is meant.
            kind, cost = (AS_READ if acro in lex.user_acronyms else MISREAD), 0.0
            marks = lex.acronym_marks.get(acro)
            bare = out.get(asis.text)
            if kind == MISREAD and marks is not None and bare is not None and bare[2] == READ:
                # Clean text says which the bare letters mostly are: HĐND typed without its marks
                # (HDND: 3 times in 36), or another abbreviation (CD for CĐ: 194 in 216). (Either
                # way a known abbreviation, not one unknown word among thousands: UNK_SPELLING goes.)
                cost = marks
                out[asis.text] = (bare[0], bare[1], READ, math.log1p(-math.exp(marks)))
            out[acro.lower()] = (keep_as_is(acro, lex).lm_id, acro.lower(), kind, cost)
    return tuple(out.values())


def weigh(terms: tuple[Term, ...], damage: float) -> tuple[Reading, ...]:
    """``terms`` as readings for a word in text where a share ``damage`` of words is misread.

    Plain tuples, not ``Candidate``s: the fixer remembers a great many of them, and the garbage
    collector leaves tuples of plain values alone.
    """
    lr, lk = math.log(damage), math.log1p(-damage)
    out: list[Reading] = []
    for lm_id, text, kind, c in terms:
        if kind == AS_READ:
            lp = c
        elif kind == READ:
            lp = lk + c
        elif kind == MISREAD:
            lp = lr + c
        else:
            lp = max(lk, lr + c)
        out.append((lm_id, text, lp))
    # Readings far less likely than the best one cannot win against any context; drop them.
    floor = max([r[2] for r in out]) - HOPELESS
    return tuple([r for r in out if r[2] >= floor])


def repair(word: str, lex: Lexicon, index: FuzzyIndex, limit: int, marked: bool, damage: float) -> list[Candidate]:
    """Readings of a word that OCR may have damaged in any way.

    The channel is a mixture: with probability ``1 - damage`` the word was read
    correctly, otherwise the learned OCR channel rewrote it. In a window where no
    word carries a mark (``marked`` false) the marks were simply never written,
    so every syllable with the same unmarked letters is as likely as the word itself.

    >>> from vnfix.fuzzy import default_index
    >>> from vnfix.lexicon import default_lexicon
    >>> repair("ctia", default_lexicon(), default_index(), 8, True, 0.3)[0].text
    'của'
    """
    return [Candidate(*r) for r in weigh(repair_terms(word, lex, index, limit, marked), damage)]
