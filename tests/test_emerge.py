"""Tests for skillgraph.emergence and ``skillgraph emerge``.

The mathematics: docs/theory/loss_to_theta.rst, theorem1.rst, tuples.rst,
failure_models.rst.  Reference values are computed here independently: the
Chinchilla law and its compute-optimal split from the published constants
(docs/theory/loss_to_theta.rst), ``alpha_star`` by
bisection on the KL condition in mpmath, the Wilson interval by scipy's
``binomtest``.
"""

from __future__ import annotations

import csv
import dataclasses
import math
import re
import warnings

import matplotlib.image as mpimg
import mpmath as mp
import numpy as np
import pytest
from scipy.stats import binomtest

import skillgraph as sg
from skillgraph.cli import main as cli_main
from skillgraph.core import competence, failures
from skillgraph.core.intervals import replicate_interval
from skillgraph.core.sampling import sample_graph
from skillgraph.emergence import (
    COLUMNS,
    REPLICATE_COLUMNS,
    EmergeConfig,
    run_emerge,
    scale_grid,
    write_outputs,
)
from skillgraph.plotting.style import COLUMN_WIDTH, DPI
from skillgraph.tables import read_table

# Chinchilla approach 3 (Hoffmann et al., arXiv 2203.15556; docs/theory/loss_to_theta.rst)
E, A, B, A_EXP, B_EXP = 1.69, 406.4, 410.7, 0.34, 0.28
N_REF, D_REF = 70e9, 1.4e12

TINY = dict(
    compute=(1e20, 1e28),
    n_skills=150,
    n_texts=3000,
    replicates=2,
    bound_points=17,
    sim_points=5,
    n_tuples=2000,
    tuples=(1, 2, 4),
    betas=(0.3, 0.5),
)


def chinchilla_excess(n, d):
    return A / n**A_EXP + B / d**B_EXP


def chinchilla_optimal(c):
    g = (A_EXP * A / (B_EXP * B)) ** (1 / (A_EXP + B_EXP))
    n = g * (c / 6) ** (B_EXP / (A_EXP + B_EXP))
    return n, c / (6 * n)


def mp_alpha_star(theta, beta, k):
    """Smallest alpha in (0, min(theta/beta, 1)] with H(theta) < k theta KL(q || alpha).

    Here q = beta alpha / theta (docs/theory/theorem1.rst, KL form).

    Bisection in mpmath on the up-interval of docs/theory/theorem1.rst (the property that
    the condition holds on an up-interval is tested in test_bounds).
    """
    with mp.workdps(40):
        theta, beta = mp.mpf(theta), mp.mpf(beta)

        def h(p):
            return -p * mp.log(p) - (1 - p) * mp.log(1 - p)

        def holds(a):
            q = beta * a / theta
            kl = (
                q * mp.log(q / a) + (1 - q) * mp.log((1 - q) / (1 - a))
                if q < 1
                else q * mp.log(q / a)
            )
            return h(theta) < k * theta * kl

        top = min(theta / beta, mp.mpf(1))
        if top >= 1 or not holds(top):
            return float(top)
        lo, hi = mp.mpf(0), top
        for _ in range(200):
            mid = (lo + hi) / 2
            if holds(mid):
                hi = mid
            else:
                lo = mid
        return float(hi)


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("emerge")
    result = run_emerge(EmergeConfig(**TINY))
    written = write_outputs(result, out)
    return result, out, written


def read_csv(path):
    with open(path, newline="") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


def test_files_exist_and_images_have_column_size(tiny_run):
    result, out, written = tiny_run
    names = {p.name for p in written}
    for name in (
        "emergence.png",
        "emergence.pdf",
        "performance_curves.png",
        "slingshot.png",
        "results.csv",
        "summary.md",
    ):
        assert name in names
        assert (out / name).stat().st_size > 0
    # one journal column at 300 dpi; the emergence figure has one column per beta
    widths = {"emergence.png": len(TINY["betas"]), "performance_curves.png": 1, "slingshot.png": 1}
    for name, columns in widths.items():
        img = mpimg.imread(out / name)
        assert img.ndim == 3
        assert img.shape[1] == round(columns * COLUMN_WIDTH * DPI)
        assert 0.4 * COLUMN_WIDTH * DPI < img.shape[0] < 3 * COLUMN_WIDTH * DPI
    assert (out / "emergence.pdf").read_bytes().startswith(b"%PDF")
    summary = (out / "summary.md").read_text()
    assert result.headline.splitlines()[0] in summary


