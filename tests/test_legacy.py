"""Tests for vnfix.legacy: TCVN3, VNI-Windows and VIQR.

The sentence cases in data/legacy_cases.json were produced independently of the
module under test: TCVN3 with glibc iconv's TCVN5712-1 (whose upper half is a
superset of TCVN3), VNI from a published VNI-Windows letter table, VIQR from the
RFC 1456 mnemonics with escapes added by hand.
"""

from __future__ import annotations

import doctest
import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vnfix import legacy
from vnfix.legacy import (
    LEGACY_ENCODINGS,
    LOWER_LETTERS,
    TCVN3_LOSSY_CAPITALS,
    UPPER_LETTERS,
    Detection,
    decode,
    detect,
    encode,
    from_unicode,
    to_unicode,
)

CASES = json.loads((Path(__file__).parent / "data" / "legacy_cases.json").read_text(encoding="utf-8"))
ALL_LETTERS = LOWER_LETTERS + UPPER_LETTERS


def _case_id(case: dict) -> str:
    return f"{case['encoding']}:{case['unicode'][:30]}"


def _as_cp1252_bytes(mojibake: str) -> bytes:
    return mojibake.encode("cp1252")


# --- The alphabet and the generated tables ---------------------------------------------------
def test_alphabet():
    assert len(set(LOWER_LETTERS)) == len(set(UPPER_LETTERS)) == 67
    assert all(unicodedata.is_normalized("NFC", c) and len(c) == 1 for c in ALL_LETTERS)
    assert "đ" in LOWER_LETTERS and "Ệ" in UPPER_LETTERS and "a" not in LOWER_LETTERS
    # TCVN3 holds exactly seven capitals with marks: the untoned modified ones.
    assert set(UPPER_LETTERS) - TCVN3_LOSSY_CAPITALS == set("ĂÂÊÔƠƯĐ")
    assert len(TCVN3_LOSSY_CAPITALS) == 60


@pytest.mark.parametrize(
    ("encoding", "unicode_text", "legacy_text"),
    [  # values checked against public tables (TCVN 5712 VN3, VNI-Windows, RFC 1456)
        ("tcvn3", "Việt", "ViÖt"),
        ("tcvn3", "đĐ", "®§"),
        ("tcvn3", "ư", "\xad"),  # a soft hyphen in cp1252: invisible in most viewers
        ("tcvn3", "ĂÂÊÔƠƯ", "¡¢£¤¥¦"),
        ("tcvn3", "àảãáạ", "µ¶·¸¹"),
        ("tcvn3", "ỳỷỹýỵ", "úûüýþ"),
        ("vni", "Việt", "Vieät"),
        ("vni", "Đường", "Ñöôøng"),
        ("vni", "nghĩa chỉ lịch sử", "nghóa chæ lòch söû"),
        ("vni", "ắằẳẵặ", "aéaèaúaüaë"),
        ("vni", "ỵ Ỵ", "î Î"),
        ("viqr", "Việt", "Vie^.t"),
        ("viqr", "đường", "ddu+o+`ng"),
        ("viqr", "Ắ Ử ỹ", "A(' U+? y~"),
    ],
)
def test_known_values(encoding, unicode_text, legacy_text):
    assert from_unicode(unicode_text, encoding) == legacy_text
    assert to_unicode(legacy_text, encoding) == unicode_text


def test_tcvn3_layout_is_one_distinct_byte_per_letter():
    codes = [from_unicode(c, "tcvn3") for c in LOWER_LETTERS + ("Ă", "Â", "Ê", "Ô", "Ơ", "Ư", "Đ")]
    assert all(len(c) == 1 and 0xA1 <= ord(c) <= 0xFE for c in codes)
    assert len(set(codes)) == 74


_ICONV = shutil.which("iconv")


def _iconv(data: bytes, src: str, dst: str) -> bytes:
    return subprocess.run([_ICONV, "-f", src, "-t", dst], input=data, capture_output=True, check=True).stdout


_HAS_TCVN_ICONV = (
    bool(_ICONV)
    and "TCVN5712-1" in subprocess.run([_ICONV or "iconv", "-l"], check=False, capture_output=True, text=True).stdout
)


@pytest.mark.skipif(not _HAS_TCVN_ICONV, reason="glibc iconv with TCVN5712-1 not available")
def test_tcvn3_agrees_with_glibc_iconv():
    # Every TCVN3 letter is encoded as glibc encodes it ...
    for letter in LOWER_LETTERS + ("Ă", "Â", "Ê", "Ô", "Ơ", "Ư", "Đ"):
        assert encode(letter, "tcvn3") == _iconv(letter.encode(), "UTF-8", "TCVN5712-1"), letter
    # ... and every byte of the upper half (including VN2's extra capitals) decodes the same way.
    for b in range(0xA0, 0x100):
        expected = _iconv(bytes([b]), "TCVN5712-1", "UTF-8").decode()
        assert decode(bytes([b]), "tcvn3", restore_caps=False) == expected, hex(b)


