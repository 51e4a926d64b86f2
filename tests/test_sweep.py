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
from skillgraph.sweep.executors import ProcessExecutor
from skillgraph.sweep.registry import get_measurement, override_measurement
from skillgraph.sweep.runner import expand, load_spec, parse_spec, run_sweep
from skillgraph.sweep.spec import SweepTooLarge, estimate
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
def tiny_serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny") / "serial"
    summary = run_sweep(parse_spec(TINY), out, progress=False)
    assert summary.ok and summary.n_items == 2 * 2 * 2 * 2
    return out


def test_two_workers_identical_to_one(tiny_serial, tmp_path):
    with ProcessExecutor(2) as executor:
        summary = run_sweep(parse_spec(TINY), tmp_path / "two", executor=executor, progress=False)
    assert summary.ok
    assert table_bytes(tmp_path / "two") == table_bytes(tiny_serial)


def test_local_dask_cluster_identical_to_one_worker(tiny_serial, tmp_path):
    pytest.importorskip("distributed")
    from skillgraph.sweep.executors import make_executor

    with make_executor(dask_local=2) as executor:
        summary = run_sweep(parse_spec(TINY), tmp_path / "dask", executor=executor, progress=False)
    assert summary.ok
    assert table_bytes(tmp_path / "dask") == table_bytes(tiny_serial)


def test_any_object_with_map_is_an_executor_and_order_does_not_matter(tiny_serial, tmp_path):
    class Backwards:
        def map(self, fn, items):
            return [fn(item) for item in reversed(list(items))]

    run_sweep(parse_spec(TINY), tmp_path / "b", executor=Backwards(), progress=False)
    assert table_bytes(tmp_path / "b") == table_bytes(tiny_serial)


def test_table_is_tidy_and_matches_an_independent_computation(tiny_serial):
    """Row values recomputed here from the documented seed scheme and docs/theory/graph.rst."""
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
            if r["item"] == 5 and r["quantity"] == "bad_fraction" and r["beta"] == beta
        ]
        assert row["n_bad"] == bad
        assert row["value"] == pytest.approx(bad / p["n_skills"], abs=1e-12)
        assert row["k"] == p["k"] and row["failure"] == p["failure"] and row["theta"] == p["theta"]
    # every measurement has every parameter as a column
    assert {"n_skills", "n_texts", "k", "theta", "failure", "replicate", "beta", "t"} <= set(
        rows[0]
    )
    quantities = {r["quantity"] for r in rows}
    assert quantities == {
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
        'name = "killme"\nseed = 5\nreplicates = 12\nmeasures = ["bad_fraction", "tuple"]\n'
        "[grid]\nn_skills = 100\nn_texts = 3000\nk = [3, 6]\ntheta = 0.1\n"
        'failure = "random"\nt = 3\ntuple_mode = ["tensor", "cooccur"]\n'
        "[options]\nn_tuples = 3000\n"
    )
    return path


def _start_sweep(tmp_path: Path, *options: str, shards: int = 1):
    """A ``skillgraph sweep`` of the slow spec in its own process group, once ``shards`` exist.

    Returns the process, the store and the file that receives its stderr (a file, not a
    pipe: a process left behind must not block the test).
    """
    spec_path = _slow_spec(tmp_path / "kill.toml")
    out = tmp_path / "store"
    err_path = tmp_path / "stderr"
    with open(err_path, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "skillgraph", "sweep", str(spec_path), "--out", str(out),
             "--no-progress", *options],
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1"}, cwd=ROOT, start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if (out / "shards").is_dir() and len(list((out / "shards").glob("item-*.json"))) >= shards:
            break
        time.sleep(0.005)
    return proc, out, err_path


def test_sigkill_then_resume_gives_the_uninterrupted_table(tmp_path):
    spec_path = _slow_spec(tmp_path / "kill.toml")
    n_items = len(expand(load_spec(spec_path)))
    proc, out, _ = _start_sweep(tmp_path, "--workers", "2", shards=4)
    try:
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


