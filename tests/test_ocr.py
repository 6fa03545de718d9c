"""OCR repair: text read by an OCR engine that does not know Vietnamese.

Such an engine drops or garbles the marks (ô → 6 or é, ủ → ti, Đ → P or D,
ã → &, ư → w), yet keeps most letters. data/ocr.json holds damaged lines in the
style of real scans, with the repair the current model makes; below them,
word-level specifications of the fuzzy index and the channel model.
"""

from __future__ import annotations

import math
import shutil

import pytest
from conftest import load_cases

from vnfix import fix_and_explain, fix_text
from vnfix.channel import Channel, align, capital_counts, load_capitals, save_capitals, skeleton, word_pairs
from vnfix.fuzzy import distance, index_key, lookup, similarity
from vnfix.lexicon import Lexicon, default_lexicon, lexicon_dir
from vnfix.syllable import strip_marks

CASES = load_cases("ocr.json")


@pytest.mark.parametrize("case", [pytest.param(c, id=c["input"][:40]) for c in CASES])
def test_ocr_line_is_repaired(case):
    assert fix_text(case["input"]) == case["expected"]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["expected"][:40]) for c in CASES])
def test_repaired_line_is_a_fixed_point(case):
    """The gold line is correct Vietnamese: fixing it again changes nothing."""
    assert fix_text(case["expected"]) == case["expected"]


def test_enough_cases():
    assert len(CASES) >= 25


def test_explain_lists_the_ocr_repairs():
    result = fix_and_explain("Chi thi s6 28-CT/TW ctia B6 Chinh tri")
    assert result.text == "Chỉ thị số 28-CT/TW của Bộ Chính trị"
    assert {(e.original, e.replacement) for e in result.edits} >= {("s6", "số"), ("ctia", "của"), ("B6", "Bộ")}


def test_a_horn_printed_as_a_mark_after_the_word_is_repaired_with_the_word():
    """English OCR prints the horn of ư/ơ as a glued ? or ’ ("ci?" for cứ): one edit takes both."""
    text = "Căn ci? vào Luật, các co’ quan"
    result = fix_and_explain(text)
    assert result.text == "Căn cứ vào Luật, các cơ quan"
    assert [(text[e.start:e.end], e.original, e.replacement) for e in result.edits] == [
        ("ci?", "ci?", "cứ"), ("co’", "co’", "cơ")]


def test_a_glued_mark_stays_when_the_word_reads_best_without_a_horn():
    assert fix_text("Ladies’ night và các hoạt động khác") == "Ladies’ night và các hoạt động khác"


def test_restoring_diacritics_reads_a_glued_mark_as_punctuation():
    assert "’" in fix_text("cac co’ quan nha nuoc", repair="diacritics")


# --- the fuzzy index: the best syllable for a damaged token, without context ----------------------
@pytest.mark.parametrize(
    ("token", "syllable"),
    [("ctia", "của"), ("cia", "của"), ("cla", "của"), ("s6", "số"), ("B6", "bộ"), ("1a", "là"), ("x&", "xã"),
     ("k¥", "kỹ"), ("ndi1", "nội"), ("dugc", "được"), ("duoc", "được"), ("ngudi", "người"), ("Diéu", "điều"),
     ("chifc", "chức"), ("t6", "tổ"), ("Quéc", "quốc"), ("héi", "hội"), ("thity", "thủy"), ("cdp", "cấp"),
     ("c4p", "cấp"), ("ndm", "năm"), ("nhifng", "những"), ("tiép", "tiếp"), ("x4y", "xây"), ("trudng", "trường"),
     ("hodc", "hoặc"), ("vdi", "với"), ("gidy", "giấy"), ("truéc", "trước"), ("stfc", "sức"), ("HUGNG", "hướng"),
     ("tir", "từ"), ("dén", "đến"), ("viéc", "việc"), ("Hi€u", "hiệu"), ("phiic", "phúc"),
     ("dir", "dữ"), ("nwée", "nước"), ("thwdng", "thường"), ("cudng", "cường")],
)
def test_lookup_top_candidate(token, syllable):
    assert lookup(token)[0].syllable == syllable


