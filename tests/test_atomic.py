"""Atomic output: ``-o`` and ``--in-place`` never leave a partial target.

The guarantee (see ``vnfix.textio``):

* the target path always holds either its old content (or does not exist) or
  the complete new content: output goes to ``.NAME.XXXXXXXX.vnfix-tmp`` beside
  it, is fsynced, then renamed over it;
* on any error, Ctrl-C, SIGTERM or SIGHUP the temp file is removed;
* SIGKILL (or a power cut) cannot be caught, so the temp file may stay; it is
  never the target, and the next vnfix run writing the same target deletes it.
  A writer holds an exclusive ``flock`` on its temp file, so a run never
  deletes the temp file of another run that is still alive.
"""

from __future__ import annotations

import errno
import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import vnfix
from vnfix import textio
from vnfix.textio import UTF8, Encoding, OutputError, atomic_writer, remove_stale_temp_files, stale_temp_files

SCRIPT = Path(sys.executable).with_name("vnfix")
SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample.txt"
POSIX = os.name == "posix"


def temps(directory: Path, name: str) -> list[Path]:
    return sorted(directory.glob(f".{name}.*.vnfix-tmp"))


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- atomic_writer itself -----------------------------------------------------------------------------


def test_writes_and_replaces(tmp_path):
    target = tmp_path / "t.txt"
    target.write_text("old\n", encoding="utf-8")
    with atomic_writer(target, UTF8) as out:
        out.write("Việt Nam\n")
        assert target.read_text(encoding="utf-8") == "old\n"  # not touched until the end
        assert len(temps(tmp_path, "t.txt")) == 1
    assert target.read_text(encoding="utf-8") == "Việt Nam\n"
    assert temps(tmp_path, "t.txt") == []


def test_error_in_the_body_keeps_the_old_file(tmp_path):
    target = tmp_path / "t.txt"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(ZeroDivisionError), atomic_writer(target, UTF8) as out:
        out.write("new" * 100_000)
        1 / 0  # noqa: B018
    assert target.read_text(encoding="utf-8") == "old\n"
    assert temps(tmp_path, "t.txt") == []


def test_disk_full_is_an_output_error_naming_the_target(tmp_path, monkeypatch):
    target = tmp_path / "t.txt"
    target.write_text("old\n", encoding="utf-8")

    def full(fd, data):  # type: ignore[no-untyped-def]
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OutputError, match=r"t\.txt: no space left on device") as info:
        with atomic_writer(target, UTF8) as out:
            monkeypatch.setattr(textio.os, "write", full)
            out.write("x" * 200_000)
    monkeypatch.undo()
    assert str(target) in str(info.value)
    assert target.read_text(encoding="utf-8") == "old\n"
    assert temps(tmp_path, "t.txt") == []


def test_fsync_failure_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "t.txt"
    target.write_text("old\n", encoding="utf-8")

    def broken(fd):  # type: ignore[no-untyped-def]
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(textio.os, "fsync", broken)
    with pytest.raises(OutputError, match="Input/output error"), atomic_writer(target, UTF8) as out:
        out.write("new\n")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert temps(tmp_path, "t.txt") == []


def test_backup_is_the_old_file(tmp_path):
    target = tmp_path / "t.txt"
    target.write_text("old\n", encoding="utf-8")
    with atomic_writer(target, UTF8, backup=".orig") as out:
        out.write("new\n")
    assert (tmp_path / "t.txt.orig").read_text(encoding="utf-8") == "old\n"
    assert target.read_text(encoding="utf-8") == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.txt", "t.txt.orig"]


def test_bom_and_codec_are_written(tmp_path):
    import codecs

    target = tmp_path / "t.txt"
    with atomic_writer(target, Encoding("utf-16", codecs.BOM_UTF16_BE, "utf-16-be")) as out:
        out.write("Việt\n")
    assert target.read_bytes() == codecs.BOM_UTF16_BE + "Việt\n".encode("utf-16-be")


