"""SemEval-2016 F_avg (mean F1 of FAVOR and AGAINST) against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score

from newsclf.errors import DataError
from newsclf.evaluation import classification_metrics, f_avg, favg_report, format_metrics_table
from newsclf.evaluation.favg import is_favg_label_set


def test_favg_hand_computed_mixed_case() -> None:
    gold = ["FAVOR", "FAVOR", "AGAINST", "AGAINST", "NONE", "NONE"]
    pred = ["FAVOR", "AGAINST", "AGAINST", "AGAINST", "NONE", "FAVOR"]
    # FAVOR: P 1/2, R 1/2 -> F1 0.5; AGAINST: P 2/3, R 1 -> F1 0.8; mean 0.65
    report = favg_report(gold, pred, n_resamples=0)
    assert report["f1_favor"] == pytest.approx(50.0)
    assert report["f1_against"] == pytest.approx(80.0)
    assert report["score"] == pytest.approx(65.0)


def test_none_counts_only_through_favor_and_against_errors() -> None:
    gold = ["FAVOR", "AGAINST", "NONE", "NONE"]
    # getting NONE right or wrong-as-NONE changes nothing the metric scores directly
    assert f_avg(gold, ["FAVOR", "AGAINST", "NONE", "NONE"]) == pytest.approx(100.0)
    assert f_avg(gold, ["FAVOR", "AGAINST", "FAVOR", "NONE"]) == pytest.approx((200 / 3 + 100) / 2)
    assert f_avg(gold, ["NONE"] * 4) == 0.0


def test_class_absent_from_gold_and_predictions_scores_zero_as_in_eval_pl() -> None:
    assert f_avg(["AGAINST", "NONE"], ["AGAINST", "NONE"]) == pytest.approx(50.0)


def test_favg_matches_sklearn_f1_of_the_two_classes() -> None:
    rng = np.random.default_rng(0)
    labels = np.asarray(["FAVOR", "AGAINST", "NONE"])
    gold, pred = labels[rng.integers(0, 3, 300)], labels[rng.integers(0, 3, 300)]
    expected = 100 * f1_score(gold, pred, labels=["FAVOR", "AGAINST"], average="macro")
    assert f_avg(list(gold), list(pred)) == pytest.approx(expected)


def test_label_case_is_ignored_and_unknown_labels_are_refused() -> None:
    assert f_avg(["favor", "against"], ["FAVOR", "Against"]) == pytest.approx(100.0)
    with pytest.raises(DataError, match="not SemEval stances"):
        f_avg(["FAVOR", "NEUTRAL"], ["FAVOR", "NONE"])
    with pytest.raises(DataError, match="2 gold labels but 1 predictions"):
        f_avg(["FAVOR", "NONE"], ["FAVOR"])


def test_bootstrap_ci_brackets_the_score_and_is_reproducible() -> None:
    gold = ["FAVOR"] * 30 + ["AGAINST"] * 40 + ["NONE"] * 30
    pred = gold[:80] + ["FAVOR"] * 20
    first = favg_report(gold, pred, n_resamples=300, seed=1)
    assert first["ci"][0] <= first["score"] <= first["ci"][1]
    assert favg_report(gold, pred, n_resamples=300, seed=1)["ci"] == first["ci"]


def test_bootstrap_ci_is_the_percentile_bootstrap_of_f_avg() -> None:
    # the F_avg of each resample of (gold, predicted) pairs, by scikit-learn, same generator
    from scipy.stats import bootstrap

    rng = np.random.default_rng(3)
    labels = np.asarray(["FAVOR", "AGAINST", "NONE"])
    gold, pred = labels[rng.integers(0, 3, 80)], labels[rng.integers(0, 3, 80)]

    def favg(g: np.ndarray, p: np.ndarray) -> float:
        return 100 * f1_score(g, p, labels=["FAVOR", "AGAINST"], average="macro", zero_division=0)

    ref = bootstrap(
        (gold, pred),
        favg,
        paired=True,
        vectorized=False,
        n_resamples=200,
        method="percentile",
        rng=np.random.default_rng(4),
    ).confidence_interval
    ours = favg_report(list(gold), list(pred), n_resamples=200, seed=4)["ci"]
    assert ours == pytest.approx([ref.low, ref.high], abs=1e-9)


def test_classification_metrics_report_favg_only_for_favor_against_none() -> None:
    gold, pred = ["FAVOR", "AGAINST", "NONE"], ["FAVOR", "NONE", "NONE"]
    metrics = classification_metrics(gold, pred, n_resamples=50)
    assert metrics["favg"]["score"] == pytest.approx(50.0)
    assert "F_avg 50.00" in format_metrics_table({"stance": metrics})
    neutral = classification_metrics(["FAVOR", "NEUTRAL"], ["FAVOR", "NEUTRAL"], n_resamples=10)
    assert "favg" not in neutral
    assert is_favg_label_set(["none", "Favor", "AGAINST"])
    assert not is_favg_label_set(["FAVOR", "AGAINST"])
