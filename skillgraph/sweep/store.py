"""The sweep store: a directory that survives crashes and kills.

Layout of a store ``DIR``::

    DIR/manifest.json        the spec (normalised and as written), its hash, the item count
    DIR/shards/item-000017.json   one file per finished work item (its rows, or its error)
    DIR/results.csv          the gathered tidy table: one row per measurement
    DIR/failures.json        the work items that raised, with their errors
    DIR/summary.json         counts and timings of the last run

Every file is written atomically: to a temporary file in the same directory,
flushed and fsynced, then renamed over its final name (``os.replace`` is
atomic on POSIX and Windows).  A killed run therefore leaves only complete
shards plus, possibly, stray temporary files, which are ignored and removed.
Each shard also carries a SHA-256 checksum of its content, so a shard damaged
in any other way (a truncated copy, a disk error) is detected and recomputed.

Numbers are stored in JSON with Python's shortest round-trip ``repr``, so the
gathered table is identical, digit for digit, whichever process computed an
item and whenever it was resumed.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import tempfile
from pathlib import Path

from skillgraph.sweep.spec import PARAMETER_COLUMNS, SweepSpec

__all__ = [
    "STORE_FORMAT",
    "MEASUREMENT_COLUMNS",
    "COLUMNS",
    "StoreError",
    "SweepStore",
    "atomic_write",
    "read_table",
]

STORE_FORMAT = 1

#: Columns describing a measurement (after the work item's parameters).
MEASUREMENT_COLUMNS = (
    "measure",
    "beta",
    "t",
    "tuple_mode",
    "form",
    "method",
    "value",
    "ci_low",
    "ci_high",
    "n_bad",
    "n",
    "n_undefined",
    "undefined_mass",
    "n_effective",
    "exact",
    "vacuous",
    "log_fail_prob",
)
#: All columns of ``results.csv``, in order.
COLUMNS = PARAMETER_COLUMNS + MEASUREMENT_COLUMNS


class StoreError(ValueError):
    """A store that cannot be used as asked (another spec's directory, not a store...)."""


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that readers see the old file or the new one, never half.

    The temporary file lives in the same directory (a rename across file
    systems is not atomic) and is fsynced before the rename, so that a power
    loss cannot leave a renamed but empty file.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _checksum(payload: dict) -> str:
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class SweepStore:
    """A sweep's directory.  Use :meth:`create` to start or resume, :meth:`open` to read.

    Parameters
    ----------
    path : path-like
        The directory.
    manifest : dict
        Its manifest (see :meth:`create`).
    """

    def __init__(self, path, manifest: dict):
        self.path = Path(path)
        self.manifest = manifest
        self.shard_dir = self.path / "shards"

    # -- opening ---------------------------------------------------------------
    @classmethod
    def create(cls, path, spec: SweepSpec, n_items: int, *, resume: bool = False) -> SweepStore:
        """Start a store for ``spec`` in ``path``, or reopen it with ``resume=True``.

        Raises
        ------
        StoreError
            ``path`` exists and is not empty without ``resume``; ``path`` holds
            a store made by a different spec (its hash differs); ``path`` is
            not a store.
        """
        path = Path(path)
        manifest_path = path / "manifest.json"
        if path.exists() and not path.is_dir():
            raise StoreError(f"--out {str(path)!r} exists and is not a directory")
        if manifest_path.exists():
            if not resume:
                raise StoreError(
                    f"{str(path)!r} already holds a sweep; rerun with --resume to continue it, "
                    "or choose a new --out directory"
                )
            store = cls.open(path)
            old = store.manifest.get("spec_hash")
            if old != spec.spec_hash:
                raise StoreError(
                    f"{str(path)!r} holds a sweep of a different spec (hash {str(old)[:12]}..., "
                    f"this spec {spec.spec_hash[:12]}...; spec {store.manifest.get('name')!r}); "
                    "--resume only continues the same spec; use a new --out directory"
                )
            store.shard_dir.mkdir(exist_ok=True)
            return store
        if path.is_dir() and any(path.iterdir()):
            raise StoreError(
                f"--out {str(path)!r} is a non-empty directory without a sweep manifest; "
                "choose a new or empty directory"
            )
        path.mkdir(parents=True, exist_ok=True)
        from skillgraph import __version__

        manifest = {
            "format": STORE_FORMAT,
            "name": spec.name,
            "spec_hash": spec.spec_hash,
            "n_items": n_items,
            "spec": spec.data,
            "source": spec.source,
            "skillgraph_version": __version__,
            "columns": list(COLUMNS),
        }
        (path / "shards").mkdir(exist_ok=True)
        atomic_write(manifest_path, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        return cls(path, manifest)

    @classmethod
    def open(cls, path) -> SweepStore:
        """Open an existing store for reading (plots, inspection)."""
        path = Path(path)
        manifest_path = path / "manifest.json"
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise StoreError(f"{str(path)!r} is not a sweep directory (no manifest.json)") from None
        except (OSError, ValueError) as exc:
            raise StoreError(f"cannot read {str(manifest_path)!r}: {exc}") from None
        if not isinstance(manifest, dict) or manifest.get("format") != STORE_FORMAT:
            raise StoreError(f"{str(manifest_path)!r} is not a skillgraph sweep manifest")
        return cls(path, manifest)

    @property
    def spec_hash(self) -> str:
        return self.manifest["spec_hash"]

    @property
    def n_items(self) -> int:
        return int(self.manifest["n_items"])

    # -- shards ----------------------------------------------------------------
    def shard_path(self, index: int) -> Path:
        return self.shard_dir / f"item-{index:07d}.json"

    def write_shard(self, result: dict) -> None:
        """Store one work item's result (``{"index", "status", "rows", "error", ...}``)."""
        payload = {**result, "spec_hash": self.spec_hash}
        payload.pop("checksum", None)
        record = {**payload, "checksum": _checksum(payload)}
        # allow_nan: NaN values (e.g. an undefined competence) round-trip through Python's json
        text = json.dumps(record, sort_keys=True, separators=(",", ":"))
        atomic_write(self.shard_path(int(result["index"])), text + "\n")

    def read_shard(self, index: int) -> dict | None:
        """The stored result of item ``index``; ``None`` if absent.

        Raises
        ------
        StoreError
            If the shard exists but is corrupt (unreadable, truncated, failed
            checksum, or belongs to another spec or item).
        """
        path = self.shard_path(index)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise StoreError(f"shard {path.name}: unreadable ({exc})") from None
        try:
            record = json.loads(text)
        except ValueError as exc:
            raise StoreError(f"shard {path.name}: not valid JSON ({exc})") from None
        if not isinstance(record, dict) or "checksum" not in record:
            raise StoreError(f"shard {path.name}: no checksum")
        checksum = record.pop("checksum")
        if _checksum(record) != checksum:
            raise StoreError(f"shard {path.name}: checksum mismatch")
        if record.get("spec_hash") != self.spec_hash or record.get("index") != index:
            raise StoreError(f"shard {path.name}: belongs to another spec or item")
        if record.get("status") not in ("ok", "error"):
            raise StoreError(f"shard {path.name}: unknown status {record.get('status')!r}")
        return record

    def scan(self) -> dict[str, list[int]]:
        """Sort the items by the state of their shard.

        Returns
        -------
        dict
            ``{"ok": [...], "error": [...], "corrupt": [...], "missing": [...]}``,
            item indices in increasing order.
        """
        state: dict[str, list[int]] = {"ok": [], "error": [], "corrupt": [], "missing": []}
        present = set()
        if self.shard_dir.is_dir():
            for entry in self.shard_dir.iterdir():
                name = entry.name
                if name.startswith("item-") and name.endswith(".json"):
                    try:
                        present.add(int(name[5:-5]))
                    except ValueError:
                        pass
        for index in range(self.n_items):
            if index not in present:
                state["missing"].append(index)
                continue
            try:
                record = self.read_shard(index)
            except StoreError:
                state["corrupt"].append(index)
                continue
            state["ok" if record["status"] == "ok" else "error"].append(index)
        return state

    def remove_stale_temporaries(self) -> int:
        """Delete temporary files left by a killed writer; returns how many."""
        removed = 0
        for folder in (self.path, self.shard_dir):
            if not folder.is_dir():
                continue
            for entry in folder.iterdir():
                if entry.name.startswith(".") and entry.name.endswith(".tmp"):
                    try:
                        entry.unlink()
                        removed += 1
                    except OSError:
                        pass
        return removed

    # -- the table -------------------------------------------------------------
    def records(self) -> list[dict]:
        """Every readable shard's record, by item index (corrupt shards are skipped)."""
        out = []
        for index in range(self.n_items):
            try:
                record = self.read_shard(index)
            except StoreError:
                continue
            if record is not None:
                out.append(record)
        return out

    def rows(self) -> list[dict]:
        """The tidy rows of all finished items, in item order."""
        rows = []
        for record in self.records():
            if record["status"] == "ok":
                rows.extend(record["rows"])
        return rows

    def gather(self) -> dict:
        """Write ``results.csv`` and ``failures.json`` from the shards present.

        Returns
        -------
        dict
            ``{"rows": int, "items_ok": int, "items_failed": int, "failures": [...]}``.
        """
        records = self.records()
        ok = [r for r in records if r["status"] == "ok"]
        failed = [r for r in records if r["status"] == "error"]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(COLUMNS)
        n_rows = 0
        for record in ok:
            for row in record["rows"]:
                writer.writerow([_cell(row.get(col)) for col in COLUMNS])
                n_rows += 1
        atomic_write(self.path / "results.csv", buffer.getvalue())
        failures = [
            {"item": r["index"], "params": r.get("params"), "error": r.get("error")} for r in failed
        ]
        atomic_write(self.path / "failures.json", json.dumps(failures, indent=2) + "\n")
        return {
            "rows": n_rows,
            "items_ok": len(ok),
            "items_failed": len(failed),
            "failures": failures,
        }

    def write_summary(self, summary: dict) -> None:
        atomic_write(self.path / "summary.json", json.dumps(summary, indent=2) + "\n")


def _cell(value) -> str:
    """One CSV cell: exact round-trip reprs for floats, empty for missing values."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value)
    return str(value)


def _parse_cell(text: str):
    if text == "":
        return None
    if text == "true":
        return True
    if text == "false":
        return False
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return text


def read_table(path) -> list[dict]:
    """Read a ``results.csv`` back into a list of row dicts (types restored)."""
    with open(path, newline="", encoding="utf-8") as f:
        return [{k: _parse_cell(v) for k, v in row.items()} for row in csv.DictReader(f)]
