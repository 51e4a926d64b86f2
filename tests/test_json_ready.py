"""One conversion to plain JSON for every result: numpy values and non-finite numbers."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import numpy as np
import pytest

from skillgraph._display import json_ready, plain
from skillgraph.theory.sharp_measure import certified_sharp_mass
from skillgraph.theory.sharp_tuples import sharp_tuple_bound
from skillgraph.theory.tuple_certificate import tuple_certificate


@dataclass(frozen=True)
class _Inner:
    values: np.ndarray
    flag: np.bool_


@dataclass(frozen=True)
class _Outer:
    name: str
    count: np.int64
    ratio: float
    inner: _Inner
    pair: tuple


def test_numpy_values_become_the_python_values_they_hold():
    assert plain(np.float32(0.5)) == 0.5 and type(plain(np.float32(0.5))) is float
    assert type(plain(np.int64(7))) is int and type(plain(np.bool_(True))) is bool
    assert plain("x") == "x" and plain(None) is None


def test_dataclasses_arrays_and_tuples_nest_into_plain_json():
    inner = _Inner(np.array([1.5, np.nan, -np.inf]), np.bool_(False))
    value = _Outer("a", np.int64(3), math.inf, inner, (1, np.float64(2.0)))
    expected = {
        "name": "a",
        "count": 3,
        "ratio": None,
        "inner": {"values": [1.5, None, None], "flag": False},
        "pair": [1, 2.0],
    }
    out = json_ready(value)
    assert out == expected
    assert [type(v) for v in (out["count"], out["inner"]["flag"])] == [int, bool]
    assert json.loads(json.dumps(out, allow_nan=False)) == expected


def test_a_format_may_name_its_infinity_but_not_its_nan():
    out = json_ready({"d": [16, math.inf], "low": -math.inf, "x": math.nan}, infinity="inf")
    assert out == {"d": [16, "inf"], "low": None, "x": None}


@pytest.mark.parametrize(
    "result",
    [
        # round(theta * n_texts) = 0 failed pieces: nothing is bad, with certainty (log 0)
        lambda: certified_sharp_mass(100, 1000, 4, 1e-5, 0.5, np.full(100, 0.01)),
        lambda: tuple_certificate(100, 1000, 4, 0.9, 0.5, 2),
        lambda: sharp_tuple_bound(np.array([1e-3, 0.05, 0.3]), 0.5, 8, 2),
    ],
    ids=["mass certificate", "tuple certificate", "tuple law on an array"],
)
def test_results_as_dict_are_strict_json(result):
    r = result()
    d = r.as_dict()
    assert json.loads(json.dumps(d, allow_nan=False)) == d
    for name, value in d.items():
        original = getattr(r, name)
        if isinstance(original, float) and not math.isfinite(original):
            assert value is None, name
        elif isinstance(original, np.ndarray):
            assert value == pytest.approx(original.tolist()), name
