"""A 1 GB file through ``vnfix fix``: peak memory, and output identical to fixing the file in pieces.

The input is generated on the fly (next to its output, in a temp dir on a disk
with room for both) as a run of *pieces*: each piece is one round of the
synthetic OCR pages (build/ocr_pairs/ocr.txt; without them, the law corpus with
its marks stripped), cut into blocks at window ends and laid out in its own
seeded order, followed by a blank line. There are ``--distinct`` different
pieces (default 4), repeated in turn until the file reaches ``--gb``.

1. ``vnfix fix --jobs J BIG -o OUT`` runs while its process tree is polled
   (psutil, every 0.5 s): peak RSS of the vnfix process, of its largest worker,
   of the sum over the tree, and the sum of PSS (shared pages counted once);
   ``ru_maxrss`` of the children is reported too.
2. The file is cut at its piece boundaries (blank lines after lines ending a
   window): each distinct piece is written to a file of its own and fixed by
   ``vnfix fix``; the expected output is the concatenation of the fixed pieces
   in the order of the big file (a piece that occurs again is not run again:
   the same input gives the same output). Its SHA-256 must equal OUT's.
   ``--split N`` instead cuts the big file itself into N parts at window ends
   and runs each (a second full pass: as long again as step 1).

Prints a markdown table and writes it to benchmarks/results/large_file.md.

    .venv/bin/python benchmarks/large_file.py                # 1 GB, --jobs 2
    .venv/bin/python benchmarks/large_file.py --gb 0.05 --jobs 1 --no-write
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, sha256_file, write_result
from parallel import LAWS, OCR, VNFIX, blocks_of, code_version

MB = 1_000_000


def make_pieces(distinct: int) -> tuple[list[str], str]:
    if OCR.exists():
        base, source = OCR.read_text(encoding="utf-8"), f"{OCR.relative_to(ROOT)} (synthetic OCR pages)"
    else:
        from vnfix.syllable import strip_marks

        base, source = strip_marks(LAWS.read_text(encoding="utf-8")), "vlc-legal laws.txt, marks stripped"
    blocks = blocks_of(base)
    pieces = []
    for k in range(distinct):
        order = blocks[:]
        random.Random(1000 + k).shuffle(order)
        pieces.append("".join(order) + "\n")  # a blank line: a window ends after every piece
    return pieces, source


def write_big(path: Path, pieces: list[bytes], size: int) -> list[int]:
    """Write pieces in turn until ``size`` bytes; the sequence of piece numbers written."""
    layout: list[int] = []
    n = 0
    with open(path, "wb") as f:
        while n < size:
            k = len(layout) % len(pieces)
            f.write(pieces[k])
            n += len(pieces[k])
            layout.append(k)
    return layout


class Poller(threading.Thread):
    """Peak memory of a process tree, sampled every ``every`` seconds."""

    def __init__(self, pid: int, every: float = 0.5, pss_every: float = 5.0, watch: Path | None = None) -> None:
        super().__init__(daemon=True)
        import psutil

        self.proc = psutil.Process(pid)
        self.watch = watch  # the input: progress is its read offset in the vnfix process
        self.every, self.pss_every = every, pss_every
        self.stop = threading.Event()
        self.peak = {"main": 0, "worker": 0, "tree": 0, "tree_pss": 0, "workers": 0}
        self.samples: list[tuple[float, int, int]] = []  # (t, main rss, tree rss)

    def run(self) -> None:
        import psutil

        t0 = time.monotonic()
        last_pss = 0.0
        while not self.stop.is_set():
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
                rss = []
                for p in procs:
                    try:
                        rss.append(p.memory_info().rss)
                    except psutil.Error:
                        rss.append(0)
                now = time.monotonic()
                pk = self.peak
                pk["main"] = max(pk["main"], rss[0])
                pk["worker"] = max(pk["worker"], max(rss[1:], default=0))
                pk["tree"] = max(pk["tree"], sum(rss))
                pk["workers"] = max(pk["workers"], len(procs) - 1)
                if now - last_pss >= self.pss_every:
                    last_pss = now
                    pss = 0
                    for p in procs:
                        try:
                            pss += p.memory_full_info().pss
                        except (psutil.Error, AttributeError):
                            pass
                    pk["tree_pss"] = max(pk["tree_pss"], pss)
                if not self.samples or now - t0 - self.samples[-1][0] >= 30:
                    self.samples.append((now - t0, rss[0], sum(rss)))
                    read = self.offset()
                    print(f"  {now - t0:6.0f} s: read {read / MB:7.1f} MB, RSS main {rss[0] / MB:.0f} MB, "
                          f"tree {sum(rss) / MB:.0f} MB ({len(procs)} processes)", flush=True)
            except psutil.NoSuchProcess:
                return
            self.stop.wait(self.every)


    def offset(self) -> int:
        """How far the vnfix process has read its input (-1 if unknown)."""
        if self.watch is None:
            return -1
        try:
            for fd in os.listdir(f"/proc/{self.proc.pid}/fd"):
                if os.readlink(f"/proc/{self.proc.pid}/fd/{fd}") == str(self.watch):
                    with open(f"/proc/{self.proc.pid}/fdinfo/{fd}") as f:
                        return int(f.readline().split()[1])
        except OSError:
            pass
        return -1


def run_measured(cmd: list[str], watch: Path | None = None) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd)
    poller = Poller(proc.pid, watch=watch)
    poller.start()
    rc = proc.wait()
    wall = time.perf_counter() - t0
    poller.stop.set()
    poller.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if rc:
        raise SystemExit(f"{' '.join(cmd)}: exit status {rc}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "maxrss_children": after.ru_maxrss * 1024, **poller.peak,
            "samples": poller.samples}


def pick_dir(requested: Path | None, need: int) -> Path:
    for d in ([requested] if requested else [Path(tempfile.gettempdir()), ROOT / "build"]):
        d.mkdir(parents=True, exist_ok=True)
        free = shutil.disk_usage(d).free
        if free > need:
            return d
        print(f"{d}: {free / 1e9:.1f} GB free, {need / 1e9:.1f} GB needed; trying the next place", flush=True)
    raise SystemExit("no disk with room for the input and its output")


def split_at_windows(path: Path, parts: int, out_dir: Path) -> list[Path]:
    """Cut ``path`` into about ``parts`` files, each ending at a blank line."""
    size = path.stat().st_size
    target = size // parts
    files: list[Path] = []
    with open(path, "rb") as f:
        out = None
        n = 0
        prev_blank = True
        for line in f:
            if out is None:
                files.append(out_dir / f"part{len(files):02d}.txt")
                out = open(files[-1], "wb")  # noqa: SIM115
            out.write(line)
            n += len(line)
            blank = not line.strip()
            if n >= target and blank and len(files) < parts:
                out.close()
                out, n = None, 0
            prev_blank = blank
        if out is not None:
            out.close()
    del prev_blank
    return files


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gb", type=float, default=1.0, help="input size in GB (default 1)")
    ap.add_argument("--jobs", type=int, default=2, help="vnfix fix --jobs for the big run (default 2)")
    ap.add_argument("--distinct", type=int, default=4, help="different pieces the input is made of (default 4)")
    ap.add_argument("--split", type=int, default=0, help="check by cutting the big file into N parts and running each")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--no-write", action="store_true", help="print the table only")
    args = ap.parse_args()

    size = int(args.gb * 1000 * MB)
    base = pick_dir(args.workdir, int(size * 2.2) + 100 * MB)
    tmp = Path(tempfile.mkdtemp(prefix="vnfix-large-", dir=base))
    try:
        pieces_text, source = make_pieces(args.distinct)
        pieces = [p.encode("utf-8") for p in pieces_text]
        big = tmp / "big.txt"
        t0 = time.perf_counter()
        layout = write_big(big, pieces, size)
        real = big.stat().st_size
        words_per_piece = [len(p.split()) for p in pieces_text]
        words = sum(words_per_piece[k] for k in layout)
        print(f"input: {real / MB:,.0f} MB, {words:,} words, {len(layout)} pieces, written in "
              f"{time.perf_counter() - t0:.0f} s to {tmp}", flush=True)

        out = tmp / "big.fixed.txt"
        cmd = [str(VNFIX), "fix", "--quiet", "--jobs", str(args.jobs), str(big), "-o", str(out)]
        print("running:", " ".join(cmd), flush=True)
        r = run_measured(cmd, watch=big)
        print(f"done in {r['wall']:.0f} s; peak RSS main {r['main'] / MB:.0f} MB", flush=True)
        got = sha256_file(out)
        out.unlink()

        if args.split:
            parts = split_at_windows(big, args.split, tmp)
            big.unlink()
            h = hashlib.sha256()
            for p in parts:
                fixed = p.with_suffix(".fixed")
                subprocess.run([str(VNFIX), "fix", "--quiet", "--jobs", str(args.jobs), str(p), "-o", str(fixed)],
                               check=True)
                with open(fixed, "rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        h.update(block)
                p.unlink()
                fixed.unlink()
            check = f"the input cut at blank lines into {len(parts)} parts, each run by `vnfix fix`, outputs joined"
        else:
            big.unlink()
            fixed_pieces = []
            for k, p in enumerate(pieces):
                f_in, f_out = tmp / f"piece{k}.txt", tmp / f"piece{k}.fixed.txt"
                f_in.write_bytes(p)
                subprocess.run([str(VNFIX), "fix", "--quiet", str(f_in), "-o", str(f_out)], check=True)
                fixed_pieces.append(f_out.read_bytes())
            h = hashlib.sha256()
            for k in layout:
                h.update(fixed_pieces[k])
            check = (f"the input cut at its {len(layout)} piece boundaries (blank lines); each of the "
                     f"{len(pieces)} distinct pieces run by `vnfix fix` on its own, outputs joined in file order")
        expected = h.hexdigest()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    same = got == expected
    timeline = ", ".join(f"{t / 60:.0f} min: {m / MB:.0f}/{s / MB:.0f}" for t, m, s in r["samples"][:: max(len(r['samples']) // 8, 1)])
    table = f"""# One large file

