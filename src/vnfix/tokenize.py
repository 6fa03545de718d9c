"""A lossless tokenizer: ``"".join(t.text for t in tokenize(s)) == s`` for every string.

Each token has a kind. Only ``word`` tokens are ever repaired; numbers, codes
(``28-CT/TW``, ``121/2020/QH14``, ``25/12/2023``), URLs and e-mails pass through
byte for byte. OCR-damaged words such as ``s6``, ``B6``, ``x&``, ``tré¢`` or ``1&``
are words: a letter next to a digit or a stray symbol is how OCR misreads a mark.

>>> [(t.text, t.kind) for t in tokenize("Chi s6 28-CT/TW.")]
[('Chi', 'word'), (' ', 'space'), ('s6', 'word'), (' ', 'space'), ('28-CT/TW', 'code'), ('.', 'punct')]
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import Literal, NamedTuple

import regex

Kind = Literal["word", "number", "code", "url", "email", "punct", "space", "newline"]

# Symbols an English OCR engine prints for Vietnamese marked letters (tré¢, Hi€u, k¥, x&).
OCR_SYMBOLS = "&¢€¥£§"
# ... of which these, standing alone, are words too: & is read "và", and OCR prints & and ¢ for
# a whole short syllable (ở, có). (A lone € £ § goes with an amount or a section: punctuation;
# so does a lone ¥, unless it stands between two words: see _symbols_between_words.)
LONE_SYMBOLS = "&¢"
_URL_START = r"(?:https?|ftp)://|www\."  # a URL starts here: nothing before it may join across
_WORDCHARS = r"[\p{L}\p{M}\p{N}" + OCR_SYMBOLS + r"]"
_PATTERN = regex.compile(
    r"(?P<newline>\r\n|\r|\n)"
    r"|(?P<space>[^\S\r\n]+)"
    # Fast path: letters before a space or plain punctuation can only be a word (most tokens are).
    r"|(?P<letters>\p{L}+)(?=[\s,;!?()\[\]{}\"'“”‘’…]|\Z)"
    r"|(?P<url>(?:" + _URL_START + r")[^\s<>\"\x1c-\x1f\x85]*[^\s<>\"\x1c-\x1f\x85.,;:!?)\]}'’”])"
    r"|(?P<email>[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+)"  # bounded local part: linear on long runs
    # (OCR symbols join like the letters they stand for, so that "x&/121/2020/QH14" and its repair
    # "xã/121/2020/QH14" are read alike; a run does not take the local part of an e-mail)
    r"|(?P<joined>" + _WORDCHARS + r"+(?:[-/.:](?!" + _URL_START + r")" + _WORDCHARS + r"+)+(?!@|" + _WORDCHARS + r"))"
    # A word stops where a URL starts; it may start there when no URL does ("www." alone is a word
    # and a full stop, not "w", "ww" and ".").
    r"|(?P<word>" + _WORDCHARS + r"(?:(?!" + _URL_START + r")" + _WORDCHARS + r")*)"
    r"|(?P<punct>(?s:.))"
)
_HAS_LETTER = regex.compile(r"\p{L}")
_DIGIT_RUN = regex.compile(r"\d{3,}")
_ALNUM_CODE = regex.compile(r"\p{Lu}{2,}\d{2,}|\p{L}*\d+\p{Lu}\d+")
_PIECES = regex.compile(r"[-/.:]|[^-/.:]+")
# và/hoặc, Sở/ngành: words and a slash; not CT/TW (an acronym), nor vanban.gov.vn/a (a path).
_SLASHED_PIECE = r"(?:\p{Lu}?[\p{Ll}\p{M}" + OCR_SYMBOLS + r"]*|\p{Lu})"  # a word, or one capital
_SLASHED_WORDS = regex.compile(_SLASHED_PIECE + r"(?:/" + _SLASHED_PIECE + r")+")
_DIGIT = regex.compile(r"\d")
_NUMBER = regex.compile(r"\d+(?:[.,]\d+)*")
# Digits with & or ¢ and nothing else: no number or amount is written so (¢ is no Vietnamese
# currency); € £ ¥ § next to digits are amounts and sections (5€, §3), left alone.
_MISREAD_DIGITS = regex.compile(r"(?=.*[&¢])(?=.*\d)[\d&¢€¥£§]+")
_LETTERS_SLASHED = regex.compile(r"\p{L}(?:/\p{L})+")  # V/v (về việc), K/g (kính gửi): abbreviations
_LETTERS_DOTTED = regex.compile(r"\p{L}(?:\.\p{L})+")  # v.v (vân vân), T.Ư, N.V.A: abbreviations, initials

SENTENCE_END = frozenset(".!?;:…")


class Token(NamedTuple):
    """One piece of the input: its exact text, its kind and where it starts.

    (A named tuple: millions are made per megabyte of text, and tuples are made fast.)
    """

    text: str
    kind: Kind
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


# Token((text, kind, start)) without keyword handling: millions are made.
new_token = partial(tuple.__new__, Token)


def _word_kind(text: str) -> Kind:
    if text.isalpha():
        return "word"
    if not _HAS_LETTER.search(text):
        if len(text) == 1:
            return "number" if text.isdigit() else "word" if text in LONE_SYMBOLS else "punct"
        if len(text) <= 4 and _MISREAD_DIGITS.fullmatch(text):
            return "word"  # 1& (lệ), ¢6 (có): digits and symbols OCR printed for letters
        return "number" if text.isdigit() else "code"
    if _DIGIT_RUN.search(text) or _ALNUM_CODE.fullmatch(text):
        return "code"  # QH14, H5N1, S6363: identifiers, not damaged syllables
    return "word"


# Between two words (with a blank either side), a lone ¥ is a word: OCR's ý, as in "vé ¥ nghia"
# (ý nghĩa). Next to an amount or alone it is the yen sign (100 ¥), punctuation.
BETWEEN_WORDS = "¥"  # (one symbol)


def _symbols_between_words(tokens: list[Token]) -> Iterator[Token]:
    for i, tok in enumerate(tokens):
        if (tok.kind == "punct" and tok.text == BETWEEN_WORDS and 2 <= i < len(tokens) - 2
                and tokens[i - 1].kind == tokens[i + 1].kind == "space"
                and tokens[i - 2].kind == tokens[i + 2].kind == "word"):
            yield tok._replace(kind="word")
        else:
            yield tok


def _tokens(text: str) -> list[Token]:
    out: list[Token] = []
    add = out.append
    for m in _PATTERN.finditer(text):
        kind = m.lastgroup
        if kind == "letters":
            add(new_token((m.group(), "word", m.start())))
        elif kind == "joined":
            s, start = m.group(), m.start()
            if (_DIGIT.search(s) or ("/" in s and (not _SLASHED_WORDS.fullmatch(s) or _LETTERS_SLASHED.fullmatch(s)))
                    or _LETTERS_DOTTED.fullmatch(s)):
                add(new_token((s, "number" if _NUMBER.fullmatch(s) else "code", start)))
                continue
            # TP.HCM, Hà Nội-Việt Nam, và/hoặc: words joined by punctuation, not a code.
            for piece in _PIECES.finditer(s):
                p = piece.group()
                add(new_token((p, "punct" if p in "-/.:" else _word_kind(p), start + piece.start())))
        elif kind == "word":
            s = m.group()
            add(new_token((s, _word_kind(s), m.start())))
        else:
            add(new_token((m.group(), kind, m.start())))
    return out


_LEAD = frozenset("(\"'“‘[{")
_TRAIL = frozenset(",.;:!?)\"'”’…]}")


def _spaced(text: str) -> list[Token] | None:
    """The tokens of a line whose only blanks are single spaces between pieces (most lines), or None.

    No token but a blank runs across a space, and what a token's pattern looks at past its end
    is a blank or the end of the text alike, so each piece is tokenized alone: one that is all
    letters is a word (the regex engine costs about a microsecond a token; ``str.split`` and
    ``str.isalpha`` far less).
    """
    end = "\r\n" if text.endswith("\r\n") else text[-1:] if text.endswith(("\n", "\r")) else ""
    body = text[:len(text) - len(end)]
    pieces = body.split(" ")
    words = body.split()  # (at any blank: as many, with as many letters, when every blank is one space)
    if not body or len(words) != len(pieces) or len(body) - len("".join(words)) != len(pieces) - 1:
        return None
    out: list[Token] = []
    add = out.append
    start = 0
    for piece in pieces:
        if start:
            add(new_token((" ", "space", start - 1)))
        if piece.isalpha():
            add(new_token((piece, "word", start)))
        else:
            # Letters between an opening and a closing mark ("(Hà", "Nội,", "“thị”"): punctuation and
            # a word, as a scan finds them, unless a URL starts inside (the scan ends "xwww" before "www.").
            lead = 1 if piece[0] in _LEAD else 0
            trail = 1 if piece[-1] in _TRAIL else 0
            letters = piece[lead:len(piece) - trail]
            if (lead or trail) and letters.isalpha() and not (piece[-1] == "." and letters.endswith("www")):
                if lead:
                    add(new_token((piece[0], "punct", start)))
                add(new_token((letters, "word", start + lead)))
                if trail:
                    add(new_token((piece[-1], "punct", start + len(piece) - 1)))
            else:
                out.extend([new_token((t.text, t.kind, t.start + start)) for t in _tokens(piece)])
        start += len(piece) + 1
    if end:
        add(new_token((end, "newline", len(body))))
    return out


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens whose texts join back to exactly ``text``.

    >>> [t.kind for t in tokenize("Email a@b.vn, web https://x.vn/a?b=1.")]
    ['word', 'space', 'email', 'punct', 'space', 'word', 'space', 'url', 'punct']
    >>> "".join(t.text for t in tokenize("a\\r\\nb  c\\t")) == "a\\r\\nb  c\\t"
    True
    """
    tokens = _spaced(text)
    if tokens is None:
        tokens = _tokens(text)
    return list(_symbols_between_words(tokens)) if BETWEEN_WORDS in text else tokens
