"""The sweep measurements of the sharp tuple law: sharp_tuples, tuple_certificate, tuple_adversary.

References: ``sharp_tuple_bound`` and ``tuple_certificate`` called here directly
(their own tests are tests/test_sharp_tuples.py and
tests/test_tuple_certificate.py); the adversary is held against the
certificate and the limit's sides; the shipped spec validates.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from skillgraph.sweep.runner import load_spec, parse_spec, run_sweep
from skillgraph.tables import read_table
from skillgraph.theory.sharp_tuples import sharp_tuple_bound
from skillgraph.theory.tuple_certificate import tuple_certificate

ROOT = Path(__file__).resolve().parents[1]

SPEC = """
name = "tiny_tuples"
seed = 5
replicates = 1
measures = ["sharp_tuples", "tuple_certificate", "tuple_adversary", "bound", "tuple"]
[grid]
n_skills = 40
n_texts = 8000
k = 8
failure = "random"
theta = 0.05
beta = 0.5
t = [2, 3]
tuple_mode = "tensor"
"""


@pytest.fixture(scope="module")
def table(tmp_path_factory):
    out = tmp_path_factory.mktemp("tuples") / "run"
    summary = run_sweep(parse_spec(SPEC), out, progress=False)
    assert summary.ok
    return read_table(out / "results.csv")


def value(table, quantity, t):
    (row,) = [r for r in table if r["quantity"] == quantity and int(r["t"]) == t]
    return float(row["value"])


@pytest.mark.parametrize("t", [2, 3])
def test_rows_against_direct_calls(table, t):
    law = sharp_tuple_bound(0.05, 0.5, 8, t)
    assert value(table, "sharp_tuple_lower", t) == pytest.approx(law.lower, rel=1e-12)
    assert value(table, "sharp_tuple_upper", t) == pytest.approx(law.upper, rel=1e-12)
    cert = tuple_certificate(40, 8000, 8, 0.05, 0.5, t, delta_fail=1e-6)
    assert value(table, "tuple_certified_mass", t) == pytest.approx(cert.bound, rel=1e-12)
    adversary = value(table, "tuple_adversary_bad_mass", t)
    assert 0 < adversary <= value(table, "tuple_certified_mass", t)
    # the paper's Corollary 2 for the same t sits above the proven upper side
    (star,) = [float(r["value"]) for r in table if r["quantity"] == "alpha_star"
               and int(r["t"]) == t]  # fmt: skip
    assert law.upper <= star


def test_shipped_spec_validates():
    spec = load_spec(ROOT / "sims" / "sharp_tuples.toml")
    names = set(spec.data["measurements"])
    assert {"sharp_tuples", "tuple_certificate", "tuple_adversary"} <= names
