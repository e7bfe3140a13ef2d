"""Brier score, log loss and top-label ECE, each pinned against a case computed by hand."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from sklearn.metrics import log_loss as sklearn_log_loss

from newsclf.errors import ConfigError, DataError
from newsclf.evaluation.calibration import (
    brier_score,
    calibration_report,
    expected_calibration_error,
    log_loss,
    reliability_bins,
)
from newsclf.models.registry import build_model

LABELS = ["a", "b", "c"]
GOLD = ["a", "b", "a"]
PROBA = [[0.7, 0.2, 0.1], [0.5, 0.5, 0.0], [0.2, 0.2, 0.6]]
# the top probability decides the prediction; the tie of record 2 goes to the first class
PRED = ["a", "a", "c"]


def test_brier_is_the_mean_summed_squared_error_to_the_one_hot_gold() -> None:
    # record 1: 0.3² + 0.2² + 0.1² = 0.14; record 2: 0.5² + 0.5² + 0 = 0.5;
    # record 3: 0.8² + 0.2² + 0.6² = 1.04; mean (0.14 + 0.5 + 1.04) / 3 = 0.56
    assert brier_score(GOLD, PROBA, LABELS) == pytest.approx(0.56)


def test_brier_ranges_from_zero_when_certain_and_right_to_two_when_certain_and_wrong() -> None:
    assert brier_score(["a"], [[1.0, 0.0]], ["a", "b"]) == 0.0
    assert brier_score(["a"], [[0.0, 1.0]], ["a", "b"]) == 2.0


def test_log_loss_is_the_mean_negative_log_probability_of_the_gold_class() -> None:
    report = calibration_report(GOLD, PRED, PROBA, LABELS)
    # -(ln 0.7 + ln 0.5 + ln 0.2) / 3 = (0.356675 + 0.693147 + 1.609438) / 3
    assert report["log_loss"] == pytest.approx(0.886420, abs=1e-6)
    assert report["log_loss"] == pytest.approx(-(math.log(0.7) + math.log(0.5) + math.log(0.2)) / 3)
    assert report["log_loss"] == pytest.approx(sklearn_log_loss(GOLD, PROBA, labels=LABELS))
    # a gold class at probability 0 is clipped to machine epsilon, as in scikit-learn
    assert log_loss(["c"], [[0.5, 0.5, 0.0]], LABELS) == pytest.approx(-math.log(2.0**-52))


def test_ece_weights_each_bin_gap_between_accuracy_and_mean_top_probability() -> None:
    # 10 bins: 0.7 (right) in bin 7, 0.5 (wrong) in bin 5, 0.6 (wrong) in bin 6:
    # (|1 - 0.7| + |0 - 0.5| + |0 - 0.6|) / 3 = 1.4 / 3
    assert expected_calibration_error(PRED, GOLD, PROBA, LABELS, bins=10) == pytest.approx(1.4 / 3)
    # 2 bins: all three in [0.5, 1]: mean top probability 0.6, accuracy 1/3 -> |1/3 - 0.6|
    assert expected_calibration_error(PRED, GOLD, PROBA, LABELS, bins=2) == pytest.approx(0.8 / 3)


def test_reliability_curve_lists_only_non_empty_bins() -> None:
    curve = reliability_bins(PRED, GOLD, PROBA, LABELS, bins=2)
    assert curve["count"] == [3]
    assert curve["confidence"] == pytest.approx([0.6])
    assert curve["accuracy"] == pytest.approx([1 / 3])


def test_a_top_probability_of_one_falls_in_the_last_bin() -> None:
    curve = reliability_bins(["a"], ["a"], [[1.0, 0.0]], ["a", "b"], bins=10)
    assert curve == {"confidence": [1.0], "accuracy": [1.0], "count": [1]}


def test_report_holds_brier_log_loss_ece_and_the_number_of_bins() -> None:
    report = calibration_report(GOLD, PRED, PROBA, LABELS, bins=2)
    assert report["brier"] == pytest.approx(0.56)
    assert report["ece"] == pytest.approx(0.8 / 3)
    assert report["bins"] == 2
    assert report["reliability"]["count"] == [3]


def test_probabilities_are_renormalised_so_rounded_scores_give_the_same_figures() -> None:
    halved = [[p / 2 for p in row] for row in PROBA]
    assert calibration_report(GOLD, PRED, halved, LABELS) == calibration_report(
        GOLD, PRED, PROBA, LABELS
    )


def test_probabilities_of_the_wrong_shape_or_unknown_gold_labels_are_refused() -> None:
    with pytest.raises(DataError, match="shape"):
        brier_score(GOLD, [[0.5, 0.5]] * 3, LABELS)
    with pytest.raises(DataError, match="not among"):
        brier_score(["z"], [[1.0, 0.0, 0.0]], LABELS)


@pytest.mark.parametrize("bins", [0, True, 2.5])
def test_bad_bin_counts_are_refused(bins: object) -> None:
    with pytest.raises(ConfigError, match="calibration_bins"):
        expected_calibration_error(PRED, GOLD, PROBA, LABELS, bins=bins)  # type: ignore[arg-type]


def test_temperature_scaling_is_a_calibration_option() -> None:
    from sklearn.calibration import CalibratedClassifierCV

    model = build_model({"name": "linear_svm", "params": {"calibration": "temperature"}}, seed=0)
    assert isinstance(model, CalibratedClassifierCV)
    assert model.method == "temperature"
    import numpy as np

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 4))
    y = np.array(["x", "y", "z"])[np.argmax(X[:, :3], axis=1)]
    proba = model.fit(X, y).predict_proba(X)
    assert proba.shape == (60, 3)
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_demo_run_reports_calibration_consistent_with_its_predictions(demo_run: Path) -> None:
    metrics = json.loads((demo_run / "metrics.json").read_text(encoding="utf-8"))
    rows = [
        json.loads(line)
        for line in (demo_run / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    for task in ("topic", "stance"):
        cal = metrics["tasks"][task]["calibration"]
        assert set(cal) >= {"brier", "log_loss", "ece", "bins"}
        labels = list(rows[0][f"{task}_scores"])
        proba = [[row[f"{task}_scores"][c] for c in labels] for row in rows]
        gold = [row[f"{task}_gold"] for row in rows]
        assert cal["brier"] == pytest.approx(brier_score(gold, proba, labels))
        assert sum(cal["reliability"]["count"]) == len(rows)
