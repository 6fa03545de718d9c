"""Document codes with their Đ back: ``56/2017/ND-CP`` → ``56/2017/NĐ-CP`` (``Config(codes="restore")``).

Codes pass through byte for byte by default. Text typed without marks, and OCR
that does not know Vietnamese, write the Đ of the abbreviations inside a code
as D; with ``codes="restore"`` each run of capitals that spells a known
abbreviation without its Đ gets the Đ back:

- the whole run (``ND`` → NĐ, ``QD`` → QĐ, ``BLDTBXH`` → BLĐTBXH), or the B, S or P
  of a ministry, department or office (Bộ, Sở, Phòng) before a known abbreviation
  (``SGDDT`` → SGDĐT, Sở GDĐT; ``PGDDT`` → PGDĐT);
- only when running text writes that abbreviation with its Đ at least as often as
  without (``CD`` stays: running text means CĐ by it 22 times in 216). The user's
  own abbreviations (``extra_words``) always count.

>>> from vnfix.lexicon import default_lexicon
>>> lex = default_lexicon()
>>> restore_code("56/2017/ND-CP", lex), restore_code("496/QD-UBND", lex), restore_code("2896/SGDDT-VP", lex)
('56/2017/NĐ-CP', '496/QĐ-UBND', '2896/SGDĐT-VP')
>>> restore_code("28-CT/TW", lex), restore_code("CD-ROM", lex)
('28-CT/TW', 'CD-ROM')
"""

from __future__ import annotations

import math

import regex

from .lexicon import Lexicon

# A run of capitals with a D, not part of a longer word (TTg, Th.U are left as they are).
_RUN = regex.compile(r"(?<!\p{L})[A-Z]*D[A-Z]*(?!\p{L})")
_EVEN = math.log(0.5)  # written with its Đ at least as often as without
_OFFICES = frozenset("BSP")  # Bộ, Sở, Phòng: the letter an office puts before its field's abbreviation


def _with_eth(run: str, lex: Lexicon) -> str | None:
    acro = lex.acronyms.get(run)
    if acro is None or acro == run:
        return None
    if acro in lex.user_acronyms or lex.acronym_marks.get(acro, _EVEN) >= _EVEN:
        return acro
    return None


def restore_code(code: str, lex: Lexicon) -> str:
    """``code`` with the Đ of its abbreviations back (see the module notes); unchanged when none applies."""
    if "D" not in code:
        return code

    def fix(m: regex.Match[str]) -> str:
        run = m.group()
        whole = _with_eth(run, lex)
        if whole is not None:
            return whole
        rest = _with_eth(run[1:], lex) if len(run) >= 4 and run[0] in _OFFICES else None
        return run[0] + rest if rest is not None else run

    return _RUN.sub(fix, code)
