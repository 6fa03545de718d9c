"""vnfix.dask on a real two-process distributed cluster: bags, files and dataframe columns.

Every output is compared with ``vnfix.fix_text`` (or ``Fixer.fix_text`` of a
whole file) on the same input. Skipped when the ``dask`` extra is missing.
"""

from __future__ import annotations

import doctest
import math
import os
from pathlib import Path

import pytest

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")
dd = pytest.importorskip("dask.dataframe")
import dask.bag as db

import vnfix
from vnfix import Config, Fixer
from vnfix.batch import fix_stream

vdask = pytest.importorskip("vnfix.dask")

ROOT = Path(__file__).resolve().parents[1]

LINES = [
    "UY BAN NHAN DAN CONG HOA XA HOI CHU NGHIA VIET NAM\n",
    "SO TU PHAP Doc lap - Ty do - Hanh phiic\n",
    "S6 786-TTr-UBND Ha Tién, ngay 28 thang 5 ndm 2010\n",
    "\n",
    "10. Cong trinh x4y dung 1a san pham dugc tao thanh b@i stfc lao déng cla con\n",
    "ngudi, vat liéu xdy dung, thiét bi lap dat vao cong trinh, dugc lién két dinh vi véi dat,\n",
    "c6 thé bao g6m phan dui mat dat, phan trén m&t dat, phan duéi mat nuGéc va phan\n",
    "trén mat nuéc, dudc x4y dung theo thiét ké.\n",
    "Chi thi s6 28-CT/TW ctia B6 Chinh tri\r\n",
    "ve viec thuc hién Nghi quyét 15/2023/NQ-CP\r\n",
    "Xem https://vanban.chinhphu.vn, lien he vanthu@moj.gov.vn.\n",
    "   Nguoi lao dong cé quyén nghi viéc   \n",
    "Cộng hòa xã hội chủ nghĩa Việt Nam\n",
    "Thong tu nay cé hiéu luc tit ngay ky.\n",
    "Tré em cé quyén dudc cham séc, gido duc.\n",
    "Kinh phi thuc hién dugc b6 tri tir ngan sach nha nuéc\n",
]


def corpus(repeats: int) -> str:
    """A multi-paragraph text whose lines rotate, so that chunks differ from one another."""
    out = []
    for r in range(repeats):
        k = r % len(LINES)
        out.extend(LINES[k:] + LINES[:k])
    return "".join(out) + "Ha Noi, ngay 15 thang 3 ndm 2024"  # last line without an ending


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=40)
    with cluster, distributed.Client(cluster) as c:
        yield c


def test_bag_of_lines_and_documents_matches_fix_text(client):
    texts = [line for line in LINES] + [corpus(2), "", "Ha Noi", "Viet Nam"]
    bag = db.from_sequence(texts, npartitions=5)
    got = vdask.fix_bag(bag).compute()
    assert got == [vnfix.fix_text(t) for t in texts]
    # the work ran on the two worker processes, not here
    assert len(client.scheduler_info()["workers"]) == 2


def test_bag_keeps_keys_and_none_and_options(client):
    items = [("a", "Hoa binh"), None, "Thuy loi", ("b", None)]
    got = vdask.fix_bag(db.from_sequence(items, npartitions=2), tone_style="new").compute()
    assert got == [("a", vnfix.fix_text("Hoa binh", tone_style="new")), None,
                   vnfix.fix_text("Thuy loi", tone_style="new"), ("b", None)]
    with pytest.raises(TypeError, match="elements must be str"):
        vdask.fix_bag(db.from_sequence([1, 2], npartitions=1)).compute()


def _fixer_here(config: Config) -> tuple[int, int, int]:
    from vnfix import dask as vd

    fixer = vd._FIXERS[config]
    return os.getpid(), id(fixer), id(fixer.lexicon)


def test_one_fixer_per_worker_process(client):
    config = Config(threshold=0.4)
    vdask.preload(client, config)  # every worker builds its Fixer and loads the lexicons now
    before = client.run(_fixer_here, config)
    assert len(before) == 2 and len({pid for pid, _, _ in before.values()}) == 2
    assert os.getpid() not in {pid for pid, _, _ in before.values()}  # the work is not done in this process
    got = vdask.fix_bag(db.from_sequence(LINES * 4, npartitions=8), config).compute()
    assert got == [vnfix.fix_text(t, threshold=0.4) for t in LINES * 4]
    # 8 tasks later, each worker still has the very same Fixer and lexicon: nothing was built or loaded again
    assert client.run(_fixer_here, config) == before


def test_read_text_files_chunks_join_to_whole_file(client, tmp_path):
    text = corpus(12)
    path = tmp_path / "big.txt"
    path.write_bytes(text.encode("utf-8"))
    bag = vdask.read_text_files(path, blocksize=1024)
    chunks = bag.compute()
    assert "".join(chunks) == text
    assert len(chunks) >= 8 and bag.npartitions == len(chunks)
    fixed = vdask.fix_bag(bag).compute()
    assert "".join(fixed) == Fixer().fix_text(text) == vnfix.fix_text(text)


