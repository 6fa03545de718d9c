"""The tokenizer: lossless for every string, and the kind of each token decides what may change.

Only ``word`` tokens are ever repaired. Numbers, codes (28-CT/TW, 25/12/2023),
URLs and e-mails must come through byte for byte, while OCR-damaged words
(s6, B6, x&, tré¢) must be words, or they could not be repaired.
"""

from __future__ import annotations

import importlib

import pytest
from conftest import case_params, load_cases
from hypothesis import example, given
from hypothesis import strategies as st

from vnfix import tokenize

_tokenizer = importlib.import_module("vnfix.tokenize")  # (the module: the package exports the function)

KINDS = {"word", "number", "code", "url", "email", "punct", "space", "newline"}


def _check_spans(text, tokens):
    assert "".join(t.text for t in tokens) == text
    pos = 0
    for tok in tokens:
        assert tok.text, "no empty tokens"
        assert tok.kind in KINDS
        assert tok.start == pos
        assert tok.end == tok.start + len(tok.text)
        assert text[tok.start:tok.end] == tok.text
        pos = tok.end
    assert pos == len(text)


@pytest.mark.parametrize("case", case_params(load_cases("tokenize.json"), "text"))
def test_tokenize_cases(case):
    tokens = tokenize(case["text"])
    _check_spans(case["text"], tokens)
    assert [[t.text, t.kind] for t in tokens if t.kind != "space"] == case["tokens"]


@pytest.mark.parametrize(
    "word",
    ["s6", "B6", "1a", "x&", "tré¢", "ndi1", "Pang", "k¥", "Hi€u", "ctia", "dugc", "Diéu", "chifc", "t6", "ndm",
     "x4y", "HUGNG", "stfc", "lvwu", "nhifng", "c4p"],
)
def test_ocr_damaged_words_are_words(word):
    """A letter next to a digit or an OCR symbol is a misread mark, so the token stays repairable."""
    assert [(t.text, t.kind) for t in tokenize(word)] == [(word, "word")]


@pytest.mark.parametrize(
    ("text", "kind"),
    [("28-CT/TW", "code"), ("121/2020/QH14", "code"), ("224-KH/Th.U", "code"), ("2021-2030", "code"),
     ("25/12/2023", "code"), ("QH14", "code"), ("S6363", "code"), ("H5N1", "code"), ("2023", "number"),
     ("0243.22.33.111", "number"), ("1.000.000", "number")],
)
def test_numbers_and_codes_are_single_protected_tokens(text, kind):
    tokens = tokenize(f"số {text} ngày")
    assert [(t.text, t.kind) for t in tokens][2] == (text, kind)


@pytest.mark.parametrize(
    ("text", "url"),
    [
        ("xem https://vanban.chinhphu.vn.", "https://vanban.chinhphu.vn"),
        ("xem https://x.vn/a?b=1&c=2;", "https://x.vn/a?b=1&c=2"),
        ("(http://x.vn/a)", "http://x.vn/a"),
        ("tại www.moj.gov.vn!", "www.moj.gov.vn"),
        ("“https://x.vn/tin”", "https://x.vn/tin"),
        ("https://x.vn/a:", "https://x.vn/a"),
    ],
)
def test_url_excludes_trailing_punctuation(text, url):
    urls = [t.text for t in tokenize(text) if t.kind == "url"]
    assert urls == [url]


@pytest.mark.parametrize(
    ("text", "email"),
    [("gửi vanthu@moj.gov.vn.", "vanthu@moj.gov.vn"), ("(a.b+c@so-tp.hanoi.gov.vn)", "a.b+c@so-tp.hanoi.gov.vn"),
     ("e-mail: info@example.com, fax", "info@example.com")],
)
def test_email_excludes_trailing_punctuation(text, email):
    assert [t.text for t in tokenize(text) if t.kind == "email"] == [email]


