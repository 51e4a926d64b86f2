"""Inputs bounded before any work: a strict integer grammar for edge files, bounded lines and
messages, FIFOs and devices refused, TOML nesting bounded, byte-order marks skipped, and
unusable input paths with the documented exit status."""

from __future__ import annotations

import os

import pytest

from skillgraph.cli import main
from skillgraph.cli._common import EXIT_INVALID, EXIT_OUTPUT, EXIT_STATUS_HELP
from skillgraph.core.io import MAX_LINE_BYTES, EdgeFileError, load_edges
from tests.reliability_helpers import one_line, tiny_spec


@pytest.mark.parametrize("token", ["1_000", "+1", "\u0661", "\uff11", "1.0", "0x1", "1e3",
                                   "\u00b2"])  # fmt: skip
def test_edge_ids_are_plain_ascii_integers(tmp_path, token):
    path = tmp_path / "e.csv"
    path.write_text(f"0,1\n{token},3\n", encoding="utf-8")
    with pytest.raises(EdgeFileError, match=r"e.csv:2: text_id .* is not an integer"):
        load_edges(path)


def test_a_plain_edge_file_with_a_byte_order_mark_reads(tmp_path):
    path = tmp_path / "e.csv"
    path.write_bytes(b"\xef\xbb\xbftext_id,skill_id\n0,1\n2,0\n")
    graph = load_edges(path)
    assert (graph.n_texts, graph.n_skills, graph.n_edges) == (3, 2, 2)


@pytest.mark.parametrize("size", [MAX_LINE_BYTES + 1, 1 << 30])
def test_a_huge_line_stops_the_reading_at_once_with_a_short_message(tmp_path, size):
    path = tmp_path / "huge.csv"
    with open(path, "wb") as f:  # sparse: NUL bytes and no newline
        f.truncate(size)
    with pytest.raises(EdgeFileError, match="line longer than") as info:
        load_edges(path)
    assert len(str(info.value)) < 300


def test_many_bad_lines_give_one_short_line_that_counts_the_rest(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_text("0,1\n" + "".join(f"{i},{'x' * 500}\n" for i in range(2000)))
    assert main(["check", "--edges", str(path)]) == EXIT_INVALID
    line = one_line(capsys.readouterr().err)
    assert len(line) < 1000 and "and 7 more problem(s) (reading stopped there)" in line
    assert line.count("bad.csv:") == 3


@pytest.mark.parametrize("kind", ["fifo", "device", "missing", "directory"])
def test_inputs_that_are_not_regular_files_are_refused_before_reading(tmp_path, capsys, kind):
    path = tmp_path / "input"
    if kind == "fifo":
        os.mkfifo(path)
        said = "named pipe (FIFO)"
    elif kind == "device":
        path = "/dev/zero"
        said = "device"
    elif kind == "directory":
        path.mkdir()
        said = "is a directory"
    else:
        said = "does not exist"
    for argv in (["check", "--edges", str(path)],
                 ["sweep", str(path), "--out", str(tmp_path / "o"), "--dry-run"]):  # fmt: skip
        assert main(argv) == EXIT_OUTPUT
        assert said in one_line(capsys.readouterr().err)
    assert "4    an output or input path cannot be used (missing" in EXIT_STATUS_HELP


@pytest.mark.parametrize("nest", ["[", "{b="])
def test_a_spec_nested_thousands_deep_is_one_line_exit_2(tmp_path, capsys, nest):
    close = "]" if nest == "[" else "}"
    path = tmp_path / "deep.toml"
    path.write_text("a = " + nest * 5000 + ("" if nest == "[" else "1") + close * 5000 + "\n")
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--dry-run"]) == EXIT_INVALID
    assert "nested too deeply" in one_line(capsys.readouterr().err)


def test_a_spec_with_a_byte_order_mark_is_valid(tmp_path, capsys):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + tiny_spec(theta="0.1").encode())
    assert main(["sweep", str(path), "--out", str(tmp_path / "o"), "--dry-run"]) == 0
    assert "is valid" in capsys.readouterr().out
