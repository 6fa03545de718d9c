"""The OCR channel: how an OCR engine that does not know Vietnamese writes each syllable.

The model is a table of rewrite rules learned from aligned (OCR, gold) word
pairs: a gold segment of up to two letters becomes an OCR segment of up to two
characters (``ủ → ti`` as in ctia/của, ``ô → 6``, ``đ → p``, ``ơ → d``, ``ư → w``),
each with a log-probability. Unseen single-letter rewrites back off to a few
generic costs: same letter with other marks is cheap, another letter is dear.
``logp(ocr, gold)`` is the best rewrite path (a small dynamic programme),
memoised per pair.

>>> ch = Channel({("ủ", "ti"): -0.7})
>>> ch.logp("ctia", "của") > ch.logp("ctia", "cua")
True
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from .syllable import strip_marks

MAX_SEG = 2
# Characters an English OCR engine prints for letters it cannot read; used only to
# align pairs for training (the learned table, not this map, scores candidates).
_ALIGN_AS = str.maketrans({"6": "o", "0": "o", "4": "a", "&": "a", "¢": "e", "€": "e", "¥": "y", "1": "l",
                           "3": "a", "@": "a", "8": "a", "9": "g", "5": "s", "$": "s", "2": "a", "7": "t"})
# Generic ln-probabilities for rewrites the table has not seen.
LP_SAME_LETTER = math.log(0.02)  # ô read as o, ê as é: marks lost or misread
LP_OTHER = math.log(0.0005)
LP_INSERT = math.log(0.0005)
LP_DELETE = math.log(0.001)
LP_KEEP = math.log(0.97)  # a letter read as itself


def _base_table() -> str:
    """Every BMP code point mapped to its letter without marks (one char), for the C twin of _single."""
    out = []
    strip = strip_marks.__wrapped__  # (65,536 one-off calls would crowd the cache out)
    for cp in range(0x10000):
        ch = chr(cp)
        if 0xD800 <= cp <= 0xDFFF:
            out.append(ch)
            continue
        low = ch.lower()
        # Only Latin letters carry marks strip_marks removes (the Latin blocks below); it also
        # composes, which changes the few code points that are not in NFC.
        latin = 0x80 <= cp < 0x250 or 0x1E00 <= cp < 0x1F00
        b = strip(low) if latin or not unicodedata.is_normalized("NFC", low) else low
        out.append(b if len(b) == 1 else ch)
    return "".join(out)


def skeleton(word: str) -> str:
    """Lower case, no marks, OCR symbols read as the letter they usually stand for (for alignment)."""
    return strip_marks(word.lower()).translate(_ALIGN_AS)


def align(ocr: str, gold: str) -> list[tuple[str, str]]:
    """Segment pairs (gold part, OCR part) that rewrite ``gold`` into ``ocr`` (both lower case).

    >>> align("ctia", "của")
    [('c', 'c'), ('ủ', 'ti'), ('a', 'a')]
    >>> align("thurc", "thức")
    [('t', 't'), ('h', 'h'), ('ứ', 'ur'), ('c', 'c')]
    """
    g_sk, o_sk = skeleton(gold), skeleton(ocr)
    pairs: list[tuple[str, str]] = []
    pending_g = pending_o = ""
    for op in Levenshtein.opcodes(g_sk, o_sk):
        tag, i1, i2, j1, j2 = op.tag, op.src_start, op.src_end, op.dest_start, op.dest_end
        if tag == "equal":
            if pending_g or pending_o:
                _flush_block(pairs, pending_g, pending_o)
                pending_g = pending_o = ""
            pairs.extend(zip(gold[i1:i2], ocr[j1:j2]))
        else:  # runs of replace/insert/delete merge into one block: ủ -> ti
            pending_g += gold[i1:i2]
            pending_o += ocr[j1:j2]
    if pending_g or pending_o:
        _flush_block(pairs, pending_g, pending_o)
    return pairs


def _flush_block(pairs: list[tuple[str, str]], g: str, o: str) -> None:
    """Append the rules of a block of edits; a lone character after a letter whose marks were
    lost is those marks, printed apart (ử read as ``ur``: the horn as ``r``), not a stray insert."""
    if not g and len(o) == 1 and pairs:
        last_g, last_o = pairs[-1]
        if len(last_g) == 1 and len(last_o) == 1 and last_g != last_o:
            pairs[-1] = (last_g, last_o + o)
            return
    pairs.extend(_split_block(g, o))


def _split_block(g: str, o: str) -> list[tuple[str, str]]:
    if len(g) <= MAX_SEG and len(o) <= MAX_SEG:
        return [(g, o)]
    if len(g) == len(o):
        return list(zip(g, o))
    return [(g, o)]  # too long to be one rule; train() skips it


class Channel:
    """ln P(OCR text | gold syllable) from learned rewrite rules."""

    def __init__(self, rules: dict[tuple[str, str], float]) -> None:
        from .lm import native_module

        self.rules = rules
        native = native_module()
        self.native = native.NativeChannel(rules, _base_table(), LP_SAME_LETTER, LP_OTHER, LP_INSERT,
                                           LP_DELETE, LP_KEEP) if native else None
        self._memo: dict[tuple[str, str], float] = {}
        self._core_memo: dict[tuple[str, str], float] = {}

    @classmethod
    def train(cls, pairs: Iterable[tuple[str, str]], min_count: int = 2) -> Channel:
        """Learn rules from (OCR word, gold word) pairs."""
        rule_counts: Counter[tuple[str, str]] = Counter()
        seg_counts: Counter[str] = Counter()
        chars = 0
        for ocr, gold in pairs:
            ocr, gold = ocr.lower(), gold.lower()
            for g, o in align(ocr, gold):
                if len(g) <= MAX_SEG and len(o) <= MAX_SEG:
                    rule_counts[(g, o)] += 1
            chars += len(gold)
            for n in range(1, MAX_SEG + 1):
                for i in range(len(gold) - n + 1):
                    seg_counts[gold[i:i + n]] += 1
        rules = {}
        for (g, o), n in rule_counts.items():
            if n < min_count and len(g) + len(o) > 2:
                continue  # one-off multi-letter rewrites are mostly alignment noise
            denom = seg_counts[g] if g else chars
            rules[(g, o)] = math.log(n / (denom + 1))
        return cls(rules)

    @classmethod
    def load(cls, path: Path) -> Channel:
        rules = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#"):
                    continue
                g, o, lp = line.rstrip("\n").split("\t")
                rules[(g, o)] = float(lp)
        return cls(rules)

    def save(self, path: Path) -> None:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("# gold segment\tOCR segment\tln P(OCR | gold)\n")
            for (g, o), lp in sorted(self.rules.items()):
                f.write(f"{g}\t{o}\t{lp:.4f}\n")

    def _single(self, g: str, o: str) -> float:
        lp = self.rules.get((g, o))
        if lp is not None:
            return lp
        if not g:
            return LP_INSERT
        if not o:
            return LP_DELETE
        if g == o:
            return LP_KEEP
        return LP_SAME_LETTER if strip_marks(g) == strip_marks(o.lower()) else LP_OTHER

    def best(self, ocr: str, golds: list[str], offsets: list[float], pool: int) -> tuple[list[int], list[float]]:
        """Pre-rank ``golds`` by ``offsets[i] + edit distance to ocr`` (cheap), keep ``pool`` of them,
        and score those with the channel: (their indices, their ln-probabilities)."""
        lev = Levenshtein.distance
        order = sorted(range(len(golds)), key=lambda i: (offsets[i] + lev(golds[i], ocr), i))[:pool]
        return order, [self.logp(ocr, golds[i]) for i in order]

    def logp(self, ocr: str, gold: str) -> float:
        """Best-path ln P(ocr | gold) for a lower-case OCR token and a lower-case syllable."""
        key = (ocr, gold)
        got = self._memo.get(key)
        if got is not None:
            return got
        # Letters both sides share at the edges are read as themselves: only the core needs the DP.
        n, m = len(gold), len(ocr)
        p = 0
        while p < n and p < m and gold[p] == ocr[p]:
            p += 1
        s = 0
        while s < n - p and s < m - p and gold[n - 1 - s] == ocr[m - 1 - s]:
            s += 1
        keep = self._keep
        result = sum(keep(c) for c in gold[:p]) + sum(keep(c) for c in gold[n - s:])
        result += self._core(ocr[p:m - s], gold[p:n - s])
        if len(self._memo) > 1_000_000:
            self._memo.clear()
            self._core_memo.clear()
        self._memo[key] = result
        return result

    def _keep(self, c: str) -> float:
        return self.rules.get((c, c), LP_KEEP)

    def _core(self, ocr: str, gold: str) -> float:
        key = (ocr, gold)
        got = self._core_memo.get(key)
        if got is None:
            got = self._core_memo[key] = self._core_dp(ocr, gold)
        return got

    def _core_dp(self, ocr: str, gold: str) -> float:
        n, m = len(gold), len(ocr)
        if n == m == 0:
            return 0.0
        if n == m == 1:
            return max(self._single(gold, ocr), self._single(gold, "") + self._single("", ocr))
        if n == m and all((gold[i:i + 2], ocr[i:i + 2]) not in self.rules for i in range(n - 1)):
            # No two-letter rule applies at any aligned position: one-to-one rewrites are
            # the best path whenever every one of them is likelier than a delete+insert.
            return sum(max(self._single(g, o), LP_DELETE + LP_INSERT) for g, o in zip(gold, ocr))
        rules = self.rules
        single = self._single
        neg = -1e9
        dp = [[neg] * (m + 1) for _ in range(n + 1)]
        dp[0][0] = 0.0
        for i in range(n + 1):
            row = dp[i]
            for j in range(m + 1):
                here = row[j]
                if here <= neg:
                    continue
                for lg in range(0, min(MAX_SEG, n - i) + 1):
                    g = gold[i:i + lg]
                    target = dp[i + lg]
                    for lo in range(0, min(MAX_SEG, m - j) + 1):
                        if lg == lo == 0:
                            continue
                        o = ocr[j:j + lo]
                        if lg <= 1 and lo <= 1:
                            lp = single(g, o)
                        else:
                            rule = rules.get((g, o))
                            if rule is None:
                                continue
                            lp = rule
                        v = here + lp
                        if v > target[j + lo]:
                            target[j + lo] = v
        return dp[n][m]

def word_pairs(ocr_line: str, gold_line: str) -> list[tuple[str, str]]:
    """(OCR word, gold word) pairs of two line-aligned texts, for training and evaluation.

    Lines with the same number of whitespace tokens pair up in order; otherwise
    only the tokens inside runs that an edit alignment matches one-to-one.

    >>> word_pairs("ctia B6 Chinh tri,", "của Bộ Chính trị,")
    [('ctia', 'của'), ('B6', 'Bộ'), ('Chinh', 'Chính'), ('tri', 'trị')]
    """
    from .tokenize import BETWEEN_WORDS, tokenize

    o_toks, g_toks = ocr_line.split(), gold_line.split()
    if len(o_toks) == len(g_toks):
        spans = list(zip(o_toks, g_toks))
    else:
        o_sk, g_sk = [skeleton(t) for t in o_toks], [skeleton(t) for t in g_toks]
        spans = []
        for op in Levenshtein.opcodes(o_sk, g_sk):
            i1, i2, j1, j2 = op.src_start, op.src_end, op.dest_start, op.dest_end
            if op.tag in ("equal", "replace") and i2 - i1 == j2 - j1:
                spans.extend(zip(o_toks[i1:i2], g_toks[j1:j2]))
    out = []
    for o, g in spans:
        # (a lone ¥ is a word between words, which this whitespace token is: see tokenize)
        ow = [t.text for t in tokenize(o) if t.kind == "word" or t.text == BETWEEN_WORDS]
        gw = [t.text for t in tokenize(g) if t.kind == "word"]
        if len(ow) == 1 and len(gw) == 1:
            out.append((ow[0], gw[0]))
    return out


# -- letter case -----------------------------------------------------------------------------------
# OCR reads some small letters as capitals of other letters: "Iy" for lý, "Gng" for ứng. Inside a
# sentence such a capital is no capital; Đ read as "P" in "Pang" (Đảng) mostly is one.
MIN_CAPITALS = 3  # occurrences of a pair before its letter case is trusted


def capital_counts(lines: Iterable[tuple[str, str]]) -> Counter[tuple[str, str, bool]]:
    """(OCR capital, gold letter, gold in lower case) counts over line-aligned (OCR, gold) pairs.

    Counted: Title-case OCR words after a word of the same sentence whose first letter is not the
    gold word's (the gold letter without marks).

    >>> sorted(capital_counts([("ban Iy do", "bản lý do"), ("Ban Pang", "Ban Đảng")]).items())
    [(('I', 'l', True), 1), (('P', 'đ', False), 1)]
    """
    counts: Counter[tuple[str, str, bool]] = Counter()
    for ocr, gold in lines:
        o_words, g_words = ocr.split(), gold.split()
        if len(o_words) != len(g_words):
            continue
        for i in range(1, len(o_words)):
            o, g = o_words[i], g_words[i]
            if (len(o) < 2 or not o[0].isupper() or any(c.isupper() for c in o[1:])
                    or not g[:1].isalpha() or not g_words[i - 1][-1:].isalpha()):
                continue
            letter = _letter(g[0])
            if letter != o[0].lower():
                counts[(o[0], letter, g[0].islower())] += 1
    return counts


def _letter(c: str) -> str:
    """A letter in lower case without tone or vowel marks (đ stays đ: it is another letter)."""
    c = c.lower()
    return c if c == "đ" else strip_marks(c)


def save_capitals(counts: Counter[tuple[str, str, bool]], path: Path) -> None:
    """Write ``capital_counts`` as a table: one row per (OCR capital, gold letter)."""
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("# OCR capital\tgold letter\tgold lower case\tgold upper case\n")
        for cap, letter in sorted({(c, g) for c, g, _ in counts}):
            f.write(f"{cap}\t{letter}\t{counts[(cap, letter, True)]}\t{counts[(cap, letter, False)]}\n")


def load_capitals(path: Path) -> frozenset[tuple[str, str]]:
    """The (OCR capital, gold letter) pairs whose gold is mostly lower case inside a sentence."""
    out = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            cap, letter, lower, upper = line.rstrip("\n").split("\t")
            if int(lower) + int(upper) >= MIN_CAPITALS and int(lower) > int(upper):
                out.add((cap, letter))
    return frozenset(out)


def misread_capital(word: str, reading: str, capitals: frozenset[tuple[str, str]]) -> bool:
    """True when ``word``'s capital is OCR's reading of the small first letter of ``reading``.

    >>> misread_capital("Iy", "lý", frozenset({("I", "l")})), misread_capital("Ly", "lý", frozenset({("I", "l")}))
    (True, False)
    """
    return (word[:1], _letter(reading[:1])) in capitals
