"""Log finished runs to an experiment tracker: ``tracking=mlflow`` (the ``tracking`` extra).

The run dir stays the record of a run; the tracker gets a copy to search and compare across
many experiments: the resolved config as params (flattened keys), the scalar metrics of each
task (``topic.macro_f1``, ``topic.macro_f1_ci_low``, ...) and of the run, tags naming the run
dir, config hash and data fingerprint, and ``metrics.json``, ``.hydra/`` and ``model/`` as
artifacts. :func:`get_tracker` is called before training, so a missing package or a bad option
fails at once instead of after a long fit; :meth:`Tracker.log_run` is called once the run dir
is complete. ``tracking=none`` (the default) logs nothing.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import logging
import math
import re
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from omegaconf import DictConfig, OmegaConf

from newsclf.errors import ConfigError
from newsclf.pipeline import group_option
from newsclf.runs.run_dir import METRICS_FILE

__all__ = [
    "TRACKERS",
    "MlflowTracker",
    "Tracker",
    "flat_metrics",
    "flat_params",
    "get_tracker",
    "log_finished_run",
]

log = logging.getLogger(__name__)

#: MLflow's limits (mlflow.utils.validation): value length of a param, length of a key
MAX_PARAM_LENGTH = 6000
MAX_KEY_LENGTH = 250
#: keys of a task's metrics that are not scalar summaries (the confusion matrix, CI settings)
_SKIP_METRICS = {"confusion_matrix", "ci", "labels"}
#: run-level entries of metrics.json logged as metrics
_RUN_METRICS = ("n_train", "n_eval", "train_seconds", "eval_seconds", "total_seconds")
_BAD_KEY_CHARS = re.compile(r"[^\w./\- :]")


class Tracker:
    """Logs nothing: ``tracking=none``."""

    name = "none"

    def log_run(self, cfg: DictConfig, output_dir: Path, payload: Mapping[str, Any]) -> None:
        """Copy a finished run (its run dir and ``metrics.json`` payload) to the tracker."""


def _key(key: str) -> str:
    return _BAD_KEY_CHARS.sub("_", key)[:MAX_KEY_LENGTH]


def flat_params(config: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """The config as ``{"model.C": "0.5", ...}``; lists as JSON, values cut to MLflow's limit."""
    out: dict[str, str] = {}
    for key, value in config.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            out.update(flat_params(value, f"{name}."))
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        if len(text) > MAX_PARAM_LENGTH:
            text = text[: MAX_PARAM_LENGTH - 3] + "..."
        out[_key(name)] = text
    return out


