"""The pipeline: normalise → tokenize → candidates → decode → render.

A ``Fixer`` holds a configuration and the lexicons it needs; it is reusable and
thread-safe (its caches are plain dicts, written idempotently). Text is processed
line by line, and decoding windows end at punctuation, blank lines or after
``MAX_WINDOW`` words, so streaming a file gives exactly the output of fixing it
whole, in bounded memory.

Fixing is idempotent by design: the lines up to a line that ends a window form a
block, and a block that changed is fixed again until it no longer changes. (What a
line says about its words, e.g. whether it has marks at all, changes once its
words are repaired; a second pass must find nothing left to do.)

>>> fixer = Fixer(Config(repair="diacritics"))
>>> fixer.fix_text("Cong hoa xa hoi chu nghia Viet Nam")
'Cộng hòa xã hội chủ nghĩa Việt Nam'
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import regex

from .candidates import (
    NUM,
    UNK,
    Candidate,
    Reading,
    Term,
    implausible,
    is_clean,
    keep_as_is,
    repair_terms,
    restore,
    weigh,
)
from .channel import misread_capital
from .codes import restore_code
from .config import Config
from .decode import posteriors, viterbi
from .fuzzy import FuzzyIndex, build_index, default_capitals, default_channel, default_index
from .lexicon import Lexicon, acronym_key, default_lexicon
from .normalise import normalise
from .render import render
from .syllable import normalize_tone, parse, strip_marks
from .tokenize import Token, new_token, tokenize

_Row = Sequence[Reading]  # one word's readings in a lattice (Candidates, or plain tuples: see weigh)

MAX_WINDOW = 200  # words; bounds memory and latency on text without punctuation
MAX_ROUNDS = 4  # decodings of one window, at most, on the way to a fixed point
# Passes over one block on the way to a fixed point: at least MIN_PASSES, and one more per line of
# the block (a line given marks makes its window "marked", which can change the line before it,
# and so on up the block), up to MAX_PASSES.
MIN_PASSES = 4
MAX_PASSES = 64
BLOCK_CHARS = 64 * 1024  # a longer block (text without punctuation) is streamed in one pass
# Window damage rates are rounded to the nearest of these steps, so that candidate lists can be memoised.
DAMAGE_STEPS = (0.01, 0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
CLEAN_WINDOW = 0.05
FOREIGN_SHARE = 0.3  # a line where this share of words no syllable spells may be foreign ...
ALIEN_SHARE = 0.5  # ... and is when this share is, or when it has an English function word (below)
# Below half, the words no syllable spells are as often foreign names in Vietnamese text (Kid Auto
# Races at Venice) or heavily misread syllables (phuotng, thayen) as English.
ENGLISH = frozenset(
    "about and are been by could did does for from had has have her his into its must not of or our "
    "she shall should that the their there these they this those was we were what when where which "
    "who will with would you your".split())
SUSPICIOUS_RATIO = 10  # how much commoner the marked sibling must be
# A line's damage rate, before its words are counted, is LINE_START, as if LINE_WORDS words had
# said so: on a scanned page a short line of known words (- So Y té) is misread as often as any.
LINE_START = 1 / 3
LINE_WORDS = 3.0
LINE_PRIOR = 3.0  # weight, in words, of the line's damage rate in a window's estimate
ALIEN_LOGP = -6.0  # channel ln-probability below which a word is not a misread syllable
CASE_WEIGHT = 1.0
# How far restoring marks leans to everyday syllable frequencies (Lexicon.everyday): chosen on
# UD VTB dev with that file left out of the model (0 -> 0.3: 7.78% -> 7.55% WER, 0.5: 7.51%);
# OCR repair keeps the model's own, which suit official documents.
EVERYDAY_WEIGHT = 0.3


def _case_evidence(word: str, position: int) -> bool | None:
    """True for a Title-case word inside a sentence, False for a lower-case one, None otherwise.

    Case says something the lower-cased language model cannot: in mid-sentence
    "Tùng" is a name and "từng" is not. ``position`` 0 is a sentence's first word (a
    window's, unless the window follows a comma); there, and in ALL CAPS, case says nothing.
    """
    if position == 0 or not word[:1].isalpha():
        return None
    if word.islower():
        return False
    if word[0].isupper() and (len(word) == 1 or word[1:].islower()):
        return True
    return None


def _with_case(readings: _Row, lex: Lexicon, case: bool | None) -> _Row:
    if case is None or len(readings) < 2:
        return readings
    return tuple([(i, text, lp + CASE_WEIGHT * lex.case_logp(i, case)) for i, text, lp in readings])


def _looks_damaged(word: str, clean: bool, lex: Lexicon) -> bool:
    """A digit or symbol inside a word, or a lower-case word that is no known syllable.

    Capitalised unknown words are names or acronyms (Princeton, THCS), not evidence of misreading.
    ``clean`` is ``is_clean(word, lex)``, which the caller has already worked out.
    """
    if _OCR_MARK.search(word) and not word.isalpha():
        return True
    if not clean:
        return word.islower()
    # An unmarked syllable whose marked sibling is much commoner (cau/cầu, Ha/Hà) is what OCR makes of it.
    low = word.lower()
    bucket = lex.by_stripped.get(low) if low.isascii() else None
    if not bucket or bucket[0][0] == low:
        return False
    own = next((n for s, n in bucket if s == low), 0)
    return bucket[0][1] >= SUSPICIOUS_RATIO * (own + 1)


_DASHES = frozenset("-–—")  # after a space, punctuation that does not end a window
_MID_SENTENCE = frozenset(",;")  # punctuation after which a sentence goes on
_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")  # what str.splitlines() breaks at


def _ends_window(line: str, whole: bool = True) -> bool:
    r"""True when the decoder never carries context past the end of ``line``.

    ``line`` may also be a piece of an overlong line (``textio.read_lines`` with
    ``max_line`` hands those out cut before a space); ``whole`` says that it starts
    a line (the item before it ended with a line break). Only a whole blank line
    ends a paragraph: blanks at the end of a piece, or before the break of a line
    whose start came in an earlier piece, do not.

    >>> _ends_window("Dieu 1.\n"), _ends_window("Ha Noi\n"), _ends_window("  \n"), _ends_window("  \n", whole=False)
    (True, False, True, False)
    """
    body = line.rstrip()
    if not body:
        return whole and line[-1:] in _BREAKS
    start = len(body)
    while start and not body[start - 1].isspace():
        start -= 1
    if body[start:].isalpha():  # (a word: most lines end so)
        return False
    piece = tokenize(body[start:])  # the last run of non-blanks
    if len(piece) == 1 and piece[0].text in _DASHES:
        return False  # a dash after a blank does not end a window (see Fixer._pass)
    return piece[-1].kind in ("punct", "url", "email")


# An English OCR engine prints the horn of ư and ơ as a mark after or inside the word: "giữ"
# comes out "git?", "cơ" "co’", "thực" "thu’c". In Tesseract's reading of the first 12,000
# synthetic lines, 738 of the 746 words that _glued_marks reads with their mark were a syllable
# with ư or ơ. It prints an ơ as "@" too (ngu@i: người, s@: sở; a lone @: ở): of the 323 words
# with an @ in those lines, 289 had ơ, the rest another marked vowel (H@i: Hội). (E-mail
# addresses are tokens of their own, and an @ next to digits or a long word is left alone.)
# Inside a word whose marks are lost, ‘ % ® : * stand for a horn too (nu‘c, ngu%i, chu:c: 15
# of 15 in those lines and page 001).
NO_HORN = -4.52  # ln(8 / 738): a word with such a mark read as a syllable without a horn
_MARKS = frozenset("?’'@")  # after a word or inside it
_MARKS_INSIDE = frozenset("‘%®:*")  # inside a word only
_GLUED_MARKS = _MARKS | _MARKS_INSIDE
_HORN_MARKS = frozenset("?’'")
_GLUED = regex.compile("[" + regex.escape("".join(sorted(_GLUED_MARKS))) + "]")
_HORN_MARK = regex.compile("[" + regex.escape("".join(sorted(_GLUED_MARKS - {"@"}))) + "]")  # (@ is ơ itself)
_HORN = regex.compile("[ươƯƠ]")  # (NFC: the toned ones are other code points)
_HORNED = regex.compile("[ưứừửữựơớờởỡợƯỨỪỬỮỰƠỚỜỞỠỢ]")
_CLAUSE_END = frozenset(",;:.")
_SYLLABLE_ENDS = frozenset("aăâeêioôơuưyáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵcghmnpt")


def _as_read(word: str) -> str:
    """A word read with OCR's marks in it (see _glued_marks) as the fuzzy matcher is to see it."""
    return _HORN_MARK.sub("", word.replace("@", "ơ"))