`python benchmarks/large_file.py --gb {args.gb:g} --jobs {args.jobs}{f' --split {args.split}' if args.split else ''}` on {platform.machine()} with {os.cpu_count()} cores, Python {platform.python_version()},
vnfix {code_version()}, {time.strftime('%Y-%m-%d %H:%M')}.

Input: {real / MB:,.0f} MB, {words:,} words: {len(layout)} pieces, {len(pieces)} distinct ones repeated in turn, each one round
of {source} cut into blocks at window ends, in its own seeded order, then a blank line.
Command: `vnfix fix --jobs {args.jobs} big.txt -o big.fixed.txt` (default options), its process tree polled every 0.5 s.

| measure | value |
| --- | ---: |
| wall time | {r['wall']:,.0f} s ({r['wall'] / 60:.1f} min) |
| throughput | {real / MB / r['wall']:.2f} MB/s, {words / r['wall']:,.0f} words/s |
| CPU time (all processes) | {r['cpu']:,.0f} s |
| peak RSS, vnfix process | **{r['main'] / MB:.0f} MB** |
| peak RSS, largest worker | {r['worker'] / MB:.0f} MB |
| peak RSS, sum over the {1 + r['workers']} processes | {r['tree'] / MB:.0f} MB (shared lexicon pages counted in each) |
| peak PSS, sum (shared pages counted once) | {r['tree_pss'] / MB:.0f} MB |
| ru_maxrss of children (largest single process) | {r['maxrss_children'] / MB:.0f} MB |
| output identical to fixing in pieces | {'yes' if same else '**NO**'} (SHA-256 {got[:16]}...) |

RSS over time (main / sum over the tree, MB): {timeline}.

Check: {check}.
Target: peak RSS <= 400 MB. MB = 10^6 bytes.
"""
    if args.no_write:
        print(table)
    else:
        write_result("large_file.md", table)
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
