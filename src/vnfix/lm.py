"""The syllable trigram language model: compact on disk, fast to load, memoised lookups.

The model is interpolated modified Kneser-Ney written in backoff form
(scripts/build_lexicons.py builds it). ``lm.bin`` holds, after a header, seven
flat arrays: unigram log-probabilities and backoff weights (indexed by id),
sorted bigram keys with their log-probabilities and backoffs, and sorted trigram
keys with their log-probabilities, every value an int16 in 1/1000 nats. Loading
is a few ``array.frombytes`` calls (milliseconds); a lookup is a binary search
whose result is memoised, because text repeats its n-grams.

>>> from vnfix.lexicon import default_lexicon
>>> lm = default_lexicon().lm
>>> v = default_lexicon().vocab
>>> lm.score(v["của"], v["bộ"], v["chính"]) > lm.score(v["của"], v["bộ"], v["chình"])
True
"""

from __future__ import annotations

import struct
from array import array
import importlib
import os
from bisect import bisect_left
from pathlib import Path
from typing import Any

BITS = 15  # ids are < 2**15, so a bigram key fits in 30 bits and a trigram key in 45
SPECIALS = ("<s>", "</s>", "<unk>", "<num>")
HEADER = struct.Struct("<8sIII")
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
        data = path.read_bytes()
        magic, nv, nb, nt = HEADER.unpack_from(data)
        if magic != b"VNFXLM01":
            raise ValueError(f"{path}: not a vnfix language model")
        pos = HEADER.size
        arrays = []
        for code, n in (("h", nv), ("h", nv), ("i", nb), ("h", nb), ("h", nb), ("q", nt), ("h", nt)):
            a = array(code)
            size = a.itemsize * n
            a.frombytes(data[pos:pos + size])
            pos += size
            arrays.append(a)
        self.uni_lp, self.uni_bo, self.bi_keys, self.bi_lp, self.bi_bo, self.tri_keys, self.tri_lp = arrays
        self.size = nv
        self.unigram = [v / SCALE for v in self.uni_lp]
        self.unigram_backoff = [v / SCALE for v in self.uni_bo]
        self._tri: dict[int, tuple[dict[int, float], float]] = {}
        self._bi: dict[int, dict[int, float]] = {}
        native = native_module()
        self.native = native.NativeLM(*(a.tobytes() for a in arrays)) if native else None

    @staticmethod
    def _slice(keys: array, values: array, prefix: int, shift: int) -> dict[int, float]:
        """{last id: value} for every key starting with ``prefix`` (keys are sorted)."""
        lo = bisect_left(keys, prefix << shift)
        hi = bisect_left(keys, (prefix + 1) << shift, lo)
        mask = (1 << shift) - 1
        return {k & mask: v / SCALE for k, v in zip(keys[lo:hi], values[lo:hi])}

    def bigrams_after(self, b: int) -> dict[int, float]:
        """{c: ln P(c | b)} for the stored bigrams after ``b`` (memoised)."""
        got = self._bi.get(b)
        if got is None:
            got = self._bi[b] = self._slice(self.bi_keys, self.bi_lp, b, BITS)
        return got

    def trigrams_after(self, a: int, b: int) -> tuple[dict[int, float], float]:
        """({c: ln P(c | a b)} for stored trigrams, ln backoff weight of the context a b)."""
        ctx = (a << BITS) | b
        got = self._tri.get(ctx)
        if got is None:
            if len(self._tri) > 500_000:  # bound memory on endless streams
                self._tri.clear()
            i = bisect_left(self.bi_keys, ctx)
            bo = self.bi_bo[i] / SCALE if i < len(self.bi_keys) and self.bi_keys[i] == ctx else 0.0
            got = self._tri[ctx] = (self._slice(self.tri_keys, self.tri_lp, ctx, BITS), bo)
        return got

    def score(self, a: int, b: int, c: int) -> float:
        """ln P(c | a b) in nats."""
        tri, bo = self.trigrams_after(a, b)
        lp = tri.get(c)
        if lp is not None:
            return lp
        return bo + self.bigrams_after(b).get(c, self.unigram_backoff[b] + self.unigram[c])