def test_a_raising_item_is_recorded_and_the_sweep_goes_on(tmp_path, capsys):
    original = get_measurement("bound").function

    def flaky(ctx):
        if ctx.item.index == 2:
            raise RuntimeError("boom in item 2")
        return original(ctx)

    spec_path = tmp_path / "tiny.toml"
    spec_path.write_text(TINY)
    with override_measurement("bound", flaky):
        status = cli_main(
            ["sweep", str(spec_path), "--out", str(tmp_path / "o"), "--workers", "1",
             "--no-progress"]
        )  # fmt: skip
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
    """engine = "stream": degrees are those of sample_graph at the item's seed.

    The tensor tuple fraction (t = 2, exact) is checked against a brute force over all
    ordered pairs of skills, from the streamed counts.
    """
    from skillgraph.core.sampling import sample_graph
    from skillgraph.core.streaming import stream

    text = (
        'seed = 11\nmeasures = ["bad_fraction", "curve", "tuple", "bound", "certificate"]\n'
        "[grid]\nn_skills = 40\nn_texts = 2000\nk = 3\ntheta = 0.2\n"
        'failure = ["random", "deficit"]\nbeta = [0.3, 0.5]\nt = 2\n'
        '[options]\nengine = "stream"\ncurve_betas = [0.3, 0.5]\n'
    )
    summary = run_sweep(parse_spec(text), tmp_path / "s", progress=False)
    assert summary.ok
    rows = read_table(tmp_path / "s" / "results.csv")

    def one(index, quantity, beta):
        (row,) = [r for r in rows
                  if r["item"] == index and r["quantity"] == quantity and r["beta"] == beta]
        return row  # fmt: skip

    for index, failure in enumerate(["random", "deficit"]):
        graph_seed = np.random.SeedSequence(11).spawn(2)[index].spawn(1)[0]
        degrees = sample_graph(40, 2000, 3, seed=graph_seed).degrees
        counts = stream(40, 2000, 3, 0.2, failure=failure, seed=graph_seed)
        np.testing.assert_array_equal(counts.degrees, degrees)
        comp = [1 - f / d for d, f in zip(degrees, counts.failed_edges, strict=True)]
        for beta in (0.3, 0.5):
            # brute force on the counts: uniform mu1, bad when failed/deg > beta
            bad = sum(1 for c in comp if c < 1 - beta)
            row = one(index, "bad_fraction", beta)
            assert row["n_bad"] == bad and row["value"] == pytest.approx(bad / 40, abs=1e-12)
            curve = one(index, "competent", beta)
            assert curve["value"] == pytest.approx(1 - bad / 40, abs=1e-12)
            pairs = sum(1 for a in comp for b in comp if a * b < 1 - beta)
            tuples = one(index, "tuple_bad_fraction", beta)
            assert tuples["tuple_mode"] == "tensor"
            assert tuples["value"] == pytest.approx(pairs / 40**2, abs=1e-12)


def test_adversary_never_beats_the_certificate(tmp_path):
    """With n_texts >> n_skills the greedy worst case stays under certified alpha.

    docs/theory/failure_models.rst: an adversary above the certificate is a bug.
    """
    text = (
        'seed = 3\nmeasures = ["bad_fraction", "adversary", "certificate"]\n'
        "[grid]\nn_skills = 20\nn_texts = 400\nk = 4\ntheta = 0.1\nbeta = [0.3, 0.5]\n"
    )
    summary = run_sweep(parse_spec(text), tmp_path / "a", progress=False)
    assert summary.ok
    rows = read_table(tmp_path / "a" / "results.csv")
    adversary = {
        (r["item"], r["beta"]): r for r in rows if r["quantity"] == "adversary_bad_fraction"
    }
    certified = {(r["item"], r["beta"]): r for r in rows if r["quantity"] == "certified_alpha"}
    random_bad = {(r["item"], r["beta"]): r for r in rows if r["quantity"] == "bad_fraction"}
    assert len(adversary) == len(certified) == 2
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


def test_work_too_large_for_this_machine_is_refused_before_any_work(tmp_path, capsys):
    # a graph of 8e14 edge slots cannot be sampled in a day: refused by validation
    text = "seed = 1\n[grid]\nn_skills = 1000\nn_texts = 1e14\nk = 8\ntheta = 0.1\n"
    with pytest.raises(SweepTooLarge, match=r"grid\.n_texts: .* days"):
        parse_spec(text)
    # 8e10 edge slots are fast enough, but 4 bytes each do not fit in memory here
    big = "seed = 1\n[grid]\nn_skills = 1000\nn_texts = 1e10\nk = 8\ntheta = 0.1\n"
    with pytest.raises(SweepTooLarge, match=r"grid\.n_texts: .*GiB.*engine = 'stream'"):
        run_sweep(parse_spec(big), tmp_path / "big", progress=False)
    assert not (tmp_path / "big").exists()
    spec_path = tmp_path / "big.toml"
    spec_path.write_text(big)
    status = cli_main(["sweep", str(spec_path), "--out", str(tmp_path / "big"), "--workers", "2"])
    err = capsys.readouterr().err
    assert status == 3 and err.count("\n") == 1 and "GiB" in err
    assert not (tmp_path / "big").exists()
    # the same spec streamed holds O(n_skills): it passes the dry run, with its estimate
    streamed = spec_path.with_name("streamed.toml")
    streamed.write_text(big + '[options]\nengine = "stream"\n')
    assert cli_main(["sweep", str(streamed), "--out", str(tmp_path / "s"), "--dry-run"]) == 0
    assert "estimate: 1 work items" in capsys.readouterr().out
    assert not (tmp_path / "s").exists()


