"""Tests of the induction-head testbed: data, model, gradients, measurements, learning, CLI."""

from __future__ import annotations

import argparse
import json
import math

import numpy as np
import pytest
from scipy import stats

from skillgraph.cli._common import EXIT_OUTPUT, CommandError
from skillgraph.mechanisms.induction import (
    InductionConfig,
    InductionDivergedError,
    induction_measurement,
    memory_probes,
    train_induction,
)
from skillgraph.mechanisms.induction.data import (
    in_context_mask,
    induction_task,
    token_statistics,
)
from skillgraph.mechanisms.induction.model import forward, init_model, loss_and_grads
from skillgraph.tables import read_table

#: a setting small enough for the default test run (a few seconds of training)
SMALL = dict(n_tokens=20, seq_len=32, dim=32, batch=16, n_triggers=2, eval_sequences=64)


# -- data ----------------------------------------------------------------------------------


@pytest.mark.parametrize("trigger_mode", ["fixed", "random"])
@pytest.mark.parametrize("output_mode", ["uniform", "non_trigger", "bigram"])
def test_token_after_a_trigger_is_its_output(trigger_mode, output_mode):
    task = induction_task(15, 40, 3, trigger_mode=trigger_mode, output_mode=output_mode,
                          ood_fraction=0.2, seed=3)
    batch = task.sample(50, seed=4)
    checked = 0
    for b in range(50):
        successor = dict(zip(batch.triggers[b].tolist(), batch.outputs[b].tolist(), strict=True))
        assert len(successor) == 3  # distinct triggers
        for t in range(39):
            if batch.tokens[b, t] in successor:
                assert batch.tokens[b, t + 1] == successor[batch.tokens[b, t]]
                assert batch.after_trigger[b, t + 1]
                checked += 1
            else:
                assert not batch.after_trigger[b, t + 1]
    assert checked > 100
    assert not np.isin(batch.outputs, task.held_out).any()
    assert not np.isin(batch.triggers, task.held_out).any()
    if output_mode == "non_trigger":
        assert not (batch.outputs[:, :, None] == batch.triggers[:, None, :]).any()
    ood = task.sample(20, seed=5, held_out=True)
    assert np.isin(ood.outputs, task.held_out).all()


def test_fixed_triggers_are_the_most_frequent_tokens():
    task = induction_task(30, 8, 4, seed=0)
    top = sorted(range(30), key=lambda i: -task.statistics.unigram[i])[:4]
    batch = task.sample(6, seed=1)
    assert (np.sort(batch.triggers, axis=1) == np.sort(top)).all()


@pytest.mark.parametrize(
    "tokens, triggers, expected",
    [
        # the second occurrence of 3 makes the next position in-context, also for the third
        ([3, 1, 3, 2, 3, 2], [3], [0, 0, 0, 1, 0, 1]),
        # a trigger seen before only as an output still counts as seen
        ([5, 4, 4, 9, 4, 9], [4], [0, 0, 0, 1, 0, 1]),
        # two triggers; the first occurrence of each is not in-context
        ([1, 7, 2, 8, 1, 7, 2, 8], [1, 2], [0, 0, 0, 0, 0, 1, 0, 1]),
        # a self-loop: every position after the second occurrence is in-context
        ([6, 6, 6, 6], [6], [0, 0, 1, 1]),
        # no trigger at all
        ([0, 1, 2, 3], [9], [0, 0, 0, 0]),
    ],
)
def test_in_context_mask_on_hand_built_sequences(tokens, triggers, expected):
    mask = in_context_mask(np.array([tokens]), np.array([triggers]))
    assert mask.astype(int).tolist() == [expected]


def test_first_token_follows_the_unigram():
    # chi-square goodness of fit at a fixed seed; 2e4 draws, every expected count > 150
    task = induction_task(20, 2, 1, seed=11)
    batch = task.sample(20_000, seed=12)
    counts = np.bincount(batch.tokens[:, 0], minlength=20)
    expected = 20_000 * task.statistics.unigram
    assert expected.min() > 150
    assert stats.chisquare(counts, expected).pvalue > 1e-3


