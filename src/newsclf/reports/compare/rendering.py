"""Rendering a :class:`~newsclf.reports.compare.statistics.Comparison`: the Markdown tables
``newsclf compare`` prints, and ``compare.md``, ``compare.csv``, ``compare.json`` and the PNG
plots it writes."""

from __future__ import annotations

import csv
import io
import json
import logging
import math
from pathlib import Path
from typing import Any

import numpy as np

from newsclf.reports.compare.reading import Run
from newsclf.reports.compare.statistics import CI_METHOD, TEST_METHOD, Comparison, SliceTable
from newsclf.utils.atomic import atomic_dir

__all__ = ["format_markdown", "write_comparison", "write_reliability"]

log = logging.getLogger(__name__)


def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{value:.{digits}f}"


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
    with atomic_dir(out, replace=True) as tmp:
        (tmp / "compare.md").write_text(format_markdown(comparison), encoding="utf-8")
        (tmp / "compare.csv").write_text(_csv(comparison), encoding="utf-8")
        payload = json.dumps(_nan_to_none(comparison.to_json()), indent=2, ensure_ascii=False)
        (tmp / "compare.json").write_text(payload + "\n", encoding="utf-8")
        if plots:
            _plots(comparison, tmp)
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
