"""Bootstrap CIs and the paired approximate randomisation test against hand-computed cases,
exhaustive enumeration and scipy."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.stats import binomtest
from scipy.stats import bootstrap as scipy_bootstrap
from sklearn.metrics import accuracy_score, f1_score

from newsclf.errors import ConfigError, DataError
from newsclf.evaluation import bootstrap_ci, classification_metrics
from newsclf.evaluation.significance import (
    holm_adjust,
    metric_value,
    paired_randomization_test,
)


def _noisy(rng: np.random.Generator, gold: list[str], error: float, k: int = 3) -> list[str]:
    return [f"c{rng.integers(0, k)}" if rng.random() < error else g for g in gold]


def _gold(rng: np.random.Generator, n: int, k: int = 3) -> list[str]:
    return [f"c{v}" for v in rng.integers(0, k, n)]


def test_randomization_test_hand_computed_accuracy_case() -> None:
    # A is right on all 4, B wrong on examples 2 and 4: d=2 discordant, observed diff 0.5.
    # Swap patterns: none -> 0.5, one of them -> 0, both -> -0.5; |diff| >= 0.5 in 2 of 4.
    result = paired_randomization_test(
        ["x", "x", "y", "y"], ["x", "x", "y", "y"], ["x", "y", "y", "x"], metric="accuracy"
    )
    assert result.difference == pytest.approx(0.5)
    assert result.exact and result.n_resamples == 4 and result.n_discordant == 2
    assert result.p_value == pytest.approx(0.5)


def test_randomization_test_hand_computed_macro_f1_case() -> None:
    # gold x x y; A = x x y (F1 1.0); B = x y y: F1(x)=2/3, F1(y)=2/3 -> macro 2/3.
    # Only example 2 differs: swapping it gives A*=B, B*=A -> |diff| equal -> p = 2/2 = 1.
    result = paired_randomization_test(["x", "x", "y"], ["x", "x", "y"], ["x", "y", "y"])
    assert result.score_a == pytest.approx(1.0) and result.score_b == pytest.approx(2 / 3)
    assert result.p_value == pytest.approx(1.0)


def test_identical_predictions_have_p_value_one() -> None:
    result = paired_randomization_test(["a", "b"], ["a", "a"], ["a", "a"])
    assert result.p_value == 1.0 and result.difference == 0.0 and result.n_discordant == 0


@pytest.mark.parametrize("seed", range(5))
def test_exact_randomization_on_accuracy_equals_exact_mcnemar(seed: int) -> None:
    rng = np.random.default_rng(seed)
    gold = _gold(rng, 40)
    pred_a, pred_b = list(gold), list(gold)
    for i in rng.choice(40, size=12, replace=False):  # 12 discordant examples, 2**12 patterns
        if rng.random() < 0.7:
            pred_b[i] = "wrong"
        else:
            pred_a[i] = "wrong"
    result = paired_randomization_test(gold, pred_a, pred_b, metric="accuracy", n_resamples=2**12)
    assert result.exact
    a_only = sum(a == g != b for g, a, b in zip(gold, pred_a, pred_b, strict=True))
    b_only = sum(b == g != a for g, a, b in zip(gold, pred_a, pred_b, strict=True))
    expected = binomtest(a_only, a_only + b_only, 0.5).pvalue
    assert result.p_value == pytest.approx(expected, abs=1e-12)


def test_exact_randomization_on_macro_f1_equals_brute_force_enumeration() -> None:
    rng = np.random.default_rng(7)
    gold = _gold(rng, 20)
    pred_a, pred_b = _noisy(rng, gold, 0.15), _noisy(rng, gold, 0.3)
    labels = sorted(set(gold) | set(pred_a) | set(pred_b))
    differ = [i for i in range(20) if pred_a[i] != pred_b[i]]
    assert 3 <= len(differ) <= 8

    def macro(pred: list[str]) -> float:
        present = sorted(set(gold) | set(pred))
        return f1_score(gold, pred, labels=present, average="macro", zero_division=0)

    observed = macro(pred_a) - macro(pred_b)
    hits = 0
    for mask in itertools.product([False, True], repeat=len(differ)):
        a, b = list(pred_a), list(pred_b)
        for i, swap in zip(differ, mask, strict=True):
            if swap:
                a[i], b[i] = b[i], a[i]
        hits += abs(macro(a) - macro(b)) >= abs(observed) - 1e-12
    result = paired_randomization_test(gold, pred_a, pred_b, labels=labels, n_resamples=5000)
    assert result.exact
    assert result.difference == pytest.approx(observed)
    assert result.p_value == pytest.approx(hits / 2 ** len(differ))


def test_monte_carlo_randomization_approximates_exact_mcnemar() -> None:
    rng = np.random.default_rng(3)
    gold = _gold(rng, 400)
    pred_a, pred_b = _noisy(rng, gold, 0.25), _noisy(rng, gold, 0.35)
    result = paired_randomization_test(
        gold, pred_a, pred_b, metric="accuracy", n_resamples=20_000, seed=1
    )
    assert not result.exact and result.n_resamples == 20_000
    a_only = sum(a == g != b for g, a, b in zip(gold, pred_a, pred_b, strict=True))
    b_only = sum(b == g != a for g, a, b in zip(gold, pred_a, pred_b, strict=True))
    expected = binomtest(a_only, a_only + b_only, 0.5).pvalue
    assert result.p_value == pytest.approx(expected, abs=0.01)


def test_metric_value_agrees_with_scikit_learn() -> None:
    rng = np.random.default_rng(0)
    gold = _gold(rng, 50, k=4)
    pred = _noisy(rng, gold, 0.4, k=4)
    present = sorted(set(gold) | set(pred))
    assert metric_value(gold, pred) == pytest.approx(
        f1_score(gold, pred, labels=present, average="macro")
    )
    assert metric_value(gold, pred, metric="accuracy") == pytest.approx(accuracy_score(gold, pred))


def test_compare_and_the_metrics_report_the_same_macro_f1_interval() -> None:
    # one bootstrap for both: `newsclf compare` and metrics.json agree for a seed
    rng = np.random.default_rng(1)
    gold = _gold(rng, 120)
    pred = _noisy(rng, gold, 0.3)
    labels = sorted(set(gold) | set(pred))
    ours = bootstrap_ci(gold, pred, labels=labels, n_resamples=300, seed=5)
    metrics = classification_metrics(gold, pred, n_resamples=300, seed=5)
    assert list(ours) == metrics["macro_f1_ci"]


def test_bootstrap_ci_of_accuracy_agrees_with_scipy_percentile_bootstrap() -> None:
    # accuracy is the mean of the per-example hits: scipy's textbook use, with the same generator
    rng = np.random.default_rng(2)
    gold = _gold(rng, 500)
    pred = _noisy(rng, gold, 0.3)
    correct = np.array([g == p for g, p in zip(gold, pred, strict=True)], dtype=float)
    ref = scipy_bootstrap(
        (correct,), np.mean, n_resamples=4000, method="percentile", rng=np.random.default_rng(0)
    ).confidence_interval
    low, high = bootstrap_ci(gold, pred, metric="accuracy", n_resamples=4000, seed=0)
    assert (low, high) == pytest.approx((ref.low, ref.high), abs=1e-12)
    assert low < correct.mean() < high


def test_bootstrap_ci_of_perfect_predictions_is_a_point() -> None:
    assert bootstrap_ci(["a", "b", "a"], ["a", "b", "a"], n_resamples=50) == (1.0, 1.0)


def test_holm_adjustment_hand_computed() -> None:
    # sorted: 0.01*3 = 0.03; 0.03*2 = 0.06; 0.04*1 = 0.04 -> monotone max 0.06
    adjusted = holm_adjust([0.01, 0.04, 0.03, float("nan")])
    assert adjusted[:3] == pytest.approx([0.03, 0.06, 0.06]) and np.isnan(adjusted[3])
    assert holm_adjust([0.5, 0.9]) == pytest.approx([1.0, 1.0])


def test_unknown_metric_and_length_mismatch_are_clear_errors() -> None:
    with pytest.raises(ConfigError, match="unknown metric 'f2'"):
        paired_randomization_test(["a"], ["a"], ["a"], metric="f2")
    with pytest.raises(DataError, match="2 gold labels but 1 predictions"):
        bootstrap_ci(["a", "b"], ["a"])