def test_bigram_transitions_follow_the_rows():
    # transitions out of the most frequent non-trigger token, pooled over positions
    task = induction_task(12, 64, 1, seed=21)
    batch = task.sample(400, seed=22)
    source = int(np.argsort(-task.statistics.unigram)[1])
    prev, nxt = batch.tokens[:, :-1].ravel(), batch.tokens[:, 1:].ravel()
    counts = np.bincount(nxt[prev == source], minlength=12)
    expected = counts.sum() * task.statistics.bigram[source]
    keep = expected >= 5  # pool the rare successors into one cell
    observed = np.append(counts[keep], counts[~keep].sum())
    expected = np.append(expected[keep], expected[~keep].sum())
    if not (~keep).any():
        observed, expected = observed[:-1], expected[:-1]
    assert stats.chisquare(observed, expected).pvalue > 1e-3


def test_statistics_are_a_permuted_zipf_law_with_stochastic_rows():
    s = token_statistics(40, zipf_exponent=1.1, seed=5)
    ranks = np.arange(1, 41) ** -1.1
    np.testing.assert_allclose(np.sort(s.unigram), np.sort(ranks / ranks.sum()), rtol=1e-12)
    np.testing.assert_allclose(s.bigram.sum(axis=1), 1.0, rtol=1e-12)
    assert not np.array_equal(np.argsort(-s.unigram), np.arange(40))  # permuted
    # Dirichlet(c pi_u) rows have mean pi_u: the average row is close to the unigram
    big = token_statistics(40, concentration=40.0, seed=6)
    assert np.abs(big.bigram.mean(axis=0) - big.unigram).max() < 0.03


def test_same_seed_same_data():
    a = induction_task(20, 16, 2, trigger_mode="random", seed=7).sample(5, seed=8)
    b = induction_task(20, 16, 2, trigger_mode="random", seed=7).sample(5, seed=8)
    assert np.array_equal(a.tokens, b.tokens) and np.array_equal(a.outputs, b.outputs)


def test_shortcut_baselines_on_a_hand_built_sequence():
    from skillgraph.mechanisms.induction.data import InductionBatch
    from skillgraph.mechanisms.induction.probes import _most_frequent_so_far

    tokens = np.array([[2, 2, 0, 1, 1, 1, 0]])
    batch = InductionBatch(tokens, np.array([[0]]), np.array([[1]]),
                           np.zeros_like(tokens, bool), np.zeros_like(tokens, bool))
    # counts of non-triggers up to t: {2:1}, {2:2}, {2:2}, {2:2,1:1}, {2:2,1:2} (tie: the
    # smaller id), {2:2,1:3}
    assert _most_frequent_so_far(batch, 3).tolist() == [[2, 2, 2, 2, 1, 1]]


# -- model ---------------------------------------------------------------------------------


def _naive_logits(model, params, tokens):
    """The model's equations position by position, with the unfolded matrices."""
    d = model.dim
    out = []
    for seq in tokens:
        x = model.embeddings[seq] + model.positions[: len(seq)]
        h1 = np.empty_like(x)
        for t in range(len(seq)):
            s = np.array([x[t] @ params["W_K1"] @ x[u] for u in range(t + 1)]) / np.sqrt(d)
            a = np.exp(s - s.max()) / np.exp(s - s.max()).sum()
            h1[t] = x[t] + model.ov1 @ (a @ x[: t + 1])
        logits = []
        for t in range(len(seq)):
            s = np.array([h1[t] @ params["W_K2"] @ h1[u] for u in range(t + 1)]) / np.sqrt(d)
            a = np.exp(s - s.max()) / np.exp(s - s.max()).sum()
            h2 = h1[t] + params["W_O2"] @ model.v2 @ (a @ h1[: t + 1])
            h3 = h2 + params["W_F"] @ h2 if model.final_layer else h2
            logits.append(model.unembedding @ h3)
        out.append(logits)
    return np.array(out)


