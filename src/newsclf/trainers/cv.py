"""``eval=cv``: K-fold cross-validation as a run's evaluation (``trainer=memory`` only).

One hold-out split is a noisy judge on a small corpus. Here every record is predicted once, by
a model fitted on the other folds, so the run is scored on all records: ``predictions.jsonl``
holds the out-of-fold prediction of every record (with its ``fold``), ``metrics.json`` the
pooled out-of-fold metrics where a hold-out run has its metrics (so every reader keeps working)
plus, per task, ``cv``: the per-fold figures, their mean and sample standard deviation. The
saved model is fitted on all records. Folds come from :func:`newsclf.data.splits.cv_folds`
(grouped, stratified by the first task, shuffled with ``seed``): same data and seed, same run.

With a test file (``data.test``) the folds cover the training file only and the test file is
not used: it stays held aside (``eval=holdout`` scores it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf

from newsclf.classifier import NewsClassifier
from newsclf.cluster.engine import Engine
from newsclf.data.records import Record
from newsclf.data.splits import cv_folds
from newsclf.errors import ConfigError, DataError
from newsclf.evaluation import classification_metrics
from newsclf.evaluation.report import EvalEvidence, eval_options, task_report
from newsclf.pipeline import TASK_SPECS, TaskModel, group_option
from newsclf.runs.run_dir import (
    PredictionsWriter,
    config_hash,
    data_fingerprint,
    model_dir,
    write_metrics,
)
from newsclf.trainers.base import Trainer
from newsclf.trainers.memory import MemoryTrainer
from newsclf.utils.progress import Progress, progress_enabled

__all__ = ["EVALS", "check_eval", "cross_validate_and_save", "fold_summary", "format_cv_summary"]

log = logging.getLogger(__name__)

#: ``eval.name`` values (conf/eval/NAME.yaml)
EVALS = ("holdout", "cv")


def check_eval(cfg: DictConfig, trainer: Trainer) -> str:
    """The ``eval.name`` of ``cfg``, refusing one the trainer cannot run."""
    name = group_option(cfg, "eval", EVALS, what="evaluation")
    if name == "cv" and not isinstance(trainer, MemoryTrainer):
        raise ConfigError(
            f"cross-validation needs every record in memory; trainer={trainer.name} reads "
            "them in chunks",
            key="eval",
            hint="use trainer=memory with eval=cv, or eval=holdout with trainer=streaming",
        )
    return name


def _fold_metrics(metrics: Mapping[str, Any]) -> dict[str, float]:
    """The headline figures of one fold's metrics (macro-F1, accuracy, F_avg / FNC score)."""
    out = {"macro_f1": float(metrics["macro_f1"]), "accuracy": float(metrics["accuracy"])}
    if "favg" in metrics:
        out["favg"] = float(metrics["favg"]["score"])
    if "fnc" in metrics:
        out["fnc_score"] = float(metrics["fnc"]["score"])
    return out


def fold_summary(per_fold: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, float]]:
    """Mean and sample standard deviation (ddof=1) over the folds of every figure but ``n``."""
    keys = [k for k in per_fold[0] if k not in ("fold", "n")]
    values = {k: np.asarray([float(f[k]) for f in per_fold]) for k in keys}
    return {
        "mean": {k: float(np.mean(v)) for k, v in values.items()},
        "sd": {
            k: float(np.std(v, ddof=1)) if len(v) > 1 else float("nan") for k, v in values.items()
        },
    }


def format_cv_summary(tasks: Mapping[str, Mapping[str, Any]]) -> str:
    """One line per cross-validated task: fold mean ± sd beside the pooled figures ("" if none).

    Printed under the metrics table, which shows the pooled out-of-fold metrics.
    """
    lines = []
    for task, m in tasks.items():
        cv = m.get("cv")
        if not isinstance(cv, Mapping):
            continue
        mean, sd = cv["mean"], cv["sd"]
        lines.append(
            f"{task}: {cv['folds']}-fold CV, mean ± sd over folds: macro-F1 "
            f"{mean['macro_f1']:.3f} ± {sd['macro_f1']:.3f}, accuracy {mean['accuracy']:.3f} ± "
            f"{sd['accuracy']:.3f} (the table: pooled out-of-fold, n={m['n']})"
        )
    return "".join(line + "\n" for line in lines)


