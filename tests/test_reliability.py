"""Hostile and careless use of the command line and the library: one line, a documented
exit status, no traceback, nothing half-written, and work too large refused up front."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import skillgraph as sg
from skillgraph.cli import main
from skillgraph.cli._common import (
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OUTPUT,
    EXIT_TERMINATED,
    EXIT_TOO_LARGE,
)

HUGE = "100000000000000000000000000000"  # 1e29, beyond int64


def _run(capsys, *argv):
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.err


def _one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize(
    "argv, code, fragment",
    [
        (["bound", "--theta", "0.1", "--beta", "0.5", "--k", HUGE], EXIT_INVALID, "k must be <="),
        (["simulate", "--k", HUGE], EXIT_INVALID, "k must be <="),
        (["simulate", "--n-texts", HUGE], EXIT_INVALID, "n_texts must be <="),
        (["check", "--k", HUGE], EXIT_INVALID, "k must be <="),
        (["simulate", "--n-texts", "1000000000000000000"], EXIT_TOO_LARGE, "years"),
        (["simulate", "--n-texts", "1000", "--n-skills", "2147483647", "--engine", "graph",
          "--skill-measure", "zipf"], EXIT_TOO_LARGE, "GiB"),
        (["simulate", "--n-texts", "1000", "--n-skills", "1000000000", "--engine", "stream"],
         EXIT_TOO_LARGE, "GiB"),
        (["simulate", "--n-texts", "1000", "--t", "10000"], EXIT_TOO_LARGE, "10000-tuples"),
        (["simulate", "--k", "x"], EXIT_INVALID, "--k: expected an integer"),
    ],
)
def test_cli_refuses_with_one_line_and_its_exit_status(capsys, argv, code, fragment):
    got, err = _run(capsys, *argv)
    assert got == code, err
    assert fragment in _one_line(err)


def test_check_refuses_sparse_ids_and_disagreeing_options(tmp_path, capsys):
    sparse = tmp_path / "sparse.csv"
    sparse.write_text("0,1\n2147483646,2\n")
    code, err = _run(capsys, "check", "--edges", str(sparse))
    assert code == EXIT_TOO_LARGE and "GiB" in _one_line(err)
    edges = tmp_path / "e.csv"
    edges.write_text("".join(f"{t},{s}\n" for t in range(30) for s in range(4)))
    code, err = _run(capsys, "check", "--edges", str(edges), "--k", "50")
    assert code == EXIT_INVALID and "k=50 disagrees" in _one_line(err)
    for option in (["--skill-measure", "zipf"], ["--zipf-exponent", "2"], ["--no-replace"]):
        code, err = _run(capsys, "check", "--edges", str(edges), *option)
        assert code == EXIT_INVALID and option[0] in _one_line(err)


@pytest.mark.parametrize("command", ["emerge", "sweep"])
def test_output_under_a_file_is_refused_before_any_work(tmp_path, capsys, command):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    argv = {
        "emerge": ["emerge", "--sim-points", "0", "--bound-points", "5", "--no-progress"],
        "sweep": ["sweep", "sims/smoke.toml", "--no-progress"],
    }[command]
    started = time.perf_counter()
    code, err = _run(capsys, *argv, "--out", str(blocker / "sub"))
    assert code == EXIT_OUTPUT, err
    _one_line(err)
    assert time.perf_counter() - started < 30
    assert blocker.read_text() == "x"


def test_library_validates_before_work():
    with pytest.raises(ValueError, match="k must be <="):
        sg.alpha_star(0.1, 0.5, 10**30)
    from skillgraph.core.competence import bad_fraction_from_counts

    with pytest.raises(ValueError, match="skill_measure"):
        bad_fraction_from_counts(np.array([2, 2]), np.array([1, 0]), 0.2, np.array([-1.0, 2.0]))
    from skillgraph.audit.adversary import need_counts

    with pytest.raises(ValueError, match="degrees must be >= 0"):
        need_counts(np.array([3, -1]), 0.5)
    with pytest.raises(ValueError, match="beta"):
        need_counts(np.array([3, 1]), 2.0)
    graph = sg.sample_graph(20, 50, 3, seed=0)
    with pytest.raises(TypeError, match="exact must be True or False"):
        sg.random_failures(graph, 0.1, exact="yes")


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, EXIT_INTERRUPTED),
                                       (signal.SIGTERM, EXIT_TERMINATED)])
def test_a_running_exact_check_answers_signals_at_once(sig, code):
    argv = [sys.executable, "-m", "skillgraph", "check", "--n-skills", "300", "--n-texts",
            "3000", "--exact", "--time-limit", "120", "--no-replace",
            "--no-progress"]  # the bar is stderr too: only the message is asserted on
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(8)  # imports, sampling, greedy: then the MILP runs for up to 120 s
    sent = time.perf_counter()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert time.perf_counter() - sent < 10
    _one_line(err)


_BAD_NUMBERS = st.sampled_from(
    ["-1", "0", "nan", "inf", "-inf", "1e400", HUGE, "-" + HUGE, "abc", "", "1.5", "0x10"]
)
_OPTIONS = {
    "bound": ["--theta", "--beta", "--k", "--t"],
    "simulate": ["--n-skills", "--n-texts", "--k", "--theta", "--beta", "--t", "--zipf-exponent"],
    "check": ["--n-skills", "--n-texts", "--k", "--theta", "--beta", "--delta-fail",
              "--time-limit"],
}
_SMALL = {
    "bound": ["--theta", "0.1", "--beta", "0.5", "--k", "8"],
    "simulate": ["--n-skills", "50", "--n-texts", "500"],
    "check": ["--n-skills", "40", "--n-texts", "400", "--no-exact"],
}


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_bad_arguments_give_one_line_and_a_documented_status(data):
    import contextlib
    import io

    command = data.draw(st.sampled_from(sorted(_OPTIONS)))
    option = data.draw(st.sampled_from(_OPTIONS[command]))
    value = data.draw(_BAD_NUMBERS)
    argv = [command, *_SMALL[command], f"{option}={value}"]
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            code = main(argv)
        except SystemExit as exc:  # argparse's own usage errors
            code = exc.code
    assert "Traceback" not in err.getvalue()
    if code == 0:  # some "bad" values are fine for some options (e.g. --t=0x10 is not)
        return
    assert code in (EXIT_INVALID, EXIT_TOO_LARGE), (argv, code, err.getvalue())
    assert len(err.getvalue().strip().splitlines()) == 1, (argv, err.getvalue())
