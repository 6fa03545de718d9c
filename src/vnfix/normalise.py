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

# Lookalikes that only ever mean the Vietnamese letter in Vietnamese text.
_LOOKALIKES = str.maketrans({
    "\u00d0": "\u0110",  # Ð (Icelandic eth) -> Đ
    "\u00f0": "\u0111",  # ð -> đ
    "\u0189": "\u0110",  # Ɖ (African D) -> Đ
    "\u0256": "\u0111",  # ɖ -> đ
    "\u0340": "\u0300",  # deprecated combining grave tone mark
    "\u0341": "\u0301",  # deprecated combining acute tone mark
})
_MODIFIER_MARKS = "\u0306\u0302\u031b"
_TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
# A base letter followed by two or more combining marks.
_COMBINING = regex.compile(r"[\u0300-\u036f]")
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


def normalise(text: str) -> str:
    """Return ``text`` in NFC with Vietnamese marks in canonical order.

    >>> normalise("hoa\u0300") == "hoà"
    True
    """
    if text.isascii():
        return text
    text = text.translate(_LOOKALIKES)
    if unicodedata.is_normalized("NFC", text) and not _COMBINING.search(text):
        return text
    decomposed = unicodedata.normalize("NFD", text)
    decomposed = _MARK_RUN.sub(_reorder, decomposed)
    return unicodedata.normalize("NFC", decomposed)
