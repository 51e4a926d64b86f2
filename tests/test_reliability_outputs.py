"""One writer per output directory, whole runs or nothing (in-process cases).

The same guarantees with real, concurrent and killed processes are in
``tests/test_reliability_processes.py``.
"""

from __future__ import annotations

import json
import os
import socket

import pytest

from skillgraph import _outdir
from skillgraph.cli import main
from skillgraph.cli._common import EXIT_INTERRUPTED, EXIT_OUTPUT
from tests.reliability_helpers import one_line, snapshot

EMERGE = ["emerge", "--sim-points", "0", "--bound-points", "21", "--no-progress"]


def _fake_run(out, command: str, files: dict) -> None:
    out.mkdir()
    for name, text in files.items():
        (out / name).write_text(text)
    (out / _outdir.MARKER).write_text(json.dumps({"command": command}))


def test_a_previous_run_is_replaced_whole(tmp_path):
    out = tmp_path / "run"
    _fake_run(out, "emerge", {"old.txt": "old", "results.csv": "a\n"})
    with _outdir.staged_output(out, "emerge") as stage:
        (stage.path / "results.csv").write_text("b\n")
        assert snapshot(out)["results.csv"] == b"a\n"  # nothing visible before the end
        assert stage.final([stage.path / "results.csv"]) == [out.resolve() / "results.csv"]
    assert sorted(p.name for p in out.iterdir()) == [_outdir.MARKER, "results.csv"]
    assert (out / "results.csv").read_text() == "b\n"  # not a mix: old.txt is gone
    assert json.loads((out / _outdir.MARKER).read_text())["command"] == "emerge"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]  # no staging, no lock left


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_an_interrupt_keeps_the_previous_run_and_says_so(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setattr(_outdir, "_exchange", lambda a, b: False)
    out = tmp_path / "run"
    _fake_run(out, "memory", {"results.csv": "old\n"})
    before = snapshot(out)
    with pytest.raises(KeyboardInterrupt, match="unchanged: it holds the previous run"):
        with _outdir.staged_output(out, "memory") as stage:
            (stage.path / "results.csv").write_text("new\n")
            raise KeyboardInterrupt()
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]
    with _outdir.staged_output(out, "memory") as stage:  # and the swap itself, both ways
        (stage.path / "results.csv").write_text("new\n")
    assert (out / "results.csv").read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_run_killed_between_the_two_renames_is_put_back(tmp_path):
    out = tmp_path / "run"
    _fake_run(out, "emerge", {"results.csv": "old\n"})
    before = snapshot(out)
    previous = tmp_path / ".run.previous-x"
    previous.mkdir()
    os.rename(out, previous / "run")  # where the fallback swap leaves it when killed
    (tmp_path / ".run.staging-y").mkdir()
    with pytest.raises(KeyboardInterrupt):
        with _outdir.staged_output(out, "emerge"):
            raise KeyboardInterrupt()
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_a_foreign_directory_and_a_sweep_store_are_refused(tmp_path, capsys):
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    store = tmp_path / "store"
    store.mkdir()
    for name in ("manifest.json", "results.csv", "summary.json"):
        (store / name).write_text("{}")
    for out, why in ((foreign, "notes.txt"), (store, "a sweep store")):
        before = snapshot(out)
        code = main([*EMERGE, "--out", str(out)])
        line = one_line(capsys.readouterr().err)
        assert code == EXIT_OUTPUT and why in line and "new or empty directory" in line
        assert snapshot(out) == before
    other = tmp_path / "other"
    _fake_run(other, "superpose", {"results.csv": "x\n"})
    assert main([*EMERGE, "--out", str(other)]) == EXIT_OUTPUT
    assert "'skillgraph superpose' run" in one_line(capsys.readouterr().err)


def test_a_directory_of_the_commands_own_files_from_before_markers_is_a_previous_run(tmp_path):
    out = tmp_path / "old"
    out.mkdir()
    (out / "results.csv").write_text("x\n")
    (out / "summary.md").write_text("x\n")
    assert main([*EMERGE, "--out", str(out)]) == 0
    assert json.loads((out / _outdir.MARKER).read_text())["command"] == "emerge"
    assert (out / "results.csv").read_text() != "x\n"


