"""The points of a sweep's grid, and its expansion into work items.

A validated spec (:class:`~skillgraph.sweep.spec_types.SweepSpec`) is a grid
over graph parameters, skill measures, failure models and failure rates
(given directly or derived from model scale), times the measurements' own
axes, times a number of replicates.  :func:`expand` turns it into
:class:`~skillgraph.sweep.context.WorkItem` objects in a fixed order: the
index of an item is its seed key, so its numbers do not depend on which
worker ran it.  The thresholds ``beta``, tuple sizes ``t``, tuple modes and
bound forms are *measurement* axes, shared by every item in its settings.
"""

from __future__ import annotations

import copy
import itertools

from skillgraph.sweep.context import WorkItem
from skillgraph.sweep.registry import get_measurement
from skillgraph.sweep.spec_checker import Checker
from skillgraph.sweep.spec_types import SpecError, SweepSpec
from skillgraph.theory.scaling import LAWS

__all__ = ["PARAMETER_COLUMNS", "expand"]

#: Columns describing a work item, in the order they appear in the results table.
PARAMETER_COLUMNS = (
    "item",
    "replicate",
    "n_skills",
    "n_texts",
    "k",
    "skill_measure",
    "zipf_exponent",
    "replace",
    "failure",
    "theta",
    "law",
    "compute",
    "params",
    "tokens",
    "mapping",
)


#: the keys of ``[grid]`` when the measurements sample a graph
GRID_KEYS = (
    "n_skills", "n_texts", "k", "skill_measure", "zipf_exponent", "replace", "failure", "theta",
    "beta", "t", "tuple_mode", "bound_form",
)  # fmt: skip


def samples_graph(measurements) -> bool:
    """Whether a work item with these measurements samples a skill graph (or its counts)."""
    return any(get_measurement(name).samples_graph for name in measurements) or not measurements


def own_points(data: dict) -> list[dict]:
    """Every combination of the measurements' own axes (``[{}]`` when there are none)."""
    grid = data["grid"]
    graph = samples_graph(data["measurements"])
    names = [key for key in grid if not graph or key not in GRID_KEYS]
    return [dict(zip(names, values, strict=True))
            for values in itertools.product(*(grid[name] for name in names))]  # fmt: skip


def count_items(data: dict) -> int:
    """The number of work items of a normalised spec (without listing them)."""
    grid = data["grid"]
    n_points = len(own_points(data))
    if not samples_graph(data["measurements"]):
        return n_points * data["replicates"]
    n_points *= len(skill_measure_points(grid))
    for key in ("n_skills", "n_texts", "k", "replace", "failure"):
        n_points *= len(grid[key])
    if grid["theta"] is not None:
        n_points *= len(grid["theta"])
    else:
        n_points *= len(scale_points(data["scale"]))
    return n_points * data["replicates"]


def item_settings(data: dict) -> dict:
    """What every work item shares: measurement axes, options, measurement tables."""
    grid = data["grid"]
    tables = {name: copy.deepcopy(data[name]) for name in data["measurements"] if name in data}
    return {
        "measurements": list(data["measurements"]),
        "samples_graph": samples_graph(data["measurements"]),
        **{key: list(grid.get(key, [])) for key in ("beta", "t", "tuple_mode", "bound_form")},
        **copy.deepcopy(data["options"]),
        **tables,
    }


def scale_points(scale: dict) -> list[dict]:
    """``[{"compute", "params", "tokens"}]`` before theta is derived."""
    if scale["compute"] is not None:
        return [{"compute": cc, "params": None, "tokens": None} for cc in scale["compute"]]
    return [
        {"compute": None, "params": n, "tokens": d}
        for n, d in zip(scale["params"], scale["tokens"], strict=True)
    ]


def derive_thetas(c: Checker, scale: dict) -> list[dict]:
    """Theta of every scale point; a problem is recorded for a theta outside (0, 1)."""
    law = LAWS[scale["law"]]
    points = []
    key = "compute" if scale["compute"] is not None else "params"
    for i, point in enumerate(scale_points(scale)):
        try:
            if point["compute"] is not None:
                n, d = law.compute_optimal(point["compute"])
            else:
                n, d = point["params"], point["tokens"]
            theta = law.theta(
                n, d, mapping=scale["mapping"], c=scale["c"], theta_ref=scale["theta_ref"],
                reference=tuple(scale["reference"]),
            )  # fmt: skip
        except (ValueError, TypeError, ArithmeticError) as exc:
            c.fail(f"scale.{key}[{i}]", f"cannot derive theta: {exc}")
            continue
        theta = float(theta)
        if not 0.0 < theta < 1.0:
            c.fail(
                f"scale.{key}[{i}]",
                f"gives theta = {theta!r} under the {scale['law']} law and the "
                f"{scale['mapping']} mapping; theta must lie in (0, 1) (larger or smaller scales, "
                "or another theta_ref/c)",
            )
            continue
        points.append({**point, "params": float(n), "tokens": float(d), "theta": theta})
    return points


def skill_measure_points(grid: dict) -> list[tuple[str, float | None]]:
    """(skill_measure, zipf_exponent) pairs; the exponent only varies for Zipf."""
    points = []
    for name in grid["skill_measure"]:
        if name == "uniform":
            points.append(("uniform", None))
        else:
            points.extend(("zipf", a) for a in grid["zipf_exponent"])
    return points


def _theta_points(data: dict) -> list[dict]:
    """Theta with its scale columns: from ``grid.theta`` or derived from ``[scale]``."""
    grid = data["grid"]
    if grid["theta"] is not None:
        none = dict.fromkeys(("law", "compute", "params", "tokens", "mapping"))
        return [{"theta": theta, **none} for theta in grid["theta"]]
    scale = data["scale"]
    c = Checker()
    points = derive_thetas(c, scale)
    if c.problems:  # validated specs never get here
        raise SpecError(c.problems)
    return [{**p, "law": scale["law"], "mapping": scale["mapping"]} for p in points]


def _graph_points(data: dict) -> list[dict]:
    """The graph's grid points, as parameter dicts (all ``None`` when no graph is sampled)."""
    if not samples_graph(data["measurements"]):
        return [dict.fromkeys(PARAMETER_COLUMNS[2:])]
    grid = data["grid"]
    product = itertools.product(
        grid["n_skills"], grid["n_texts"], grid["k"], skill_measure_points(grid),
        grid["replace"], grid["failure"], _theta_points(data),
    )  # fmt: skip
    points = []
    for n_skills, n_texts, k, (skill_measure, exponent), replace, failure, th in product:
        points.append({
            "n_skills": n_skills, "n_texts": n_texts, "k": k, "skill_measure": skill_measure,
            "zipf_exponent": exponent, "replace": replace, "failure": failure, **th,
        })  # fmt: skip
    return points


def expand(spec: SweepSpec) -> list[WorkItem]:
    """The work items of ``spec``, in a fixed order (their index is their seed key).

    Order: ``n_skills``, ``n_texts``, ``k``, skill measure, ``replace``,
    failure model, theta (or scale point), the measurements' own axes,
    replicate, the last varying fastest.
    """
    data = spec.data
    settings = item_settings(data)
    product = itertools.product(
        _graph_points(data), own_points(data), range(data["replicates"])
    )
    items = []
    for index, (graph, own, replicate) in enumerate(product):
        params = {"item": index, "replicate": replicate, **graph, **own}
        items.append(WorkItem(index, data["seed"], params, settings))
    return items
