"""The sweep store: a directory that survives crashes and kills.

Layout of a store ``DIR``::

    DIR/manifest.json        the spec (normalised and as written), its hash, the item count
    DIR/shards/item-000017.json   one file per finished work item (its rows, or its error)
    DIR/results.csv          the gathered tidy table: one row per measured number
    DIR/failures.json        the work items that raised, with their errors
    DIR/summary.json         counts and timings of the last run

Every file is written atomically (:func:`skillgraph.tables.atomic_write`): to a
temporary file in the same directory, fsynced, then renamed over its final
name.  A killed run therefore leaves only complete shards plus, possibly,
stray temporary files, which are ignored and removed.  Each shard also
carries a SHA-256 checksum of its content, so a shard damaged in any other way
(a truncated copy, a disk error, a shard of another sweep copied in) is
detected and recomputed by ``--resume``, and reported by ``skillgraph plot``.

Numbers are stored in JSON with Python's shortest round-trip ``repr``, so the
gathered table is identical, digit for digit, whichever process computed an
item and whenever it was resumed.  ``results.csv`` is a tidy table in the one
cell format of :mod:`skillgraph.tables`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

from skillgraph import __version__
from skillgraph._outdir import is_lock_or_staging
from skillgraph.sweep.spec import MAX_ITEMS, PARAMETER_COLUMNS, SweepSpec, estimate, spec_hash
from skillgraph.tables import atomic_write, read_table, write_table

__all__ = [
    "STORE_FORMAT",
    "MEASUREMENT_COLUMNS",
    "COLUMNS",
    "RENAMED_COLUMNS",
    "StoreError",
    "NotAStoreError",
    "SweepStore",
    "atomic_write",
    "read_table",
]

STORE_FORMAT = 1

#: Columns of a row after the work item's parameters: the measurement axes, then the
#: tidy ``quantity, value, ci_low, ci_high``, then the counts behind the value.
MEASUREMENT_COLUMNS = (
    "beta",
    "t",
    "tuple_mode",
    "form",
    "source",
    "quantity",
    "value",
    "ci_low",
    "ci_high",
    "method",
    "n_bad",
    "n",
    "n_undefined",
    "undefined_mass",
    "n_effective",
    "exact",
    "vacuous",
    "log_fail_prob",
)
#: All standard columns of ``results.csv``, in order (measurements may add their own).
COLUMNS = PARAMETER_COLUMNS + MEASUREMENT_COLUMNS
#: Row keys renamed since stores were first written: old name -> new name.
RENAMED_COLUMNS = {"measure": "quantity"}

_SHARD_NAME = re.compile(r"item-(\d+)\.json")
_REQUIRED = {"format": int, "name": str, "spec_hash": str, "n_items": int, "spec": dict}
#: the store's own files (each must be a regular file when present); ``shards/`` a directory
_FILES = ("manifest.json", "results.csv", "failures.json", "summary.json")
#: the largest manifest read (a spec is a few kilobytes)
_MAX_MANIFEST_BYTES = 16 << 20
#: the largest shard read (one item's rows: a few kilobytes to a few megabytes)
_MAX_SHARD_BYTES = 256 << 20


class StoreError(ValueError):
    """A store that cannot be used as asked (another spec's directory, not a store...)."""


class NotAStoreError(StoreError):
    """``--out`` is a file, or a non-empty directory that holds no sweep (an unusable path)."""


def _checksum(payload: dict) -> str:
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def _upgrade_rows(rows: list) -> list:
    """Rows as the current version names their keys (``measure`` -> ``quantity``)."""
    return [{RENAMED_COLUMNS.get(key, key): value for key, value in row.items()} for row in rows]


def _kind(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words."""
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):  # fmt: skip
        if test(mode):
            return name
    return "not a regular file"


def check_layout(path) -> None:
    """Refuse, before any work, a store whose files are of the wrong type.

    ``manifest.json``, ``results.csv``, ``failures.json`` and ``summary.json``
    must be regular files when present (a FIFO would hang a reader, a directory
    would fail the last write of a run), ``shards`` a directory, and every
    entry of ``shards/`` named like a shard a regular file.

    Raises
    ------
    StoreError
        Naming the first misplaced entry and what it is.
    """
    path = Path(path)
    hint = "move it away, then rerun"
    for name in _FILES:
        try:
            mode = os.stat(path / name).st_mode
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(mode):
            raise StoreError(f"the store {str(path)!r} is damaged: {name} is {_kind(mode)}, "
                             f"not a file; {hint}")  # fmt: skip
    shards = path / "shards"
    if shards.exists() and not shards.is_dir():
        raise StoreError(f"the store {str(path)!r} is damaged: shards is not a directory; {hint}")
    if shards.is_dir():
        for entry in os.scandir(shards):
            if _SHARD_NAME.fullmatch(entry.name) and not entry.is_file():
                mode = entry.stat().st_mode
                raise StoreError(f"the store {str(path)!r} is damaged: shards/{entry.name} is "
                                 f"{_kind(mode)}, not a shard; {hint}")  # fmt: skip


def _manifest_checksum(manifest: dict) -> str:
    return _checksum({key: value for key, value in manifest.items() if key != "checksum"})


def _recounted(manifest: dict) -> tuple[str, int] | None:
    """The spec hash and item count recomputed from the stored spec (``None``: an old layout)."""
    try:
        data = manifest["spec"]
        return spec_hash(data), estimate(SweepSpec(data, "", None)).n_items
    except Exception:  # a spec of an older layout, or damaged: the checksum decides
        return None


def _verify_manifest(manifest: dict, where: str) -> None:
    """The manifest's checksum, and its hash and item count against its own spec."""
    if "checksum" in manifest and manifest["checksum"] != _manifest_checksum(manifest):
        raise StoreError(f"{where} is damaged: its checksum does not match its content")
    recount = _recounted(manifest)
    if recount is None:
        if "checksum" in manifest:
            raise StoreError(f"{where} is damaged: its spec is not a valid sweep spec")
        return
    if recount[0] != manifest["spec_hash"]:
        raise StoreError(f"{where} is damaged: spec_hash does not match the spec it holds")
    if recount[1] != manifest["n_items"]:
        raise StoreError(
            f"{where} is damaged: n_items = {manifest['n_items']:,}, but its spec has "
            f"{recount[1]:,} items"
        )


def _check_manifest(manifest, where: str) -> dict:
    """A manifest's fields and their types, and an item count a sweep can have."""
    if not isinstance(manifest, dict) or manifest.get("format") != STORE_FORMAT:
        raise StoreError(f"{where} is not a skillgraph sweep manifest (format {STORE_FORMAT})")
    for key, kind in _REQUIRED.items():
        value = manifest.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise StoreError(
                f"{where} is damaged: field {key!r} must be a {kind.__name__}, got {value!r}"
            )
    n_items = manifest["n_items"]
    if not 1 <= n_items <= MAX_ITEMS:
        raise StoreError(
            f"{where} is damaged: n_items = {n_items:,} is not a sweep's item count "
            f"(1 to {MAX_ITEMS:,})"
        )
    if not re.fullmatch(r"[0-9a-f]{64}", manifest["spec_hash"]):
        raise StoreError(f"{where} is damaged: spec_hash {manifest['spec_hash']!r} is not SHA-256")
    _verify_manifest(manifest, where)
    return manifest


def _read_small(path: Path, limit: int) -> str:
    """The UTF-8 text of the regular file ``path``; refuses one longer than ``limit`` bytes."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # a FIFO swapped in cannot block us
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError(f"{_kind(os.fstat(fd).st_mode)}, not a file")
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"larger than {limit >> 20} MiB")
    return data.decode("utf-8")


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

    def __repr__(self) -> str:
        return f"SweepStore({str(self.path)!r}, name={self.name!r}, n_items={self.n_items})"

    # -- opening ---------------------------------------------------------------
    @classmethod
    def create(
        cls, path, spec: SweepSpec, n_items: int, *, resume: bool = False, columns=COLUMNS
    ) -> SweepStore:
        """Start a store for ``spec`` in ``path``, or reopen it with ``resume=True``.

        Parameters
        ----------
        path : path-like
            The directory (created with its parents).
        spec : SweepSpec
        n_items : int
            Work items of ``spec``.
        resume : bool
            Reopen a store of the same spec.
        columns : sequence of str
            Columns of ``results.csv`` (the standard ones and the measurements' own).

        Raises
        ------
        StoreError
            ``path`` exists and is not empty without ``resume``; ``path`` holds
            a store made by a different spec (its hash differs); ``path`` is
            not a store.
        OSError
            ``path`` cannot be created or written.
        """
        path = Path(path)
        if path.exists() and not path.is_dir():
            raise NotAStoreError(f"--out {str(path)!r} exists and is not a directory")
        check_layout(path)
        if os.path.lexists(path / "manifest.json"):
            return cls._reopen(path, spec, resume, n_items, columns)
        if path.is_dir() and any(not is_lock_or_staging(p.name) for p in path.iterdir()):
            raise NotAStoreError(
                f"--out {str(path)!r} is a non-empty directory without a sweep manifest; "
                "choose a new or empty directory"
            )
        (path / "shards").mkdir(parents=True, exist_ok=True)
        return cls._write_manifest(path, spec, n_items, columns)

    @classmethod
    def _write_manifest(cls, path: Path, spec: SweepSpec, n_items: int, columns) -> SweepStore:
        manifest = {
            "format": STORE_FORMAT,
            "name": spec.name,
            "spec_hash": spec.spec_hash,
            "n_items": n_items,
            "spec": spec.data,
            "source": spec.source,
            "skillgraph_version": __version__,
            "columns": list(columns),
        }
        manifest["checksum"] = _manifest_checksum(manifest)
        text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
        atomic_write(path / "manifest.json", text)
        return cls(path, manifest)

    @classmethod
    def _reopen(cls, path: Path, spec: SweepSpec, resume: bool, n_items: int, columns):
        if not resume:
            raise StoreError(
                f"{str(path)!r} already holds a sweep; rerun with --resume to continue it, "
                "or choose a new --out directory"
            )
        try:
            store = cls.open(path)
        except StoreError as exc:  # a damaged manifest of this very spec is rewritten from it
            store = cls._repair(path, spec, n_items, columns, exc)
        if store.spec_hash != spec.spec_hash:
            raise StoreError(
                f"{str(path)!r} holds a sweep of a different spec (hash {store.spec_hash[:12]}..., "
                f"this spec {spec.spec_hash[:12]}...; spec {store.name!r}); "
                "--resume only continues the same spec; use a new --out directory"
            )
        if store.n_items != n_items:
            raise StoreError(
                f"{str(path / 'manifest.json')!r} is damaged: n_items = {store.n_items:,}, but "
                f"the spec has {n_items:,} items"
            )
        store.shard_dir.mkdir(exist_ok=True)
        return store

    @classmethod
    def _repair(cls, path: Path, spec: SweepSpec, n_items: int, columns, damage) -> SweepStore:
        """Rewrite the damaged manifest of a store whose manifest still names ``spec``'s hash.

        Every shard carries the spec's hash and its own checksum, so the shards
        are checked one by one afterwards; the manifest only repeats the spec.
        """
        try:
            raw = json.loads(_read_small(path / "manifest.json", _MAX_MANIFEST_BYTES))
        except (OSError, ValueError, RecursionError):
            raw = None
        if not isinstance(raw, dict) or raw.get("spec_hash") != spec.spec_hash:
            raise StoreError(f"{damage}; it does not name this spec, so --resume cannot repair "
                             "it: run the sweep into a new --out directory") from None  # fmt: skip
        print(f"sweep {spec.name}: warning: {damage}; rewritten from the spec", file=sys.stderr)
        return cls._write_manifest(path, spec, n_items, columns)

    @classmethod
    def open(cls, path) -> SweepStore:
        """Open an existing store for reading (plots, inspection).

        Raises
        ------
        StoreError
            No manifest, an unreadable one, or one with a missing or wrong field.
        """
        path = Path(path)
        manifest_path = path / "manifest.json"
        if not os.path.lexists(manifest_path):
            raise StoreError(f"{str(path)!r} is not a sweep directory (no manifest.json)")
        check_layout(path)
        try:
            manifest = json.loads(_read_small(manifest_path, _MAX_MANIFEST_BYTES))
        except (OSError, ValueError, RecursionError) as exc:
            raise StoreError(f"cannot read {str(manifest_path)!r}: {exc}") from None
        return cls(path, _check_manifest(manifest, repr(str(manifest_path))))

    @property
    def name(self) -> str:
        """The spec's name."""
        return self.manifest["name"]

    @property
    def spec_hash(self) -> str:
        """The hash of the spec this store belongs to."""
        return self.manifest["spec_hash"]

    @property
    def n_items(self) -> int:
        """Work items of the spec."""
        return int(self.manifest["n_items"])

    @property
    def columns(self) -> tuple[str, ...]:
        """Columns of ``results.csv`` (stores of 0.1 named ``quantity`` ``measure``)."""
        stored = self.manifest.get("columns", COLUMNS)
        return tuple(RENAMED_COLUMNS.get(c, c) for c in stored)

    # -- shards ----------------------------------------------------------------
    def shard_path(self, index: int) -> Path:
        """Where item ``index``'s shard lives."""
        return self.shard_dir / f"item-{index:07d}.json"

    def write_shard(self, result: dict) -> None:
        """Store one work item's result (``{"index", "status", "rows", "error", ...}``)."""
        payload = {**result, "spec_hash": self.spec_hash}
        payload.pop("checksum", None)
        record = {**payload, "checksum": _checksum(payload)}
        # NaN values (e.g. an undefined competence) round-trip through Python's json
        text = json.dumps(record, sort_keys=True, separators=(",", ":"))
        atomic_write(self.shard_path(int(result["index"])), text + "\n")

    def read_shard(self, index: int) -> dict | None:
        """The stored result of item ``index``; ``None`` if absent.

        Rows written by older versions come back with today's column names.

        Raises
        ------
        StoreError
            If the shard exists but is corrupt (unreadable, truncated, failed
            checksum, or belongs to another spec or item).
        """
        path = self.shard_path(index)
        try:
            text = _read_small(path, _MAX_SHARD_BYTES)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise StoreError(f"shard {path.name}: unreadable ({exc})") from None
        try:
            record = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise StoreError(f"shard {path.name}: not valid JSON ({exc})") from None
        if not isinstance(record, dict) or "checksum" not in record:
            raise StoreError(f"shard {path.name}: no checksum")
        checksum = record.pop("checksum")
        if _checksum(record) != checksum:
            raise StoreError(f"shard {path.name}: checksum mismatch")
        if record.get("spec_hash") != self.spec_hash or record.get("index") != index:
            raise StoreError(f"shard {path.name}: belongs to another spec or item")
        if record.get("status") not in ("ok", "error") or not isinstance(record.get("rows"), list):
            raise StoreError(f"shard {path.name}: unknown status {record.get('status')!r}")
        record["rows"] = _upgrade_rows(record["rows"])
        return record

    def _shard_files(self) -> tuple[set[int], list[str]]:
        """Indices of the shard files present, and names of files that are no shard of ours."""
        present, foreign = set(), []
        if not self.shard_dir.is_dir():
            return present, foreign
        for entry in self.shard_dir.iterdir():
            name = entry.name
            if name.startswith(".") and name.endswith(".tmp"):
                continue  # a killed writer's temporary file
            match = _SHARD_NAME.fullmatch(name)
            index = int(match.group(1)) if match else -1
            if 0 <= index < self.n_items and name == self.shard_path(index).name:
                present.add(index)
            else:
                foreign.append(name)
        return present, sorted(foreign)

    def scan(self) -> dict[str, list]:
        """Sort the items by the state of their shard.

        Returns
        -------
        dict
            ``{"ok": [...], "error": [...], "corrupt": [...], "missing": [...]}``:
            item indices in increasing order; ``"problems"``: one message per
            corrupt shard; ``"foreign"``: names of files in ``shards/`` that
            belong to no item of this sweep.
        """
        state: dict[str, list] = {key: [] for key in ("ok", "error", "corrupt", "missing")}
        present, state["foreign"] = self._shard_files()
        state["problems"] = []
        for index in range(self.n_items):
            if index not in present:
                state["missing"].append(index)
                continue
            try:
                record = self.read_shard(index)
            except StoreError as exc:
                state["corrupt"].append(index)
                state["problems"].append(str(exc))
                continue
            if record is None:  # removed since the listing
                state["missing"].append(index)
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
    def records(self) -> Iterator[dict]:
        """Every intact shard's record, by item index (corrupt shards are skipped).

        :meth:`scan` says which shards were skipped and why.
        """
        for index in range(self.n_items):
            try:
                record = self.read_shard(index)
            except StoreError:
                continue
            if record is not None:
                yield record

    def rows(self) -> list[dict]:
        """The tidy rows of all finished items, in item order."""
        return [row for record in self.records() if record["status"] == "ok"
                for row in record["rows"]]  # fmt: skip

    def gather(self) -> dict:
        """Write ``results.csv`` and ``failures.json`` from the shards present.

        Shards are read one at a time: memory holds the table's text, not
        every record.

        Returns
        -------
        dict
            ``{"rows": int, "items_ok": int, "items_failed": int, "failures": [...]}``.
        """
        counts = {"rows": 0, "items_ok": 0}
        failures = []

        def ok_rows():
            for record in self.records():
                if record["status"] != "ok":
                    failures.append({"item": record["index"], "params": record.get("params"),
                                     "error": record.get("error")})  # fmt: skip
                    continue
                counts["items_ok"] += 1
                counts["rows"] += len(record["rows"])
                yield from record["rows"]

        write_table(self.path / "results.csv", ok_rows(), self.columns)
        atomic_write(self.path / "failures.json", json.dumps(failures, indent=2) + "\n")
        return {**counts, "items_failed": len(failures), "failures": failures}

    def write_summary(self, summary: dict) -> None:
        """Write ``summary.json`` (what the last run did)."""
        atomic_write(self.path / "summary.json", json.dumps(summary, indent=2) + "\n")