def _random_params(model, seed, scale=0.3):
    rng = np.random.default_rng(seed)
    return {name: rng.standard_normal((model.dim, model.dim)) * scale for name in model.trainable}


@pytest.mark.parametrize("final_layer", [True, False])
def test_forward_matches_the_equations(final_layer):
    model = init_model(9, 7, 5, final_layer=final_layer, seed=1, dtype=np.float64)
    params = _random_params(model, 2)
    tokens = np.random.default_rng(3).integers(0, 9, size=(2, 7))
    np.testing.assert_allclose(forward(model, params, tokens).logits,
                               _naive_logits(model, params, tokens), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("final_layer", [True, False])
def test_gradients_match_finite_differences(final_layer):
    model = init_model(11, 9, 6, final_layer=final_layer, seed=4, dtype=np.float64)
    params = _random_params(model, 5)
    rng = np.random.default_rng(6)
    tokens = rng.integers(0, 11, size=(3, 9))
    weights = rng.random((3, 8)) / 24
    _, grads, _, _ = loss_and_grads(model, params, tokens, weights)
    eps = 1e-6
    for name in model.trainable:
        numeric = np.zeros_like(params[name])
        for idx in np.ndindex(numeric.shape):
            values = []
            for sign in (1, -1):
                shifted = {k: v.copy() for k, v in params.items()}
                shifted[name][idx] += sign * eps
                values.append(loss_and_grads(model, shifted, tokens, weights)[0])
            numeric[idx] = (values[0] - values[1]) / (2 * eps)
        error = np.linalg.norm(numeric - grads[name]) / np.linalg.norm(numeric)
        assert error < 1e-6, (name, error)


def test_loss_is_the_weighted_cross_entropy():
    model = init_model(6, 5, 4, seed=0, dtype=np.float64)
    params = _random_params(model, 1)
    tokens = np.array([[0, 3, 2, 5, 1]])
    weights = np.array([[0.1, 0.2, 0.3, 0.4]])
    loss = loss_and_grads(model, params, tokens, weights)[0]
    logits = _naive_logits(model, params, tokens)[0]
    log_p = [logits[t, tokens[0, t + 1]] - np.log(np.exp(logits[t]).sum()) for t in range(4)]
    assert loss == pytest.approx(-np.dot(weights[0], log_p), rel=1e-12)


def test_probes_recall_planted_memories():
    # matrices built by pseudo-inverses so that each probe sees a perfect (or an anti-)memory
    model = init_model(6, 8, 16, seed=2, dtype=np.float64)
    e, p, u = model.embeddings, model.positions, model.unembedding
    shift = np.eye(8, k=-1)  # row t has its 1 at column t - 1
    planted = {
        "W_O2": np.linalg.pinv(u) @ np.linalg.pinv(model.v2 @ e.T),
        "W_K2": np.linalg.pinv(e) @ np.linalg.pinv(model.ov1 @ e.T),
        "W_K1": np.linalg.pinv(p) @ shift @ np.linalg.pinv(p.T),
        "W_F": np.zeros((16, 16)),
    }
    assert memory_probes(model, planted) == {"W_O2": 1.0, "W_K2": 1.0, "W_K1": 1.0}
    anti = {k: -v for k, v in planted.items()}
    probes = memory_probes(model, anti)
    assert probes["W_O2"] == 0.0 and probes["W_K2"] == 0.0
    assert probes["W_K1"] == 0.0
    # zero matrices (the initialisation) tie everywhere: a tie is a miss
    zero = {k: 0 * v for k, v in planted.items()}
    assert memory_probes(model, zero) == {"W_O2": 0.0, "W_K2": 0.0, "W_K1": 0.0}
    # the tokens arguments restrict the recall to a subset: token 2 recalled, the others
    # anti-recalled (U W_O2 V2 E' = diag(-1, -1, 1, -1, -1, -1))
    sign = -np.ones(6)
    sign[2] = 1.0
    e2 = np.linalg.pinv(u) @ np.diag(sign) @ np.linalg.pinv(model.v2 @ e.T)
    only_two = {**planted, "W_O2": e2}
    assert memory_probes(model, only_two)["W_O2"] == pytest.approx(1 / 6)
    assert memory_probes(model, only_two, outputs=[2])["W_O2"] == 1.0
    assert memory_probes(model, only_two, outputs=[1, 2, 3, 4])["W_O2"] == 0.25


# -- training ------------------------------------------------------------------------------


def test_small_setting_learns_the_induction_head():
    # measured at seed 0: accuracy 0.86 against shortcuts 0.26 and 0.44; attention 0.26
    # against 0.099 uniform (the reference setting reaches 5x: see the slow tests)
    run = train_induction(**SMALL, steps=300, lr=0.1, log_every=20, seed=0)
    s = run.summary()
    shortcut = max(s["copy_baseline_accuracy"], s["frequency_baseline_accuracy"])
    assert s["final_in_context_accuracy"] >= shortcut + 0.3
    assert s["final_previous_token_attention"] >= 2 * s["uniform_previous_token_attention"]
    assert s["transition_step"] is not None


def test_run_is_reproducible_and_the_table_is_tidy(tmp_path):
    from skillgraph.tables import write_table

    a = train_induction(**SMALL, steps=6, log_every=3, seed=9)
    b = train_induction(**SMALL, steps=6, log_every=3, seed=9)
    assert a.steps.tolist() == [0, 3, 6]
    assert a.probe_steps.tolist() == list(range(7))
    for name in a.curves:
        np.testing.assert_array_equal(a.curves[name], b.curves[name])
    rows = a.rows()
    path = write_table(tmp_path / "t.csv", rows, a.columns)
    back = read_table(path)
    assert len(back) == len(rows)
    assert {"step", "quantity", "value", "ci_low", "ci_high", "seed", "n_triggers", "lr"} <= set(
        back[0]
    )
    assert all(math.isnan(r["ci_low"]) for r in back)
    quantities = {r["quantity"] for r in back}
    assert {"bigram_loss", "bigram_entropy", "in_context_accuracy", "copy_baseline_accuracy",
            "frequency_baseline_accuracy", "previous_token_attention", "recall_W_K1",
            "ood_in_context_accuracy"} <= quantities


def test_summary_is_computed_from_the_curves():
    run = train_induction(**SMALL, steps=40, log_every=10, seed=1)
    s = run.summary()
    acc = run.curves["in_context_accuracy"]
    crossing = [int(t) for t, a in zip(run.steps, acc, strict=True) if a >= 0.5]
    assert s["transition_step"] == (crossing[0] if crossing else None)
    for name, values in run.probes.items():
        half = np.flatnonzero(values >= 0.5 * values[-1])[0]
        assert s["memory_steps"][name] == int(run.probe_steps[half])
    assert sorted(s["memory_order"]) == ["W_K1", "W_K2", "W_O2"]
    json.dumps(s)  # JSON-ready


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_triggers": 70}, "n_triggers"),
        ({"seq_len": 1}, "seq_len"),
        ({"dim": 0}, "dim"),
        ({"lr": -1.0}, "lr"),
        ({"trigger_mode": "sometimes"}, "trigger_mode"),
        ({"ood_fraction": 0.99}, "ood_fraction"),
    ],
)
def test_bad_input_is_refused_before_work(kwargs, match):
    with pytest.raises(ValueError, match=match):
        InductionConfig(**kwargs)


