"""The fuzzy-matching core: from a damaged token to the syllables it may be, fast.

Lookup has two stages. A symmetric-delete index over syllable *keys*
(lower case, no marks, OCR symbols read as letters, and what OCR prints for a
lost letter folded back: ``s6`` → ``so``, ``dir`` → ``du`` like ``dữ``) finds
every key within edit distance 2 (1 for short tokens) with a few dict probes.
The syllables behind those keys are then ranked by the learned channel
(``vnfix.channel``), whose rewrite rules know that ``ủ`` is often read ``ti``
and ``ô`` read ``6``. Results are memoised per token.

>>> [m.syllable for m in lookup("ctia")][:1]
['của']
>>> [m.syllable for m in lookup("s6")][:1]
['số']
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache
from itertools import combinations
from typing import NamedTuple

import regex
from rapidfuzz.distance import Levenshtein

from .channel import Channel, load_capitals, skeleton
from .lexicon import Lexicon, default_lexicon, lexicon_dir
from .lm import native_module

MAX_TOKEN = 20  # longer tokens are no damaged syllable
PER_SKELETON = (1000, 6, 2)  # syllables a skeleton at distance 0, 1, 2 from the query contributes
# Before the channel scores a token's neighbours, a cheap pre-rank keeps the POOL it will score:
# PRE_DISTANCE per unit of skeleton distance, plus the edit distance, minus PRE_PRIOR per unit of
# ln(count + 1). The channel ranks by ln P(token | syllable) + ln P(syllable), so a common syllable
# two edits away (sử for sit, ứng for ting) must reach the pool: at (3.0, 0.4) and 48 it seldom
# did. (2.0, 0.8) repaired 6-8% more words of the synthetic scans (its alignments are longer: 7%
# more instructions per cold lookup, under 2% in fix_text); a pool of 64 another 1-3% (ứng was
# 51st for ting), for 3.6% more instructions in fix_text.
PRE_DISTANCE, PRE_PRIOR = 2.0, 0.8
POOL = 64
# What an English OCR engine prints that no Vietnamese spelling has, folded back in the index
# key so the syllable sits at distance 0 or 1 instead of 2 (where only the commonest few are
# tried): letter pairs for a u or ư under a mark (dữ → dir, ừ → iv, ũ → ii, nước → nwée), and
# d or t inside a word, where Vietnamese has neither (ơ → d as in dwdng, ư → t as in ctia).
_FOLD_U = regex.compile(r"i[rfvi]|u[rfv]|t[fv]|w")
_new = tuple.__new__  # (a Match from the C tuple without a Python-level __new__)


def index_key(word: str) -> str:
    """What the index files a word under: its skeleton, with what OCR prints for lost letters folded.

    >>> index_key("Dir"), index_key("dữ"), index_key("s6"), index_key("dwdng"), index_key("đường")
    ('du', 'du', 'so', 'duong', 'duong')
    """
    key = skeleton(word)
    if "w" in key or "r" in key or "f" in key or "v" in key or "ii" in key:
        key = _FOLD_U.sub("u", key)
    rest = key[1:]
    if "d" in rest or "t" in rest[:-1]:
        last = "o" if rest[-1] == "d" else rest[-1]  # (a final t is a coda)
        key = key[0] + rest[:-1].replace("d", "o").replace("t", "u") + last
    return key


class Match(NamedTuple):
    """A syllable a token may stand for: ln P(token | syllable) under the channel, and ln P(syllable)."""

    syllable: str
    logp: float
    prior: float

    @property
    def score(self) -> float:
        """ln P(token | syllable) P(syllable): the ranking without context."""
        return self.logp + self.prior


def _deletes(word: str, n: int) -> set[str]:
    out = {word}
    for k in range(1, min(n, len(word)) + 1):
        for idx in combinations(range(len(word)), k):
            out.add("".join(c for i, c in enumerate(word) if i not in idx))
    return out


class FuzzyIndex:
    """Symmetric-delete index over the skeletons of a syllable inventory, ranked by a channel."""

    def __init__(self, syllables: Iterable[tuple[str, int]], channel: Channel, max_distance: int = 2,
                 pool: int = POOL) -> None:
        self.channel = channel
        self.max_distance = max_distance
        self.pool = pool
        counts: dict[str, list[tuple[str, int]]] = {}
        for syl, count in syllables:
            counts.setdefault(index_key(syl), []).append((syl, count))
        # skeleton -> [(syllable, ln(count + 1))], commonest first
        self.by_skeleton: dict[str, list[tuple[str, float]]] = {
            sk: [(syl, math.log(n + 1)) for syl, n in sorted(b, key=lambda sc: (-sc[1], sc[0]))]
            for sk, b in counts.items()
        }
        # A skeleton at distance 0, 1, 2 from the query contributes its 1000, 6, 2 commonest
        # syllables, as ready-made columns: (syllables, pre-rank offsets, ln(count + 1)).
        self._columns = {
            sk: [([s for s, _ in b[:n]], [PRE_DISTANCE * dist - PRE_PRIOR * p for _, p in b[:n]],
                  [p for _, p in b[:n]])
                 for dist, n in enumerate(PER_SKELETON)]
            for sk, b in self.by_skeleton.items()
        }
        self.deletes: dict[str, list[str]] = {}
        for sk in self.by_skeleton:
            for d in _deletes(sk, max_distance):
                self.deletes.setdefault(d, []).append(sk)
        self.log_total = math.log(sum(n for b in counts.values() for _, n in b) + 1)
        self._memo: dict[tuple[str, int], tuple[tuple[str, float, float], ...]] = {}
        self._near: dict[str, tuple[list[str], list[float], list[float]]] = {}
        self.native = None
        if channel.native is not None:
            NativeIndex = native_module().NativeIndex  # noqa: N806 (the C type)

            golds = sorted({syl for b in self.by_skeleton.values() for syl, _ in b})
            gid = {g: i for i, g in enumerate(golds)}
            skels = sorted(self.by_skeleton)
            buckets = [[(gid[syl], p) for syl, p in self.by_skeleton[sk]] for sk in skels]
            self.native = NativeIndex(channel.native, golds, skels, buckets, PER_SKELETON,
                                      (PRE_DISTANCE, PRE_PRIOR), max_distance)

    def skeletons_near(self, token: str) -> list[tuple[str, int]]:
        """(skeleton, edit distance) for every indexed skeleton close to ``token``'s."""
        q = index_key(token)
        limit = 1 if len(q) <= 2 else self.max_distance
        found: dict[str, int] = {}
        lev = Levenshtein.distance
        for d in _deletes(q, limit):
            for sk in self.deletes.get(d, ()):
                if sk not in found:
                    found[sk] = lev(q, sk, score_cutoff=limit + 1)
        return sorted(((sk, d) for sk, d in found.items() if d <= limit), key=lambda kv: (kv[1], kv[0]))

    def _neighbours(self, token: str) -> tuple[list[str], list[float], list[float]]:
        """Syllables near ``token``'s skeleton, with their pre-rank offsets and ln(count + 1) (memoised)."""
        q = index_key(token)
        got = self._near.get(q)
        if got is None:
            golds: list[str] = []
            offsets: list[float] = []
            priors: list[float] = []
            for sk, dist in self.skeletons_near(token):
                g, o, p = self._columns[sk][dist]
                golds.extend(g)
                offsets.extend(o)
                priors.extend(p)
            if len(self._near) > 200_000:
                self._near.clear()
            got = self._near[q] = (golds, offsets, priors)
        return got

    def lookup(self, token: str, limit: int = 8) -> list[Match]:
        """The ``limit`` most likely syllables for ``token`` (any case), best first."""
        token = token.lower()
        key = (token, limit)
        known = self._memo.get(key)
        if known is not None:
            return [_new(Match, m) for m in known]
        if len(token) > MAX_TOKEN:
            return []
        log_total = self.log_total
        q = index_key(token)
        if len(q) > MAX_TOKEN:
            return []
        found: list[tuple[str, float, float]]
        if self.native is not None:  # the same steps in C
            found = self.native.lookup(token, q, 1 if len(q) <= 2 else self.max_distance, self.pool, limit, log_total)
        else:
            golds, offsets, priors = self._neighbours(token)
            # A cheap pre-rank (edit distance, frequency) leaves the channel's DP a few candidates.
            order, logps = self.channel.best(token, golds, offsets, self.pool)
            scored = [Match(golds[i], lp, priors[i] - log_total) for i, lp in zip(order, logps)]
            scored.sort(key=lambda m: (-m.score, m.syllable))
            found = [(m.syllable, m.logp, m.prior) for m in scored[:limit]]
        if len(self._memo) > 500_000:
            self._memo.clear()
        # (remembered as plain tuples, which the garbage collector leaves alone: there are many)
        self._memo[key] = tuple(found)
        return [_new(Match, m) for m in found]


