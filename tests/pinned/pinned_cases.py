"""The cases behind the pinned outputs: sampled graphs, streamed counts and small CLI runs.

Only public entry points are used (the library API and the ``skillgraph`` command), so the
same code measures the package before and after it is reorganised.
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

GRAPH_CASES = [
    # n_skills, n_texts, k, skill_measure, replace, seed
    (1000, 20000, 8, "uniform", True, 0),
    (1000, 20000, 8, "uniform", True, 1),
    (10_000, 50_000, 8, "uniform", True, 7),
    (20_000_000, 3000, 5, "uniform", True, 3),
    (3000, 20000, 8, "zipf", True, 0),
    (3_000_000, 2000, 8, "zipf", True, 5),
    (500, 10000, 7, "uniform", False, 2),
    (500, 10000, 7, "zipf", False, 2),
    (37, 5000, 3, "uniform", True, 11),
]

STREAM_CASES = [
    # n_skills, n_texts, k, theta, failure, skill_measure, seed, threads, chunk_size
    (1000, 200_000, 8, 0.05, "random", "uniform", 0, None, None),
    (1000, 200_000, 8, 0.05, "random", "uniform", 0, 1, 1000),
    (1000, 200_000, 8, 0.05, "random", "uniform", 0, 2, 77_777),
    (10_000, 300_000, 8, 0.1, "random", "zipf", 4, None, None),
    (10_000, 300_000, 8, 0.1, "random", "zipf", 4, 1, 4096),
    (2000, 100_000, 5, 0.2, "deficit", "uniform", 9, None, None),
    (2000, 100_000, 5, 0.2, "deficit", "zipf", 9, 2, 3333),
    (20_000_000, 5000, 3, 0.3, "random", "uniform", 12, None, None),
]


def _digest(*arrays) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str(a.dtype).encode() + str(a.shape).encode())
        h.update(a.tobytes())
    return h.hexdigest()


def sample_hashes() -> dict:
    import skillgraph as sg

    out = {}
    for n_skills, n_texts, k, measure, replace, seed in GRAPH_CASES:
        g = sg.sample_graph(n_skills, n_texts, k, skill_measure=measure, replace=replace, seed=seed)
        name = f"graph/{n_skills}/{n_texts}/{k}/{measure}/{replace}/{seed}"
        out[name] = _digest(g.text_skills.astype(np.int64), g.degrees.astype(np.int64))
    for n_skills, n_texts, k, theta, failure, measure, seed, threads, chunk in STREAM_CASES:
        r = sg.stream(
            n_skills, n_texts, k, theta, failure=failure, skill_measure=measure, seed=seed,
            threads=threads, chunk_size=chunk,
        )
        name = f"stream/{n_skills}/{n_texts}/{k}/{theta}/{failure}/{measure}/{seed}"
        key = _digest(r.degrees.astype(np.int64), r.failed_edges.astype(np.int64))
        # every thread count and chunk size must give the same counts: one entry per case
        if out.setdefault(name, key) != key:
            raise AssertionError(f"{name}: counts depend on threads/chunk_size")
    return out


def _numbers(value, digits: int | None = None):
    """NaN as ``None``; floats rounded to ``digits`` significant digits when writing pins.

    The comparison in ``tests/test_pinned.py`` uses a relative tolerance, so the values it
    compares are kept whole (rounding could land either side of a boundary on another CPU).
    """
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return float(f"{value:.{digits}g}") if digits else value
    if isinstance(value, dict):
        return {k: _numbers(v, digits) for k, v in value.items()}
    if isinstance(value, list):
        return [_numbers(v, digits) for v in value]
    return value


def _read_csv(path: Path) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _run(*args: str) -> str:
    cmd = [sys.executable, "-m", "skillgraph", *args]
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


SMALL_EMERGE = [
    "emerge", "--n-texts", "20000", "--n-skills", "300", "--replicates", "2", "--bound-points", "9",
    "--sim-points", "3", "--tuples", "1,2,3", "--n-tuples", "2000", "--no-progress",
]
SMALL_CHECK = ["check", "--n-skills", "100", "--n-texts", "5000", "--k", "8", "--theta", "0.1",
               "--beta", "0.5", "--seed", "1", "--json"]
SIMULATE = [
    ["simulate", "--engine", "graph", "--json"],
    ["simulate", "--engine", "stream", "--json"],
    ["simulate", "--engine", "graph", "--t", "2", "--failure", "deficit",
     "--skill-measure", "zipf", "--json"],
    ["simulate", "--engine", "stream", "--t", "2", "--failure", "deficit",
     "--skill-measure", "zipf", "--json"],
]


def cli_outputs(sims_dir: Path | None = None) -> dict:
    """Run the four pipelines on small settings and collect their numbers."""
    sims_dir = sims_dir or Path(__file__).resolve().parents[2] / "sims"
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _run(*SMALL_EMERGE, "--out", str(tmp / "emerge"))
        out["emerge/results"] = _read_csv(tmp / "emerge" / "results.csv")
        out["emerge/replicates"] = _read_csv(tmp / "emerge" / "replicates.csv")
        _run("sweep", str(sims_dir / "smoke.toml"), "--out", str(tmp / "smoke"), "--workers", "1")
        out["sweep/results"] = _read_csv(tmp / "smoke" / "results.csv")
    out["check"] = _numbers(json.loads(_run(*SMALL_CHECK)))
    for args in SIMULATE:
        out[" ".join(args)] = _numbers(json.loads(_run(*args)))
    return out
