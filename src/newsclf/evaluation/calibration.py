"""How far the class probabilities can be trusted: Brier score, log loss and top-label ECE.

Every model outputs probabilities (``<task>_scores`` in ``predictions.jsonl``); a model can rank
classes well and still be over- or under-confident, which matters as soon as a score is used as
a confidence. Definitions (``n`` records, ``k`` classes, ``p[i, c]`` the probability of class
``c`` for record ``i``, ``y[i, c]`` 1 for the gold class else 0):

- **Brier score** (multi-class, Brier 1950): ``mean_i sum_c (p[i, c] - y[i, c]) ** 2``, from 0
  (certain and right) to 2 (certain and wrong). For two classes it is twice the binary Brier
  score of scikit-learn's ``brier_score_loss``.
- **Log loss**: ``-mean_i log p[i, gold_i]`` with ``p`` clipped to ``[eps, 1 - eps]``, exactly
  :func:`sklearn.metrics.log_loss` with the model's classes (computed here without its input
  validation, which costs milliseconds per call: breakdowns call it once per slice).
- **Expected calibration error** (top-label ECE, Guo et al. 2017): the records are put into
  ``bins`` equal-width bins of their top probability ``conf_i = max_c p[i, c]`` (record ``i`` in
  bin ``min(floor(conf_i * bins), bins - 1)``); ECE is ``sum_b (n_b / n) * |acc_b - conf_b|``
  with ``acc_b`` the share of correct predictions and ``conf_b`` the mean top probability in
  bin ``b``. 0 is perfectly calibrated.

Probabilities are renormalised to sum to 1 per record first (the rows of ``predictions.jsonl``
are rounded to 6 decimals), so metrics recomputed from ``predictions.jsonl`` agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from newsclf.errors import ConfigError, DataError

__all__ = [
    "brier_score",
    "calibration_report",
    "expected_calibration_error",
    "log_loss",
    "reliability_bins",
]


def _probabilities(
    y_true: Sequence[str], proba: Any, labels: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """``proba`` as an ``(n, k)`` array renormalised per row, and the gold class index per row."""
    p = np.asarray(proba, dtype=float)
    if p.ndim != 2 or p.shape != (len(y_true), len(labels)):
        raise DataError(
            f"probabilities of shape {p.shape} do not match {len(y_true)} records and "
            f"{len(labels)} classes"
        )
    if np.any(p < 0) or not np.all(np.isfinite(p)):
        raise DataError("probabilities must be finite and non-negative")
    total = p.sum(axis=1, keepdims=True)
    p = np.divide(p, total, out=np.full_like(p, 1 / max(len(labels), 1)), where=total > 0)
    index = {label: i for i, label in enumerate(labels)}
    unknown = sorted(set(map(str, y_true)) - set(index))
    if unknown:
        raise DataError(f"gold labels {unknown} are not among the model's classes {list(labels)}")
    gold = np.fromiter((index[str(y)] for y in y_true), dtype=np.int64, count=len(y_true))
    return p, gold


def _check_bins(bins: int) -> None:
    if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
        raise ConfigError(
            f"must be an integer >= 1, got {bins!r}", key="eval.calibration_bins", hint="e.g. 10"
        )


def brier_score(y_true: Sequence[str], proba: Any, labels: Sequence[str]) -> float:
    """Multi-class Brier score: mean over records of the summed squared error to the one-hot gold.

    Examples
    --------
    >>> brier_score(["a", "b"], [[0.8, 0.2], [0.4, 0.6]], ["a", "b"])  # (0.08 + 0.32) / 2
    0.2
    """
    p, gold = _probabilities(y_true, proba, labels)
    if not len(gold):
        return float("nan")
    onehot = np.zeros_like(p)
    onehot[np.arange(len(gold)), gold] = 1.0
    return float(np.round(np.mean(np.sum((p - onehot) ** 2, axis=1)), 12))


def log_loss(y_true: Sequence[str], proba: Any, labels: Sequence[str]) -> float:
    """Mean negative log probability of the gold class (as :func:`sklearn.metrics.log_loss`).

    Examples
    --------
    >>> round(log_loss(["a", "b"], [[0.5, 0.5], [0.5, 0.5]], ["a", "b"]), 6)  # ln 2
    0.693147
    """
    p, gold = _probabilities(y_true, proba, labels)
    if not len(gold):
        return float("nan")
    eps = np.finfo(p.dtype).eps
    p_gold = np.clip(p[np.arange(len(gold)), gold], eps, 1 - eps)
    return float(np.round(-np.mean(np.log(p_gold)), 12))


def reliability_bins(
    y_pred: Sequence[str], y_true: Sequence[str], proba: Any, labels: Sequence[str], bins: int
) -> dict[str, list[float]]:
    """Top-label reliability curve: per non-empty bin its mean top probability, accuracy and n.

    Correct means the prediction ``y_pred`` equals the gold label; the prediction is the class
    with the top probability (as ``predict_records`` chooses it).
    """
    _check_bins(bins)
    p, _ = _probabilities(y_true, proba, labels)
    conf = p.max(axis=1) if len(p) else np.zeros(0)
    correct = np.asarray([str(a) == str(b) for a, b in zip(y_pred, y_true, strict=True)], float)
    which = np.minimum((conf * bins).astype(np.int64), bins - 1)
    out: dict[str, list[float]] = {"confidence": [], "accuracy": [], "count": []}
    for b in range(bins):
        mask = which == b
        if mask.any():
            out["confidence"].append(float(conf[mask].mean()))
            out["accuracy"].append(float(correct[mask].mean()))
            out["count"].append(int(mask.sum()))
    return out


def expected_calibration_error(
    y_pred: Sequence[str],
    y_true: Sequence[str],
    proba: Any,
    labels: Sequence[str],
    bins: int = 10,
) -> float:
    """Top-label ECE over ``bins`` equal-width bins of the top probability (see module doc).

    Examples
    --------
    >>> # bin [0.8, 0.9): confidences 0.8, 0.8, one of two right -> |0.5 - 0.8| * 2 / 2
    >>> expected_calibration_error(
    ...     ["a", "a"], ["a", "b"], [[0.8, 0.2], [0.8, 0.2]], ["a", "b"], bins=10
    ... )
    0.3
    """
    curve = reliability_bins(y_pred, y_true, proba, labels, bins)
    n = sum(curve["count"])
    if not n:
        return float("nan")
    gaps = [
        c / n * abs(a - f)
        for c, a, f in zip(curve["count"], curve["accuracy"], curve["confidence"], strict=True)
    ]
    return float(np.round(sum(gaps), 12))


def calibration_report(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    proba: Any,
    labels: Sequence[str],
    *,
    bins: int = 10,
    curve: bool = True,
) -> dict[str, Any]:
    """``{brier, log_loss, ece, bins[, reliability]}`` of one task (JSON-ready).

    ``proba[i]`` holds record ``i``'s probabilities in the order of ``labels`` (the model's
    classes); ``curve`` adds the reliability curve the ECE was computed from.
    """
    _check_bins(bins)
    y_true = [str(y) for y in y_true]
    p, gold = _probabilities(y_true, proba, labels)
    if not len(gold):
        nan = float("nan")
        return {"brier": nan, "log_loss": nan, "ece": nan, "bins": bins}
    result: dict[str, Any] = {
        "brier": brier_score(y_true, p, labels),
        "log_loss": log_loss(y_true, p, labels),
        "ece": expected_calibration_error(y_pred, y_true, p, labels, bins),
        "bins": bins,
    }
    if curve:
        result["reliability"] = reliability_bins(y_pred, y_true, p, labels, bins)
    return result
