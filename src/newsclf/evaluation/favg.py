"""The SemEval-2016 Task 6 stance metric F_avg.

F_avg is the mean of the F1 of FAVOR and the F1 of AGAINST; NONE is not scored as a class, but a
wrong NONE still costs FAVOR/AGAINST recall (and a NONE predicted as FAVOR costs its precision).
As in the task's official ``eval.pl``, the F1s are computed over all examples pooled (not per
target and then averaged), and a class with no predictions or no gold examples has F1 0.
Scores are percentages, as the task reports them (the organisers' baseline: 68.98).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from newsclf.errors import ConfigError, DataError
from newsclf.evaluation.bootstrap import bootstrap_ci, confusion_codes

__all__ = ["FAVG_LABELS", "f_avg", "favg_report", "is_favg_label_set"]

#: the three stance labels the metric is defined for (matched case-insensitively)
FAVG_LABELS = ("FAVOR", "AGAINST", "NONE")


def is_favg_label_set(labels: Iterable[str]) -> bool:
    """Whether ``labels`` are exactly FAVOR / AGAINST / NONE (in any letter case)."""
    return {str(label).upper() for label in labels} == set(FAVG_LABELS)


def _stances(y_true: Sequence[str], y_pred: Sequence[str]) -> tuple[list[str], list[str]]:
    """Gold and predicted stances upper-cased, refusing anything but FAVOR / AGAINST / NONE."""
    if len(y_true) != len(y_pred):
        raise DataError(f"{len(y_true)} gold labels but {len(y_pred)} predictions")
    true = [str(y).upper() for y in y_true]
    pred = [str(y).upper() for y in y_pred]
    unknown = sorted((set(true) | set(pred)) - set(FAVG_LABELS))
    if unknown:
        raise DataError(
            f"labels {unknown} are not SemEval stances",
            field="stance",
            hint=f"F_avg is defined for {', '.join(FAVG_LABELS)}",
        )
    return true, pred


def _favg_from_confusion(cm: np.ndarray) -> np.ndarray:
    """(F_avg, F1 FAVOR, F1 AGAINST) in % from confusion matrices ``cm[..., gold, pred]``."""
    tp = np.diagonal(cm, axis1=-2, axis2=-1)[..., :2].astype(float)
    denom = (cm.sum(axis=-1) + cm.sum(axis=-2))[..., :2].astype(float)
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    return 100 * np.stack([f1.mean(axis=-1), f1[..., 0], f1[..., 1]], axis=-1)


def _favg_score(cm: np.ndarray) -> np.ndarray:
    return _favg_from_confusion(cm)[..., 0]


def favg_report(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> dict[str, Any]:
    """F_avg, the F1 of FAVOR and of AGAINST (all in %) and a percentile bootstrap CI of F_avg.

    ``n_resamples=0`` skips the CI (``ci`` is then ``[nan, nan]``).
    """
    if not 0 < confidence < 1:
        raise ConfigError(f"must be in (0, 1), got {confidence}", key="eval.confidence")
    true, pred = _stances(y_true, y_pred)
    codes, _ = confusion_codes(true, pred, FAVG_LABELS)
    n = codes.size
    if n == 0:
        nan = float("nan")
        return {"score": nan, "f1_favor": nan, "f1_against": nan, "ci": [nan, nan], "n": 0}
    score, favor, against = _favg_from_confusion(np.bincount(codes, minlength=9).reshape(3, 3))
    low, high = bootstrap_ci(
        true,
        pred,
        metric=_favg_score,
        labels=FAVG_LABELS,
        n_resamples=n_resamples,
        confidence=confidence,
        seed=seed,
    )
    return {
        "score": float(score),
        "f1_favor": float(favor),
        "f1_against": float(against),
        "ci": [low, high],
        "n": int(n),
    }


def f_avg(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """F_avg in %: the mean of F1(FAVOR) and F1(AGAINST) over all examples.

    Examples
    --------
    >>> f_avg(["FAVOR", "AGAINST", "NONE"], ["FAVOR", "AGAINST", "NONE"])
    100.0
    >>> f_avg(["FAVOR", "AGAINST"], ["FAVOR", "NONE"])  # F1 FAVOR 1, F1 AGAINST 0
    50.0
    """
    return favg_report(y_true, y_pred, n_resamples=0)["score"]
