"""The Vietnamese syllable: onset, medial glide, nucleus, coda and tone.

Every Vietnamese word is written as one or more syllables, each of the shape
``onset? medial? nucleus coda? + tone``. Modelling that shape lets vnfix check
whether a string can be Vietnamese, move a tone mark to its proper letter in
either spelling convention, and strip or add marks losslessly.

>>> s = parse("Người")
>>> (s.onset, s.medial, s.nucleus, s.coda, s.tone)
('ng', '', 'ươ', 'i', 'grave')
>>> compose(parse("hoà"))
'hòa'
>>> compose(parse("hòa"), style="new")
'hoà'
>>> strip_marks("Đường")
'Duong'
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import regex

ToneStyle = Literal["old", "new"]
"""``old`` puts the tone on the first vowel of open oa/oe/uy (hòa, thủy, khỏe);
``new`` on the second (hoà, thuỷ, khoẻ). Both are correct Vietnamese."""

TONES = ("", "grave", "acute", "hook", "tilde", "dot")
_TONE_MARK = {"grave": "\u0300", "acute": "\u0301", "hook": "\u0309", "tilde": "\u0303", "dot": "\u0323"}
_MARK_TONE = {v: k for k, v in _TONE_MARK.items()}
_MODIFIERS = {"\u0306": "breve", "\u0302": "circumflex", "\u031b": "horn"}

VOWELS = "aăâeêioôơuưy"
_MODIFIED_VOWELS = "ăâêôơư"
ONSETS = (
    "ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
    "b", "c", "d", "đ", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "x",
)
CODAS = ("ch", "ng", "nh", "c", "m", "n", "p", "t")
# Nuclei, longest first; diphthongs count as one nucleus.
_NUCLEI = ("iê", "yê", "ươ", "uô", "ia", "ya", "ưa", "ua", "oo", "ôô") + tuple(VOWELS)
_OFFGLIDES = "iyou"
# Medial glide o/u followed by these nuclei (hoa, hoe, hoặc, xuân, huế, thủy, thuở, khuya).
_MEDIAL_BEFORE = {"o": ("a", "ă", "e"), "u": ("â", "ê", "y", "yê", "ya", "ơ")}

_WORD_RE = regex.compile(
    r"^(?P<onset>" + "|".join(ONSETS) + r")?(?P<vowels>[" + VOWELS + r"]+)(?P<coda>" + "|".join(CODAS) + r")?$"
)
_VOWEL_MARKS = regex.compile(r"([aeiouyAEIOUY])[\u0300\u0301\u0303\u0309\u0323\u0306\u0302\u031b]+")
_VN_TONED = regex.compile(r"[\u0300\u0301\u0303\u0309\u0323]")


@dataclass(frozen=True)
class Syllable:
    """A parsed syllable in lower case; ``compose`` turns it back into text."""

    onset: str
    medial: str
    nucleus: str
    coda: str  # a final consonant or an off-glide (i, y, o, u)
    tone: str  # one of TONES; "" is the level tone

    @property
    def vowels(self) -> str:
        """The written vowel cluster: medial + nucleus + off-glide."""
        glide = self.coda if self.coda and self.coda in _OFFGLIDES else ""
        return self.medial + self.nucleus + glide

    @property
    def final_consonant(self) -> str:
        return "" if self.coda in ("", *_OFFGLIDES) else self.coda


def split_marks(ch: str) -> tuple[str, str, str]:
    """Split one letter into (base letter with its modifier, modifier name, tone).

    >>> split_marks("ệ")
    ('ê', 'circumflex', 'dot')
    """
    decomposed = unicodedata.normalize("NFD", ch)
    base = [c for c in decomposed if c not in _MARK_TONE]
    tone = next((_MARK_TONE[c] for c in decomposed if c in _MARK_TONE), "")
    modifier = next((_MODIFIERS[c] for c in decomposed if c in _MODIFIERS), "")
    return unicodedata.normalize("NFC", "".join(base)), modifier, tone


@lru_cache(maxsize=65536)
def _strip_tone_and_get(word: str) -> tuple[str, str]:
    decomposed = unicodedata.normalize("NFD", word)
    tone = ""
    kept = []
    for c in decomposed:
        if c in _MARK_TONE:
            tone = _MARK_TONE[c]
        else:
            kept.append(c)
    return unicodedata.normalize("NFC", "".join(kept)), tone


def remove_tone(word: str) -> str:
    """Drop the tone mark but keep letter modifiers (ă â ê ô ơ ư đ).

    >>> remove_tone("Trường")
    'Trương'
    """
    return _strip_tone_and_get(word)[0]


def tone_of(word: str) -> str:
    """The tone name of a syllable ("" for level tone)."""
    return _strip_tone_and_get(word)[1]


@lru_cache(maxsize=65536)
def strip_marks(text: str) -> str:
    """Remove every Vietnamese mark, tones and modifiers, and map đ to d.

    Only marks on the Latin vowels are removed: other letters (ñ, ğ, й, ά) are not
    Vietnamese and are left as they are.

    >>> strip_marks("Cộng hòa xã hội chủ nghĩa Việt Nam")
    'Cong hoa xa hoi chu nghia Viet Nam'
    >>> strip_marks("España русский")
    'España русский'
    """
    if text.isascii():
        return text
    decomposed = _VOWEL_MARKS.sub(r"\1", unicodedata.normalize("NFD", text))
    return unicodedata.normalize("NFC", decomposed).replace("đ", "d").replace("Đ", "D")


def has_marks(word: str) -> bool:
    """True when the word carries any Vietnamese tone or modifier, or đ."""
    return strip_marks(word) != word


@lru_cache(maxsize=65536)
def parse(word: str) -> Syllable | None:
    """Parse one syllable (any case, any tone placement); None if it cannot be Vietnamese.

    >>> parse("quý")
    Syllable(onset='qu', medial='', nucleus='y', coda='', tone='acute')
    >>> parse("gìn").onset, parse("gìn").nucleus
    ('g', 'i')
    >>> parse("xyz") is None
    True
    """
    bare, tone = _strip_tone_and_get(word.lower())
    m = _WORD_RE.match(bare)  # backtracking reads "gìn" as g+i+n and "già" as gi+a
    if m is None:
        return None
    onset = m.group("onset") or ""
    vowels = m.group("vowels")
    coda = m.group("coda") or ""
    if onset == "qu" and not vowels:
        return None
    split = _split_vowels(vowels, onset)
    if split is None:
        return None
    medial, nucleus, glide = split
    if glide and coda:
        return None
    syl = Syllable(onset, medial, nucleus, glide or coda, tone)
    return syl if _is_valid(syl) else None


def _split_vowels(vowels: str, onset: str) -> tuple[str, str, str] | None:
    medial = ""
    rest = vowels
    if len(rest) >= 2 and rest[0] in _MEDIAL_BEFORE and onset != "qu":
        if any(rest[1:].startswith(n) for n in _MEDIAL_BEFORE[rest[0]]):
            medial, rest = rest[0], rest[1:]
    for nucleus in _NUCLEI:
        if rest.startswith(nucleus):
            glide = rest[len(nucleus):]
            if glide == "" or (len(glide) == 1 and glide in _OFFGLIDES):
                return medial, nucleus, glide
    return None


_OPEN_ONLY_WITH_CODA = {"ă", "â", "iê", "yê", "uô", "ươ", "oo", "ôô"}
_STOP_CODAS = {"c", "ch", "p", "t"}
_GLIDE_OK = {
    "a": "iyou", "â": "yu", "e": "o", "ê": "u", "i": "u", "o": "i", "ô": "i", "ơ": "i",
    "u": "i", "ư": "iu", "iê": "u", "yê": "u", "uô": "i", "ươ": "iu", "y": "u", "ya": "",
    "ia": "", "ưa": "", "ua": "", "ă": "", "oo": "", "ôô": "",
}


def _is_valid(s: Syllable) -> bool:
    glide = s.coda if s.coda in _OFFGLIDES else ""
    final = "" if glide else s.coda
    if s.nucleus in _OPEN_ONLY_WITH_CODA and not (final or (glide and s.nucleus not in ("ă", "oo", "ôô"))):
        return False
    if glide and glide not in _GLIDE_OK.get(s.nucleus, ""):
        return False
    if final in _STOP_CODAS and s.tone not in ("acute", "dot"):
        return False
    if final in ("ch", "nh") and s.nucleus not in ("a", "ê", "i", "y"):
        return False
    if s.nucleus in ("ia", "ưa", "ua", "ya") and final:
        return False
    if s.nucleus == "yê" and not (s.medial or s.onset == "" or s.onset == "qu"):
        return False  # "yê" after a consonant is spelled "iê", except uyê/quyê
    front = not s.medial and s.nucleus[0] in "eêiy"
    if s.onset in ("k", "gh", "ngh") and not front:
        return False
    if s.onset in ("c", "ng") and front or s.onset == "g" and not s.medial and s.nucleus[0] in "eê":
        return False
    return True


def _tone_index(vowels: str, final: str, style: ToneStyle) -> int:
    """Index in the vowel cluster of the letter that carries the tone mark."""
    if len(vowels) == 1:
        return 0
    if "ươ" in vowels:
        return vowels.index("ươ") + 1
    for i in range(len(vowels) - 1, -1, -1):
        if vowels[i] in _MODIFIED_VOWELS:
            return i
    if final:
        return len(vowels) - 1
    if len(vowels) == 3:
        return 1
    if style == "new" and vowels in ("oa", "oe", "uy"):
        return 1
    return 0


def compose(syl: Syllable, style: ToneStyle = "old") -> str:
    """Write a syllable in lower case with the tone in the chosen convention.

    >>> compose(Syllable("th", "u", "y", "", "hook"))
    'thủy'
    >>> compose(Syllable("th", "u", "y", "", "hook"), style="new")
    'thuỷ'
    """
    vowels = syl.vowels
    final = syl.final_consonant
    if syl.tone:
        i = _tone_index(vowels, final, style)
        marked = unicodedata.normalize("NFC", vowels[i] + _TONE_MARK[syl.tone])
        vowels = vowels[:i] + marked + vowels[i + 1:]
    return syl.onset + vowels + final


def is_valid(word: str) -> bool:
    """True when ``word`` is a well-formed Vietnamese syllable (any case).

    >>> is_valid("nghiêng"), is_valid("ngiêng"), is_valid("Đảng"), is_valid("tóan")
    (True, False, True, True)
    """
    return parse(word) is not None


@lru_cache(maxsize=131072)
def normalize_tone(word: str, style: ToneStyle = "old") -> str:
    """Move the tone mark of a syllable to its place in ``style``, keeping case.

    Words that are not Vietnamese syllables are returned unchanged.

    >>> normalize_tone("Hoà"), normalize_tone("THỦY", "new"), normalize_tone("quý")
    ('Hòa', 'THUỶ', 'quý')
    """
    if not _VN_TONED.search(unicodedata.normalize("NFD", word)):
        return word
    syl = parse(word)
    if syl is None:
        return word
    out = compose(syl, style)
    if out == word.lower():
        return word
    return apply_case(word, out)


def apply_case(pattern: str, word: str) -> str:
    """Give ``word`` the letter case of ``pattern``: lower, UPPER or Title.

    Mixed case inside a syllable is OCR noise (``sO``, ``thAm``), not meaning: a
    pattern that starts in lower case gives lower case, one that starts upper
    but is not all upper gives Title case.

    >>> apply_case("VIET", "việt"), apply_case("Viet", "việt"), apply_case("viet", "Việt"), apply_case("sO", "số")
    ('VIỆT', 'Việt', 'việt', 'số')
    """
    letters = [c for c in pattern if c.isalpha()]
    if not letters or letters[0].islower():
        return word.lower()
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return word.upper()
    return word[:1].upper() + word[1:].lower()