@pytest.mark.parametrize("kind", ["dangling", "loop", "file", "under-file"])
def test_unusable_out_paths_give_their_real_reason(tmp_path, capsys, kind):
    out = tmp_path / "out"
    if kind == "dangling":
        out.symlink_to(tmp_path / "missing")
        reason = "dangling symbolic link"
    elif kind == "loop":
        out.symlink_to(out)
        reason = "loop of symbolic links"
    elif kind == "file":
        out.write_text("x")
        reason = "not a directory"
    else:
        (tmp_path / "f").write_text("x")
        out = tmp_path / "f" / "out"
        reason = "under a file"
    spec = tmp_path / "s.toml"
    spec.write_text('name = "s"\nseed = 1\nmeasures = ["bad_fraction"]\n[grid]\nn_skills = 5\n'
                    'n_texts = 20\nk = 2\ntheta = 0.1\n')  # fmt: skip
    for argv in ([*EMERGE, "--out", str(out)], ["sweep", str(spec), "--out", str(out)]):
        code = main(argv)
        line = one_line(capsys.readouterr().err)
        assert code == EXIT_OUTPUT and reason in line and "File exists" not in line
        assert "--out: --out" not in line


def test_a_symlinked_out_writes_into_its_target_and_keeps_the_link(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    link = tmp_path / "link"
    link.symlink_to(target)
    assert main([*EMERGE, "--out", str(link)]) == 0
    assert link.is_symlink() and (target / "results.csv").is_file()


def test_a_held_lock_refuses_a_second_writer_naming_the_holder(tmp_path):
    out = tmp_path / "run"
    with _outdir.output_lock(out, "sweep"):
        lock = json.loads((tmp_path / ".run.lock").read_text())
        assert lock["pid"] == os.getpid() and lock["host"] == socket.gethostname()
        with pytest.raises(_outdir.OutputBusy, match=f"skillgraph sweep \\(pid {os.getpid()} "):
            with _outdir.output_lock(out, "emerge"):
                pass
    assert not (tmp_path / ".run.lock").exists()


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path):
    out = tmp_path / "run"
    dead = {"command": "emerge", "pid": 2**22 + 12345, "host": socket.gethostname()}
    (tmp_path / ".run.lock").write_text(json.dumps(dead))  # its holder died: no flock on it
    with _outdir.output_lock(out, "emerge"):
        assert json.loads((tmp_path / ".run.lock").read_text())["pid"] == os.getpid()


def test_a_swallowed_signal_still_stops_the_swap(tmp_path, monkeypatch, capsys):
    from skillgraph.cli import _common

    out = tmp_path / "run"

    def swallowing_run(config, progress):  # a library that catches the KeyboardInterrupt
        try:
            _common._handler(2, None)
        except KeyboardInterrupt:
            pass
        raise ValueError("no compiled object yet")

    monkeypatch.setattr("skillgraph.emergence.run_emerge", swallowing_run)
    code = main([*EMERGE, "--out", str(out)])
    line = one_line(capsys.readouterr().err)
    assert code == EXIT_INTERRUPTED and "interrupted" in line and "nothing of this run" in line
    assert list(out.iterdir()) == []


def test_an_interrupt_while_a_mechanism_writes_keeps_its_previous_run(tmp_path, monkeypatch,
                                                                     capsys):
    from skillgraph.mechanisms import induction

    out = tmp_path / "run"
    tiny = ["induction", "--out", str(out), "--steps", "4", "--dim", "8", "--seq-len", "16",
            "--batch", "4", "--triggers", "2", "--no-progress"]  # fmt: skip
    assert main(tiny) == 0
    before = snapshot(out)
    real = induction.write_outputs

    def write_then_interrupt(result, out_dir):
        real(result, out_dir)  # every file written (into the staging directory)
        raise KeyboardInterrupt()

    monkeypatch.setattr(induction, "write_outputs", write_then_interrupt)
    capsys.readouterr()
    assert main([*tiny, "--seed", "5"]) == EXIT_INTERRUPTED
    assert "unchanged: it holds the previous run" in one_line(capsys.readouterr().err)
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run"]


