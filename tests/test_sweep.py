"""Sweeps end to end: executors agree number for number, the store survives kills."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from skillgraph.cli import main as cli_main
from skillgraph.sweep import runner as sweep_mod
from skillgraph.sweep.executors import ProcessExecutor, SerialExecutor
from skillgraph.sweep.runner import expand, load_spec, parse_spec, run_sweep
from skillgraph.sweep.store import StoreError, SweepStore
from skillgraph.tables import read_table

ROOT = Path(__file__).resolve().parents[1]
SMOKE = ROOT / "sims" / "smoke.toml"

TINY = """
name = "tiny"
seed = 99
replicates = 2
measures = ["bad_fraction", "curve", "tuple", "bound", "certificate"]
[grid]
n_skills = 30
n_texts = 300
k = [2, 4]
failure = ["random", "deficit"]
theta = [0.1, 0.3]
beta = [0.2, 0.5]
t = [2]
tuple_mode = ["tensor", "cooccur"]
[options]
curve_betas = [0.25, 0.5, 0.75]
n_tuples = 200
"""


def table_bytes(out) -> bytes:
    return (Path(out) / "results.csv").read_bytes()


def shard_snapshot(out) -> dict:
    return {p.name: p.read_bytes() for p in sorted((Path(out) / "shards").glob("item-*.json"))}


@pytest.fixture(scope="module")
def smoke_serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("smoke") / "serial"
    summary = run_sweep(load_spec(SMOKE), out, executor=SerialExecutor(), progress=False)
    assert summary.ok and summary.computed == summary.n_items
    return out


@pytest.fixture(scope="module")
def tiny_serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny") / "serial"
    summary = run_sweep(parse_spec(TINY), out, progress=False)
    assert summary.ok and summary.n_items == 2 * 2 * 2 * 2
    return out


def test_smoke_two_workers_identical_to_one(smoke_serial, tmp_path):
    with ProcessExecutor(2) as executor:
        summary = run_sweep(load_spec(SMOKE), tmp_path / "two", executor=executor, progress=False)
    assert summary.ok
    assert table_bytes(tmp_path / "two") == table_bytes(smoke_serial)


def test_smoke_local_dask_cluster_identical_to_one_worker(smoke_serial, tmp_path):
    pytest.importorskip("distributed")
    from skillgraph.sweep.executors import make_executor

    with make_executor(dask_local=2) as executor:
        summary = run_sweep(load_spec(SMOKE), tmp_path / "dask", executor=executor, progress=False)
    assert summary.ok
    assert table_bytes(tmp_path / "dask") == table_bytes(smoke_serial)


def test_any_object_with_map_is_an_executor_and_order_does_not_matter(tiny_serial, tmp_path):
    class Backwards:
        def map(self, fn, items):
            return [fn(item) for item in reversed(list(items))]

    run_sweep(parse_spec(TINY), tmp_path / "b", executor=Backwards(), progress=False)
    assert table_bytes(tmp_path / "b") == table_bytes(tiny_serial)


def test_table_is_tidy_and_matches_an_independent_computation(tiny_serial):
    """Row values recomputed here from the documented seed scheme and theory.md §1."""
    from skillgraph.core import failures
    from skillgraph.core.sampling import sample_graph

    rows = read_table(tiny_serial / "results.csv")
    spec = parse_spec(TINY)
    items = expand(spec)
    item = items[5]
    p = item.params
    children = np.random.SeedSequence(99).spawn(len(items))[5].spawn(2)
    graph = sample_graph(p["n_skills"], p["n_texts"], p["k"], seed=children[0])
    model = failures.random_failures if p["failure"] == "random" else failures.deficit_failures
    failed = model(graph, p["theta"], seed=children[1])
    ts = graph.text_skills
    for beta in (0.2, 0.5):
        # brute force: each skill's failed share of its edge slots, uniform mu1
        bad = 0
        for s in range(p["n_skills"]):
            slots = ts == s
            deg = slots.sum()
            if deg and (slots & failed[:, None]).sum() / deg > beta:
                bad += 1
        (row,) = [
            r
            for r in rows
            if r["item"] == 5 and r["measure"] == "bad_fraction" and r["beta"] == beta
        ]
        assert row["n_bad"] == bad
        assert row["value"] == pytest.approx(bad / p["n_skills"], abs=1e-12)
        assert row["k"] == p["k"] and row["failure"] == p["failure"] and row["theta"] == p["theta"]
    # every measurement has every parameter as a column
    assert {"n_skills", "n_texts", "k", "theta", "failure", "replicate", "beta", "t"} <= set(
        rows[0]
    )
    measures = {r["measure"] for r in rows}
    assert measures == {
        "failure_rate",
        "bad_fraction",
        "competent",
        "tuple_bad_fraction",
        "alpha_star",
        "averaging_bound",
        "certified_alpha",
    }


def _slow_spec(path: Path) -> Path:
    """Enough items that a kill lands mid-run."""
    path.write_text(
        'name = "killme"\nseed = 5\nreplicates = 30\nmeasures = ["bad_fraction", "tuple"]\n'
        "[grid]\nn_skills = 100\nn_texts = 3000\nk = [3, 6]\ntheta = 0.1\n"
        'failure = "random"\nt = 3\ntuple_mode = ["tensor", "cooccur"]\n'
        "[options]\nn_tuples = 3000\n"
    )
    return path


def test_sigkill_then_resume_gives_the_uninterrupted_table(tmp_path):
    spec_path = _slow_spec(tmp_path / "kill.toml")
    n_items = len(expand(load_spec(spec_path)))
    out = tmp_path / "killed"
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "skillgraph",
            "sweep",
            str(spec_path),
            "--out",
            str(out),
            "--workers",
            "2",
            "--no-progress",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            shards = list((out / "shards").glob("item-*.json")) if (out / "shards").is_dir() else []
            if len(shards) >= 4 or proc.poll() is not None:
                break
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)  # the driver and its worker processes
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the sweep finished before it could be killed"
    store = SweepStore.open(out)
    state = store.scan()
    finished = set(state["ok"])
    assert 1 <= len(finished) < n_items
    print(f"killed with {len(finished)} of {n_items} items stored, corrupt {state['corrupt']}")
    before = shard_snapshot(out)
    before = {name: data for name, data in before.items() if int(name[5:-5]) in finished}

    summary = run_sweep(load_spec(spec_path), out, resume=True, progress=False)
    assert summary.ok and summary.skipped == len(finished)
    assert summary.computed == n_items - len(finished)
    after = shard_snapshot(out)
    for name, data in before.items():  # no finished item was computed again
        assert after[name] == data

    fresh = tmp_path / "fresh"
    with ProcessExecutor(2) as executor:
        run_sweep(load_spec(spec_path), fresh, executor=executor, progress=False)
    assert table_bytes(out) == table_bytes(fresh)


def test_truncated_shard_is_detected_and_recomputed(tiny_serial, tmp_path):
    import shutil

    out = tmp_path / "copy"
    shutil.copytree(tiny_serial, out)
    victim = out / "shards" / "item-0000003.json"
    data = victim.read_bytes()
    victim.write_bytes(data[: len(data) // 2])
    (out / "shards" / ".item-0000004.json.abc.tmp").write_text("{half")  # a killed writer
    other = out / "shards" / "item-0000002.json"
    other_before = (other.read_bytes(), other.stat().st_mtime_ns)
    (out / "results.csv").unlink()

    assert SweepStore.open(out).scan()["corrupt"] == [3]
    summary = run_sweep(parse_spec(TINY), out, resume=True, progress=False)
    assert summary.computed == 1 and summary.recomputed_corrupt == 1
    assert victim.read_bytes() != data[: len(data) // 2]
    assert (other.read_bytes(), other.stat().st_mtime_ns) == other_before
    assert not list((out / "shards").glob(".*.tmp"))
    assert table_bytes(out) == table_bytes(tiny_serial)


def test_a_raising_item_is_recorded_and_the_sweep_goes_on(tmp_path, monkeypatch, capsys):
    original = sweep_mod._MEASURE_FUNCTIONS["bound"]

    def flaky(ctx):
        if ctx.item.index == 2:
            raise RuntimeError("boom in item 2")
        return original(ctx)

    monkeypatch.setitem(sweep_mod._MEASURE_FUNCTIONS, "bound", flaky)
    spec_path = tmp_path / "tiny.toml"
    spec_path.write_text(TINY)
    status = cli_main(
        ["sweep", str(spec_path), "--out", str(tmp_path / "o"), "--workers", "1", "--no-progress"]
    )
    assert status == 1
    captured = capsys.readouterr()
    assert "1 failed" in captured.out and "boom in item 2" in captured.out
    failures = json.loads((tmp_path / "o" / "failures.json").read_text())
    assert [f["item"] for f in failures] == [2]
    assert "RuntimeError: boom in item 2" in failures[0]["error"]
    shard = json.loads((tmp_path / "o" / "shards" / "item-0000002.json").read_text())
    assert shard["status"] == "error" and "boom in item 2" in shard["traceback"]
    items = {r["item"] for r in read_table(tmp_path / "o" / "results.csv")}
    assert items == set(range(16)) - {2}

    # once the cause is gone, --resume retries the failed item only
    monkeypatch.setitem(sweep_mod._MEASURE_FUNCTIONS, "bound", original)
    summary = run_sweep(parse_spec(TINY), tmp_path / "o", resume=True, progress=False)
    assert summary.ok and summary.computed == 1 and summary.skipped == 15


def test_store_refuses_another_spec_and_a_used_directory(tiny_serial, tmp_path, capsys):
    other = TINY.replace("seed = 99", "seed = 100")
    with pytest.raises(StoreError, match="different spec"):
        run_sweep(parse_spec(other), tiny_serial, resume=True, progress=False)
    with pytest.raises(StoreError, match="--resume"):
        run_sweep(parse_spec(TINY), tiny_serial, progress=False)
    spec_path = tmp_path / "other.toml"
    spec_path.write_text(other)
    status = cli_main(
        ["sweep", str(spec_path), "--out", str(tiny_serial), "--resume", "--workers", "1"]
    )
    assert status == 2
    assert "different spec" in capsys.readouterr().err


def test_cli_refuses_a_bad_spec_before_any_work(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("seed = 1\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\ntheta = [0.1, 1.5]\n")
    status = cli_main(["sweep", str(bad), "--out", str(tmp_path / "o"), "--workers", "1"])
    assert status == 2
    assert "grid.theta[1]" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
    assert cli_main(["sweep", str(SMOKE), "--out", str(tmp_path / "o"), "--dry-run"]) == 0
    assert "48 work items" in capsys.readouterr().out


def test_plot_finished_and_partial_sweeps(tiny_serial, tmp_path, capsys):
    import shutil

    out = tmp_path / "partial"
    shutil.copytree(tiny_serial, out)
    for shard in sorted((out / "shards").glob("item-*.json"))[8:]:
        shard.unlink()
    for store in (tiny_serial, out):
        assert cli_main(["plot", str(store), "--out", str(tmp_path / "figs")]) == 0
        written = capsys.readouterr().out.split()
        assert {Path(w).name for w in written} == {
            "emergence.png",
            "performance_curves.png",
            "bound_vs_empirical.png",
        }
        assert all(Path(w).stat().st_size > 1000 for w in written)


def test_stream_mode_counts_match_the_sampled_graph(tmp_path):
    """graph_mode = "stream": degrees are those of sample_graph at the item's seed."""
    pytest.importorskip("skillgraph.stream")
    from skillgraph.core.sampling import sample_graph

    text = (
        'seed = 11\nmeasures = ["bad_fraction", "curve", "bound", "certificate"]\n'
        "[grid]\nn_skills = 40\nn_texts = 2000\nk = 3\ntheta = 0.2\n"
        'failure = ["random", "deficit"]\nbeta = [0.3, 0.5]\n'
        '[options]\ngraph_mode = "stream"\ncurve_betas = [0.3, 0.5]\n'
    )
    summary = run_sweep(parse_spec(text), tmp_path / "s", progress=False)
    assert summary.ok
    rows = read_table(tmp_path / "s" / "results.csv")
    from skillgraph.core.streaming import stream

    for index, failure in enumerate(["random", "deficit"]):
        graph_seed = np.random.SeedSequence(11).spawn(2)[index].spawn(1)[0]
        degrees = sample_graph(40, 2000, 3, seed=graph_seed).degrees
        counts = stream(40, 2000, 3, 0.2, failure=failure, seed=graph_seed)
        np.testing.assert_array_equal(counts.degrees, degrees)
        for beta in (0.3, 0.5):
            # brute force on the counts: uniform mu1, bad when failed/deg > beta
            bad = sum(
                1 for d, f in zip(degrees, counts.failed_edges, strict=True) if d and f / d > beta
            )
            (row,) = [
                r
                for r in rows
                if r["item"] == index and r["measure"] == "bad_fraction" and r["beta"] == beta
            ]
            assert row["n_bad"] == bad and row["value"] == pytest.approx(bad / 40, abs=1e-12)
            (curve,) = [
                r
                for r in rows
                if r["item"] == index and r["measure"] == "competent" and r["beta"] == beta
            ]
            assert curve["value"] == pytest.approx(1 - bad / 40, abs=1e-12)


