"""``newsclf.train()``: a training run from Python, through the same code path as the CLI.

The config is composed with Hydra's compose API from the same config module
(``newsclf.conf``) and the same overrides ``newsclf train`` takes; the run is the function the
Hydra app calls (:func:`newsclf.runs.app.run_job`: resume check, tracker, trainer), into a run
dir of the same layout (``.hydra/``, ``train.log``, ``metrics.json``, ``model/``). Records held
in memory (a DataFrame, a pyarrow Table, a list of dicts) are written to ``train.jsonl`` in the
run dir and read back as ``data=records``, so the run dir says what was trained on. Errors are
raised (``ConfigError``, ``DataError``), never turned into an exit status.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf, open_dict, read_write

from newsclf.classifier import NewsClassifier, load
from newsclf.data.records import Record
from newsclf.data.tabular import as_rows
from newsclf.errors import ConfigError
from newsclf.utils.overrides import override_key

__all__ = ["INPUT_FILE", "TrainResult", "train"]

log = logging.getLogger(__name__)

#: the records of an in-memory ``data`` argument, inside the run dir
INPUT_FILE = "train.jsonl"
#: the config module the ``newsclf train`` app composes from
CONFIG_MODULE = "newsclf.conf"
_FILE_FORMAT = "[%(asctime)s][%(name)s][%(levelname)s] - %(message)s"


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train` returns: the fitted classifier, where the run is, its metrics."""

    classifier: NewsClassifier
    run_dir: Path
    metrics: dict[str, Any]  #: the run's ``metrics.json`` payload (per task under ``tasks``)


def train(
    data: Any = None,
    overrides: Sequence[str] = (),
    run_dir: str | Path | None = None,
) -> TrainResult:
    """Train as ``newsclf train OVERRIDES`` does and return the classifier, run dir and metrics.

    ``data`` is a records file (JSONL/CSV; ``data=records data.train=PATH``), a pandas
    DataFrame, a pyarrow Table or a list of dicts or Records (one labelled record each, the
    fields of the JSONL format: ``text``, ``topic``, ``stance``, ``target``, ...), or None for
    the data the config names (``data=fnc1`` in ``overrides``, else the demo corpus).
    ``overrides`` are the command line's (``["tasks=[topic]", "model=logreg"]``). ``run_dir``
    None makes a fresh dir like the CLI's default (``outputs/DATE/TIME`` under the current
    directory, or ``hydra.run.dir=...`` from ``overrides``).

    Raises ``ConfigError`` naming the key of a bad override or config value and
    ``DataError`` for bad records; an error during the run also leaves ``error.json`` in the
    run dir, as with the CLI.
    """
    from newsclf.pipeline import check_renamed_keys

    if isinstance(overrides, str) or not all(isinstance(o, str) for o in overrides):
        raise TypeError(
            f"overrides must be a list of strings such as ['tasks=[topic]'], got {overrides!r}"
        )
    overrides = list(overrides)
    keys = [override_key(o) for o in overrides]
    check_renamed_keys(keys)
    if data is not None and any(k in ("data", "data.train") or k.startswith("data/") for k in keys):
        raise ConfigError(
            "data is given both as the argument and as an override",
            key="data",
            hint="pass the records as data=..., or the dataset as an override, not both",
        )
    rows = None if data is None or isinstance(data, str | os.PathLike) else _records(data)
    composed = _compose(overrides + (["data=records"] if data is not None else []))
    out = _run_dir(composed, run_dir)
    if data is not None:
        train_file = Path(data).expanduser().absolute() if rows is None else out / INPUT_FILE
        _set(composed, "data.train", str(train_file))
    return _run(composed, out, rows)


def _records(data: Any) -> list[dict[str, Any]]:
    """In-memory training data as JSON-ready dicts (a TypeError for anything else)."""
    items = as_rows(data, name="data").items
    if items and isinstance(items[0], str):
        raise TypeError(
            "data must hold labelled records (dicts or a frame with text and label columns, "
            "e.g. 'topic'), not bare texts: training needs the labels"
        )
    if items and isinstance(items[0], Record):
        skip = {"line", "source"}
        return [
            {k: v for k, v in dataclasses.asdict(r).items() if k not in skip and v is not None}
            for r in items
        ]
    return [dict(r) for r in items]


