"""A task's metrics per slice of the evaluation records (per language, outlet, stance target...).

Pooled metrics hide the question being studied: how the model does on Hungarian vs English
articles, per outlet (``group``) or per stance target (SemEval reports F_avg per target; a model
can win on four targets and collapse on one). :func:`breakdown` scores each value of a record
field separately: ``n``, accuracy, macro-F1 with its bootstrap CI, F_avg for FAVOR/AGAINST/NONE
label sets (per target: SemEval's per-target F_avg), the FNC-1 score for FNC-1 label sets, and
Brier / log loss / ECE when probabilities are given. Slices with fewer than ``min_slice``
records are flagged ``small: true``, not hidden: their figures are noisy, not wrong. They get
no CI (``null``): a percentile bootstrap of a handful of examples is not to be trusted.

The slice of a record is its field's value; records without one form the slice ``(none)``. The
``lang`` slice is the record's ``lang`` when set and otherwise the language newsclf's own
detector guesses from the text (:func:`newsclf.text.detect_language`, the guess the features
make with ``lang: auto``), so a language breakdown exists for any corpus.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from newsclf.data.records import Record
from newsclf.errors import ConfigError
from newsclf.evaluation.bootstrap import (
    accuracy_from_confusion,
    bootstrap_ci,
    confusion_codes,
    macro_f1_from_confusion,
)
from newsclf.evaluation.calibration import calibration_report
from newsclf.evaluation.favg import favg_report, is_favg_label_set
from newsclf.evaluation.fnc import fnc_report, is_fnc_label_set

__all__ = [
    "BREAKDOWN_FIELDS",
    "MISSING_SLICE",
    "breakdown",
    "check_breakdown_fields",
    "format_breakdowns",
    "slice_metrics",
    "slice_value",
]

#: record fields a breakdown can use (``text`` and ``id`` make one slice per record)
BREAKDOWN_FIELDS = ("lang", "group", "target", "topic", "stance", "title")
#: the slice of records that have no value for the field
MISSING_SLICE = "(none)"


def check_breakdown_fields(fields: Sequence[str], key: str = "eval.breakdowns") -> list[str]:
    """``fields`` as a list, refusing names that are not record fields a slice can use."""
    if isinstance(fields, str):
        fields = [fields]
    out = [str(f) for f in fields]
    unknown = [f for f in out if f not in BREAKDOWN_FIELDS]
    if unknown:
        raise ConfigError(
            f"cannot break metrics down by {unknown}",
            key=key,
            hint=f"use record fields: {', '.join(BREAKDOWN_FIELDS)}",
        )
    return list(dict.fromkeys(out))


def slice_value(record: Record, field: str) -> str | None:
    """The slice of ``record`` for ``field``; ``lang`` falls back to the detected language."""
    value = getattr(record, field)
    if field == "lang" and not value:
        from newsclf.text.lang import detect_language

        text = record.text if isinstance(record.text, str) else str(record.text)
        return detect_language(text)
    return None if value is None or value == "" else str(value)


def slice_metrics(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    *,
    labels: Sequence[str],
    proba: Any = None,
    min_slice: int = 20,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]:
    """The compact metrics of one slice (see the module docstring)."""
    y_true = [str(y) for y in y_true]
    y_pred = [str(y) for y in y_pred]
    seen = set(y_true) | set(y_pred)
    present = [label for label in labels if label in seen] + sorted(seen - set(labels))
    # from the confusion matrix (as the bootstrap does): scikit-learn's input checks would cost
    # milliseconds per slice, and a field like `group` can have thousands of slices
    codes, k = confusion_codes(y_true, y_pred, present)
    cm = np.bincount(codes, minlength=k * k).reshape(k, k)
    n = len(y_true)
    small = n < min_slice
    # no CI for a small slice: a percentile bootstrap of a handful of examples is not to be
    # trusted, and a field such as `group` can have thousands of small slices
    resamples = 0 if small else n_resamples
    low, high = bootstrap_ci(
        y_true, y_pred, labels=present, n_resamples=resamples, confidence=confidence, seed=seed
    )
    result: dict[str, Any] = {
        "n": n,
        "small": small,
        "accuracy": float(accuracy_from_confusion(cm)),
        "macro_f1": float(macro_f1_from_confusion(cm)) if n else float("nan"),
        "macro_f1_ci": None if small else [low, high],
    }
    if is_favg_label_set(labels):
        favg = favg_report(y_true, y_pred, n_resamples=resamples, confidence=confidence, seed=seed)
        result["favg"] = {k: favg[k] for k in ("score", "f1_favor", "f1_against")}
        result["favg"]["ci"] = None if small else favg["ci"]
    if is_fnc_label_set(labels):
        result["fnc"] = fnc_report(y_true, y_pred)["score"]
    if proba is not None:
        cal = calibration_report(y_true, y_pred, proba, labels, curve=False)
        result["calibration"] = {k: cal[k] for k in ("brier", "log_loss", "ece")}
    return result


def breakdown(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    values: Sequence[str | None],
    *,
    labels: Sequence[str],
    proba: Any = None,
    min_slice: int = 20,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, dict[str, Any]]:
    """Per slice value (sorted; ``(none)`` last) the :func:`slice_metrics` of its records.

    ``values[i]`` is the slice of record ``i`` (e.g. :func:`slice_value` of its ``lang``);
    ``proba`` (rows in the order of ``labels``) adds calibration per slice.
    """
    if isinstance(min_slice, bool) or not isinstance(min_slice, int) or min_slice < 0:
        raise ConfigError(f"must be an integer >= 0, got {min_slice!r}", key="eval.min_slice")
    if not len(y_true) == len(y_pred) == len(values):
        raise ValueError("y_true, y_pred and values must have the same length")
    p = None if proba is None else np.asarray(proba, dtype=float)
    groups: dict[str, list[int]] = {}
    for i, value in enumerate(values):
        groups.setdefault(MISSING_SLICE if value is None else str(value), []).append(i)
    order = sorted(groups, key=lambda v: (v == MISSING_SLICE, v))
    return {
        value: slice_metrics(
            [y_true[i] for i in groups[value]],
            [y_pred[i] for i in groups[value]],
            labels=labels,
            proba=None if p is None else p[groups[value]],
            min_slice=min_slice,
            n_resamples=n_resamples,
            confidence=confidence,
            seed=seed,
        )
        for value in order
    }


def format_breakdowns(metrics: Mapping[str, Mapping[str, Any]]) -> str:
    """Plain-text tables of every task's breakdowns (empty when there are none)."""
    lines: list[str] = []
    for task, m in metrics.items():
        for field, slices in (m.get("breakdowns") or {}).items():
            extra = next(iter(slices.values()), {})
            head = f"{task} by {field}"
            cols = f"{'slice':<24} {'n':>5} {'accuracy':>8} {'macro-F1':>8} {'CI':>13}"
            cols += " F_avg" if "favg" in extra else ""
            cols += "  FNC %" if "fnc" in extra else ""
            cols += "  Brier    ECE" if "calibration" in extra else ""
            lines += [head, cols]
            for value, s in slices.items():
                low, high = s["macro_f1_ci"] or (float("nan"), float("nan"))
                ci = f"{low:.3f}-{high:.3f}" if low == low else ""
                name = value if len(value) <= 24 else value[:23] + "…"
                row = f"{name:<24} {s['n']:>5d} {s['accuracy']:>8.3f} {s['macro_f1']:>8.3f}"
                row += f" {ci:>13}"
                row += f" {s['favg']['score']:>5.1f}" if "favg" in s else ""
                row += f" {s['fnc']:>6.1f}" if "fnc" in s else ""
                if "calibration" in s:
                    row += f" {s['calibration']['brier']:>6.3f} {s['calibration']['ece']:>6.3f}"
                lines.append(row + ("  small" if s["small"] else ""))
            lines.append("")
    if any("small" in line.split()[-1:] for line in lines):
        lines.append("small: fewer records than the slice minimum (eval.min_slice); read with care")
    return "\n".join(lines) + ("\n" if lines else "")
