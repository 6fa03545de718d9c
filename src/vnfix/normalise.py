"""Unicode normalisation: one spelling for every Vietnamese letter.

Input arrives as NFC, NFD, "composed base + combining tone" (the Windows-1258
habit, with the marks in any order), or with lookalike letters such as the
Icelandic eth ``Ð`` typed for ``Đ``. All of it becomes NFC with the letter
modifiers (breve, circumflex, horn) applied before the tone. Idempotent.

>>> normalise("Vie\u0323\u0302t Nam") == "Việt Nam"
True
>>> normalise("ÐẢNG")
'ĐẢNG'
"""

from __future__ import annotations

import unicodedata

import regex

# Lookalikes of Đ/đ (the Icelandic eth, the African D): replaced only inside words that
# then read as Vietnamese syllables, so that "ÐẢNG" is mended and "Guðrún" kept.
_LOOKALIKES_OF_D = "\u00d0\u00f0\u0189\u0256"
_LOOKALIKES = str.maketrans(_LOOKALIKES_OF_D, "\u0110\u0111\u0110\u0111")
# (anchored at a word start: unanchored, the leading run makes a search quadratic on long words)
_LOOKALIKE_WORD = regex.compile(r"(?<![\p{L}\p{M}])[\p{L}\p{M}]*[" + _LOOKALIKES_OF_D + r"][\p{L}\p{M}]*")
_MODIFIER_MARKS = "\u0306\u0302\u031b"
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
_COMBINING = regex.compile(r"[\u0300-\u036f]")
# Runs of Latin letters with their combining marks: the only text normalisation touches,
# so that other scripts (and compatibility characters such as the Ohm sign) pass unchanged.
_LATIN_RUN = regex.compile(r"[\p{Latin}\p{M}]+")
_MARK_RUN = regex.compile(r"(\p{L})([\u0300-\u036f]{2,})")


def _reorder(m: regex.Match[str]) -> str:
    marks = m.group(2)
    # Modifiers before tones so that NFC composes e+^+` to ề, not è+^.
    ordered = sorted(marks, key=lambda c: (0 if c in _MODIFIER_MARKS else 1 if c in _TONE_MARKS else 2))
    seen: list[str] = []
    for c in ordered:
        if c not in seen:  # a doubled mark is a typing slip, not meaning
            seen.append(c)
    return m.group(1) + "".join(seen)


def _compose(m: regex.Match[str]) -> str:
    run = m.group()
    if run.isascii():
        return run
    return unicodedata.normalize("NFC", _MARK_RUN.sub(_reorder, unicodedata.normalize("NFD", run)))


def _mend_lookalike(m: regex.Match[str]) -> str:
    from .syllable import parse

    word = m.group()
    mended = unicodedata.normalize("NFC", word.translate(_LOOKALIKES))
    return mended if len(mended) == 1 or parse(mended) else word


def normalise(text: str) -> str:
    """Return ``text`` with Vietnamese letters in NFC, marks in canonical order.

    Only Latin letters and their marks are touched; other scripts pass unchanged.

    >>> normalise("hoa\u0300") == "hoà"
    True
    >>> normalise("Guðrún \u2126")  == "Guðrún \u2126"
    True
    """
    if text.isascii():
        return text
    if unicodedata.is_normalized("NFC", text) and not _COMBINING.search(text):
        out = text
    else:
        out = _LATIN_RUN.sub(_compose, text)
    # (asked of the string first: the pattern's search costs some 25 microseconds a line)
    if any(c in out for c in _LOOKALIKES_OF_D) and _LOOKALIKE_WORD.search(out):
        out = _LOOKALIKE_WORD.sub(_mend_lookalike, out)
    return out
