"""The statistics of ``newsclf compare``: one table per task with CIs and paired tests.

``newsclf compare PATH...`` takes run dirs (``hydra.run.dir``) or multirun dirs (searched for
run dirs below them). Per task, each run gets one row: the overrides that differ between the
runs, the metric with its percentile-bootstrap CI, accuracy, training time, and for every run
but the best the two-sided paired approximate randomisation p-value against the best run,
computed from both runs' ``predictions.jsonl`` on the same evaluation examples (matched by id;
runs evaluated on different examples are refused). Failed runs (``error.json``) and unfinished
ones (neither ``metrics.json`` nor ``error.json``) are listed with their status.

Cross-validation runs (``eval=cv``) are compared on their out-of-fold predictions of every
record (CI and paired tests as above), and each row also shows the metric's mean ± sd over the
folds from ``metrics.json``. A cross-validation run is never paired with a hold-out run.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from newsclf.errors import ConfigError, DataError
from newsclf.evaluation.bootstrap import CONFUSION_METRICS, bootstrap_ci
from newsclf.evaluation.metrics import confusion, per_class_f1
from newsclf.evaluation.significance import (
    holm_adjust,
    metric_value,
    paired_randomization_test,
)
from newsclf.reports.compare.reading import Run, differing_overrides
from newsclf.runs.run_dir import PREDICTIONS_FILE
from newsclf.utils.overrides import split_override

__all__ = [
    "CI_METHOD",
    "TEST_METHOD",
    "Comparison",
    "SliceTable",
    "TaskComparison",
    "compare_runs",
]

log = logging.getLogger(__name__)

TEST_METHOD = "two-sided paired approximate randomisation"
CI_METHOD = "percentile bootstrap over evaluation examples"


@dataclass
class TaskComparison:
    """The comparison of all runs on one task."""

    task: str
    rows: list[dict[str, Any]]
    best: str | None
    labels: list[str]
    n_examples: int
    confusion_best: list[list[int]]
    per_class_f1: dict[str, dict[str, float]]
    #: cross-validation runs: ``folds`` (K per run) and ``same_folds`` (identical assignment)
    cv: dict[str, Any] | None = None


@dataclass
class SliceTable:
    """One task's metric per slice of a record field (``--by``), per run, from metrics.json."""

    task: str
    field: str
    slices: list[str]
    #: run name -> slice -> the slice's metrics as the run's metrics.json has them
    cells: dict[str, dict[str, dict[str, Any]]]
    #: finished runs whose metrics.json has no such breakdown (trained before it existed, or
    #: with the field left out of eval.breakdowns)
    missing: list[str]


@dataclass
class Comparison:
    """Everything ``newsclf compare`` reports."""

    metric: str
    confidence: float
    n_resamples: int
    override_keys: list[str]
    tasks: list[TaskComparison]
    runs: list[Run]
    breakdowns: list[SliceTable] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "ci": {
                "method": CI_METHOD,
                "confidence": self.confidence,
                "resamples": self.n_resamples,
            },
            "test": {
                "method": TEST_METHOD,
                "against": "best run of the task",
                "resamples": self.n_resamples,
                "exact_when": f"at most log2({self.n_resamples}) examples differ",
                "adjustment": "Holm over the comparisons of one task (p_holm)",
            },
            "override_keys": self.override_keys,
            "runs": [
                {"name": r.name, "path": str(r.path), "status": r.status, "error": r.error}
                for r in self.runs
            ],
            "tasks": {
                t.task: {
                    "best": t.best,
                    "n_examples": t.n_examples,
                    "labels": t.labels,
                    "rows": t.rows,
                    "confusion_best": t.confusion_best,
                    "per_class_f1": t.per_class_f1,
                    **({"cv": t.cv} if t.cv else {}),
                }
                for t in self.tasks
            },
            **(
                {
                    "breakdowns": [
                        {
                            "task": b.task,
                            "field": b.field,
                            "slices": b.slices,
                            "runs": b.cells,
                            "missing": b.missing,
                        }
                        for b in self.breakdowns
                    ]
                }
                if self.breakdowns
                else {}
            ),
        }