def _json_value(value: Any) -> Any:
    """numpy scalars as numbers, anything else JSON cannot hold as its text."""
    item = getattr(value, "item", None)
    if callable(item):
        with contextlib.suppress(Exception):
            return item()
    return str(value)


def _compose(overrides: list[str]) -> DictConfig:
    """The config ``newsclf train OVERRIDES`` runs with, its ``hydra`` node included."""
    from hydra import compose, initialize_config_module
    from hydra.core.global_hydra import GlobalHydra
    from hydra.errors import HydraException

    GlobalHydra.instance().clear()  # e.g. left initialised by an earlier run in this process
    try:
        with initialize_config_module(
            config_module=CONFIG_MODULE, version_base="1.3", job_name="train"
        ):
            return compose("config", overrides=overrides, return_hydra_config=True)
    except HydraException as exc:
        # one line, without Hydra's dump of its search path
        message = " ".join(str(exc).split("Config search path:")[0].split())
        message = message or type(exc).__name__
        failed = getattr(exc, "override", None)  # OverrideParseException names it
        keys = [override_key(o) for o in ([failed] if failed else overrides)]
        key = next((k for k in keys if failed or f"'{k}'" in message or f"'{k}/" in message), None)
        raise ConfigError(
            message,
            key=key,
            hint="the overrides are those of `newsclf train`; see `newsclf train --help`",
        ) from None


def _set(cfg: DictConfig, key: str, value: str) -> None:
    """Set ``key`` and record it among the run's overrides, as if given on the command line."""
    with read_write(cfg), open_dict(cfg):
        OmegaConf.update(cfg, key, value, merge=False)
        cfg.hydra.overrides.task.append(f"{key}={value}")


def _run_dir(cfg: DictConfig, run_dir: str | Path | None) -> Path:
    """``run_dir``, else a fresh dir from ``hydra.run.dir`` (``outputs/DATE/TIME``), with a
    ``-1``, ``-2``, ... suffix when two runs start within the same second."""
    if run_dir is not None:
        return Path(run_dir).expanduser().absolute()
    base = Path(str(cfg.hydra.run.dir)).expanduser().absolute()
    out, n = base, 0
    while out.exists():
        n += 1
        out = base.with_name(f"{base.name}-{n}")
    return out


def _write_records(rows: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False, default=_json_value) + "\n")
    tmp.replace(path)


@contextlib.contextmanager
def _log_file(path: Path) -> Iterator[None]:
    """newsclf's log lines into ``path`` (``train.log``, as the Hydra app writes it)."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter(_FILE_FORMAT))
    logger = logging.getLogger("newsclf")
    level = logger.level
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        handler.close()
        logger.setLevel(level)


def _run(cfg: DictConfig, out: Path, rows: list[dict[str, Any]] | None) -> TrainResult:
    """The job part of Hydra's ``run_job``: output dir, ``.hydra/``, log file, then the run."""
    from hydra.core.hydra_config import HydraConfig

    from newsclf.runs.app import run_job
    from newsclf.runs.run_dir import write_error

    with read_write(cfg), open_dict(cfg):
        cfg.hydra.run.dir = str(out)
        cfg.hydra.runtime.output_dir = str(out)
    previous = HydraConfig.instance().cfg
    HydraConfig.instance().set_config(cfg)
    try:
        job = copy.deepcopy(cfg)
        with read_write(job), open_dict(job):
            del job["hydra"]
        out.mkdir(parents=True, exist_ok=True)
        overrides = list(cfg.hydra.overrides.task)
        if cfg.hydra.output_subdir is not None:
            saved = out / str(cfg.hydra.output_subdir)
            saved.mkdir(parents=True, exist_ok=True)
            OmegaConf.save(job, saved / "config.yaml")
            OmegaConf.save(OmegaConf.masked_copy(cfg, "hydra"), saved / "hydra.yaml")
            OmegaConf.save(OmegaConf.create(overrides), saved / "overrides.yaml")
        with _log_file(out / f"{cfg.hydra.job.name}.log"):
            log.info("output dir: %s", out)
            try:
                if rows is not None:
                    _write_records(rows, out / INPUT_FILE)
                payload = run_job(job, out, overrides)
            except Exception as exc:
                log.error("error: %s", exc)
                write_error(out, exc)
                raise
    finally:
        HydraConfig.instance().cfg = previous
    return TrainResult(load(payload["model_dir"]), out, payload)
