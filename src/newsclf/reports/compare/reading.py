"""Reading run dirs back for ``newsclf compare``: which runs a path names, their status,
overrides, metrics and predictions (the files themselves are parsed by
:mod:`newsclf.runs.run_dir`)."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsclf.errors import ConfigError, DataError
from newsclf.runs.run_dir import (
    ERROR_FILE,
    METRICS_FILE,
    PREDICTIONS_FILE,
    error_message,
    read_metrics,
    read_predictions,
)
from newsclf.utils.overrides import split_override

__all__ = ["Run", "differing_overrides", "find_runs"]


@dataclass
class Run:
    """One run dir and what it left behind."""

    path: Path
    name: str
    status: str  # "finished" | "failed" | "unfinished"
    overrides: list[str] = field(default_factory=list)
    metrics: dict[str, Any] | None = None
    error: str | None = None
    _predictions: list[dict[str, Any]] | None = None

    def predictions(self) -> list[dict[str, Any]]:
        """The rows of ``predictions.jsonl`` (read once)."""
        if self._predictions is None:
            if not (self.path / PREDICTIONS_FILE).is_file():
                raise DataError(
                    "finished run has no predictions.jsonl, so it cannot be compared example by "
                    "example",
                    path=self.path,
                    hint="retrain it with this newsclf version (newsclf train ... force=true)",
                )
            self._predictions = read_predictions(self.path)
        return self._predictions


def _is_run_dir(path: Path) -> bool:
    return any((path / name).exists() for name in (METRICS_FILE, ERROR_FILE, ".hydra"))


def _natural_key(path: Path) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", str(path))]


def _overrides(run_dir: Path, metrics: dict[str, Any] | None) -> list[str]:
    if metrics and isinstance(metrics.get("overrides"), list):
        return [str(o) for o in metrics["overrides"]]
    path = run_dir / ".hydra" / "overrides.yaml"
    if path.is_file():
        from omegaconf import OmegaConf

        try:
            loaded = OmegaConf.to_container(OmegaConf.load(path))
        except Exception:  # a damaged file only costs the override columns
            return []
        if isinstance(loaded, list):
            return [str(o) for o in loaded]
    return []


def _read_run(path: Path, name: str) -> Run:
    message = error_message(path)  # written by the latest attempt; a success removes it
    if message is not None:
        return Run(path, name, "failed", _overrides(path, None), error=message)
    metrics = read_metrics(path)
    if metrics is not None:
        return Run(path, name, "finished", _overrides(path, metrics), metrics=metrics)
    return Run(path, name, "unfinished", _overrides(path, None), error="no metrics.json")


def find_runs(paths: Sequence[str | Path]) -> list[Run]:
    """Run dirs named by ``paths`` (a run dir itself, or a dir with run dirs below it)."""
    if not paths:
        raise ConfigError("no run dirs given", hint="newsclf compare multirun/DATE/TIME")
    found: list[tuple[Path, str]] = []
    for given in paths:
        root = Path(given).expanduser().absolute()
        if not root.is_dir():
            raise DataError(
                "no such run or multirun dir", path=given, hint="pass a dir that `train` wrote"
            )
        if _is_run_dir(root):
            found.append((root, root.name))
            continue
        below = []
        for dirpath, dirnames, _ in os.walk(root):
            here = Path(dirpath)
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            if here != root and _is_run_dir(here):
                below.append(here)
                dirnames[:] = []  # do not look inside a run (model/ etc.)
        if not below:
            raise DataError(
                "holds no run dirs (dirs with metrics.json, error.json or .hydra/)",
                path=given,
                hint="pass a run dir or a multirun dir written by `newsclf train -m`",
            )
        for run_dir in sorted(below, key=_natural_key):
            found.append((run_dir, f"{root.name}/{run_dir.relative_to(root).as_posix()}"))
    seen: set[Path] = set()
    runs = []
    for path, name in found:
        if path not in seen:
            seen.add(path)
            runs.append((path, name))
    names = [name for _, name in runs]
    return [_read_run(path, str(path) if names.count(name) > 1 else name) for path, name in runs]


def differing_overrides(runs: Sequence[Run]) -> list[str]:
    """Override keys whose value is not the same in every run (``hydra.*``, ``force`` left out)."""
    per_run = [dict(split_override(o) for o in run.overrides) for run in runs]
    keys: list[str] = []
    for overrides in per_run:
        for key in overrides:
            if key not in keys and not key.startswith("hydra") and key != "force":
                keys.append(key)
    return [key for key in keys if len({o.get(key) for o in per_run}) > 1]