@pytest.mark.parametrize(
    ("text", "newlines"),
    [("a\nb", ["\n"]), ("a\r\nb", ["\r\n"]), ("a\rb", ["\r"]), ("a\n\r\nb\r", ["\n", "\r\n", "\r"]),
     ("\r\n\r\n", ["\r\n", "\r\n"]), ("a\r\r\n", ["\r", "\r\n"]), ("a\n\n", ["\n", "\n"])],
)
def test_each_line_ending_is_one_newline_token(text, newlines):
    assert [t.text for t in tokenize(text) if t.kind == "newline"] == newlines


def test_empty_text_has_no_tokens():
    assert tokenize("") == []


# --- properties ------------------------------------------------------------------------------
PIECES = st.sampled_from(
    ["Chi", "thi", "s6", "28-CT/TW", "ctia", "B6", "Chính", "trị", "x&", "tré¢", "Hi€u", "25/12/2023", "2021-2030",
     "0243.22.33.111", "https://x.vn/a?b=1", "www.moj.gov.vn", "a@b.vn", "TP.HCM", "Hà", "Nội", "-", "/", ".", ",",
     ":", "(", ")", "…", " ", "  ", "\t", "\u00a0", "\n", "\r\n", "\r", "\u2028", "\x0b", "\x0c", "\x1c", "\x85",
     "\x00", "e\u0301", "\u0301", "中文", "😀", "'", "’", "@", "&", "¢"]
)
TEXTS = st.one_of(
    st.text(),
    st.lists(PIECES, max_size=30).map("".join),
    st.text(alphabet=st.sampled_from(list("ab6&./-:@\r\n \t\u0301"))),
)


@given(TEXTS)
def test_lossless_and_spans_consistent(text):
    _check_spans(text, tokenize(text))


@given(TEXTS)
def test_line_endings_only_in_newline_tokens(text):
    tokens = tokenize(text)
    for tok in tokens:
        if tok.kind == "newline":
            assert tok.text in ("\n", "\r\n", "\r")
        else:
            assert "\n" not in tok.text and "\r" not in tok.text
    for a, b in zip(tokens, tokens[1:]):
        assert not (a.text == "\r" and b.text.startswith("\n")), "CRLF must not be split"


@given(TEXTS)
def test_token_kinds_are_consistent(text):
    for tok in tokenize(text):
        if tok.kind == "space":
            assert tok.text.isspace()
        elif tok.kind == "number":
            assert any(c.isdigit() for c in tok.text)
            assert not any(c.isalpha() for c in tok.text)
        elif tok.kind in ("word", "code"):
            assert not any(c.isspace() for c in tok.text)
        elif tok.kind == "punct":
            assert len(tok.text) == 1 or not any(c.isalpha() for c in tok.text)



GLUED = st.tuples(st.sampled_from(["", "(", "“", "'", "[", '"']), PIECES.filter(lambda p: not p.isspace()),
                  st.sampled_from(["", ",", ".", ":", ")", "”", "…", "?", "’", "]"])).map("".join)
SPACED = st.lists(st.one_of(GLUED, st.sampled_from(["www", "WWW", "http", "ftp", "xwww"])), min_size=1, max_size=20
                  ).map(" ".join)


@given(st.one_of(TEXTS, SPACED, SPACED.map(lambda s: s + "\n"), SPACED.map(lambda s: s + "\r\n")))
@example("a  b\t c\r\nd")  # (as many blank runs as spaces, but not one blank each)
@example("Chi thi s6 28-CT/TW, ctia B6.\n")
@example("(xem www. hoặc “Điều 5”: http: abcwww.)")
@example("xem xwww. WWW. XWWW. www. (www.")
def test_lines_cut_at_spaces_tokenize_as_one_scan_of_the_line(text):
    # A line whose only blanks are single spaces is cut at them first (the fast path): its tokens
    # must be exactly those of one scan of the whole text.
    assert tokenize(text) == list(_tokenizer._symbols_between_words(_tokenizer._tokens(text)))
