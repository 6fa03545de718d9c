"""The syllable trigram language model: compact on disk, fast to load, memoised lookups.

The model is interpolated modified Kneser-Ney written in backoff form
(scripts/build_lexicons.py builds it). ``lm.bin`` holds, after a header, eight
flat arrays: unigram log-probabilities and backoff weights (indexed by id);
sorted bigram keys with their log-probabilities and backoffs, and for each
bigram where its trigrams start; then the trigrams, sorted, as the last id
(the bigram before is the one pointing at them) and the log-probability. Every
log-probability is an int16 in 1/1000 nats, so a trigram takes four bytes.
Loading maps the file's bytes in place (milliseconds, no copy); a lookup is a
binary search whose result is memoised, because text repeats its n-grams.

>>> from vnfix.lexicon import default_lexicon
>>> lm = default_lexicon().lm
>>> v = default_lexicon().vocab
>>> lm.score(v["của"], v["bộ"], v["chính"]) > lm.score(v["của"], v["bộ"], v["chình"])
True
"""

from __future__ import annotations

import importlib
import os
import struct
from bisect import bisect_left
from pathlib import Path
from typing import Any, Literal

BITS = 15  # ids are < 2**15, so a bigram key fits in 30 bits and a trigram key in 45
SPECIALS = ("<s>", "</s>", "<unk>", "<num>")
HEADER = struct.Struct("<8sIII")
MAGIC = b"VNFXLM02"
# (typecode, length) of the arrays after the header, for nv syllables, nb bigrams and nt trigrams
LAYOUT: tuple[tuple[Literal["h", "H", "i", "I"], str], ...] = (
    ("h", "nv"), ("h", "nv"), ("i", "nb"), ("h", "nb"), ("h", "nb"), ("I", "nb+1"), ("H", "nt"), ("h", "nt"))
SCALE = 1000.0


def native_module() -> Any:
    """The compiled accelerator, or None (not built, or VNFIX_PURE=1 asks for pure Python)."""
    if os.environ.get("VNFIX_PURE") == "1":
        return None
    try:
        return importlib.import_module(".._native", __name__)  # (compiled: no stub for mypy to read)
    except ImportError:
        return None


def quantize(logp: float) -> int:
    return max(-32768, min(32767, round(logp * SCALE)))


class NgramModel:
    """Log-probability of a syllable id given the two before it."""

    def __init__(self, path: Path) -> None:
        data = memoryview(path.read_bytes())
        magic, nv, nb, nt = HEADER.unpack_from(data)
        if magic != MAGIC:
            raise ValueError(f"{path}: not a vnfix language model (rebuild it with scripts/build_lexicons.py)")
        sizes = {"nv": nv, "nb": nb, "nb+1": nb + 1, "nt": nt}
        pos = HEADER.size
        arrays = []
        for code, n in LAYOUT:
            size = struct.calcsize(code) * sizes[n]
            if pos + size > len(data):
                raise ValueError(f"{path}: truncated language model")
            arrays.append(data[pos:pos + size].cast(code))  # (a view of the file's bytes: no copy)
            pos += size
        (self.uni_lp, self.uni_bo, self.bi_keys, self.bi_lp, self.bi_bo, self.bi_tri, self.tri_last,
         self.tri_lp) = arrays
        self.size = nv
        self.unigram = [v / SCALE for v in self.uni_lp]
        self.unigram_backoff = [v / SCALE for v in self.uni_bo]
        self._tri: dict[int, tuple[dict[int, float], float]] = {}
        self._bi: dict[int, dict[int, float]] = {}
        native = native_module()
        self.native = native.NativeLM(*arrays) if native else None

    def bigrams_after(self, b: int) -> dict[int, float]:
        """{c: ln P(c | b)} for the stored bigrams after ``b`` (memoised)."""
        got = self._bi.get(b)
        if got is None:
            keys = self.bi_keys
            lo = bisect_left(keys, b << BITS)
            hi = bisect_left(keys, (b + 1) << BITS, lo)
            mask = (1 << BITS) - 1
            got = self._bi[b] = {k & mask: v / SCALE for k, v in zip(keys[lo:hi], self.bi_lp[lo:hi])}
        return got

    def trigrams_after(self, a: int, b: int) -> tuple[dict[int, float], float]:
        """({c: ln P(c | a b)} for stored trigrams, ln backoff weight of the context a b)."""
        ctx = (a << BITS) | b
        got = self._tri.get(ctx)
        if got is None:
            if len(self._tri) > 500_000:  # bound memory on endless streams
                self._tri.clear()
            i = bisect_left(self.bi_keys, ctx)
            if i < len(self.bi_keys) and self.bi_keys[i] == ctx:  # (a trigram's context is a stored bigram)
                lo, hi = self.bi_tri[i], self.bi_tri[i + 1]
                tri = {c: v / SCALE for c, v in zip(self.tri_last[lo:hi], self.tri_lp[lo:hi])}
                got = (tri, self.bi_bo[i] / SCALE)
            else:
                got = ({}, 0.0)
            self._tri[ctx] = got
        return got

    def score(self, a: int, b: int, c: int) -> float:
        """ln P(c | a b) in nats."""
        tri, bo = self.trigrams_after(a, b)
        lp = tri.get(c)
        if lp is not None:
            return lp
        return bo + self.bigrams_after(b).get(c, self.unigram_backoff[b] + self.unigram[c])
