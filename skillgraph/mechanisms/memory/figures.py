"""The three figures of ``skillgraph memory``, drawn from the rows of its table."""

from __future__ import annotations

import math

import numpy as np

from skillgraph.mechanisms.memory.config import scheme_label
from skillgraph.plotting.figures import MARKERS, PALETTE, new_figure, style
from skillgraph.tables import missing

__all__ = ["error_vs_d_figure", "error_vs_T_figure", "emergence_figure"]


_WIDTH, _HEIGHT = 4.6, 3.4  # inches: one wide column, room for the legend beside the data


def _select(rows, **where) -> list[dict]:
    return [r for r in rows if all(r.get(k) == v for k, v in where.items())]


def _xy(rows, x: str) -> tuple[np.ndarray, ...]:
    rows = sorted(rows, key=lambda r: r[x])
    cols = [np.array([r[c] for r in rows], dtype=float) for c in (x, "value", "ci_low", "ci_high")]
    return tuple(cols)


def _errorbars(ax, x, y, lo, hi, **kwargs):
    yerr = np.vstack([np.clip(y - lo, 0, None), np.clip(hi - y, 0, None)])
    return ax.errorbar(x, y, yerr=yerr, capsize=1.5, elinewidth=0.6, **kwargs)


def _setup_axes():
    fig, axes = new_figure(width=_WIDTH, height=_HEIGHT)
    return fig, axes[0, 0]


def _params(rows) -> dict:
    first = rows[0]
    return {k: first.get(k) for k in ("n_inputs", "n_labels", "zipf_exponent", "kappa", "rho",
                                      "trials")}  # fmt: skip


def error_vs_d_figure(rows):
    """Error against memory size ``d`` for each scheme, fitted and theory slopes, capacity term."""
    rows = _select(rows, figure="error_vs_d")
    p = _params(rows)
    fig, ax = _setup_axes()
    with style():
        for i, scheme in enumerate(("threshold", "frequency", "all")):
            color = PALETTE[i]
            d, y, lo, hi = _xy(_select(rows, scheme=scheme, quantity="error"), "d")
            fit = _select(rows, scheme=scheme, source="fit", quantity="slope")
            theory = _select(rows, scheme=scheme, source="theory", quantity="slope")[0]["value"]
            name = scheme_label(scheme, kappa=p["kappa"], rho=p["rho"])
            label = f"{name}: " + (f"fit {fit[0]['value']:.2f}" if fit else "no fit")
            label += " (no power law)" if missing(theory) else f", theory {theory:.2f}"
            _errorbars(ax, d, y, lo, hi, color=color, marker=MARKERS[i], linestyle="none",
                       label=label)  # fmt: skip
            if fit:
                _slope_lines(ax, rows, scheme, fit[0], theory, color)
        d, cap, _, _ = _xy(_select(rows, quantity="capacity_term"), "d")
        ax.plot(d, cap, color="0.3", linewidth=0.8, linestyle=":", label="capacity term")
        window = _select(rows, source="theory")[0]
        ax.axvspan(window["d_low"], window["d_high"], color="0.92", zorder=0, linewidth=0)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("memory size d")
        ax.set_ylabel("error E (frequency weighted)")
        ax.set_title(
            f"Memory error against size (N={p['n_inputs']}, M={p['n_labels']}, "
            f"a={p['zipf_exponent']:g}, {p['trials']} draws)\nshaded: fit window; "
            "solid: fit, dashed: theory slope"
        )
        ax.legend(loc="lower left")
    return fig


def _slope_lines(ax, rows, scheme, fit, theory, color):
    """The fitted line over its window and a theory-slope line through the window's middle."""
    intercept = _select(rows, scheme=scheme, source="fit", quantity="log_intercept")[0]["value"]
    lo, hi = fit["d_low"], fit["d_high"]
    x = np.geomspace(lo, hi, 20)
    y = np.exp(intercept) * x ** fit["value"]
    ax.plot(x, y, color=color, linewidth=1.0)
    if not missing(theory):
        mid = math.sqrt(lo * hi)
        y_mid = np.exp(intercept) * mid ** fit["value"]
        ax.plot(x, y_mid * (x / mid) ** theory, color=color, linewidth=1.0, linestyle="--")