def test_lookup_gives_ranked_alternatives():
    matches = lookup("ctia", limit=5)
    assert len(matches) == 5
    assert "cửa" in [m.syllable for m in matches]
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    for m in matches:
        assert m.logp <= 0 and m.prior <= 0
        assert math.isclose(m.score, m.logp + m.prior)


def test_lookup_ignores_case():
    assert lookup("B6") == lookup("b6")
    assert lookup("HUGNG") == lookup("hugng")


@pytest.mark.parametrize("limit", [1, 3, 8])
def test_lookup_respects_limit(limit):
    assert len(lookup("nguoi", limit)) == limit


def test_lookup_of_a_correct_syllable_puts_it_first():
    for word in ("người", "của", "nghiêng", "quốc", "thủy"):
        assert lookup(word)[0].syllable == word


def test_pang_candidates_include_dang():
    """Without context 'Pang' reads best as the commoner 'đang'; 'đảng' is among the candidates."""
    assert "đảng" in [m.syllable for m in lookup("Pang")]


def test_pang_is_dang_in_context():
    assert fix_text("Pang Cong san Viét Nam") == "Đảng Cộng sản Việt Nam"


# --- the channel: how likely a syllable is read as a given token ---------------------------------
def test_distance_and_similarity():
    assert distance("ctia", "của") < distance("ctia", "cửa")
    assert distance("ctia", "của") < distance("ctia", "chia")
    assert distance("s6", "số") < distance("s6", "sáu")
    assert distance("của", "của") < distance("cua", "của")
    for ocr, gold in [("ctia", "của"), ("s6", "số"), ("cua", "của"), ("của", "của")]:
        d = distance(ocr, gold)
        assert d >= 0
        assert math.isclose(similarity(ocr, gold), math.exp(-d))
        assert 0 < similarity(ocr, gold) <= 1


def test_distance_ignores_case():
    assert distance("CTIA", "CỦA") == distance("ctia", "của")


def test_channel_rules():
    channel = Channel({("ủ", "ti"): -0.7})
    assert channel.logp("ctia", "của") > channel.logp("ctia", "cua")
    assert channel.logp("cua", "cua") > channel.logp("cua", "của")


def test_align():
    assert align("ctia", "của") == [("c", "c"), ("ủ", "ti"), ("a", "a")]
    assert align("s6", "số") == [("s", "s"), ("ố", "6")]


@pytest.mark.parametrize(("ocr", "gold", "rule"), [
    ("thurc", "thức", ("ứ", "ur")),  # the horn printed apart, after its letter
    ("tur", "tử", ("ử", "ur")),
    ("nuéc", "nước", None),  # marks misread in place: nothing printed apart
])
def test_align_reads_a_character_after_a_letter_that_lost_its_marks_as_those_marks(ocr, gold, rule):
    pairs = align(ocr, gold)
    assert "".join(g for g, _ in pairs) == gold and "".join(o for _, o in pairs) == ocr
    assert ("", "r") not in pairs
    if rule:
        assert rule in pairs


def test_align_keeps_a_stray_character_after_a_letter_read_right_as_an_insertion():
    assert align("conng", "công") == [("c", "c"), ("ô", "o"), ("n", "n"), ("", "n"), ("g", "g")]


@pytest.mark.parametrize(("token", "syllable"), [("tur", "tử"), ("thurc", "thức"), ("nurc", "nước")])
def test_lookup_finds_a_syllable_whose_horn_was_printed_apart(token, syllable):
    assert syllable in [m.syllable for m in lookup(token, 5)]


def test_skeleton_reads_ocr_symbols_as_letters():
    assert skeleton("Số") == "so"
    assert skeleton("s6") == "so"
    assert skeleton("x&") == "xa"
    assert skeleton("Hi€u") == "hieu"


@pytest.mark.parametrize(
    ("ocr", "gold"),
    [("dir", "dữ"), ("Ttr", "từ"), ("chiv", "chừ"), ("nwéc", "nước"), ("dwdng", "đường"), ("ctia", "của"),
     ("cudng", "cường"), ("thity", "thủy")],
)
def test_index_key_files_ocr_spellings_with_their_syllable(ocr, gold):
    """Letters no Vietnamese word is spelled with (ir, iv, w; d or t inside a word) are OCR's
    rendering of a lost letter: folded back, the syllable is at distance 0 or 1, not 2."""
    from rapidfuzz.distance import Levenshtein

    assert Levenshtein.distance(index_key(ocr), index_key(gold)) <= 1


