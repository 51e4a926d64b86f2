"""Concurrency and kills with real processes: one writer per output, whole runs or nothing.

Each case is made deterministic by ``SKILLGRAPH_TEST_HOLD_LOCK`` /
``SKILLGRAPH_TEST_HOLD_SWAP`` (seconds a run waits once it holds its lock, or
once its work is staged, before it swaps it in): the test waits until the run
is there, then does what a hostile user would.  Only tests set these variables.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from skillgraph import _outdir
from skillgraph.cli._common import EXIT_HANGUP, EXIT_OUTPUT, EXIT_TERMINATED
from tests.reliability_helpers import ROOT, one_line, snapshot, tiny_spec

EMERGE = ["emerge", "--sim-points", "0", "--bound-points", "21", "--no-progress"]
def _start(argv, **hold) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.update({f"SKILLGRAPH_TEST_HOLD_{k.upper()}": str(v) for k, v in hold.items()})
    return subprocess.Popen([sys.executable, "-m", "skillgraph", *argv], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip


def _run(argv, **hold) -> tuple[int, str]:
    proc = _start(argv, **hold)
    _, err = proc.communicate(timeout=300)
    return proc.returncode, err


def _wait_for(condition, proc, what: str) -> None:
    """Poll ``condition`` (the process must still be running) for up to two minutes."""
    deadline = time.monotonic() + 120
    while not condition():
        assert proc.poll() is None, f"exited before {what}: {proc.communicate()}"
        assert time.monotonic() < deadline, f"never saw {what}"
        time.sleep(0.05)


def _holds_lock(lock: Path, proc) -> bool:
    try:
        return json.loads(lock.read_text())["pid"] == proc.pid
    except (OSError, ValueError, KeyError):
        return False


def _previous_run(out: Path) -> dict:
    out.mkdir()
    (out / "results.csv").write_text("the previous run\n")
    (out / _outdir.MARKER).write_text(json.dumps({"command": "emerge"}))
    return snapshot(out)


def test_two_emerges_on_one_out_the_second_is_refused_the_first_killed_keeps_the_old(tmp_path):
    out = tmp_path / "run"
    before = _previous_run(out)
    first = _start([*EMERGE, "--out", str(out)], lock=120)
    _wait_for(lambda: _holds_lock(tmp_path / ".run.lock", first), first, "the first run's lock")
    code, err = _run([*EMERGE, "--out", str(out)])
    line = one_line(err)
    assert code == EXIT_OUTPUT and f"skillgraph emerge (pid {first.pid} on " in line
    first.send_signal(signal.SIGTERM)
    _, err = first.communicate(timeout=60)
    assert first.returncode == EXIT_TERMINATED
    assert f"{str(out)!r} is unchanged" in one_line(err)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGHUP])
def test_a_kill_while_the_new_run_is_staged_leaves_the_old_run_whole(tmp_path, sig):
    out = tmp_path / "run"
    before = _previous_run(out)
    proc = _start([*EMERGE, "--out", str(out)], swap=120)

    def staged() -> bool:
        return any((d / "summary.md").exists() for d in tmp_path.glob(".run.staging-*"))

    _wait_for(staged, proc, "the staged run")
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert snapshot(out) == before
    if sig == signal.SIGHUP:
        assert proc.returncode == EXIT_HANGUP
        line = one_line(err)  # one line: no leaked-semaphore warning
        assert "hung up (SIGHUP)" in line and "unchanged: it holds the previous run" in line
        assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
        return
    assert proc.returncode == -signal.SIGKILL
    code, err = _run([*EMERGE, "--out", str(out)])  # the next run cleans up and replaces it
    assert code == 0, err
    assert (out / "results.csv").read_text() != "the previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_resume_or_another_sweep_beside_a_live_sweep_is_refused(tmp_path):
    spec = tmp_path / "tiny.toml"
    spec.write_text(tiny_spec(seed=1))
    other = tmp_path / "other.toml"
    other.write_text(tiny_spec(seed=2))
    out = tmp_path / "store"
    live = _start(["sweep", str(spec), "--out", str(out), "--workers", "1", "--no-progress"],
                  lock=120)  # fmt: skip
    _wait_for(lambda: _holds_lock(tmp_path / ".store.lock", live), live, "the sweep's lock")
    for argv in (["sweep", str(spec), "--out", str(out), "--resume"],
                 ["sweep", str(other), "--out", str(out)]):  # fmt: skip
        code, err = _run([*argv, "--workers", "1", "--no-progress"])
        assert code == EXIT_OUTPUT
        assert f"skillgraph sweep (pid {live.pid} on " in one_line(err)
    live.send_signal(signal.SIGTERM)
    live.communicate(timeout=60)
    assert live.returncode == EXIT_TERMINATED
    code, err = _run(["sweep", str(spec), "--out", str(out), "--resume", "--workers", "1",
                      "--no-progress"])  # fmt: skip
    assert code == 0, err
    assert len((out / "results.csv").read_text().splitlines()) > 1


def test_a_sigterm_while_numba_compiles_the_kernels_is_honoured(tmp_path):
    """A fresh cache: the signal lands while kernels are compiled and cached, not after."""
    cache = tmp_path / "numba-cache"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NUMBA_CACHE_DIR": str(cache)}
    proc = subprocess.Popen([sys.executable, "-m", "skillgraph", "simulate", "--n-skills", "40",
                             "--n-texts", "400", "--k", "3"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)  # fmt: skip
    _wait_for(lambda: any(cache.rglob("*.nbi")), proc, "the first compiled kernel")
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_TERMINATED, (out, err)
    assert "terminated (SIGTERM)" in one_line(err)