def _check_same_examples(task: str, runs: Sequence[Run]) -> tuple[list[str], dict[str, list[str]]]:
    """Gold labels and each run's predictions aligned on the reference run's example order."""
    reference: Run | None = None
    ids: list[str] = []
    gold: dict[str, str] = {}
    preds: dict[str, list[str]] = {}
    for run in runs:
        rows = run.predictions()
        missing = [k for k in ("id", task, f"{task}_gold") if rows and k not in rows[0]]
        if missing:
            raise DataError(
                f"predictions lack field(s) {missing}",
                path=run.path / PREDICTIONS_FILE,
                hint="retrain the run with this newsclf version",
            )
        run_gold = {str(r["id"]): str(r[f"{task}_gold"]) for r in rows}
        if len(run_gold) != len(rows):
            raise DataError(
                "duplicate example ids", path=run.path / PREDICTIONS_FILE, hint="retrain the run"
            )
        if reference is None:
            reference, ids, gold = run, [str(r["id"]) for r in rows], run_gold
        elif run_gold.keys() != gold.keys():
            only_ref = len(gold.keys() - run_gold.keys())
            only_run = len(run_gold.keys() - gold.keys())
            raise DataError(
                f"runs were evaluated on different examples ({task}): {only_ref} eval id(s) "
                f"only in {reference.name}, {only_run} only in {run.name}; paired tests need "
                "the same examples",
                path=run.path,
                hint="compare runs that share the data, split and seed (one sweep, or sweeps "
                "over the same data), or compare them in separate calls",
            )
        elif run_gold != gold:
            bad = sum(gold[i] != run_gold[i] for i in gold)
            raise DataError(
                f"runs share eval ids but {bad} gold {task} label(s) differ from "
                f"{reference.name}: the data changed between them",
                path=run.path,
                hint="compare runs trained on the same version of the data",
            )
        by_id = {str(r["id"]): str(r[task]) for r in rows}
        preds[run.name] = [by_id[i] for i in ids]
    return [gold[i] for i in ids], preds


def _cv_summary(run: Run, task: str) -> dict[str, Any] | None:
    """The ``cv`` entry a cross-validation run has in ``metrics.json`` for ``task``."""
    summary = ((run.metrics or {}).get("tasks", {}).get(task) or {}).get("cv")
    return summary if isinstance(summary, dict) else None


def _check_protocols(task: str, runs: Sequence[Run]) -> dict[str, Any] | None:
    """Refuse to pair cross-validation with hold-out runs; for CV runs, their folds.

    Returns None for hold-out runs, else ``folds`` (run name -> K) and ``same_folds`` (whether
    every run put every record in the same fold: then the per-fold figures pair up too).
    """
    summaries = {r.name: _cv_summary(r, task) for r in runs}
    cv = [r for r in runs if summaries[r.name] is not None]
    if not cv:
        return None
    if len(cv) != len(runs):
        holdout = [r.name for r in runs if summaries[r.name] is None]
        raise DataError(
            f"cannot compare cross-validation run(s) {[r.name for r in cv]} with hold-out "
            f"run(s) {holdout} ({task}): out-of-fold predictions of every record and one "
            "held-out part are different evaluations",
            path=cv[0].path,
            hint="compare eval=cv runs and eval=holdout runs in separate calls",
        )
    assignments = [{str(row["id"]): row.get("fold") for row in run.predictions()} for run in runs]
    same = all(a == assignments[0] for a in assignments[1:])
    if not same:
        log.warning(
            "%s: the cross-validation runs put records in different folds (other seed, "
            "eval.folds or data); out-of-fold predictions still pair by id",
            task,
        )
    folds = {name: (summary or {}).get("folds") for name, summary in summaries.items()}
    return {"folds": folds, "same_folds": same}


