"""The Hydra app: config -> records -> split -> fit each task -> evaluate -> artifact.

``train_app`` is the thin ``@hydra.main`` wrapper (error handling, sweeps' return value);
``run_app`` hands it an argv (``newsclf train ...``, each trial of ``newsclf tune``); ``run``
is a plain function that tests and other code can call with a composed config.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.util
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig, OmegaConf
from sklearn.pipeline import Pipeline

from newsclf.classifier import NewsClassifier, TaskModel
from newsclf.data import (
    TASKS,
    Record,
    check_classes,
    load_dataset,
    split_records,
    validate_records,
)
from newsclf.errors import ConfigError, DataError, NewsclfError
from newsclf.evaluation import classification_metrics, format_metrics_table
from newsclf.features.registry import build_pair_features, build_text_features
from newsclf.models import build_model
from newsclf.models.target_aware import build_target_aware
from newsclf.sweep import (
    ERROR_FILE,
    clear_run_dir,
    config_hash,
    data_fingerprint,
    mismatch_error,
    previous_payload,
)

__all__ = [
    "build_pipeline",
    "check_config",
    "check_launcher",
    "headline_metric",
    "hydra_argparse_compat",
    "run",
    "run_app",
    "train_app",
]

log = logging.getLogger(__name__)


def _tasks(cfg: DictConfig) -> list[str]:
    tasks = cfg.get("tasks")
    if isinstance(tasks, str):
        tasks = [tasks]
    tasks = list(tasks or [])
    bad = [t for t in tasks if t not in TASKS]
    if not tasks or bad or len(set(tasks)) != len(tasks):
        raise ConfigError(
            f"must be a non-empty list of distinct tasks from {list(TASKS)}, got {tasks}",
            key="tasks",
            hint="e.g. tasks=[topic], tasks=[stance] or tasks=[topic,stance]",
        )
    return tasks


def check_config(cfg: DictConfig) -> list[str]:
    """Validate the composed config before any data is read; return the task list."""
    # the hydra node exists only in configs composed by tests; it has its own ??? values
    job = OmegaConf.masked_copy(cfg, [key for key in cfg if key != "hydra"])
    missing = sorted(OmegaConf.missing_keys(job))
    if missing:
        raise ConfigError(
            f"required value(s) not set: {', '.join(missing)}",
            hint=" ".join(f"{k}=..." for k in missing),
        )
    if cfg.get("hparams_search") is not None:
        raise ConfigError(
            "a hyper-parameter search is run by `newsclf tune`, not by `newsclf train`",
            key="hparams_search",
            hint="newsclf tune NAME [OVERRIDES...] (see conf/hparams_search/README.md)",
        )
    tasks = _tasks(cfg)
    for task in tasks:
        build_pipeline(cfg, task)  # unknown names and bad parameters fail here, before fitting
    return tasks


def build_pipeline(cfg: DictConfig, task: str) -> Pipeline:
    """An unfitted pipeline for ``task`` from ``cfg.features`` and ``cfg.model``."""
    features = OmegaConf.to_container(cfg.features, resolve=True)
    model = OmegaConf.to_container(cfg.model, resolve=True)
    vec = build_pair_features(features) if task == "stance" else build_text_features(features)
    clf = build_model(model, seed=int(cfg.seed), n_jobs=int(cfg.get("n_jobs", 1)))
    pipeline = Pipeline([("features", vec), ("model", clf)])
    if task == "stance":  # per-target models or target-crossed features (issue 3)
        aware = cfg.get("target_aware")
        pipeline = build_target_aware(
            pipeline, None if aware is None else OmegaConf.to_container(aware, resolve=True)
        )
    return pipeline


def _fingerprint(records: Sequence[Record], tasks: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for r in records:
        row = [r.id, r.text, r.title, r.target, *(r.label(t) for t in tasks)]
        digest.update(json.dumps(row, ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def _write_text(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _write_json(path: Path, payload: dict[str, Any]) -> None:
    _write_text(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")


def _write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    _write_text(path, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))


def run(
    cfg: DictConfig, output_dir: str | Path, *, info: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Train and evaluate every task of ``cfg``; save the artifact and ``metrics.json``.

    ``metrics.json`` also carries the run's resume key (``config_hash``, ``data_fingerprint``,
    see :mod:`newsclf.sweep`) and the entries of ``info`` (e.g. the Hydra overrides).
    """
    trainer = cfg.get("trainer") or "memory"
    if trainer == "streaming":  # out of core (experiment=streaming): see newsclf.streaming
        from newsclf.streaming import run_streaming

        return run_streaming(cfg, output_dir, info=info)
    if trainer != "memory":
        raise ConfigError(f"unknown trainer {trainer!r}", key="trainer", hint="memory | streaming")
    started = time.perf_counter()
    output_dir = Path(output_dir).absolute()
    tasks = check_config(cfg)
    dataset = load_dataset(cfg.data)
    validate_records(dataset.train, tasks=tasks, labelled=True, source=dataset.source)
    if dataset.test is not None:
        validate_records(dataset.test, tasks=tasks, labelled=True)
        train, evaluation, split_name = dataset.train, dataset.test, "given test file"
    else:
        train, evaluation = split_records(
            dataset.train, split=cfg.split, tasks=tasks, seed=int(cfg.seed)
        )
        split_name = f"{cfg.split.name} hold-out ({len(evaluation)} of {len(dataset.train)})"
    log.info(
        "loaded %d training and %d evaluation records from %s (%s)",
        len(train),
        len(evaluation),
        dataset.source,
        split_name,
    )

    include_title = bool(cfg.features.get("include_title", True))
    models: dict[str, TaskModel] = {}
    results: dict[str, dict[str, Any]] = {}
    timings: dict[str, float] = {}
    for task in tasks:
        counts = check_classes(train, task, dataset.source)
        unseen = sorted({r.label(task) for r in evaluation} - set(counts))
        if unseen:
            raise DataError(
                f"evaluation labels {unseen} never occur in the training part",
                field=task,
                hint="use a larger test_size or another seed, or fix the labels",
            )
        model = TaskModel(
            pipeline=build_pipeline(cfg, task),
            input="pair" if task == "stance" else "text",
            include_title=include_title,
        )
        t0 = time.perf_counter()
        try:
            model.pipeline.fit(model.inputs(train), [r.label(task) for r in train])
        except ValueError as exc:  # e.g. min_df above the corpus size, too few per class
            raise ConfigError(
                f"fitting the {task} model failed: {exc}",
                key="features/model",
                hint="check the features and model parameters against the data size",
            ) from None
        timings[task] = time.perf_counter() - t0
        log.info(
            "%s: fitted %s on %d records (%d classes) in %.1f s",
            task,
            cfg.model.name,
            len(train),
            len(counts),
            timings[task],
        )
        models[task] = model
    classifier = NewsClassifier(models)
    rows = classifier.predict_records(evaluation)
    for task in tasks:
        results[task] = classification_metrics(
            [r.label(task) for r in evaluation],
            [row[task] for row in rows],
            labels=models[task].labels,
            n_resamples=int(cfg.eval.bootstrap_resamples),
            confidence=float(cfg.eval.confidence),
            seed=int(cfg.seed),
        )
        results[task]["train_seconds"] = round(timings[task], 3)
    for row, record in zip(rows, evaluation, strict=True):
        row.update({f"{task}_gold": record.label(task) for task in tasks})

    config = OmegaConf.to_container(cfg, resolve=True)
    model_dir = Path(cfg.paths.model_dir) if cfg.get("paths") else output_dir / "model"
    payload = {
        "tasks": results,
        "n_train": len(train),
        "n_eval": len(evaluation),
        "split": split_name,
        "eval_ids": [r.id for r in evaluation],
        "train_seconds": round(sum(timings.values()), 3),
        "total_seconds": round(time.perf_counter() - started, 3),
        "model_dir": str(model_dir),
        "config_hash": config_hash(cfg),
        "data_fingerprint": data_fingerprint([*dataset.train, *(dataset.test or [])], tasks),
        **(info or {}),
    }
    classifier.save(
        model_dir, config=config, metrics=results, data_fingerprint=_fingerprint(train, tasks)
    )
    _write_jsonl(output_dir / "predictions.jsonl", rows)
    _write_json(output_dir / "metrics.json", payload)  # last: its presence marks a finished run
    log.info("saved model to %s and metrics to %s", model_dir, output_dir / "metrics.json")
    return payload


