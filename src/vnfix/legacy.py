"""Legacy Vietnamese encodings: TCVN3 (ABC), VNI-Windows and VIQR.

Old Vietnamese archives are full of pre-Unicode text.  TCVN3 and VNI files are
bytes meant for special fonts; read as Windows-1252 (or Latin-1) they turn into
the familiar mojibake.  VIQR is 7-bit ASCII with mnemonic marks (RFC 1456)::

    Unicode  Việt Nam
    TCVN3    ViÖt Nam     .VnTime fonts: one byte per letter
    VNI      Vieät Nam    VNI-Times fonts: base letter + one mark byte
    VIQR     Vie^.t Nam   ( breve, ^ circumflex, + horn, ' ` ? ~ . tones, dd = đ

``decode``/``encode`` work on bytes, ``to_unicode``/``from_unicode`` on the
mojibake (or VIQR) string, and ``detect`` guesses which encoding a text is in.
Output is always NFC.

>>> to_unicode("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam", "vni")
'Cộng hòa xã hội chủ nghĩa Việt Nam'
>>> detect("§éc lËp - Tù do - H¹nh phóc").encoding
'tcvn3'

Every table below is generated from three small facts per encoding (how it
writes a modifier, a tone, and their combination), so that tests can check the
generated tables letter by letter instead of trusting long literals.

TCVN3 and capitals
------------------
TCVN3 (TCVN 5712:1993 VN3) has single bytes for the 67 lower-case letters but,
of the 67 upper-case ones, only Ă Â Ê Ô Ơ Ư Đ; a toned capital such as Ệ does
not exist.  Writers switched to the all-capital ".VnTimeH" font, which draws
the lower-case codes as capitals, so the case lives in the font, not the text.
Hence:

* ``from_unicode``/``encode`` write each of the 60 toned capitals with its
  lower-case code, exactly as ABC keyboards did (lossy by design, no error).
* ``to_unicode``/``decode`` decode those codes as lower case, then (unless
  ``restore_caps=False``) upper-case them inside upper-case words, so
  "CéNG HOµ X· HéI" gives "CỘNG HOÀ XÃ HỘI" and "ñY BAN" gives "ỦY BAN" (a
  capital after the toned letter decides), while "ñy ban" stays "ủy ban".  A
  word with no other capital, or with a single leading capital, follows its
  neighbours on the line (see ``_restore_caps``); an isolated "Ệ" comes back
  as "ệ".
* Bytes VN3 leaves unassigned are read as in its supersets VN1/VN2 (glibc's
  TCVN5712-1): 16 toned capitals of ă â ê ô and five combining tone marks.
  Bytes 0x80-0x9F are read as Windows-1252 punctuation (VN3 keeps C1 free).

VIQR
----
As RFC 1456 says, a mark attaches only where it makes a legal letter ("u(" stays
as is); a backslash keeps a mark (or d, D, backslash) literal, and
``from_unicode`` writes those escapes where needed ("ba\\." for "ba.").  "dd",
"DD" and "Dd" are đ/Đ anywhere; "d9", a VNI-typing habit, only at a word start
before a vowel.  Encoding names are case-insensitive; "abc", "vn3" and
"vni-windows" are accepted as aliases.

Other limitations: VNI here is VNI-Windows (not VNI-Mac or VNI-DOS); the
mojibake must be the cp1252/Latin-1 reading (not e.g. cp1258 or UTF-8 of it);
VIQR's mode switches (\\V \\M \\L) are not interpreted.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "LEGACY_ENCODINGS",
    "LOWER_LETTERS",
    "TCVN3_LOSSY_CAPITALS",
    "UPPER_LETTERS",
    "Detection",
    "decode",
    "detect",
    "encode",
    "from_unicode",
    "to_unicode",
]

LEGACY_ENCODINGS = ("tcvn3", "vni", "viqr")
_ALIASES = {"abc": "tcvn3", "tcvn": "tcvn3", "tcvn-3": "tcvn3", "vn3": "tcvn3", "vni-windows": "vni"}

# --- The Vietnamese alphabet, from parts -----------------------------------------------
_VOWELS = "aăâeêioôơuưy"
# No tone, then the traditional order huyền, hỏi, ngã, sắc, nặng (the order legacy tables use).
_TONES = ("", "\u0300", "\u0309", "\u0303", "\u0301", "\u0323")
_BREVE, _CIRCUMFLEX, _HORN = "\u0306", "\u0302", "\u031b"
_STOP_TONES = {"\u0301", "\u0323"}  # the only tones allowed before a final c, ch, p, t


def _nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


_ALL_VOWEL_FORMS = tuple(_nfc(v + t) for v in _VOWELS for t in _TONES)
#: The 67 lower-case letters that carry a mark (66 vowel forms + đ), the ones legacy encodings must encode.
LOWER_LETTERS: tuple[str, ...] = tuple(v for v in _ALL_VOWEL_FORMS if v not in "aeiouy") + ("đ",)
#: Their 67 capitals.
UPPER_LETTERS: tuple[str, ...] = tuple(c.upper() for c in LOWER_LETTERS)
_TONED = tuple(_nfc(v + t) for v in _VOWELS for t in _TONES[1:])  # 60 lower-case toned vowels
#: Capitals TCVN3 (VN3) cannot encode: written with the lower-case code, read back by context.
TCVN3_LOSSY_CAPITALS: frozenset[str] = frozenset(c.upper() for c in _TONED)


def _split(letter: str) -> tuple[str, str, str]:
    """'ệ' -> ('e', circumflex, dot below): ASCII base, modifier mark, tone mark."""
    if letter in "đĐ":
        return letter, "", ""
    decomposed = unicodedata.normalize("NFD", letter)
    base, marks = decomposed[0], decomposed[1:]
    mod = next((m for m in marks if m in (_BREVE, _CIRCUMFLEX, _HORN)), "")
    tone = next((m for m in marks if m in _TONES[1:]), "")
    return base, mod, tone


# --- Windows-1252 / Latin-1: the bridge between bytes and mojibake strings --------------
# Legacy bytes 0x80-0x9F read as Latin-1 give C1 controls, as cp1252 give punctuation; the
# fonts drew cp1252's glyphs there, so mojibake is normalised to the cp1252 reading.
_C1_TO_CP1252: dict[int, str] = {}
for _b in range(0x80, 0xA0):
    try:
        _C1_TO_CP1252[_b] = bytes([_b]).decode("cp1252")
    except UnicodeDecodeError:  # 0x81 0x8D 0x8F 0x90 0x9D are undefined in cp1252: keep Latin-1
        pass


def _bytes_to_text(data: bytes) -> str:
    return bytes(data).decode("latin-1").translate(_C1_TO_CP1252)


def _byte_of(ch: str) -> int | None:
    """The byte a cp1252-readable character stands for, or None."""
    try:
        return ch.encode("cp1252")[0]
    except UnicodeEncodeError:
        return ord(ch) if 0x80 <= ord(ch) < 0xA0 and ord(ch) not in _C1_TO_CP1252 else None


# --- TCVN3 ------------------------------------------------------------------------------
# 0xA1-0xA7 Ă Â Ê Ô Ơ Ư Đ, 0xA8-0xAE ă â ê ô ơ ư đ; the 60 toned lower-case vowels fill
# 0xB5-0xFE in alphabet x tone order, skipping 16 holes that VN1/VN2 give to the capitals of
# ă â ê ô with huyền, hỏi, ngã, sắc (in that order); VN2 has combining tones at 0xB0-0xB4.
_TCVN3_HOLES = (0xAF, 0xBA, *range(0xBF, 0xC6), 0xCD, 0xD9, 0xDA, 0xDB, 0xE0, 0xF0, 0xFF)
_TCVN3_TONED_BYTES = tuple(b for b in range(0xB5, 0xFF) if b not in _TCVN3_HOLES)
_TCVN3_VN3: dict[str, str] = {  # letter -> mojibake character
    **{u: chr(0xA1 + i) for i, u in enumerate("ĂÂÊÔƠƯĐ")},
    **{u: chr(0xA8 + i) for i, u in enumerate("ăâêôơưđ")},
    **{u: chr(b) for u, b in zip(_TONED, _TCVN3_TONED_BYTES, strict=True)},
}
_VN2_CAPITALS = [_nfc(v + t).upper() for v in "ăâêô" for t in _TONES[1:5]]
_TCVN3_VN2_EXTRA = {chr(b): u for b, u in zip(_TCVN3_HOLES, _VN2_CAPITALS, strict=True)} | {
    chr(0xB0 + i): t for i, t in enumerate(_TONES[1:])
}
_TCVN3_DECODE = {c: u for u, c in _TCVN3_VN3.items()} | _TCVN3_VN2_EXTRA
_TCVN3_ENCODE = _TCVN3_VN3 | {c: _TCVN3_VN3[c.lower()] for c in TCVN3_LOSSY_CAPITALS}
_TCVN3_CASELESS = frozenset(_TCVN3_VN3[t] for t in _TONED)  # codes whose case only the font knew

# --- VNI-Windows ------------------------------------------------------------------------
# A vowel is its ASCII base followed by one mark byte; circumflex or breve fuse with the tone
# into one byte.  ơ ư đ, toned i and ỵ are single bytes.  Capitals are the lower-case bytes
# upper-cased (every byte used is a Latin-1 letter whose capital is 0x20 lower).
_VNI_TONE = dict(zip(_TONES[1:], "øûõùï", strict=True))
_VNI_CIRCUMFLEX = dict(zip(_TONES, "âàåãáä", strict=True))
_VNI_BREVE = dict(zip(_TONES, "êèúüéë", strict=True))
_VNI_I = dict(zip(_TONES[1:], "ìæóíò", strict=True))
_VNI_SINGLE = {"ơ": "ô", "ư": "ö", "đ": "ñ", "ỵ": "î"} | {_nfc("i" + t): c for t, c in _VNI_I.items()}


def _vni_lower(letter: str) -> str:
    if letter in _VNI_SINGLE:
        return _VNI_SINGLE[letter]
    base, mod, tone = _split(letter)
    if mod == _CIRCUMFLEX:
        return base + _VNI_CIRCUMFLEX[tone]
    if mod == _BREVE:
        return base + _VNI_BREVE[tone]
    head = _VNI_SINGLE[_nfc(base + mod)] if mod == _HORN else base
    return head + _VNI_TONE.get(tone, "")


_VNI_ENCODE = {u: _vni_lower(u) for u in LOWER_LETTERS} | {u.upper(): _vni_lower(u).upper() for u in LOWER_LETTERS}
_VNI_STANDALONE = {c: u for u, c in _VNI_SINGLE.items()}  # lower-case mojibake -> letter
_VNI_MARKS: dict[str, tuple[str, str]] = {  # lower-case mark byte -> (modifier, tone)
    **{c: ("", t) for t, c in _VNI_TONE.items()},
    **{c: (_CIRCUMFLEX, t) for t, c in _VNI_CIRCUMFLEX.items()},
    **{c: (_BREVE, t) for t, c in _VNI_BREVE.items()},
}
_VNI_USED = frozenset(k for c in (*_VNI_STANDALONE, *_VNI_MARKS) for k in (c, c.upper()))

# --- VIQR (RFC 1456) ----------------------------------------------------------------------
_VIQR_TONE = dict(zip("`?~'.", _TONES[1:], strict=True))
_VIQR_MOD = {"(": _BREVE, "^": _CIRCUMFLEX, "+": _HORN}
_VIQR_MOD_BASES = {_BREVE: "a", _CIRCUMFLEX: "aeo", _HORN: "ou"}  # a mark only attaches if legal
_VIQR_ESCAPABLE = frozenset("`?~'.(^+\\dD")
_VIQR_MARK_OF = {v: k for k, v in (_VIQR_MOD | _VIQR_TONE).items()} | {"": ""}
_VIQR_ENCODE = {"đ": "dd", "Đ": "DD"} | {
    u: "".join(_VIQR_MARK_OF.get(part, part) for part in _split(u))
    for u in LOWER_LETTERS + UPPER_LETTERS
    if u not in "đĐ"
}


# --- Public API ---------------------------------------------------------------------------
def _check(encoding: str) -> str:
    name = str(encoding).strip().lower().replace("_", "-")
    name = _ALIASES.get(name, name)
    if name not in LEGACY_ENCODINGS:
        raise ValueError(f"unknown legacy encoding {encoding!r}: expected one of {', '.join(LEGACY_ENCODINGS)}")
    return name


def to_unicode(text: str, encoding: str, *, restore_caps: bool = True) -> str:
    """Repair mojibake of TCVN3/VNI bytes read as cp1252 or Latin-1, or VIQR text.

    Characters that are not part of the legacy encoding pass through unchanged.
    ``restore_caps`` (TCVN3 only) upper-cases toned letters inside upper-case
    words, undoing the .VnTimeH capital-font convention.

    >>> to_unicode("ViÖt Nam", "tcvn3")
    'Việt Nam'
    >>> to_unicode("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM", "tcvn3")
    'CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM'
    >>> to_unicode("Vieät Nam", "vni")
    'Việt Nam'
    >>> to_unicode("DDu+o+`ng pho^' Ha` No^.i\\\\.", "viqr")
    'Đường phố Hà Nội.'
    """
    enc = _check(encoding)
    text = _nfc(text)
    if enc == "viqr":
        return _nfc(_viqr_to_unicode(text))
    text = text.translate(_C1_TO_CP1252)
    if enc == "vni":
        return _nfc(_vni_to_unicode(text))
    out = [_TCVN3_DECODE.get(ch, ch) for ch in text]
    if restore_caps:
        _restore_caps(out, [ch in _TCVN3_CASELESS for ch in text])
    return _nfc("".join(out))


def from_unicode(text: str, encoding: str, *, errors: str = "strict") -> str:
    """Write Unicode text the way ``to_unicode`` reads it: cp1252-readable mojibake, or VIQR.

    A character the encoding cannot hold (anything non-ASCII for VIQR; for
    TCVN3/VNI a non-cp1252 character, or one whose byte the encoding uses for a
    letter, such as "ü") raises ``UnicodeEncodeError`` (a ``ValueError``), or
    becomes "?" with ``errors="replace"``, or is dropped with ``errors="ignore"``.
    TCVN3 writes toned capitals with the lower-case code (see the module notes).
    VIQR escapes with a backslash any mark that would otherwise attach.

    >>> from_unicode("Việt Nam", "vni")
    'Vieät Nam'
    >>> from_unicode("Việt Nam", "tcvn3")
    'ViÖt Nam'
    >>> from_unicode("Xin chào.", "viqr")
    'Xin cha`o\\\\.'
    """
    enc = _check(encoding)
    if errors not in ("strict", "replace", "ignore"):
        raise ValueError(f"errors must be 'strict', 'replace' or 'ignore', not {errors!r}")
    text = _clean(_nfc(text), enc, errors)
    if enc == "viqr":
        return _viqr_from_unicode(text)
    table = _TCVN3_ENCODE if enc == "tcvn3" else _VNI_ENCODE
    return "".join(table.get(ch, ch) for ch in text)


def decode(data: bytes, encoding: str, *, restore_caps: bool = True) -> str:
    """Decode legacy bytes to Unicode (NFC).

    TCVN3/VNI bytes are taken as read through cp1252 (Latin-1 for the five bytes
    cp1252 leaves undefined); VIQR bytes as UTF-8, or cp1252 if they are not.

    >>> decode(b"Vi\\xd6t Nam", "tcvn3")
    'Việt Nam'
    >>> decode(b"Vie\\xe4t Nam", "vni")
    'Việt Nam'
    """
    enc = _check(encoding)
    if enc == "viqr":
        try:
            return to_unicode(bytes(data).decode("utf-8"), enc)
        except UnicodeDecodeError:
            pass
    return to_unicode(_bytes_to_text(data), enc, restore_caps=restore_caps)


def encode(text: str, encoding: str, *, errors: str = "strict") -> bytes:
    """Encode Unicode text to legacy bytes; ``errors`` as in ``from_unicode``.

    >>> encode("Việt Nam", "tcvn3")
    b'Vi\\xd6t Nam'
    >>> encode("Việt Nam", "viqr")
    b'Vie^.t Nam'
    """
    legacy = from_unicode(text, encoding, errors=errors)
    return bytes(_byte_of(ch) for ch in legacy)  # type: ignore[misc]  # from_unicode left only mappable chars


# --- Converters -----------------------------------------------------------------------------
def _representable(ch: str, enc: str) -> bool:
    if enc == "viqr":
        return ch < "\x80" or ch in _VIQR_ENCODE
    if ch in (_TCVN3_ENCODE if enc == "tcvn3" else _VNI_ENCODE):
        return True
    used = _TCVN3_DECODE if enc == "tcvn3" else _VNI_USED
    return _byte_of(ch) is not None and ch not in used  # else it would read back as a letter


def _clean(text: str, enc: str, errors: str) -> str:
    out: list[str] = []
    for i, ch in enumerate(text):
        if _representable(ch, enc):
            out.append(ch)
        elif errors == "strict":
            raise UnicodeEncodeError(enc, text, i, i + 1, f"character cannot be represented in {enc}")
        elif errors == "replace":
            out.append("?")
    return "".join(out)


def _vni_to_unicode(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch, low = text[i], text[i].lower()
        nxt = text[i + 1].lower() if i + 1 < n else ""
        if low in _VNI_STANDALONE:
            letter = _VNI_STANDALONE[low]
            if letter in "ơư" and nxt in _VNI_MARKS and _VNI_MARKS[nxt][0] == "":
                letter, i = _nfc(letter + _VNI_MARKS[nxt][1]), i + 1
        elif low in "aeouy" and nxt in _VNI_MARKS:
            mod, tone = _VNI_MARKS[nxt]
            legal = mod == "" or (mod == _CIRCUMFLEX and low in "aeo") or (mod == _BREVE and low == "a")
            letter, i = (_nfc(low + mod + tone), i + 1) if legal else (low, i)
        else:
            out.append(ch)
            i += 1
            continue
        # Case follows the base letter; marks of either case are accepted.
        out.append(letter.upper() if ch.isupper() else letter)
        i += 1
    return "".join(out)


def _viqr_to_unicode(text: str) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        nxt = text[i + 1] if i + 1 < n else ""
        if ch == "\\" and nxt in _VIQR_ESCAPABLE:  # escaped mark: literal
            out.append(nxt)
            i += 2
        elif (
            ch in "dD"
            and (
                nxt == "d"
                or (ch == "D" and nxt == "D")  # dd, DD, Dd
                # "d9" (a VNI typing habit) only where unambiguous: at a word start, before a vowel
                or (nxt == "9" and text[i + 2 : i + 3] in tuple("aeiouyAEIOUY") and not (out and out[-1].isalnum()))
            )
        ):
            out.append("đ" if ch == "d" else "Đ")
            i += 2
        elif ch in "aeiouyAEIOUY":
            j, mod, tone = i + 1, "", ""
            if j < n and text[j] in _VIQR_MOD and ch.lower() in _VIQR_MOD_BASES[_VIQR_MOD[text[j]]]:
                mod, j = _VIQR_MOD[text[j]], j + 1
            if j < n and text[j] in _VIQR_TONE:
                tone, j = _VIQR_TONE[text[j]], j + 1
            out.append(_nfc(ch + mod + tone))
            i = j
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _viqr_from_unicode(text: str) -> str:
    out: list[str] = []
    # (base, has modifier, has tone) of the vowel just written, while a mark could still attach to it
    open_vowel: tuple[str, bool, bool] | None = None
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if ch in _VIQR_ENCODE or ch in "aeiouyAEIOUY":
            base, mod, tone = _split(ch)
            out.append(_VIQR_ENCODE.get(ch, ch))
            open_vowel = (base.lower(), bool(mod), bool(tone)) if base in "aeiouyAEIOUY" else None
            continue
        if ch in _VIQR_TONE or ch in _VIQR_MOD:
            attaches = (
                open_vowel is not None
                and not open_vowel[2]
                and (ch in _VIQR_TONE or (not open_vowel[1] and open_vowel[0] in _VIQR_MOD_BASES[_VIQR_MOD[ch]]))
            )
            out.append("\\" + ch if attaches else ch)
        elif ch in "dD":
            # A plain d would pair with a following d (D with d or D) into đ, or form "d9".
            first = {"đ": "d", "Đ": "D"}.get(nxt, nxt)
            out.append("\\" + ch if first == "9" or first == "d" or (ch == "D" and first == "D") else ch)
        elif ch == "\\":
            out.append("\\\\" if nxt in _VIQR_ESCAPABLE or nxt in "đĐ" else ch)
        else:
            out.append(ch)
        open_vowel = None
    return "".join(out)


_CHUNK = re.compile(r"[^\s]+")
_LETTER_RUN = re.compile(r"[^\W\d_]+")


def _nearest_decided(kinds: list[str]) -> list[str | None]:
    """For each chunk, the kind of the nearest non-neutral chunk before it (None if there is none)."""
    nearest: list[str | None] = []
    last = None
    for kind in kinds:
        nearest.append(last)
        if kind != "neutral":
            last = kind
    return nearest


def _is_capital_word(out: list[str], caseless: list[bool], s: int, e: int) -> bool:
    """Is the word out[s:e] upper-case by its own letters: no explicit lower-case letter, a caseless
    one, and an explicit capital after the first letter ("ñY" = "ỦY", "HéI")?  A lone leading
    capital ("X·") is not enough: title case ("Xã") is as likely."""
    if not any(caseless[s:e]) or any(out[k].islower() and not caseless[k] for k in range(s, e)):
        return False
    return any(out[k].isupper() and not caseless[k] for k in range(s + 1, e))


def _upper_caseless(out: list[str], caseless: list[bool], s: int, e: int) -> None:
    for k in range(s, e):
        if caseless[k]:
            out[k] = out[k].upper()


def _restore_caps(out: list[str], caseless: list[bool]) -> None:
    """Upper-case TCVN3 toned letters (caseless codes) that sit in upper-case words.

    A word (letter run) with a capital after a caseless letter ("ñY", "HéI") is
    upper-case by itself (see ``_is_capital_word``).  Beyond that, it works on
    whitespace-separated chunks of one line.  A chunk with an explicit
    lower-case letter stays as is; one with two or more explicit capitals, or
    with such a word, is upper-case.  Otherwise it follows the nearest decided
    chunks on the line: with no explicit capital, if a neighbour is upper-case
    and none is lower-case ("HéI" then "µ"); with one capital (like "X·", "Xã"
    or "XÃ"), only between two upper-case neighbours, since a lone title-case
    word ("Sè:" = "Số:") is likelier.
    """
    text = "".join(out)  # TCVN3 decodes one character to one character, so indices agree
    for line_match in re.finditer(r"[^\n]+", text):
        chunks: list[tuple[int, int, str, int, bool]] = []  # start, end, kind, capitals, has caseless
        for m in _CHUNK.finditer(text, line_match.start(), line_match.end()):
            s, e = m.span()
            lower = sum(out[k].islower() and not caseless[k] for k in range(s, e))
            upper = sum(out[k].isupper() and not caseless[k] for k in range(s, e))
            capital_words = [
                w.span() for w in _LETTER_RUN.finditer(text, s, e) if _is_capital_word(out, caseless, *w.span())
            ]
            kind = "lower" if lower else "upper" if upper >= 2 or capital_words else "neutral"
            chunks.append((s, e, kind, upper, any(caseless[s:e])))
            if lower:  # the rest of the chunk stays as is ("HéI-x·" = "HỘI-xã")
                for ws, we in capital_words:
                    _upper_caseless(out, caseless, ws, we)
        kinds = [c[2] for c in chunks]
        # Two linear passes, not a scan per chunk: a line can hold many thousands of neutral chunks.
        lefts, rights = _nearest_decided(kinds), _nearest_decided(kinds[::-1])[::-1]
        for (s, e, kind, upper, has_caseless), left, right in zip(chunks, lefts, rights, strict=True):
            if not has_caseless or kind == "lower":
                continue
            if kind == "neutral":
                sides = [k for k in (left, right) if k]
                if upper == 0 and not (sides and all(k == "upper" for k in sides)):
                    continue
                if upper == 1 and not (left == right == "upper"):
                    continue
            _upper_caseless(out, caseless, s, e)


# --- Detection --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Detection:
    """What ``detect`` found: an encoding name, or None for Unicode (or unknown) text.

    >>> found = detect("Hello world")
    >>> found.encoding, found.confidence
    (None, 1.0)
    >>> found.evidence
    'reads as is (0% Vietnamese syllables); no legacy reading repairs a word'
    """

    encoding: str | None
    confidence: float
    evidence: str


_ONSETS = frozenset("b c ch d đ g gh gi h k kh l m n ng ngh nh p ph qu r s t th tr v x".split())  # noqa: SIM905
_RHYMES = frozenset(
    """a ai ao au ay ac ach am an ang anh ap at ăc ăm ăn ăng ăp ăt âc âm ân âng âp ât âu ây
    e eo ec em en eng ep et ê êu êch êm ên ênh êp êt
    i ia iu ich im in inh ip it iêc iêm iên iêng iêp iêt iêu
    o oi oc om on ong op ot ooc oong ô ôi ôc ôm ôn ông ôp ôt ơ ơi ơm ơn ơp ơt
    u ua ui uc um un ung up ut uôc uôi uôm uôn uông uôt
    ư ưa ưi ưu ưc ưm ưn ưng ưt ươc ươi ươm ươn ương ươp ươt ươu y yêm yên yêng yêt yêu
    oa oai oao oay oac oach oam oan oang oanh oap oat oăc oăm oăn oăng oăt oe oeo oen oet
    uân uâng uât uây uê uêch uênh uy uya uych uyên uyêt uynh uyt uyu uơ""".split()  # noqa: SIM905 (a table)
)
_FRONT = tuple("eêiy")


@lru_cache(maxsize=8192)
def _is_syllable(word: str) -> bool:
    """Can ``word`` be one Vietnamese syllable (onset + rhyme + legal tone)?  Used only to score."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = [m for m in decomposed if m in _TONES[1:]]
    if len(tones) > 1:
        return False
    bare = _nfc("".join(m for m in decomposed if m not in _TONES[1:]))
    if tones and bare.endswith(("c", "ch", "p", "t")) and tones[0] not in _STOP_TONES:
        return False
    for cut in range(min(3, len(bare)), -1, -1):
        onset, rhyme = bare[:cut], bare[cut:]
        if cut and onset not in _ONSETS:
            continue
        if onset == "qu":
            ok = not rhyme.startswith(("u", "ư")) and (rhyme in _RHYMES or "u" + rhyme in _RHYMES)
        else:
            ok = rhyme in _RHYMES and not (
                (onset in ("c", "ng", "g") and rhyme.startswith(_FRONT) and not (onset == "g" and rhyme[0] == "i"))
                or (onset in ("k", "gh", "ngh") and not rhyme.startswith(_FRONT))
            )
        if ok:
            return True
    return False


