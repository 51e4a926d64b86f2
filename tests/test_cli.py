"""The command line: output, JSON, and clean errors."""

import json
import subprocess
import sys

import pytest

from skillgraph.cli import main
from skillgraph.theory import bounds


def test_bound_prints_alpha_star_and_averaging(capsys):
    assert main(["bound", "--theta", "0.05", "--beta", "0.2", "--k", "8"]) == 0
    out = capsys.readouterr().out
    assert "alpha_star" in out and "averaging" in out and "0.25" in out


def test_bound_json_matches_library(capsys):
    assert main(["bound", "--theta", "0.01", "--beta", "0.3", "--k", "16", "--t", "2",
                 "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["value"] == pytest.approx(bounds.tuple_alpha_star(0.01, 0.3, 16, 2))
    assert payload["t"] == 2 and payload["form"] == "kl"


@pytest.mark.parametrize("argv, name", [
    (["bound", "--theta", "1.5", "--beta", "0.2", "--k", "8"], "theta"),
    (["bound", "--theta", "0.1", "--beta", "0.2", "--k", "0"], "k"),
    (["simulate", "--n-texts", "-3"], "n_texts"),
    (["simulate", "--beta", "2"], "beta"),
])
def test_bad_input_exits_2_with_message(capsys, argv, name):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert name in err and "Traceback" not in err


def test_simulate_json(capsys):
    argv = ["simulate", "--n-skills", "50", "--n-texts", "2000", "--k", "4", "--theta", "0.1",
            "--beta", "0.3", "--failure", "deficit", "--t", "2", "--seed", "3", "--json"]
    assert main(argv) == 0
    payload = json.loads(capsys.readouterr().out)
    assert 0 <= payload["empirical"]["value"] <= 1
    assert payload["empirical"]["ci_low"] <= payload["empirical"]["value"]
    assert payload["bound"]["value"] == pytest.approx(bounds.tuple_alpha_star(0.1, 0.3, 4, 2))
    assert main(argv) == 0
    again = json.loads(capsys.readouterr().out)
    assert again.pop("elapsed_seconds") >= 0 and payload.pop("elapsed_seconds") >= 0
    assert again == payload  # same seed, same numbers (the wall clock aside)


def test_bound_does_not_import_numba():
    code = ("import sys; from skillgraph.cli import main; main(['bound', '--theta', '0.05', "
            "'--beta', '0.2', '--k', '8']); assert 'numba' not in sys.modules, 'numba imported'")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_simulate_engines_stream_the_same_graph():
    # both engines sample the same graph from the same seed (counter-based streams);
    # only the failure sets differ: exact count (graph) against Bernoulli (stream)
    import numpy as np

    from skillgraph.core.engine import simulate_counts

    kwargs = dict(failure="random", skill_measure="zipf", zipf_exponent=1.0,
                  graph_seed=np.random.SeedSequence(1), failure_seed=np.random.SeedSequence(2))
    g = simulate_counts(300, 20_000, 4, 0.2, engine="graph", **kwargs)
    s = simulate_counts(300, 20_000, 4, 0.2, engine="stream", **kwargs)
    np.testing.assert_array_equal(g.degrees, s.degrees)
    np.testing.assert_allclose(g.skill_measure, s.skill_measure)
    assert g.n_failed_texts == 4000
    assert abs(s.n_failed_texts - 4000) < 5 * np.sqrt(20_000 * 0.2 * 0.8)
    assert s.failed_edges.sum() == pytest.approx(4 * s.n_failed_texts)  # k slots per failed text
    assert g.failed_edges.sum() == 4 * g.n_failed_texts


@pytest.mark.parametrize("command", ["simulate", "check"])
def test_a_zipf_exponent_without_the_zipf_measure_is_refused(command, capsys):
    # the uniform measure has no exponent: typing one must not be silently ignored
    assert main([command, "--n-texts", "1000", "--zipf-exponent", "1.5"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "--zipf-exponent" in err and "--skill-measure zipf" in err


def test_simulate_uses_the_typed_zipf_exponent(capsys):
    import json

    def empirical(*options):
        assert main(["simulate", "--n-texts", "2000", "--skill-measure", "zipf", *options,
                     "--json"]) == 0  # fmt: skip
        out = json.loads(capsys.readouterr().out)
        return out["graph"]["zipf_exponent"], out["empirical"]

    default, steep = empirical(), empirical("--zipf-exponent", "3")
    assert (default[0], steep[0]) == (1.0, 3.0)
    assert default[1] != steep[1]  # the exponent reached the sampler


def test_simulate_stream_refuses_no_replace(capsys):
    assert main(["simulate", "--engine", "stream", "--no-replace"]) == 2
    assert "--no-replace" in capsys.readouterr().err