def error_vs_T_figure(rows):
    """Error against data ``T`` at several ``d``, analytic curves and the data term."""
    rows = _select(rows, figure="error_vs_T")
    p = _params(rows)
    fig, ax = _setup_axes()
    sizes = sorted({r["d"] for r in rows if r.get("quantity") == "error"})
    with style():
        for i, d in enumerate(sizes):
            color = PALETTE[i]
            T, y, lo, hi = _xy(_select(rows, d=d, quantity="error"), "T")
            label = "d = ∞ (stores every seen input)" if math.isinf(d) else f"d = {d}"
            _errorbars(ax, T, y, lo, hi, color=color, marker=MARKERS[i], linestyle="none",
                       label=label)  # fmt: skip
            if not math.isinf(d):  # at d = inf the analytic curve is the exact data term
                T, a, _, _ = _xy(_select(rows, d=d, quantity="analytic_error"), "T")
                ax.plot(T, a, color=color, linewidth=0.8)
        T, exact, _, _ = _xy(_select(rows, quantity="data_term", source="exact"), "T")
        ax.plot(T, exact, color="black", linewidth=1.0, label="data term (exact sum)")
        T, asym, _, _ = _xy(_select(rows, quantity="data_term", source="asymptotic"), "T")
        a = p["zipf_exponent"]
        ax.plot(
            T,
            asym,
            color="black",
            linewidth=1.0,
            linestyle="--",
            label=f"asymptotic {asym[0] * T[0] ** (1 - 1 / a):.3f} T^-{1 - 1 / a:.2f}",
        )
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("training samples T")
        ax.set_ylabel("error E (frequency weighted)")
        ax.set_title(
            f"Memory error against data (N={p['n_inputs']}, thresholding at P = d/{p['kappa']:g})\n"
            "markers: Monte Carlo; thin lines: analytic approximation"
        )
        ax.legend(loc="lower left")
    return fig


def emergence_figure(rows):
    """Fraction of competent ``t``-tuples against ``d`` (structural coupling) and the bound."""
    rows = _select(rows, figure="emergence")
    p = _params(rows)
    fig, ax = _setup_axes()
    first = _select(rows, quantity="competent_fraction")[0]
    with style():
        for i, t in enumerate(sorted({r["t"] for r in rows if r.get("t") is not None})):
            color = PALETTE[i]
            d, y, lo, hi = _xy(_select(rows, t=t, source="memory"), "d")
            ax.fill_between(d, np.clip(lo, 0, 1), np.clip(hi, 0, 1), color=color, alpha=0.15,
                            linewidth=0)  # fmt: skip
            ax.plot(d, y, color=color, marker=MARKERS[i], linewidth=1.0,
                    label=f"t = {t}: memory (simulated)")  # fmt: skip
            d, b, _, _ = _xy(_select(rows, t=t, source="bound"), "d")
            ax.plot(d, b, color=color, linestyle="--", linewidth=1.0,
                    label=f"t = {t}: paper's guarantee")  # fmt: skip
        T_rows = sorted(_select(rows, quantity="memory_error"), key=lambda r: r["d"])
        ax.set_xscale("log")
        ax.set_ylim(-0.03, 1.03)
        ax.set_xlabel(
            f"memory size d (data T ∝ d^{p['zipf_exponent']:g}: T = {T_rows[0]['T']:,} at "
            f"d = {T_rows[0]['d']} to {T_rows[-1]['T']:,} at d = {T_rows[-1]['d']})"
        )
        ax.set_ylabel(f"fraction of t-tuples ≥ {1 - first['beta']:g}-competent")
        ax.set_title(
            f"Emergence from an associative memory (N={p['n_inputs']} skills, k={first['k']})\n"
            "unrecalled associations = unlearned skills; bound at the same theta"
        )
        fig.legend(loc="outside lower center", ncols=2)
    return fig
