"""Bootstrap confidence intervals and paired significance tests on shared evaluation examples.

Everything works on per-example confusion codes (``true * k + pred``), so each resample is a
``bincount`` into a confusion matrix and any metric of a confusion matrix can be used.

The paired test is **approximate randomisation** (Noreen 1989; Riezler & Maxwell 2005): under
the null hypothesis that systems A and B are interchangeable, swapping A's and B's predictions
on any example is as likely as not. The p-value is the share of random swap patterns whose
metric difference ``|m(A*) - m(B*)|`` is at least the observed one (two-sided). Only examples
where A and B predict differently matter; when there are at most ``log2(n_resamples)`` of them
every swap pattern is enumerated and the p-value is exact, otherwise it is estimated from
``n_resamples`` random patterns as ``(hits + 1) / (n_resamples + 1)``. For accuracy the exact
test equals the exact McNemar (sign) test on the discordant pairs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from newsclf.errors import ConfigError, DataError
from newsclf.evaluation.bootstrap import macro_f1_from_confusion

__all__ = [
    "CONFUSION_METRICS",
    "PairedTest",
    "accuracy_from_confusion",
    "bootstrap_ci",
    "holm_adjust",
    "metric_value",
    "paired_randomization_test",
]

#: chunk size for vectorised resampling: resamples x examples per chunk
_CHUNK_CELLS = 4_000_000


def accuracy_from_confusion(cm: np.ndarray) -> np.ndarray:
    """Accuracy of confusion matrices ``cm[..., true, pred]``."""
    total = cm.sum(axis=(-2, -1))
    correct = np.diagonal(cm, axis1=-2, axis2=-1).sum(axis=-1)
    return np.divide(correct, total, out=np.full(np.shape(total), np.nan), where=total > 0)


#: metrics computable from a confusion matrix (and so resampled cheaply)
CONFUSION_METRICS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "macro_f1": macro_f1_from_confusion,
    "accuracy": accuracy_from_confusion,
}


def _metric(name: str) -> Callable[[np.ndarray], np.ndarray]:
    if name not in CONFUSION_METRICS:
        raise ConfigError(
            f"unknown metric {name!r}",
            key="metric",
            hint=f"choose one of: {', '.join(CONFUSION_METRICS)}",
        )
    return CONFUSION_METRICS[name]


def _codes(
    y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str] | None
) -> tuple[np.ndarray, int]:
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
    )
    return codes, k


def _confusions(codes: np.ndarray, k: int) -> np.ndarray:
    """Confusion matrices of each row of ``codes`` (shape ``(r, n)`` -> ``(r, k, k)``)."""
    r = codes.shape[0]
    offsets = (np.arange(r, dtype=np.int64) * k * k)[:, None]
    counts = np.bincount((codes + offsets).ravel(), minlength=r * k * k)
    return counts.reshape(r, k, k)


def metric_value(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    *,
    metric: str = "macro_f1",
    labels: Sequence[str] | None = None,
) -> float:
    """``metric`` of one prediction vector (macro-F1 averages over classes that occur)."""
    fn = _metric(metric)
    codes, k = _codes(y_true, y_pred, labels)
    if codes.size == 0:
        return float("nan")
    return float(fn(_confusions(codes[None, :], k))[0])


def bootstrap_ci(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    *,
    metric: str = "macro_f1",
    labels: Sequence[str] | None = None,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """Percentile bootstrap CI of ``metric`` over the examples (resampled with replacement).

    With ``metric="macro_f1"`` and the same labels and seed this draws the same resamples as
    :func:`newsclf.evaluation.bootstrap_macro_f1`.
    """
    fn = _metric(metric)
    if not 0 < confidence < 1:
        raise ConfigError(f"must be in (0, 1), got {confidence}", key="confidence")
    codes, k = _codes(y_true, y_pred, labels)
    n = codes.size
    if n == 0 or n_resamples < 1:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    chunk = max(1, _CHUNK_CELLS // n)
    scores = np.concatenate(
        [
            fn(_confusions(codes[rng.integers(0, n, size=(min(chunk, n_resamples - i), n))], k))
            for i in range(0, n_resamples, chunk)
        ]
    )
    alpha = (1 - confidence) / 2
    low, high = np.quantile(scores, [alpha, 1 - alpha])
    return float(low), float(high)


@dataclass(frozen=True)
class PairedTest:
    """Result of :func:`paired_randomization_test` (A minus B)."""

    metric: str
    score_a: float
    score_b: float
    difference: float
    p_value: float
    n_examples: int
    n_discordant: int  # examples where A and B predict differently
    n_resamples: int  # swap patterns evaluated (2**n_discordant when exact)
    exact: bool
    method: str = "approximate randomisation (two-sided, paired)"


def paired_randomization_test(
    y_true: Sequence[str],
    pred_a: Sequence[str],
    pred_b: Sequence[str],
    *,
    metric: str = "macro_f1",
    labels: Sequence[str] | None = None,
    n_resamples: int = 10_000,
    seed: int = 0,
) -> PairedTest:
    """Two-sided paired approximate randomisation test of ``metric(A) - metric(B)``.

    ``pred_a`` and ``pred_b`` are predictions for the same examples, in the same order as
    ``y_true``. See the module docstring for the procedure.
    """
    fn = _metric(metric)
    if labels is None:
        labels = sorted(set(y_true) | set(pred_a) | set(pred_b))
    codes_a, k = _codes(y_true, pred_a, labels)
    codes_b, _ = _codes(y_true, pred_b, labels)
    n = codes_a.size
    score_a = float(fn(_confusions(codes_a[None, :], k))[0]) if n else float("nan")
    score_b = float(fn(_confusions(codes_b[None, :], k))[0]) if n else float("nan")
    observed = score_a - score_b
    differ = codes_a != codes_b
    d = int(differ.sum())
    if d == 0 or n == 0:
        return PairedTest(metric, score_a, score_b, observed, 1.0, n, d, 1, True)
    # agreeing examples add the same counts to both systems under every swap pattern
    base = np.bincount(codes_a[~differ], minlength=k * k).reshape(k, k)
    var_a, var_b = codes_a[differ], codes_b[differ]
    exact = 2**d <= n_resamples
    total = 2**d if exact else n_resamples
    rng = np.random.default_rng(seed)
    tolerance = 1e-12 * max(1.0, abs(observed))
    hits = 0
    chunk = max(1, _CHUNK_CELLS // d)
    for start in range(0, total, chunk):
        size = min(chunk, total - start)
        if exact:
            patterns = np.arange(start, start + size, dtype=np.int64)[:, None]
            swap = ((patterns >> np.arange(d, dtype=np.int64)) & 1).astype(bool)
        else:
            swap = rng.random((size, d)) < 0.5
        cm_a = base + _confusions(np.where(swap, var_b, var_a), k)
        cm_b = base + _confusions(np.where(swap, var_a, var_b), k)
        diffs = fn(cm_a) - fn(cm_b)
        hits += int(np.count_nonzero(np.abs(diffs) >= abs(observed) - tolerance))
    p_value = hits / total if exact else (hits + 1) / (total + 1)
    return PairedTest(metric, score_a, score_b, observed, float(p_value), n, d, total, exact)


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (step-down, monotone, capped at 1); NaN stays NaN."""
    p = np.asarray(p_values, dtype=float)
    out = np.full(p.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    m = valid.size
    if m == 0:
        return out.tolist()
    order = valid[np.argsort(p[valid], kind="stable")]
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out[order] = adjusted
    return out.tolist()
