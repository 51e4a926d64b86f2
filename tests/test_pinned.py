"""Pinned outputs: the reorganised package and the faster kernels must give today's numbers.

The reference files in ``tests/pinned/`` were written by ``tests/pinned/make_pins.py`` from
the code as it stood before the restructuring and the performance work; they change only
when a change means to change numbers (and then the README's changelog says so).

How values are compared, so that the pins hold on any CPU and BLAS build yet catch any real
change: integers, strings and the sampled-graph hashes exactly; floats within ``RTOL``
relative (plus ``ATOL`` for values that should be zero); table rows matched by their
identity (every cell that is not a float), in order within one identity.  The JSON pins were
rounded to 12 significant digits when written, which ``RTOL`` covers with room to spare.
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from pathlib import Path

import pytest

PINNED = Path(__file__).resolve().parent / "pinned"
sys.path.insert(0, str(PINNED))

from pinned_cases import cli_outputs, sample_hashes  # noqa: E402

# Columns deliberately renamed since the pins were taken: {pipeline: {old: new}}.
RENAMED: dict[str, dict[str, str]] = {"sweep/results": {"measure": "quantity"}}


# Tables whose NaN cells were written empty when the pins were taken and are now written
# ``nan`` (skillgraph.tables' one cell format): both spellings mean NaN there.
NAN_AS_EMPTY = ("emerge/results", "emerge/replicates")


def _renamed(rows: list[dict], key: str) -> list[dict]:
    mapping = RENAMED.get(key, {})
    return [{mapping.get(name, name): value for name, value in row.items()} for row in rows]


# Rows added since the pins were taken (a new quantity of the same run), {pipeline: {column:
# values}}: left out of the comparison, every other row must be unchanged and in its place.
# Fields that a deliberate change made better, compared on their own below: since the sharp
# worst case, ``check`` reports the best of certificates A, B and C (C is new) and the gap
# and message that follow from it.
IMPROVED: dict[str, tuple[str, ...]] = {"check": ("certificate", "gap", "message")}
# Fields added since (the sandwich, the targeted adversary, alpha_sharp) are allowed: the
# JSON outputs are compared as "every pinned value is still there and equal".

# The band of the sharp tuple law (sources sharp_lower, sharp_upper) is new since as well.
NEW_ROWS: dict[str, dict[str, tuple]] = {
    "emerge/results": {"source": ("sharp", "sharp_lower", "sharp_upper")}
}

# Columns added since the pins were taken, {pipeline: columns}: left out of the comparison.
# Sweep tables now say where each number comes from in a ``source`` column, as emerge tables
# do (``bound``, ``averaging``, ``sharp``, ``certificate``, ``adversary`` or the failure
# model), so that one pivot works on both; no other cell changed.
NEW_COLUMNS: dict[str, tuple[str, ...]] = {"sweep/results": ("source",)}

# Floats: a reduction's order may differ between CPUs (SIMD width, BLAS kernel), which moves
# the last digits (6.6e-13 relative seen); a change of meaning moves far more.
RTOL = 1e-10
ATOL = 1e-13


def _parse_cell(text: str):
    """A table cell as int, float or str (the form it must be compared in)."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def same_number(got, expected) -> bool:
    """Equal for ints, bools and strings; within RTOL/ATOL for floats (NaN equals NaN)."""
    if isinstance(expected, float) or isinstance(got, float):
        if not isinstance(got, int | float) or not isinstance(expected, int | float):
            return False
        if math.isnan(expected) or math.isnan(got):
            return math.isnan(expected) and math.isnan(got)
        return math.isclose(got, expected, rel_tol=RTOL, abs_tol=ATOL)
    return type(got) is type(expected) and got == expected


def _identity(row: dict) -> tuple:
    return tuple(sorted((name, cell) for name, cell in row.items() if not isinstance(cell, float)))


def assert_same_rows(got: list[dict], expected: list[dict]) -> None:
    """The same rows, matched by identity; every float cell within tolerance."""
    assert len(got) == len(expected)
    groups: dict[tuple, list[dict]] = defaultdict(list)
    for row in got:
        parsed = {name: _parse_cell(cell) for name, cell in row.items()}
        groups[_identity(parsed)].append(parsed)
    for row in expected:
        parsed = {name: _parse_cell(cell) for name, cell in row.items()}
        candidates = groups.get(_identity(parsed))
        assert candidates, f"pinned row {row} has no counterpart"
        match = candidates.pop(0)
        assert match.keys() == parsed.keys(), f"columns differ: {sorted(match)} != {sorted(parsed)}"
        for name, value in parsed.items():
            assert same_number(match[name], value), f"{name}: {match[name]!r} != pinned {value!r}"


