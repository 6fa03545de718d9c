"""The options of a ``Fixer``: one typed, immutable object, documented option by option.

>>> from vnfix import Config
>>> cfg = Config(tone_style="new")
>>> cfg.tone_style, cfg.replace(beam=16).beam
('new', 16)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

from .syllable import ToneStyle

Repair = Literal["ocr", "diacritics"]
Codes = Literal["keep", "restore"]


@dataclass(frozen=True)
class Config:
    """How vnfix repairs text. Every field has a safe default; ``Config()`` is what ``fix_text`` uses."""

    repair: Repair = "ocr"
    """``"ocr"``: every word may be damaged (missing or wrong marks, letters misread as
    digits or symbols) and is weighed against the language model; ``"diacritics"``:
    only words written without any mark get their marks restored, every word that
    already carries marks is kept. Text typed without marks is taken for everyday
    writing: its readings lean a little to the syllables news and conversation use."""

    tone_style: ToneStyle = "old"
    """Where vnfix puts the tone mark in the words it writes: ``"old"`` (hòa, thủy, the
    usage of most government documents) or ``"new"`` (hoà, thuỷ)."""

    retone: bool = False
    """Also move the tone mark of words that need no other repair to ``tone_style``.
    Off by default: correct Vietnamese is left exactly as written."""

    threshold: float = 0.5
    """A repair is applied only when the model's confidence in it (the posterior of the
    chosen reading given its neighbours, 0..1) reaches this value; below it the word is
    left as it was. 0 applies every best guess. Marks restored to a word written with
    none at all (``nguoi`` → ``người``) are always applied: the unmarked spelling is
    the least likely reading. So is the repair of a word no one writes (``tiém``, marks
    no syllable has; ``ho1``, a digit among letters): leaving it is surely wrong."""

    beam: int = 8
    """How many decoder states survive each word, besides the best state of each of its
    readings (so no reading drops out). Larger is slower and rarely better."""

    max_candidates: int = 12
    """How many readings the fuzzy matcher proposes for a damaged word (OCR repair).
    Restoring marks always weighs every syllable the word spells without its marks."""

    codes: Codes = "keep"
    """``"keep"``: document codes (``28-CT/TW``, ``56/2017/ND-CP``), like numbers, e-mails and
    URLs, pass through byte for byte. ``"restore"``: inside a code, an abbreviation written
    without its Đ gets it back (``56/2017/ND-CP`` → ``56/2017/NĐ-CP``, ``QD-UBND`` →
    ``QĐ-UBND``) where running text mostly writes it with the Đ (see ``vnfix.codes``)."""

    extra_words: tuple[str, ...] = ()
    """Extra words, names or acronyms to know (``("Pắc Nậm", "UBMTTQ")``). A name of several
    syllables is written whole wherever its unmarked letters occur (``Pac Nam`` → ``Pắc Nậm``)."""

    lexicon_files: tuple[str, ...] = ()
    """Plain-text files of extra words, one per line (``#`` starts a comment)."""

    protect: tuple[str, ...] = ()
    """Regular expressions: any word overlapping a match is never changed (matched per line)."""

    def replace(self, **changes: object) -> Config:
        """A copy with some options changed."""
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]

    def __post_init__(self) -> None:
        if self.repair not in ("ocr", "diacritics"):
            raise ValueError(f"repair must be 'ocr' or 'diacritics', not {self.repair!r}")
        if self.tone_style not in ("old", "new"):
            raise ValueError(f"tone_style must be 'old' or 'new', not {self.tone_style!r}")
        if self.codes not in ("keep", "restore"):
            raise ValueError(f"codes must be 'keep' or 'restore', not {self.codes!r}")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be between 0 and 1, not {self.threshold!r}")
        if self.beam < 1 or self.max_candidates < 1:
            raise ValueError("beam and max_candidates must be at least 1")
        for name in ("extra_words", "lexicon_files", "protect"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, tuple):
                object.__setattr__(self, name, tuple([value] if isinstance(value, str) else value))