def flat_metrics(payload: Mapping[str, Any]) -> dict[str, float]:
    """Every finite scalar of ``metrics.json``: per task ``{task}.{key}`` (nested keys joined
    with dots, a ``*_ci`` pair as ``*_ci_low``/``*_ci_high``), the run's sizes and times, and
    ``mean_macro_f1`` (the value sweeps optimise)."""
    out: dict[str, float] = {}

    def add(name: str, value: Any) -> None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return
        if math.isfinite(value):
            out[_key(name)] = float(value)

    def walk(prefix: str, node: Mapping[str, Any]) -> None:
        for key, value in node.items():
            if key in _SKIP_METRICS:
                continue
            name = f"{prefix}.{key}"
            if isinstance(value, Mapping):
                walk(name, value)
            elif isinstance(value, list | tuple) and key.endswith("_ci") and len(value) == 2:
                add(f"{name}_low", value[0])
                add(f"{name}_high", value[1])
            else:
                add(name, value)

    tasks = payload.get("tasks", {})
    for task, metrics in tasks.items():
        walk(task, metrics)
    for key in _RUN_METRICS:
        add(key, payload.get(key))
    f1 = [m.get("macro_f1") for m in tasks.values()]
    if f1 and all(isinstance(v, int | float) for v in f1):
        add("mean_macro_f1", sum(f1) / len(f1))
    return out


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """MLflow's and SQLAlchemy's deprecation chatter is not the user's concern."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", FutureWarning)
        with contextlib.suppress(ImportError):
            from sqlalchemy.exc import SADeprecationWarning

            warnings.simplefilter("ignore", SADeprecationWarning)
        yield


class MlflowTracker(Tracker):
    """Logs each finished run as one MLflow run of ``experiment_name`` at ``tracking_uri``."""

    name = "mlflow"

    def __init__(
        self,
        tracking_uri: str,
        experiment_name: str = "newsclf",
        run_name: str | None = None,
        artifact_location: str | None = None,
    ) -> None:
        self.tracking_uri = tracking_uri
        self.experiment_name = experiment_name
        self.run_name = run_name
        self.artifact_location = artifact_location

    def _artifact_location(self) -> str | None:
        """Explicit, or an ``artifacts`` folder beside a SQLite database (MLflow's own default
        is ``./mlartifacts`` in whatever the current directory is)."""
        if self.artifact_location:
            return self.artifact_location
        database = self._sqlite_file()
        return None if database is None else (database.parent / "artifacts").as_uri()

    def _sqlite_file(self) -> Path | None:
        """The database file of a ``sqlite:///`` URI (``sqlite:////abs`` has an absolute path)."""
        parsed = urlparse(self.tracking_uri)
        if parsed.scheme != "sqlite" or parsed.path in ("", "/", "/:memory:"):
            return None
        path = parsed.path[1:]  # the third slash ends the (empty) authority
        return Path("/" + path.lstrip("/")) if path.startswith("/") else Path(path).absolute()

    def _prepare_store(self) -> None:
        database = self._sqlite_file()
        if database is not None:  # SQLite creates the file but not its folder
            database.parent.mkdir(parents=True, exist_ok=True)

    def log_run(self, cfg: DictConfig, output_dir: Path, payload: Mapping[str, Any]) -> None:
        with _quiet():
            self._log_run(cfg, output_dir, payload)

    def _log_run(self, cfg: DictConfig, output_dir: Path, payload: Mapping[str, Any]) -> None:
        from mlflow import MlflowClient
        from mlflow.entities import Metric, Param
        from mlflow.exceptions import MlflowException

        config = OmegaConf.to_container(cfg, resolve=True)
        assert isinstance(config, dict)
        params = flat_params({k: v for k, v in config.items() if k != "hydra"})
        metrics = flat_metrics(payload)
        tags = {
            "newsclf.run_dir": str(output_dir),
            "newsclf.config_hash": str(payload.get("config_hash", "")),
            "newsclf.data_fingerprint": str(payload.get("data_fingerprint", "")),
            "newsclf.tasks": ",".join(payload.get("tasks", {})),
            "newsclf.overrides": " ".join(payload.get("overrides", []))[:MAX_PARAM_LENGTH],
        }
        self._prepare_store()
        try:
            client = MlflowClient(tracking_uri=self.tracking_uri)
            experiment = client.get_experiment_by_name(self.experiment_name)
            experiment_id = (
                experiment.experiment_id
                if experiment is not None
                else client.create_experiment(
                    self.experiment_name, artifact_location=self._artifact_location()
                )
            )
            run = client.create_run(
                experiment_id, run_name=self.run_name or output_dir.name, tags=tags
            )
        except MlflowException as exc:
            raise ConfigError(
                f"cannot open the MLflow store {self.tracking_uri}: {exc.message}",
                key="tracking.tracking_uri",
                hint="e.g. tracking.tracking_uri=sqlite:///$PWD/mlruns/mlflow.db; a file: "
                "store also needs MLFLOW_ALLOW_FILE_STORE=true with MLflow 3.x",
            ) from None
        run_id = run.info.run_id
        status = "FAILED"
        try:
            items = list(params.items())
            for start in range(0, len(items), 100):  # MLflow's batch limits
                batch = [Param(k, v) for k, v in items[start : start + 100]]
                client.log_batch(run_id, params=batch)
            stamp = run.info.start_time
            entries = [Metric(k, v, stamp, 0) for k, v in metrics.items()]
            for start in range(0, len(entries), 1000):
                client.log_batch(run_id, metrics=entries[start : start + 1000])
            if (output_dir / METRICS_FILE).is_file():
                client.log_artifact(run_id, str(output_dir / METRICS_FILE))
            if (output_dir / ".hydra").is_dir():
                client.log_artifacts(run_id, str(output_dir / ".hydra"), "hydra")
            model = Path(str(payload.get("model_dir", output_dir / "model")))
            if model.is_dir():
                client.log_artifacts(run_id, str(model), "model")
            status = "FINISHED"
        finally:
            client.set_terminated(run_id, status=status)
        log.info(
            "logged to MLflow: experiment %r, run %s (%d params, %d metrics) at %s",
            self.experiment_name,
            run_id,
            len(params),
            len(metrics),
            self.tracking_uri,
        )


#: ``tracking=NAME`` -> the tracker class (conf/tracking/NAME.yaml holds its options)
TRACKERS: dict[str, type[Tracker]] = {"none": Tracker, "mlflow": MlflowTracker}


def get_tracker(cfg: DictConfig) -> Tracker:
    """The tracker ``cfg.tracking`` selects, checked (package installed, options known)."""
    node = cfg.get("tracking")
    if node is None:
        return Tracker()
    name = group_option(cfg, "tracking", TRACKERS, what="tracker")
    if name == "none":
        return Tracker()
    if not isinstance(node, DictConfig):
        raise ConfigError(
            f"tracking must select a config group option, got the value {node!r}",
            key="tracking",
            hint=f"pass tracking={name} on the command line",
        )
    if importlib.util.find_spec("mlflow") is None:
        raise ConfigError(
            "tracking=mlflow needs MLflow, which is not installed",
            key="tracking",
            hint='pip install "newsclf[tracking]"',
        )
    options = {k: v for k, v in OmegaConf.to_container(node, resolve=True).items() if k != "name"}  # type: ignore[union-attr]
    if not options.get("tracking_uri"):
        raise ConfigError("must name an MLflow store", key="tracking.tracking_uri")
    known = {"tracking_uri", "experiment_name", "run_name", "artifact_location"}
    unknown = sorted(set(options) - known)
    if unknown:
        raise ConfigError(
            f"unknown option(s) {unknown}", key="tracking", hint=f"known: {sorted(known)}"
        )
    return MlflowTracker(**{k: (None if v is None else str(v)) for k, v in options.items()})


def log_finished_run(
    tracker: Tracker, cfg: DictConfig, output_dir: Path, payload: Mapping[str, Any]
) -> None:
    """Log a saved run; a tracker that fails is reported, not fatal: the run dir is complete
    (and a re-run would be skipped as finished), so failing the run would lose nothing but
    the message."""
    try:
        tracker.log_run(cfg, output_dir, payload)
    except Exception as exc:
        log.error(
            "the run is saved in %s but was not logged to %s: %s: %s",
            output_dir,
            tracker.name,
            type(exc).__name__,
            exc,
        )
