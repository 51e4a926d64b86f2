"""The mechanisms on the sweep engine: the specs of sims/, one worker against two, the rows.

Each spec of ``sims/`` (memory, superposition, induction) is validated and
expanded as written, then run at tiny settings (the same file with a few
values overridden) with one worker, two worker processes and, when installed,
a local Dask cluster: the tables must be identical byte for byte.  The rows
are checked against independent computations where one exists (the memory's
capacity and data terms from their sums, task competences from the item's
graph counted edge by edge) and against the mechanisms' invariants otherwise.
"""

from __future__ import annotations

import copy
import itertools
import math
import sys
from pathlib import Path

import numpy as np
import pytest

from skillgraph.sweep.context import item_context
from skillgraph.sweep.executors import ProcessExecutor
from skillgraph.sweep.runner import run_sweep
from skillgraph.sweep.spec import SpecError, SweepTooLarge, expand, load_spec, validate_spec
from skillgraph.tables import read_table

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SIMS = Path(__file__).resolve().parents[1] / "sims"

#: tiny settings of each sims spec: {table: {key: value}} replacing the file's values
TINY = {
    "memory": {
        "memory": {"d": [8, 64, 256], "trials": 3},
        "grid": {"scheme": ["threshold", "all"], "T": ["population", 300],
                 "n_inputs": 200, "zipf_exponent": [2.0]},
    },
    "superposition": {
        "replicates": 2,
        "grid": {"n_skills": 40, "n_texts": 400, "k": 3, "failure": ["random"]},
        "scale": {"compute": [1e22, 1e24]},
        "superposition": {"lam": ["uniform:3", "0.5,0.3,0.2"], "n_examples": [60],
                          "n_prompts": 50, "n_distractors": 100},
    },
    "induction": {
        "grid": {"n_triggers": [1, 2], "trigger_mode": ["fixed", "random"], "n_tokens": 12,
                 "seq_len": 16, "dim": 16, "batch": 8, "steps": 20, "log_every": 5,
                 "eval_sequences": 8},
    },
}  # fmt: skip


def raw_spec(name: str) -> dict:
    return tomllib.loads((SIMS / f"{name}.toml").read_text(encoding="utf-8"))


def tiny_spec(name: str):
    raw = raw_spec(name)
    for table, values in TINY[name].items():
        if isinstance(values, dict):
            raw[table] = {**raw.get(table, {}), **copy.deepcopy(values)}
        else:
            raw[table] = values
    return validate_spec(raw)


def table_bytes(out: Path) -> bytes:
    return (out / "results.csv").read_bytes()


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> dict[str, Path]:
    """Each tiny spec run with one worker (this process)."""
    outs = {}
    for name in TINY:
        out = tmp_path_factory.mktemp(name) / "serial"
        summary = run_sweep(tiny_spec(name), out, progress=False)
        assert summary.ok and summary.computed == summary.n_items, summary.report()
        outs[name] = out
    return outs


def quantities(out: Path) -> set[str]:
    return {row["quantity"] for row in read_table(out / "results.csv")}


# ---------------------------------------------------------------------------
# the specs as written


@pytest.mark.parametrize(
    ("name", "n_items"),
    [("memory", 3 * 5 * 3), ("superposition", 6 * 2 * 3), ("induction", 3 * 2)],
)
def test_the_sims_spec_is_valid_and_expands(name, n_items):
    spec = load_spec(SIMS / f"{name}.toml")
    assert "# DRAFT" not in (SIMS / f"{name}.toml").read_text()
    items = expand(spec)
    assert len(items) == n_items
    assert [item.index for item in items] == list(range(n_items))
    assert spec.data["measurements"] == [name]


# ---------------------------------------------------------------------------
# one worker, two workers, Dask


def test_two_workers_give_the_table_of_one(serial, tmp_path):
    with ProcessExecutor(2) as executor:
        for name in TINY:
            out = tmp_path / name
            summary = run_sweep(tiny_spec(name), out, executor=executor, progress=False)
            assert summary.ok, summary.report()
            assert table_bytes(out) == table_bytes(serial[name]), name


