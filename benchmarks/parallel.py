"""Parallel throughput: ``vnfix fix --jobs 1`` vs ``--jobs 2`` vs Dask on a 2-worker LocalCluster.

Builds a >= 50 MB input in a temporary directory from the synthetic OCR pages
(build/ocr_pairs/ocr.txt, made by scripts/make_ocr_pairs.py), cut into blocks at
window ends and laid out in a different deterministic order in every round;
without them, from the law corpus with its marks stripped. Then, in one run:

1. ``vnfix fix --jobs 1 IN -o OUT1`` and ``vnfix fix --jobs 2 IN -o OUT2``
   (the installed entry point, as a subprocess), outputs compared byte for byte;
2. ``vnfix.dask.fix_files`` on a ``distributed.LocalCluster(n_workers=2,
   threads_per_worker=1)``: the file as a bag of window-aligned chunks read by the
   workers, fixed, and written back in order; compared with OUT1 byte for byte.

Prints a markdown table and writes it to benchmarks/results/parallel.md.

    .venv/bin/python benchmarks/parallel.py            # 50 MB, about 20 minutes on 2 cores
    .venv/bin/python benchmarks/parallel.py --mb 5 --no-write   # a quick look
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, SHARED, sha256_file, write_result

VNFIX = Path(sys.executable).with_name("vnfix")
OCR = ROOT / "build" / "ocr_pairs" / "ocr.txt"
LAWS = SHARED / "corpora" / "vlc-legal" / "laws.txt"


def blocks_of(text: str, lines_per_block: int = 24) -> list[str]:
    """The text cut into blocks of about ``lines_per_block`` lines, each ending where a decoding window ends."""
    from vnfix.batch import _ends_window

    out: list[str] = []
    buf: list[str] = []
    for line in text.splitlines(keepends=True):
        buf.append(line)
        if len(buf) >= lines_per_block and _ends_window(line):
            out.append("".join(buf))
            buf = []
    if buf:
        last = "".join(buf)
        out.append(last if last.endswith("\n") else last + "\n")
    return out


def build_input(path: Path, mb: float, seed: int = 4) -> str:
    """Write a deterministic input of at least ``mb`` MB to ``path``; returns a description of it."""
    if OCR.exists():
        base, source = OCR.read_text(encoding="utf-8"), f"{OCR.relative_to(ROOT)} (synthetic OCR pages)"
    else:
        from vnfix.syllable import strip_marks

        base, source = strip_marks(LAWS.read_text(encoding="utf-8")), "vlc-legal laws.txt, marks stripped"
    blocks = blocks_of(base)
    target = int(mb * 1_000_000)
    rng = random.Random(seed)
    size = rounds = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        while size < target:
            order = blocks[:]
            rng.shuffle(order)
            for b in order:
                f.write(b)
                size += len(b.encode("utf-8"))
            f.write("\n")
            size += 1
            rounds += 1
    return f"{source}: {len(blocks)} blocks of ~24 lines, {rounds} rounds, each in a new seeded order"


def count_words(path: Path) -> int:
    n = 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            n += len(line.split())
    return n


def busy_jiffies() -> tuple[int, int]:
    """(busy, total) CPU jiffies of the whole machine so far, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


def wait_quiet(max_wait: float, busy_cores: float = 0.3) -> float:
    """Wait (at most ``max_wait`` s) until the machine is nearly idle; the cores busy when we gave up or went on."""
    ncpu = os.cpu_count() or 1
    deadline = time.monotonic() + max_wait
    while True:
        b0, t0 = busy_jiffies()
        time.sleep(3)
        b1, t1 = busy_jiffies()
        busy = ncpu * (b1 - b0) / max(t1 - t0, 1)
        if busy <= busy_cores or time.monotonic() >= deadline:
            return busy


def others_cores(b0: tuple[int, int], b1: tuple[int, int], own_cpu: float, wall: float) -> float:
    """Cores kept busy during a run by everything but the run itself."""
    ticks = os.sysconf("SC_CLK_TCK")
    return max(((b1[0] - b0[0]) / ticks - own_cpu) / wall, 0.0)


def run_cli(inp: Path, out: Path, jobs: int) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()[0]
    b0 = busy_jiffies()
    t0 = time.perf_counter()
    subprocess.run([str(VNFIX), "fix", "--quiet", "--jobs", str(jobs), str(inp), "-o", str(out)], check=True)
    wall = time.perf_counter() - t0
    b1 = busy_jiffies()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "load": load, "others": others_cores(b0, b1, cpu, wall)}


def run_dask(inp: Path, out_dir: Path, blocksize: int) -> dict:
    import distributed

    from vnfix.dask import fix_files, preload

    load = os.getloadavg()[0]
    t0 = time.perf_counter()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        preload(client)
        cpu0 = tree_cpu()
        b0 = busy_jiffies()
        t1 = time.perf_counter()
        fix_files([inp], out_dir, blocksize=blocksize)
        t2 = time.perf_counter()
        b1 = busy_jiffies()
        cpu = tree_cpu() - cpu0  # this process (client and scheduler), the nannies and the workers
    return {"wall": t2 - t1, "startup": t1 - t0, "cpu": cpu, "load": load, "others": others_cores(b0, b1, cpu, t2 - t1)}


