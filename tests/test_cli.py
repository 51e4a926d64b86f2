"""The command line: output, JSON, and clean errors."""

import json
import subprocess
import sys

import pytest

from skillgraph import bounds
from skillgraph.cli import main


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
    assert json.loads(capsys.readouterr().out) == payload  # same seed, same numbers


def test_bound_does_not_import_numba():
    code = ("import sys; from skillgraph.cli import main; main(['bound', '--theta', '0.05', "
            "'--beta', '0.2', '--k', '8']); assert 'numba' not in sys.modules, 'numba imported'")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)


def test_simulate_engines_stream_the_same_graph():
    # both engines sample the same graph from the same seed (counter-based streams);
    # only the failure sets differ: exact count (graph) against Bernoulli (stream)
    import argparse

    import numpy as np

    from skillgraph.cli import _simulate_materialised, _simulate_streamed

    args = argparse.Namespace(n_skills=300, n_texts=20_000, k=4, theta=0.2, failure="random",
                              skill_measure="zipf", zipf_exponent=1.0, no_replace=False)
    seeds = (np.random.SeedSequence(1), np.random.SeedSequence(2))
    deg_g, failed_g, mu_g, n_g = _simulate_materialised(args, *seeds)
    deg_s, failed_s, mu_s, n_s = _simulate_streamed(args, *seeds)
    np.testing.assert_array_equal(deg_g, deg_s)
    np.testing.assert_allclose(mu_g, mu_s)
    assert n_g == 4000
    assert abs(n_s - 4000) < 5 * np.sqrt(20_000 * 0.2 * 0.8)
    assert failed_s.sum() == pytest.approx(4 * n_s)  # k failed slots per failed text
    assert failed_g.sum() == 4 * n_g


def test_simulate_stream_refuses_no_replace(capsys):
    assert main(["simulate", "--engine", "stream", "--no-replace"]) == 2
    assert "--no-replace" in capsys.readouterr().err
