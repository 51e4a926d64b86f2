"""Sweep spec validation (skillgraph.sweep_spec): every malformed spec refused by key path."""

import copy
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillgraph.sweep.spec import SpecError, expand, load_spec, parse_spec, validate_spec

ROOT = Path(__file__).resolve().parents[1]
SIMS = ROOT / "sims"

BASE = {
    "name": "base",
    "seed": 7,
    "replicates": 2,
    "measures": ["bad_fraction", "curve", "tuple", "bound"],
    "grid": {
        "n_skills": [20, 40],
        "n_texts": 100,
        "k": [2, 3],
        "skill_measure": ["uniform", "zipf"],
        "zipf_exponent": [0.5, 1.5],
        "replace": [True],
        "failure": ["random", "deficit"],
        "theta": [0.1, 0.2, 0.3],
        "beta": [0.2, 0.5],
        "t": [2],
        "tuple_mode": ["tensor"],
        "bound_form": ["kl"],
    },
    "options": {"curve_betas": [0.1, 0.5], "n_tuples": 100, "delta_fail": 1e-6},
}


def refused(raw) -> SpecError:
    with pytest.raises(SpecError) as info:
        validate_spec(raw)
    return info.value


def test_base_spec_expands_to_the_full_product():
    spec = validate_spec(copy.deepcopy(BASE))
    items = expand(spec)
    # n_skills 2 x k 2 x (uniform + zipf at 2 exponents = 3) x failure 2 x theta 3 x replicates 2
    assert len(items) == 2 * 2 * 3 * 2 * 3 * 2
    assert [it.index for it in items] == list(range(len(items)))
    # the exponent only varies under Zipf: uniform items carry no exponent
    assert {
        it.params["zipf_exponent"] for it in items if it.params["skill_measure"] == "uniform"
    } == {None}
    keys = {tuple(sorted((k, str(v)) for k, v in it.params.items() if k != "item")) for it in items}
    assert len(keys) == len(items)  # no two items alike


def test_scalars_are_one_element_lists_and_hash_ignores_formatting():
    a = parse_spec("seed = 1\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\ntheta = 0.1\n")
    b = parse_spec(
        "# a comment\nseed = 1\n\n[grid]\nn_skills = [10]\nn_texts = [50]\nk = [2]\n"
        "theta = [0.1]  # failure rate\n"
    )
    c = parse_spec("seed = 2\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\ntheta = 0.1\n")
    assert a.spec_hash == b.spec_hash
    assert a.spec_hash != c.spec_hash


def test_every_sims_spec_is_valid():
    specs = sorted(SIMS.glob("*.toml"))
    assert {p.name for p in specs} >= {
        "smoke.toml",
        "emergence_vs_scale.toml",
        "zipf_skills.toml",
        "finite_size.toml",
    }
    for path in specs:
        assert len(expand(load_spec(path))) >= 1


def test_scale_table_derives_theta_from_the_law():
    from skillgraph.theory import scaling

    spec = parse_spec(
        "seed = 3\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\n"
        '[scale]\nlaw = "chinchilla"\ncompute = [1e22, 1e24]\nmapping = "anchored"\n'
    )
    items = expand(spec)
    assert len(items) == 2
    for item, c in zip(items, [1e22, 1e24], strict=True):
        n, d = scaling.CHINCHILLA.compute_optimal(c)
        # anchored map, computed here from the law's excess loss (theory.md §2)
        expected = 0.05 * scaling.CHINCHILLA.excess(n, d) / scaling.CHINCHILLA.excess(70e9, 1.4e12)
        assert item.params["theta"] == pytest.approx(expected, rel=1e-12)
        assert item.params["compute"] == c and item.params["law"] == "chinchilla"
    assert items[1].params["theta"] < items[0].params["theta"]


