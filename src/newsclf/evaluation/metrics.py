"""The metrics every evaluation reports, as plain JSON-ready dicts."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

from newsclf.evaluation.bootstrap import bootstrap_ci
from newsclf.evaluation.favg import favg_report, is_favg_label_set
from newsclf.evaluation.fnc import fnc_report, is_fnc_label_set

__all__ = ["classification_metrics", "confusion", "format_metrics_table", "per_class_f1"]


def confusion(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> np.ndarray:
    """sklearn's confusion matrix over ``labels``; with one label it is 1x1 on purpose (one
    record, or a slice of one class), so sklearn's warning about the shape is not for us."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="A single label was found", category=UserWarning)
        return confusion_matrix(y_true, y_pred, labels=list(labels))


def per_class_f1(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]
) -> dict[str, float]:
    """F1 of each of ``labels``; NaN for a label neither in ``y_true`` nor in ``y_pred``."""
    _, _, f, _ = precision_recall_fscore_support(
        y_true, y_pred, labels=list(labels), average=None, zero_division=np.nan
    )
    return {label: float(value) for label, value in zip(labels, f, strict=True)}


def classification_metrics(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    *,
    labels: Sequence[str] | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]:
    """Accuracy, macro-F1 with a bootstrap CI, per-class P/R/F1 and the confusion matrix.

    When ``labels`` (or, without them, the labels seen) are the four FNC-1 stances, the result
    also has ``fnc`` (the official FNC-1 score, see :mod:`newsclf.evaluation.fnc`). When
    they are FAVOR / AGAINST / NONE it has ``favg`` (SemEval-2016 F_avg with its bootstrap CI,
    see :mod:`newsclf.evaluation.favg`).
    """
    y_true = [str(y) for y in y_true]
    y_pred = [str(y) for y in y_pred]
    labels = sorted(set(y_true) | set(y_pred)) if labels is None else list(labels)
    labels = labels + sorted((set(y_true) | set(y_pred)) - set(labels))
    present = [label for label in labels if label in set(y_true) | set(y_pred)]
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=present, zero_division=0)
    macro_f1 = float(np.mean(f)) if len(f) else float("nan")
    low, high = bootstrap_ci(
        y_true, y_pred, labels=present, n_resamples=n_resamples, confidence=confidence, seed=seed
    )
    result = {
        "n": len(y_true),
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": macro_f1,
        "macro_f1_ci": [low, high],
        "ci": {
            "confidence": confidence,
            "method": "percentile bootstrap",
            "resamples": n_resamples,
        },
        "per_class": {
            label: {
                "precision": float(p[i]),
                "recall": float(r[i]),
                "f1": float(f[i]),
                "support": int(s[i]),
            }
            for i, label in enumerate(present)
        },
        "confusion_matrix": {
            "labels": present,
            "matrix": confusion(y_true, y_pred, present).tolist(),
        },
    }
    if is_fnc_label_set(labels):
        result["fnc"] = fnc_report(y_true, y_pred)
    if is_favg_label_set(labels):
        result["favg"] = favg_report(
            y_true, y_pred, n_resamples=n_resamples, confidence=confidence, seed=seed
        )
    return result


def format_metrics_table(
    metrics: dict[str, dict[str, Any]], *, breakdowns: Sequence[str] | None = None
) -> str:
    """A plain-text table: one headline row per task, its calibration, then its per-class rows;
    then the tables of the task's ``breakdowns`` (those named, or all of them when None)."""
    from newsclf.evaluation.breakdown import format_breakdowns

    lines = []
    header = f"{'task':<8} {'class':<20} {'prec':>6} {'recall':>6} {'f1':>6} {'n':>5}"
    for task, m in metrics.items():
        low, high = m["macro_f1_ci"]
        conf = round(m["ci"]["confidence"] * 100)
        lines.append(
            f"{task}: accuracy {m['accuracy']:.3f}  macro-F1 {m['macro_f1']:.3f} "
            f"[{conf}% CI {low:.3f}-{high:.3f}]  n={m['n']}"
            + (f"  FNC score {m['fnc']['score']:.2f}%" if "fnc" in m else "")
            + (_favg_cell(m["favg"]) if "favg" in m else "")
        )
        if "calibration" in m:
            cal = m["calibration"]
            lines.append(
                f"{task}: calibration  Brier {cal['brier']:.3f}  log loss {cal['log_loss']:.3f}  "
                f"ECE {cal['ece']:.3f} ({cal['bins']} bins)"
            )
        lines.append(header)
        for label, c in m["per_class"].items():
            lines.append(
                f"{task:<8} {label:<20} {c['precision']:>6.3f} {c['recall']:>6.3f} "
                f"{c['f1']:>6.3f} {c['support']:>5d}"
            )
        lines.append("")
    shown = {
        task: {
            **m,
            "breakdowns": {
                field: slices
                for field, slices in (m.get("breakdowns") or {}).items()
                if breakdowns is None or field in breakdowns
            },
        }
        for task, m in metrics.items()
    }
    lines.append(format_breakdowns(shown))
    return "\n".join(lines).rstrip() + "\n"


def _favg_cell(favg: dict[str, Any]) -> str:
    low, high = favg["ci"]
    return f"  F_avg {favg['score']:.2f} [CI {low:.2f}-{high:.2f}]"