def test_a_local_dask_cluster_gives_the_table_of_one(serial, tmp_path):
    pytest.importorskip("distributed")
    from skillgraph.sweep.executors import make_executor

    with make_executor(dask_local=2) as executor:
        for name in ("memory", "superposition"):  # the induction items are the same code path
            out = tmp_path / name
            assert run_sweep(tiny_spec(name), out, executor=executor, progress=False).ok
            assert table_bytes(out) == table_bytes(serial[name]), name


# ---------------------------------------------------------------------------
# the rows


def zipf(n: int, a: float) -> np.ndarray:
    w = np.array([(x + 1.0) ** -a for x in range(n)])
    return w / w.sum()


def test_memory_rows_carry_the_error_and_the_exact_terms(serial):
    rows = read_table(serial["memory"] / "results.csv")
    assert quantities(serial["memory"]) == {
        "memory_error", "capacity_term", "analytic_error", "data_term"
    }  # fmt: skip
    p = zipf(200, 2.0)
    for row in rows:
        assert row["n_skills"] is None  # no skill graph
        assert row["source"] == "memory"  # no failure model either: the mechanism's name
        if row["quantity"] == "capacity_term":  # (1 - 1/M) * p-mass beyond P = d / kappa
            stored = min(int(row["d"] // 8), 200)
            assert row["value"] == pytest.approx(0.8 * sum(p[stored:]), rel=1e-12)
        elif row["quantity"] == "data_term":  # p-mass of the inputs 300 samples never show
            assert row["T"] == 300 and row["d"] is None
            assert row["value"] == pytest.approx(sum(p * (1 - p) ** 300), rel=1e-9)
        elif row["quantity"] == "memory_error":
            assert row["n"] == 3 and row["d"] in (8, 64, 256)
            assert 0 <= row["value"] <= 1  # a t-interval over 3 trials may leave [0, 1]
            assert row["ci_low"] <= row["value"] <= row["ci_high"]
    # thresholding at the population: the error never falls much below the capacity term
    by_key = {(r["item"], r["d"], r["quantity"]): r for r in rows if r["T"] == "population"}
    for (item, d, quantity), row in by_key.items():
        if quantity == "capacity_term":
            assert by_key[(item, d, "memory_error")]["ci_high"] >= row["value"] - 0.02


def edge_competences(ctx) -> np.ndarray:
    """Per-skill competence counted slot by slot from the item's graph and failure set."""
    graph, degree, failed = ctx.graph, np.zeros(ctx.graph.n_skills), np.zeros(ctx.graph.n_skills)
    for text in range(graph.n_texts):
        for slot in range(graph.text_indptr[text], graph.text_indptr[text + 1]):
            skill = graph.text_indices[slot]
            degree[skill] += 1
            failed[skill] += bool(ctx.failed[text])
    used = degree > 0
    return 1 - failed[used] / degree[used]


def test_superposition_rows_use_the_items_graph_and_failures(serial):
    rows = read_table(serial["superposition"] / "results.csv")
    assert quantities(serial["superposition"]) == {
        "failure_rate", "kl", "tasks_in_parallel", "sorted_mean_prob", "task_competence"
    }  # fmt: skip
    items = expand(tiny_spec("superposition"))
    for item in items:
        mine = [r for r in rows if r["item"] == item.index and r["quantity"] != "failure_rate"]
        competences = edge_competences(item_context(item))
        products = {1: competences, 2: np.outer(competences, competences).ravel()}
        for (t, lam), group in itertools.groupby(mine, key=lambda r: (r["t"], r["lam"])):
            group = list(group)
            n_tasks = 3
            # per readout: kl, tasks_in_parallel, one sorted_mean_prob per rank; one competence
            # per task
            assert len(group) == 3 * (2 + n_tasks) + n_tasks, (t, lam)
            for row in group:
                assert row["source"] == row["failure"]  # on the item's failure set
                if row["quantity"] == "task_competence":  # a product of t skill competences
                    assert np.min(np.abs(products[t] - row["value"])) < 1e-12
                elif row["quantity"] == "tasks_in_parallel":
                    assert 0 <= row["value"] <= n_tasks and row["n"] == 50
                elif row["quantity"] == "kl":
                    assert row["value"] >= 0
            for readout in ("mixture", "single", "softmax"):
                means = [
                    r["value"]
                    for r in group
                    if r["quantity"] == "sorted_mean_prob" and r["readout"] == readout
                ]
                assert means == sorted(means, reverse=True) and sum(means) <= 1 + 1e-9
    assert {r["lam"] for r in rows} >= {"uniform:3", "0.5,0.3,0.2"}  # as the spec writes it


def test_induction_rows_report_the_training_run(serial):
    from skillgraph.mechanisms.induction import MEMORIES, SWEEP_QUANTITIES

    rows = read_table(serial["induction"] / "results.csv")
    memory = {f"memory_{kind}_{m}" for kind in ("step", "rank") for m in MEMORIES}
    assert quantities(serial["induction"]) == set(SWEEP_QUANTITIES) | memory
    assert len(rows) == 4 * len(set(SWEEP_QUANTITIES) | memory)
    for item in range(4):
        mine = {r["quantity"]: r["value"] for r in rows if r["item"] == item}
        assert {r["source"] for r in rows if r["item"] == item} == {"induction"}
        assert sorted(mine[f"memory_rank_{m}"] for m in MEMORIES) == [0, 1, 2]
        assert 0 <= mine["final_in_context_accuracy"] <= 1
        step = mine["transition_step"]  # logged every 5 steps, or never reached
        assert math.isnan(step) or (step % 5 == 0 and 0 <= step <= 20)
    assert {(r["n_triggers"], r["trigger_mode"]) for r in rows} == {
        (1, "fixed"), (1, "random"), (2, "fixed"), (2, "random")
    }  # fmt: skip


def test_replicates_draw_their_own_numbers(serial):
    rows = read_table(serial["superposition"] / "results.csv")
    kl = {}
    for r in rows:
        if r["quantity"] == "kl":
            kl.setdefault((r["compute"], r["t"], r["lam"], r["readout"]), set()).add(r["value"])
    assert all(len(values) == 2 for values in kl.values())


# ---------------------------------------------------------------------------
# refusals, before any work


def refusal(name: str, **tables) -> SpecError:
    raw = raw_spec(name)
    for table, values in tables.items():
        raw[table] = {**raw.get(table, {}), **values}
    with pytest.raises(SpecError) as info:
        validate_spec(raw)
    return info.value


@pytest.mark.parametrize(
    ("name", "tables", "path", "fragment"),
    [
        ("memory", {"grid": {"kappa": [8, 4096]}}, "grid.kappa", "kappa = 4096"),
        ("memory", {"grid": {"T": ["all"]}}, "grid.T[0]", "'population'"),
        ("memory", {"memory": {"d": [8, 8]}}, "memory", "repeats"),
        ("memory", {"memory": {"size": 3}}, "memory", "unknown keys ['size']"),
        ("memory", {"grid": {"n_skills": 10}}, "grid.n_skills", "unknown key"),
        ("superposition", {"superposition": {"lam": [[0.5, 0.5]]}}, "superposition",
         "must be a string"),
        ("superposition", {"superposition": {"t": 2}}, "superposition", "grid.t"),
        ("superposition", {"superposition": {"noise": 0.9}}, "superposition", "noise"),
        ("superposition", {"grid": {"n_skills": 3, "t": [2]}}, "grid.t", "C(3, 2) = 3"),
        ("induction", {"grid": {"n_triggers": [1, 80]}}, "grid.n_triggers", "80"),
        ("induction", {"grid": {"preset": "fast"}}, "grid.preset", "'paper_order'"),
        ("induction", {"grid": {"dim": 1.5}}, "grid.dim", "integer"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_naming_the_key(name, tables, path, fragment):
    problems = dict(refusal(name, **tables).problems)
    assert path in problems, problems
    assert fragment in problems[path], problems[path]


def test_work_that_cannot_finish_is_refused_with_an_estimate():
    raw = raw_spec("induction")
    raw["grid"] |= {"steps": 10**8, "dim": 256, "seq_len": 128}
    with pytest.raises(SweepTooLarge, match="work item"):
        validate_spec(raw)
    raw = raw_spec("memory")
    raw["grid"]["n_inputs"] = 10**7
    raw["memory"]["d"] = [8, 10**6]
    with pytest.raises(SweepTooLarge):
        validate_spec(raw)
