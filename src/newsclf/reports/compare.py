"""Compare finished runs and sweeps: one table per task with CIs and paired tests.

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

import csv
import io
import json
import logging
import math
import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from newsclf.errors import ConfigError, DataError
from newsclf.evaluation.bootstrap import CONFUSION_METRICS, bootstrap_ci
from newsclf.evaluation.significance import (
    holm_adjust,
    metric_value,
    paired_randomization_test,
)
from newsclf.runs.run_dir import ERROR_FILE, METRICS_FILE, PREDICTIONS_FILE

__all__ = [
    "Comparison",
    "Run",
    "SliceTable",
    "compare_runs",
    "find_runs",
    "write_comparison",
    "write_reliability",
]

log = logging.getLogger(__name__)

TEST_METHOD = "two-sided paired approximate randomisation"
CI_METHOD = "percentile bootstrap over evaluation examples"


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
            path = self.path / PREDICTIONS_FILE
            if not path.is_file():
                raise DataError(
                    "finished run has no predictions.jsonl, so it cannot be compared example by "
                    "example",
                    path=self.path,
                    hint="retrain it with this newsclf version (newsclf train ... force=true)",
                )
            rows = []
            with path.open(encoding="utf-8") as fh:
                for line_no, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        rows.append(json.loads(line))
                    except ValueError:
                        raise DataError(
                            "malformed JSON", path=path, line=line_no, hint="retrain the run"
                        ) from None
            self._predictions = rows
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
    metrics_path, error_path = path / METRICS_FILE, path / ERROR_FILE
    if error_path.is_file():  # written by the latest attempt; a success removes it
        try:
            error = json.loads(error_path.read_text(encoding="utf-8"))
            message = str(error.get("message", "")) or str(error.get("error", "failed"))
        except (OSError, ValueError, AttributeError):
            message = "failed (unreadable error.json)"
        return Run(path, name, "failed", _overrides(path, None), error=message)
    if metrics_path.is_file():
        try:
            metrics = json.loads(metrics_path.read_text(encoding="utf-8"))
        except ValueError:
            raise DataError(
                "malformed metrics.json", path=metrics_path, hint="retrain the run"
            ) from None
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


def _split_override(override: str) -> tuple[str, str]:
    key, _, value = override.partition("=")
    return key.lstrip("+~"), value


def differing_overrides(runs: Sequence[Run]) -> list[str]:
    """Override keys whose value is not the same in every run (``hydra.*``, ``force`` left out)."""
    per_run = [dict(_split_override(o) for o in run.overrides) for run in runs]
    keys: list[str] = []
    for overrides in per_run:
        for key in overrides:
            if key not in keys and not key.startswith("hydra") and key != "force":
                keys.append(key)
    return [key for key in keys if len({o.get(key) for o in per_run}) > 1]


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


def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.{digits}f}"


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
            overrides = dict(_split_override(o) for o in run.overrides)
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
        best_pred = preds[best]
        index = {label: i for i, label in enumerate(labels)}
        confusion = np.zeros((len(labels), len(labels)), dtype=int)
        for t, p in zip(gold, best_pred, strict=True):
            confusion[index[t], index[p]] += 1
        results.append(
            TaskComparison(
                task=task,
                rows=rows,
                best=best,
                labels=labels,
                n_examples=len(gold),
                confusion_best=confusion.tolist(),
                per_class_f1={name: _per_class_f1(gold, preds[name], labels) for name in scores},
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


def _per_class_f1(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict:
    out = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, pred, strict=True))
        support = sum(g == label for g in gold)
        predicted = sum(p == label for p in pred)
        out[label] = 2 * tp / (support + predicted) if support + predicted else float("nan")
    return out


def format_markdown(comparison: Comparison) -> str:
    """The comparison as Markdown: one table per task, then the methods and the failures."""
    metric = comparison.metric
    other = "accuracy" if metric != "accuracy" else "macro_f1"
    conf = round(comparison.confidence * 100)
    lines = []
    for t in comparison.tasks:
        if t.task and t.cv:
            lines.append(
                f"## {t.task}: {metric} (best: {t.best}, n={t.n_examples}, "
                f"{_folds_text(t.cv)} cross-validation, pooled out-of-fold)"
            )
        elif t.task:
            lines.append(f"## {t.task}: {metric} (best: {t.best}, n={t.n_examples})")
        else:
            lines.append("## no finished runs")
        lines.append("")
        header = ["", "run", *comparison.override_keys, "status"]
        if t.task and t.cv:
            header += [f"{metric} folds mean ± sd", f"{metric} OOF [{conf}% CI]"]
        elif t.task:
            header += [f"{metric} [{conf}% CI]"]
        if t.task:
            header += [
                f"{other} [{conf}% CI]",
                "Δ vs best",
                "p (AR)",
                "p (Holm)",
                "train s",
            ]
        lines.append("| " + " | ".join(header) + " |")
        lines.append("|" + "|".join("---" for _ in header) + "|")
        for row in t.rows:
            cells = [
                "★" if row.get("best") else "",
                row["run"],
                *(str(row.get(f"override:{k}", "")) or "·" for k in comparison.override_keys),
            ]
            status = row["status"]
            if row.get("error") and status != "finished":
                status = f"{status}: {_one_line(row['error'])}"
            cells.append(status)
            if t.task:
                if metric in row:
                    p = row["p_value"]
                    if t.cv:
                        cells.append(
                            f"{_fmt(row.get(f'{metric}_fold_mean'))} ± "
                            f"{_fmt(row.get(f'{metric}_fold_sd'))}"
                        )
                    cells += [
                        f"{row[metric]:.3f} [{_fmt(row[f'{metric}_ci_low'])}, "
                        f"{_fmt(row[f'{metric}_ci_high'])}]",
                        f"{row[other]:.3f} [{_fmt(row[f'{other}_ci_low'])}, "
                        f"{_fmt(row[f'{other}_ci_high'])}]",
                        "best" if row["best"] else f"{row['delta_vs_best']:+.3f}",
                        "" if p is None else _fmt_p(p),
                        "" if row["p_holm"] is None else _fmt_p(row["p_holm"]),
                        _fmt(row.get("train_seconds"), 1),
                    ]
                else:
                    cells += [""] * (7 if t.cv else 6)
            lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        lines.append("")
    for table in comparison.breakdowns:
        lines += _format_slice_table(table, metric)
    lines.append(
        f"CIs: {conf}% {CI_METHOD} ({comparison.n_resamples} resamples). "
        f"p (AR): {TEST_METHOD} test of each run against the best (★) on the same examples "
        f"({comparison.n_resamples} random swap patterns; all patterns, i.e. exact, when at most "
        f"log2({comparison.n_resamples}) predictions differ). p (Holm): adjusted for "
        "the number of comparisons in the table. The best run is chosen on this same data, so "
        "treat small p-values as evidence, not proof."
    )
    cv_tasks = [t for t in comparison.tasks if t.cv]
    if cv_tasks:
        lines.append(
            f"Cross-validation: the {metric} OOF column, its CI and the p-values are computed "
            "over the pooled out-of-fold predictions (every record predicted once, by the model "
            "not trained on its fold), paired by record id; folds mean ± sd is over the "
            "per-fold figures in metrics.json (sample sd)."
        )
        if any(not t.cv["same_folds"] for t in cv_tasks):
            lines.append(
                "Warning: the runs' folds differ (another seed, eval.folds or data), so their "
                "per-fold figures do not pair up."
            )
    if any(
        not row.get(f"override:{k}")
        for t in comparison.tasks
        for row in t.rows
        for k in comparison.override_keys
    ):
        lines.append("`·`: the option's default (not overridden in that run).")
    failed = [r for r in comparison.runs if r.status != "finished"]
    if failed:
        lines.append("")
        lines.append(f"Failed or unfinished runs ({len(failed)}):")
        for r in failed:
            lines.append(f"- {r.name} ({r.status}): {_one_line(r.error or '')} — {r.path}")
    return "\n".join(lines) + "\n"


def _folds_text(cv: dict[str, Any]) -> str:
    folds = sorted(set(cv["folds"].values()), key=str)
    return "/".join(str(k) for k in folds) + "-fold"


def _format_slice_table(table: SliceTable, metric: str) -> list[str]:
    """Markdown: one row per slice, one column per run (the metric; F_avg for stance sets)."""
    runs = list(table.cells)
    lines = [f"## {table.task} by {table.field}: {metric} per slice", ""]
    if not runs:
        return [*lines, f"(no run has a breakdown by {table.field})", ""]
    lines.append("| slice | n | " + " | ".join(runs) + " |")
    lines.append("|---|---:|" + "|".join("---:" for _ in runs) + "|")
    for value in table.slices:
        first = next(table.cells[r][value] for r in runs if value in table.cells[r])
        n = f"{first['n']} (small)" if first.get("small") else str(first["n"])
        cells = []
        for run in runs:
            s = table.cells[run].get(value)
            if s is None or s.get(metric) is None:
                cells.append("")
                continue
            cell = _fmt(s[metric])
            if s.get("favg"):
                cell += f" · F_avg {_fmt(s['favg']['score'], 1)}"
            cells.append(cell)
        row = [value, n, *cells]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    lines.append("")
    if any(s.get("small") for slices in table.cells.values() for s in slices.values()):
        lines += ["(small): fewer records than eval.min_slice of the run; noisy figures.", ""]
    return lines


def _fmt_p(p: float) -> str:
    return "<0.001" if p < 0.001 else f"{p:.3f}"


def _one_line(message: str, width: int = 80) -> str:
    first = message.strip().splitlines()[0] if message.strip() else ""
    return first if len(first) <= width else first[: width - 1] + "…"


def _csv(comparison: Comparison) -> str:
    rows = [row for t in comparison.tasks for row in t.rows]
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row.get(k) for k in columns})
    return buffer.getvalue()


def _nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _nan_to_none(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_nan_to_none(v) for v in value]
    return value


def write_comparison(comparison: Comparison, out: str | Path, *, plots: bool = True) -> Path:
    """Write ``compare.md``, ``compare.csv``, ``compare.json`` and the PNG plots into ``out``.

    Everything goes to a temporary sibling dir first that then replaces ``out`` whole.
    """
    out = Path(out).expanduser().absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=out.parent))
    try:
        (tmp / "compare.md").write_text(format_markdown(comparison), encoding="utf-8")
        (tmp / "compare.csv").write_text(_csv(comparison), encoding="utf-8")
        payload = json.dumps(_nan_to_none(comparison.to_json()), indent=2, ensure_ascii=False)
        (tmp / "compare.json").write_text(payload + "\n", encoding="utf-8")
        if plots:
            _plots(comparison, tmp)
        if out.exists():
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
            os.replace(tmp, out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return out


def _plots(comparison: Comparison, out: Path) -> None:
    try:
        from newsclf.reports import plots
    except ImportError as exc:  # matplotlib is the optional `plot` extra
        log.warning("no plots: %s (install them with: pip install 'newsclf[plot]')", exc)
        return
    for t in comparison.tasks:
        if not t.task or t.best is None:
            continue
        plots.plot_metric_ci(
            t.rows,
            metric=comparison.metric,
            confidence=comparison.confidence,
            title=f"{t.task}: {comparison.metric} with {round(comparison.confidence * 100)}% "
            f"bootstrap CI (n={t.n_examples})",
            path=out / f"{t.task}_{comparison.metric}.png",
        )
        plots.plot_confusion(
            t.labels,
            t.confusion_best,
            title=f"{t.task}: confusion matrix of the best run ({t.best})",
            path=out / f"{t.task}_confusion_best.png",
        )
        plots.plot_per_class_f1(
            t.per_class_f1,
            t.labels,
            title=f"{t.task}: per-class F1",
            path=out / f"{t.task}_per_class_f1.png",
        )


def _top_label(run: Run, task: str) -> tuple[np.ndarray, np.ndarray] | None:
    """(correct, top probability) per evaluation example of ``run`` from predictions.jsonl."""
    rows = run.predictions()
    if not rows or f"{task}_scores" not in rows[0]:
        return None
    correct = np.array([str(r[task]) == str(r[f"{task}_gold"]) for r in rows], dtype=int)
    confidence = np.array([max(r[f"{task}_scores"].values()) for r in rows], dtype=float)
    total = np.array([sum(r[f"{task}_scores"].values()) for r in rows], dtype=float)
    return correct, np.divide(confidence, total, out=confidence.copy(), where=total > 0)


def write_reliability(
    comparison: Comparison, path: str | Path, *, bins: int | None = None
) -> Path | None:
    """A reliability-diagram PNG: per task, each finished run's top-label calibration curve.

    The curve bins the top probability of each example (equal-width ``bins``; default the
    ``calibration.bins`` of the first run's metrics, else 10) and plots the share of correct
    predictions per bin against the bin's mean top probability. Needs matplotlib (the ``plot``
    extra); without it nothing is written and a warning says what to install (returns None).
    """
    try:
        from newsclf.reports import plots
    except ImportError as exc:
        log.warning(
            "no reliability diagram: %s (install matplotlib with: pip install 'newsclf[plot]')",
            exc,
        )
        return None
    curves: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
    for t in comparison.tasks:
        if not t.task:
            continue
        for run in comparison.runs:
            if run.status != "finished" or t.task not in (run.metrics or {}).get("tasks", {}):
                continue
            if bins is None:
                bins = (run.metrics or {})["tasks"][t.task].get("calibration", {}).get("bins")
            top = _top_label(run, t.task)
            if top is None:
                log.info("%s: %s has no %s_scores in predictions.jsonl", t.task, run.name, t.task)
                continue
            curves.setdefault(t.task, {})[run.name] = top
    if not curves:
        log.warning("no reliability diagram: no run has class probabilities in predictions.jsonl")
        return None
    out = Path(path).expanduser().absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    return plots.plot_reliability(curves, bins=int(bins or 10), path=out)