def test_table_columns_and_no_nan_where_numbers_expected(tiny_run):
    _, out, _ = tiny_run
    header, rows = read_csv(out / "results.csv")
    assert tuple(header) == COLUMNS
    quantities = {r["quantity"] for r in rows}
    assert quantities == {"tuple_fraction", "performance_curve", "slingshot"}
    always = ("value", "theta", "beta", "k", "t", "n_skills", "n_texts", "seed", "theta_ref")
    for r in rows:
        for name in always:
            assert r[name] != "" and math.isfinite(float(r[name])), (name, r)
        assert r["law"] == "chinchilla" and r["mapping"] == "anchored"
        assert 0.0 <= float(r["value"]) <= 1.0
        if r["quantity"] == "tuple_fraction":
            for name in ("compute", "params", "tokens", "excess_loss", "competence_level"):
                assert math.isfinite(float(r[name])), (name, r)
            if r["source"] in ("random", "deficit"):  # simulated: a mean and its interval
                lo, hi, v = float(r["ci_low"]), float(r["ci_high"]), float(r["value"])
                assert lo <= v <= hi
                assert int(r["n_replicates"]) == TINY["replicates"]
            else:  # from the bounds: no interval
                assert r["ci_low"] == "nan" and r["n_replicates"] == "nan"
    sources = {r["source"] for r in rows if r["quantity"] == "tuple_fraction"}
    assert {"bound", "random", "deficit"} <= sources


def test_summary_shows_every_beta_aligned_and_no_negative_zero(tiny_run):
    result, out, _ = tiny_run
    for text in (result.summary, (out / "summary.md").read_text()):
        for beta in TINY["betas"]:
            assert f"(beta={beta:g}, k=8)" in text
        assert "-0.00" not in text
    # plain text: within each table, every value column ends at the same character
    for block in result.summary.split("\n\n"):
        rows = block.splitlines()[1:]
        assert len({len(r) for r in rows}) == 1, rows
        starts = {tuple(m.start() for m in re.finditer(r"\d\.\d\d|n/a", r)) for r in rows[1:]}
        assert len(starts) == 1, rows
    fractions = [r["value"] for r in result.rows if r["quantity"] == "tuple_fraction"]
    assert min(fractions) >= 0.0  # an exact tuple fraction above 1 by round-off is clipped


def test_guaranteed_fraction_never_decreases_with_scale(tiny_run):
    result, _, _ = tiny_run
    for beta in TINY["betas"]:
        for t in TINY["tuples"]:
            sel = dict(quantity="tuple_fraction", source="bound", beta=beta, t=t)
            c = result.column("compute", **sel)
            v = result.column("value", **sel)[np.argsort(c)]
            assert len(v) == TINY["bound_points"]
            assert np.all(np.diff(v) >= -1e-12)
            assert v[-1] > v[0]


def test_tuple_curves_are_ordered(tiny_run):
    """Larger t, fraction no larger: exact for the bound and the exact (t <= 2) tensor fractions."""
    result, _, _ = tiny_run
    for beta in TINY["betas"]:
        for source, tol in (("bound", 1e-12), ("random", 1e-12), ("deficit", 1e-12)):
            ts = TINY["tuples"] if source == "bound" else (1, 2)
            curves = []
            for t in ts:
                sel = dict(quantity="tuple_fraction", source=source, beta=beta, t=t)
                order = np.argsort(result.column("compute", **sel))
                curves.append(result.column("value", **sel)[order])
            for small, large in zip(curves, curves[1:], strict=False):
                assert np.all(large <= small + tol)
        # sampled t = 4 tuples: ordered up to their confidence intervals
        for source in ("random", "deficit"):
            sel2 = dict(quantity="tuple_fraction", source=source, beta=beta, t=2)
            sel4 = dict(sel2, t=4)
            assert np.all(result.column("ci_low", **sel4) <= result.column("ci_high", **sel2))