def test_a_dry_run_refuses_what_the_run_would_refuse(tmp_path, capsys):
    betas = [(i + 1) / 100_001 for i in range(100_000)]
    spec_path = tmp_path / "betas.toml"
    spec_path.write_text(
        f"seed = 1\n[grid]\nn_skills = 100\nn_texts = 1000\nk = 4\ntheta = 0.1\nbeta = {betas}\n"
    )
    status = cli_main(["sweep", str(spec_path), "--out", str(tmp_path / "o"), "--dry-run"])
    err = capsys.readouterr().err
    assert status == 3 and err.count("\n") == 1
    assert "grid.beta" in err and "300,001 table rows" in err


def test_the_estimate_counts_the_rows_a_sweep_writes(tiny_serial):
    rows = read_table(tiny_serial / "results.csv")
    assert estimate(parse_spec(TINY)).rows == len(rows)



# ---------------------------------------------------------------------------
# stores written by skillgraph 0.1 (commit d690c73) still resume

# A two-item store made by 0.1 (``skillgraph sweep`` of OLD_SPEC with the code of commit
# d690c73, exported with ``git archive``), of which the shard of item 1 was then deleted:
# its manifest and the shard of item 0, byte for byte.  Rows name their quantity "measure".
OLD_SPEC = (
    'name = "old"\nseed = 4\nreplicates = 2\nmeasures = ["bad_fraction"]\n[grid]\n'
    "n_skills = 6\nn_texts = 30\nk = 2\ntheta = 0.2\n"
)
OLD_MANIFEST = (
    r'{"columns":["item","replicate","n_skills","n_texts","k","skill_measure","zipf_exponent","rep'
    r'lace","failure","theta","law","compute","params","tokens","mapping","measure","beta","t","tu'
    r'ple_mode","form","method","value","ci_low","ci_high","n_bad","n","n_undefined","undefined_ma'
    r'ss","n_effective","exact","vacuous","log_fail_prob"],"format":1,"n_items":2,"name":"old","sk'
    r'illgraph_version":"0.1.0","source":"name = \"old\"\nseed = 4\nreplicates = 2\nmeasures = [\"'
    r'bad_fraction\"]\n[grid]\nn_skills = 6\nn_texts = 30\nk = 2\ntheta = 0.2\n","spec":{"descript'
    r'ion":"","grid":{"beta":[0.5],"bound_form":["kl"],"failure":["random"],"k":[2],"n_skills":[6]'
    r',"n_texts":[30],"replace":[true],"skill_measure":["uniform"],"t":[2],"theta":[0.2],"tuple_mo'
    r'de":["tensor"],"zipf_exponent":[1.0]},"measures":["bad_fraction"],"name":"old","options":{"b'
    r'ernoulli":false,"curve_betas":[0.05,0.1,0.15,0.2,0.25,0.3,0.35,0.4,0.45,0.5,0.55,0.6,0.65,0.'
    r'7,0.75,0.8,0.85,0.9,0.95],"delta_fail":1e-06,"graph_mode":"materialize","n_tuples":0},"repli'
    r'cates":2,"scale":null,"seed":4},"spec_hash":"5534060db1f4742993459487f6d5318c1ee853b10accf45'
    r'dd73b016c8a0440da"}'
)
OLD_SHARD_0 = (
    r'{"checksum":"cf2a4a27a1853f55cb7a5d3835e30cef129b7368fd0d507974a2254e94a2fe24","elapsed":34.'
    r'965051753000125,"error":null,"index":0,"params":{"compute":null,"failure":"random","item":0,'
    r'"k":2,"law":null,"mapping":null,"n_skills":6,"n_texts":30,"params":null,"replace":true,"repl'
    r'icate":0,"skill_measure":"uniform","theta":0.2,"tokens":null,"zipf_exponent":null},"rows":[{'
    r'"compute":null,"exact":true,"failure":"random","item":0,"k":2,"law":null,"mapping":null,"mea'
    r'sure":"failure_rate","n":30,"n_bad":6,"n_skills":6,"n_texts":30,"params":null,"replace":true'
    r',"replicate":0,"skill_measure":"uniform","theta":0.2,"tokens":null,"value":0.2,"zipf_exponen'
    r't":null},{"beta":0.5,"ci_high":0.3903342879021653,"ci_low":0.0,"compute":null,"exact":true,"'
    r'failure":"random","item":0,"k":2,"law":null,"mapping":null,"measure":"bad_fraction","n":6,"n'
    r'_bad":0,"n_effective":6.000000000000001,"n_skills":6,"n_texts":30,"n_undefined":0,"params":n'
    r'ull,"replace":true,"replicate":0,"skill_measure":"uniform","t":1,"theta":0.2,"tokens":null,"'
    r'undefined_mass":0.0,"value":0.0,"zipf_exponent":null}],"run":"a201f0d614e14a9ebda9c3ebba2bfa'
    r'91","spec_hash":"5534060db1f4742993459487f6d5318c1ee853b10accf45dd73b016c8a0440da","status":'
    r'"ok","traceback":null}'
)

