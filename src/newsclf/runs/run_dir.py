"""A run dir: what a training run writes, and how a re-run recognises a finished one.

Files: ``metrics.json`` (written last: its presence marks a finished run), ``predictions.jsonl``
(one row per evaluation record), ``error.json`` (a failed job of a sweep) and the model dir.

The *resume key* stored in ``metrics.json`` is two hashes:

- ``config_hash``: sha256 of the resolved job config without ``hydra``, ``paths`` and ``force``
  (so moving a sweep dir does not invalidate it);
- ``data_fingerprint``: sha256 of every record read (training file and test file, in order:
  ids, texts, titles, targets and the tasks' labels). The artifact manifest stores the same
  value, so a model names the data it came from, whichever trainer made it.

A run dir that already holds a finished run with the same key is not trained again; one with a
*different* key is never silently overwritten (the job fails naming ``force=true``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from omegaconf import DictConfig, OmegaConf

from newsclf.data.records import Record
from newsclf.errors import ConfigError, NewsclfError

__all__ = [
    "ERROR_FILE",
    "METRICS_FILE",
    "PREDICTIONS_FILE",
    "DataFingerprint",
    "PredictionsWriter",
    "clear_run_dir",
    "config_hash",
    "data_fingerprint",
    "mismatch_error",
    "model_dir",
    "previous_payload",
    "resume",
    "write_error",
    "write_metrics",
]

log = logging.getLogger(__name__)

METRICS_FILE = "metrics.json"
PREDICTIONS_FILE = "predictions.jsonl"
ERROR_FILE = "error.json"
#: top-level config keys that do not change what a run computes
_NOT_HASHED = ("hydra", "paths", "force", "tracking", "cluster")


def config_hash(cfg: DictConfig) -> str:
    """sha256 of the resolved config without ``hydra``, ``paths``, ``force``, ``tracking`` and
    ``cluster`` (where a run executes does not change what it computes)."""
    job = OmegaConf.masked_copy(cfg, [key for key in cfg if key != "hydra"])
    container = OmegaConf.to_container(job, resolve=True)
    assert isinstance(container, dict)
    kept = {k: v for k, v in container.items() if k not in _NOT_HASHED}
    blob = json.dumps(kept, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


class DataFingerprint:
    """The data fingerprint, fed record by record (a streamed corpus never sits in memory)."""

    def __init__(self, tasks: Sequence[str]) -> None:
        self.tasks = tuple(tasks)
        self._digest = hashlib.sha256()

    def row(self, record: Record) -> bytes:
        """The 32 bytes one record adds: the sha256 of its fields, so workers that hash a chunk
        send the main process 32 bytes a record, not the text again (:meth:`add_bytes`)."""
        r = record
        row = [r.id, r.text, r.title, r.target, *(r.label(t) for t in self.tasks)]
        return hashlib.sha256(json.dumps(row, ensure_ascii=False).encode("utf-8")).digest()

    def update(self, records: Iterable[Record]) -> None:
        for r in records:
            self._digest.update(self.row(r))

    def add_bytes(self, rows: bytes) -> None:
        self._digest.update(rows)

    def hexdigest(self) -> str:
        return self._digest.hexdigest()


def data_fingerprint(records: Iterable[Record], tasks: Sequence[str]) -> str:
    """sha256 over the records' digests (id, text, title, target, ``tasks`` labels), in order."""
    fingerprint = DataFingerprint(tasks)
    fingerprint.update(records)
    return fingerprint.hexdigest()


