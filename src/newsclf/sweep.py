"""Resumable, fault-tolerant sweeps.

A run dir whose ``metrics.json`` carries the same *resume key* as the job about to run is not
trained again. The key is two hashes that ``train.run`` stores in ``metrics.json``:

- ``config_hash``: sha256 of the resolved job config without ``hydra``, ``paths`` and ``force``
  (so moving a sweep dir does not invalidate it);
- ``data_fingerprint``: sha256 of every loaded record (ids, texts, targets, labels), so a job is
  retrained when its data file changed even though its config did not.

A run dir that holds a finished run of a *different* key is never silently overwritten: the job
fails with a message naming ``force=true``, which replaces it.

:class:`SweepSummary` is a Hydra callback (wired in ``conf/config.yaml``) that logs, at the end
of a multirun, how many jobs ran and which failed (with their ``error.json``), and makes the
sweep exit with status 1 when any job failed, after every other job has finished.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from newsclf.errors import ConfigError

__all__ = [
    "ERROR_FILE",
    "METRICS_FILE",
    "PREDICTIONS_FILE",
    "SweepSummary",
    "clear_run_dir",
    "config_hash",
    "data_fingerprint",
    "mismatch_error",
    "previous_payload",
]

log = logging.getLogger(__name__)

METRICS_FILE = "metrics.json"
PREDICTIONS_FILE = "predictions.jsonl"
ERROR_FILE = "error.json"
#: top-level config keys that do not change what a run computes
_NOT_HASHED = ("hydra", "paths", "force")


def config_hash(cfg: DictConfig) -> str:
    """sha256 of the resolved config without ``hydra``, ``paths`` and ``force``."""
    job = OmegaConf.masked_copy(cfg, [key for key in cfg if key != "hydra"])
    container = OmegaConf.to_container(job, resolve=True)
    assert isinstance(container, dict)
    kept = {k: v for k, v in container.items() if k not in _NOT_HASHED}
    blob = json.dumps(kept, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def data_fingerprint(records: Sequence[Any], tasks: Sequence[str]) -> str:
    """sha256 of the records' ids, texts, titles, targets and ``tasks`` labels, in order."""
    digest = hashlib.sha256()
    for r in records:
        row = [r.id, r.text, r.title, r.target, *(r.label(t) for t in tasks)]
        digest.update(json.dumps(row, ensure_ascii=False).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


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


def _model_dir(cfg: DictConfig, output_dir: Path) -> Path:
    paths = cfg.get("paths")
    return Path(paths.model_dir) if paths else output_dir / "model"


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
    model_dir = _model_dir(cfg, output_dir).absolute()
    inside = model_dir != output_dir.absolute() and model_dir.is_relative_to(output_dir.absolute())
    if model_dir.is_dir() and inside:
        shutil.rmtree(model_dir)
        removed.append(model_dir.name + "/")
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


class SweepSummary(Callback):
    """Hydra callback: one summary at the end of a multirun; exit status 1 if a job failed.

    Hydra prints a failed job's error only at the end of a sweep, if at all (hydra#2284); the
    jobs here catch their errors (``train_app``), so this is where the sweep reports them.
    """

    def __init__(self, fail_on_error: bool = True) -> None:
        self.fail_on_error = fail_on_error
        self._started = 0.0

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        self._started = time.time() - 1.0  # coarse file-system timestamps

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        sweep_dir = Path(str(config.hydra.sweep.dir)).absolute()
        if not sweep_dir.is_dir():
            return
        jobs, failed = 0, []
        for hydra_dir in sorted(sweep_dir.rglob(".hydra")):
            run_dir = hydra_dir.parent
            stamp = hydra_dir / "config.yaml"
            if not stamp.is_file() or stamp.stat().st_mtime < self._started:
                continue  # a job of an earlier sweep into the same dir
            jobs += 1
            error = run_dir / ERROR_FILE
            if error.is_file():
                try:
                    message = json.loads(error.read_text(encoding="utf-8")).get("message", "")
                except (OSError, ValueError):
                    message = "(unreadable error.json)"
                failed.append((run_dir, str(message).splitlines()[0] if message else ""))
        log.info(
            "sweep done: %d job(s) in %s, %d failed; compare them with: newsclf compare %s",
            jobs,
            sweep_dir,
            len(failed),
            sweep_dir,
        )
        for run_dir, message in failed:
            log.error("failed job %s: %s (see %s)", run_dir, message, run_dir / ERROR_FILE)
        if failed and self.fail_on_error:
            raise SystemExit(1)
