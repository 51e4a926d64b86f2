"""Every ``--json`` output validates against its documented, versioned schema.

Each subcommand runs once on small settings (in-process), its stdout is parsed
and checked against ``skillgraph/schemas/NAME.schema.json`` with the optional
``jsonschema`` package (a dev dependency).
"""

from __future__ import annotations

import json
import math
import os

import pytest

from skillgraph import schemas
from skillgraph.cli import main

jsonschema = pytest.importorskip("jsonschema")

TINY_SPEC = """\
name = "tiny"
description = "one small item"
seed = 1
replicates = 1
measures = ["bad_fraction", "bound"]

[grid]
n_skills = 50
n_texts = 500
k = 4
failure = "random"
theta = 0.1
beta = 0.5
"""


def _argv(name: str, tmp) -> list[str]:
    """Small settings for each output (seconds each)."""
    spec = tmp / "tiny.toml"
    spec.write_text(TINY_SPEC)
    return {
        "bound": ["bound", "--theta", "0.1", "--t", "2"],
        "simulate": ["simulate", "--n-skills", "50", "--n-texts", "2e3", "--k", "4"],
        "check": ["check", "--n-skills", "40", "--n-texts", "400", "--no-exact"],
        "emerge": ["emerge", "--n-skills", "50", "--n-texts", "2000", "--replicates", "2",
                   "--bound-points", "21", "--sim-points", "2", "--tuples", "1,2",
                   "--out", str(tmp / "emerge")],
        "sweep-dry-run": ["sweep", str(spec), "--dry-run", "--workers", "2"],
        "sweep": ["sweep", str(spec), "--out", str(tmp / "store"), "--workers", "1"],
        "plot": ["plot", str(tmp / "store")],
        "memory": ["memory", "--trials", "2", "--replicates", "2", "--n-inputs", "100",
                   "--out", str(tmp / "memory")],
        "induction": ["induction", "--steps", "20", "--dim", "16", "--seq-len", "16",
                      "--batch", "4", "--out", str(tmp / "induction")],
        "superpose": ["superpose", "--examples", "10", "--out", str(tmp / "superpose")],
    }[name]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Every output, run once from another directory (relative paths must not leak out)."""
    tmp = tmp_path_factory.mktemp("json")
    here = os.getcwd()
    os.chdir(tmp)
    got = {}
    try:
        for name in schemas.names():  # sweep runs before plot reads its store
            import contextlib
            import io

            buf = io.StringIO()
            with contextlib.redirect_stdout(buf):
                quiet = [] if name in ("bound", "simulate") else ["--no-progress"]  # no bar
                status = main([*_argv(name, tmp), "--json", *quiet])
            got[name] = (status, buf.getvalue())
    finally:
        os.chdir(here)
    return got


def test_every_schema_is_a_valid_json_schema():
    for name in schemas.names():
        schema = schemas.load(name)
        jsonschema.Draft202012Validator.check_schema(schema)
        assert schema["$id"] == schemas.schema_id(name)
        assert {"$schema", "schema_version", "command", "elapsed_seconds"} <= set(
            schema["required"])


@pytest.mark.parametrize("name", schemas.names())
def test_output_follows_its_schema(outputs, name):
    status, text = outputs[name]
    assert status == 0, text
    document = json.loads(text, parse_constant=lambda c: pytest.fail(f"{c} is not JSON"))
    assert document["$schema"] == schemas.schema_id(name)
    assert document["elapsed_seconds"] >= 0 and math.isfinite(document["elapsed_seconds"])
    schemas.validate(document)


def test_paths_are_absolute_and_exist(outputs):
    emerge = json.loads(outputs["emerge"][1])
    plot = json.loads(outputs["plot"][1])
    for path in [*emerge["files"], *plot["written"], json.loads(outputs["sweep"][1])["table"]]:
        assert os.path.isabs(path) and os.path.isfile(path), path


def test_a_wrong_document_is_refused(outputs):
    document = json.loads(outputs["emerge"][1])
    document["files"] = ["emergence.png"]  # a relative path
    with pytest.raises(jsonschema.ValidationError):
        schemas.validate(document)
    document = json.loads(outputs["bound"][1])
    del document["elapsed_seconds"]
    with pytest.raises(jsonschema.ValidationError):
        schemas.validate(document)
    with pytest.raises(ValueError, match=r"\$schema"):
        schemas.validate({**document, "$schema": "urn:skillgraph:schema:bound:99"})


def test_dry_run_estimate_matches_its_text(outputs, tmp_path, capsys):
    """The JSON's estimated_seconds is the text's 'about ... on N worker(s)'."""
    from skillgraph.sweep.cost import _duration

    document = json.loads(outputs["sweep-dry-run"][1])
    spec = tmp_path / "tiny.toml"
    spec.write_text(TINY_SPEC)
    assert main(["sweep", str(spec), "--dry-run", "--workers", "2"]) == 0
    text = capsys.readouterr().out
    assert f"about {_duration(document['estimated_seconds'])} on 2 worker(s)" in text
    assert document["estimated_seconds"] == pytest.approx(
        document["estimated_cpu_seconds"] / 2, rel=1e-12)