#: item 1 of the same store, as 0.1 wrote it in results.csv
OLD_ITEM_1 = [
    {"quantity": "failure_rate", "value": 0.2, "n_bad": 6, "n": 30},
    {"quantity": "bad_fraction", "beta": 0.5, "value": 0.0, "ci_low": 0.0,
     "ci_high": 0.3903342879021653, "n_bad": 0, "n": 6, "n_effective": 6.000000000000001},
]


def test_a_store_of_version_0_1_resumes_and_reads_back_renamed(tmp_path):
    out = tmp_path / "old"
    (out / "shards").mkdir(parents=True)
    (out / "manifest.json").write_text(OLD_MANIFEST)
    shard = out / "shards" / "item-0000000.json"
    shard.write_text(OLD_SHARD_0 + "\n")
    spec = parse_spec(OLD_SPEC)
    assert spec.spec_hash == json.loads(OLD_MANIFEST)["spec_hash"]
    summary = run_sweep(spec, out, resume=True, progress=False)
    assert summary.ok and summary.skipped == 1 and summary.computed == 1
    assert shard.read_text() == OLD_SHARD_0 + "\n"  # the old shard is kept as it was
    rows = read_table(out / "results.csv")
    assert "measure" not in rows[0] and {r["quantity"] for r in rows} == {
        "failure_rate", "bad_fraction"}  # fmt: skip
    old_rows = json.loads(OLD_SHARD_0)["rows"]
    for row, old in zip(rows[:2], old_rows, strict=True):
        assert row["quantity"] == old["measure"] and row["value"] == old["value"]
    for row, expected in zip(rows[2:], OLD_ITEM_1, strict=True):  # computed now, same numbers
        # counts and names exactly; floats within 1e-10 (the Kish size is now an exactly
        # rounded sum, which moved it by an ulp from what 0.1 wrote)
        assert {key: row[key] for key in expected} == {
            key: pytest.approx(value, rel=1e-10, abs=0) if isinstance(value, float) else value
            for key, value in expected.items()
        }


# ---------------------------------------------------------------------------
# reliability: no orphans, no unbounded waits, one-line errors


