"""Rendering: write a chosen syllable back with the user's letter case and tone style.

>>> render("NGUOI", "người", "old"), render("Hoa", "hòa", "new"), render("hoà", "hòa", "old")
('NGƯỜI', 'Hoà', 'hoà')
>>> render("IY", "lý", "old"), render("Ly", "lý", "old")
('LÝ', 'Lý')

(Whether a capital is one at all is the fixer's question: OCR prints "Iy" for lý.)
"""

from __future__ import annotations

from .syllable import ToneStyle, apply_case, normalize_tone, parse


def render(original: str, chosen: str, style: ToneStyle) -> str:
    """The text to emit for ``original`` read as ``chosen`` (lower case, old tone style).

    A word whose reading is unchanged keeps its exact text, tone placement included:
    vnfix leaves correct Vietnamese alone.
    """
    low = original.lower()
    if (normalize_tone(low) if parse(low) else low) == chosen:
        return original
    text = normalize_tone(chosen, style) if style != "old" else chosen
    return apply_case(original, text)
