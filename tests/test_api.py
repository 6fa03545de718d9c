"""The Python API: Config, Fixer, fix_text, fix_and_explain, fix_lines and the batch helpers."""

from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
import threading
import unicodedata
from functools import partial

import pytest

import vnfix
from vnfix import Config, Edit, Explained, Fixer, batch, fix_and_explain, fix_text, normalise
from vnfix.batch import fix_many, fix_stream, iter_chunks

OCR_TEXTS = [
    "Chi thi s6 28-CT/TW ctia B6 Chinh tri",
    "Cong hoa xa hoi chu nghia Viet Nam",
    "Diéu 5. Nguyén tac xt ly vi pham",
    "Pang Cong san Viét Nam",
    "Nguoi lao dong cé quyén nghi viéc.",
    "Thanh phé H6 Chi Minh",
    "B6 Giao duc va Pao tao",
    "Hé so dé nghi cap gidy phép",
    "Nha nuéc bao hé quyén sé hitu tri tué.",
    "Ha Noi, ngay 15 thang 3 ndm 2024",
    "Tré em cé quyén dudc cham séc, gido duc.",
    "Thong tu nay cé hiéu luc tit ngay ky.",
    "QUYET DINH VE VIEC BAN HANH QUY CHE",
    "Ngudi dtng dau co quan chiu trach nhiém.",
    "Kinh phi thuc hién dugc b6 tri tir ngan sach nha nuéc.",
    "Xem chi tiét tai https://vanban.chinhphu.vn.",
    "Toa an nhan dan téi cao",
    "Cộng hòa xã hội chủ nghĩa Việt Nam",
    "The quick brown fox jumps over the lazy dog.",
    "nhifng tréng hgp sau day:",
]

MULTI_PARAGRAPH = (
    "CONG HOA XA HOI CHU NGHIA VIET NAM\n"
    "Doc lap - Tu do - Hanh phuc\n"
    "\n"
    "Chi thi s6 28-CT/TW ctia B6 Chinh tri\r\n"
    "ve viec thuc hién Nghi quyét 15/2023/NQ-CP\r\n"
    "\r\n"
    "Xem https://vanban.chinhphu.vn, lien he vanthu@moj.gov.vn.\r"
    "Ha Noi, ngay 15 thang 3 ndm 2024\n"
    "\n\n"
    "   Nguoi lao dong cé quyén nghi viéc   \n"
    "Cộng hòa xã hội chủ nghĩa Việt Nam"
)


# --- Config -----------------------------------------------------------------------------------------
def test_config_defaults():
    cfg = Config()
    assert (cfg.repair, cfg.tone_style, cfg.retone, cfg.threshold) == ("ocr", "old", False, 0.5)
    assert cfg.extra_words == cfg.lexicon_files == cfg.protect == ()


def test_config_is_frozen():
    cfg = Config()
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.tone_style = "new"  # type: ignore[misc]


def test_config_replace_makes_a_copy():
    cfg = Config()
    new = cfg.replace(tone_style="new", beam=16)
    assert (new.tone_style, new.beam) == ("new", 16)
    assert (cfg.tone_style, cfg.beam) == ("old", 8)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("tone_style", "modern", "tone_style"), ("repair", "spelling", "repair"), ("threshold", 1.5, "threshold"),
     ("threshold", -0.1, "threshold"), ("beam", 0, "beam"), ("max_candidates", 0, "max_candidates")],
)
def test_config_validates_its_fields(field, value, message):
    with pytest.raises(ValueError, match=message):
        Config(**{field: value})
    with pytest.raises(ValueError, match=message):
        Config().replace(**{field: value})


def test_config_turns_strings_and_lists_into_tuples():
    assert Config(extra_words="Khuổi Nặm").extra_words == ("Khuổi Nặm",)
    assert Config(protect=["a", "b"]).protect == ("a", "b")
    assert Config(lexicon_files=["x.txt"]).lexicon_files == ("x.txt",)
    hash(Config(extra_words=["x"], protect=["y"]))  # hashable, so usable as a cache key


