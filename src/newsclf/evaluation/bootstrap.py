"""Percentile bootstrap confidence intervals over evaluation examples.

Every CI newsclf reports (macro-F1 in the metrics, F_avg for SemEval stances, the metric and
accuracy in ``newsclf compare``) comes from :func:`bootstrap_ci`: :func:`scipy.stats.bootstrap`
with the percentile method over per-example confusion codes ``true * k + pred``. Resampling the
codes resamples each (gold, predicted) pair as one, and each resample costs one ``bincount``
into a confusion matrix, so any metric of a confusion matrix can be bootstrapped and 1,000
resamples of 20,000 predictions take well under a second (``experiments/bench_bootstrap.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats

from newsclf.errors import ConfigError, DataError

__all__ = [
    "CONFUSION_METRICS",
    "accuracy_from_confusion",
    "bootstrap_ci",
    "confusion_codes",
    "confusion_matrices",
    "confusion_metric",
    "macro_f1_from_confusion",
]

#: resamples x examples drawn per batch: the index, code and offset arrays of a batch (int64)
#: stay under ~50 MB at any number of examples
_BATCH_CELLS = 2_000_000

ConfusionMetric = Callable[[np.ndarray], np.ndarray]


def macro_f1_from_confusion(cm: np.ndarray) -> np.ndarray:
    """Macro-F1 of confusion matrices ``cm[..., true, pred]`` (classes absent from both count 0).

    Classes with no support and no predictions are left out of the mean, as in scikit-learn
    when ``labels`` is the set seen in ``y_true`` and ``y_pred``.
    """
    tp = np.diagonal(cm, axis1=-2, axis2=-1).astype(float)
    support = cm.sum(axis=-1)
    predicted = cm.sum(axis=-2)
    denom = support + predicted
    f1 = np.divide(2 * tp, denom, out=np.zeros_like(tp), where=denom > 0)
    present = denom > 0
    return f1.sum(axis=-1) / np.maximum(present.sum(axis=-1), 1)


def accuracy_from_confusion(cm: np.ndarray) -> np.ndarray:
    """Accuracy of confusion matrices ``cm[..., true, pred]``."""
    total = cm.sum(axis=(-2, -1))
    correct = np.diagonal(cm, axis1=-2, axis2=-1).sum(axis=-1)
    return np.divide(correct, total, out=np.full(np.shape(total), np.nan), where=total > 0)


#: metrics computable from a confusion matrix, by the name ``newsclf compare --metric`` takes
CONFUSION_METRICS: dict[str, ConfusionMetric] = {
    "macro_f1": macro_f1_from_confusion,
    "accuracy": accuracy_from_confusion,
}


def confusion_codes(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None = None
) -> tuple[np.ndarray, int]:
    """Per example ``index(true) * k + index(pred)`` over ``labels`` (default: the labels seen,
    sorted), and ``k``."""
    if len(y_true) != len(y_pred):
        raise DataError(f"{len(y_true)} gold labels but {len(y_pred)} predictions")
    if labels is None:
        labels = sorted(set(y_true) | set(y_pred))
    index = {label: i for i, label in enumerate(labels)}
    unknown = sorted((set(y_true) | set(y_pred)) - set(index))
    if unknown:
        raise DataError(f"labels {unknown} are not in the label set {list(labels)}")
    k = len(labels)
    codes = np.fromiter(
        (index[t] * k + index[p] for t, p in zip(y_true, y_pred, strict=True)),
        dtype=np.int64,
        count=len(y_true),
    )
    return codes, k


def confusion_matrices(codes: np.ndarray, k: int) -> np.ndarray:
    """Confusion matrices of each row of ``codes`` (shape ``(r, n)`` -> ``(r, k, k)``)."""
    r = codes.shape[0]
    offsets = (np.arange(r, dtype=np.int64) * k * k)[:, None]
    counts = np.bincount((codes + offsets).ravel(), minlength=r * k * k)
    return counts.reshape(r, k, k)


def confusion_metric(metric: str | ConfusionMetric) -> ConfusionMetric:
    """The function of confusion matrices named ``metric`` (a callable is returned as is)."""
    if callable(metric):
        return metric
    if metric not in CONFUSION_METRICS:
        raise ConfigError(
            f"unknown metric {metric!r}",
            key="metric",
            hint=f"choose one of: {', '.join(CONFUSION_METRICS)}",
        )
    return CONFUSION_METRICS[metric]


def bootstrap_ci(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    *,
    metric: str | ConfusionMetric = "macro_f1",
    labels: Sequence[str] | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap CI of ``metric`` over the examples (resampled with replacement).

    Parameters
    ----------
    y_true, y_pred : sequence of str
        Gold and predicted labels of the same examples; each pair is resampled as one.
    metric : {"macro_f1", "accuracy"} or callable, default="macro_f1"
        A name from :data:`CONFUSION_METRICS`, or a function of confusion matrices
        ``cm[..., true, pred]`` (ordered as ``labels``) returning one score per matrix.
    labels : sequence of str, optional
        The label order of the confusion matrices; default: the labels seen, sorted.
        Labels that occur in neither ``y_true`` nor ``y_pred`` do not change macro-F1.
    n_resamples : int, default=1000
        ``0`` skips the bootstrap and returns ``(nan, nan)``.
    confidence : float, default=0.95
        Confidence level, in (0, 1).
    seed : int, default=0
        Seed of the resampling: the same seed gives the same interval.

    Returns
    -------
    (low, high) : tuple of float
        ``(nan, nan)`` without examples or resamples; ``(score, score)`` for one example.
    """
    fn = confusion_metric(metric)
    if not 0 < confidence < 1:
        raise ConfigError(f"must be in (0, 1), got {confidence}", key="confidence")
    codes, k = confusion_codes(y_true, y_pred, labels)
    n = codes.size
    if n == 0 or n_resamples < 1:
        return float("nan"), float("nan")
    if n == 1:  # every resample is the one example (scipy wants two observations)
        score = float(fn(confusion_matrices(codes[None, :], k))[0])
        return score, score

    def statistic(resample: np.ndarray, axis: int = -1) -> np.ndarray:
        # ``resample`` is a fresh (batch, n) array of codes: offset each row in place into its
        # own k * k block, so one bincount fills the whole batch of confusion matrices
        r = resample.shape[0]
        resample += (np.arange(r, dtype=np.int64) * k * k)[:, None]
        counts = np.bincount(resample.ravel(), minlength=r * k * k)
        return fn(counts.reshape(r, k, k))

    result = stats.bootstrap(
        (codes,),
        statistic,
        n_resamples=n_resamples,
        batch=max(1, _BATCH_CELLS // n),
        vectorized=True,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    low, high = result.confidence_interval
    return float(low), float(high)