def test_bad_input_to_the_builders():
    with pytest.raises(ValueError, match="n_triggers"):
        induction_task(10, 8, 11)
    with pytest.raises(ValueError, match="seq_len"):
        induction_task(10, 1, 2)
    with pytest.raises(ValueError, match="dim"):
        init_model(10, 8, 0)


def test_divergence_names_the_step_and_keeps_the_log(tmp_path):
    from skillgraph.mechanisms.induction import run as run_induction
    from skillgraph.mechanisms.induction import write_diverged

    with pytest.raises(InductionDivergedError, match=r"step \d+") as info:
        run_induction(InductionConfig(**SMALL, steps=50, log_every=1, lr=1e4))
    step = info.value.step
    run = info.value.run
    assert run.diverged_at == step and 1 <= step <= 50
    assert run.steps[-1] == step - 1 and np.isfinite(run.curves["bigram_loss"]).all()
    error = write_diverged(info.value, tmp_path)
    assert str(tmp_path) in str(error) and error.step == step
    rows = read_table(tmp_path / "results.csv")
    assert max(r["step"] for r in rows) == step - 1
    assert json.loads((tmp_path / "summary.json").read_text())["diverged_at"] == step


# -- pipeline, CLI, sweep ------------------------------------------------------------------


def _cli_parser():
    from skillgraph.cli import induction as command

    parser = argparse.ArgumentParser(prog="skillgraph")
    command.add_parser(parser.add_subparsers(dest="command"))
    return parser


