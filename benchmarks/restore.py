"""Diacritic restoration: strip every mark from clean text, restore it, score it.

vnfix and pyvi's ``ViUtils.add_accents`` run side by side on the same input in the
same run; quality is scored by ../shared/tools/score.py, speed is words per second
in one process after loading (best of three runs, each with a fresh fixer), plus cold
start and peak RSS in a fresh interpreter.

    python benchmarks/restore.py            # writes benchmarks/results/restore.md
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

from common import SHARED, best_time, peak_rss_mb, score, write_result

import vnfix
from vnfix.syllable import strip_marks

SETS = {
    "ud-vtb test (news)": [SHARED / "corpora/ud-vtb/test.txt"],
    "dev gold (administrative)": sorted((SHARED / "dev/gold").glob("*.gold.txt")),
}


def pyvi_restore() -> tuple[Callable[[str], str], list[int]]:
    from pyvi import ViUtils

    crashes = [0]

    def run(line: str) -> str:
        try:
            return str(ViUtils.add_accents(line))
        except Exception:  # pyvi fails on some lines; count it and keep the input
            crashes[0] += 1
            return line

    return run, crashes


def main() -> None:
    # Load everything before timing (lexicons, LM, fuzzy index) on text that is not evaluated.
    warm = strip_marks("\n".join((SHARED / "corpora/vlc-legal/laws.txt").read_text(encoding="utf-8")
                                  .splitlines()[:300]))
    warm += "\nThe quick brown fox jumps over the lazy dog\n"

    def loaded() -> vnfix.Fixer:
        fixer = vnfix.Fixer(repair="diacritics")
        fixer.fix_text(warm)
        return fixer

    default = vnfix.Fixer()  # OCR repair: must not do worse on merely stripped text
    pyvi, crashes = pyvi_restore()
    rows = []
    for name, paths in SETS.items():
        gold: list[str] = []
        for p in paths:
            gold += p.read_text(encoding="utf-8").splitlines()
        stripped = [strip_marks(line) for line in gold]
        words = sum(len(line.split()) for line in gold)
        text = "\n".join(stripped) + "\n"
        t_ours, ours = best_time(3, loaded, lambda fixer: fixer.fix_text(text).splitlines())
        crashes[0] = 0
        t0 = time.perf_counter()
        theirs = [pyvi(line) for line in stripped]
        t_pyvi = time.perf_counter() - t0
        s_ours, s_pyvi = score(gold, ours, stripped), score(gold, theirs)
        s_default = score(gold, default.fix_text("\n".join(stripped) + "\n").splitlines())
        rows.append(
            f"| {name} | {words} | {s_ours['raw']['wer']:.2%} | **{s_ours['hyp']['wer']:.2%}** | {s_ours['hyp']['cer']:.2%} "
            f"| {s_default['hyp']['wer']:.2%} | {s_pyvi['hyp']['wer']:.2%} ({crashes[0]} lines crashed) "
            f"| {words / t_ours:,.0f} | {words / t_pyvi:,.0f} |"
        )
    cold, rss = peak_rss_mb("import vnfix; vnfix.fix_text('Cong hoa xa hoi chu nghia Viet Nam')")
    _, rss_run = peak_rss_mb(
        "import vnfix; from vnfix.syllable import strip_marks\n"
        f"vnfix.Fixer(repair='diacritics').fix_text(strip_marks(open({str(SHARED / 'corpora/ud-vtb/test.txt')!r}).read()))"
    )
    table = "\n".join([
        "# Diacritic restoration (marks stripped, then restored)",
        "",
        f"Python {sys.version.split()[0]}, vnfix {vnfix.__version__}, `Fixer(repair='diacritics')`; "
        "pyvi `ViUtils.add_accents` on the same lines. WER/CER from ../shared/tools/score.py.",
        "",
        "| set | words | stripped WER | vnfix WER | vnfix CER | vnfix default (OCR mode) WER | pyvi WER "
        "| vnfix words/s | pyvi words/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        *rows,
        "",
        f"Cold start (fresh interpreter, import to first result): {cold:.2f} s; "
        f"peak RSS after restoring ud-vtb test: {rss_run:.0f} MB (just loaded: {rss:.0f} MB).",
        "",
    ])
    write_result("restore.md", table)


if __name__ == "__main__":
    main()