def test_adversary_never_beats_the_certificate(tmp_path):
    """theory.md §7: with n_texts >> n_skills the greedy worst case stays under certified alpha."""
    pytest.importorskip("skillgraph.adversary")
    text = (
        'seed = 3\nmeasures = ["bad_fraction", "adversary", "certificate"]\n'
        "[grid]\nn_skills = 30\nn_texts = 1500\nk = 4\ntheta = [0.05, 0.1]\n"
        "beta = [0.3, 0.5]\n"
    )
    summary = run_sweep(parse_spec(text), tmp_path / "a", progress=False)
    assert summary.ok
    rows = read_table(tmp_path / "a" / "results.csv")
    adversary = {
        (r["item"], r["beta"]): r for r in rows if r["measure"] == "adversary_bad_fraction"
    }
    certified = {(r["item"], r["beta"]): r for r in rows if r["measure"] == "certified_alpha"}
    random_bad = {(r["item"], r["beta"]): r for r in rows if r["measure"] == "bad_fraction"}
    assert len(adversary) == len(certified) == 2 * 2
    for key, adv in adversary.items():
        assert adv["n_bad"] / adv["n"] <= certified[key]["value"]
        assert adv["value"] >= random_bad[key]["value"]  # the worst case is at least as bad


def test_plot_scale_sweep_uses_the_emergence_figure(tmp_path, capsys):
    text = (
        'seed = 2\nreplicates = 2\nmeasures = ["bad_fraction", "tuple", "bound"]\n'
        "[grid]\nn_skills = 40\nn_texts = 800\nk = 4\nt = 2\n"
        "[scale]\ncompute = [1e20, 1e22, 1e24]\n"
    )
    run_sweep(parse_spec(text), tmp_path / "s", progress=False)
    rows = read_table(tmp_path / "s" / "results.csv")
    assert {r["compute"] for r in rows} == {1e20, 1e22, 1e24}
    assert cli_main(["plot", str(tmp_path / "s"), "--format", "svg"]) == 0
    written = capsys.readouterr().out.split()
    assert {Path(w).name for w in written} == {"emergence.svg", "bound_vs_empirical.svg"}


def test_graphs_too_big_for_this_machine_are_refused_before_any_work(tmp_path):
    text = "seed = 1\n[grid]\nn_skills = 1000\nn_texts = 1e14\nk = 8\ntheta = 0.1\n"
    with pytest.raises(sweep_mod.SpecError, match=r"grid\.n_texts: .*GiB"):
        run_sweep(parse_spec(text), tmp_path / "big", progress=False)
    assert not (tmp_path / "big").exists()
