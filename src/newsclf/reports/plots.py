"""PNG plots for ``newsclf compare`` (matplotlib, the optional ``plot`` extra).

Figures are drawn on matplotlib's Agg canvas directly (no ``pyplot``), so plotting never opens
a window, needs no display and leaves the caller's matplotlib backend alone.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["plot_confusion", "plot_metric_ci", "plot_per_class_f1", "plot_reliability"]

_BEST = "#d62728"
_OTHER = "#1f77b4"


def _save(fig: Figure, path: str | Path) -> Path:
    FigureCanvasAgg(fig)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    return Path(path)


def plot_metric_ci(
    rows: Sequence[Mapping[str, Any]],
    *,
    metric: str,
    confidence: float,
    title: str,
    path: str | Path,
) -> Path:
    """One horizontal bar per run: the metric with its CI; the best in red, failures named."""
    names = [str(r["run"]) for r in rows]
    height = max(2.0, 0.45 * len(rows) + 1.2)
    fig = Figure(figsize=(8, height))
    ax = fig.add_subplot()
    y = np.arange(len(rows))[::-1]
    for yi, row in zip(y, rows, strict=True):
        value = row.get(metric)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            ax.text(
                0.01,
                yi,
                str(row.get("status", "failed")),
                va="center",
                color="grey",
                transform=ax.get_yaxis_transform(),
            )
            continue
        low, high = row[f"{metric}_ci_low"], row[f"{metric}_ci_high"]
        color = _BEST if row.get("best") else _OTHER
        ax.errorbar(
            value,
            yi,
            xerr=[[value - low], [high - value]],
            fmt="o",
            color=color,
            capsize=4,
            markersize=6,
        )
        label = f"{value:.3f}" + ("  best" if row.get("best") else "")
        if row.get("p_value") is not None:
            p = row["p_value"]
            label += "  p<0.001" if p < 0.001 else f"  p={p:.3f}"
        ax.annotate(
            label,
            (high, yi),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=8,
            color=color,
        )
    ax.set_yticks(y, names)
    ax.set_ylim(-0.7, len(rows) - 0.3)
    ax.set_xlim(0, 1.12)
    ax.set_xlabel(f"{metric} ({round(confidence * 100)}% percentile bootstrap CI)")
    ax.set_title(title, fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return _save(fig, path)


def _annotated_heatmap(
    fig: Figure,
    values: np.ndarray,
    text: list[list[str]],
    cmap: str,
    vmin: float,
    vmax: float,
    *,
    dark_high: bool,
    label: str,
) -> Any:
    ax = fig.add_subplot()
    masked = np.ma.masked_invalid(values)
    image = ax.imshow(masked, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    mid = (vmin + vmax) / 2
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            dark = not math.isnan(v) and (v > mid) == dark_high
            color = "white" if dark else "black"
            ax.text(j, i, text[i][j], ha="center", va="center", fontsize=8, color=color)
    bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    bar.set_label(label)
    return ax


def plot_confusion(
    labels: Sequence[str], matrix: Sequence[Sequence[int]], *, title: str, path: str | Path
) -> Path:
    """Confusion matrix (rows: gold, columns: predicted); colour = share of the gold row."""
    counts = np.asarray(matrix, dtype=float)
    totals = counts.sum(axis=1, keepdims=True)
    share = np.divide(counts, totals, out=np.zeros_like(counts), where=totals > 0)
    size = max(4.0, 0.7 * len(labels) + 2.5)
    fig = Figure(figsize=(size + 1, size))
    text = [[str(int(c)) for c in row] for row in counts]
    ax = _annotated_heatmap(
        fig, share, text, "Blues", 0.0, 1.0, dark_high=True, label="share of the gold class"
    )
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(title, fontsize=10)
    return _save(fig, path)


def plot_per_class_f1(
    per_class: Mapping[str, Mapping[str, float]],
    labels: Sequence[str],
    *,
    title: str,
    path: str | Path,
) -> Path:
    """Heat map of F1 per run (rows) and class (columns)."""
    runs = list(per_class)
    values = np.array(
        [[float(per_class[r].get(label, float("nan"))) for label in labels] for r in runs]
    )
    fig = Figure(figsize=(max(5.0, 0.9 * len(labels) + 3), max(2.5, 0.45 * len(runs) + 1.5)))
    text = [["" if math.isnan(v) else f"{v:.2f}" for v in row] for row in values]
    ax = _annotated_heatmap(fig, values, text, "viridis", 0.0, 1.0, dark_high=False, label="F1")
    ax.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
    ax.set_yticks(range(len(runs)), runs)
    ax.set_title(title, fontsize=10)
    return _save(fig, path)


def plot_reliability(
    curves: Mapping[str, Mapping[str, tuple[np.ndarray, np.ndarray]]],
    *,
    bins: int,
    path: str | Path,
) -> Path:
    """One panel per task, one top-label reliability curve per run.

    ``curves[task][run]`` is ``(correct, confidence)`` per example: whether the prediction was
    right and its top probability. Each curve is scikit-learn's
    :class:`~sklearn.calibration.CalibrationDisplay` of that binary problem (equal-width bins),
    with the diagonal of perfect calibration.
    """
    from sklearn.calibration import CalibrationDisplay

    tasks = list(curves)
    fig = Figure(figsize=(5.5 * len(tasks), 5.2))
    for i, task in enumerate(tasks):
        ax = fig.add_subplot(1, len(tasks), i + 1)
        for run, (correct, confidence) in curves[task].items():
            if len(set(correct.tolist())) < 2:  # all right or all wrong: plot the bins by hand
                which = np.minimum((confidence * bins).astype(int), bins - 1)
                xs = [confidence[which == b].mean() for b in range(bins) if (which == b).any()]
                ys = [correct[which == b].mean() for b in range(bins) if (which == b).any()]
                ax.plot(xs, ys, "s-", label=run)
                continue
            CalibrationDisplay.from_predictions(
                correct,
                confidence,
                n_bins=bins,
                strategy="uniform",
                name=run,
                ax=ax,
                ref_line=False,
            )
        ax.plot([0, 1], [0, 1], ":", color="grey", label="perfectly calibrated")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1.02)
        ax.set_xlabel("top probability (mean per bin)")
        ax.set_ylabel("share of correct predictions")
        ax.set_title(f"{task}: reliability ({bins} bins)")
        ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return _save(fig, path)