def test_vni_capitals_are_the_lower_case_bytes_upper_cased():
    for letter in LOWER_LETTERS:
        low, up = from_unicode(letter, "vni"), from_unicode(letter.upper(), "vni")
        assert up == low.upper(), letter
        assert 1 <= len(low) <= 2 and (len(low) == 1 or low[0] in "aeouyôö"), (letter, low)  # ô ö = ơ ư
    assert len({from_unicode(c, "vni") for c in ALL_LETTERS}) == 134


def test_viqr_is_base_letter_plus_mnemonics():
    for letter in ALL_LETTERS:
        code = from_unicode(letter, "viqr")
        assert code.isascii() and code[0].lower() == unicodedata.normalize("NFD", letter)[0].lower().replace("đ", "d")
        assert set(code[1:]) <= set("(^+'`?~.dD"), (letter, code)
    assert len({from_unicode(c, "viqr") for c in ALL_LETTERS}) == 134


# --- Every letter round-trips -----------------------------------------------------------------
@pytest.mark.parametrize("encoding", LEGACY_ENCODINGS)
@pytest.mark.parametrize("letters", [LOWER_LETTERS, UPPER_LETTERS], ids=["lower", "upper"])
def test_every_letter_round_trips(encoding, letters):
    expected_loss = TCVN3_LOSSY_CAPITALS if encoding == "tcvn3" else frozenset()
    failures = []
    for letter in letters:
        if letter in expected_loss:
            continue
        for text in (letter, f"x{letter}x", f"{letter} {letter}"):
            if to_unicode(from_unicode(text, encoding), encoding) != text:
                failures.append(text)
            if decode(encode(text, encoding), encoding) != text:
                failures.append(f"bytes {text}")
    assert not failures


@pytest.mark.parametrize("capital", sorted(TCVN3_LOSSY_CAPITALS))
def test_tcvn3_toned_capitals_are_written_lower_case_and_restored_in_capital_words(capital):
    lower = capital.lower()
    assert from_unicode(capital, "tcvn3") == from_unicode(lower, "tcvn3")  # the .VnTimeH convention
    assert to_unicode(from_unicode(capital, "tcvn3"), "tcvn3") == lower  # alone: nothing to go on
    word = f"NG{capital}N"  # inside an upper-case word the case comes back
    assert to_unicode(from_unicode(word, "tcvn3"), "tcvn3") == word
    assert to_unicode(from_unicode(word, "tcvn3"), "tcvn3", restore_caps=False) == f"NG{lower}N"


@pytest.mark.parametrize(
    ("legacy_text", "expected"),
    [
        ("CéNG HOµ X· HéI CHñ NGHÜA VIÖT NAM", "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
        ("QUYÕT §ÞNH", "QUYẾT ĐỊNH"),
        ("X· T©n LËp", "Xã Tân Lập"),  # explicit lower case decides
        ("Sè: 12/Q§-UBND", "Số: 12/QĐ-UBND"),  # one leading capital: title case unless flanked by capitals
        ("HéI µ HéI", "HỘI À HỘI"),  # no capital of its own: follows upper-case neighbours
        ("HéI µ héi", "HỘI à hội"),  # ... but not when a neighbour is lower case
        ("VIÖT\nviÖt", "VIỆT\nviệt"),  # lines are judged separately
        ("Ö", "ệ"),
        ("ñY", "ỦY"),  # a capital after the toned letter: an upper-case word, alone or not
        ("cña ñY BAN", "của ỦY BAN"),
        ("ñY µ", "ỦY À"),  # ... and a decided neighbour
        ("ñy ban", "ủy ban"),  # lower case after it: stays lower
        ("HéI-x·", "HỘI-xã"),  # decided word by word inside a chunk with lower case
    ],
)
def test_tcvn3_capital_font_heuristic(legacy_text, expected):
    assert to_unicode(legacy_text, "tcvn3") == expected


# --- Real sentences ------------------------------------------------------------------------------
def test_case_file_has_ten_sentences_per_encoding_with_administrative_text():
    for encoding in LEGACY_ENCODINGS:
        mine = [c for c in CASES if c["encoding"] == encoding]
        assert len(mine) >= 10, encoding
        assert any("Điều" in c["unicode"] or "QĐ" in c["unicode"] for c in mine), encoding


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_sentence_conversions(case):
    enc, legacy_text, unicode_text = case["encoding"], case["legacy"], case["unicode"]
    assert to_unicode(legacy_text, enc) == unicode_text
    assert from_unicode(unicode_text, enc) == legacy_text
    assert decode(encode(unicode_text, enc), enc) == unicode_text
    assert encode(unicode_text, enc) == _as_cp1252_bytes(legacy_text)
    # The same bytes read as Latin-1 instead of cp1252 (C1 controls instead of punctuation).
    assert to_unicode(_as_cp1252_bytes(legacy_text).decode("latin-1"), enc) == unicode_text


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_sentence_detection(case):
    enc, legacy_text = case["encoding"], case["legacy"]
    found = detect(legacy_text)
    if len(legacy_text.split()) >= 5:
        assert (found.encoding, found.confidence >= 0.9) == (enc, True), found
        assert detect(_as_cp1252_bytes(legacy_text)).encoding == enc
    else:  # too short to be sure ("Số: 125/QĐ-UBND"), but never another legacy encoding
        assert found.encoding in (enc, None), found
    plain = detect(case["unicode"])
    assert plain.encoding is None and plain.confidence >= 0.9, plain


# --- Detection ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "What? It's fine. See the U.S. report, e.g. page 3, i.e. the summary.",
        "I'm sure you're right; we'd go if they'll pay. Really? So? No.",
        "The quick brown fox jumps over the lazy dog.",
        "Mr. O'Brien's cafe' opens at 9 a.m. -- doesn't it?",
        "Print the value of a^2 + b^2 and (x+y) / 2 in C:\\temp\\data.txt, v.v.",
        "Cộng hòa xã hội chủ nghĩa Việt Nam. Độc lập - Tự do - Hạnh phúc.",
        "Hà Nội, ngày 02 tháng 9 năm 1945. Tôi yêu tiếng nước tôi từ khi mới ra đời.",
        "Có phải không? Vâng, cháu chào cô ạ. Các sản phẩm, v.v. đều đạt chuẩn.",
        "Où est le café? À bientôt, très cher ami. Müller aß Spätzle.",
    ],
)
def test_plain_text_is_not_legacy(text):
    for sample in (text, text.encode("utf-8")):
        found = detect(sample)
        assert found.encoding is None and found.confidence >= 0.9, found