def test_theta_and_scales_match_independent_chinchilla(tiny_run):
    result, _, _ = tiny_run
    s = result.scales
    assert np.allclose(s["compute"], np.geomspace(1e20, 1e28, TINY["bound_points"]), rtol=1e-12)
    n, d = chinchilla_optimal(s["compute"])
    assert np.allclose(s["params"], n, rtol=1e-10)
    assert np.allclose(s["tokens"], d, rtol=1e-10)
    delta = chinchilla_excess(n, d)
    assert np.allclose(s["excess_loss"], delta, rtol=1e-10)
    theta = np.clip(0.05 * delta / chinchilla_excess(N_REF, D_REF), 0, 1)
    assert np.allclose(s["theta"], theta, rtol=1e-10)
    # docs/theory/loss_to_theta.rst: about 0.18 at 1e20 FLOPs
    assert abs(s["theta"][0] - 0.19) < 0.01


@pytest.mark.parametrize("index", [0, 5, 16])
def test_guaranteed_fraction_matches_independent_alpha_star(tiny_run, index):
    result, _, _ = tiny_run
    theta = float(result.scales["theta"][index])
    for beta in TINY["betas"]:
        for t in TINY["tuples"]:
            sel = dict(quantity="tuple_fraction", source="bound", beta=beta, t=t)
            order = np.argsort(result.column("compute", **sel))
            value = result.column("value", **sel)[order][index]
            expected = 1 - mp_alpha_star(min(t * theta, 1.0), beta, 8)
            assert value == pytest.approx(expected, abs=1e-7)


def test_headline_doubling_factor_matches_chinchilla_exponent():
    """Compute-optimal Chinchilla: delta ∝ C^(-ab/(a+b)).

    So halving delta (t -> 2t, Corollary 2) costs 2^((a+b)/(ab)) in compute.
    """
    result = run_emerge(EmergeConfig(failure_models=(), sim_points=0, bound_points=161))
    expected = 2 ** ((A_EXP + B_EXP) / (A_EXP * B_EXP))  # about 91
    expected_n = expected ** (B_EXP / (A_EXP + B_EXP))
    bound = [d for d in result.doubling if d["source"] == "bound"]
    assert [d["t"] for d in bound] == [1, 2, 4]
    for d in bound:
        assert d["compute_factor"] == pytest.approx(expected, rel=0.03)
        assert d["params_factor"] == pytest.approx(expected_n, rel=0.03)
    assert f"{expected:.0f}x" in result.headline or f"{expected + 1:.0f}x" in result.headline


def test_params_mode_and_fixed_ratio():
    cfg = EmergeConfig(params=(1e9, 1e12), failure_models=(), sim_points=0)
    s = scale_grid(cfg, 4)
    assert cfg.x_name == "params"
    assert np.allclose(s["params"], [1e9, 1e10, 1e11, 1e12])
    assert np.allclose(s["tokens"], 20 * s["params"])
    cfg = EmergeConfig(compute=(1e21, 1e23), tokens_per_param=50.0)
    s = scale_grid(cfg, 3)
    assert np.allclose(s["tokens"] / s["params"], 50.0)
    assert np.allclose(s["compute"], [1e21, 1e22, 1e23], rtol=1e-12)


@pytest.mark.parametrize("law", ["epoch", "kaplan"])
@pytest.mark.parametrize("mapping", ["linear", "pinsker"])
def test_other_laws_and_mappings_run(law, mapping):
    result = run_emerge(
        EmergeConfig(law=law, mapping=mapping, failure_models=(), sim_points=0, bound_points=9)
    )
    theta = result.scales["theta"]
    assert np.all((theta >= 0) & (theta <= 1))
    assert np.all(np.diff(theta) <= 0)  # more compute, lower failure rate
    assert {r["law"] for r in result.rows} == {law}
    assert result.headline


def test_reproducible_with_seed():
    cfg = EmergeConfig(**{**TINY, "sim_points": 2, "betas": (0.5,)})
    a, b = run_emerge(cfg), run_emerge(cfg)
    assert [r["value"] for r in a.replicate_rows] == [r["value"] for r in b.replicate_rows]
    c = run_emerge(EmergeConfig(**{**TINY, "sim_points": 2, "betas": (0.5,), "seed": 1}))
    assert [r["value"] for r in a.replicate_rows] != [r["value"] for r in c.replicate_rows]


def test_random_failures_single_skills_all_competent_at_small_theta():
    """Random failures, degree ~ 200, theta <= 0.06 << beta = 0.5: every skill is competent."""
    cfg = EmergeConfig(
        compute=(1e23, 1e26),
        n_skills=100,
        n_texts=2500,
        replicates=2,
        sim_points=3,
        tuples=(1,),
        failure_models=("random",),
    )
    result = run_emerge(cfg)
    v = result.column("value", quantity="tuple_fraction", source="random", t=1)
    assert np.all(v == 1.0)