def model_dir(cfg: DictConfig, output_dir: Path) -> Path:
    """Where the run saves its model: ``paths.model_dir``, else ``OUTPUT_DIR/model``."""
    paths = cfg.get("paths")
    return Path(paths.model_dir) if paths else output_dir / "model"


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_metrics(output_dir: Path, payload: dict[str, Any]) -> Path:
    """Write ``metrics.json`` atomically; call it last: it marks the run as finished."""
    path = output_dir / METRICS_FILE
    _write_text(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return path


def write_error(output_dir: Path, exc: BaseException) -> Path:
    """Write ``error.json`` for a failed job (with the traceback of an unexpected error)."""
    payload: dict[str, Any] = {"error": type(exc).__name__, "message": str(exc)}
    if not isinstance(exc, NewsclfError):
        payload["traceback"] = "".join(traceback.format_exception(exc))
    output_dir.mkdir(parents=True, exist_ok=True)
    path = output_dir / ERROR_FILE
    _write_text(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return path


class PredictionsWriter:
    """``predictions.jsonl`` written row by row to a temporary file, renamed on success."""

    def __init__(self, output_dir: Path) -> None:
        self.path = output_dir / PREDICTIONS_FILE
        self._tmp = output_dir / f".{PREDICTIONS_FILE}.tmp"
        self._fh: IO[str] | None = None

    def __enter__(self) -> PredictionsWriter:
        self._fh = self._tmp.open("w", encoding="utf-8")
        return self

    def write(self, rows: Iterable[dict[str, Any]]) -> None:
        assert self._fh is not None, "use PredictionsWriter in a with block"
        self._fh.write("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._fh is not None
        self._fh.close()
        if exc_type is None:
            os.replace(self._tmp, self.path)
        else:
            self._tmp.unlink(missing_ok=True)


def previous_payload(output_dir: Path) -> dict[str, Any] | None:
    """The ``metrics.json`` of a finished run in ``output_dir``, or None."""
    path = output_dir / METRICS_FILE
    if not path.is_file():
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # a torn or foreign file: treat the dir as unfinished
    return payload if isinstance(payload, dict) else None


def clear_run_dir(cfg: DictConfig, output_dir: Path) -> list[str]:
    """Remove the outputs of an earlier attempt from ``output_dir``; return what was removed.

    Only files a run writes are touched; the model dir only when it lies inside ``output_dir``.
    """
    removed = []
    for name in (METRICS_FILE, PREDICTIONS_FILE, ERROR_FILE):
        path = output_dir / name
        if path.exists():
            path.unlink()
            removed.append(name)
    model = model_dir(cfg, output_dir).absolute()
    inside = model != output_dir.absolute() and model.is_relative_to(output_dir.absolute())
    if model.is_dir() and inside:
        shutil.rmtree(model)
        removed.append(model.name + "/")
    return removed


def mismatch_error(
    output_dir: Path, previous: dict[str, Any], key: dict[str, str | None]
) -> ConfigError:
    """The error for a run dir that holds a finished run with another resume key."""
    what = [
        name.replace("_", " ")
        for name in ("config_hash", "data_fingerprint")
        if key.get(name) is not None and previous.get(name) != key.get(name)
    ]
    return ConfigError(
        f"run dir {output_dir} already holds a finished run with a different "
        f"{' and '.join(what) or 'resume key'} (stored {str(previous.get('config_hash'))[:12]}, "
        f"now {key['config_hash'][:12]}); refusing to overwrite it",
        key="force",
        hint="use a new hydra.sweep.dir (or hydra.run.dir), or pass force=true to retrain and "
        "replace it",
    )


def resume(
    cfg: DictConfig, output_dir: Path, fingerprint: Callable[[], str]
) -> dict[str, Any] | None:
    """The stored payload if ``output_dir`` already holds this very run, else None.

    ``fingerprint`` computes the data fingerprint (only when the config matches). Clears the
    leftovers of an unfinished attempt (or, with ``force=true``, of a finished one); raises
    ``ConfigError`` if the dir holds a finished run of another config or data.
    """
    previous = previous_payload(output_dir)
    if previous is None or bool(cfg.get("force", False)):
        removed = clear_run_dir(cfg, output_dir)
        if removed and previous is not None:
            log.warning(
                "force=true: removed %s from %s; retraining", ", ".join(removed), output_dir
            )
        elif removed:
            log.info("removed %s left by an unfinished attempt", ", ".join(removed))
        return None
    key: dict[str, str | None] = {"config_hash": config_hash(cfg), "data_fingerprint": None}
    if previous.get("config_hash") == key["config_hash"]:
        key["data_fingerprint"] = fingerprint()
        if previous.get("data_fingerprint") == key["data_fingerprint"]:
            (output_dir / ERROR_FILE).unlink(missing_ok=True)
            return previous
    raise mismatch_error(output_dir, previous, key)