def _group(pgid: int) -> list[tuple[int, str]]:
    """Live (non-zombie) processes of the process group ``pgid``, from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _ppid, group = stat[stat.rindex(")") + 2 :].split()[:3]
        if int(group) == pgid and state != "Z":
            found.append((int(entry.name), state))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_sweep_leaves_no_worker_behind(tmp_path, signum):
    proc, out, err_path = _start_sweep(tmp_path, "--workers", "2")
    left = []
    try:
        assert len(_group(proc.pid)) >= 3, "the driver and its two workers are running"
        os.kill(proc.pid, signum)  # the driver only, as a job scheduler or kill would
        proc.wait(timeout=60)
        for _ in range(40):  # workers notice within half a second; allow 10 s
            left = _group(proc.pid)
            if not left:
                break
            time.sleep(0.25)
    finally:
        for pid, _ in _group(proc.pid):  # never leave them running, even when the test fails
            os.kill(pid, signal.SIGKILL)
    assert left == [], f"processes left behind: {left}"
    stored = SweepStore.open(out).scan()["ok"]
    assert stored, "finished items are kept"
    if signum == signal.SIGTERM:
        err = err_path.read_text()
        assert proc.returncode == 143 and err.count("\n") == 1 and "Traceback" not in err


@pytest.mark.parametrize("command", ["sweep", "plot"])
@pytest.mark.parametrize("where", ["file", "under_file", "proc"])
def test_an_unusable_out_is_refused_before_any_work(tmp_path, tiny_serial, capsys, command, where):
    afile = tmp_path / "afile"
    afile.write_text("x")
    out = {"file": afile, "under_file": afile / "sub", "proc": Path("/proc/skillgraph-out")}[where]
    spec_path = tmp_path / "tiny.toml"
    spec_path.write_text(TINY)
    args = [str(spec_path), "--workers", "1"] if command == "sweep" else [str(tiny_serial)]
    start = time.monotonic()
    status = cli_main([command, *args, "--out", str(out)])
    err = capsys.readouterr().err
    assert status == 4 and err.count("\n") == 1 and "--out" in err
    assert time.monotonic() - start < 5  # before any work
    assert afile.read_text() == "x"


def test_a_scheduler_where_nothing_listens_fails_fast(tmp_path, capsys):
    pytest.importorskip("distributed")
    import socket

    with socket.socket() as sock:  # bound, never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{sock.getsockname()[1]}"
        spec_path = tmp_path / "tiny.toml"
        spec_path.write_text(TINY)
        start = time.monotonic()
        status = cli_main(["sweep", str(spec_path), "--out", str(tmp_path / "o"),
                           "--scheduler", address])  # fmt: skip
    err = capsys.readouterr().err
    assert status == 2 and err.count("\n") == 1 and "no Dask scheduler answers" in err
    assert time.monotonic() - start < 10
    assert not (tmp_path / "o").exists()


def test_a_server_that_is_no_scheduler_times_out(tmp_path):
    """A listening server that never speaks Dask: the client alone would wait forever."""
    pytest.importorskip("distributed")
    import socket

    from skillgraph.sweep.executors import connect

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        start = time.monotonic()
        with pytest.raises(ConnectionError, match="no Dask scheduler answers"):
            connect(f"tcp://127.0.0.1:{server.getsockname()[1]}", timeout=1.0)
        assert time.monotonic() - start < 5


def test_a_running_scheduler_is_used(tiny_serial, tmp_path):
    distributed = pytest.importorskip("distributed")
    from skillgraph.sweep.executors import make_executor

    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    )
    try:
        with make_executor(scheduler=cluster.scheduler_address) as executor:
            run_sweep(parse_spec(TINY), tmp_path / "d", executor=executor, progress=False)
    finally:
        cluster.close()
    assert table_bytes(tmp_path / "d") == table_bytes(tiny_serial)


def test_dask_and_tornado_keep_quiet_while_a_cluster_runs():
    """Ctrl-C can land before distributed's sync() has made its future; its cancel callback
    then fails and tornado logs a traceback (seen in about one run in five of the test below).
    Both loggers are off while the sweep owns the cluster, and restored after."""
    import logging

    from skillgraph._executors import _quiet_dask

    loggers = [logging.getLogger(name) for name in ("distributed", "tornado.application")]
    assert all(logger.isEnabledFor(logging.ERROR) for logger in loggers)
    with _quiet_dask():
        assert not any(logger.isEnabledFor(logging.ERROR) for logger in loggers)
    assert all(logger.isEnabledFor(logging.ERROR) for logger in loggers)


@pytest.mark.slow
def test_ctrl_c_on_a_local_dask_cluster_prints_one_line(tmp_path):
    """Ctrl-C reaches the whole process group: the workers must not print tracebacks."""
    pytest.importorskip("distributed")
    proc, out, err_path = _start_sweep(tmp_path, "--dask-local", "2")
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=60)
        time.sleep(1)  # late writes of dying workers
    finally:
        for pid, _ in _group(proc.pid):
            os.kill(pid, signal.SIGKILL)
    err = err_path.read_text()
    assert proc.returncode == 130
    assert err.count("\n") == 1 and "Traceback" not in err, err


def _damage(store: Path) -> None:
    """Truncate one shard, copy in another sweep's shard, drop one, add a stray file."""
    shards = store / "shards"
    victim = shards / "item-0000003.json"
    victim.write_bytes(victim.read_bytes()[:200])
    (shards / "item-0000005.json").write_text(OLD_SHARD_0 + "\n")
    (shards / "item-0000007.json").unlink()
    (shards / "notes.txt").write_text("not a shard")


