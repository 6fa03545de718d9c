"""Decoding: the best path through a lattice of candidates under the trigram model.

A beam-pruned Viterbi search whose state is the last two LM ids. After the
search, each position gets a local posterior over its candidates given the
chosen neighbours: that is the confidence vnfix reports, and the number the
repair threshold is compared with.

>>> from vnfix.lexicon import default_lexicon
>>> from vnfix.candidates import restore
>>> lex = default_lexicon()
>>> lattice = [restore(w, lex) for w in "cong hoa xa hoi chu nghia".split()]
>>> " ".join(lattice[i][k].text for i, k in enumerate(viterbi(lattice, lex.lm)))
'cộng hòa xã hội chủ nghĩa'
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from .candidates import Reading
from .lm import SPECIALS, NgramModel

_S = SPECIALS.index("<s>")
_E = SPECIALS.index("</s>")
REACH = 10.0  # ln: a reading this far behind the best state keeps no place of its own in the beam (= _native.c)


def _lists(lattice: Sequence[Sequence[Reading]]) -> list[Sequence[Reading]]:
    """The lattice as the C decoder reads it: a list of lists or tuples (the pipeline's own is)."""
    if type(lattice) is list:
        return lattice
    return [c if type(c) in (list, tuple) else list(c) for c in lattice]


def viterbi(lattice: Sequence[Sequence[Reading]], lm: NgramModel, beam: int = 8) -> list[int]:
    """Index of the chosen candidate at each position of ``lattice``."""
    if lm.native is not None:
        return lm.native.viterbi(_lists(lattice), beam)
    score = lm.score
    unigram = lm.unigram
    # state (prev id, cur id) -> (total ln-prob, back-pointer state, candidate index)
    states: dict[tuple[int, int], tuple[float, tuple[int, int] | None, int]] = {(_S, _S): (0.0, None, -1)}
    steps: list[dict[tuple[int, int], tuple[float, tuple[int, int] | None, int]]] = []
    for cands in lattice:
        new: dict[tuple[int, int], tuple[float, tuple[int, int] | None, int]] = {}
        for key, (total, _, _) in states.items():
            a, b = key
            tri, bo = lm.trigrams_after(a, b)
            bi = lm.bigrams_after(b)
            ubo = lm.unigram_backoff[b]
            for ci, (c, _, ch) in enumerate(cands):
                lp = tri.get(c)
                if lp is None:
                    lp = bi.get(c)
                    lp = bo + (ubo + unigram[c] if lp is None else lp)
                s = total + lp + ch
                nk = (b, c)
                old = new.get(nk)
                if old is None or s > old[0]:
                    new[nk] = (s, key, ci)
        if len(new) > beam:
            # the beam best states, and every candidate's best within reach (see _native.c)
            ranked = sorted(new.items(), key=lambda kv: -kv[1][0])
            seen: set[int] = set()
            new = {}
            floor = ranked[0][1][0] - REACH
            for rank, (nk, v) in enumerate(ranked):
                if rank < beam or v[2] not in seen and v[0] >= floor:
                    new[nk] = v
                seen.add(v[2])
        steps.append(new)
        states = new
    if not steps:
        return []
    best_key = max(states, key=lambda k: states[k][0] + score(k[0], k[1], _E))
    path: list[int] = []
    at: tuple[int, int] | None = best_key
    for step in reversed(steps):
        assert at is not None
        _, at, ci = step[at]
        path.append(ci)
    path.reverse()
    return path


def posteriors(lattice: Sequence[Sequence[Reading]], path: Sequence[int], positions: Sequence[int],
               lm: NgramModel) -> list[list[float]]:
    """For each position: P(candidate | chosen neighbours) of every candidate there (the confidence)."""
    if lm.native is not None:
        return lm.native.posteriors(_lists(lattice), list(path), list(positions))
    ids = [_S, _S] + [lattice[i][k][0] for i, k in enumerate(path)] + [_E, _E]
    out = []
    for pos in positions:
        p = pos + 2
        scores = []
        for c, _, ch in lattice[pos]:
            s = ch + lm.score(ids[p - 2], ids[p - 1], c)
            if p + 1 < len(ids):
                s += lm.score(ids[p - 1], c, ids[p + 1])
            if p + 2 < len(ids) and p + 1 < len(ids) - 2:
                s += lm.score(c, ids[p + 1], ids[p + 2])
            scores.append(s)
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        z = sum(exp)
        out.append([e / z for e in exp])
    return out