def test_wilson_matches_scipy():
    for k, n in ((0, 10), (3, 10), (50, 100), (999, 1000)):
        ci = binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        assert competence.wilson_interval(k / n, n) == pytest.approx((ci.low, ci.high), abs=1e-12)


def test_replicate_interval_covers_mean_and_spread():
    values = np.array([0.2, 0.3, 0.4])
    lo, hi = replicate_interval(values, np.array([1e9, 1e9, 1e9]), rule="replicate_t")
    # Student-t, 2 degrees of freedom: 4.303 * 0.1 / sqrt(3)
    half = 4.302652729911275 * 0.1 / math.sqrt(3)
    assert (lo, hi) == pytest.approx((0.3 - half, 0.3 + half), abs=1e-9)
    lo, hi = replicate_interval(np.array([1.0, 1.0]), np.array([50.0, 50.0]))
    assert lo < 1.0 and hi == 1.0  # identical replicates still get the Wilson width


@pytest.mark.parametrize(
    "kwargs, name",
    [
        (dict(betas=(1.5,)), "betas"),
        (dict(betas=(0.0,)), "betas"),
        (dict(tuples=(0, 2)), "tuples"),
        (dict(tuples=(2, 2)), "tuples"),
        (dict(tuples="1,2"), "tuples"),
        (dict(compute=(1e25, 1e20)), "compute"),
        (dict(compute=(-1.0, 1e20)), "compute"),
        (dict(params=(1e9,)), "params"),
        (dict(law="gpt"), "law"),
        (dict(mapping="log"), "mapping"),
        (dict(theta_ref=0.0), "theta_ref"),
        (dict(k=0), "k"),
        (dict(replicates=0), "replicates"),
        (dict(n_texts=2.5), "n_texts"),
        (dict(tokens_per_param=-1.0), "tokens_per_param"),
        (dict(failure_models=("adversarial",)), "failure_models"),
        (dict(failure_models=()), "failure_models must name at least one"),  # sim_points=21
        (dict(form="tight"), "form"),
        (dict(seed=-1), "seed"),
    ],
)
def test_invalid_config_names_the_parameter(kwargs, name):
    with pytest.raises((ValueError, TypeError), match=name):
        EmergeConfig(**kwargs)


def test_run_emerge_rejects_non_config():
    with pytest.raises(TypeError, match="config"):
        run_emerge({"k": 8})


def test_cli_emerge_end_to_end(tmp_path, capsys):
    out = tmp_path / "e"
    status = cli_main(
        [
            "emerge",
            "--out",
            str(out),
            "--compute",
            "1e20",
            "1e26",
            "--n-skills",
            "100",
            "--n-texts",
            "2000",
            "--replicates",
            "2",
            "--sim-points",
            "3",
            "--bound-points",
            "13",
            "--tuples",
            "1,2",
            "--betas",
            "0.5",
            "--n-tuples",
            "500",
            "--no-progress",
        ]
    )
    assert status == 0
    printed = capsys.readouterr().out
    assert "Headline" in printed and "2t-tuples" in printed
    assert "compute (FLOPs)" in printed
    header, rows = read_csv(out / "results.csv")
    assert tuple(header) == COLUMNS
    assert (out / "emergence.png").exists()


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["--betas", "0.5,2"], "betas"),
        (["--k", "0"], "k"),
        (["--law", "gpt"], "law"),
        (["--compute", "1e26", "1e20"], "compute"),
    ],
)
def test_cli_emerge_bad_input(argv, needle, tmp_path, capsys):
    try:
        status = cli_main(["emerge", "--out", str(tmp_path / "x"), *argv])
    except SystemExit as exc:  # argparse choices
        status = exc.code
    assert status == 2
    assert needle in capsys.readouterr().err
    assert not (tmp_path / "x").exists()  # refused before any work