def _misspelt(word: str) -> bool:
    """A word no one writes (tiém: marks no syllable has; ho1: a digit among letters), so that
    keeping it is surely wrong, whatever the doubt between its readings. Only in lower case: a
    capital starts a name (Lêô), and a letter alone is a letter (the vowel â); a word that starts
    with a digit is mostly a number with its unit (4m, 15km)."""
    return len(word) > 1 and word.islower() and not word[0].isdigit() and implausible(word, word)


def _whole(word: str) -> bool:
    """A syllable with its marks, as written (tổ, già): no OCR print of a horn belongs to it."""
    return not word.isascii() and parse(word.lower()) is not None


def _ends_clause(tokens: list[Token], j: int) -> bool:
    """Whether ``tokens[j]`` is a comma, semicolon, colon or full stop before a space or the line's end."""
    return tokens[j].text in _CLAUSE_END and (j + 1 == len(tokens) or tokens[j + 1].kind in ("space", "newline"))


def _lone_at(tokens: list[Token], i: int) -> bool:
    """Whether the ``@`` at ``i`` stands after a word, before another word, the line's end, or a
    comma, semicolon, colon or full stop that ends a clause (``nhà @`` is nhà ở)."""
    n = len(tokens)
    if i < 2 or tokens[i - 1].kind != "space" or tokens[i - 2].kind != "word":
        return False
    if i == n - 1 or tokens[i + 1].kind == "newline" or _ends_clause(tokens, i + 1):
        return True
    return i < n - 2 and tokens[i + 1].kind == "space" and tokens[i + 2].kind == "word"


def _glued_marks(line: str, tokens: list[Token], marked: bool = False) -> list[Token]:
    """``tokens`` with each word whose glued ``?`` ``’`` ``'`` or ``@`` is OCR's print of a marked
    letter read as one word ("git?", "thu’c", "ngu@i", a lone "@").

    After a word, the mark must stand before more words or numbers of its line, or before a comma,
    semicolon, colon or full stop. A ``?`` before a capital ends a question in text typed without
    marks; in a ``marked`` line (OCR output) it is a horn there too ("Căn ct? Luật", "thi? Hai"),
    unless the word before it is a syllable with its marks ("tổ?"). At a line's end it stays a
    question mark: blocks are cut there before anything is read, and a horn read there would move
    the cut on a second pass. (A word read right keeps its readings, so "đâu?" stays; the mark is
    read with it all the same, so that where it stays, the next pass reads the line as this one
    did.) Inside a word, its two parts are as short as a syllable's, the first is no syllable
    with its marks, and the second ends as one can (not "Queen's", "admin@localhost", "già?tô").
    A ``’`` or ``'`` closes no quote opened before it; a lone ``@`` follows a word (see
    _lone_at); and no ``@`` is read with a word joined to what stands before it (the end of a
    code, ``ND-CP@``, which _as_written keeps: fuzzing found it read as "Cao").

    >>> [t.text for t in _glued_marks("ci? vào co’ quan", tokenize("ci? vào co’ quan"))]
    ['ci?', ' ', 'vào', ' ', 'co’', ' ', 'quan']
    >>> [t.text for t in _glued_marks("Ai dau? Toi dau? roi", tokenize("Ai dau? Toi dau? roi"))]
    ['Ai', ' ', 'dau', '?', ' ', 'Toi', ' ', 'dau?', ' ', 'roi']
    >>> [t.text for t in _glued_marks("Căn ct? Luật", tokenize("Căn ct? Luật"), marked=True)]
    ['Căn', ' ', 'ct?', ' ', 'Luật']
    >>> [t.text for t in _glued_marks("Ban tổ? Tổ", tokenize("Ban tổ? Tổ"), marked=True)]
    ['Ban', ' ', 'tổ', '?', ' ', 'Tổ']
    >>> [t.text for t in _glued_marks("thu’c hiện Queen's", tokenize("thu’c hiện Queen's"))]
    ['thu’c', ' ', 'hiện', ' ', 'Queen', "'", 's']
    >>> [t.text for t in _glued_marks("ngu@i @ nhà, @user", tokenize("ngu@i @ nhà, @user"))]
    ['ngu@i', ' ', '@', ' ', 'nhà', ',', ' ', '@', 'user']
    >>> [t.kind for t in _glued_marks("nhà @. Có @", tokenize("nhà @. Có @")) if t.text == "@"]
    ['word', 'word']
    >>> [t.text for t in _glued_marks("56/2017/ND-CP@ duong", tokenize("56/2017/ND-CP@ duong"))][2:4]
    ['CP', '@']
    """
    n = len(tokens)
    spans: list[tuple[int, int]] = []  # (first, last) token of each word to read whole
    for i in range(n):
        tok = tokens[i]
        if spans and spans[-1][1] >= i:
            continue
        if tok.text == "@" and _lone_at(tokens, i):
            spans.append((i, i))
            continue
        if i == n - 1:
            break
        mark = tokens[i + 1]
        if mark.start != tok.end or tok.kind != "word" or mark.text not in _GLUED_MARKS:
            continue
        if mark.text == "@" and i > 0 and tokens[i - 1].text in _JOINERS and tokens[i - 1].end == tok.start:
            continue  # (the end of a code or address, 56/2017/ND-CP@, whose word _as_written keeps)
        before = line[:mark.start]
        if mark.text in "’'" and ("‘" in before or regex.search(r"(?:^|\s)'", before)):
            continue  # (it may close a quote)
        rest = tokens[i + 2] if i + 2 < n else None
        if rest is not None and rest.kind == "word" and rest.start == mark.end:
            after = tokens[i + 3] if i + 3 < n else None
            if (len(tok.text) <= 5 and len(rest.text) <= 3 and rest.text[-1].lower() in _SYLLABLE_ENDS
                    and (after is None or after.kind in ("space", "newline", "punct") and after.text != "@")
                    and (mark.text in _MARKS and not _whole(tok.text) or tok.text.isascii())):
                # (‘ % ® : *: not after "dụ"; nor any after a whole syllable with marks, "già?tô":
                # 1 of 1,025 such in 30,000 synthetic OCR lines)
                spans.append((i, i + 2))
            continue
        if mark.text not in _MARKS:
            continue
        if rest is not None and rest.text in _CLAUSE_END:
            # "git’," "ci?,": no quote or question closes so (28 of 28 had ư or ơ)
            if _ends_clause(tokens, i + 2):
                spans.append((i, i + 1))
            continue
        nxt = tokens[i + 3] if i + 3 < n and rest is not None and rest.kind == "space" else None
        if nxt is None or nxt.kind not in ("word", "number", "code"):
            continue  # (at a line's end a ? ends its window, and blocks are cut there: see _blocks)
        # Before a capital, where a question may end, a ? is a horn only in OCR output, and only
        # after a word that is no syllable with its marks as read ("ct?", "thi?"; not "tổ?").
        if (mark.text == "?" and (not marked or _whole(tok.text))
                and not (nxt.kind == "word" and nxt.text[:1].islower())):
            continue
        spans.append((i, i + 1))
    if not spans:
        return tokens
    out: list[Token] = []
    i = k = 0
    while i < n:
        if k < len(spans) and spans[k][0] == i:
            first, last = spans[k]
            out.append(new_token(("".join(t.text for t in tokens[first:last + 1]), "word", tokens[first].start)))
            i, k = last + 1, k + 1
        else:
            out.append(tokens[i])
            i += 1
    return out


