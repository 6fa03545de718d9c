"""Learn the OCR channel model (lexicons/channel.tsv, lexicons/capitals.tsv) from aligned OCR/gold line pairs.

Sources: the real scanned pages in ../shared/dev (page 003 is held back for
evaluation unless --use-all-dev), and the synthetic pairs that
scripts/make_ocr_pairs.py renders and reads back with Tesseract (build/ocr_pairs).

Usage: python scripts/build_channel.py [--pairs build/ocr_pairs] [--holdout 003]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from vnfix.channel import Channel, capital_counts, save_capitals, word_pairs  # noqa: E402
from vnfix.normalise import normalise  # noqa: E402


def line_pairs(ocr: Path, gold: Path) -> list[tuple[str, str]]:
    o = ocr.read_text(encoding="utf-8").splitlines()
    g = gold.read_text(encoding="utf-8").splitlines()
    if len(o) != len(g):
        raise SystemExit(f"{ocr} and {gold} differ in line count")
    return list(zip(o, g))


def main() -> None:
    root = Path(__file__).resolve().parents[1]
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dev", type=Path, default=root.parent / "shared" / "dev")
    ap.add_argument("--pairs", type=Path, default=root / "build" / "ocr_pairs")
    ap.add_argument("--holdout", default="003", help="dev page kept out of training")
    ap.add_argument("--dev-weight", type=int, default=10, help="real pages count this many times")
    ap.add_argument("--out", type=Path, default=root / "lexicons" / "channel.tsv")
    args = ap.parse_args()

    lines: list[tuple[str, str]] = []
    for ocr in sorted((args.dev / "ocr").glob("*.txt")):
        if ocr.stem == args.holdout:
            continue
        lines += line_pairs(ocr, args.dev / "gold" / f"{ocr.stem}.gold.txt") * args.dev_weight
    real = len(lines)
    if (args.pairs / "ocr.txt").exists():
        lines += line_pairs(args.pairs / "ocr.txt", args.pairs / "gold.txt")
    words = [p for o, g in lines for p in word_pairs(normalise(o), normalise(g))]
    channel = Channel.train(words)
    channel.save(args.out)
    print(f"{real} real + {len(lines) - real} synthetic lines, {len(words)} word pairs, "
          f"{len(channel.rules)} rules -> {args.out}", file=sys.stderr)
    capitals = capital_counts((normalise(o), normalise(g)) for o, g in lines)
    save_capitals(capitals, args.out.with_name("capitals.tsv"))
    print(f"{sum(capitals.values())} capitals read for other letters -> {args.out.with_name('capitals.tsv')}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