# Only ASCII and typographic punctuation is stripped from word ends: Latin-1 symbols such as
# "§" or "·" are letters in disguise (TCVN3 Đ, ã) and must count against the text as is.
_PUNCT = string.punctuation + "“”‘’„‚‹›–—…"
_PUNCT_BUT_VIQR = "".join(c for c in _PUNCT if c not in _VIQR_TONE and c not in _VIQR_MOD)
_PUNCT_BUT_DOT = _PUNCT.replace(".", "")


def _chunk_ok(chunk: str, viqr: bool = False) -> bool:
    """Is a whitespace-separated chunk, stripped of punctuation, Vietnamese syllables?

    For the VIQR reading a trailing mark stays on, so "So^'" is not taken for "So".
    """
    core = chunk.lstrip(_PUNCT).rstrip(_PUNCT_BUT_VIQR if viqr else _PUNCT)
    return all(_is_syllable(p) for p in re.split(r"[-/]", core))  # "Hà-Nội", "QĐ-UBND"


_VOWEL_LETTERS = frozenset("aeiouy" + "".join(_ALL_VOWEL_FORMS))


def _converted_ok(text: str) -> bool:
    """Is converted text Vietnamese?  Judged by letter runs, so "(m3)/giờ", "ngày03" or
    "MDMA" pass; runs without a vowel and upper-case ASCII acronyms are not judged."""
    runs = [
        r
        for r in _LETTER_RUN.findall(text)
        if _VOWEL_LETTERS.intersection(r.lower()) and not (r.isascii() and r.isupper() and len(r) > 1)
    ]
    return bool(runs) and all(_is_syllable(r) for r in runs)