def compare_runs(
    runs: Sequence[Run],
    *,
    metric: str = "macro_f1",
    tasks: Sequence[str] | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    by: Sequence[str] = (),
) -> Comparison:
    """Per task: metric with bootstrap CI per run, the best run, paired tests against it; per
    field of ``by`` (``lang``, ``group``, ``target``...) the metric of each slice per run."""
    if metric not in CONFUSION_METRICS:
        raise ConfigError(
            f"unknown metric {metric!r}",
            key="--metric",
            hint=f"choose one of: {', '.join(CONFUSION_METRICS)}",
        )
    finished = [r for r in runs if r.status == "finished"]
    available: list[str] = []
    for run in finished:
        for task in (run.metrics or {}).get("tasks", {}):
            if task not in available:
                available.append(task)
    if tasks:
        unknown = [t for t in tasks if t not in available]
        if unknown and finished:
            raise ConfigError(
                f"no finished run has task(s) {unknown}",
                key="--task",
                hint=f"tasks in these runs: {', '.join(available) or 'none'}",
            )
        chosen = list(tasks)
    else:
        chosen = available
    if not finished:
        log.warning("no finished run among %d run dir(s): listing failures only", len(runs))
    keys = differing_overrides(runs)
    other = "accuracy" if metric != "accuracy" else "macro_f1"
    results = []
    for task in chosen:
        with_task = [r for r in finished if task in (r.metrics or {}).get("tasks", {})]
        skipped = [r.name for r in finished if r not in with_task]
        if skipped:
            log.info("%s: %d run(s) have no %s head: %s", task, len(skipped), task, skipped)
        cv = _check_protocols(task, with_task)
        gold, preds = _check_same_examples(task, with_task)
        labels = sorted(set(gold).union(*(set(p) for p in preds.values())))
        scores = {
            r.name: metric_value(gold, preds[r.name], metric=metric, labels=labels)
            for r in with_task
        }
        best = max(scores, key=lambda name: (scores[name], -list(scores).index(name)))
        tests = {
            name: paired_randomization_test(
                gold,
                preds[name],
                preds[best],
                metric=metric,
                labels=labels,
                n_resamples=n_resamples,
                seed=seed,
            )
            for name in scores
            if name != best
        }
        names = list(tests)
        adjusted = dict(zip(names, holm_adjust([tests[n].p_value for n in names]), strict=True))
        rows = []
        for run in runs:
            overrides = dict(split_override(o) for o in run.overrides)
            row: dict[str, Any] = {
                "task": task,
                "run": run.name,
                "path": str(run.path),
                "status": run.status,
                "best": False,
                **{f"override:{k}": overrides.get(k, "") for k in keys},
            }
            if run.status != "finished" or run.name not in scores:
                row["status"] = run.status if run.status != "finished" else f"no {task} head"
                row["error"] = run.error
                rows.append(row)
                continue
            pred = preds[run.name]
            low, high = bootstrap_ci(
                gold,
                pred,
                metric=metric,
                labels=labels,
                n_resamples=n_resamples,
                confidence=confidence,
                seed=seed,
            )
            o_low, o_high = bootstrap_ci(
                gold,
                pred,
                metric=other,
                labels=labels,
                n_resamples=n_resamples,
                confidence=confidence,
                seed=seed,
            )
            task_metrics = run.metrics["tasks"][task] if run.metrics else {}
            test = tests.get(run.name)
            row.update(
                {
                    "best": run.name == best,
                    metric: scores[run.name],
                    f"{metric}_ci_low": low,
                    f"{metric}_ci_high": high,
                    other: metric_value(gold, pred, metric=other, labels=labels),
                    f"{other}_ci_low": o_low,
                    f"{other}_ci_high": o_high,
                    "delta_vs_best": scores[run.name] - scores[best],
                    "p_value": None if test is None else test.p_value,
                    "p_holm": adjusted.get(run.name),
                    "p_exact": None if test is None else test.exact,
                    "n_discordant": None if test is None else test.n_discordant,
                    "train_seconds": task_metrics.get("train_seconds"),
                    "n": len(gold),
                }
            )
            summary = _cv_summary(run, task)
            if summary is not None:
                row.update(
                    {
                        "folds": summary.get("folds"),
                        f"{metric}_fold_mean": summary.get("mean", {}).get(metric),
                        f"{metric}_fold_sd": summary.get("sd", {}).get(metric),
                    }
                )
            rows.append(row)
        results.append(
            TaskComparison(
                task=task,
                rows=rows,
                best=best,
                labels=labels,
                n_examples=len(gold),
                confusion_best=confusion(gold, preds[best], labels).tolist(),
                per_class_f1={name: per_class_f1(gold, preds[name], labels) for name in scores},
                cv=cv,
            )
        )
    if not chosen:  # nothing finished: one table of failures
        rows = [
            {"task": "", "run": r.name, "path": str(r.path), "status": r.status, "error": r.error}
            for r in runs
        ]
        results.append(TaskComparison("", rows, None, [], 0, [], {}))
    tables = [_slice_table(task, f, finished) for f in by for task in chosen]
    return Comparison(metric, confidence, n_resamples, keys, results, list(runs), tables)


def _slice_table(task: str, field_name: str, finished: Sequence[Run]) -> SliceTable:
    """The ``breakdowns[field]`` of ``task`` in each finished run's metrics.json."""
    from newsclf.evaluation.breakdown import MISSING_SLICE

    cells: dict[str, dict[str, dict[str, Any]]] = {}
    missing = []
    for run in finished:
        task_metrics = (run.metrics or {}).get("tasks", {}).get(task)
        if task_metrics is None:
            continue
        slices = (task_metrics.get("breakdowns") or {}).get(field_name)
        if slices is None:
            missing.append(run.name)
        else:
            cells[run.name] = slices
    if missing:
        log.warning(
            "%s: %d run(s) have no breakdown by %s in metrics.json (retrain them with this "
            "newsclf version, with %s in eval.breakdowns): %s",
            task,
            len(missing),
            field_name,
            field_name,
            missing,
        )
    values = sorted({v for slices in cells.values() for v in slices})
    values.sort(key=lambda v: v == MISSING_SLICE)
    return SliceTable(task, field_name, values, cells, missing)
