"""Metrics agree with scikit-learn; the bootstrap CI behaves like a confidence interval."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from newsclf.evaluation import (
    bootstrap_ci,
    classification_metrics,
    format_metrics_table,
    macro_f1_from_confusion,
)

Y_TRUE = ["sport", "gazdaság", "politika", "sport", "gazdaság", "politika", "sport", "gazdaság"]
Y_PRED = ["sport", "gazdaság", "sport", "sport", "politika", "politika", "gazdaság", "gazdaság"]
LABELS = ["gazdaság", "politika", "sport"]


def _noisy(rng: np.random.Generator, n: int, k: int = 3, error: float = 0.25):
    y_true = rng.integers(0, k, n)
    flip = rng.random(n) < error
    y_pred = np.where(flip, rng.integers(0, k, n), y_true)
    return [f"c{v}" for v in y_true], [f"c{v}" for v in y_pred]


# --- classification_metrics -----------------------------------------------------------------


def test_accuracy_and_macro_f1_agree_with_sklearn() -> None:
    m = classification_metrics(Y_TRUE, Y_PRED, n_resamples=200)
    assert m["n"] == len(Y_TRUE)
    assert m["accuracy"] == pytest.approx(accuracy_score(Y_TRUE, Y_PRED))
    assert m["macro_f1"] == pytest.approx(f1_score(Y_TRUE, Y_PRED, average="macro"))


def test_per_class_scores_agree_with_sklearn() -> None:
    m = classification_metrics(Y_TRUE, Y_PRED, n_resamples=200)
    p, r, f, s = precision_recall_fscore_support(Y_TRUE, Y_PRED, labels=LABELS, zero_division=0)
    assert list(m["per_class"]) == LABELS
    for i, label in enumerate(LABELS):
        got = m["per_class"][label]
        assert got["precision"] == pytest.approx(p[i])
        assert got["recall"] == pytest.approx(r[i])
        assert got["f1"] == pytest.approx(f[i])
        assert got["support"] == s[i]


def test_confusion_matrix_agrees_with_sklearn() -> None:
    m = classification_metrics(Y_TRUE, Y_PRED, n_resamples=200)
    assert m["confusion_matrix"]["labels"] == LABELS
    assert (
        m["confusion_matrix"]["matrix"] == confusion_matrix(Y_TRUE, Y_PRED, labels=LABELS).tolist()
    )


def test_given_label_order_is_kept_and_absent_labels_are_dropped() -> None:
    m = classification_metrics(
        Y_TRUE, Y_PRED, labels=["sport", "kultúra", "politika", "gazdaság"], n_resamples=200
    )
    assert list(m["per_class"]) == ["sport", "politika", "gazdaság"]
    assert m["macro_f1"] == pytest.approx(f1_score(Y_TRUE, Y_PRED, average="macro"))


def test_label_only_predicted_counts_in_macro_f1() -> None:
    y_true = ["a", "a", "b", "b"]
    y_pred = ["a", "c", "b", "b"]
    m = classification_metrics(y_true, y_pred, n_resamples=200)
    assert m["per_class"]["c"]["support"] == 0
    assert m["macro_f1"] == pytest.approx(f1_score(y_true, y_pred, average="macro"))


def test_metrics_are_plain_json_types() -> None:
    import json

    m = classification_metrics(Y_TRUE, Y_PRED, n_resamples=200)
    assert json.loads(json.dumps(m)) == m


# --- macro_f1_from_confusion ----------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_macro_f1_from_confusion_agrees_with_sklearn(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 6))
    n = int(rng.integers(5, 60))
    y_true = rng.integers(0, k, n)
    y_pred = rng.integers(0, k, n)
    # an extra label that never occurs must be left out of the mean, as sklearn does
    cm = confusion_matrix(y_true, y_pred, labels=list(range(k + 1)))
    assert macro_f1_from_confusion(cm) == pytest.approx(
        f1_score(y_true, y_pred, average="macro", zero_division=0)
    )


def test_macro_f1_from_confusion_is_vectorised_over_leading_axes() -> None:
    rng = np.random.default_rng(42)
    cms = rng.integers(0, 10, size=(4, 3, 3))
    batch = macro_f1_from_confusion(cms)
    assert batch.shape == (4,)
    np.testing.assert_allclose(batch, [macro_f1_from_confusion(cm) for cm in cms])


# --- bootstrap_ci (macro-F1) ------------------------------------------------------------------


def test_bootstrap_is_deterministic_for_a_seed() -> None:
    y_true, y_pred = _noisy(np.random.default_rng(0), 120)
    labels = ["c0", "c1", "c2"]
    first = bootstrap_ci(y_true, y_pred, labels=labels, n_resamples=300, seed=7)
    assert bootstrap_ci(y_true, y_pred, labels=labels, n_resamples=300, seed=7) == first
    assert bootstrap_ci(y_true, y_pred, labels=labels, n_resamples=300, seed=8) != first


def test_bootstrap_interval_contains_point_estimate() -> None:
    y_true, y_pred = _noisy(np.random.default_rng(1), 300)
    low, high = bootstrap_ci(y_true, y_pred, labels=["c0", "c1", "c2"], n_resamples=500)
    point = f1_score(y_true, y_pred, average="macro")
    assert 0 <= low < point < high <= 1


def test_bootstrap_interval_narrows_as_n_grows() -> None:
    rng = np.random.default_rng(2)
    widths = []
    for n in (40, 400, 4000):
        y_true, y_pred = _noisy(rng, n)
        low, high = bootstrap_ci(y_true, y_pred, labels=["c0", "c1", "c2"], n_resamples=300)
        widths.append(high - low)
    assert widths[0] > widths[1] > widths[2] > 0


def test_bootstrap_interval_widens_with_confidence() -> None:
    y_true, y_pred = _noisy(np.random.default_rng(3), 200)
    labels = ["c0", "c1", "c2"]
    low90, high90 = bootstrap_ci(y_true, y_pred, labels=labels, n_resamples=400, confidence=0.9)
    low99, high99 = bootstrap_ci(y_true, y_pred, labels=labels, n_resamples=400, confidence=0.99)
    assert low99 <= low90 and high90 <= high99


def test_bootstrap_of_perfect_predictions_is_one() -> None:
    y = ["a", "b", "c", "a", "b", "c", "a"]
    assert bootstrap_ci(y, y, labels=["a", "b", "c"], n_resamples=200) == (1.0, 1.0)


def test_bootstrap_of_no_examples_is_nan() -> None:
    low, high = bootstrap_ci([], [], labels=["a", "b"])
    assert np.isnan(low) and np.isnan(high)


def _reference_percentile_bootstrap(y_true, y_pred, labels, n_resamples, confidence, seed):
    """The percentile bootstrap written out: resample example indices with numpy, score each
    resample with scikit-learn, take the quantiles (newsclf's own loop before issue 15)."""
    rng = np.random.default_rng(seed)
    n = len(y_true)
    idx = rng.integers(0, n, size=(n_resamples, n))
    true, pred = np.asarray(y_true), np.asarray(y_pred)
    scores = [f1_score(true[i], pred[i], labels=labels, average="macro") for i in idx]
    alpha = (1 - confidence) / 2
    return tuple(np.quantile(scores, [alpha, 1 - alpha]))


def test_bootstrap_draws_the_resamples_of_a_plain_percentile_bootstrap() -> None:
    # scipy.stats.bootstrap resamples (gold, predicted) pairs with the seed's generator exactly
    # as the hand-written loop does: same resamples, same quantiles up to rounding
    y_true, y_pred = _noisy(np.random.default_rng(4), 150)
    labels = ["c0", "c1", "c2"]
    ours = bootstrap_ci(y_true, y_pred, labels=labels, n_resamples=200, confidence=0.9, seed=3)
    ref = _reference_percentile_bootstrap(y_true, y_pred, labels, 200, 0.9, 3)
    assert ours == pytest.approx(ref, abs=1e-12)


def test_bootstrap_batches_do_not_change_the_interval(monkeypatch: pytest.MonkeyPatch) -> None:
    # memory is bounded by drawing resamples in batches; the batch size must not matter
    import newsclf.evaluation.bootstrap as bootstrap

    y_true, y_pred = _noisy(np.random.default_rng(5), 400)
    whole = bootstrap_ci(y_true, y_pred, n_resamples=250, seed=2)
    monkeypatch.setattr(bootstrap, "_BATCH_CELLS", 400 * 7)  # 7 resamples per batch
    assert bootstrap_ci(y_true, y_pred, n_resamples=250, seed=2) == whole


def test_bootstrap_of_one_example_is_its_score() -> None:
    assert bootstrap_ci(["a"], ["a"], n_resamples=50) == (1.0, 1.0)
    assert bootstrap_ci(["a"], ["b"], metric="accuracy", n_resamples=50) == (0.0, 0.0)


def test_bootstrap_without_resamples_is_nan() -> None:
    low, high = bootstrap_ci(["a", "b"], ["a", "a"], n_resamples=0)
    assert np.isnan(low) and np.isnan(high)


def test_classification_metrics_reports_the_bootstrap_interval() -> None:
    m = classification_metrics(Y_TRUE, Y_PRED, n_resamples=300, confidence=0.9, seed=5)
    expected = bootstrap_ci(Y_TRUE, Y_PRED, labels=LABELS, n_resamples=300, confidence=0.9, seed=5)
    assert m["macro_f1_ci"] == list(expected)
    assert m["ci"] == {"confidence": 0.9, "method": "percentile bootstrap", "resamples": 300}


# --- format_metrics_table -------------------------------------------------------------------


def test_metrics_table_shows_task_scores_ci_and_classes() -> None:
    m = classification_metrics(Y_TRUE, Y_PRED, n_resamples=200)
    low, high = m["macro_f1_ci"]
    table = format_metrics_table({"topic": m})
    first = table.splitlines()[0]
    assert first.startswith("topic:")
    assert f"accuracy {m['accuracy']:.3f}" in first
    assert f"macro-F1 {m['macro_f1']:.3f}" in first
    assert f"[95% CI {low:.3f}-{high:.3f}]" in first
    assert f"n={len(Y_TRUE)}" in first
    for label in LABELS:
        assert any(line.split()[:2] == ["topic", label] for line in table.splitlines())
    assert table.endswith("\n") and not table.endswith("\n\n")


def test_metrics_table_has_one_section_per_task() -> None:
    topic = classification_metrics(Y_TRUE, Y_PRED, n_resamples=100)
    stance = classification_metrics(["agree", "deny"], ["agree", "agree"], n_resamples=100)
    table = format_metrics_table({"topic": topic, "stance": stance})
    headlines = [line for line in table.splitlines() if "macro-F1" in line]
    assert [h.split(":")[0] for h in headlines] == ["topic", "stance"]


def test_per_class_f1_and_confusion_count_by_hand_and_nan_for_an_unseen_label() -> None:
    from newsclf.evaluation.metrics import confusion, per_class_f1

    gold = ["a", "a", "b", "b", "b"]
    pred = ["a", "b", "b", "b", "a"]
    f1 = per_class_f1(gold, pred, ["a", "b", "c"])
    assert f1["a"] == 2 * 1 / (2 + 2)  # tp 1, support 2, predicted 2
    assert f1["b"] == 2 * 2 / (3 + 3)
    assert np.isnan(f1["c"])  # neither gold nor predicted
    assert confusion(gold, pred, ["a", "b", "c"]).tolist() == [[1, 1, 0], [1, 2, 0], [0, 0, 0]]
