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
