"""emerge with the sharp tuple law: the band rows, the headline's factors, the figure's band.

References: the band's values come from ``sharp_tuple_bound`` (tested against an
independent implementation in tests/test_sharp_tuples.py) and the paper's bound
from ``tuple_alpha_star``; the factors are re-read here from the rows by plain
interpolation.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from skillgraph.emergence.config import EmergeConfig
from skillgraph.emergence.guarantees import SHARP_TUPLE_GRID, sharp_tuple_rows
from skillgraph.emergence.run import run_emerge
from skillgraph.emergence.scales import scale_grid
from skillgraph.plotting.figures import emergence_figure
from skillgraph.theory.bounds import tuple_alpha_star
from skillgraph.theory.sharp import alpha_sharp
from skillgraph.theory.sharp_tuples import sharp_tuple_bound


@pytest.fixture(scope="module")
def bound_run():
    return run_emerge(EmergeConfig(failure_models=(), sim_points=0, bound_points=41,
                                   tuples=(1, 2, 4)))  # fmt: skip


def rows_of(result, source, t):
    rows = [r for r in result.rows if r["quantity"] == "tuple_fraction"
            and r["source"] == source and r["t"] == t]  # fmt: skip
    return sorted(rows, key=lambda r: r["compute"])


def test_band_rows_are_the_two_sides(bound_run):
    for t in (1, 2, 4):
        low, up, paper = (rows_of(bound_run, s, t) for s in ("sharp_lower", "sharp_upper", "bound"))
        assert len(low) == len(up) == len(paper) == 41
        theta = np.array([r["theta"] for r in low])
        inside = (theta > 0) & (theta < 1)
        law = sharp_tuple_bound(theta[inside], 0.5, 8, t, grid=SHARP_TUPLE_GRID)
        v_low = np.array([r["value"] for r in low])
        v_up = np.array([r["value"] for r in up])
        np.testing.assert_allclose(v_low[inside], 1 - law.lower, rtol=0, atol=1e-12)
        np.testing.assert_allclose(v_up[inside], 1 - law.upper, rtol=0, atol=1e-12)
        # every failure set leaves at least 1 - upper; the paper guarantees less or as much
        star = np.asarray(tuple_alpha_star(theta[inside], 0.5, 8, t))
        assert np.all(v_up[inside] >= 1 - star - 1e-12)
        assert np.all(v_up <= v_low + 1e-12)
        if t == 1:
            np.testing.assert_allclose(v_low[inside], 1 - alpha_sharp(theta[inside], 0.5, 8),
                                       rtol=0, atol=1e-9)  # fmt: skip
            np.testing.assert_allclose(v_low, v_up, rtol=0, atol=1e-9)


def test_clipped_theta_ends():
    # small models under the linear map fail every text piece: theta clipped to 1
    cfg = EmergeConfig(failure_models=(), sim_points=0, bound_points=5, tuples=(2,),
                       mapping="linear", compute=(1e15, 1e30))  # fmt: skip
    scales = scale_grid(cfg, cfg.bound_points)
    rows = sharp_tuple_rows(cfg, scales)
    clipped = [r for r in rows if r["theta"] >= 1]
    assert len(clipped) == 4 and all(r["value"] == 0.0 for r in clipped)  # 2 scales x 2 sides
    assert all(0.0 <= r["value"] <= 1.0 for r in rows) and max(r["value"] for r in rows) > 0.9


def crossing(rows, level):
    logc = np.log10([r["compute"] for r in rows])
    y = np.maximum.accumulate([r["value"] for r in rows])
    j = int(np.flatnonzero(y >= level)[0])
    return logc[j - 1] + (level - y[j - 1]) / (y[j] - y[j - 1]) * (logc[j] - logc[j - 1])


def test_doubling_factors_of_both_sides(bound_run):
    for d in bound_run.doubling:
        if d["source"] not in ("sharp_lower", "sharp_upper") or not math.isfinite(d["level"]):
            continue
        t = d["t"]
        expected = 10 ** (crossing(rows_of(bound_run, d["source"], 2 * t), d["level"])
                          - crossing(rows_of(bound_run, d["source"], t), d["level"]))  # fmt: skip
        assert d["compute_factor"] == pytest.approx(expected, rel=1e-9)


def test_headline_says_whether_the_papers_factor_survives(bound_run):
    line = next(x for x in bound_run.headline.splitlines() if "median compute per doubling" in x)
    lower, upper, paper = (float(v) for v in re.findall(r"([\d.]+)x", line)[:3])
    medians = {}
    for side in ("sharp_lower", "sharp_upper"):
        f = [d["compute_factor"] for d in bound_run.doubling
             if d["source"] == side and math.isfinite(d["compute_factor"])]  # fmt: skip
        medians[side] = float(np.median(f))
    assert lower == pytest.approx(medians["sharp_lower"], rel=0.05)
    assert upper == pytest.approx(medians["sharp_upper"], rel=0.05)
    survives = min(medians.values()) <= paper <= max(medians.values())
    assert ("survives: it lies between them" in line) == survives
    assert ("does not survive" in line) == (not survives)


def test_figure_draws_one_band_per_t(bound_run):
    import matplotlib.collections as mc

    fig = emergence_figure(bound_run.rows)
    ax = fig.axes[0]
    bands = [c for c in ax.collections if isinstance(c, mc.PolyCollection)]
    assert len(bands) == 3  # t = 1, 2, 4 (the t = 1 band has zero width)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "sharp worst case" in labels