def _clause_letter(tokens: list[Token]) -> int | None:
    """Where the letter that numbers a clause at the start of a line stands (``b)``, ``(đ)``), if any."""
    i = 0
    while i < len(tokens) and tokens[i].kind == "space":
        i += 1
    if i < len(tokens) and tokens[i].text == "(":
        i += 1
    if i + 1 < len(tokens) and tokens[i].kind == "word" and len(tokens[i].text) == 1 and tokens[i + 1].text[:1] == ")":
        return i
    return None


_ROMAN = regex.compile(r"(?=[IVX]{2})X{0,3}(?:IX|IV|V?I{0,3})")  # II to XXXIX (VI and XI are syllables too)
_SYLLABLE_NUMERALS = frozenset({"VI", "XI"})


def _numeral(tokens: list[Token]) -> int | None:
    """Where the numeral of a section heading stands at the start of a line (``II.``, or ``Il.``
    as OCR reads it, l or 1 for I), if any."""
    i = 0
    while i < len(tokens) and tokens[i].kind == "space":
        i += 1
    if (i + 1 < len(tokens) and tokens[i + 1].text == "." and tokens[i].kind == "word"
            and _ROMAN.fullmatch(_relabel(tokens[i].text)) and not set(tokens[i].text).isdisjoint("IVX")):
        return i
    return None


def _relabel(text: str) -> str:
    """A misread label as written: the clause letter đ, or a section numeral with its I's.

    >>> [_relabel(t) for t in ("d", "Il", "Ill", "1V", "IV")]
    ['đ', 'II', 'III', 'IV', 'IV']
    """
    return "đ" if text == "d" else text.replace("l", "I").replace("1", "I")


_UNIT = regex.compile(r"[kcdmh]?m[23]")  # square and cubic (kilo-, centi-, deci-, milli-, hecto-)metres
_OTHER_SCRIPT = regex.compile(r"[^\p{Latin}\p{Common}\p{Inherited}]")  # (Vietnamese is written in Latin)


def _as_written(line: str, tokens: list[Token]) -> set[int]:
    """Indices of the words of a line that are kept as written whatever they look like.

    - The letter that numbers a clause at the start of a line (``b)``, ``(đ)``): legal and
      administrative text letters its clauses a), b), đ)..., and such a letter stands alone,
      so the language model would happily read ``b)`` as "bộ)".
    - A word touching an ``@``, or joined to an e-mail address by ``.``, ``+`` or ``-``: repaired,
      it could make an e-mail address of what is not one (``x&@0243.22.33.111`` would become
      ``xã@0243.22.33.111``), or a longer one (``x&.vanthu@moj.gov.vn``); and two words either
      side of a slash or a dot when one is a single letter: repaired, they could make an
      abbreviation like V/v or e.g.
    - A unit of area or volume (``m2``, ``km2``, ``cm3``): a letter and a digit, like OCR's ``s6``
      for số, but "300 m2" is no "300 mỹ"; and hectares after a slash (``tạ/ha``). (An amount
      with its unit glued on is not: OCR makes 14m of lâm and 6m of ốm far more often.)
    - A word in another script than Latin (越, ләңмән): no misread Vietnamese.
    - A Roman numeral of two letters or more (``II``, ``XIV``) but for VI and XI, which are
      syllables too: "học kỳ II" is no "học kỳ lũ". So is the numeral of a section heading.

    >>> [sorted(_as_written(s, tokenize(s))) for s in ("  b) Kiểm tra", "(c) nội dung", "x&@0243", "e&/x", "va/hoac")]
    [[1], [1], [0], [0, 2], []]
    >>> sorted(_as_written("dien tich 300 m2", tokenize("dien tich 300 m2")))
    [6]
    >>> sorted(_as_written("58 ta/ha, hoc ky II", tokenize("58 ta/ha, hoc ky II")))
    [4, 11]
    >>> sorted(_as_written("Việt 越 Кê", tokenize("Việt 越 Кê")))
    [2, 4]
    >>> sorted(_as_written("gửi x&.vanthu@moj.gov.vn", tokenize("gửi x&.vanthu@moj.gov.vn")))
    [2]
    """
    out: set[int] = set()
    letter = _clause_letter(tokens)
    if letter is None:
        letter = _numeral(tokens)
    if letter is not None:
        out.add(letter)
    if "I" in line or "X" in line:
        out.update(i for i, tok in enumerate(tokens) if tok.kind == "word" and _ROMAN.fullmatch(tok.text)
                   and tok.text not in _SYLLABLE_NUMERALS)
    if "m2" in line or "m3" in line:
        out.update(i for i, tok in enumerate(tokens) if tok.kind == "word" and _UNIT.fullmatch(tok.text))
    if not line.isascii() and _OTHER_SCRIPT.search(line):
        out.update(i for i, tok in enumerate(tokens) if tok.kind == "word" and _OTHER_SCRIPT.search(tok.text))
    if "@" in line or "/" in line or "." in line:
        n = len(tokens)
        for i, tok in enumerate(tokens):
            if tok.text == "/" or tok.text == ".":
                if not (0 < i < n - 1 and "word" == tokens[i - 1].kind == tokens[i + 1].kind):
                    continue
                if tok.text == "/" and tokens[i + 1].text == "ha":
                    out.add(i + 1)  # per hectare (tạ/ha), no "hạ"
                    continue
                if len(tokens[i - 1].text) != 1 and len(tokens[i + 1].text) != 1:
                    continue
            elif tok.kind == "email":
                j = i - 1  # (an address's local part takes in letters, digits and . + - before it)
                while j >= 0 and (tokens[j].kind == "word" or tokens[j].text in _LOCAL_PART):
                    if tokens[j].kind == "word":
                        out.add(j)
                    j -= 1
                continue
            elif tok.text != "@":
                continue
            out.update(j for j in (i - 1, i + 1) if 0 <= j < n and tokens[j].kind == "word")
    return out


_LOCAL_PART = frozenset(".+-")  # punctuation an e-mail address's local part may hold