def test_unknown_option_is_a_type_error():
    with pytest.raises(TypeError):
        fix_text("a", bogus=1)


# --- Fixer ------------------------------------------------------------------------------------------
def test_fixer_accepts_config_and_options():
    assert Fixer(Config(tone_style="new")).config.tone_style == "new"
    assert Fixer(tone_style="new").config.tone_style == "new"
    fixer = Fixer(Config(repair="diacritics"), tone_style="new")
    assert (fixer.config.repair, fixer.config.tone_style) == ("diacritics", "new")


def test_fixer_is_reusable():
    fixer = Fixer()
    first = [fixer.fix_text(t) for t in OCR_TEXTS]
    again = [fixer.fix_text(t) for t in reversed(OCR_TEXTS)][::-1]
    assert first == again == [fix_text(t) for t in OCR_TEXTS]


def test_fixer_is_thread_safe():
    expected = [Fixer().fix_text(t) for t in OCR_TEXTS]
    shared = Fixer()  # fresh: its lexicon, index and caches are built concurrently
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def work(n):
        try:
            barrier.wait()
            order = OCR_TEXTS[n:] + OCR_TEXTS[:n]
            out = {t: shared.fix_text(t) for t in order}
            results[n] = [out[t] for t in OCR_TEXTS]
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(n * 5,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(results) == 4
    for out in results.values():
        assert out == expected


# --- fix_and_explain ----------------------------------------------------------------------------------
def test_fix_and_explain_result():
    result = fix_and_explain("Chi thi s6 28-CT/TW ctia B6 Chinh tri")
    assert isinstance(result, Explained)
    text, edits = result
    assert text == fix_text("Chi thi s6 28-CT/TW ctia B6 Chinh tri")
    assert all(isinstance(e, Edit) for e in edits)
    assert [(e.original, e.replacement) for e in edits] == [
        ("Chi", "Chỉ"), ("thi", "thị"), ("s6", "số"), ("ctia", "của"), ("B6", "Bộ"), ("Chinh", "Chính"),
        ("tri", "trị")]


def _apply(text, edits):
    out, pos = [], 0
    for e in edits:
        out.append(text[pos:e.start])
        out.append(e.replacement)
        pos = e.end
    out.append(text[pos:])
    return "".join(out)


@pytest.mark.parametrize("text", [*OCR_TEXTS, MULTI_PARAGRAPH])
def test_edit_spans_index_the_input(text):
    result = fix_and_explain(text)
    previous_end = 0
    for e in result.edits:
        assert previous_end <= e.start < e.end <= len(text)
        assert text[e.start:e.end] == e.original
        assert e.replacement != e.original
        previous_end = e.end
    assert _apply(text, result.edits) == result.text


@pytest.mark.parametrize("text", [*OCR_TEXTS, MULTI_PARAGRAPH])
def test_edit_confidence_and_alternatives(text):
    for e in fix_and_explain(text).edits:
        assert Config().threshold <= e.confidence <= 1.0
        assert len(e.alternatives) <= 4
        probs = [p for _, p in e.alternatives]
        assert probs == sorted(probs, reverse=True)
        assert all(0.0 <= p <= 1.0 for p in probs)
        assert e.confidence + sum(probs) <= 1.0 + 1e-3
        assert e.replacement not in [a for a, _ in e.alternatives]
        assert all(isinstance(a, str) and a for a, _ in e.alternatives)


def test_edit_spans_index_the_normalised_input():
    """For NFD input the offsets refer to the NFC text vnfix works on."""
    text = unicodedata.normalize("NFD", "Việt Nam ") + "Chi thi s6 ctia"
    result = fix_and_explain(text)
    nfc = normalise(text)
    assert result.edits
    for e in result.edits:
        assert nfc[e.start:e.end] == e.original
    assert _apply(nfc, result.edits) == result.text


def test_no_edits_for_correct_text():
    assert fix_and_explain("Cộng hòa xã hội chủ nghĩa Việt Nam").edits == []


def test_fix_and_explain_with_options():
    result = fix_and_explain("Hoa binh", tone_style="new")
    assert result.text == "Hoà bình"
    assert [e.replacement for e in result.edits] == ["Hoà", "bình"]


# --- fix_lines, explain_lines and the batch helpers ----------------------------------------------------
def test_fix_lines_equals_fix_text():
    lines = MULTI_PARAGRAPH.splitlines(keepends=True)
    out = list(Fixer().fix_lines(lines))
    assert "".join(out) == fix_text(MULTI_PARAGRAPH)
    assert len(out) == len(lines)  # one output line per input line, each with its own ending
    for a, b in zip(lines, out):
        assert a[len(a.rstrip("\r\n")):] == b[len(b.rstrip("\r\n")):]


def test_fix_lines_is_lazy():
    """Output lines come out while the input is still being read (streaming)."""
    fed = []

    def source():
        for line in MULTI_PARAGRAPH.splitlines(keepends=True):
            fed.append(line)
            yield line

    it = Fixer().fix_lines(source())
    first = next(it)
    assert first.endswith("\n")
    assert len(fed) < len(MULTI_PARAGRAPH.splitlines())


def test_explain_lines_offsets():
    lines = MULTI_PARAGRAPH.splitlines(keepends=True)
    full = fix_and_explain(MULTI_PARAGRAPH)
    seen = []
    for (out, edits, start), line in zip(Fixer().explain_lines(lines), lines, strict=True):
        assert MULTI_PARAGRAPH[start:start + len(line)] == line
        for e in edits:
            assert start <= e.start < e.end <= start + len(line)
        seen.extend(edits)
    assert seen == full.edits


@pytest.mark.parametrize("jobs", [1, 2])
def test_fix_stream_equals_fix_text(jobs):
    lines = MULTI_PARAGRAPH.splitlines(keepends=True)
    assert "".join(fix_stream(lines, jobs=jobs)) == fix_text(MULTI_PARAGRAPH)


def test_fix_stream_with_config():
    lines = ["Hoa binh\n", "Cong trinh thuy loi\n"]
    assert "".join(fix_stream(lines, Config(tone_style="new"), jobs=2)) == "Hoà bình\nCông trình thuỷ lợi\n"


def test_fix_stream_cut_into_many_chunks_equals_fix_text(monkeypatch):
    """With tiny chunks the worker processes see many pieces; the output must not change."""
    text = (MULTI_PARAGRAPH + "\n") * 6 + "\n".join(OCR_TEXTS) + "\n"
    lines = text.splitlines(keepends=True)
    monkeypatch.setattr(batch, "iter_chunks", partial(iter_chunks, size=120))
    assert len(list(batch.iter_chunks(lines))) > 5
    assert "".join(fix_stream(lines, jobs=2)) == fix_text(text)


def test_iter_chunks_cuts_only_where_a_window_ends():
    text = (MULTI_PARAGRAPH + "\n") * 4 + "\n".join(OCR_TEXTS) + "\n"
    lines = text.splitlines(keepends=True)
    chunks = list(iter_chunks(lines, size=100))
    assert "".join(chunks) == text
    assert len(chunks) > 3
    fixer = Fixer()
    assert "".join(fixer.fix_text(c) for c in chunks) == fixer.fix_text(text)


@pytest.mark.parametrize("jobs", [1, 2])
def test_fix_many(jobs):
    texts = OCR_TEXTS[:8]
    assert fix_many(texts, jobs=jobs) == [fix_text(t) for t in texts]
    assert fix_many(texts, jobs=jobs, tone_style="new") == [fix_text(t, tone_style="new") for t in texts]


def test_fix_many_of_nothing():
    assert fix_many([], jobs=2) == []


# --- wrong input types ----------------------------------------------------------------------------------
def test_fix_text_of_bytes_is_a_friendly_type_error():
    with pytest.raises(TypeError, match=r"str.*bytes.*decode"):
        fix_text(b"Chi thi s6")


def test_fix_and_explain_of_bytes_is_a_type_error():
    with pytest.raises(TypeError, match="bytes"):
        fix_and_explain(b"Chi thi s6")


@pytest.mark.parametrize("value", [None, 42, ["Chi thi"]])
def test_fix_text_of_other_types_is_a_type_error(value):
    with pytest.raises(TypeError):
        fix_text(value)


def test_fixer_fix_text_of_bytes_is_a_friendly_type_error():
    with pytest.raises(TypeError, match=r"decode"):
        Fixer().fix_text(b"Chi thi s6")


# --- extra words, protect, threshold, retone --------------------------------------------------------------
def test_extra_words_add_a_name():
    """Khuổi is in no shipped lexicon: without the name the word cannot get its marks."""
    assert fix_text("Ban Khuoi Nam") == "Bản Khuoi Nam"
    assert fix_text("Ban Khuoi Nam", extra_words=("Khuổi Nặm",)).startswith("Bản Khuổi ")
    assert fix_text("Ban Khuoi Nam", extra_words=["Khuổi Nặm"]).startswith("Bản Khuổi ")


def test_extra_words_add_an_acronym():
    assert fix_text("Trưởng TTDT tỉnh") == "Trưởng TTDT tỉnh"
    assert fix_text("Trưởng TTDT tỉnh", extra_words=("TTĐT",)) == "Trưởng TTĐT tỉnh"


def test_lexicon_files_add_a_name(tmp_path):
    words = tmp_path / "names.txt"
    words.write_text("# địa danh\nKhuổi Nặm\n\nTTĐT\n", encoding="utf-8")
    fixer = Fixer(lexicon_files=(str(words),))
    assert fixer.fix_text("Ban Khuoi Nam").startswith("Bản Khuổi ")
    assert fixer.fix_text("Trưởng TTDT tỉnh") == "Trưởng TTĐT tỉnh"


def test_extra_words_do_not_leak_into_the_default_lexicon():
    Fixer(extra_words=("Khuổi Nặm",)).fix_text("Ban Khuoi Nam")
    assert fix_text("Ban Khuoi Nam") == "Bản Khuoi Nam"


def test_extra_words_name_is_preferred():
    assert fix_text("xa Pac Nam", extra_words=("Pắc Nậm",)) == "xã Pắc Nậm"


def test_extra_words_name_is_used_whole():
    assert fix_text("Ban Khuoi Nam", extra_words=("Khuổi Nặm",)) == "Bản Khuổi Nặm"


def test_protect_keeps_matched_words():
    text = "Chi thi s6 28-CT/TW ctia B6 Chinh tri"
    assert fix_text(text, protect=(r"\bctia\b",)) == "Chỉ thị số 28-CT/TW ctia Bộ Chính trị"
    out = fix_text(text, protect=(r"B6 Chinh",))
    assert out.startswith("Chỉ thị số 28-CT/TW của B6 Chinh ")
    # a match that overlaps a word protects the whole word
    assert fix_text(text, protect=(r"ti",)).split()[4] == "ctia"


def test_protect_applies_per_line():
    text = "Nguyen Van A\nnguoi lao dong\n"
    assert fix_text(text, protect=(r"^Nguyen Van A$",)) == "Nguyen Van A\nngười lao động\n"


def test_protect_in_explain():
    result = fix_and_explain("Chi thi s6 ctia", protect=("s6",))
    assert "s6" not in [e.original for e in result.edits]
    assert result.text.startswith("Chỉ thị s6 ")


def _edits(threshold):
    text = "\n".join(OCR_TEXTS)
    return len(fix_and_explain(text, threshold=threshold).edits)


def test_threshold_one_changes_fewer_words_than_zero():
    strict, default, lenient = _edits(1.0), _edits(0.5), _edits(0.0)
    assert strict < lenient
    assert strict <= default <= lenient


def test_retone_moves_tones_of_correct_words():
    assert fix_text("Hoà bình") == "Hoà bình"
    assert fix_text("Hoà bình", retone=True) == "Hòa bình"
    assert fix_text("Hòa bình, thủy lợi", retone=True, tone_style="new") == "Hoà bình, thuỷ lợi"


def test_package_exports():
    for name in vnfix.__all__:
        assert hasattr(vnfix, name)
    assert vnfix.__version__


def test_pure_python_gives_the_same_output_as_the_accelerator(lexicon):
    if getattr(lexicon.lm, "native", None) is None:
        pytest.skip("the C accelerator is not built (or VNFIX_PURE=1)")
    text = "\n".join(OCR_TEXTS) + "\n" + MULTI_PARAGRAPH
    code = ("import sys, vnfix; r = vnfix.fix_and_explain(sys.stdin.buffer.read().decode('utf-8')); "
            "sys.stdout.write(ascii((r.text, r.edits)))")
    env = {**os.environ, "VNFIX_PURE": "1"}
    pure = subprocess.run([sys.executable, "-c", code], input=text.encode("utf-8"), capture_output=True, env=env,
                          check=True, timeout=120).stdout.decode("ascii")
    native = fix_and_explain(text)
    assert pure == ascii((native.text, native.edits))


def test_the_decoder_reads_any_sequence_of_candidate_lists(lexicon):
    """The C decoder reads the pipeline's lists in place; tuples and other sequences decode alike."""
    from vnfix.candidates import restore
    from vnfix.decode import posteriors, viterbi

    lattice = [restore(w, lexicon) for w in "Ong Chuong lung tung".split()]
    path = viterbi(lattice, lexicon.lm)
    assert [lattice[i][k].text for i, k in enumerate(path)] == ["ông", "chương", "lúng", "túng"]
    assert viterbi(tuple(tuple(c) for c in lattice), lexicon.lm) == path
    assert viterbi(list(map(tuple, lattice)), lexicon.lm) == path
    assert posteriors(tuple(lattice), path, [2], lexicon.lm) == posteriors(lattice, path, [2], lexicon.lm)


# --- idempotence by design: blocks are fixed again until they settle ----------------------------------
def test_a_changed_block_is_fixed_again_until_it_settles():
    # On its own line with no marks, 'thutc' looks typed without accents and is kept; once its
    # neighbours have their marks the line reads as OCR and it becomes 'thực'. One call does both.
    text = "1. Tuan theo phap luat; bao dam chinh xac, khach quan, trung thutc, \n"
    once = fix_text(text)
    assert once == "1. Tuân theo pháp luật; bảo đảm chính xác, khách quan, trung thực, \n"
    assert fix_text(once) == once


def test_explain_reports_the_settled_edit_against_the_input():
    text = "khach quan, trung thutc, "
    result = fix_and_explain(text)
    edit = next(e for e in result.edits if e.original == "thutc")
    assert (edit.replacement, text[edit.start:edit.end]) == ("thực", "thutc")


def test_blocks_longer_than_the_limit_are_streamed_in_one_pass(monkeypatch):
    import vnfix.fixer

    monkeypatch.setattr(vnfix.fixer, "BLOCK_CHARS", 16)
    lines = ["Cong hoa xa hoi chu nghia Viet Nam\n", "Doc lap Tu do Hanh phuc\n", "Ha Noi ngay 1 thang 2\n"]
    out = list(Fixer().fix_lines(lines))
    assert len(out) == 3 and all(line.endswith("\n") for line in out)
    assert "".join(out) == Fixer().fix_text("".join(lines))
    assert out[0] == "Cộng hòa xã hội chủ nghĩa Việt Nam\n"


def test_fix_chunks_streams_pieces_of_lines_that_join_to_fix_text(monkeypatch):
    import vnfix.fixer

    lines = ["Chi thi s6 28-CT/TW ngay 25/12/2023 ctia B6 Chinh tri, ve viec\n", "tang cudng cong tac\n"]
    chunks = list(Fixer().fix_chunks(lines))
    assert len(chunks) == 1  # a block that ends a window is settled, then handed on whole
    assert "".join(chunks) == fix_text("".join(lines))
    monkeypatch.setattr(vnfix.fixer, "BLOCK_CHARS", 16)  # a long block streams a window at a time
    chunks = list(Fixer().fix_chunks(lines))
    assert len(chunks) == 2 and chunks[0].endswith("Chính trị,")  # (the comma ends a window)
    assert "".join(chunks) == Fixer().fix_text("".join(lines))