def _check_fold_training(task: str, fold: int, train: Sequence[Record], source: Any) -> None:
    classes = {r.label(TASK_SPECS[task].label_field) for r in train}
    if len(classes) < 2:
        raise DataError(
            f"'{task}' has only one class ({next(iter(classes), None)!r}) outside fold {fold}; "
            "a classifier needs at least two",
            path=source,
            field=task,
            hint="lower eval.folds or add examples of the other classes",
        )


#: the job of the final fit on all records, beside the folds 0..K-1
_FINAL = "final"


@dataclass(frozen=True)
class _CvData:
    """What every fold needs, sent to each Dask worker once (scattered)."""

    cfg: DictConfig
    tasks: tuple[str, ...]
    records: list[Record]
    fold_of: np.ndarray


def _cv_job(data: _CvData, job: int | str) -> dict[str, Any]:
    """Fit every task outside fold ``job`` and predict the fold; or, for ``_FINAL``, fit every
    task on all records. Runs in this process or on a worker: a top-level function."""
    trainer = MemoryTrainer(data.cfg, data.tasks)
    if job == _FINAL:
        train = data.records
    else:
        train = [data.records[i] for i in np.flatnonzero(data.fold_of != job)]
    models: dict[str, TaskModel] = {}
    seconds: dict[str, float] = {}
    for task in data.tasks:
        models[task], seconds[task] = trainer.fit_task(task, train)
    if job == _FINAL:
        log.info("fitted the final model on all %d records", len(train))
        return {"job": job, "models": models, "seconds": seconds}
    held = [data.records[i] for i in np.flatnonzero(data.fold_of == job)]
    t0 = time.perf_counter()
    predicted = NewsClassifier(models).predict_records(held)
    return {
        "job": job,
        "predicted": predicted,
        "seconds": seconds,
        "predict_seconds": time.perf_counter() - t0,
    }


