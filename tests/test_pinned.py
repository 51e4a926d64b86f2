"""Pinned outputs: the reorganised package and the faster kernels must give today's numbers.

The reference files in ``tests/pinned/`` were written by ``tests/pinned/make_pins.py`` from
the code as it stood before the restructuring and the performance work; they change only
when a change means to change numbers (and then the README's changelog says so).
"""

from __future__ import annotations

import json
import math
import sys
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

NEW_ROWS: dict[str, dict[str, tuple]] = {"emerge/results": {"source": ("sharp",)}}


def _old_rows(rows: list[dict], key: str) -> list[dict]:
    new = NEW_ROWS.get(key, {})
    return [row for row in rows if not any(row.get(c) in v for c, v in new.items())]


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
        assert len(got) == len(expected)
        for row_got, row_expected in zip(got, expected, strict=True):
            assert row_got == row_expected
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
    else:
        assert got == expected, f"{path}: {got!r} != pinned {expected!r}"


def test_check_certificate_only_improves(cli_now):
    """``check`` now reports the best of certificates A, B and C: never a weaker one."""
    pinned = json.loads((PINNED / "cli.json").read_text())["check"]["certificate"]
    now = cli_now["check"]
    assert now["certificate"]["n_bad_max"] <= pinned["n_bad_max"]
    assert now["certificate"]["log_fail_prob"] <= math.log(now["delta_fail"])
    best = now["adversaries"][now["best"]]["n_bad"]
    expected_gap = (now["certificate"]["n_bad_max"] - best) / now["graph"]["n_skills"]
    assert now["gap"] == pytest.approx(expected_gap)
