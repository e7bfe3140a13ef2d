"""Paired significance tests on shared evaluation examples.

Everything works on per-example confusion codes (``true * k + pred``, see
:mod:`newsclf.evaluation.bootstrap`, which also holds the bootstrap CI), so each swap pattern is
a ``bincount`` into a confusion matrix and any metric of a confusion matrix can be used.

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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from newsclf.evaluation.bootstrap import confusion_codes, confusion_matrices, confusion_metric

__all__ = [
    "PairedTest",
    "holm_adjust",
    "metric_value",
    "paired_randomization_test",
]

#: chunk size for vectorised swap patterns: patterns x discordant examples per chunk
_CHUNK_CELLS = 4_000_000


def metric_value(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    *,
    metric: str = "macro_f1",
    labels: Sequence[str] | None = None,
) -> float:
    """``metric`` of one prediction vector (macro-F1 averages over classes that occur)."""
    fn = confusion_metric(metric)
    codes, k = confusion_codes(y_true, y_pred, labels)
    if codes.size == 0:
        return float("nan")
    return float(fn(confusion_matrices(codes[None, :], k))[0])


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
    fn = confusion_metric(metric)
    if labels is None:
        labels = sorted(set(y_true) | set(pred_a) | set(pred_b))
    codes_a, k = confusion_codes(y_true, pred_a, labels)
    codes_b, _ = confusion_codes(y_true, pred_b, labels)
    n = codes_a.size
    score_a = float(fn(confusion_matrices(codes_a[None, :], k))[0]) if n else float("nan")
    score_b = float(fn(confusion_matrices(codes_b[None, :], k))[0]) if n else float("nan")
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
        cm_a = base + confusion_matrices(np.where(swap, var_b, var_a), k)
        cm_b = base + confusion_matrices(np.where(swap, var_a, var_b), k)
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
