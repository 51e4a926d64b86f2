"""One type rule and one home for every limit, for the public functions of every layer."""

from __future__ import annotations

import dataclasses
import decimal
import fractions
import math
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import skillgraph as sg
from skillgraph._validation import MAX_K, MAX_SEED, MAX_SKILLS, MAX_T, MAX_TEXTS, check_int
from skillgraph.core.intervals import wilson_interval
from skillgraph.emergence.config import EmergeConfig
from skillgraph.mechanisms.induction.config import InductionConfig
from skillgraph.mechanisms.memory.config import MemoryConfig
from skillgraph.mechanisms.superposition.config import SuperposeConfig
from skillgraph.sweep.spec import SpecError, parse_spec

# the same count written in every accepted way
_FIFTY = [50, np.int64(50), np.uint16(50), 50.0, np.float32(50), np.float64(50),
          fractions.Fraction(100, 2), decimal.Decimal("50"), decimal.Decimal("5E1")]  # fmt: skip
_NOT_COUNTS = [50.5, np.float32(50.5), fractions.Fraction(101, 2), decimal.Decimal("50.5"),
               True, np.bool_(True), math.nan, math.inf, -math.inf, decimal.Decimal("NaN"),
               "50", None, [50], 50 + 0j]  # fmt: skip


@pytest.mark.parametrize("value", _FIFTY, ids=repr)
def test_a_count_written_any_exact_way_samples_the_same_graph(value):
    reference = sg.sample_graph(50, 50, 3, seed=1)
    for name in ("n_skills", "n_texts"):
        graph = sg.sample_graph(**{"n_skills": 50, "n_texts": 50, "k": 3, name: value}, seed=1)
        np.testing.assert_array_equal(graph.text_skills, reference.text_skills)
        assert type(graph.n_skills) is int and type(graph.n_texts) is int
    assert check_int("n", value) == 50 and type(check_int("n", value)) is int


def test_large_integral_floats_are_counts():
    assert check_int("n_texts", 1e5) == 100_000
    assert check_int("n_texts", 1e15) == 10**15


@pytest.mark.parametrize("value", _NOT_COUNTS, ids=repr)
@pytest.mark.parametrize("name", ["n_skills", "n_texts", "k"])
def test_anything_else_is_refused_as_a_count_naming_the_parameter(name, value):
    args = {"n_skills": 50, "n_texts": 50, "k": 3, name: value}
    for run in (sg.sample_graph, lambda **a: sg.stream(**a, theta=0.1),
                lambda **a: sg.stream_plan(**a, theta=0.1)):
        with pytest.raises((TypeError, ValueError), match=rf"^{name} must be"):
            run(**args)


@given(st.one_of(st.fractions(min_value=fractions.Fraction(1, 10**6), max_value=0.999),
                 st.decimals("0.000001", "0.999", places=6)))
def test_fractions_and_decimals_are_reals(theta):
    assert sg.alpha_star(theta, 0.5, 8) == sg.alpha_star(float(theta), 0.5, 8)
    assert sg.alpha_star([theta], 0.5, 8)[0] == sg.alpha_star(float(theta), 0.5, 8)
    assert sg.stream(20, 50, 2, theta, seed=3).n_failed_texts == sg.stream(
        20, 50, 2, float(theta), seed=3).n_failed_texts


@pytest.mark.parametrize("theta", [True, np.bool_(False), math.nan, math.inf,
                                   decimal.Decimal("NaN"), decimal.Decimal("Infinity")], ids=repr)
def test_bools_and_non_finite_numbers_are_refused_as_reals(theta):
    with pytest.raises((TypeError, ValueError), match="^theta must be"):
        sg.stream(10, 10, 2, theta, seed=0)
    with pytest.raises((TypeError, ValueError), match="^theta must be"):
        sg.alpha_star(theta, 0.5, 8)


def test_wilson_interval_refuses_a_proportion_outside_the_unit_interval():
    with pytest.raises(ValueError, match=r"^p must be in \[0, 1\]"):
        wilson_interval(1.5, 10)
    with pytest.raises(ValueError, match=r"^n must be in \[0, inf\)"):
        wilson_interval(0.5, -1)
    with pytest.raises(TypeError, match="^p must be a real number"):
        wilson_interval(True, 10)
    low, high = wilson_interval(fractions.Fraction(3, 10), np.int64(10))
    assert (low, high) == wilson_interval(0.3, 10.0)


@pytest.mark.parametrize("seed", [0, np.int64(7), np.uint64(2**63 - 1), MAX_SEED - 1,
                                  np.random.SeedSequence(3), np.random.default_rng(4)], ids=repr)
def test_seeds_are_ints_below_two_to_the_63_or_numpy_seeds(seed):
    sg.sample_graph(5, 5, 2, seed=seed)


@pytest.mark.parametrize("seed", [-1, MAX_SEED, 2**64, True, 1.0, "1", fractions.Fraction(1)],
                         ids=repr)  # fmt: skip
def test_other_seeds_are_refused(seed):
    with pytest.raises((TypeError, ValueError), match=r"^seed must be"):
        sg.sample_graph(5, 5, 2, seed=seed)


def _spec(**grid) -> str:
    base = {"n_skills": 10, "n_texts": 20, "k": 2, "theta": 0.1} | grid
    return "seed = 1\n[grid]\n" + "".join(f"{k} = {v}\n" for k, v in base.items())


@pytest.mark.parametrize("name, limit", [("n_skills", MAX_SKILLS), ("n_texts", MAX_TEXTS),
                                         ("k", MAX_K)])  # fmt: skip
def test_one_limit_per_parameter_in_every_layer(name, limit):
    """The graph's limits are the same for the sampler, the stream, emerge and sweep specs."""
    refusals = [
        lambda v: sg.sample_graph(**{"n_skills": 10, "n_texts": 10, "k": 2, name: v}),
        lambda v: sg.stream(**{"n_skills": 10, "n_texts": 10, "k": 2, name: v}, theta=0.1),
        lambda v: EmergeConfig(**{name: v}),
    ]
    if name != "n_skills":  # the memory's graphs take their skills from n_inputs
        refusals.append(lambda v: MemoryConfig(**{name: v}))
    for refuse in refusals:
        with pytest.raises(ValueError, match=rf"^{name} must be <= {limit}"):
            refuse(limit + 1)
    with pytest.raises(SpecError, match=f"grid.{name}"):
        parse_spec(_spec(**{name: limit + 1}))


_CONFIGS = [EmergeConfig, MemoryConfig, InductionConfig, SuperposeConfig]


@pytest.mark.parametrize(
    "config, field", [(c, f.name) for c in _CONFIGS for f in dataclasses.fields(c)],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_a_config_names_the_field_it_refuses(config, field):
    """Whatever the bad value, the error names the field (not a helper's parameter)."""
    for value in (math.nan, -1, "x", (), 2**70, [None]):
        try:
            config(**{field: value})
        except (ValueError, TypeError) as error:
            assert re.search(rf"\b{field}\b", str(error)), (value, str(error))


def test_one_limit_on_tuple_sizes():
    with pytest.raises(ValueError, match=f"must be <= {MAX_T}"):
        EmergeConfig(tuples=(1, MAX_T + 1))
    with pytest.raises(SpecError, match="grid.t"):
        parse_spec(_spec(t=MAX_T + 1))
    assert EmergeConfig(tuples=(1, MAX_T), sim_points=0).tuples == (1, MAX_T)