def _nearest_word(slots: list[_Slot], pos: int, step: int) -> str | None:
    """The nearest word of two letters or more before (step -1) or after (step 1) ``slots[pos]``."""
    i = pos + step
    while 0 <= i < len(slots):
        tok = slots[i].token
        if tok.kind == "word" and len(tok.text) > 1 and tok.text.isalpha():
            return tok.text
        i += step
    return None


def _check_str(text: object, name: str) -> None:
    if not isinstance(text, str):
        hint = "; decode bytes first, e.g. data.decode('utf-8')" if isinstance(text, (bytes, bytearray)) else ""
        raise TypeError(f"{name}() takes str, not {type(text).__name__}{hint}")


_NUMBER: _Row = ((NUM, "", 0.0),)


def _fixed(slot: _Slot, lex: Lexicon) -> _Row:
    """The one reading of a token kept as it is: to the language model a number or code is a
    number, and a word what it was in the text the model learned from (a syllable, or an
    unknown word: the Roman numeral of "Leo III")."""
    if slot.token.kind != "word":
        return _NUMBER
    return ((lex.id_of(normalize_tone(slot.token.text.lower())), "", 0.0),)


def _restored(word: str, lex: Lexicon, case: bool | None) -> _Row:
    row = tuple([(c.lm_id, c.text, c.logp) for c in restore(word, lex)])
    if len(row) > 1 and lex.everyday:
        # Text typed without marks is everyday writing (messages, news), not a law or an encyclopedia.
        bias = lex.everyday
        row = tuple([(i, text, lp + EVERYDAY_WEIGHT * bias[i]) for i, text, lp in row])
    return _with_case(row, lex, case)


def _kept(word: str, lex: Lexicon) -> _Row:
    c = keep_as_is(word, lex)
    return ((c.lm_id, c.text, c.logp),)


def _bucket(rate: float) -> float:
    """The step nearest ``rate`` (the lower one on a tie)."""
    i = bisect_left(DAMAGE_STEPS, rate)
    if i == 0:
        return DAMAGE_STEPS[0]
    if i == len(DAMAGE_STEPS):
        return DAMAGE_STEPS[-1]
    lo, hi = DAMAGE_STEPS[i - 1], DAMAGE_STEPS[i]
    return lo if rate - lo <= hi - rate else hi
_CACHE_LIMIT = 200_000

K = TypeVar("K")
V = TypeVar("V")


class _Remembered(dict[K, V]):
    """``make(key)``, worked out on first asking and remembered (a hit is one dict lookup)."""

    def __init__(self, make: Callable[[K], V]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: K) -> V:
        if len(self) > _CACHE_LIMIT:
            self.clear()
        got = self[key] = self._make(key)
        return got


@dataclass(frozen=True)
class Edit:
    """One word vnfix changed. ``start``/``end`` index the normalised input text."""

    start: int
    end: int
    original: str
    replacement: str
    confidence: float
    alternatives: tuple[tuple[str, float], ...]


class Explained(NamedTuple):
    """What ``fix_and_explain`` returns: the fixed text and the edits that made it."""

    text: str
    edits: list[Edit]


_Piece = tuple[str, "Edit | None", str]  # output text, the edit that made it, the input token's text


def _blocks(lines: Iterable[str]) -> Iterator[tuple[Iterable[str], bool]]:
    """Cut ``lines`` where a window ends: (block, small enough to be fixed again if it changed).

    A block longer than ``BLOCK_CHARS`` comes as an iterator over its lines (to be used up before
    the next block is asked for), so memory stays bounded on text that never ends a window.
    """
    it = iter(lines)
    whole = True  # the next item starts a line

    def ends(line: str) -> bool:
        nonlocal whole
        done = _ends_window(line, whole)
        whole = line[-1:] in _BREAKS
        return done

    def rest(head: list[str]) -> Iterator[str]:
        yield from head
        for line in it:
            yield line
            if ends(line):
                return

    buf: list[str] = []
    size = 0
    for line in it:
        buf.append(line)
        size += len(line)
        if ends(line):
            yield buf, True
        elif size > BLOCK_CHARS:
            yield rest(buf), False
        else:
            continue
        buf, size = [], 0
    if buf:
        yield buf, True


class _Line(NamedTuple):
    """What a whole input line says about its words: more evidence than one short window."""

    number: int
    marked: bool  # some word carries a mark, a digit or an OCR symbol: not text typed without accents
    words: int
    damaged: int  # words that look misread (see _looks_damaged)
    foreign: bool  # unmarked and full of words no Vietnamese syllable spells: English, code, ...
    # Where the line's misread label stands, -1 if none: its clause letter "d" when it letters the
    # clause after another "d)" (Vietnamese runs a) b) c) d) đ) e), and OCR without Vietnamese prints
    # đ) as d)), or the numeral of its section read with l or 1 for I (Il. for II.: see _numeral).
    label: int


_new_line = partial(tuple.__new__, _Line)  # (made for every changed line of every pass)
_Item = tuple[Token, int, bool, _Line]  # a token, its offset in the input, protected by the user, its line
_JOINERS = frozenset("-/.:@_+")  # punctuation a word next to it may be read together with (codes, e-mails)


class _Slot(NamedTuple):
    at: int  # position of the token in the window
    token: Token
    repairable: bool  # a word not protected by the user, on a line that is not foreign
    offset: int  # start of the token in the whole input
    line: _Line


_slot = partial(tuple.__new__, _Slot)  # (no keyword handling: made in bulk)
_Code = tuple[int, int, str, str]  # a code's position in its window, its offset, its text, the text to write
_OCR_MARK = regex.compile(r"[^\x00-\x7f]|\d")  # a mark, an OCR symbol, or a digit inside a word


