"""Sweep spec validation (skillgraph.sweep.spec): every malformed spec refused by key path."""

import copy
import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from skillgraph._validation import MAX_K, MAX_SEED, MAX_T, MAX_TEXTS
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
    # drafts wait for their measurement to be registered (they say so in their header)
    specs = [p for p in sorted(SIMS.glob("*.toml")) if "# DRAFT" not in p.read_text()]
    assert {p.name for p in specs} >= {
        "smoke.toml",
        "emergence_vs_scale.toml",
        "zipf_skills.toml",
        "finite_size.toml",
        "tightness.toml",
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
        # anchored map, computed here from the law's excess loss (docs/theory/loss_to_theta.rst)
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
        ("seed = -1\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\ntheta = 0.1\n", "seed",
         "in [0, 9223372036854775807]"),
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
            'n_texts = 50\nk = 2\ntheta = 0.1\ntuple_mode = ["tensor", "cooccur"]\n'
            '[options]\ngraph_mode = "stream"\n',
            "grid.tuple_mode[1]",
            "materialised graph",
        ),
        (
            'seed = 1\nmeasures = ["adversary"]\n[grid]\nn_skills = 10\n'
            'n_texts = 50\nk = 2\ntheta = 0.1\n[options]\nengine = "stream"\n',
            "measures[0]",
            "materialised graph",
        ),
        (
            "seed = 1\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\ntheta = 0.1\n"
            '[options]\nengine = "stream"\ngraph_mode = "stream"\n',
            "options.graph_mode",
            "only one",
        ),
        (
            "seed = 1\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\ntheta = 0.1\n"
            '[options]\nengine = "auto"\n',
            "options.engine",
            "'graph', 'stream'",
        ),
        (
            'seed = 1\nmeasures = ["bound"]\nmeasurements = ["bound"]\n[grid]\nn_skills = 10\n'
            "n_texts = 50\nk = 2\ntheta = 0.1\n",
            "measurements",
            "not both",
        ),
        (
            "seed = 1\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\ntheta = 0.1\n"
            "zipf_exponent = [1.5, 2.0]\n",
            "grid.zipf_exponent",
            'skill_measure "zipf" only',
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
    assert "\n" not in message  # one line: the command line prints it as is
    assert re.search(rf"(: |; ){re.escape(path)}: ", message), message
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
    from skillgraph.core import failures
    from skillgraph.core.sampling import sample_graph
    from skillgraph.sweep.context import item_context

    spec = validate_spec(copy.deepcopy(BASE))
    items = expand(spec)
    i = 17
    children = np.random.SeedSequence(BASE["seed"]).spawn(len(items))[i].spawn(2)
    p = items[i].params
    expected = sample_graph(
        p["n_skills"],
        p["n_texts"],
        p["k"],
        skill_measure=p["skill_measure"],
        zipf_exponent=p["zipf_exponent"] or 1.0,
        replace=p["replace"],
        seed=children[0],
    )
    model = failures.FAILURE_MODELS[p["failure"]]
    expected_failed = model(expected, p["theta"], seed=children[1])
    ctx = item_context(items[i])
    np.testing.assert_array_equal(ctx.graph.text_indices, expected.text_indices)
    np.testing.assert_array_equal(ctx.failed, expected_failed)
    # the one SkillCounts every measurement reads: degrees and failed-edge counts, by brute force
    ts = expected.text_skills
    degrees = np.bincount(ts.ravel(), minlength=p["n_skills"])
    failed_edges = np.bincount(ts[expected_failed].ravel(), minlength=p["n_skills"])
    np.testing.assert_array_equal(ctx.counts.degrees, degrees)
    np.testing.assert_array_equal(ctx.counts.failed_edges, failed_edges)
    assert ctx.counts.n_failed_texts == expected_failed.sum()


# Hashes computed by skillgraph 0.1 (commit d690c73, skillgraph/sweep_spec.py, run from an
# export of that commit: ``git archive d690c73 | tar -x -C /tmp/old`` then
# ``PYTHONPATH=/tmp/old python -c "import skillgraph.sweep_spec as s; print(s.load_spec(...))"``).
# Stores made by 0.1 carry these; an unchanged spec file must keep its hash to resume them.
OLD_HASHES = {
    "smoke.toml": "05e95d74a785814213adabe50dd4ce8086083d34e89d26e1b5e711ca94829c31",
    "emergence_vs_scale.toml": "af2fc7cbef1e48bf22cb4f946a1f2583a5cdf9c03dc26d2b8cfa7bd232ef00c1",
    "finite_size.toml": "c522503df25f77a941f81aab39ba6ac68df82bd532759941f7e3f73d4b2c44fb",
    "tightness.toml": "05f9a98f05cd24a085a5d7476216fef80209e34d6228d76b53e738057d163091",
    "zipf_skills.toml": "d712863bdb1c90fc447a6692fedc3f9444d30d0882ca329f3675ad96c791f55e",
}
STREAM_SPEC = (
    'seed = 11\nmeasures = ["bad_fraction", "curve", "bound", "certificate"]\n'
    "[grid]\nn_skills = 40\nn_texts = 2000\nk = 3\ntheta = 0.2\n"
    'failure = ["random", "deficit"]\nbeta = [0.3, 0.5]\n'
    '[options]\ngraph_mode = "stream"\ncurve_betas = [0.3, 0.5]\n'
)
OLD_STREAM_HASH = "3de71f267d9a8bcc365a5f526c9564c69e86a695f4e4302474b0c4717bdc1e85"
OLD_MATERIALIZE_HASH = "f0e33b201773d2e488062d167a025a8f494ed39b28edd32a257d741bc6020ae3"


@pytest.mark.parametrize("name", sorted(OLD_HASHES))
def test_unchanged_spec_files_keep_the_hash_of_version_0_1(name):
    assert load_spec(SIMS / name).spec_hash == OLD_HASHES[name]


def test_engine_and_its_old_name_graph_mode_give_the_same_spec():
    old = parse_spec(STREAM_SPEC)
    assert old.spec_hash == OLD_STREAM_HASH
    assert old.engine == "stream" and old.data["options"]["engine"] == "stream"
    new = parse_spec(STREAM_SPEC.replace('graph_mode = "stream"', 'engine = "stream"'))
    assert new.spec_hash == OLD_STREAM_HASH
    for spelling in ('graph_mode = "materialize"', 'engine = "graph"', 'graph_mode = "graph"'):
        spec = parse_spec(STREAM_SPEC.replace('graph_mode = "stream"', spelling))
        assert spec.engine == "graph" and spec.spec_hash == OLD_MATERIALIZE_HASH
    # measurements is a synonym of the file key measures
    synonym = parse_spec(STREAM_SPEC.replace("measures =", "measurements ="))
    assert synonym.spec_hash == OLD_STREAM_HASH


def test_stream_specs_may_measure_tensor_tuples():
    spec = parse_spec(
        'seed = 1\nmeasures = ["tuple"]\n[grid]\nn_skills = 10\nn_texts = 50\nk = 2\n'
        'theta = 0.1\ntuple_mode = "tensor"\n[options]\nengine = "stream"\n'
    )
    assert spec.engine == "stream"


def test_names_come_from_their_one_home():
    """Failure models, engines, laws, mappings and forms are read, not copied."""
    from skillgraph.core.engine import ENGINES
    from skillgraph.core.failures import FAILURE_MODELS
    from skillgraph.sweep import registry
    from skillgraph.sweep.builtins import load_builtins
    from skillgraph.theory import bounds, scaling

    load_builtins()
    assert set(FAILURE_MODELS) <= set(registry.failure_model_names())
    for field_, options in [("grid.failure", FAILURE_MODELS), ("grid.bound_form", bounds.FORMS),
                            ("scale.law", scaling.LAWS), ("scale.mapping", scaling.MAPPINGS),
                            ("options.engine", ENGINES)]:  # fmt: skip
        table, key = field_.split(".")
        raw = copy.deepcopy(BASE)
        if table == "scale":
            del raw["grid"]["theta"]
            raw["scale"] = {"compute": [1e22], key: "nonsense"}
        else:
            raw.setdefault(table, {})[key] = "nonsense"
        message = str(refused(raw))
        assert all(repr(name) in message for name in options), (field_, message)


def test_the_zipf_exponent_has_the_samplers_limit():
    """A spec, the sampler and the certificates accept the same exponents (once 20 vs 50)."""
    from skillgraph._validation import MAX_ZIPF_EXPONENT
    from skillgraph.core.graph import skill_measure_array
    from skillgraph.theory.sharp_measure import measure_weights

    above = float(np.nextafter(MAX_ZIPF_EXPONENT, np.inf))
    for exponent, valid in [(MAX_ZIPF_EXPONENT, True), (above, False)]:
        raw = copy.deepcopy(BASE)
        raw["grid"]["zipf_exponent"] = [exponent]
        accepted = []
        for check, arguments in [(validate_spec, (raw,)),
                                 (skill_measure_array, (9, "zipf", exponent)),
                                 (measure_weights, (9, "zipf", exponent))]:  # fmt: skip
            try:
                check(*arguments)
                accepted.append(True)
            except (SpecError, ValueError) as error:
                assert "zipf_exponent" in str(error)
                accepted.append(False)
        assert accepted == [valid] * 3, (exponent, accepted)


# ---------------------------------------------------------------------------
# hypothesis: malformed specs, as a user might write them

_POSITIVE_INT = {
    ("seed",): (0, MAX_SEED - 1),
    ("replicates",): (1, 100_000),
    ("grid", "n_skills"): (1, 2**31 - 1),
    ("grid", "n_texts"): (1, MAX_TEXTS),
    ("grid", "k"): (1, MAX_K),
    ("grid", "t"): (1, MAX_T),
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
    ("options", "engine"),
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
                "materialise",
                "graph",
                "stream",
                "measurements",
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
                "engine",
                "scale",
                "description",
                "options",
                "grid",
            }
        )
        key = draw(
            st.text(st.characters(categories=["Ll", "Nd"]), min_size=1, max_size=10).filter(
                lambda s: s not in allowed
                and s not in {"name", "seed", "replicates", "measures", "measurements"}
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


# ---------------------------------------------------------------------------
# work that cannot finish is refused up front, with the estimate


def test_a_measurement_axis_counts_against_the_work_limit():
    """One item with 100,000 thresholds: 100,000 bad fractions + 200,000 bound rows + 1."""
    from skillgraph.sweep.spec import SweepTooLarge

    betas = [(i + 1) / 100_001 for i in range(100_000)]
    text = f"seed = 1\n[grid]\nn_skills = 100\nn_texts = 1000\nk = 4\ntheta = 0.1\nbeta = {betas}\n"
    with pytest.raises(SweepTooLarge) as info:
        parse_spec(text)
    assert [p for p, _ in info.value.problems] == ["grid.beta"]
    assert "300,001 table rows" in str(info.value)


def test_a_stream_item_that_cannot_finish_fails_validation_with_an_estimate():
    from skillgraph.sweep.spec import SweepTooLarge

    text = (
        "seed = 1\n[grid]\nn_skills = 1000\nn_texts = 1e15\nk = 1e6\ntheta = 0.1\n"
        '[options]\nengine = "stream"\n'
    )
    with pytest.raises(SweepTooLarge) as info:
        parse_spec(text)
    message = str(info.value)
    assert info.value.problems[0][0] == "grid.n_texts"
    # 1e21 edge slots at no more than 1e9 slots per second is more than 3e4 years
    years = float(re.search(r"about ([0-9.e+]+) years", message).group(1))
    assert years > 3e4
    assert "SKILLGRAPH_MAX_HOURS" in message
    assert isinstance(info.value, SpecError)


def test_the_time_limit_can_be_lifted_deliberately(monkeypatch):
    from skillgraph.sweep.spec import SweepTooLarge

    text = (
        'seed = 1\nmeasures = ["certificate"]\n[grid]\nn_skills = 100_000_000\nn_texts = 1000\n'
        f"k = 4\ntheta = 0.1\nbeta = {[round(0.001 * i, 3) for i in range(1, 101)]}\n"
    )
    with pytest.raises(SweepTooLarge, match="grid.beta: .* days"):
        parse_spec(text)
    monkeypatch.setenv("SKILLGRAPH_MAX_HOURS", str(24 * 365))
    assert len(expand(parse_spec(text))) == 1


def test_estimated_rows_are_the_rows_a_spec_produces():
    """The cost model's row count, against a count by hand from the spec's axes."""
    from skillgraph.sweep.spec import estimate

    spec = validate_spec(copy.deepcopy(BASE))
    n_items = len(expand(spec))
    betas, curve_betas, ts, modes, forms = 2, 2, 1, 1, 1
    # the failure rate; a bad fraction per beta; a curve point per curve beta; a tuple
    # fraction per (t, mode, beta); per beta and t in {1, 2}: alpha_star per form + averaging
    per_item = 1 + betas + curve_betas + ts * modes * betas + betas * 2 * (forms + 1)
    cost = estimate(spec)
    assert cost.n_items == n_items
    assert cost.rows == n_items * per_item


# ---------------------------------------------------------------------------
# the registry: a new measurement in one place


def test_a_registered_measurement_with_its_own_table_is_validated_and_hashed():
    from skillgraph.sweep import registry

    def table(raw):
        unknown = set(raw) - {"scale_factor"}
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}; allowed: scale_factor")
        factor = raw.get("scale_factor", 1.0)
        if not isinstance(factor, (int, float)) or factor <= 0:
            raise ValueError(f"scale_factor must be a positive number, got {factor!r}")
        return {"scale_factor": float(factor)}

    @registry.register_measurement("scaled_degree", table=table, columns=("scale_factor",))
    def scaled_degree(ctx):
        factor = ctx.settings["scaled_degree"]["scale_factor"]
        return [ctx.row("scaled_degree", scale_factor=factor,
                        value=factor * float(ctx.counts.degrees.mean()))]  # fmt: skip

    try:
        base = 'seed = 1\nmeasures = ["scaled_degree"]\n[grid]\nn_skills = 10\nn_texts = 50\n'
        base += "k = 2\ntheta = 0.1\n"
        default = parse_spec(base)
        assert expand(default)[0].settings["scaled_degree"] == {"scale_factor": 1.0}
        doubled = parse_spec(base + "[scaled_degree]\nscale_factor = 2\n")
        assert doubled.spec_hash != default.spec_hash
        with pytest.raises(SpecError, match="scaled_degree: scale_factor must be a positive"):
            parse_spec(base + "[scaled_degree]\nscale_factor = -1\n")
        with pytest.raises(SpecError, match="is not measured"):
            parse_spec(base.replace('"scaled_degree"', '"bound"') + "[scaled_degree]\n")
    finally:
        registry.unregister_measurement("scaled_degree")
    with pytest.raises(SpecError, match=r"measures\[0\]: must be one of"):
        parse_spec(base)


def test_registry_refuses_a_second_registration_and_restores_an_override():
    from skillgraph.sweep import registry
    from skillgraph.sweep.builtins import load_builtins

    load_builtins()
    original = registry.get_measurement("bound")
    with pytest.raises(ValueError, match="already registered"):
        registry.register_measurement("bound")(lambda ctx: [])
    with registry.override_measurement("bound", lambda ctx: []):
        assert registry.get_measurement("bound").function is not original.function
        assert registry.get_measurement("bound").cost is original.cost
    assert registry.get_measurement("bound") == original
    with pytest.raises(ValueError, match="registered: .*bad_fraction"):
        registry.get_measurement("nonexistent")
    with pytest.warns(DeprecationWarning, match="register_measurement"):
        registry.register_measure("old_style")(lambda ctx: [])
    registry.unregister_measurement("old_style")


def _probability(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise ValueError(f"must be a probability in (0, 1), got {value!r}")
    return float(value)


def test_a_measurement_of_its_own_model_brings_its_axes_and_samples_no_graph():
    from skillgraph.sweep import registry

    @registry.register_measurement("coin", samples_graph=False, axes={"p": _probability},
                                   columns=("flips",))  # fmt: skip
    def coin(ctx):
        return [ctx.row("heads", flips=10, value=0.5)]

    try:
        spec = parse_spec('seed = 3\nreplicates = 2\nmeasures = ["coin"]\n[grid]\np = [0.1, 0.9]\n')
        items = expand(spec)
        assert [(it.params["p"], it.params["replicate"]) for it in items] == [
            (0.1, 0), (0.1, 1), (0.9, 0), (0.9, 1)]  # fmt: skip
        assert all(it.params["n_skills"] is None and it.params["theta"] is None for it in items)
        assert items[0].settings["samples_graph"] is False
        # graph keys mean nothing here, nor does a [scale] table; values go through the check
        for text, path in [
            ("[grid]\np = 0.5\nn_skills = 10\n", "grid.n_skills"),
            ("[grid]\np = [0.5, 2.0]\n", "grid.p[1]"),
            ("[grid]\np = 0.5\n[scale]\ncompute = [1e22]\n", "scale"),
        ]:
            with pytest.raises(SpecError) as info:
                parse_spec('seed = 3\nmeasures = ["coin"]\n' + text)
            assert path in [p for p, _ in info.value.problems], str(info.value)
        # beside a graph measurement, its axis multiplies the graph's grid points
        both = parse_spec(
            'seed = 3\nmeasures = ["bad_fraction", "coin"]\n[grid]\nn_skills = 10\n'
            "n_texts = 50\nk = 2\ntheta = [0.1, 0.2]\np = [0.1, 0.5, 0.9]\n"
        )
        assert len(expand(both)) == 2 * 3
        assert expand(both)[1].params["theta"] == 0.1 and expand(both)[1].params["p"] == 0.5
    finally:
        registry.unregister_measurement("coin")


_OVERRIDE_FIRST = """
import warnings
from skillgraph.sweep import registry
from skillgraph.sweep.registry import override_measurement

def mine(ctx):
    return [ctx.row("mine", value=1.0)]

# before the built-ins are loaded: the override holds, then inherits their options
with override_measurement("bad_fraction", mine):
    from skillgraph.sweep.builtins import load_builtins
    from skillgraph.sweep.runner import compute_item
    from skillgraph.sweep.spec import expand, parse_spec
    spec = parse_spec("seed = 1\\nmeasures = ['bad_fraction']\\n[grid]\\nn_skills = 20\\n"
                      "n_texts = 100\\nk = 2\\ntheta = 0.1\\n")
    inside = registry.get_measurement("bad_fraction")
    assert inside.function is mine, inside
    rows = compute_item(expand(spec)[0])
    assert [r["quantity"] for r in rows if r["quantity"] == "mine"] == ["mine"], rows
    load_builtins()  # a second call changes nothing
after = registry.get_measurement("bad_fraction")
assert after.function is not mine
assert inside.cost is after.cost is not None  # the override inherited the built-in's options
rows = compute_item(expand(spec)[0])
quantities = [r["quantity"] for r in rows]
assert "mine" not in quantities and "bad_fraction" in quantities, quantities
# nested overrides unwind in order
with override_measurement("bound", mine), override_measurement("bound", len):
    assert registry.get_measurement("bound").function is len
after_bound = registry.get_measurement("bound").function
assert after_bound.__name__ == "bound", after_bound
print("ok")
"""


def test_override_works_in_any_import_order_and_leaves_the_registry_whole():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _OVERRIDE_FIRST], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stdout + out.stderr


def test_importing_a_module_of_measurements_registers_nothing():
    import subprocess
    import sys

    code = ("import skillgraph.sweep.measures, skillgraph.sweep.runner\n"
            "from skillgraph.sweep import registry\n"
            "print(registry.measurement_names(), registry.failure_model_names())\n")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "() ()", out.stdout + out.stderr