def test_out_as_the_working_directory_is_replaced_in_place(tmp_path, monkeypatch):
    out = tmp_path / "here"
    out.mkdir()
    monkeypatch.chdir(out)
    assert main([*EMERGE, "--out", "."]) == 0
    first_inode = os.stat(".").st_ino
    (out / "results.csv").write_text("stale\n")
    assert main([*EMERGE, "--out", "."]) == 0
    assert os.stat(".").st_ino == first_inode == os.stat(out).st_ino  # the shell's directory
    assert (out / "results.csv").read_text() != "stale\n"
    assert json.loads((out / _outdir.MARKER).read_text())["command"] == "emerge"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here"]


def test_an_out_in_a_read_only_parent_is_locked_and_staged_inside(tmp_path, monkeypatch, capsys):
    """A scratch directory made for the user in a directory that is not theirs."""
    monkeypatch.setattr(_outdir, "_parent_writable", lambda out: False)
    out = tmp_path / "scratch"
    out.mkdir()
    assert main([*EMERGE, "--out", str(out)]) == 0
    (out / "stale.txt").write_text("x")
    (out / _outdir.MARKER).write_text(json.dumps({"command": "emerge"}))
    with _outdir.output_lock(out, "sweep"):
        assert (out / _outdir.INSIDE_LOCK).is_file()
        assert main([*EMERGE, "--out", str(out)]) == EXIT_OUTPUT
        assert "in use by skillgraph sweep" in one_line(capsys.readouterr().err)
    assert main([*EMERGE, "--out", str(out)]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert "stale.txt" not in names and "results.csv" in names
    assert not any(_outdir.is_lock_or_staging(name) for name in names)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scratch"]  # nothing beside it
    empty = tmp_path / "empty"
    empty.mkdir()
    spec = tmp_path / "s.toml"
    spec.write_text('name = "s"\nseed = 1\nmeasures = ["bad_fraction"]\n[grid]\nn_skills = 5\n'
                    'n_texts = 20\nk = 2\ntheta = 0.1\n')  # fmt: skip
    assert main(["sweep", str(spec), "--out", str(empty), "--workers", "1", "--no-progress"]) == 0
    assert (empty / "results.csv").is_file() and not (empty / _outdir.INSIDE_LOCK).exists()


@pytest.mark.parametrize("command", [
    ["memory"], ["superpose"], ["induction", "--steps", "4", "--dim", "8", "--seq-len", "16",
                                "--batch", "4", "--triggers", "2"],
])  # fmt: skip
def test_every_writing_command_refuses_a_sweep_store_before_any_work(tmp_path, capsys, command):
    store = tmp_path / "store"
    (store / "shards").mkdir(parents=True)
    for name in ("manifest.json", "results.csv", "summary.json"):
        (store / name).write_text("{}")
    before = {p.name: p.read_bytes() for p in store.iterdir() if p.is_file()}
    code = main([*command, "--out", str(store), "--no-progress"])
    line = one_line(capsys.readouterr().err)
    assert code == EXIT_OUTPUT and "holds a sweep store" in line
    assert {p.name: p.read_bytes() for p in store.iterdir() if p.is_file()} == before


def test_sweep_refuses_a_foreign_directory_with_the_same_status_as_every_command(tmp_path,
                                                                                 capsys):
    from tests.reliability_helpers import tiny_spec

    spec = tmp_path / "s.toml"
    spec.write_text(tiny_spec())
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep me")
    code = main(["sweep", str(spec), "--out", str(foreign), "--workers", "1", "--no-progress"])
    assert code == EXIT_OUTPUT
    assert "non-empty directory without a sweep manifest" in one_line(capsys.readouterr().err)
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]