class Fixer:
    """Repairs Vietnamese text according to a ``Config``.

    >>> Fixer(tone_style="new").fix_text("Hoa binh")
    'Hoà bình'
    """

    def __init__(self, config: Config | None = None, *, lexicon: Lexicon | None = None, **options: object) -> None:
        self.config = (config or Config()).replace(**options) if options else (config or Config())
        self._lexicon = lexicon
        self._protect = [regex.compile(p) for p in self.config.protect]
        self._cands: dict[tuple[object, ...], _Row] = {}
        self._index: FuzzyIndex | None = None
        # Asked for every word of every window, and words repeat:
        self._facts = _Remembered(self._word_facts)  # word -> (looks misread, reads as itself, ...)
        self._texts = _Remembered(self._text_of)  # (word, reading) -> the text to write
        self._terms = _Remembered(self._terms_of)  # (word, marked) -> its readings for any damage rate
        self._codes = _Remembered(self._code_of)  # code -> the code with its Đ back (Config.codes)

    @property
    def lexicon(self) -> Lexicon:
        """The lexicon in use, loaded on first use (shared default plus this config's words)."""
        if self._lexicon is None:
            lex = default_lexicon()
            extra = list(self.config.extra_words)
            for path in self.config.lexicon_files:
                extra.extend(Path(path).read_text(encoding="utf-8").splitlines())
            self._lexicon = lex.extended(extra) if extra else lex
        return self._lexicon

    # -- public API -------------------------------------------------------------------

    def fix_text(self, text: str) -> str:
        """Repair ``text``; everything but damaged words comes back unchanged."""
        _check_str(text, "fix_text")
        return "".join([piece[0] for chunk in self._run(text.splitlines(keepends=True), explain=False)
                        for piece in chunk])

    def fix_and_explain(self, text: str) -> Explained:
        """Repair ``text`` and say what was changed, how sure, and what else it could be."""
        _check_str(text, "fix_and_explain")
        pieces: list[str] = []
        edits: list[Edit] = []
        for chunk in self._run(text.splitlines(keepends=True), explain=True):
            for piece, edit, _ in chunk:
                pieces.append(piece)
                if edit is not None:
                    edits.append(edit)
        return Explained("".join(pieces), edits)

    def fix_lines(self, lines: Iterable[str]) -> Iterator[str]:
        """Repair a stream of lines (each with its line ending), yielding output lines as they are ready."""
        for out, _, _ in self.explain_lines(lines, explain=False):
            yield out

    def fix_chunks(self, lines: Iterable[str]) -> Iterator[str]:
        r"""Repair a stream of lines, yielding the output as soon as each piece is decided.

        Unlike ``fix_lines``, a line is not gathered whole first: memory stays bounded on lines
        of any length.

        >>> "".join(Fixer().fix_chunks(["Chi thi s6 28-CT/TW\n", "ctia B6 Chinh tri\n"]))
        'Chỉ thị số 28-CT/TW\ncủa Bộ Chính trị\n'
        """
        for chunk in self._run(lines, explain=False):
            yield "".join([piece[0] for piece in chunk])

    def explain_lines(self, lines: Iterable[str], explain: bool = True) -> Iterator[tuple[str, list[Edit], int]]:
        """For each input line: (output line, its edits, offset of the line in the normalised input)."""
        line: list[str] = []
        edits: list[Edit] = []
        start = offset = 0
        for chunk in self._run(lines, explain=explain):
            for piece, edit, original in chunk:
                line.append(piece)
                offset += len(original)
                if edit is not None:
                    edits.append(edit)
                if piece.endswith(("\n", "\r")):
                    yield "".join(line), edits, start
                    line, edits, start = [], [], offset
        if line:
            yield "".join(line), edits, start

    # -- pipeline ---------------------------------------------------------------------

    def _lattice(self, slots: list[_Slot], mid: bool) -> list[_Row] | None:
        """Each slot's candidates; None when every word is kept as it is (nothing to decode).

        ``mid``: the window goes on with a sentence (it starts after a comma), so a capital on its
        first word is a name's, not the sentence's.
        """
        cfg = self.config
        lex = self.lexicon
        out: list[_Row] = []
        if cfg.repair == "diacritics":
            for i, s in enumerate(slots):
                w = s.token.text
                case = _case_evidence(w, i + mid)
                out.append(self._memo(("d", w, case), _restored, w, lex, case)
                           if s.repairable else _fixed(s, lex))
            return out
        lines = {s.line.number: s.line for s in slots}.values()
        words = [s.token.text for s in slots if s.repairable]
        first = slots[0].token.text if slots[0].repairable else None
        marked = any(li.marked for li in lines) or any(_OCR_MARK.search(w) for w in words)
        # A capital at a window's start is the sentence's, not a sign of a lost mark (Ao, hồ).
        facts = self._facts
        damaged = sum(facts[w][0] for w in words)
        if first is not None and first.isalpha() and not first.islower() and facts[first][0]:
            damaged -= 1
        # The prior that any one word here is misread: this window's share of misread-looking
        # words, shrunk toward the share on its lines (short windows say little on their own).
        line_rate = ((sum(li.damaged for li in lines) + LINE_START * LINE_WORDS)
                     / (sum(li.words for li in lines) + LINE_WORDS))
        damage = _bucket((damaged + LINE_PRIOR * line_rate) / (len(words) + LINE_PRIOR))
        clean = marked and damage <= CLEAN_WINDOW
        if not cfg.retone and not lex.phrases and (not words or clean and all(facts[w][1] for w in words)):
            return None  # every word would be kept as it is (below): most windows of a second pass
        for i, s in enumerate(slots):
            if not s.repairable:
                out.append(_fixed(s, lex))
                continue
            w = s.token.text
            glued = _GLUED.search(w) is not None  # (OCR's print of a mark in it: see _glued_marks)
            if clean and facts[w][1]:
                # A known word among known words: nothing suggests damage, keep it (and save the work).
                out.append(self._memo(("k", w), _kept, _as_read(w) if glued else w, lex))
            elif glued:
                out.append(self._memo(("h", w, marked, damage), self._glued, w, marked, damage))
            else:
                # OCR output's letter case is as noisy as its letters: case evidence only for typed text.
                case = None if marked else _case_evidence(w, i + mid)
                out.append(self._memo(("o", w, marked, damage, case), self._repaired, w, marked, damage, case))
        return out

    def _apply_phrases(self, slots: list[_Slot], lattice: list[_Row]) -> None:
        """Write the user's multi-syllable names whole where their unmarked letters occur."""
        lex = self.lexicon
        longest = max(len(k) for k in lex.phrases)
        keys = [strip_marks(s.token.text.lower()) if s.repairable else None for s in slots]
        i = 0
        while i < len(slots):
            for n in range(min(longest, len(slots) - i), 1, -1):
                span = keys[i:i + n]
                syllables = lex.phrases.get(tuple(span)) if None not in span else None  # type: ignore[arg-type]
                if syllables:
                    for j, syl in enumerate(syllables):
                        lattice[i + j] = [Candidate(lex.vocab.get(syl, UNK), syl, 0.0)]
                    i += n - 1
                    break
            i += 1

    def _memo(self, key: tuple[object, ...], make: Callable[..., _Row], *args: Any) -> _Row:
        """``make(*args)``, remembered under ``key`` (words repeat; their readings need not be redone)."""
        got = self._cands.get(key)
        if got is None:
            if len(self._cands) > _CACHE_LIMIT:
                self._cands.clear()
            got = self._cands[key] = make(*args)
        return got

    @property
    def index(self) -> FuzzyIndex:
        """The fuzzy index over this fixer's lexicon (the shared default when no words were added)."""
        if self._index is None:
            lex = self.lexicon
            self._index = default_index() if lex is default_lexicon() else build_index(lex, default_channel())
        return self._index

    def _protected_spans(self, line: str) -> list[tuple[int, int]]:
        return [m.span() for p in self._protect for m in p.finditer(line)]

    def _tokens(self, lines: Iterable[str], offset: int, clauses: list[str]) -> Iterator[_Item]:
        """(token, offset in the whole input, protected, its line) for every token of every line.

        ``clauses`` holds the letter of the last lettered clause met (a, b, ...), from line to line.
        """
        for number, raw in enumerate(lines):
            line = normalise(raw)
            tokens = tokenize(line)
            at = _clause_letter(tokens)
            label = -1
            if at is not None:
                letter = tokens[at]
                if letter.text == "d" and clauses[0] == "d":
                    label = letter.start
                clauses[0] = "đ" if label >= 0 else letter.text
            else:
                at = _numeral(tokens)
                if at is not None and tokens[at].text != _relabel(tokens[at].text):
                    label = tokens[at].start
            yield from self._line_items(number, line, tokens, offset, label)
            offset += len(line)

    def _line_items(self, number: int, line: str, tokens: list[Token], offset: int, label: int = -1) -> list[_Item]:
        info = self._line_info(number, [t.text for t in tokens if t.kind == "word"], label)
        if self.config.repair == "ocr" and _GLUED.search(line):
            tokens = _glued_marks(line, tokens, info.marked)
        kept = _as_written(line, tokens)
        if not self._protect:
            if not kept:
                return [(tok, offset + tok.start, False, info) for tok in tokens]
            return [(tok, offset + tok.start, i in kept, info) for i, tok in enumerate(tokens)]
        spans = self._protected_spans(line)
        return [(tok, offset + tok.start, i in kept or any(s < tok.end and tok.start < e for s, e in spans), info)
                for i, tok in enumerate(tokens)]

    def _word_facts(self, word: str) -> tuple[bool, bool, bool]:
        """(looks misread, reads as itself, counts as misread on its line) for a word.

        A line's count leaves capitalised words out: a line's first word is capitalised whatever it is.
        """
        if _GLUED.search(word):  # (read with OCR's print of a mark: see _glued_marks)
            word = _as_read(word)
        clean = is_clean(word, self.lexicon)
        damaged = _looks_damaged(word, clean, self.lexicon)
        return damaged, clean, damaged and (word.islower() or not word.isalpha())

    def _repaired(self, word: str, marked: bool, damage: float, case: bool | None) -> _Row:
        return _with_case(weigh(self._terms[word, marked], damage), self.lexicon, case)

    def _glued(self, word: str, marked: bool, damage: float) -> _Row:
        """The readings of a word with OCR's print of a mark in it; after a ``?`` ``’`` or ``'``, those
        without ư or ơ are unlikely."""
        row = weigh(self._terms[_as_read(word), marked], damage)
        if not _HORN_MARK.search(word):
            return row
        return tuple([(i, text, lp if _HORN.search(text) else lp + NO_HORN) for i, text, lp in row])

    def _code_of(self, code: str) -> str:
        return restore_code(code, self.lexicon)

    def _terms_of(self, key: tuple[str, bool]) -> tuple[Term, ...]:
        word, marked = key
        return repair_terms(word, self.lexicon, self.index, self.config.max_candidates, marked)

    def _alien(self, word: str) -> bool:
        """A word no syllable spells, even allowing for OCR damage (question, largest, City)."""
        if word.isupper():
            return False
        best = self.index.lookup(word.lower(), 1)
        return not best or best[0].logp < ALIEN_LOGP

    def _line_info(self, number: int, words: list[str], label: int = -1) -> _Line:
        marked = _OCR_MARK.search(" ".join(words)) is not None
        damaged = 0
        if self.config.repair == "ocr":  # (restoring diacritics never asks how damaged a line is)
            damaged = self._damaged(words)
        foreign = False
        if not marked and len(words) >= 3:
            # Stripped Vietnamese is spelled by syllables; English and code mostly are not.
            stripped = self.lexicon.by_stripped  # (most words are spelled by some syllable: asked first)
            alien = sum(self._alien(w) for w in words if w.lower() not in stripped)
            foreign = alien >= 2 and alien >= FOREIGN_SHARE * len(words) and (
                alien >= ALIEN_SHARE * len(words) or any(w.lower() in ENGLISH for w in words))
        return _Line(number, marked, len(words), damaged, foreign, label)

    def _damaged(self, words: Iterable[str]) -> int:
        """How many of ``words`` count as misread on their line (see ``_word_facts``)."""
        facts = self._facts
        return sum([facts[w][2] for w in words])

    def _relined(self, info: _Line, old: list[str], new: list[str], line: list[_Item], pieces: list[_Piece]) -> _Line:
        """The facts of line ``info`` (its ``line`` of items) once a pass changed its words ``old`` to ``new``
        (``pieces``: the pass's output for those items).

        A line that has marks after the pass is not foreign, so only its count of misread-looking
        words changes, by what the changed words contribute (most lines: the full count is not redone).
        """
        if not _OCR_MARK.search(" ".join(new)):
            return self._line_info(info.number, [p[0] for p, item in zip(pieces, line) if item[0].kind == "word"],
                                   info.label)
        damaged = info.damaged - self._damaged(old) + self._damaged(new)
        return _new_line((info.number, True, info.words, damaged, False, info.label))

    def _run(self, lines: Iterable[str], explain: bool) -> Iterator[list[_Piece]]:
        """(output text, edit or None, input text) for every token of the normalised input, in order,
        a chunk at a time (handing on each piece alone would cost more than making it)."""
        base = 0
        clauses = [""]  # the letter of the last lettered clause (see _tokens)
        for block, settle in _blocks(lines):
            # (restoring marks needs no second pass: see _decode_round)
            if settle and self.config.repair != "diacritics" and isinstance(block, list):
                chunks: Iterable[list[_Piece]] = (self._settle(block, explain, base, clauses),)
            else:
                chunks = self._pass(self._tokens(block, base, clauses), explain)
            for chunk in chunks:
                base += sum([len(piece[2]) for piece in chunk])
                yield chunk

    def _settle(self, block: list[str], explain: bool, base: int, clauses: list[str]) -> list[_Piece]:
        """One block, fixed again while a pass still changes it (see the module notes)."""
        items = list(self._tokens(block, base, clauses))
        out = last = list(chain.from_iterable(self._pass(items, explain)))
        for _ in range(min(MAX_PASSES, max(MIN_PASSES, len(block) + 2)) - 1):
            if all(text == original for text, _, original in last):
                break
            items = self._again(items, last)
            again = list(chain.from_iterable(self._pass(items, explain)))
            if all(text == original for text, _, original in again):
                break
            if [p[0] for p in last] != [p[2] for p in again]:
                break  # the output tokenizes differently: its pieces no longer line up with the input's
            merged: list[_Piece] = []
            offset = base
            for (text, edit, original), (text2, edit2, _) in zip(out, again):
                if text2 == text or text2 == original:
                    merged.append((text2, edit if text2 == text else None, original))
                else:
                    fresh = edit2 or edit
                    merged.append((text2, fresh and replace(fresh, start=offset, end=offset + len(original),
                                                            original=original), original))
                offset += len(original)
            out, last = merged, again
        return out

    def _again(self, items: list[_Item], pieces: list[_Piece]) -> list[_Item]:
        """The tokens of the text a pass over ``items`` gave (``pieces``, one per item).

        A line the pass left alone keeps its tokens; a changed line keeps them too, with the new
        words' texts, unless a new word touches what it could join with ("/", "-", "@", ...) or
        user patterns are in play: then the line is tokenized afresh, as ``fix_text`` would.
        Offsets stay those of the input lines (``_settle`` works the edits' spans out itself).
        """
        out: list[_Item] = []
        n = len(items)
        i = 0
        while i < n:
            info = items[i][3]
            j = i
            changed: list[int] = []
            while j < n and items[j][3] is info:
                if pieces[j][0] != pieces[j][2]:
                    changed.append(j)
                j += 1
            if not changed:
                out.extend(items[i:j])
                i = j
                continue
            offset = items[i][1] - items[i][0].start
            text = "".join([p[0] for p in pieces[i:j]])
            if not self._protect and self._stays_apart(items, i, j, changed) and normalise(text) == text:
                line = self._relined(info, [pieces[k][2] for k in changed], [pieces[k][0] for k in changed],
                                     items[i:j], pieces[i:j])
                # (a changed word keeps its old start: in a later pass a token's start only serves to
                # find its line's, which is the same)
                seg = [(tok, at, guarded, line) for tok, at, guarded, _ in items[i:j]]
                for k in changed:
                    tok, at, guarded, _ = seg[k - i]
                    seg[k - i] = (new_token((pieces[k][0], tok.kind, tok.start)), at, guarded, line)
                out.extend(seg)
            else:
                text = normalise(text)
                out.extend(self._line_items(info.number, text, tokenize(text), offset, info.label))
            i = j
        return out

    @staticmethod
    def _stays_apart(items: list[_Item], i: int, j: int, changed: list[int]) -> bool:
        """True when every changed word of line ``items[i:j]`` is bounded by spaces or plain punctuation.

        A joiner ("." "/" "-" ...) next to the word is plain too when a space or the line's end lies
        beyond it: nothing is there to join with (the full stop after a word, most often).
        """
        for k in changed:
            for n, beyond in ((k - 1, k - 2), (k + 1, k + 2)):
                if i <= n < j:
                    tok = items[n][0]
                    kind = tok.kind
                    if kind == "space" or kind == "newline":
                        continue
                    if kind != "punct":
                        return False
                    if tok.text in _JOINERS and i <= beyond < j and items[beyond][0].kind not in ("space", "newline"):
                        return False
        return True

    def _pass(self, items: Iterable[_Item], explain: bool) -> Iterator[list[_Piece]]:
        """One pass of the decoder over a stream of tokens: one piece per token, a window at a time."""
        window: list[str] = []  # the texts of the window's tokens
        slots: list[_Slot] = []
        codes: list[_Code] = []  # codes with their Đ restored (Config.codes)
        restoring = self.config.codes == "restore"
        mid = False  # the window goes on with a sentence (see _lattice)
        newline_run = False
        spaced = True  # the token before was a space or a line break
        capitals = 0  # words of the line so far while all are in capitals; -1 after one that is not
        heading = False  # the line before was a heading in capitals: no sentence goes on from it
        bullet = True  # nothing but spaces yet on this line
        label = -1  # where in the window a Title-case word that opens this line stands (see ":" below)
        for tok, offset, guarded, line in items:
            kind = tok.kind
            if kind == "space":
                window.append(tok.text)
                spaced = True
                continue
            if kind == "newline":
                if newline_run:  # a blank line ends a paragraph
                    yield self._flush(window, slots, explain, mid, codes)
                    window, slots, codes, mid, label = [], [], [], False, -1
                newline_run = spaced = bullet = True
                heading, capitals, label = capitals >= 2, 0, -1
                window.append(tok.text)
                continue
            newline_run = False
            if kind == "word":
                if heading and not (tok.text.isupper() and tok.text.isalpha()):
                    # "ỦY BAN NHÂN DÂN TỈNH QUẢNG NAM / Số: ..." : a heading's last word is no
                    # context for the next line's first, which starts a sentence (S6 for Số too:
                    # a digit is no capital).
                    yield self._flush(window, slots, explain, mid, codes)
                    window, slots, codes, mid, label = [], [], [], False, -1
                if capitals >= 0:
                    capitals = capitals + 1 if tok.text.isupper() and len(tok.text) > 1 else -1
            heading = False
            opens, bullet = bullet, False  # (the token opens its line)
            if opens and kind == "word" and tok.text[:1].isupper() and not tok.text[1:].isupper() and slots:
                label = len(window)
            if kind in ("word", "number", "code"):
                repairable = kind == "word" and not guarded and not line.foreign
                slots.append(_slot((len(window), tok, repairable, offset, line)))
                if restoring and kind == "code" and not guarded:
                    text = self._codes[tok.text]
                    if text != tok.text:
                        codes.append((len(window), offset, tok.text, text))
            elif kind == "punct" and spaced and tok.text in _DASHES and not opens:
                # "Độc lập - Tự do - Hạnh phúc": a dash after a space joins more than it separates
                # (a hyphen inside a word, as in "ca-si-nô", still ends the window; a dash that
                # opens a line is a list's bullet, and ends it too).
                pass
            else:  # other punctuation, URLs and e-mails end a window
                if tok.text == ":" and label > 0 and slots and slots[-1].at == label:
                    # "Hạnh phúc / Số: 107/...": a Title-case word that opens a line and ends at a colon
                    # is a label, and no sentence goes on into it from the line before.
                    k = len(slots) - 1
                    yield self._flush(window[:label], slots[:k], explain, mid, codes)  # (codes stand before it)
                    window = window[label:]
                    slots = [slots[k]._replace(at=0)]
                    codes, mid = [], False
                chunk = self._flush(window, slots, explain, mid, codes)
                chunk.append((tok.text, None, tok.text))
                yield chunk
                window, slots, codes, mid, label = [], [], [], tok.text in _MID_SENTENCE, -1
                continue
            window.append(tok.text)
            spaced = False
            if len(slots) >= MAX_WINDOW:
                yield self._flush(window, slots, explain, mid, codes)
                window, slots, codes, mid, label = [], [], [], True, -1
        yield self._flush(window, slots, explain, mid, codes)

    def _flush(self, window: list[str], slots: list[_Slot], explain: bool, mid: bool,
               codes: list[_Code]) -> list[_Piece]:
        out: list[_Piece] = [(text, None, text) for text in window]
        for at, offset, text, new in codes:
            out[at] = (new, Edit(offset, offset + len(text), text, new, 1.0, ()) if explain else None, text)
        if slots:
            # Decode until nothing changes: a repaired word is better context for its neighbours,
            # and stopping at a fixed point makes fix_text(fix_text(x)) == fix_text(x) far more often.
            decided: dict[int, tuple[str, float, tuple[tuple[str, float], ...]]] = {}
            current = slots
            for _ in range(MAX_ROUNDS):
                changes, unsettled = self._decode_round(current, explain, mid)
                if not changes:
                    break
                for pos, text, conf, alts in changes:
                    decided[pos] = (text, conf, alts)
                if not unsettled:
                    break
                current = [s._replace(token=s.token._replace(text=decided[i][0])) if i in decided else s
                           for i, s in enumerate(slots)]
            for pos, (text, conf, alts) in decided.items():
                slot = slots[pos]
                if text == slot.token.text:
                    continue
                edit = Edit(slot.offset, slot.offset + len(slot.token.text), slot.token.text, text, conf,
                            alts) if explain else None
                out[slot.at] = (text, edit, slot.token.text)
            last = slots[-1]  # (a label ends its window: ")" or "." comes next)
            if last.token.start == last.line.label:
                old, text = last.token.text, _relabel(last.token.text)
                edit = Edit(last.offset, last.offset + len(old), old, text, 1.0, ()) if explain else None
                out[last.at] = (text, edit, old)
        return out

    def _decode_round(self, slots: list[_Slot], explain: bool, mid: bool
                      ) -> tuple[list[tuple[int, str, float, tuple[tuple[str, float], ...]]], bool]:
        """One decoding of a window: (position, new text, confidence, alternatives) per change, and
        whether another round could decide differently (a repair held back, or unmarked text got marks)."""
        lattice = self._lattice(slots, mid)
        if lattice is None:
            return [], False
        if self.lexicon.phrases:
            self._apply_phrases(slots, lattice)
        ambiguous = any(len(c) > 1 for c in lattice)
        full, where = self._expanded(slots, lattice) if ambiguous else (lattice, None)
        full_path = viterbi(full, self.lexicon.lm, self.config.beam) if ambiguous else [0] * len(full)
        path = full_path if where is None else [full_path[i] for i in where]
        changed: list[tuple[int, _Slot, int, str]] = []
        for pos, (slot, k) in enumerate(zip(slots, path)):
            if slot.repairable:
                text = self._written(slots, pos, lattice[pos][k][1])
                if text != slot.token.text:
                    changed.append((pos, slot, k, text))
        if self.config.repair == "diacritics" and not explain:
            # Every change here gives marks to a word written without any (a word with marks has
            # one reading), which the threshold does not guard (below), and a window settles at once.
            return [(pos, text, 1.0, ()) for pos, _, _, text in changed], False
        # Marks restored to a word written without any is not a guess the threshold guards:
        # the unmarked spelling is the least likely reading there is. (Restoring, every change is
        # that, in whatever letter case the word comes out: mU is mũ.)
        restoring = {pos for pos, slot, _, text in changed if self.config.repair == "diacritics"
                     or slot.token.text.isascii() and strip_marks(text) == slot.token.text}
        guarded = self.config.threshold > 0
        asked = [pos for pos, *_ in changed
                 if len(lattice[pos]) > 1 and (explain or guarded and pos not in restoring)]
        at = asked if where is None else [where[pos] for pos in asked]
        probs = dict(zip(asked, posteriors(full, full_path, at, self.lexicon.lm))) if asked else {}
        out: list[tuple[int, str, float, tuple[tuple[str, float], ...]]] = []
        # Unmarked text that got marks reads differently now; restoring alone only fixes winners
        # in place, and the best path with some of its own choices fixed is the same path.
        unsettled = bool(changed) and self.config.repair != "diacritics" and not any(s.line.marked for s in slots)
        for pos, slot, k, text in changed:
            p = probs.get(pos)
            conf = 1.0 if p is None else p[k]
            if conf < self.config.threshold and pos not in restoring and not _misspelt(slot.token.text):
                unsettled = True
                continue
            if not explain:
                out.append((pos, text, conf, ()))
                continue
            alts: dict[str, float] = {}
            for i, (c, q) in enumerate(zip(lattice[pos], p or [1.0] * len(lattice[pos]))):
                alt = self._written(slots, pos, c[1])
                if i != k and alt != text:
                    alts[alt] = alts.get(alt, 0.0) + q
            best = sorted(alts.items(), key=lambda a: (-a[1], a[0]))[:4]
            out.append((pos, text, round(conf, 4), tuple((a, round(q, 4)) for a, q in best)))
        return out, unsettled

    def _expanded(self, slots: list[_Slot], lattice: list[_Row]) -> tuple[list[_Row], list[int] | None]:
        """The lattice the decoder reads, and where each slot's row is in it (None: the same).

        An abbreviation is no syllable, so to the language model it is an unknown word, and the
        words beside it lose their context: "UBND huyén" is huyện or huyền alike. One that stands for
        one thing is read as what it stands for (Ủy ban nhân dân huyện), in rows of one reading
        after its own; its readings (HĐND, HDND) all keep the first word's id, so the choice
        among them is the channel's, as before.
        """
        expansions = self.lexicon.expansions
        if not expansions or not any(s.token.text.isupper() for s in slots):
            return lattice, None
        full: list[_Row] = []
        where: list[int] = []
        for slot, row in zip(slots, lattice):
            where.append(len(full))
            text = slot.token.text
            ids = expansions.get(acronym_key(text)) if slot.repairable and text.isupper() else None
            if ids is None or any(c[0] != UNK for c in row):
                full.append(row)
                continue
            full.append([(ids[0], c[1], c[2]) for c in row])
            full.extend([((i, "", 0.0),) for i in ids[1:]])
        return (full, where) if len(full) > len(lattice) else (lattice, None)

    def _written(self, slots: list[_Slot], pos: int, reading: str) -> str:
        """The text to write for the word of ``slots[pos]`` read as the syllable ``reading``."""
        word = slots[pos].token.text
        text = self._render(word, reading)
        if text != word and len(word) > 1 and not word.islower() and self.config.repair == "ocr":
            text = self._recased(slots, pos, reading, text)  # (typed text: its capitals are meant)
        return text

    def _recased(self, slots: list[_Slot], pos: int, reading: str, text: str) -> str:
        """``text``, the repair of a word with capitals, in the letter case of the words around it.

        OCR reads the tall stacked letters of a word like "Bộ" as capitals ("BO"), and the small
        ones of a heading's "CHỈ" in lower case ("CHi"). Among words not in capitals a repaired
        syllable in capitals is Title case; among capitals a mixed-case one is upper case.
        Acronyms keep their case, and so do capitals on a line typed without marks (no marks,
        digits or OCR symbols): there, capitals are meant. After a word in lower case, a capital
        that OCR is known to print for another small letter ("Iy" for lý, "Gng" for ứng: see
        ``channel.capital_counts``) is that small letter.
        """
        word = slots[pos].token.text
        if (misread_capital(word, reading, default_capitals()) and not any(c.isupper() for c in word[1:])
                and not (pos and slots[pos - 1].token.text.isupper())):
            return self._render(word.lower(), reading)
        if reading.upper() in self.lexicon.acronym_set or not parse(reading):
            return text
        around = [_nearest_word(slots, pos, -1), _nearest_word(slots, pos, 1)]
        caps = [sum(c.isupper() for c in w) > 1 for w in around if w]  # (PiCH is a capital word misread)
        if not caps:
            return text
        if word.isupper():
            return text if any(caps) or not slots[pos].line.marked else self._render(word.capitalize(), reading)
        upper = sum(c.isupper() for c in word)
        return self._render(word.upper(), reading) if upper > 1 and all(caps) else text

    def _render(self, original: str, reading: str) -> str:
        return self._texts[original, reading]

    def _text_of(self, key: tuple[str, str]) -> str:
        original, reading = key
        if _GLUED.search(original):  # a word read with OCR's print of a mark in it (see _glued_marks)
            base = _as_read(original)
            text = self._text_of((base, reading))
            if text == base:
                return original  # (read as printed)
            if _HORN_MARK.search(original) and not _HORNED.search(text):
                # not the horn the mark stands for: the mark stays, after the word or in it
                return text + original[-1] if original[-1] in _HORN_MARKS else original
            return text
        text = render(original, reading, self.config.tone_style)
        if self.config.retone and text == original:
            return normalize_tone(original, self.config.tone_style)
        return text