_MARKED_VOWELS = frozenset(LOWER_LETTERS + UPPER_LETTERS) - {"đ", "Đ"}
# English that looks like VIQR: contractions (I'm = "Ím") and dotted abbreviations (a.m. = "ạm.").
_ENGLISH_MARKS = re.compile(r"[A-Za-z]+'(?:s|t|m|d|ll|re|ve)|(?:[A-Za-z]\.){2,}", re.IGNORECASE)
_MAX_CHUNKS = 3000  # enough to judge; keeps detect() fast on whole files


def _score(chunks: list[str], asis: list[bool], enc: str) -> tuple[float, int, float, str]:
    good = bad = valid = 0
    for chunk, ok_before in zip(chunks, asis, strict=True):
        conv = to_unicode(chunk, enc, restore_caps=False)
        if enc == "viqr" and conv != chunk:
            ok_before = _chunk_ok(chunk, viqr=True)
        ok_after = ok_before if conv == chunk else _converted_ok(conv)
        valid += ok_after
        if conv == chunk or (ok_before and ok_after):
            continue
        if enc == "viqr":
            # English punctuation is no evidence either way: "It's", "What?", "go."
            stem = chunk.rstrip(".?!,;:\"')")
            if _ENGLISH_MARKS.fullmatch(chunk.strip(_PUNCT_BUT_DOT)) or to_unicode(stem, enc) == stem:
                continue
        if ok_after:
            good += 1
        elif any(ch in _MARKED_VOWELS and ch not in chunk for ch in conv):
            bad += 1  # it produced Vietnamese letters, but not Vietnamese words
    coverage = valid / len(chunks)
    purity = good / (good + 2 * bad) if good else 0.0  # real legacy text almost never spoils a word
    # The right reading repairs a good share of the words that fail as read; a few repairs among
    # many failing words are chance (OCR output: "ddi" read as đi, "vi." at a sentence end as vị).
    failing = len(asis) - sum(asis)
    share = min(1.0, good / (0.3 * failing)) if failing else 1.0
    confidence = purity * (1 - 0.3**good) * min(1.0, coverage / 0.6) ** 2 * share  # legacy text reads as Vietnamese
    why = f"{enc}: repaired {good} of {len(chunks)} words, spoiled {bad}, {coverage:.0%} Vietnamese after"
    return confidence, good, coverage, why


