"""OCR repair on real scanned pages, and what it does to clean text.

Side by side on the same input, in one run:
- the dev OCR pages (dev/003 is held out from the channel model; dev/001 was used
  to learn it), as read, after vnfix (default: OCR repair), after vnfix restoring
  diacritics only, and after pyvi's ``add_accents`` — scored by ../shared/tools/score.py;
- clean text through the default ``fix_text``: the share of words it changes;
- throughput on OCR pages (synthetic scans of held-in law text, build/ocr_pairs, if
  present; else the dev pages), one process, after loading.

    python benchmarks/ocr.py          # writes benchmarks/results/ocr.md
"""

from __future__ import annotations

import sys

from common import ROOT, SHARED, best_time, score, write_result

import vnfix
from vnfix import fuzzy


def pyvi_lines(lines: list[str]) -> list[str]:
    from pyvi import ViUtils

    out = []
    for line in lines:
        try:
            out.append(str(ViUtils.add_accents(line)))
        except Exception:  # pyvi fails on some lines; keep them as they were
            out.append(line)
    return out


def main() -> None:
    ocr_fixer = vnfix.Fixer()
    dia_fixer = vnfix.Fixer(repair="diacritics")
    rows = []
    pages = {"003 (held out)": ["003"], "001": ["001"], "both": ["001", "003"]}
    for name, ids in pages.items():
        raw: list[str] = []
        gold: list[str] = []
        for i in ids:
            raw += (SHARED / f"dev/ocr/{i}.txt").read_text(encoding="utf-8").splitlines()
            gold += (SHARED / f"dev/gold/{i}.gold.txt").read_text(encoding="utf-8").splitlines()
        text = "\n".join(raw) + "\n"
        ours = score(gold, ocr_fixer.fix_text(text).splitlines(), raw)
        dia = score(gold, dia_fixer.fix_text(text).splitlines())
        pv = score(gold, pyvi_lines(raw))
        rows.append(f"| {name} | {ours['raw']['wer']:.2%} / {ours['raw']['cer']:.2%} "
                    f"| **{ours['hyp']['wer']:.2%} / {ours['hyp']['cer']:.2%}** "
                    f"| {dia['hyp']['wer']:.2%} / {dia['hyp']['cer']:.2%} | {pv['hyp']['wer']:.2%} / {pv['hyp']['cer']:.2%} |")

    clean_rows = []
    for name, paths in {
        "dev gold (both pages)": sorted((SHARED / "dev/gold").glob("*.gold.txt")),
        "ud-vtb test": [SHARED / "corpora/ud-vtb/test.txt"],
    }.items():
        words = changed = 0
        for p in paths:
            text = p.read_text(encoding="utf-8")
            before, after = text.split(), ocr_fixer.fix_text(text).split()
            words += len(before)
            changed += sum(a != b for a, b in zip(before, after))
        clean_rows.append(f"| {name} | {words} | {changed} | **{changed / words:.3%}** |")

    pairs = ROOT / "build/ocr_pairs/ocr.txt"
    source = pairs if pairs.exists() else None
    lines = (source.read_text(encoding="utf-8").splitlines() if source else
             [line for i in ("001", "003")
              for line in (SHARED / f"dev/ocr/{i}.txt").read_text(encoding="utf-8").splitlines()])
    sample = "\n".join(lines[:6000]) + "\n"

    def fresh() -> vnfix.Fixer:
        # The fuzzy index and channel are shared by every fixer of a process and memoise lookups
        # and channel cores: made anew, so that an earlier run's answers never count.
        fuzzy.default_index.cache_clear()
        fuzzy.default_channel.cache_clear()
        fixer = vnfix.Fixer()
        fixer.fix_text("\n".join(lines[-300:]))  # load lexicons, LM and fuzzy index on other lines
        return fixer

    dt, _ = best_time(3, fresh, lambda fixer: fixer.fix_text(sample))
    n = len(sample.split())
    speed = (f"Throughput on OCR pages ({'synthetic scans, build/ocr_pairs' if source else 'dev pages'}, "
             f"{n:,} words, one process, caches cold, best of three runs): **{n / dt:,.0f} words/s**.")

    write_result("ocr.md", "\n".join([
        "# OCR repair",
        "",
        f"Python {sys.version.split()[0]}, vnfix {vnfix.__version__}. WER / CER by ../shared/tools/score.py "
        "(tone-placement-insensitive).",
        "",
        "| dev pages | raw OCR | vnfix (default) | vnfix, diacritics only | pyvi add_accents |",
        "|---|---:|---:|---:|---:|",
        *rows,
        "",
        "Clean text through the default `fix_text` (nothing should change):",
        "",
        "| text | words | changed | share |",
        "|---|---:|---:|---:|",
        *clean_rows,
        "",
        speed,
        "",
    ]))


if __name__ == "__main__":
    main()