@pytest.mark.parametrize("word", ["thường", "trực", "đất", "nước", "thiết", "tiết", "dữ", "ngoặt", "tuyệt"])
def test_index_key_of_a_syllable_is_its_skeleton(word):
    """Vietnamese spelling never has what the key folds, so a syllable is filed as spelled."""
    assert index_key(word) == skeleton(word)


def test_word_pairs():
    assert word_pairs("ctia B6 Chinh tri,", "của Bộ Chính trị,") == [
        ("ctia", "của"), ("B6", "Bộ"), ("Chinh", "Chính"), ("tri", "trị")]


def test_channel_train_learns_rewrites(tmp_path):
    pairs = [("ctia", "của"), ("ctia", "của"), ("s6", "số"), ("B6", "bộ"), ("t6", "tổ"), ("c6", "cố")] * 3
    channel = Channel.train(pairs)
    assert channel.logp("ctia", "của") > channel.logp("ctia", "cua")
    path = tmp_path / "channel.tsv"
    channel.save(path)
    again = Channel.load(path)
    assert math.isclose(again.logp("ctia", "của"), channel.logp("ctia", "của"), abs_tol=1e-3)


@pytest.mark.parametrize(("damaged", "foreign"), [("16i", "lion"), ("céac", "ceac"), ("huyén", "huyen"),
                                                   ("tri€t", "triet"), ("ho1", "hoi"), ("Huyén", "Huyen"),
                                                   ("Tri€t", "Triet")])
def test_spellings_like_ocr_damage_are_unlikely_as_written(lexicon, damaged, foreign):
    """Kept as read, a word spelled like OCR damage (a digit or symbol among letters, marks no
    syllable has) costs more than an unknown word spelled like a word, capitalised or not
    (a capital makes Huyen a possible name, not Huyén)."""
    from vnfix.candidates import IMPLAUSIBLE, UNK, keep_as_is, repair
    from vnfix.fuzzy import default_index

    def as_read(word: str) -> float:
        cands = repair(word, lexicon, default_index(), 50, True, 0.3)
        # (a reading hopelessly worse than the best one is dropped from the list)
        return next((c.logp for c in cands if c.text == keep_as_is(word, lexicon).text), -math.inf)

    assert keep_as_is(damaged, lexicon).lm_id == UNK
    assert as_read(damaged) <= math.log(0.7) + math.log(1 / 5000) + IMPLAUSIBLE + 1e-9
    assert as_read(foreign) > as_read(damaged)


def test_fuzzy_lookup_is_the_same_with_and_without_the_accelerator(monkeypatch, lexicon):
    """The C index (heap pre-rank, length bound, one sweep over the skeletons seen) answers
    exactly as the pure-Python specification, on real OCR tokens and on made-up damage."""
    from vnfix.fuzzy import build_index
    from vnfix.lexicon import lexicon_dir
    from vnfix.lm import native_module

    if native_module() is None:
        pytest.skip("the C accelerator is not built (or VNFIX_PURE=1)")
    native = build_index(lexicon, Channel.load(lexicon_dir() / "channel.tsv"))
    monkeypatch.setenv("VNFIX_PURE", "1")
    pure = build_index(lexicon, Channel.load(lexicon_dir() / "channel.tsv"))
    assert native.native is not None and pure.native is None
    tokens = ["ctia", "s6", "dir", "nwéc", "dwdng", "thire", "tré¢", "ndi1", "Pang", "x&", "1a", "ho1", "Gmg",
              "HUGNG", "tur", "huyén", "co", "a", "q", "nghiéng", "khuyén", "tnrong", "ngudi", "chiv", "ừ"]
    damage = str.maketrans({"ô": "6", "ư": "w", "ơ": "d", "ủ": "ti", "đ": "p", "ệ": "¢", "ã": "&", "l": "1"})
    syllables = sorted(s for s in lexicon.vocab if not s.startswith("<"))[::40]
    tokens += [s.translate(damage) for s in syllables] + [strip_marks(s) + "r" for s in syllables]
    for token in tokens:
        assert [tuple(m) for m in native.lookup(token, 8)] == [tuple(m) for m in pure.lookup(token, 8)], token