def cross_validate_and_save(
    cfg: DictConfig,
    trainer: Trainer,
    output_dir: Path,
    *,
    started: float,
    info: Mapping[str, Any] | None = None,
    engine: Engine | None = None,
) -> dict[str, Any]:
    """Cross-validate every task, fit the final model on all records, write the run dir.

    The folds (and the final fit) run on ``engine``: in this process by default, or on the Dask
    workers of ``cluster=dask`` (:mod:`newsclf.cluster`); the figures are the same either way.
    Returns the payload of ``metrics.json`` (see the module docstring for what it holds).
    """
    check_eval(cfg, trainer)
    assert isinstance(trainer, MemoryTrainer)
    tasks = trainer.tasks
    dataset = trainer.load()
    records = list(dataset.train)
    n_folds = cfg.eval.get("folds", 5)
    fold_of, scheme = cv_folds(
        records,
        folds=n_folds,
        stratify=TASK_SPECS[tasks[0]].label_field,
        seed=int(cfg.seed),
        group_field=cfg.split.get("group_field"),
    )
    split = f"{scheme} over {len(records)} records"
    if dataset.test is not None:
        split += " (training file only; the test file is not used)"
        log.warning(
            "eval=cv with a test file: cross-validating the %d training records only; the %d "
            "test records are not used (eval=holdout scores them)",
            len(records),
            len(dataset.test),
        )
    log.info("%s from %s", split, dataset.source)

    rows: list[dict[str, Any] | None] = [None] * len(records)
    # the classes of the final model (fitted on all records): the same for every fold's figures
    labels = {t: sorted({str(r.label(t)) for r in records}) for t in tasks}
    per_fold: dict[str, list[dict[str, Any]]] = {t: [] for t in tasks}
    fit_seconds = predict_seconds = 0.0
    for k in range(n_folds):
        train = [records[i] for i in np.flatnonzero(fold_of != k)]
        for task in tasks:
            _check_fold_training(task, k + 1, train, dataset.source)
    engine = engine or Engine()
    # the folds and the final fit on all records are independent: on a cluster they run side by
    # side (the final fit, the longest, first); in process one after the other, as they read
    jobs: list[int | str] = (
        [_FINAL, *range(n_folds)] if engine.distributed else [*range(n_folds), _FINAL]
    )
    if engine.distributed:
        log.info("%d folds and the final fit on %d Dask workers", n_folds, engine.n_workers)
    # a bar on a terminal; otherwise the "fold k/K" lines below say how far it got
    show = progress_enabled("auto")
    progress = Progress("cross-validation", n_folds, enabled=True, unit="folds") if show else None
    cv_started = time.perf_counter()
    done: dict[int | str, dict[str, Any]] = {}
    shared = _CvData(trainer.cfg, tuple(tasks), records, fold_of)
    for result in engine.map_shards(_cv_job, jobs, shared=shared):
        done[result["job"]] = result
        if progress is not None and result["job"] != _FINAL:
            progress.update(1)
    if progress is not None:
        progress.close()
    log.info(
        "cross-validation: %d folds and the final fit in %.1f s",
        n_folds,
        time.perf_counter() - cv_started,
    )
    for k in range(n_folds):
        result = done[k]
        in_fold = np.flatnonzero(fold_of == k)
        held = [records[i] for i in in_fold]
        predicted = result["predicted"]
        fit_seconds += sum(result["seconds"].values())
        predict_seconds += result["predict_seconds"]
        scores = []
        for i, row in zip(in_fold, predicted, strict=True):
            golds = {f"{t}_gold": records[i].label(t) for t in tasks}
            rows[i] = {"id": row.pop("id"), "fold": k + 1, **row, **golds}
        for t in tasks:
            fold_metrics = classification_metrics(
                [str(r.label(t)) for r in held],
                [str(row[t]) for row in predicted],
                labels=labels[t],
                n_resamples=0,
            )
            per_fold[t].append({"fold": k + 1, "n": len(held), **_fold_metrics(fold_metrics)})
            scores.append(f"{t} macro-F1 {fold_metrics['macro_f1']:.3f}")
        log.info(
            "fold %d/%d: %s (n=%d, trained on %d)",
            k + 1,
            n_folds,
            ", ".join(scores),
            len(held),
            len(records) - len(held),
        )

    final: dict[str, TaskModel] = done[_FINAL]["models"]
    task_seconds: dict[str, float] = done[_FINAL]["seconds"]
    classifier = NewsClassifier(final)

    out_rows = [row for row in rows if row is not None]
    assert len(out_rows) == len(records), "every record is in exactly one fold"
    with PredictionsWriter(output_dir) as out:
        out.write(out_rows)

    # the pooled out-of-fold predictions get the same report as a hold-out part
    options = eval_options(cfg.eval)
    evidence = EvalEvidence(classifier.labels, options["by"])
    evidence.add(records, out_rows)
    results: dict[str, dict[str, Any]] = {}
    for t in tasks:
        gold = [str(row[f"{t}_gold"]) for row in out_rows]
        pred = [str(row[t]) for row in out_rows]
        results[t] = task_report(
            gold,
            pred,
            labels=classifier.labels[t],
            proba=evidence.proba[t],
            slices=evidence.slices,
            seed=int(cfg.seed),
            **options,
        )
        results[t]["cv"] = {
            "folds": n_folds,
            "scheme": scheme,
            "pooled": "out-of-fold predictions of every record (the metrics above)",
            "per_fold": per_fold[t],
            **fold_summary(per_fold[t]),
        }
        results[t]["train_seconds"] = round(task_seconds[t], 3)
        summary = results[t]["cv"]
        log.info(
            "%s: macro-F1 over %d folds %.3f ± %.3f (sd); pooled out-of-fold %.3f",
            t,
            n_folds,
            summary["mean"]["macro_f1"],
            summary["sd"]["macro_f1"],
            results[t]["macro_f1"],
        )

    fingerprint = data_fingerprint([*dataset.train, *(dataset.test or [])], tasks)
    model_path = model_dir(cfg, output_dir)
    payload = {
        "tasks": results,
        "trainer": cfg.trainer.name,
        "eval": "cv",
        "n_train": len(records),
        "n_eval": len(records),
        "split": split,
        "eval_ids": [row["id"] for row in out_rows],
        "train_seconds": round(fit_seconds + sum(task_seconds.values()), 3),
        "eval_seconds": round(predict_seconds, 3),
        "total_seconds": round(time.perf_counter() - started, 3),
        "model_dir": str(model_path),
        "config_hash": config_hash(cfg),
        "data_fingerprint": fingerprint,
        **(info or {}),
    }
    classifier.save(
        model_path,
        config=OmegaConf.to_container(cfg, resolve=True),
        metrics=results,
        data_fingerprint=fingerprint,
    )
    write_metrics(output_dir, payload)  # last: its presence marks a finished run
    log.info("saved model to %s and metrics to %s", model_path, output_dir / "metrics.json")
    return payload