def headline_metric(payload: dict[str, Any]) -> float:
    """The value sweeps and searches optimise: mean macro-F1 over the tasks of ``metrics.json``."""
    scores = [m["macro_f1"] for m in payload["tasks"].values()]
    return float(sum(scores) / len(scores))


def _resume(cfg: DictConfig, output_dir: Path) -> dict[str, Any] | None:
    """The stored payload if ``output_dir`` already holds this very run, else None.

    Clears the leftovers of an unfinished attempt (or, with ``force=true``, of a finished one);
    raises ``ConfigError`` if the dir holds a finished run of another config or data.
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
        if cfg.get("trainer", "memory") == "streaming":  # in constant memory, like the run
            from newsclf.streaming import streamed_fingerprint

            key["data_fingerprint"] = streamed_fingerprint(cfg)
        else:
            tasks = _tasks(cfg)
            dataset = load_dataset(cfg.data)
            records = [*dataset.train, *(dataset.test or [])]
            key["data_fingerprint"] = data_fingerprint(records, tasks)
        if previous.get("data_fingerprint") == key["data_fingerprint"]:
            (output_dir / ERROR_FILE).unlink(missing_ok=True)
            return previous
    raise mismatch_error(output_dir, previous, key)


def _failure(exc: BaseException) -> dict[str, Any]:
    payload: dict[str, Any] = {"error": type(exc).__name__, "message": str(exc)}
    if not isinstance(exc, NewsclfError):
        payload["traceback"] = traceback.format_exc()
    return payload


@hydra.main(version_base="1.3", config_path="conf", config_name="config")
def train_app(cfg: DictConfig) -> float:
    """``newsclf train``: returns the mean macro-F1 over tasks (the value sweepers optimise).

    A run dir that already holds a finished run of the same config and data is skipped (its
    stored metric is returned) unless ``force=true``. Under ``-m`` a failing job writes
    ``error.json``, logs the error and returns NaN, so the rest of the sweep goes on; the
    ``SweepSummary`` callback reports failures and sets exit status 1 at the end.
    """
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    output_dir = Path(HydraConfig.get().runtime.output_dir).absolute()
    multirun = HydraConfig.get().mode == RunMode.MULTIRUN
    log.info("output dir: %s", output_dir)
    try:
        started = time.perf_counter()
        payload = _resume(cfg, output_dir)
        if payload is not None:
            log.info(
                "skipped: %s already holds a finished run of this config and data "
                "(config %s, trained in %.1f s; checked in %.1f s); pass force=true to retrain",
                output_dir,
                str(payload.get("config_hash"))[:12],
                float(payload.get("total_seconds", float("nan"))),
                time.perf_counter() - started,
            )
        else:
            overrides = list(HydraConfig.get().overrides.task)
            payload = run(cfg, output_dir, info={"overrides": overrides})
    except Exception as exc:
        if isinstance(exc, NewsclfError):
            log.error("error: %s", exc)
        else:
            log.exception("error: unexpected %s: %s", type(exc).__name__, exc)
        _write_json(output_dir / ERROR_FILE, _failure(exc))
        if not multirun:
            if isinstance(exc, NewsclfError):
                raise SystemExit(2) from None
            raise
        log.error("job failed; the sweep goes on (details in %s)", output_dir / ERROR_FILE)
        return float("nan")
    print(format_metrics_table(payload["tasks"]), end="")
    print(f"model:   {payload['model_dir']}")
    print(f"metrics: {output_dir / 'metrics.json'}")
    return headline_metric(payload)


#: ``hydra/launcher`` options that come from a plugin of the ``cluster`` extra -> its module
_LAUNCHER_PLUGINS = {
    "joblib": "hydra_plugins.hydra_joblib_launcher",
    "submitit_local": "hydra_plugins.hydra_submitit_launcher",
    "submitit_slurm": "hydra_plugins.hydra_submitit_launcher",
    "slurm": "hydra_plugins.hydra_submitit_launcher",  # conf/hydra/launcher/slurm.yaml
}


def check_launcher(overrides: Sequence[str]) -> None:
    """Refuse a ``hydra/launcher=...`` override whose plugin is not installed, naming the extra.

    Without the check Hydra fails while composing, with a list of the launchers it does know.
    """
    for override in overrides:
        key, _, value = override.lstrip("+~").partition("=")
        if key.strip() != "hydra/launcher" or value not in _LAUNCHER_PLUGINS:
            continue
        module = _LAUNCHER_PLUGINS[value]
        if importlib.util.find_spec(module) is None:
            package = module.removeprefix("hydra_plugins.").replace("_", "-")
            raise ConfigError(
                f"the {value} launcher needs {package}, which is not installed",
                key="hydra/launcher",
                hint='pip install "newsclf[cluster]" (the joblib and submitit launchers)',
            )


@contextlib.contextmanager
def hydra_argparse_compat() -> Iterator[None]:
    """Let hydra-core 1.3.x build its argument parser on Python >= 3.14 (hydra#3121).

    Python 3.14's ``add_argument`` checks each help string (``'%' in help``, through
    ``ArgumentParser._check_help``); hydra 1.3 passes a non-string ``LazyCompletionHelp`` for
    ``--shell-completion``, so ``@hydra.main`` raises ``TypeError`` before it parses anything.
    While the block runs, the check skips that one object and checks every other help string
    as before; on Pythons without ``_check_help`` it does nothing. Remove it once newsclf
    requires a hydra-core release with the fix (the tests say when: see
    ``tests/test_python314.py``).
    """
    parser_cls: Any = argparse.ArgumentParser
    check = getattr(parser_cls, "_check_help", None)
    if check is None:
        yield
        return

    def _check_help(self: argparse.ArgumentParser, action: argparse.Action) -> None:
        if type(action.help).__name__ == "LazyCompletionHelp":
            return  # hydra's lazily rendered help: not a string until hydra prints it
        check(self, action)

    own = "_check_help" in vars(parser_cls)
    parser_cls._check_help = _check_help
    try:
        yield
    finally:
        if own:
            parser_cls._check_help = check
        else:
            del parser_cls._check_help


def run_app(argv: Sequence[str]) -> int:
    """Run ``newsclf train ARGV`` (the Hydra app) in this process; return its exit status.

    Hydra reads ``sys.argv``, so it is swapped for the call and restored afterwards.
    """
    check_launcher(argv)
    saved = sys.argv
    sys.argv = ["newsclf train", *argv]
    try:
        with hydra_argparse_compat():
            train_app()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = saved
    return 0