_DEFAULT: dict[tuple[tuple[str, object], ...], Fixer] = {}


def get_fixer(**options: object) -> Fixer:
    """A shared ``Fixer`` for these options (module-level functions use it)."""
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in options.items()))
    fixer = _DEFAULT.get(key)
    if fixer is None:
        if len(_DEFAULT) > 32:
            _DEFAULT.clear()
        fixer = _DEFAULT[key] = Fixer(Config(**options))  # type: ignore[arg-type]
    return fixer


def fix_text(text: str, **options: object) -> str:
    """Repair Vietnamese ``text`` damaged by OCR or typed without marks.

    Options are the fields of ``Config`` (``tone_style="new"``, ``threshold=0.8``, ...).

    >>> fix_text("Thuc hien Chi thi so 28-CT/TW cua Bo Chinh tri")
    'Thực hiện Chỉ thị số 28-CT/TW của Bộ Chính trị'
    """
    _check_str(text, "fix_text")
    return get_fixer(**options).fix_text(text)


def fix_and_explain(text: str, **options: object) -> Explained:
    """Like ``fix_text``, also returning the list of ``Edit``s.

    >>> result = fix_and_explain("Ha Noi")
    >>> result.text, [(e.original, e.replacement) for e in result.edits]
    ('Hà Nội', [('Ha', 'Hà'), ('Noi', 'Nội')])
    """
    _check_str(text, "fix_and_explain")
    return get_fixer(**options).fix_and_explain(text)