@pytest.mark.skipif(not POSIX, reason="temp-file locks are POSIX flock")
def test_stale_temp_files_are_removed_but_not_a_live_writers(tmp_path):
    target = tmp_path / "t.txt"
    dead = tmp_path / ".t.txt.abcd1234.vnfix-tmp"
    dead.write_text("partial", encoding="utf-8")
    unrelated = [tmp_path / ".t.txt.short.vnfix-tmp", tmp_path / ".other.txt.abcd1234.vnfix-tmp",
                 tmp_path / "t.txt.abcd1234.vnfix-tmp"]
    for p in unrelated:
        p.write_text("keep", encoding="utf-8")
    live = tmp_path / ".t.txt.live5678.vnfix-tmp"
    live.write_text("being written", encoding="utf-8")
    hold = ("import fcntl, sys, time; f = open(sys.argv[1], 'rb'); "
            "fcntl.flock(f, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(60)")
    holder = subprocess.Popen([sys.executable, "-c", hold, str(live)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        assert stale_temp_files(target) == [dead]
        with atomic_writer(target, UTF8) as out:
            out.write("new\n")
            assert live.exists() and not dead.exists()
            # our own temp file is locked too: another run would not take it for a dead one
            assert stale_temp_files(target) == []
    finally:
        holder.kill()
        holder.wait()
    assert all(p.exists() for p in unrelated)
    assert remove_stale_temp_files(target) == [live]  # its writer is gone now


# --- The CLI, killed mid-run -----------------------------------------------------------------------------


def _big_input(path: Path, megabytes: int) -> None:
    unit = SAMPLE.read_bytes()
    with open(path, "wb") as f:
        for _ in range(megabytes * 1024 * 1024 // len(unit)):
            f.write(unit)


def _start(*args: str) -> subprocess.Popen:
    cmd = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-c", "from vnfix.cli import main; main()"]
    return subprocess.Popen([*cmd, *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _wait_for_temp(proc: subprocess.Popen, directory: Path, name: str, min_size: int = 1,
                   timeout: float = 90, exclude: Path | None = None) -> Path:
    """Poll until the run's temp file exists and holds at least ``min_size`` bytes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"vnfix ended early: {proc.stderr.read() if proc.stderr else ''}"
        for tmp in temps(directory, name):
            if tmp == exclude:
                continue
            try:
                if tmp.stat().st_size >= min_size:
                    return tmp
            except FileNotFoundError:
                pass
        time.sleep(0.02)
    proc.kill()
    raise AssertionError("no temp file appeared")


def _copy_of_big(directory: Path, big: Path) -> tuple[Path, str]:
    """A fresh BIG.txt in ``directory`` to run on, and its digest to compare with afterwards."""
    target = directory / "BIG.txt"
    target.write_bytes(big.read_bytes())
    return target, digest(target)


@pytest.fixture(scope="module")
def big(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "source.txt"
    _big_input(path, 24)
    return path


@pytest.mark.skipif(not POSIX, reason="signals")
def test_sigkill_during_in_place_leaves_the_original_and_the_next_run_cleans_up(tmp_path, big):
    target, before = _copy_of_big(tmp_path, big)
    proc = _start("fix", "--in-place", str(target))
    tmp = _wait_for_temp(proc, tmp_path, "BIG.txt", min_size=64 * 1024)
    assert digest(target) == before  # mid-run: the target is still the original
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    assert digest(target) == before, "the original was changed by a killed run"
    assert temps(tmp_path, "BIG.txt") == [tmp]  # SIGKILL cannot be caught: the temp file stays ...
    assert stale_temp_files(target) == [tmp]  # ... and is known to be a dead writer's
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["BIG.txt", tmp.name])

    # The next run on the same target deletes it; SIGTERM then stops that run cleanly.
    proc = _start("fix", "--in-place", str(target))
    mine = _wait_for_temp(proc, tmp_path, "BIG.txt", exclude=tmp)
    deadline = time.monotonic() + 30
    while tmp.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert not tmp.exists() and mine != tmp
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signal.SIGTERM
    assert err.decode().splitlines() == [f"vnfix: error: stopped by signal {int(signal.SIGTERM)}"]
    assert temps(tmp_path, "BIG.txt") == []
    assert digest(target) == before


@pytest.mark.skipif(not POSIX, reason="signals")
@pytest.mark.parametrize("existing", [False, True], ids=["new-output", "existing-output"])
def test_sigkill_during_output_never_leaves_a_partial_target(tmp_path, big, existing):
    out = tmp_path / "OUT.txt"
    if existing:
        out.write_text("previous result\n", encoding="utf-8")
    src_before = digest(big)
    proc = _start("fix", str(big), "-o", str(out))
    tmp = _wait_for_temp(proc, tmp_path, "OUT.txt", min_size=64 * 1024)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    assert digest(big) == src_before
    if existing:
        assert out.read_text(encoding="utf-8") == "previous result\n"
    else:
        assert not out.exists()
    assert temps(tmp_path, "OUT.txt") == [tmp]

    # The next run writing OUT.txt completes and removes the dead run's temp file.
    small = tmp_path / "small.txt"
    small.write_text("Viet Nam\n", encoding="utf-8")
    r = subprocess.run([str(SCRIPT), "fix", str(small), "-o", str(out)], capture_output=True, check=False, timeout=120)
    assert r.returncode == 0, r.stderr
    assert out.read_text(encoding="utf-8") == "Việt Nam\n"
    assert temps(tmp_path, "OUT.txt") == []


@pytest.mark.skipif(not POSIX, reason="signals")
@pytest.mark.parametrize("sig,code", [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)],
                         ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_catchable_signals_remove_the_temp_file(tmp_path, big, sig, code):
    target, before = _copy_of_big(tmp_path, big)
    proc = _start("fix", "--in-place", "--backup", ".orig", str(target))
    _wait_for_temp(proc, tmp_path, "BIG.txt", min_size=64 * 1024)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    lines = err.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("vnfix: error: ") and "Traceback" not in err.decode()
    assert digest(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["BIG.txt"]  # no temp file, no backup


@pytest.mark.skipif(not POSIX, reason="signals")
def test_sigkill_with_worker_processes_leaves_the_original(tmp_path, big):
    target, before = _copy_of_big(tmp_path, big)
    proc = _start("fix", "--jobs", "2", "--in-place", str(target))
    _wait_for_temp(proc, tmp_path, "BIG.txt", min_size=64 * 1024, timeout=180)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert digest(target) == before
    # Orphaned workers must not write anything either; give them a moment, then check again.
    time.sleep(1)
    assert digest(target) == before
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".BIG.txt.")] == ["BIG.txt"]


def test_completed_in_place_run_is_the_fixed_text(tmp_path):
    target = tmp_path / "a.txt"
    text = SAMPLE.read_text(encoding="utf-8") * 3
    target.write_text(text, encoding="utf-8")
    r = subprocess.run([str(SCRIPT), "fix", "--in-place", "--backup", ".orig", str(target)],
                       capture_output=True, check=False, timeout=120)
    assert r.returncode == 0, r.stderr
    assert target.read_text(encoding="utf-8") == vnfix.fix_text(text)
    assert (tmp_path / "a.txt.orig").read_text(encoding="utf-8") == text
    assert temps(tmp_path, "a.txt") == [] and temps(tmp_path, "a.txt.orig") == []


@pytest.mark.skipif(not POSIX, reason="signals")
def test_sigterm_with_worker_processes_stops_promptly_and_cleans_up(tmp_path, big):
    target, before = _copy_of_big(tmp_path, big)
    proc = _start("fix", "--jobs", "2", "--in-place", str(target))
    _wait_for_temp(proc, tmp_path, "BIG.txt", min_size=64 * 1024, timeout=180)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert time.monotonic() - t0 < 30
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert digest(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["BIG.txt"]