@pytest.mark.parametrize(
    "text, path, fragment",
    [
        (
            "seed = 1\n[grid]\nn_skills = 10\nn_text = 50\nk = 2\ntheta = 0.1\n",
            "grid.n_text",
            "did you mean 'n_texts'",
        ),
        (
            "seed = 1\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\ntheta = [0.1, 0.2, 1.5]\n",
            "grid.theta[2]",
            "(0, 1)",
        ),
        ("seed = -1\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\ntheta = 0.1\n", "seed", ">= 0"),
        (
            'seed = "x"\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\ntheta = 0.1\n',
            "seed",
            "string 'x'",
        ),
        (
            "seed = 1\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2.5\ntheta = 0.1\n",
            "grid.k",
            "integer",
        ),
        (
            "seed = 1\nreplicates = 0\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\ntheta = 0.1\n",
            "replicates",
            "in [1, 100000], got 0",
        ),
        ("seed = 1\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\n", "grid.theta", "required"),
        ("[grid]\nn_skills = 10\nn_texts = 50\nk = 2\ntheta = 0.1\n", "seed", "required"),
        (
            'seed = 1\nmeasures = ["bad_fractions"]\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\n'
            "theta = 0.1\n",
            "measures[0]",
            "did you mean 'bad_fraction'",
        ),
        (
            "seed = 1\n[grid]\nn_skills = 10\nn_texts = 50\nk = [2, 2]\ntheta = 0.1\n",
            "grid.k[1]",
            "duplicate",
        ),
        ("seed = 1\n[grid]\nn_skills = 10\nn_texts = 50\nk = []\ntheta = 0.1\n", "grid.k", "empty"),
        (
            "seed = 1\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\ntheta = 0.1\n"
            "[scale]\ncompute = [1e22]\n",
            "grid.theta",
            "not both",
        ),
        (
            "seed = 1\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\n[scale]\ncompute = [1e10]\n",
            "scale.compute[0]",
            "theta must lie in (0, 1)",
        ),
        (
            'seed = 1\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\n[scale]\nlaw = "gpt"\n'
            "compute = [1e22]\n",
            "scale.law",
            "'chinchilla'",
        ),
        (
            "seed = 1\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\n[scale]\nparams = [1e9, 1e10]\n"
            "tokens = [1e11]\n",
            "scale.tokens",
            "as many entries",
        ),
        (
            "seed = 1\n[grid]\nn_skills = 3\nn_texts = 50\nk = 5\nreplace = false\ntheta = 0.1\n",
            "grid.k[0]",
            "<= n_skills",
        ),
        (
            'seed = 1\nmeasures = ["bad_fraction", "tuple"]\n[grid]\nn_skills = 10\n'
            'n_texts = 50\nk = 2\ntheta = 0.1\n[options]\ngraph_mode = "stream"\n',
            "measures[1]",
            "materialised graph",
        ),
        ("seed = 1\ngrid = 5\n", "grid", "must be a table"),
        ("seed = 1\n[grid\n", "<toml>", "not valid TOML"),
        (
            "seed = 1\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\ntheta = 0.1\n[extras]\nx = 1\n",
            "extras",
            "unknown key",
        ),
    ],
)
def test_user_mistakes_are_named(text, path, fragment):
    with pytest.raises(SpecError) as info:
        parse_spec(text)
    message = str(info.value)
    assert re.search(rf"^  {re.escape(path)}: ", message, re.M), message
    assert fragment in message, message


def test_all_problems_reported_at_once():
    raw = copy.deepcopy(BASE)
    raw["grid"]["theta"] = [0.1, 2.0]
    raw["grid"]["k"] = [0]
    raw["bogus"] = 1
    paths = {p for p, _ in refused(raw).problems}
    assert {"grid.theta[1]", "grid.k[0]", "bogus"} <= paths


def test_item_seed_is_the_spawned_child_of_the_master_seed():
    """Item i's graph comes from SeedSequence(seed).spawn(...)[i] -> its child 0."""
    from skillgraph.core.sampling import sample_graph
    from skillgraph.sweep.runner import _sample

    spec = validate_spec(copy.deepcopy(BASE))
    items = expand(spec)
    i = 17
    spawned = np.random.SeedSequence(BASE["seed"]).spawn(len(items))[i].spawn(1)[0]
    p = items[i].params
    expected = sample_graph(
        p["n_skills"],
        p["n_texts"],
        p["k"],
        skill_measure=p["skill_measure"],
        zipf_exponent=p["zipf_exponent"] or 1.0,
        replace=p["replace"],
        seed=spawned,
    )
    got = _sample(items[i], np.random.SeedSequence(BASE["seed"]).spawn(len(items))[i].spawn(1)[0])
    np.testing.assert_array_equal(got.text_indices, expected.text_indices)
    from skillgraph._rng import child_seed

    via_key = _sample(items[i], child_seed(child_seed(np.random.SeedSequence(BASE["seed"]), i), 0))
    np.testing.assert_array_equal(via_key.text_indices, expected.text_indices)


# ---------------------------------------------------------------------------
# hypothesis: malformed specs, as a user might write them

_POSITIVE_INT = {
    ("seed",): (0, None),
    ("replicates",): (1, 100_000),
    ("grid", "n_skills"): (1, 2**31 - 1),
    ("grid", "n_texts"): (1, 10**15),
    ("grid", "k"): (1, 10**6),
    ("grid", "t"): (1, 16),
    ("options", "n_tuples"): (0, 10**8),
}
_OPEN_UNIT = [("grid", "theta"), ("grid", "beta"), ("options", "delta_fail")]
_CHOICES = [
    ("grid", "skill_measure"),
    ("grid", "failure"),
    ("grid", "tuple_mode"),
    ("grid", "bound_form"),
    ("measures",),
    ("options", "graph_mode"),
]
_BOOLS = [("grid", "replace"), ("options", "bernoulli")]

