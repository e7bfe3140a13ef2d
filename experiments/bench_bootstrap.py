"""Time the percentile bootstrap of macro-F1: the hand-written one newsclf had vs scipy's.

    python experiments/bench_bootstrap.py [--sizes 100 1000 5000 20000] [--resamples 1000]

For each number of predictions n (3 classes, 30% errors) it runs, in the same process:

- ``old``: the chunked bincount bootstrap newsclf had before issue 15 (``bootstrap_macro_f1``,
  copied verbatim below; ``significance.bootstrap_ci`` and the F_avg bootstrap were the same
  loop with another chunk size or statistic);
- ``scipy codes``: ``scipy.stats.bootstrap`` over one array of per-example confusion codes
  ``true * k + pred`` (resampling the codes resamples the (gold, predicted) pairs together),
  ``vectorized=True`` and ``batch`` resamples at a time: what ``newsclf.evaluation.bootstrap_ci``
  does;
- ``scipy paired``: ``scipy.stats.bootstrap((true, pred), paired=True)``: scipy resamples
  indices and gathers both arrays, then the statistic builds the codes.

The implementations run interleaved ``--repeats`` times (the machine may be shared); it prints
the best and the median wall time, the peak traced memory of one run (tracemalloc; NumPy reports
its buffers to it), the interval, and how far the intervals are from old's (all draw the same
resamples from the same seed; only the quantile's rounding differs).
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats

from newsclf.evaluation import bootstrap_ci, macro_f1_from_confusion

CELLS = 2_000_000  # resamples x examples per batch, as in the old implementation


def old_bootstrap_macro_f1(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    labels: Sequence[str],
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """newsclf's bootstrap before issue 15 (src/newsclf/evaluation/bootstrap.py, cc8513f)."""
    index = {label: i for i, label in enumerate(labels)}
    k = len(labels)
    codes = np.asarray([index[t] * k + index[p] for t, p in zip(y_true, y_pred, strict=True)])
    n = len(codes)
    if n == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    chunk = max(1, 2_000_000 // n)  # resamples drawn at a time: memory stays ~50 MB at any n
    scores = []
    for start in range(0, n_resamples, chunk):
        size = min(chunk, n_resamples - start)
        samples = codes[rng.integers(0, n, size=(size, n))]
        samples += (np.arange(size) * k * k)[:, None]
        cms = np.bincount(samples.ravel(), minlength=size * k * k)
        scores.append(macro_f1_from_confusion(cms.reshape(size, k, k)))
    scores = np.concatenate(scores)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(scores, [alpha, 1 - alpha])
    return float(low), float(high)


def scipy_paired(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    labels: Sequence[str],
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """``scipy.stats.bootstrap(paired=True)`` over label indices."""
    index = {label: i for i, label in enumerate(labels)}
    k = len(labels)
    true = np.fromiter((index[t] for t in y_true), dtype=np.int64)
    pred = np.fromiter((index[p] for p in y_pred), dtype=np.int64)
    n = true.size

    def statistic(t: np.ndarray, p: np.ndarray, axis: int = -1) -> np.ndarray:
        codes = t * k + p
        r = codes.shape[0]
        codes += (np.arange(r, dtype=np.int64) * k * k)[:, None]
        cms = np.bincount(codes.ravel(), minlength=r * k * k).reshape(r, k, k)
        return macro_f1_from_confusion(cms)

    res = stats.bootstrap(
        (true, pred),
        statistic,
        n_resamples=n_resamples,
        batch=max(1, CELLS // n),
        vectorized=True,
        paired=True,
        confidence_level=confidence,
        method="percentile",
        rng=np.random.default_rng(seed),
    )
    return float(res.confidence_interval.low), float(res.confidence_interval.high)


def scipy_codes(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    labels: Sequence[str],
    *,
    n_resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
) -> tuple[float, float]:
    """newsclf's bootstrap since issue 15 (``scipy.stats.bootstrap`` over confusion codes)."""
    return bootstrap_ci(
        y_true,
        y_pred,
        labels=labels,
        n_resamples=n_resamples,
        confidence=confidence,
        seed=seed,
    )


IMPLEMENTATIONS: dict[str, Callable[..., tuple[float, float]]] = {
    "old": old_bootstrap_macro_f1,
    "scipy codes": scipy_codes,
    "scipy paired": scipy_paired,
}


def _data(n: int, seed: int) -> tuple[list[str], list[str]]:
    rng = np.random.default_rng(seed)
    gold = [f"c{v}" for v in rng.integers(0, 3, n)]
    pred = [f"c{rng.integers(0, 3)}" if rng.random() < 0.3 else g for g in gold]
    return gold, pred


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000, 20000])
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5, help="wall time: best of this many")
    args = parser.parse_args(argv)
    labels = ["c0", "c1", "c2"]
    print(f"{'n':>6} {'implementation':<13} {'best s':>8} {'median s':>8} {'peak MB':>8}  CI")
    for n in args.sizes:
        gold, pred = _data(n, seed=n)
        times: dict[str, list[float]] = {name: [] for name in IMPLEMENTATIONS}
        cis = {}
        for name, fn in IMPLEMENTATIONS.items():
            cis[name] = fn(gold, pred, labels, n_resamples=args.resamples)  # warm-up
        # interleaved, so load from other processes hits every implementation alike
        for _ in range(args.repeats):
            for name, fn in IMPLEMENTATIONS.items():
                started = time.perf_counter()
                fn(gold, pred, labels, n_resamples=args.resamples)
                times[name].append(time.perf_counter() - started)
        for name, fn in IMPLEMENTATIONS.items():
            tracemalloc.start()
            fn(gold, pred, labels, n_resamples=args.resamples)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            low, high = cis[name]
            print(
                f"{n:>6} {name:<13} {min(times[name]):>8.4f} {np.median(times[name]):>8.4f} "
                f"{peak / 2**20:>8.1f}  [{low:.6f}, {high:.6f}]"
            )
        diff = max(abs(a - b) for ci in cis.values() for a, b in zip(ci, cis["old"], strict=True))
        print(f"{n:>6} largest difference from old's interval: {diff:.1e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