def test_out_must_be_a_directory(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    result = run_emerge(EmergeConfig(failure_models=(), sim_points=0, bound_points=21))
    with pytest.raises(NotADirectoryError, match="out_dir"):
        write_outputs(result, f)


@pytest.mark.parametrize("t", [1, 2])
@pytest.mark.parametrize("beta", [0.05, 0.2, 0.5])
def test_tensor_from_counts_matches_materialised_graph_exactly(t, beta):
    graph = sample_graph(60, 400, 3, skill_measure="zipf", seed=3)
    failed = failures.random_failures(graph, 0.15, seed=4)
    expected = competence.tuple_bad_fraction(graph, failed, t, beta, mode="tensor")
    got = competence.tuple_bad_fraction_from_counts(
        graph.degrees, competence.failed_edge_counts(graph, failed), graph.skill_measure, t, beta
    )
    assert got.value == pytest.approx(expected.value, abs=1e-12)
    assert got.undefined_mass == pytest.approx(expected.undefined_mass, abs=1e-12)


def test_tensor_from_counts_sampled_triples_against_brute_force():
    """t = 3, uniform mu1: brute force over all n^3 ordered triples is the reference."""
    graph = sample_graph(25, 300, 4, seed=5)
    failed = failures.random_failures(graph, 0.2, seed=6)
    c = competence.competence(graph, failed)
    c = np.nan_to_num(c, nan=np.inf)  # undefined skills make undefined (never bad) tuples
    prod = c[:, None, None] * c[None, :, None] * c[None, None, :]
    beta = 0.4
    exact = float(np.mean(np.isfinite(prod) & (prod < 1 - beta)))
    est = competence.tuple_bad_fraction_from_counts(
        graph.degrees,
        competence.failed_edge_counts(graph, failed),
        graph.skill_measure,
        3,
        beta,
        n_tuples=200_000,
        seed=7,
    )
    lo, hi = est.ci(0.999)
    assert lo <= exact <= hi


def test_stream_and_graph_engines_agree():
    """Same graphs (same seed), failure sets of the same law up to exact vs Bernoulli counts."""
    base = dict(
        compute=(1e20, 1e24),
        n_skills=200,
        n_texts=20_000,
        replicates=3,
        bound_points=5,
        sim_points=3,
        tuples=(1, 2, 4),
        n_tuples=4000,
    )
    runs = {e: run_emerge(EmergeConfig(**base, engine=e)) for e in ("stream", "graph")}
    for source in ("random", "deficit"):
        for t in (1, 2, 4):
            sel = dict(quantity="tuple_fraction", source=source, t=t)
            a = runs["stream"].column("value", **sel)
            b = runs["graph"].column("value", **sel)
            assert np.all(np.abs(a - b) < 0.1), (source, t, a, b)
    # failure rates: Bernoulli (stream) vs exact (graph), both theta
    for e, run in runs.items():
        theta = np.array([r["theta"] for r in run.replicate_rows])
        observed = np.array([r["failed_fraction"] for r in run.replicate_rows])
        tol = 1e-4 if e == "graph" else 0.02
        assert np.all(np.abs(observed - theta) <= tol + 5 * np.sqrt(theta / 20_000)), e


def test_engine_is_validated():
    with pytest.raises(ValueError, match="engine"):
        EmergeConfig(engine="dask")


def test_cli_bound_only(tmp_path, capsys):
    out = tmp_path / "b"
    assert (
        cli_main(
            [
                "emerge",
                "--out",
                str(out),
                "--sim-points",
                "0",
                "--law",
                "kaplan",
                "--bound-points",
                "21",
                "--no-progress",
            ]
        )
        == 0
    )
    printed = capsys.readouterr().out
    assert "Headline" in printed and "nan" not in printed
    _, rows = read_csv(out / "results.csv")
    sources = {r["source"] for r in rows if r["quantity"] == "tuple_fraction"}
    assert "bound" in sources and not sources & {"random", "deficit"}  # nothing simulated


# ----------------------------------------------------------------- 0.2: tables, names, refusals


def _same_cell(read_back, written) -> bool:
    if isinstance(written, float) and math.isnan(written):
        return isinstance(read_back, float) and math.isnan(read_back)
    return read_back == (None if written == "" else written)


def test_tables_use_the_one_cell_format_and_read_back_exactly(tiny_run):
    """NaN is written ``nan`` (not an empty cell) and every float reads back bit for bit."""
    result, out, _ = tiny_run
    header, raw = read_csv(out / "results.csv")
    bound = next(r for r in raw if r["quantity"] == "tuple_fraction" and r["source"] == "bound")
    assert bound["ci_low"] == "nan" and bound["std"] == "nan"
    for name, rows, columns in (
        ("results.csv", result.rows, COLUMNS),
        ("replicates.csv", result.replicate_rows, REPLICATE_COLUMNS),
    ):
        back = read_table(out / name)
        assert len(back) == len(rows) and tuple(back[0]) == columns
        for got, row in zip(back, rows, strict=True):
            assert all(_same_cell(got[c], row[c]) for c in columns), (got, row)


def test_renamed_parameters_are_deprecated_aliases():
    with pytest.warns(DeprecationWarning) as caught:
        cfg = EmergeConfig(c=2.0, mapping="linear", n_scales=9, n_empirical=0)
    assert {str(w.message).split()[0] for w in caught} == {
        "EmergeConfig.c", "EmergeConfig.n_scales", "EmergeConfig.n_empirical"
    }
    assert (cfg.cloze_factor, cfg.bound_points, cfg.sim_points) == (2.0, 9, 0)
    with pytest.warns(DeprecationWarning, match="bound_points"):
        assert cfg.n_scales == 9
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # replace() must not go through the old names
        assert dataclasses.replace(cfg, k=4).cloze_factor == 2.0
    with pytest.raises(TypeError, match="cloze_factor"):
        EmergeConfig(c=2.0, cloze_factor=3.0)
    # the factor is used: linear map, theta = clip(c * delta, 0, 1) (independent Chinchilla)
    s = scale_grid(cfg, 3)
    assert np.allclose(s["theta"], np.clip(2.0 * chinchilla_excess(s["params"], s["tokens"]), 0, 1))


def test_engine_aliases_and_stream_only_models():
    assert EmergeConfig(engine="materialize").engine == "graph"
    with pytest.raises(ValueError, match="failure_models"):
        EmergeConfig(failure_models=("random", "random"))


def test_coarse_grid_is_announced_where_the_factor_moves():
    """Below 2 scales per decade the headline's factor depends on the grid: warned, in the text.

    Reference: Chinchilla's compute factor 2^((a+b)/(ab)) (about 91).
    """
    expected = 2 ** ((A_EXP + B_EXP) / (A_EXP * B_EXP))
    with pytest.warns(UserWarning, match=r"bound_points >= 21"):
        coarse = run_emerge(EmergeConfig(sim_points=0, bound_points=5))
    assert coarse.notes and "(note:" in coarse.headline
    factor = np.median([d["compute_factor"] for d in coarse.doubling])
    assert abs(factor / expected - 1) > 0.05  # the warning is deserved
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fine = run_emerge(EmergeConfig(sim_points=0, bound_points=21))
    assert not fine.notes and "(note:" not in fine.headline
    factor = np.median([d["compute_factor"] for d in fine.doubling])
    assert factor == pytest.approx(expected, rel=0.02)


def test_cli_coarse_grid_warns_in_one_line(tmp_path, capsys):
    out = tmp_path / "c"
    argv = ["emerge", "--out", str(out), "--sim-points", "0", "--bound-points", "2",
            "--no-progress"]
    assert cli_main(argv) == 0
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert len(err) == 1 and err[0].startswith("skillgraph emerge: warning:"), err
    assert "--bound-points" in err[0] and "(note:" in captured.out


def test_cli_old_option_names_are_hidden_aliases(capsys):
    from skillgraph.cli import build_parser

    try:
        status = cli_main(["emerge", "--help"])
    except SystemExit as exc:
        status = exc.code
    assert status == 0
    text = capsys.readouterr().out
    assert "--bound-points" in text and "--cloze-factor" in text and "--failure-models" in text
    for old in (" --points", " --c ", "--failures"):
        assert old not in text
    args = build_parser().parse_args(
        ["emerge", "--points", "9", "--c", "2", "--failures", "random", "--sim-points", "3"]
    )
    assert (args.bound_points, args.cloze_factor, args.failure_models) == (9, 2.0, ("random",))
    args = build_parser().parse_args(["emerge"])
    assert (args.bound_points, args.cloze_factor, args.sim_points) == (81, 1.0, 21)


@pytest.mark.parametrize("where", ["file", "under_a_file", "proc"])
def test_cli_unusable_out_is_refused_before_any_work(where, tmp_path, capsys, monkeypatch):
    import skillgraph.emergence

    def no_work(*args, **kwargs):
        raise AssertionError("the run started before --out was checked")

    monkeypatch.setattr(skillgraph.emergence, "run_emerge", no_work)
    blocker = tmp_path / "f"
    blocker.write_text("x")
    out = {"file": blocker, "under_a_file": blocker / "sub", "proc": "/proc/skillgraph-test/x"}
    assert cli_main(["emerge", "--out", str(out[where]), "--no-progress"]) == 4
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("skillgraph emerge: error: --out")


def test_library_emerge_checks_out_dir_first(tmp_path, monkeypatch):
    import skillgraph.emergence.run as emerge_run

    monkeypatch.setattr(emerge_run, "run_emerge", lambda *a, **k: pytest.fail("work started"))
    blocker = tmp_path / "f"
    blocker.write_text("x")
    with pytest.raises(OSError, match="out_dir"):
        sg.emerge(blocker / "sub", sim_points=0)
    with pytest.raises(NotADirectoryError, match="out_dir"):
        sg.emerge(blocker, sim_points=0)
    with pytest.raises(TypeError, match="out_dir must be a path"):
        sg.emerge(float("nan"), sim_points=0)
    with pytest.raises(ValueError, match="out_dir must name a directory"):
        sg.emerge("", sim_points=0)  # not the current directory by accident


def test_top_level_emerge_runs_and_writes(tmp_path):
    result = sg.emerge(tmp_path / "o", sim_points=0, tuples=(1, 2), bound_points=21)
    assert result.headline.startswith("Headline (chinchilla law")
    files = {p.name for p in (tmp_path / "o").iterdir()}
    assert "results.csv" in files and "replicates.csv" not in files  # nothing simulated
    assert "EmergeResult(" in repr(result) and len(repr(result)) < 300


def test_cli_ctrl_c_is_one_line_exit_130_and_nothing_written(tmp_path, capsys, monkeypatch):
    import skillgraph.emergence.run as emerge_run

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(emerge_run, "_simulate", interrupted)
    out = tmp_path / "o"
    assert cli_main(["emerge", "--out", str(out), "--no-progress"]) == 130
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and "interrupted" in err[0]
    assert list(out.iterdir()) == []


def test_interrupted_writing_leaves_whole_files_only(tmp_path, monkeypatch):
    import skillgraph.emergence.report as report

    result = run_emerge(EmergeConfig(**{**TINY, "sim_points": 2}))
    real = report.write_table

    def write_then_stop(path, rows, columns):
        if path.name == "replicates.csv":
            raise KeyboardInterrupt
        return real(path, rows, columns)

    monkeypatch.setattr(report, "write_table", write_then_stop)
    with pytest.raises(KeyboardInterrupt):
        write_outputs(result, tmp_path)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["emergence.pdf", "emergence.png", "performance_curves.png", "results.csv",
                     "slingshot.png"]  # fmt: skip
    assert len(read_table(tmp_path / "results.csv")) == len(result.rows)


def test_sigint_in_a_real_run_exits_130_with_one_line(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "o"
    argv = [sys.executable, "-m", "skillgraph", "emerge", "--out", str(out), "--n-texts",
            "2000000", "--replicates", "50", "--no-progress"]  # fmt: skip
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not out.exists() and time.monotonic() < deadline:  # the work starts after the check
        time.sleep(0.1)
    time.sleep(1.0)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert err.strip().count("\n") == 0 and "interrupted" in err
    assert list(out.iterdir()) == []


def test_cli_json_summary(tmp_path, capsys):
    import json

    argv = ["emerge", "--out", str(tmp_path / "j"), "--sim-points", "0", "--json"]
    assert cli_main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["headline"].startswith("Headline")
    assert {d["t"] for d in payload["doubling"]} == {1, 2, 4}
    assert any(f.endswith("results.csv") for f in payload["files"])


def test_work_too_large_is_refused_up_front():
    from skillgraph._resources import ResourceLimitError

    with pytest.raises(ResourceLimitError, match="failure sets"):
        run_emerge(EmergeConfig(n_texts=2**40, replicates=1000))


def test_replicate_interval_rule_is_named_and_checked():
    assert all(math.isnan(v) for v in replicate_interval([0.5]))
    assert replicate_interval([0.5], [100.0]) == pytest.approx(competence.wilson_interval(0.5, 100))
    with pytest.raises(ValueError, match="rule"):
        replicate_interval([0.5, 0.6], rule="normal")
    with pytest.raises(ValueError, match="n_effective"):
        replicate_interval([0.5, 0.6], [1.0])