def test_fix_files_equals_cli_stream_and_keeps_bom_and_order(client, tmp_path):
    a = tmp_path / "a.txt"
    b = tmp_path / "b.txt"
    a.write_bytes(corpus(10).encode("utf-8"))
    b.write_bytes(b"\xef\xbb\xbf" + corpus(3).encode("utf-8"))
    (tmp_path / "empty.txt").write_bytes(b"")
    written = vdask.fix_files([a, b, tmp_path / "empty.txt"], tmp_path / "out", blocksize=1500, in_flight=3)
    assert [p.name for p in written] == ["a.txt", "b.txt", "empty.txt"]
    for src in (a, b):
        text = src.read_bytes().decode("utf-8-sig")
        expected = "".join(fix_stream(text.splitlines(keepends=True)))
        assert expected == vnfix.fix_text(text)
        out = (tmp_path / "out" / src.name).read_bytes()
        bom = b"\xef\xbb\xbf" if src is b else b""
        assert out == bom + expected.encode("utf-8")
    assert (tmp_path / "out" / "empty.txt").read_bytes() == b""


def test_fix_files_glob_and_utf16(client, tmp_path):
    (tmp_path / "u16.txt").write_bytes("Ha Noi.\nViet Nam\n".encode("utf-16"))
    vdask.fix_files(str(tmp_path / "*.txt"), tmp_path / "out")
    raw = (tmp_path / "out" / "u16.txt").read_bytes()
    assert raw.decode("utf-16") == vnfix.fix_text("Ha Noi.\nViet Nam\n")


def test_invalid_utf8_names_file_and_byte(client, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"Ha Noi.\n" * 50 + b"Viet \xff Nam\n")
    with pytest.raises(ValueError, match=r"bad\.txt: not valid UTF-8 at byte 405"):
        vdask.fix_bag(vdask.read_text_files(bad, blocksize=64)).compute()
    got = vdask.fix_bag(vdask.read_text_files(bad, blocksize=64, errors="replace")).compute()
    assert "".join(got) == vnfix.fix_text(bad.read_bytes().decode("utf-8", "replace"))


# -- dataframes --------------------------------------------------------------------------------------

def _frame() -> pd.DataFrame:
    texts: list[object] = [line for line in LINES]
    texts[3] = None  # missing as None
    texts[7] = float("nan")  # missing as NaN
    texts[9] = ""  # an empty text is not missing
    return pd.DataFrame({"id": range(100, 100 + len(texts)), "text": pd.Series(texts, dtype=object)},
                        index=pd.Index([f"r{i:02d}" for i in range(len(texts))], name="key"))


def test_fix_column_object_dtype_matches_fix_text_and_keeps_missing(client):
    pdf = _frame()
    with dask.config.set({"dataframe.convert-string": False}):  # keep the column as object: None and NaN both survive
        ddf = dd.from_pandas(pdf, npartitions=4)
        out = vdask.fix_column(ddf, "text").compute()
    assert list(out.index) == list(pdf.index) and list(out.columns) == ["id", "text"]
    assert out["text"].dtype == object
    for orig, got in zip(pdf["text"], out["text"]):
        if orig is None:
            assert got is None
        elif isinstance(orig, float):
            assert isinstance(got, float) and math.isnan(got)
        else:
            assert got == vnfix.fix_text(orig)


def test_fix_column_string_dtype_into_new_column(client):
    pdf = _frame()
    ddf = dd.from_pandas(pdf.astype({"text": "string"}), npartitions=3)
    out = vdask.fix_column(ddf, "text", Config(tone_style="new"), output_column="fixed").compute()
    assert list(out.columns) == ["id", "text", "fixed"]
    assert out["fixed"].dtype == out["text"].dtype  # a pandas string dtype, missing values are its NA
    assert out["text"].equals(ddf["text"].compute())  # the source column is untouched
    missing = pdf["text"].isna()
    assert out["fixed"].isna().tolist() == missing.tolist()
    expected = [vnfix.fix_text(t, tone_style="new") for t in pdf["text"][~missing]]
    assert out["fixed"][~missing.to_numpy()].tolist() == expected


def test_fix_series_and_type_error(client):
    with dask.config.set({"dataframe.convert-string": False}):
        s = dd.from_pandas(pd.Series(["Ha Noi", None, "Viet Nam"], name="t", dtype=object), npartitions=2)
        assert vdask.fix_series(s).compute().tolist() == ["Hà Nội", None, "Việt Nam"]
    with dask.config.set({"dataframe.convert-string": False}), pytest.raises(TypeError, match="row 1"):
        bad = dd.from_pandas(pd.DataFrame({"text": ["Ha Noi", 5]}, dtype=object), npartitions=1)
        vdask.fix_column(bad, "text").compute()


def test_doctests(client):
    result = doctest.testmod(vdask, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 5
