"""The lexicons vnfix ships: syllables with counts, words, acronyms, and the n-gram model.

Everything is loaded lazily, once per process (``default_lexicon()``), and is
read-only afterwards, so one ``Lexicon`` serves every thread. User words extend
a copy (``Lexicon.extended``), never the shared default.

>>> lex = default_lexicon()
>>> [s for s, _ in lex.by_stripped["duong"]][:3]
['đường', 'dương', 'đương']
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from .lm import SPECIALS, NgramModel
from .normalise import normalise
from .syllable import normalize_tone, parse, strip_marks

UNK = SPECIALS.index("<unk>")


def lexicon_dir() -> Path:
    """Where the lexicon files are: $VNFIX_LEXICONS, the installed package, or the source tree."""
    env = os.environ.get("VNFIX_LEXICONS")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for cand in (here / "lexicons", here.parents[1] / "lexicons"):
        if (cand / "lm.bin").exists():
            return cand
    raise FileNotFoundError("vnfix lexicons not found; set VNFIX_LEXICONS to the folder holding lm.bin")


def acronym_key(word: str) -> str:
    """An abbreviation as its expansions are keyed: without its marks, which OCR loses, or an
    ampersand, which it is written with or without (HĐND, HDND -> HDND; NN&PTNT -> NNPTNT)."""
    return strip_marks(word).replace("&", "")


@dataclass
class Lexicon:
    """Syllable inventory, candidate index, word lists and language model."""

    vocab: dict[str, int]
    counts: list[int]
    by_stripped: dict[str, list[tuple[str, int]]]
    words: frozenset[str]
    acronyms: dict[str, str]  # stripped upper-case form -> acronym (HDND -> HĐND)
    lm: NgramModel
    case_counts: list[tuple[int, int]] = field(default_factory=list)  # per id: mid-sentence (lower, Title)
    user_words: frozenset[str] = field(default_factory=frozenset)
    # unmarked lower-case syllables of a user phrase -> its syllables ("pac nam" -> pắc, nậm)
    phrases: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    user_acronyms: frozenset[str] = field(default_factory=frozenset)
    # acronym with marks -> ln P(written with them | its letters written in capitals), from clean text
    acronym_marks: dict[str, float] = field(default_factory=dict)
    # per id: ln of how much commoner the syllable is in everyday writing than in the LM's text (see load)
    everyday: list[float] = field(default_factory=list)
    # acronym_key(acronym) -> LM ids of what it stands for (UBND; HĐND, HDND -> hội đồng nhân dân)
    expansions: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @cached_property
    def acronym_set(self) -> frozenset[str]:
        """The acronyms as written (HĐND, UBND): ``in`` asks a set, not the dict's values."""
        return frozenset(self.acronyms.values())

    @classmethod
    def load(cls, folder: Path | None = None) -> Lexicon:
        folder = folder or lexicon_dir()
        vocab: dict[str, int] = {}
        counts: list[int] = []
        case_counts: list[tuple[int, int]] = []
        news: list[int] = []
        talk: list[int] = []
        by_stripped: dict[str, list[tuple[str, int]]] = {}
        with open(folder / "syllables.tsv", encoding="utf-8") as f:
            for i, line in enumerate(f):
                syl, n, *more = line.rstrip("\n").split("\t")
                vocab[syl] = i
                counts.append(int(n))
                case_counts.append((int(more[0]), int(more[1])) if more else (0, 0))
                news.append(int(more[2]) if len(more) > 2 else 0)
                talk.append(int(more[3]) if len(more) > 3 else 0)
                if i >= len(SPECIALS):
                    by_stripped.setdefault(strip_marks(syl), []).append((syl, int(n)))
        words = frozenset((folder / "words.txt").read_text(encoding="utf-8").split("\n")) - {""}
        acronyms = {strip_marks(a): a for a in (folder / "acronyms.txt").read_text(encoding="utf-8").split()}
        marks: dict[str, float] = {}
        path = folder / "acronym_marks.tsv"  # (lexicons built before it came have none: no such odds then)
        for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else ():
            if line and not line.startswith("#"):
                acro, marked, bare = line.split("\t")
                marks[acro] = math.log((int(marked) + 1) / (int(marked) + int(bare) + 2))
        expansions: dict[str, tuple[int, ...]] = {}
        path = folder / "expansions.tsv"  # (lexicons built before it came have none)
        for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else ():
            if line and not line.startswith("#"):
                acro, phrase = line.split("\t")
                ids = tuple(vocab.get(s, UNK) for s in phrase.split())
                if UNK not in ids:
                    expansions[acronym_key(acro)] = ids
        return cls(vocab, counts, by_stripped, words, acronyms, NgramModel(folder / "lm.bin"), case_counts,
                   acronym_marks=marks, everyday=_everyday(counts, news, talk), expansions=expansions)

    def extended(self, words: Iterable[str]) -> Lexicon:
        """A copy that also knows ``words`` (names, terms, acronyms, one per entry).

        Their syllables become candidates; a multi-syllable entry is also a phrase:
        wherever its unmarked letters occur, it is written whole (``Pac Nam`` → ``Pắc Nậm``).

        >>> lex = default_lexicon().extended(["Pắc Nậm"])
        >>> "pắc" in {s for s, _ in lex.by_stripped["pac"]}
        True
        """
        by_stripped = {k: list(v) for k, v in self.by_stripped.items()}
        added = set()
        acronyms = dict(self.acronyms)
        phrases = dict(self.phrases)
        user_acronyms = set(self.user_acronyms)
        for entry in words:
            entry = normalise(entry.strip())
            if not entry or entry.startswith("#"):
                continue
            if entry.isupper() and " " not in entry:
                acronyms[strip_marks(entry)] = entry
                user_acronyms.add(entry)
                continue
            added.add(entry.lower())
            parts = entry.lower().split()
            if len(parts) > 1 and all(parse(p) for p in parts):
                phrases[tuple(strip_marks(p) for p in parts)] = tuple(normalize_tone(p) for p in parts)
            for part in parts:
                if parse(part) is None:
                    continue
                syl = normalize_tone(part)
                bucket = by_stripped.setdefault(strip_marks(syl), [])
                if all(s != syl for s, _ in bucket):
                    # A user word is a strong hint: rank it with the common syllables.
                    bucket.insert(0, (syl, max((n for _, n in bucket), default=1)))
        return Lexicon(self.vocab, self.counts, by_stripped, self.words | added, acronyms, self.lm,
                       self.case_counts, self.user_words | added, phrases, frozenset(user_acronyms),
                       self.acronym_marks, self.everyday, self.expansions)

    def case_logp(self, lm_id: int, title: bool) -> float:
        """ln P(written Title-case / lower-case | syllable) in mid-sentence; 0 when unknown."""
        if lm_id >= len(self.case_counts) or lm_id < 4:
            return 0.0
        low, cap = self.case_counts[lm_id]
        return math.log(((cap if title else low) + 1) / (low + cap + 2))

    def id_of(self, syllable: str) -> int:
        return self.vocab.get(syllable, UNK)


def _everyday(counts: list[int], news: list[int], talk: list[int]) -> list[float]:
    """Per id, ln(P_everyday / P_all): how much commoner a syllable is in everyday writing.

    The language model learned mostly from laws and encyclopedia articles, where "minh"
    is more often minh than mình. Everyday writing is taken as half that text, a quarter
    news and a quarter conversation (so that a syllable rare in both samples keeps near
    its own frequency); 0 for every id when the lexicon has no such counts.
    """
    n_all, n_news, n_talk = sum(counts[len(SPECIALS):]), sum(news), sum(talk)
    if not (n_news and n_talk):
        return [0.0] * len(counts)
    v = len(counts) - len(SPECIALS)
    out = [0.0] * len(SPECIALS)
    for n, a, b in zip(counts[len(SPECIALS):], news[len(SPECIALS):], talk[len(SPECIALS):]):
        p = (n + 1) / (n_all + v)
        out.append(math.log(0.5 + 0.25 * (a / n_news + b / n_talk) / p))
    return out


@lru_cache(maxsize=1)
def default_lexicon() -> Lexicon:
    """The shipped lexicons, loaded on first use and shared by the whole process."""
    return Lexicon.load()