_not_number = st.one_of(
    st.text(max_size=5),
    st.booleans(),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.lists(st.lists(st.integers(), max_size=1), min_size=1, max_size=2),
)


@st.composite
def bad_int(draw, low, high):
    options = [
        _not_number,
        st.integers(max_value=low - 1),
        st.floats(allow_nan=True, allow_infinity=True).filter(
            lambda x: not (x == x and abs(x) != float("inf") and x.is_integer())
        ),
    ]
    if high is not None:
        options.append(st.integers(min_value=high + 1, max_value=high + 10**6))
    return draw(st.one_of(options))


_bad_unit = st.one_of(
    _not_number,
    st.floats().filter(lambda x: not (0 < x < 1)),  # includes nan, inf, 0, 1, negatives
    st.integers().filter(lambda x: not (0 < x < 1)),
)
_bad_choice = st.one_of(
    st.text(max_size=8).filter(
        lambda s: (
            s
            not in {
                "uniform",
                "zipf",
                "random",
                "deficit",
                "adversarial",
                "tensor",
                "cooccur",
                "kl",
                "paper",
                "bad_fraction",
                "curve",
                "tuple",
                "bound",
                "certificate",
                "adversary",
                "materialize",
            }
        )
    ),
    st.integers(),
    st.booleans(),
    st.floats(allow_nan=False),
)
_bad_bool = st.one_of(st.integers(), st.text(max_size=4), st.floats(allow_nan=False))


def _set(raw, path, value):
    node = raw
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


@st.composite
def malformed(draw):
    """A valid base spec with exactly one mistake; returns (spec, path fragment expected)."""
    raw = copy.deepcopy(BASE)
    kind = draw(st.sampled_from(["int", "unit", "choice", "bool", "unknown", "in_list", "empty"]))
    if kind == "int":
        path, (lo, hi) = draw(st.sampled_from(sorted(_POSITIVE_INT.items())))
        value = draw(bad_int(lo, hi))
        _set(raw, path, value)
        return raw, ".".join(path)
    if kind == "unit":
        path = draw(st.sampled_from(_OPEN_UNIT))
        _set(raw, path, draw(_bad_unit))
        return raw, ".".join(path)
    if kind == "choice":
        path = draw(st.sampled_from(_CHOICES))
        _set(raw, path, draw(_bad_choice))
        return raw, ".".join(path)
    if kind == "bool":
        path = draw(st.sampled_from(_BOOLS))
        _set(raw, path, draw(_bad_bool))
        return raw, ".".join(path)
    if kind == "unknown":
        table = draw(st.sampled_from([(), ("grid",), ("options",)]))
        allowed = (
            set(raw)
            if not table
            else set(raw[table[0]])
            | {
                "n_skills",
                "n_texts",
                "k",
                "skill_measure",
                "zipf_exponent",
                "replace",
                "failure",
                "theta",
                "beta",
                "t",
                "tuple_mode",
                "bound_form",
                "curve_betas",
                "n_tuples",
                "delta_fail",
                "bernoulli",
                "graph_mode",
                "scale",
                "description",
                "options",
                "grid",
            }
        )
        key = draw(
            st.text(st.characters(categories=["Ll", "Nd"]), min_size=1, max_size=10).filter(
                lambda s: s not in allowed and s not in {"name", "seed", "replicates", "measures"}
            )
        )
        _set(raw, table + (key,), 1)
        return raw, ".".join(table + (key,))
    if kind == "in_list":
        # one bad element inside an otherwise good list: the message names its index
        key = draw(st.sampled_from(["theta", "beta"]))
        values = list(raw["grid"][key])
        j = draw(st.integers(0, len(values)))
        values.insert(j, draw(_bad_unit))
        raw["grid"][key] = values
        return raw, f"grid.{key}[{j}]"
    key = draw(st.sampled_from(["n_skills", "k", "theta", "failure", "beta"]))
    raw["grid"][key] = []
    return raw, f"grid.{key}"


@given(malformed())
def test_malformed_specs_are_refused_naming_the_key(case):
    raw, path = case
    error = refused(raw)  # SpecError, never an exception from inside the engine
    paths = [p for p, _ in error.problems]
    assert any(p == path or p.startswith(path + "[") for p in paths), (path, str(error))
    assert path in str(error)