def test_cli_writes_files_and_json(tmp_path, capsys):
    out = tmp_path / "out"
    args = _cli_parser().parse_args(
        ["induction", "--out", str(out), "--json", "--steps", "4", "--dim", "8", "--seq-len",
         "16", "--batch", "4", "--triggers", "2", "--seed", "3", "--no-progress"]
    )
    assert args.func(args) == 0
    summary = json.loads(capsys.readouterr().out)
    for key in ("bigram_entropy", "final_bigram_loss", "final_in_context_accuracy",
                "copy_baseline_accuracy", "frequency_baseline_accuracy",
                "final_previous_token_attention", "transition_step", "memory_order",
                "memory_steps"):
        assert key in summary
    assert summary["config"]["dim"] == 8 and summary["seed"] == 3
    assert sorted(p.name for p in out.iterdir() if p.name != ".skillgraph-run") == sorted(
        ["results.csv", "induction.png", "summary.md", "summary.json"]
    )
    assert "Memories formed" in (out / "summary.md").read_text()


def test_cli_refuses_bad_options_before_work(tmp_path):
    out = tmp_path / "never"
    args = _cli_parser().parse_args(["induction", "--out", str(out), "--triggers", "70"])
    with pytest.raises(ValueError, match="n_triggers"):
        args.func(args)
    assert not out.exists()
    blocker = tmp_path / "file"
    blocker.write_text("")
    args = _cli_parser().parse_args(["induction", "--out", str(blocker), "--steps", "1"])
    with pytest.raises(CommandError, match="directory") as info:
        args.func(args)
    assert info.value.exit_code == EXIT_OUTPUT


def test_sweep_measurement_rows():
    item = {**SMALL, "steps": 4}
    rows = induction_measurement(item, seed=2)
    quantities = {r["quantity"] for r in rows}
    assert {"final_in_context_accuracy", "transition_step", "memory_rank_W_O2"} <= quantities
    assert all(r["seed"] == 2 and r["n_triggers"] == 2 for r in rows)
    with pytest.raises(ValueError, match="unknown"):
        induction_measurement({"n_skills": 3}, seed=0)


def test_train_induction_refuses_a_config_of_another_kind():
    with pytest.raises(TypeError, match="config must be an InductionConfig or None, got dict"):
        train_induction({"steps": 4})


# -- learning on the defaults (slow) -------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_reference_run_learns_both_skills_top_down(seed):
    s = train_induction(seed=seed).summary()
    shortcut = max(s["copy_baseline_accuracy"], s["frequency_baseline_accuracy"])
    assert s["final_in_context_accuracy"] >= shortcut + 0.3
    assert s["final_bigram_loss"] <= s["bigram_entropy"] + 0.35
    assert s["final_previous_token_attention"] >= 5 * s["uniform_previous_token_attention"]
    assert s["memory_order"] == ["W_O2", "W_K2", "W_K1"]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_paper_order_preset_learns_bigrams_first(seed):
    run = train_induction(InductionConfig.from_preset("paper_order", seed=seed))
    bigram, transition = run.bigram_step(), run.transition_step()
    assert bigram is not None and transition is not None
    assert bigram < transition