def tree_cpu() -> float:
    """CPU seconds used so far by this process and all its live descendants."""
    import psutil

    me = psutil.Process()
    total = 0.0
    for p in [me, *me.children(recursive=True)]:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


def code_version() -> str:
    """Which vnfix code ran: the commit, and whether the source differed from it."""
    import vnfix

    src = Path(vnfix.__file__).resolve().parents[1]
    if (src.parent / "HEAD").exists():  # a frozen copy of the work tree (see benchmarks/results/*.md)
        head = (src.parent / "HEAD").read_text().strip()
        dirty = (src.parent / "STATUS").exists() and (src.parent / "STATUS").read_text().strip()
        return f"at {head}{' + uncommitted changes' if dirty else ''} (frozen copy in {src.parent})"
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "src"], capture_output=True, text=True, check=False).stdout.strip()
    return f"at {head}{' + uncommitted changes' if dirty else ''}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=50.0, help="input size in MB (default 50)")
    ap.add_argument("--blocksize", type=int, default=1 << 20, help="Dask chunk size in bytes (default 1 MiB)")
    ap.add_argument("--workdir", type=Path, default=None, help="where to put the input and outputs (default: a temp dir)")
    ap.add_argument("--no-dask", action="store_true")
    ap.add_argument("--wait-quiet", type=float, default=300.0,
                    help="before each run, wait up to this many seconds for other work on the machine to stop")
    ap.add_argument("--no-write", action="store_true", help="print the table only")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="vnfix-parallel-", dir=args.workdir))
    try:
        inp = tmp / "input.txt"
        described = build_input(inp, args.mb)
        size = inp.stat().st_size
        words = count_words(inp)
        print(f"input: {size / 1e6:.1f} MB, {words:,} words ({described})", flush=True)

        runs: dict[str, dict] = {}
        for jobs in (1, 2):
            wait_quiet(args.wait_quiet)
            runs[f"vnfix fix --jobs {jobs}"] = r = run_cli(inp, tmp / f"out{jobs}.txt", jobs)
            print(f"--jobs {jobs}: {r['wall']:.1f} s", flush=True)
        ref = sha256_file(tmp / "out1.txt")
        runs["vnfix fix --jobs 1"]["same"] = True
        runs["vnfix fix --jobs 2"]["same"] = sha256_file(tmp / "out2.txt") == ref
        if not args.no_dask:
            wait_quiet(args.wait_quiet)
            r = runs["Dask LocalCluster 2 workers x 1 thread"] = run_dask(inp, tmp / "dask", args.blocksize)
            r["same"] = sha256_file(tmp / "dask" / "input.txt") == ref
            print(f"dask: {r['wall']:.1f} s (+ {r['startup']:.1f} s cluster start)", flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    base = runs["vnfix fix --jobs 1"]["wall"]
    jobs2 = runs["vnfix fix --jobs 2"]["wall"]
    rows = []
    for name, r in runs.items():
        rows.append(f"| {name} | {r['wall']:.1f} | {size / 1e6 / r['wall']:.2f} | {words / r['wall']:,.0f} | "
                    f"{base / r['wall']:.2f}x | {jobs2 / r['wall'] * 100:.0f}% | {r['cpu'] / r['wall']:.2f} | "
                    f"{r['others']:.2f} | {'yes' if r['same'] else 'NO'} |")
    version = code_version()
    dask_note = ""
    if "Dask LocalCluster 2 workers x 1 thread" in runs:
        d = runs["Dask LocalCluster 2 workers x 1 thread"]
        dask_note = (f"\nDask: `vnfix.dask.fix_files` (bag of {args.blocksize >> 10} KiB window-aligned chunks read by the "
                     f"workers, `fix_bag`, written back in order by the client); the time excludes starting the cluster "
                     f"and loading the lexicons on the workers ({d['startup']:.1f} s), which the CLI times include "
                     f"(about 0.4 s). Relative to `--jobs 2`: **{jobs2 / d['wall'] * 100:.0f}%** (target >= 80%).\n")
    table = f"""# Parallel throughput

`python benchmarks/parallel.py --mb {args.mb:g}` on {platform.machine()} with {os.cpu_count()} cores,
Python {platform.python_version()}, vnfix {version}, {time.strftime('%Y-%m-%d %H:%M')}.

Input: {size / 1e6:.1f} MB, {words:,} words; {described}.
Default options (`--repair ocr`). All outputs are compared byte for byte with the `--jobs 1` output.

| run | wall s | MB/s | words/s | speed-up vs --jobs 1 | vs --jobs 2 | CPU s / wall s | other load (cores) | identical |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
{chr(10).join(rows)}

Speed-up of `--jobs 2` over `--jobs 1`: **{base / jobs2:.2f}x** (target >= 1.7x).{dask_note}
"CPU s / wall s": CPU time of the vnfix processes (for Dask: the client, scheduler, nannies and workers) over
the wall time; 2.0 means both cores busy all the time. "other load": cores kept busy during the run by
everything else on the machine (from /proc/stat); with 2 cores, anything above ~0.1 slows the parallel runs.
"""
    if args.no_write:
        print(table)
    else:
        write_result("parallel.md", table)


if __name__ == "__main__":
    main()
