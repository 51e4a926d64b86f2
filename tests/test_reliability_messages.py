"""Every error one line, naming its real culprit, with the documented exit status."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skillgraph import _outdir
from skillgraph.cli import main
from skillgraph.cli._common import EXIT_INVALID, EXIT_OUTPUT, EXIT_TOO_LARGE
from tests.reliability_helpers import ROOT, one_line, tiny_spec


def _spec(tmp_path, n_texts="100", theta="[0.1, 0.2]") -> str:
    path = tmp_path / "spec.toml"
    path.write_text(tiny_spec(n_texts=n_texts, theta=theta))
    return str(path)


def test_too_many_items_blames_the_axis_that_makes_them(tmp_path, capsys):
    thetas = "[" + ", ".join(str(0.1 + i * 1e-5) for i in range(2000)) + "]"
    n_texts = "[" + ", ".join(str(100 + i) for i in range(600)) + "]"  # 1.2 million items
    spec = _spec(tmp_path, n_texts=n_texts, theta=thetas)
    assert main(["sweep", spec, "--out", str(tmp_path / "o"), "--dry-run"]) == EXIT_INVALID
    line = one_line(capsys.readouterr().err)
    assert "grid.theta: the grid has 1,200,000 work items" in line and "replicates" not in line


def test_a_tiny_time_limit_names_the_limit_not_an_option(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SKILLGRAPH_MAX_HOURS", "1e-9")
    assert main(["sweep", _spec(tmp_path), "--out", str(tmp_path / "o")]) == EXIT_TOO_LARGE
    line = one_line(capsys.readouterr().err)
    assert "more than the 1e-09 hours allowed" in line and "SKILLGRAPH_MAX_HOURS" in line
    assert "curve_betas" not in line


@pytest.mark.parametrize("value", ["0", "-2", "two"])
def test_a_bad_numba_thread_count_is_named(value):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NUMBA_NUM_THREADS": value}
    proc = subprocess.run([sys.executable, "-m", "skillgraph", "simulate", "--n-skills", "20",
                           "--n-texts", "100", "--k", "2"], env=env, capture_output=True,
                          text=True, timeout=300)  # fmt: skip
    assert proc.returncode == EXIT_INVALID
    assert f"NUMBA_NUM_THREADS must be a positive integer (numba's thread count), got {value!r}" \
        in one_line(proc.stderr)


def _disk_full(monkeypatch) -> None:
    def fsync(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("skillgraph.tables.os.fsync", fsync)


def test_a_full_disk_in_a_sweep_names_the_file_and_the_resume(tmp_path, capsys, monkeypatch):
    _disk_full(monkeypatch)
    out = tmp_path / "store"
    code = main(["sweep", _spec(tmp_path), "--out", str(out), "--workers", "1", "--no-progress"])
    line = one_line(capsys.readouterr().err)
    assert code == EXIT_OUTPUT
    assert f"cannot write {str(out / 'manifest.json')!r}: No space left on device" in line
    assert not (tmp_path / ".store.lock").exists()


def test_a_full_disk_mid_sweep_says_to_make_room_and_resume(tmp_path, capsys, monkeypatch):
    from skillgraph.sweep import store

    real = store.atomic_write

    def full_for_shards(path, text):
        if Path(path).parent.name == "shards":
            raise OSError(errno.ENOSPC, f"cannot write {str(path)!r}: No space left on device")
        return real(path, text)

    monkeypatch.setattr(store, "atomic_write", full_for_shards)
    out = tmp_path / "store"
    code = main(["sweep", _spec(tmp_path), "--out", str(out), "--workers", "1", "--no-progress"])
    line = one_line(capsys.readouterr().err)
    assert code == EXIT_OUTPUT and "item-0000000.json" in line
    assert "make room, then rerun with --resume" in line


def test_a_full_disk_keeps_the_previous_run_and_says_so(tmp_path, capsys, monkeypatch):
    out = tmp_path / "run"
    out.mkdir()
    (out / "results.csv").write_text("the previous run\n")
    (out / _outdir.MARKER).write_text(json.dumps({"command": "emerge"}))
    _disk_full(monkeypatch)
    code = main(["emerge", "--sim-points", "0", "--bound-points", "21", "--out", str(out),
                 "--no-progress"])  # fmt: skip
    line = one_line(capsys.readouterr().err)
    assert code == EXIT_OUTPUT and "No space left on device" in line
    assert "unchanged: it holds the previous run" in line
    assert (out / "results.csv").read_text() == "the previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_check_refuses_a_huge_declared_graph_before_reading(tmp_path, capsys):
    edges = tmp_path / "e.csv"
    edges.write_text("".join(f"{i},{i % 7}\n" for i in range(100)))
    assert main(["check", "--edges", str(edges), "--n-texts", str(10**12)]) == EXIT_TOO_LARGE
    line = one_line(capsys.readouterr().err)
    assert "1,000,000,000,000 text pieces" in line and "GiB" in line


def test_check_refuses_many_declared_isolated_skills_by_time(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SKILLGRAPH_MAX_HOURS", "0.01")
    edges = tmp_path / "e.csv"
    edges.write_text("".join(f"{i},{i % 7}\n" for i in range(100)))
    code = main(["check", "--edges", str(edges), "--n-skills", "1000000"])
    line = one_line(capsys.readouterr().err)
    assert code == EXIT_TOO_LARGE and "1,000,000 skills" in line and "hours" in line


def test_an_empty_memory_error_says_out_of_memory(monkeypatch, capsys):
    def boom(args):
        raise MemoryError()

    import skillgraph.cli.bound as bound

    monkeypatch.setattr(bound, "run", boom)
    assert main(["bound", "--theta", "0.1", "--beta", "0.5", "--k", "8"]) == EXIT_TOO_LARGE
    assert "out of memory" in one_line(capsys.readouterr().err)


def test_networkx_input_refuses_a_huge_multiplicity_and_a_partial_measure():
    nx = pytest.importorskip("networkx")
    from skillgraph.core.graph import SkillGraph

    G = nx.Graph()
    G.add_node("s0", bipartite=0, measure=1.0)
    G.add_node("s1", bipartite=0)
    G.add_node("t0", bipartite=1)
    G.add_edge("s0", "t0")
    G.add_edge("s1", "t0")
    with pytest.raises(ValueError, match="measure to 1 of its 2 skill nodes"):
        SkillGraph.from_networkx(G)  # not silently uniform
    G.nodes["s1"]["measure"] = 3.0
    G.edges["s0", "t0"]["multiplicity"] = 10**12
    with pytest.raises(MemoryError, match="1,000,000,000,000.*Lower the multiplicity"):
        SkillGraph.from_networkx(G)
