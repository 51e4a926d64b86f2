"""Sweep stores that verify themselves: the manifest against its spec and checksum, every
file's type before any work, damage reported before it is recomputed, and no short table
that says all went well."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skillgraph.cli import main
from skillgraph.cli._common import EXIT_INVALID
from skillgraph.sweep.runner import SweepAborted, parse_spec, run_item, run_sweep
from skillgraph.sweep.store import StoreError, SweepStore
from tests.reliability_helpers import ROOT, one_line, tiny_spec

TINY = tiny_spec(replicates=2, theta="[0.1, 0.2, 0.3]")
N_ITEMS = 6  # 3 thetas x 2 replicates
ROWS_PER_ITEM = 2  # failure_rate and bad_fraction


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("finished") / "store"
    run_sweep(parse_spec(TINY), out, progress=False)
    return out


def _copy(finished: Path, tmp_path: Path) -> tuple[Path, Path]:
    import shutil

    out = tmp_path / "store"
    shutil.copytree(finished, out)
    spec = tmp_path / "tiny.toml"
    spec.write_text(TINY)
    return out, spec


def _rows(out: Path) -> int:
    return len((out / "results.csv").read_text().splitlines()) - 1


@pytest.mark.parametrize("checksum", [True, False], ids=["checksummed", "older-store"])
def test_a_tampered_item_count_is_caught_and_resume_repairs_it(finished, tmp_path, capsys,
                                                               checksum):  # fmt: skip
    out, spec = _copy(finished, tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["n_items"] == N_ITEMS
    manifest["n_items"] = 2
    if not checksum:  # a store written before manifests were checksummed
        del manifest["checksum"]
    (out / "manifest.json").write_text(json.dumps(manifest))
    assert main(["plot", str(out)]) == EXIT_INVALID
    line = one_line(capsys.readouterr().err)
    assert "manifest.json' is damaged" in line and "--resume" in line
    if not checksum:
        assert f"n_items = 2, but its spec has {N_ITEMS} items" in line
    code = main(["sweep", str(spec), "--out", str(out), "--resume", "--workers", "1",
                 "--no-progress"])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 0 and "rewritten from the spec" in err
    assert _rows(out) == N_ITEMS * ROWS_PER_ITEM
    assert SweepStore.open(out).n_items == N_ITEMS


def test_a_manifest_of_another_spec_is_not_repaired(finished, tmp_path, capsys):
    out, spec = _copy(finished, tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["spec_hash"] = "0" * 64
    (out / "manifest.json").write_text(json.dumps(manifest))
    code = main(["sweep", str(spec), "--out", str(out), "--resume", "--no-progress"])
    assert code == EXIT_INVALID
    assert "cannot repair" in one_line(capsys.readouterr().err)


def test_a_fifo_manifest_is_refused_at_once(finished, tmp_path):
    out, spec = _copy(finished, tmp_path)
    (out / "manifest.json").unlink()
    os.mkfifo(out / "manifest.json")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for argv in (["plot", str(out)], ["sweep", str(spec), "--out", str(out), "--resume"]):
        proc = subprocess.run([sys.executable, "-m", "skillgraph", *argv], env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        assert proc.returncode == EXIT_INVALID
        assert "manifest.json is a named pipe (FIFO)" in one_line(proc.stderr)


@pytest.mark.parametrize("damage", ["results.csv-dir", "shards-file", "shard-dir",
                                    "shard-device"])
def test_misplaced_files_are_refused_before_any_work(finished, tmp_path, capsys, damage):
    out, spec = _copy(finished, tmp_path)
    (out / "shards" / "item-0000004.json").unlink()  # one item left to compute
    if damage == "results.csv-dir":
        (out / "results.csv").unlink()
        (out / "results.csv").mkdir()
        said = "results.csv is a directory"
    elif damage == "shards-file":
        for shard in (out / "shards").iterdir():
            shard.unlink()
        (out / "shards").rmdir()
        (out / "shards").write_text("")
        said = "shards is not a directory"
    elif damage == "shard-dir":
        (out / "shards" / "item-0000004.json").mkdir()
        said = "shards/item-0000004.json is a directory"
    else:
        (out / "shards" / "item-0000004.json").symlink_to("/dev/zero")
        said = "shards/item-0000004.json is a character device"
    before = sorted(p.name for p in out.rglob("*"))
    code = main(["sweep", str(spec), "--out", str(out), "--resume", "--no-progress"])
    assert code == EXIT_INVALID and said in one_line(capsys.readouterr().err)
    assert sorted(p.name for p in out.rglob("*")) == before  # nothing computed or written
    assert main(["plot", str(out)]) == EXIT_INVALID
    assert said in one_line(capsys.readouterr().err)


def test_damage_is_reported_before_it_is_recomputed(finished, tmp_path, capsys):
    out, _ = _copy(finished, tmp_path)
    (out / "shards" / "item-0000002.json").write_text("garbage")
    seen = []

    def item_fn(item):
        seen.append(capsys.readouterr().err)  # what the user had read when work started
        return run_item(item)

    summary = run_sweep(parse_spec(TINY), out, resume=True, progress=False, item_fn=item_fn)
    assert len(seen) == 1 and "1 damaged shard(s) will be recomputed" in seen[0]
    assert "item-0000002.json" in seen[0]
    assert summary.recomputed_corrupt == 1 and summary.rows == N_ITEMS * ROWS_PER_ITEM


def test_a_shard_lost_during_a_resume_fails_the_run(finished, tmp_path):
    out, _ = _copy(finished, tmp_path)
    (out / "shards" / "item-0000005.json").unlink()

    def item_fn(item):  # another process (or a disk) takes a stored shard meanwhile
        (out / "shards" / "item-0000000.json").unlink()
        return run_item(item)

    with pytest.raises(SweepAborted, match=f"holds {N_ITEMS - 1} of {N_ITEMS} items"):
        run_sweep(parse_spec(TINY), out, resume=True, progress=False, item_fn=item_fn)


def test_a_deeply_nested_manifest_is_damage_not_a_crash(tmp_path):
    out = tmp_path / "store"
    (out / "shards").mkdir(parents=True)
    (out / "manifest.json").write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(StoreError, match="cannot read"):
        SweepStore.open(out)
