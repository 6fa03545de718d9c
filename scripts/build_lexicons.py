"""Build vnfix's lexicons from ../shared/corpora (see lexicons/README.md).

Outputs, all under lexicons/:
  syllables.tsv   syllable, count, mid-sentence lower-case and Title-case counts, count in news
                  and in conversation (TAB-separated); line number = LM id (ids 0-3 are <s> </s> <unk> <num>)
  words.txt       multi-syllable words and place names, one per line
  acronyms.txt    upper-case abbreviations (HĐND, UBND, ...), one per line
  acronym_marks.tsv  for each abbreviation with marks: how often the running text writes it with
                  them (HĐND) and its letters without them (HDND) (TAB-separated)
  expansions.tsv  abbreviations that stand for one thing, and its syllables (UBND: ủy ban nhân dân)
  lm.bin          trigram language model, modified Kneser-Ney, every trigram seen kept (format in vnfix/lm.py)

Every syllable is lower-cased and its tone moved to the old ("hòa") position
before counting, so that the two placements in the sources count as one.
Evaluation files (ud-vtb/test.txt, ud-tuecl, dev/) are never read.

Usage: python scripts/build_lexicons.py [--corpora ../shared/corpora] [--out lexicons]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

import regex

SRC = Path(__file__).resolve().parents[1] / "src"
sys.path.insert(0, str(SRC))

from vnfix.candidates import SYMBOL_READINGS  # noqa: E402
from vnfix.lm import BITS, HEADER, LAYOUT, MAGIC, SPECIALS, quantize  # noqa: E402
from vnfix.normalise import normalise  # noqa: E402
from vnfix.syllable import normalize_tone, parse, strip_marks  # noqa: E402
from vnfix.tokenize import tokenize  # noqa: E402

# (path, weight): the legal text is the domain vnfix serves most, so it counts double.
RUNNING_TEXT = [
    ("vlc-legal/laws.txt", 2),
    ("viwiki/viwiki.txt", 1),
    ("ud-vtb/train.txt", 1),
    ("ud-vtb/dev.txt", 1),
]
WORD_LISTS = ["wordlist-wiktionary/words.txt", "wordlist-pyvi/words.txt"]
# Everyday writing, whose syllable frequencies differ from those of laws and encyclopedia
# articles (tôi, mình, chờ): the news treebank's own sentences, and film subtitles' word counts.
NEWS = ["ud-vtb/train.txt", "ud-vtb/dev.txt"]
CONVERSATION = "freq-opensubtitles/vi_full.freq.tsv"
# Trigrams seen once are kept: at four bytes each they fit the size budget, and they carry
# most of the rare names and phrases (news 10.7% -> 10.4% WER, OCR pages 2.1% -> 1.9%).
MIN_TRIGRAM = 1
MIN_BIGRAM = 2
MIN_SYLLABLE = 2


class Vocab:
    def __init__(self) -> None:
        self.ids: dict[str, int] = {s: i for i, s in enumerate(SPECIALS)}
        self.cache: dict[str, int] = {}

    def id_of(self, word: str) -> int:
        """LM id of a word token, via a per-surface cache (parse is the slow part)."""
        got = self.cache.get(word)
        if got is None:
            low = SYMBOL_READINGS.get(word, word.lower())  # (& is read "và")
            got = self.ids.setdefault(normalize_tone(low), len(self.ids)) if parse(low) else SPECIALS.index("<unk>")
            self.cache[word] = got
        return got


def segments(lines: Iterable[str], vocab: Vocab) -> Iterator[list[int]]:
    """Runs of word/number ids between punctuation and line ends."""
    num = SPECIALS.index("<num>")
    for line in lines:
        seg: list[int] = []
        for tok in tokenize(normalise(line.rstrip("\n"))):
            if tok.kind == "word":
                seg.append(vocab.id_of(tok.text))
            elif tok.kind in ("number", "code"):
                seg.append(num)
            elif tok.kind in ("space",):
                continue
            elif seg:
                yield seg
                seg = []
        if seg:
            yield seg


def case_counts(corpora: Path, vocab: Vocab, cache: Path | None) -> dict[int, list[int]]:
    """{id: [mid-sentence lower-case count, mid-sentence Title-case count]} over the running text.

    Case is evidence the lower-cased LM cannot see: "Tùng" in mid-sentence is a name,
    "từng" never is. Only words right after another word count (not sentence starts).
    """
    path = cache / "case.json" if cache else None
    if path and path.exists():
        return {int(k): v for k, v in json.loads(path.read_text(encoding="utf-8")).items()}
    counts: dict[int, list[int]] = {}
    for rel, _ in RUNNING_TEXT:
        with open(corpora / rel, encoding="utf-8") as f:
            for line in f:
                prev = ""
                for tok in tokenize(normalise(line.rstrip("\n"))):
                    if tok.kind == "space":
                        continue
                    text = tok.text
                    shouting = len(text) > 1 and text.isupper()
                    if tok.kind == "word" and prev in ("word", "number", "code") and not shouting:
                        title = text[0].isupper()
                        if title or text.islower():
                            counts.setdefault(vocab.id_of(text), [0, 0])[title] += 1
                    prev = tok.kind
    if path:
        path.write_text(json.dumps(counts), encoding="utf-8")
    return counts


def everyday_counts(corpora: Path, vocab: Vocab, cache: Path | None) -> tuple[Counter[int], Counter[int]]:
    """How often each syllable occurs in news (NEWS) and in conversation (CONVERSATION's counts)."""
    news: Counter[int] = Counter()
    for rel in NEWS:
        news.update(t for t in corpus_ids(corpora, rel, vocab, cache) if t >= len(SPECIALS))
    talk: Counter[int] = Counter()
    for line in (corpora / CONVERSATION).read_text(encoding="utf-8").splitlines():
        word, n = line.split("\t")
        low = normalise(word).lower()
        i = vocab.ids.get(normalize_tone(low)) if parse(low) else None  # (it counts foreign words too)
        if i is not None:
            talk[i] += int(n)
    return news, talk


def read_words(corpora: Path) -> list[str]:
    words: set[str] = set()
    for rel in WORD_LISTS:
        for line in (corpora / rel).read_text(encoding="utf-8").splitlines():
            w = normalise(line.strip()).lower()
            parts = w.split()
            if len(parts) >= 2 and all(parse(p) for p in parts):
                words.add(" ".join(normalize_tone(p) for p in parts))
    return sorted(words)


def read_places(corpora: Path) -> list[str]:
    """Administrative unit names with and without their type word (tỉnh, huyện, xã ...)."""
    names: set[str] = set()
    for path in sorted(corpora.glob("gazetteer-*/*.tsv")):
        rows = path.read_text(encoding="utf-8").splitlines()
        header = rows[0].split("\t")
        cols = [i for i, h in enumerate(header) if h in ("name", "name_with_type", "province", "provinceShort",
                                                        "district", "districtShort", "ward", "wardShort")]
        for row in rows[1:]:
            cells = row.split("\t")
            for i in cols:
                if i < len(cells) and cells[i]:
                    names.add(normalise(cells[i]))
    return sorted(names)


def read_abbreviations(corpora: Path) -> dict[str, set[str]]:
    """Each abbreviation of the soe-vinorm list (as written, in either case) -> what it stands for,
    lower case: ``UBND`` -> {"ủy ban nhân dân"}; ``TT`` -> six meanings."""
    out: dict[str, set[str]] = {}
    for line in (corpora / "syllables-soe-vinorm/abbreviations.txt").read_text(encoding="utf-8").splitlines():
        abbr, _, rest = line.partition(":")
        out.setdefault(normalise(abbr.strip()), set()).update(
            " ".join(normalise(p).lower().split()) for p in rest.split(","))
    return out


def read_expansions(abbreviations: dict[str, set[str]]) -> list[str]:
    """What the abbreviations stand for (kính gửi, về việc, Ủy ban nhân dân): set phrases of
    official writing, which the running text has few of."""
    return sorted({" ".join(normalize_tone(p) for p in meaning.split())
                   for meanings in abbreviations.values() for meaning in meanings
                   if len(meaning.split()) >= 2 and all(parse(p) for p in meaning.split())})


def read_acronyms(abbreviations: dict[str, set[str]]) -> list[str]:
    return sorted(a for a in abbreviations if len(a) >= 2 and a.isupper() and a.isalpha())


def acronym_expansions(abbreviations: dict[str, set[str]], acronyms: list[str]) -> list[tuple[str, str]]:
    """(acronym, the syllables it stands for) for each acronym with one meaning (UBND: ủy ban
    nhân dân); TT, which stands for six things, has none."""
    out = []
    for abbr in acronyms:
        meanings = abbreviations[abbr]
        syllables = next(iter(meanings)).split() if len(meanings) == 1 else []
        if syllables and all(parse(p) for p in syllables):
            out.append((abbr, " ".join(normalize_tone(p) for p in syllables)))
    return out


def acronym_marks(corpora: Path, acronyms: list[str]) -> list[tuple[str, int, int]]:
    """(acronym, written with its marks, its letters written without them) in the running text, for
    each acronym with marks: HDND is mostly HĐND typed without them, CD is mostly not CĐ."""
    bare = {strip_marks(a): a for a in acronyms}  # (as vnfix reads the list: one acronym per bare form)
    marked = {a for a in bare.values() if strip_marks(a) != a}
    counts = {a: [0, 0] for a in marked}
    capitals = regex.compile(r"(?<![\p{L}\p{M}\p{N}])\p{Lu}[\p{Lu}\p{M}]+(?![\p{L}\p{M}\p{N}])")
    for rel, _ in RUNNING_TEXT:
        with open(corpora / rel, encoding="utf-8") as f:
            for line in f:
                for word in capitals.findall(normalise(line)):
                    if word in counts:
                        counts[word][0] += 1
                    elif bare.get(word) in counts:
                        counts[bare[word]][1] += 1
    return [(a, *counts[a]) for a in sorted(counts)]  # type: ignore[misc]


def corpus_ids(corpora: Path, rel: str, vocab: Vocab, cache: Path | None) -> array:
    """The corpus as one flat array of ids, segments separated by -1 (cached between builds)."""
    flat = array("i")
    path = cache / (rel.replace("/", "_") + ".ids") if cache else None
    if path and path.exists():
        flat.frombytes(path.read_bytes())
        return flat
    with open(corpora / rel, encoding="utf-8") as f:
        for seg in segments(f, vocab):
            flat.extend(seg)
            flat.append(-1)
    if path:
        path.write_bytes(flat.tobytes())
    return flat


def count_ngrams(corpora: Path, vocab: Vocab, extra: list[tuple[list[str], int]], weights: dict[str, int],
                 cache: Path | None) -> tuple[Counter[int], Counter[int]]:
    tri: Counter[int] = Counter()
    uni: Counter[int] = Counter()
    s = SPECIALS.index("<s>")
    e = SPECIALS.index("</s>")

    def add(seg: list[int], weight: int) -> None:
        seq = [s, s, *seg, e]
        for i in range(2, len(seq)):
            tri[(seq[i - 2] << (2 * BITS)) | (seq[i - 1] << BITS) | seq[i]] += weight
        for t in seg:
            uni[t] += weight

    for rel, weight in RUNNING_TEXT:
        t0 = time.time()
        weight = weights.get(rel, weight)
        seg: list[int] = []
        for t in corpus_ids(corpora, rel, vocab, cache):
            if t < 0:
                add(seg, weight)
                seg = []
            else:
                seg.append(t)
        print(f"  {rel}: {time.time() - t0:.0f}s, vocab {len(vocab.ids)}, trigram types {len(tri)}", file=sys.stderr)
    for lines, weight in extra:
        for seg in segments(lines, vocab):
            add(seg, weight)
    return tri, uni


def discounts(counts: Iterable[int]) -> tuple[float, float, float]:
    """Chen & Goodman's modified Kneser-Ney discounts D1, D2, D3+ from counts-of-counts."""
    n = Counter(c for c in counts if c <= 4)
    n1, n2, n3, n4 = (max(n[k], 1) for k in (1, 2, 3, 4))
    y = n1 / (n1 + 2 * n2)
    return 1 - 2 * y * n2 / n1, 2 - 3 * y * n3 / n2, 3 - 4 * y * n4 / n3


Model = tuple[list[float], list[float], dict[int, tuple[float, float]], dict[int, float]]


def kneser_ney(tri: Counter[int], vsize: int, min_trigram: int) -> Model:
    """Interpolated modified KN, written in backoff form for the stored (pruned) n-grams."""
    mask = (1 << BITS) - 1
    big = (1 << (2 * BITS)) - 1
    # Continuation counts: how many distinct left words each bigram / unigram follows.
    cc2: Counter[int] = Counter(k & big for k in tri)
    cc1: Counter[int] = Counter(k & mask for k in cc2)
    total1 = sum(cc1.values())
    p1 = [max(cc1[w], 0.5) / total1 for w in range(vsize)]

    def gammas(counts: dict[int, int], shift: int, d: tuple[float, float, float]) -> dict[int, float]:
        ctx_total: Counter[int] = Counter()
        ctx_disc: Counter[int] = Counter()
        for k, c in counts.items():
            ctx = k >> shift
            ctx_total[ctx] += c
            ctx_disc[ctx] += d[min(c, 3) - 1]
        return {ctx: ctx_disc[ctx] / ctx_total[ctx] for ctx in ctx_total}, ctx_total  # type: ignore[return-value]

    d2 = discounts(cc2.values())
    g2, t2 = gammas(cc2, BITS, d2)
    p2: dict[int, float] = {}
    for k, c in cc2.items():
        b, w = k >> BITS, k & mask
        p2[k] = (c - d2[min(c, 3) - 1]) / t2[b] + g2[b] * p1[w]

    d3 = discounts(tri.values())
    g3, t3 = gammas(tri, BITS, d3)
    stored3: dict[int, float] = {}
    for k, c in tri.items():
        if c >= min_trigram:
            ab = k >> BITS
            lower = p2[k & big]
            stored3[k] = (c - d3[min(c, 3) - 1]) / t3[ab] + g3[ab] * lower
    contexts = {k >> BITS for k in stored3}
    bigrams: dict[int, tuple[float, float]] = {}
    for k, c in cc2.items():
        if c >= MIN_BIGRAM or k in contexts:
            bigrams[k] = (math.log(p2[k]), math.log(g3[k]) if k in g3 else 0.0)
    for k in contexts - bigrams.keys():
        b, w = k >> BITS, k & mask
        bigrams[k] = (math.log(g2.get(b, 1.0) * p1[w]), math.log(g3[k]))
    uni_lp = [math.log(p) for p in p1]
    uni_bo = [math.log(g2[w]) if w in g2 else 0.0 for w in range(vsize)]
    return uni_lp, uni_bo, bigrams, {k: math.log(v) for k, v in stored3.items()}


def write_lm(path: Path, uni_lp: list[float], uni_bo: list[float], bigrams: dict[int, tuple[float, float]],
             trigrams: dict[int, float]) -> None:
    """The arrays of ``vnfix.lm.LAYOUT``: a bigram points at the trigrams it is the context of."""
    bkeys = sorted(bigrams)
    tkeys = sorted(trigrams)  # (in the order of their contexts, which are bigram keys)
    index = {k: i for i, k in enumerate(bkeys)}
    starts = [0] * (len(bkeys) + 1)
    for k in tkeys:
        starts[index[k >> BITS] + 1] += 1  # (every trigram's context is a stored bigram: see kneser_ney)
    for i in range(len(bkeys)):
        starts[i + 1] += starts[i]
    mask = (1 << BITS) - 1
    parts = [
        array("h", map(quantize, uni_lp)), array("h", map(quantize, uni_bo)),
        array("i", bkeys), array("h", (quantize(bigrams[k][0]) for k in bkeys)),
        array("h", (quantize(bigrams[k][1]) for k in bkeys)), array("I", starts),
        array("H", (k & mask for k in tkeys)), array("h", (quantize(trigrams[k]) for k in tkeys)),
    ]
    assert [a.typecode for a in parts] == [code for code, _ in LAYOUT]
    with open(path, "wb") as f:
        f.write(HEADER.pack(MAGIC, len(uni_lp), len(bkeys), len(tkeys)))
        for a in parts:
            f.write(a.tobytes())


def code_fingerprint() -> str:
    """A short hash of the modules that decide how the corpora are tokenized and counted."""
    h = hashlib.sha256()
    for name in ("candidates", "normalise", "syllable", "tokenize"):
        h.update((SRC / "vnfix" / f"{name}.py").read_bytes())
    return h.hexdigest()[:12]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = Path(__file__).resolve().parents[1]
    ap.add_argument("--corpora", type=Path, default=root.parent / "shared" / "corpora")
    ap.add_argument("--out", type=Path, default=root / "lexicons")
    ap.add_argument("--cache", type=Path, default=root / "build" / "cache",
                    help="where tokenized corpora are kept between builds, per version of the tokenizer "
                         "(delete it when the corpora change)")
    ap.add_argument("--weight", action="append", default=[], metavar="REL=N",
                    help="count corpus REL (as in RUNNING_TEXT) N times, e.g. ud-vtb/train.txt=5")
    ap.add_argument("--min-trigram", type=int, default=MIN_TRIGRAM)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    args.cache = args.cache / code_fingerprint()  # a change of tokenizer or syllable model starts afresh
    args.cache.mkdir(parents=True, exist_ok=True)
    weights = {k: int(v) for k, v in (w.split("=") for w in args.weight)}

    words = read_words(args.corpora)
    places = read_places(args.corpora)
    abbreviations = read_abbreviations(args.corpora)
    acronyms = read_acronyms(abbreviations)
    expansions = read_expansions(abbreviations)
    vocab = Vocab()
    vocab_file = args.cache / "vocab.json"
    if vocab_file.exists():
        vocab.ids = json.loads(vocab_file.read_text(encoding="utf-8"))
    print(f"{len(words)} words, {len(places)} place names, {len(acronyms)} acronyms, {len(expansions)} expansions",
          file=sys.stderr)
    # Dictionary words, place names and abbreviation expansions enter the LM as short texts of
    # their own, so that rare names (Tam Đường, An Lão) and set phrases (kính gửi) have bigram
    # evidence even if the running text lacks them.
    tri, uni = count_ngrams(args.corpora, vocab, [(words, 1), (places, 3), (expansions, 1)], weights, args.cache)
    vocab_file.write_text(json.dumps(vocab.ids, ensure_ascii=False), encoding="utf-8")

    names = [""] * len(vocab.ids)
    for s, i in vocab.ids.items():
        names[i] = s
    keep = {i for i, c in uni.items() if c >= MIN_SYLLABLE} | set(range(len(SPECIALS)))
    # Renumber so that rare syllables vanish; their n-grams fall back to <unk>.
    order = sorted(keep, key=lambda i: (i >= len(SPECIALS), -uni[i] if i >= len(SPECIALS) else i, names[i]))
    remap = {old: new for new, old in enumerate(order)}
    unk = SPECIALS.index("<unk>")
    mask = (1 << BITS) - 1
    tri2: Counter[int] = Counter()
    for k, c in tri.items():
        a, b, w = (remap.get(x, unk) for x in (k >> (2 * BITS), (k >> BITS) & mask, k & mask))
        tri2[(a << (2 * BITS)) | (b << BITS) | w] += c
    print(f"vocab {len(order)}, trigram types {len(tri2)}", file=sys.stderr)
    uni_lp, uni_bo, bigrams, trigrams = kneser_ney(tri2, len(order), args.min_trigram)
    print(f"stored: {len(bigrams)} bigrams, {len(trigrams)} trigrams", file=sys.stderr)

    cases = case_counts(args.corpora, vocab, args.cache)
    news, talk = everyday_counts(args.corpora, vocab, args.cache)
    with open(args.out / "syllables.tsv", "w", encoding="utf-8", newline="\n") as f:
        for i in order:
            low, title = cases.get(i, (0, 0))
            f.write(f"{names[i]}\t{uni[i]}\t{low}\t{title}\t{news[i]}\t{talk[i]}\n")
    (args.out / "words.txt").write_text("".join(w + "\n" for w in sorted(set(words) | {p.lower() for p in places})),
                                        encoding="utf-8")
    (args.out / "acronyms.txt").write_text("".join(a + "\n" for a in acronyms), encoding="utf-8")
    (args.out / "acronym_marks.tsv").write_text(
        "# acronym\twritten with its marks\twritten without them\n"
        + "".join(f"{a}\t{m}\t{b}\n" for a, m, b in acronym_marks(args.corpora, acronyms)), encoding="utf-8")
    (args.out / "expansions.tsv").write_text(
        "# acronym\tthe syllables it stands for\n"
        + "".join(f"{a}\t{e}\n" for a, e in acronym_expansions(abbreviations, acronyms)), encoding="utf-8")
    write_lm(args.out / "lm.bin", uni_lp, uni_bo, bigrams, trigrams)


if __name__ == "__main__":
    main()