def test_plot_refuses_a_damaged_store_and_says_what_it_skips(tiny_serial, tmp_path, capsys):
    import shutil

    out = tmp_path / "damaged"
    shutil.copytree(tiny_serial, out)
    _damage(out)
    figs = tmp_path / "figs"
    assert cli_main(["plot", str(out), "--out", str(figs)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    for name in ("item-0000003.json", "item-0000005.json", "notes.txt", "--allow-damaged"):
        assert name in err
    assert not figs.exists()

    assert cli_main(["plot", str(out), "--out", str(figs), "--allow-damaged", "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["items"] == {"ok": 13, "error": 0, "corrupt": 2, "missing": 1}
    assert report["foreign"] == ["notes.txt"] and len(report["written"]) == 3
    assert "skipping 2 corrupt shard(s)" in captured.err
    assert "the figures show 13 of 16 items" in captured.err


@pytest.mark.parametrize(
    "tamper, fragment",
    [
        (lambda m: m.pop("n_items"), "field 'n_items'"),
        (lambda m: m.update(n_items=10**18), "n_items = 1,000,000,000,000,000,000"),
        (lambda m: m.update(n_items="16"), "field 'n_items'"),
        (lambda m: m.pop("spec_hash"), "field 'spec_hash'"),
        (lambda m: m.update(format=99), "not a skillgraph sweep manifest"),
    ],
)
def test_a_tampered_manifest_is_a_clear_error(tiny_serial, tmp_path, capsys, tamper, fragment):
    import shutil

    out = tmp_path / "tampered"
    shutil.copytree(tiny_serial, out)
    manifest = json.loads((out / "manifest.json").read_text())
    tamper(manifest)
    (out / "manifest.json").write_text(json.dumps(manifest))
    start = time.monotonic()
    assert cli_main(["plot", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and fragment in err, err
    assert time.monotonic() - start < 5
    # --resume rewrites a damaged manifest that still names this spec, and says so first;
    # one that does not name it is refused
    (tmp_path / "t.toml").write_text(TINY)
    code = cli_main(["sweep", str(tmp_path / "t.toml"), "--out", str(out), "--resume",
                     "--workers", "1", "--no-progress"])  # fmt: skip
    err = capsys.readouterr().err
    if "spec_hash" in manifest:
        assert code == 0 and fragment in err and "rewritten from the spec" in err, err
        assert table_bytes(out) == table_bytes(tiny_serial)
    else:
        assert code == 2 and err.count("\n") == 1 and "cannot repair" in err, err


def test_a_measurement_without_graph_runs_with_its_own_axes_as_columns(tmp_path):
    """Each item's value is a Binomial(1000, p) draw from the item's own seed."""
    from skillgraph.sweep import registry

    def probability(value):
        if not isinstance(value, float) or not 0 < value < 1:
            raise ValueError(f"must be a probability in (0, 1), got {value!r}")
        return value

    @registry.register_measurement("coin_flips", samples_graph=False,
                                   axes={"p": probability}, columns=("flips",))  # fmt: skip
    def coin_flips(ctx):
        rng = np.random.default_rng(ctx.seed_for("coin_flips"))
        heads = int(rng.binomial(1000, ctx.params["p"]))
        return [ctx.row("heads", flips=1000, value=heads / 1000)]

    try:
        text = 'seed = 8\nreplicates = 3\nmeasures = ["coin_flips"]\n[grid]\np = [0.2, 0.7]\n'
        spec = parse_spec(text)
        summary = run_sweep(spec, tmp_path / "c", progress=False)
    finally:
        registry.unregister_measurement("coin_flips")
    assert summary.ok and summary.rows == 6  # no graph: no failure-rate rows
    rows = read_table(tmp_path / "c" / "results.csv")
    header = (tmp_path / "c" / "results.csv").read_text().splitlines()[0].split(",")
    assert header.index("p") < header.index("quantity") < header.index("flips")
    for row in rows:  # 6 sigma of a Binomial(1000, p) / 1000
        assert abs(row["value"] - row["p"]) < 6 * (row["p"] * (1 - row["p"]) / 1000) ** 0.5
        assert row["n_skills"] is None and row["quantity"] == "heads"
    assert len({r["value"] for r in rows}) > 2  # each item has its own seed
