"""One task's full report: the metrics, calibration and breakdowns every evaluation writes.

:func:`task_report` is what a run (holdout or cross-validation), ``newsclf evaluate`` and the
Python API call per task, so all of them report the same figures. :class:`EvalEvidence` gathers
what it needs beyond gold and predicted labels (class probabilities, slice values) batch by
batch while the evaluation records are predicted, without keeping the records.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from newsclf.data.records import Record
from newsclf.errors import ConfigError
from newsclf.evaluation.breakdown import breakdown, check_breakdown_fields, slice_value
from newsclf.evaluation.calibration import calibration_report
from newsclf.evaluation.metrics import classification_metrics

__all__ = [
    "DEFAULT_BREAKDOWNS",
    "DEFAULT_CALIBRATION_BINS",
    "DEFAULT_MIN_SLICE",
    "EvalEvidence",
    "eval_options",
    "task_report",
]

DEFAULT_BREAKDOWNS = ("lang", "group", "target")
DEFAULT_MIN_SLICE = 20
DEFAULT_CALIBRATION_BINS = 10


def eval_options(eval_cfg: Mapping[str, Any] | Any) -> dict[str, Any]:
    """The keyword arguments of :func:`task_report` from the ``eval`` config group.

    Keys missing from the group take their defaults, so any ``eval=...`` option works.
    """
    get = eval_cfg.get
    bins = get("calibration_bins", DEFAULT_CALIBRATION_BINS)
    min_slice = get("min_slice", DEFAULT_MIN_SLICE)
    for key, value, least in (("calibration_bins", bins, 1), ("min_slice", min_slice, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < least:
            raise ConfigError(f"must be an integer >= {least}, got {value!r}", key=f"eval.{key}")
    fields = get("breakdowns", DEFAULT_BREAKDOWNS)
    return {
        "n_resamples": int(get("resamples", 1000)),
        "confidence": float(get("confidence", 0.95)),
        "by": check_breakdown_fields(list(fields or [])),
        "min_slice": min_slice,
        "calibration_bins": bins,
    }


class EvalEvidence:
    """Per evaluated record: each task's class probabilities and each breakdown field's slice.

    ``labels`` are the model's classes per task (the order of the probability columns).
    """

    def __init__(self, labels: Mapping[str, Sequence[str]], fields: Sequence[str]) -> None:
        self.labels = {task: list(classes) for task, classes in labels.items()}
        self.proba: dict[str, list[list[float]]] = {task: [] for task in self.labels}
        self.slices: dict[str, list[str | None]] = {field: [] for field in fields}

    def add(self, records: Sequence[Record], rows: Sequence[Mapping[str, Any]]) -> None:
        """Keep what the report needs of ``records`` and their prediction ``rows`` (in order)."""
        for record, row in zip(records, rows, strict=True):
            for task, classes in self.labels.items():
                scores = row.get(f"{task}_scores")
                if scores is not None:
                    # a class the predicting model never saw (a CV fold) has probability 0
                    self.proba[task].append([float(scores.get(c, 0.0)) for c in classes])
            for field, values in self.slices.items():
                values.append(slice_value(record, field))


def task_report(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    *,
    labels: Sequence[str],
    proba: Any = None,
    slices: Mapping[str, Sequence[str | None]] | None = None,
    by: Sequence[str] = (),
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    min_slice: int = DEFAULT_MIN_SLICE,
    calibration_bins: int = DEFAULT_CALIBRATION_BINS,
) -> dict[str, Any]:
    """:func:`classification_metrics` plus ``calibration`` (when ``proba`` is given: rows in
    the order of ``labels``) and ``breakdowns`` per field of ``by`` found in ``slices``.

    A field whose values are missing from every record is left out (a corpus without outlets
    has no ``group`` breakdown).
    """
    result = classification_metrics(
        y_true, y_pred, labels=labels, n_resamples=n_resamples, confidence=confidence, seed=seed
    )
    p = None
    if proba is not None and len(proba) == len(y_true):
        p = np.asarray(proba, dtype=float).reshape(len(y_true), len(labels))
        result["calibration"] = calibration_report(y_true, y_pred, p, labels, bins=calibration_bins)
    slices = slices or {}
    breakdowns = {}
    for field in by:
        values = slices.get(field)
        if values is None or all(v is None for v in values):
            continue
        breakdowns[field] = breakdown(
            y_true,
            y_pred,
            values,
            labels=labels,
            proba=p,
            min_slice=min_slice,
            n_resamples=n_resamples,
            confidence=confidence,
            seed=seed,
        )
    if breakdowns:
        result["breakdowns"] = breakdowns
    return result