def test_western_cp1252_bytes_are_not_legacy():
    found = detect("Où est le café? À bientôt, très cher ami. Müller aß Spätzle.".encode("cp1252"))
    assert found.encoding is None, found


def test_detection_result():
    assert detect("") == Detection(None, 0.0, "no words to judge")
    found = detect("To^i ye^u tie^'ng nu+o+'c to^i tu+` khi mo+'i ra ddo+`i\\.")
    assert found.encoding == "viqr" and found.confidence >= 0.9 and "viqr" in found.evidence
    with pytest.raises(AttributeError):
        found.encoding = "vni"  # frozen


# --- VIQR details --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("viqr", "expected"),
    [
        ("cha`o\\.", "chào."),  # escaped sentence-final period
        ("a\\'", "a'"),
        ("C:\\temp", "C:\\temp"),  # a backslash before an ordinary letter is literal
        ("\\\\'", "\\'"),
        ("DDa` Na(~ng, Dda` La.t, dde^`", "Đà Nẵng, Đà Lạt, đề"),
        ("d9i d9a^'t D9o^.ng", "đi đất Động"),  # VNI-typing habit, only at a word start
        ("0xd9 d9 add", "0xd9 d9 ađ"),  # dd means đ anywhere, as RFC 1456 says
        ("u( e+ a+ i^", "u( e+ a+ i^"),  # a mark attaches only where it makes a legal letter
        ("What? It's", "What? It's"),
    ],
)
def test_viqr_reading(viqr, expected):
    assert to_unicode(viqr, "viqr") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tôi là sinh viên năm ba.", "To^i la` sinh vie^n na(m ba\\."),
        ("Me? What?", "Me\\? What?"),
        ("a^", "a\\^"),
        ("o+", "o\\+"),
        ("ơ+", "o++"),  # no escape where nothing could attach
        ("add", "a\\dd"),
        ("dđ", "\\ddd"),
        ("\\'", "\\\\'"),
        ("d9a", "\\d9a"),
    ],
)
def test_viqr_writing_escapes_what_would_attach(text, expected):
    assert from_unicode(text, "viqr") == expected
    assert to_unicode(expected, "viqr") == text


# --- Errors and encodings of the mojibake itself ---------------------------------------------------
@pytest.mark.parametrize(
    "call",
    [
        lambda enc: to_unicode("x", enc),
        lambda enc: from_unicode("x", enc),
        lambda enc: decode(b"x", enc),
        lambda enc: encode("x", enc),
    ],
    ids=["to_unicode", "from_unicode", "decode", "encode"],
)
def test_unknown_encoding(call):
    with pytest.raises(ValueError, match=r"unknown legacy encoding 'cp1258'.*tcvn3, vni, viqr"):
        call("cp1258")
    assert call("TCVN3") is not None and call("ABC") is not None and call("VNI-Windows") is not None


def test_unrepresentable_characters():
    for enc, bad in [("tcvn3", "ü"), ("tcvn3", "中"), ("vni", "ñ"), ("viqr", "ñ"), ("viqr", "–")]:
        with pytest.raises(UnicodeEncodeError):
            from_unicode(f"Việt {bad}", enc)
        with pytest.raises(ValueError):
            encode(f"Việt {bad}", enc)
        assert to_unicode(from_unicode(f"Việt {bad}", enc, errors="replace"), enc) == "Việt ?"
        assert to_unicode(from_unicode(f"Việt {bad}", enc, errors="ignore"), enc) == "Việt "
    with pytest.raises(ValueError, match="errors"):
        from_unicode("x", "vni", errors="surrogateescape")


def test_cp1252_and_latin1_readings():
    expected = "“Việt” – ok"
    assert to_unicode("\x93ViÖt\x94 \x96 ok", "tcvn3") == to_unicode("“ViÖt” – ok", "tcvn3") == expected
    assert decode(b"\x93Vi\xd6t\x94", "tcvn3") == "“Việt”"
    assert encode("“Việt”", "tcvn3") == b"\x93Vi\xd6t\x94"
    assert decode(b"\x81", "vni") == "\x81"  # undefined in cp1252: kept as Latin-1
    # Mojibake that went through NFD (e.g. a macOS file name) still converts.
    assert to_unicode(unicodedata.normalize("NFD", "ViÖt Vieät"), "tcvn3")[:4] == "Việt"
    assert to_unicode(unicodedata.normalize("NFD", "Vieät"), "vni") == "Việt"


def test_decode_viqr_bytes():
    assert decode(b"Vie^.t Nam", "viqr") == "Việt Nam"
    assert decode("Vie^.t “Nam”".encode("cp1252"), "viqr") == "Việt “Nam”"


def test_doctests():
    result = doctest.testmod(legacy, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10 and result.failed == 0


# --- Properties -------------------------------------------------------------------------------------
_ASCII_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PUNCTUATION = " .,;:!?'\"()-/\n"


def _texts(letters: str, extra: str = "") -> st.SearchStrategy[str]:
    return st.text(alphabet=st.sampled_from(letters + "0123456789" + _PUNCTUATION + extra), max_size=40)


_EVERY = _ASCII_LETTERS + "".join(ALL_LETTERS)


@settings(max_examples=300, deadline=None)
@given(_texts(_EVERY))
def test_property_vni_round_trip(text):
    assert to_unicode(from_unicode(text, "vni"), "vni") == text
    assert decode(encode(text, "vni"), "vni") == text


@settings(max_examples=300, deadline=None)
@given(_texts(_EVERY, extra="`~^+(\\"))  # every VIQR mark as a literal too
def test_property_viqr_round_trip(text):
    assert to_unicode(from_unicode(text, "viqr"), "viqr") == text
    assert decode(encode(text, "viqr"), "viqr") == text


@settings(max_examples=300, deadline=None)
@given(_texts("".join(c for c in _EVERY if c not in TCVN3_LOSSY_CAPITALS)))
def test_property_tcvn3_round_trip_without_caps_guessing(text):
    assert to_unicode(from_unicode(text, "tcvn3"), "tcvn3", restore_caps=False) == text


@settings(max_examples=300, deadline=None)
@given(_texts(_ASCII_LETTERS.lower() + "".join(LOWER_LETTERS)))
def test_property_tcvn3_round_trip_lower_case(text):
    # With no capital in sight, capital-font guessing never fires.
    assert to_unicode(from_unicode(text, "tcvn3"), "tcvn3") == text
    assert decode(encode(text, "tcvn3"), "tcvn3") == text


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(max_size=60), st.binary(max_size=60)))
def test_property_total_functions(value):
    found = detect(value)
    assert found.encoding in (*LEGACY_ENCODINGS, None) and 0.0 <= found.confidence <= 1.0
    if isinstance(value, str):
        for enc in LEGACY_ENCODINGS:
            assert unicodedata.is_normalized("NFC", to_unicode(value, enc))
    else:
        for enc in LEGACY_ENCODINGS:
            decode(value, enc)


def test_ocr_output_is_not_taken_for_viqr():
    # OCR of a Unicode scan: a few chunks happen to read as VIQR ("ddi" as đi, "vi." as vị),
    # among many that no reading repairs.
    ocr = ("Thuc hién Chi thi s6 28-CT/TW ngay 25/12/2023 ctia B6 Chinh tri vé ting cudng cong tac "
           "chim soc, gido duc tré em. Cac don vi. ddi sau vao nhiém vu tuyén truyén, phé bién, "
           "x4y dung kế hoach va t6 chitc thuc hién c6 hiéu qua tai dia phuong, nha truong. ") * 3
    assert legacy.detect(ocr).encoding is None
