"""Fault-tolerant sweeps: a summary of a multirun, and exit status 1 when a job failed.

Each job of a sweep is one run dir (see :mod:`newsclf.runs.run_dir`): a job whose run dir already
holds a finished run of the same config and data is skipped, so re-running a sweep resumes it.

:class:`SweepSummary` is a Hydra callback (wired in ``conf/config.yaml``) that logs, at the end
of a multirun, how many jobs ran and which failed (with their ``error.json``), and makes the
sweep exit with status 1 when any job failed, after every other job has finished.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from newsclf.runs.run_dir import ERROR_FILE

__all__ = ["SweepSummary"]

log = logging.getLogger(__name__)


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