def build_index(lex: Lexicon, channel: Channel) -> FuzzyIndex:
    """An index over the lexicon's syllables (special ids excluded)."""
    syllables = ((s, lex.counts[i]) for s, i in lex.vocab.items() if not s.startswith("<"))
    extra = ((s, n) for bucket in lex.by_stripped.values() for s, n in bucket if s not in lex.vocab)
    return FuzzyIndex([*syllables, *extra], channel)


@lru_cache(maxsize=1)
def default_channel() -> Channel:
    """The shipped channel model (lexicons/channel.tsv), loaded once."""
    return Channel.load(lexicon_dir() / "channel.tsv")


@lru_cache(maxsize=1)
def default_capitals() -> frozenset[tuple[str, str]]:
    """The shipped capital misreads (lexicons/capitals.tsv, see ``channel.capital_counts``), loaded once."""
    return load_capitals(lexicon_dir() / "capitals.tsv")


@lru_cache(maxsize=1)
def default_index() -> FuzzyIndex:
    """The index over the shipped lexicon, built on first use."""
    return build_index(default_lexicon(), default_channel())


def lookup(token: str, limit: int = 5) -> list[Match]:
    """Top syllables for a damaged token, with channel ln-probabilities (default index).

    >>> "đảng" in [m.syllable for m in lookup("Pang")]
    True
    """
    return default_index().lookup(token, limit)


def distance(ocr: str, syllable: str) -> float:
    """Channel cost (-ln P) of reading ``syllable`` as ``ocr``; 0 is a perfect read.

    >>> distance("ctia", "của") < distance("ctia", "chia")
    True
    """
    return -default_channel().logp(ocr.lower(), syllable.lower())


def similarity(ocr: str, syllable: str) -> float:
    """P(ocr | syllable) under the channel, in 0..1."""
    return math.exp(-distance(ocr, syllable))