def detect(text: str | bytes) -> Detection:
    """Guess whether ``text`` is TCVN3 or VNI mojibake, VIQR, or neither (None).

    Each hypothesis is scored by how many words it turns from non-Vietnamese into
    valid Vietnamese syllables versus into non-words, and by how Vietnamese the
    whole text becomes.  Bytes that are valid UTF-8 are judged as that text,
    others as read through cp1252.  Plain Unicode Vietnamese and English come out
    as None with high confidence; VIQR needs marks inside words, so "What?",
    "It's", "v.v." or "U.S." are no evidence.

    >>> d = detect("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam")
    >>> d.encoding, d.confidence >= 0.9
    ('vni', True)
    >>> detect("Cộng hòa xã hội chủ nghĩa Việt Nam").encoding is None
    True
    """
    if isinstance(text, (bytes, bytearray, memoryview)):
        data = bytes(text)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = _bytes_to_text(data)
    text = _nfc(text).translate(_C1_TO_CP1252)
    chunks = [c for c in text.split() if any(ch.isalpha() for ch in c)][:_MAX_CHUNKS]
    if not chunks:
        return Detection(None, 0.0, "no words to judge")
    asis = [_chunk_ok(c) for c in chunks]
    scores = sorted(((*_score(chunks, asis, enc), enc) for enc in LEGACY_ENCODINGS), reverse=True)
    (best, good, cov, why, enc), (second, good2, cov2, _, _) = scores[0], scores[1]
    # A rival reading lowers trust by its own strength, scaled by how many words it repairs
    # and how Vietnamese it leaves the text, relative to the best reading.
    rival = second * min(1.0, good2 / good) * min(1.0, cov2 / cov) ** 2 if good else 0.0
    confidence = best * (1 - 0.5 * rival)
    if confidence >= 0.5:
        return Detection(enc, round(confidence, 3), why)
    vietnamese = sum(asis) / len(asis)
    best_reading = f"best legacy reading {why}" if good else "no legacy reading repairs a word"
    return Detection(
        None, round(1 - confidence, 3), f"reads as is ({vietnamese:.0%} Vietnamese syllables); {best_reading}"
    )