@pytest.mark.parametrize(("letter", "kept", "dropped"), [("b", "bộ", "a"), ("g", "ở", "a"), ("v", "ý", "ở")])
def test_a_lone_letter_is_read_as_what_holds_it_or_what_the_channel_learned_it_for(lexicon, letter, kept, dropped):
    from vnfix.candidates import repair
    from vnfix.fuzzy import default_index

    readings = {c.text for c in repair(letter, lexicon, default_index(), 12, False, 0.5)}
    assert kept in readings and dropped not in readings


def test_repair_weighs_misreadings_by_the_damage_rate(lexicon):
    from vnfix.candidates import repair
    from vnfix.fuzzy import default_index

    def readings(damage):
        return {c.text: c.logp for c in repair("ctia", lexicon, default_index(), 8, True, damage)}

    rare, common = readings(0.01), readings(0.5)
    assert max(common, key=common.get) == "của"
    # a misreading gains ln(0.5 / 0.01); the word as read (no syllable at all) loses a little
    assert common["của"] - rare["của"] == pytest.approx(math.log(0.5) - math.log(0.01))
    assert common["ctia"] < rare["ctia"]


# --- capitals OCR prints for other small letters ---------------------------------------------------
CAPITAL_LINES = [
    ("xir Iy do", "xử lý do"), ("quyén Igi", "quyền lợi"), ("ban Iy lich", "bản lý lịch"),  # I for l: 3 of 3
    ("cac Pang vien", "các Đảng viên"), ("Ban Pang uy", "Ban Đảng ủy"), ("cua Pang", "của đảng"),  # P for Đ
    ("Dieu 5. Iy do", "Điều 5. Lý do"),  # after a full stop: not inside a sentence, not counted
    ("dap Gng", "đáp ứng"), ("Gng dung", "Ứng dụng"),  # G for ư: 1 inside a sentence, too few
]


def test_capital_counts_come_from_words_inside_a_sentence():
    counts = capital_counts(CAPITAL_LINES)
    assert counts[("I", "l", True)] == 3 and counts[("I", "l", False)] == 0
    assert (counts[("P", "đ", True)], counts[("P", "đ", False)]) == (1, 2)
    assert counts[("G", "u", True)] == 1


def test_a_capital_counts_as_misread_when_mostly_lower_case_and_seen_often_enough(tmp_path):
    save_capitals(capital_counts(CAPITAL_LINES), tmp_path / "capitals.tsv")
    assert load_capitals(tmp_path / "capitals.tsv") == {("I", "l")}


# --- abbreviations that lost their Đ ----------------------------------------------------------------
def test_acronym_odds_say_how_clean_text_writes_the_letters():
    odds = default_lexicon().acronym_marks  # ln P(written with its marks), from the running text
    assert odds["HĐND"] > math.log(0.8)  # HĐND 33 times, HDND 3
    assert odds["CĐ"] < math.log(0.2)  # CĐ 22 times, CD (the disc) 194


def test_a_lexicon_folder_without_acronym_odds_still_loads(tmp_path):
    for name in ("syllables.tsv", "words.txt", "acronyms.txt", "lm.bin"):
        shutil.copy(lexicon_dir() / name, tmp_path)
    assert Lexicon.load(tmp_path).acronym_marks == {}
    assert Lexicon.load(tmp_path).expansions == {}


# --- abbreviations as context -----------------------------------------------------------------------
def test_an_abbreviation_that_stands_for_one_thing_is_read_as_it():
    lex = default_lexicon()
    assert lex.expansions["UBND"] == tuple(lex.vocab[s] for s in "ủy ban nhân dân".split())
    assert lex.expansions["HDND"] == tuple(lex.vocab[s] for s in "hội đồng nhân dân".split())  # (filed without marks)
    assert "TT" not in lex.expansions  # thông tin, truyền thông, thị trường, trung tâm, ...


def test_an_abbreviation_read_as_what_it_stands_for_is_still_written_as_itself():
    result = fix_and_explain("Chu tich HDND va UBND xa")
    assert result.text == "Chủ tịch HĐND và UBND xã"
    assert [e.original for e in result.edits] == ["Chu", "tich", "HDND", "va", "xa"]