def _old_rows(rows: list[dict], key: str) -> list[dict]:
    new = NEW_ROWS.get(key, {})
    dropped = NEW_COLUMNS.get(key, ())
    return [
        {name: cell for name, cell in row.items() if name not in dropped}
        for row in rows
        if not any(row.get(c) in v for c, v in new.items())
    ]


def _nan_cells(rows: list[dict], key: str) -> list[dict]:
    if key not in NAN_AS_EMPTY:
        return rows
    return [{name: "" if value == "nan" else value for name, value in row.items()} for row in rows]


def test_sampled_graphs_and_streams_are_unchanged():
    expected = json.loads((PINNED / "samples.json").read_text())
    assert sample_hashes() == expected


@pytest.fixture(scope="module")
def cli_now():
    return cli_outputs()


@pytest.mark.parametrize("key", json.loads((PINNED / "cli.json").read_text()).keys())
def test_pipeline_outputs_are_unchanged(cli_now, key):
    expected = json.loads((PINNED / "cli.json").read_text())[key]
    got = cli_now[key]
    if isinstance(expected, list):
        expected = _nan_cells(_renamed(expected, key), key)
        got = _nan_cells(_old_rows(got, key), key)
        assert_same_rows(got, expected)
    else:
        improved = IMPROVED.get(key, ())
        _assert_contains(
            {k: v for k, v in got.items() if k not in improved},
            {k: v for k, v in expected.items() if k not in improved},
        )


def _assert_contains(got, expected, path="") -> None:
    """Every value pinned is still there and equal; fields added since are allowed."""
    if isinstance(expected, dict):
        assert isinstance(got, dict), path
        for name, value in expected.items():
            assert name in got, f"{path}/{name} is gone"
            _assert_contains(got[name], value, f"{path}/{name}")
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), path
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            _assert_contains(g, e, f"{path}[{i}]")
    else:
        assert same_number(got, expected), f"{path}: {got!r} != pinned {expected!r}"


def test_check_certificate_only_improves(cli_now):
    """``check`` now reports the best of certificates A, B and C: never a weaker one."""
    pinned = json.loads((PINNED / "cli.json").read_text())["check"]["certificate"]
    now = cli_now["check"]
    assert now["certificate"]["n_bad_max"] <= pinned["n_bad_max"]
    assert now["certificate"]["log_fail_prob"] <= math.log(now["delta_fail"])
    best = now["adversaries"][now["best"]]["n_bad"]
    expected_gap = (now["certificate"]["n_bad_max"] - best) / now["graph"]["n_skills"]
    assert now["gap"] == pytest.approx(expected_gap)


def _perturbed_float(value: float) -> float:
    return value * (1 + 1e-8)


def test_pins_catch_a_small_change_in_a_float_or_a_count():
    """The tolerance is loose enough for CPU noise and tight enough for any real change."""
    rows = json.loads((PINNED / "cli.json").read_text())["sweep/results"]
    assert_same_rows([dict(row) for row in rows], rows)
    value_row = next(i for i, r in enumerate(rows) if abs(_parse_cell(r["value"]) or 0) > 0.01)
    changed = [dict(row) for row in rows]
    changed[value_row]["value"] = repr(_perturbed_float(float(rows[value_row]["value"])))
    with pytest.raises(AssertionError):
        assert_same_rows(changed, rows)
    count_row = next(i for i, r in enumerate(rows) if r["n"] not in ("", "nan"))
    changed = [dict(row) for row in rows]
    changed[count_row]["n"] = str(int(rows[count_row]["n"]) + 1)
    with pytest.raises(AssertionError):
        assert_same_rows(changed, rows)
    pinned_check = json.loads((PINNED / "cli.json").read_text())["check"]
    moved = json.loads(json.dumps(pinned_check))
    moved["bound"]["alpha_star_kl"] = _perturbed_float(moved["bound"]["alpha_star_kl"])
    with pytest.raises(AssertionError):
        _assert_contains(moved, pinned_check)
    moved = json.loads(json.dumps(pinned_check))
    moved["n_failed"] += 1
    with pytest.raises(AssertionError):
        _assert_contains(moved, pinned_check)
    # and CPU-sized noise passes: a relative change of 1e-12 in every float
    noisy = json.loads(json.dumps(pinned_check), parse_float=lambda t: float(t) * (1 + 1e-12))
    _assert_contains(noisy, pinned_check)
