"""Shared helpers for the benchmark scripts: paths, the official scorer, timing in a subprocess."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCORER = SHARED / "tools" / "score.py"
RESULTS = ROOT / "benchmarks" / "results"

T = TypeVar("T")
R = TypeVar("R")


def best_time(rounds: int, ready: Callable[[], T], work: Callable[[T], R]) -> tuple[float, R]:
    """(fastest seconds, last result) of ``rounds`` runs of ``work(ready())``; ``ready`` is not
    timed (a fresh fixer each run: memoised answers never count). These machines are noisy."""
    best, out = float("inf"), None
    for _ in range(rounds):
        subject = ready()
        t0 = time.perf_counter()
        out = work(subject)
        best = min(best, time.perf_counter() - t0)
    return best, out  # type: ignore[return-value]


def score(gold: Path | list[str], hyp: list[str] | str, raw: list[str] | None = None) -> dict:
    """Run ../shared/tools/score.py (the scorer every report quotes) and return its JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        def dump(name: str, lines: list[str] | str) -> str:
            p = Path(tmp) / name
            p.write_text(lines if isinstance(lines, str) else "".join(line + "\n" for line in lines), encoding="utf-8")
            return str(p)

        gold_path = str(gold) if isinstance(gold, Path) else dump("gold.txt", gold)
        cmd = [sys.executable, str(SCORER), gold_path, dump("hyp.txt", hyp), "--json"]
        if raw is not None:
            cmd[4:4] = ["--raw", dump("raw.txt", raw)]
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def peak_rss_mb(code: str) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of running ``code`` in a fresh interpreter.

    The peak is the kernel's VmHWM: ``ru_maxrss`` would also count the benchmark process
    itself, whose memory the child shares between fork and exec.
    """
    wrapper = (
        "import time; t0 = time.perf_counter()\n" + code +
        "\nhwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]"
        "\nprint(time.perf_counter() - t0, int(hwm) / 1024)"
    )
    out = subprocess.run([sys.executable, "-c", wrapper], capture_output=True, text=True, check=True).stdout
    wall, rss = out.strip().splitlines()[-1].split()
    return float(wall), float(rss)


def sha256_file(path: Path) -> str:
    """Hex SHA-256 of a file, read in 1 MiB blocks (outputs are compared by hash)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def write_result(name: str, text: str) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / name).write_text(text, encoding="utf-8")
    print(text)
