"""``calibration: none``: margin classifiers fitted once, scored by a softmax of their margins."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import RidgeClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
from sklearn.utils.estimator_checks import check_estimator

from newsclf.models import build_model
from newsclf.models.softmax import SoftmaxDecisionClassifier, softmax_scores


def _three_classes() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    centres = np.eye(3, 4) * 3
    X = np.vstack([rng.normal(c, 0.5, (8, 4)) for c in centres])
    return X, np.repeat(["gazdaság", "politika", "sport"], 8)


@pytest.mark.parametrize(
    "estimator",
    [None, RidgeClassifier(alpha=2.0)],
    ids=["default-LinearSVC", "RidgeClassifier"],
)
def test_passes_sklearn_check_estimator(estimator: object) -> None:
    check_estimator(SoftmaxDecisionClassifier(estimator))


def test_calibration_none_wraps_linear_svm_without_calibration_folds() -> None:
    model = build_model({"name": "linear_svm", "params": {"C": 2.0, "calibration": "none"}}, seed=7)
    assert isinstance(model, SoftmaxDecisionClassifier)
    assert isinstance(model.estimator, LinearSVC)
    assert (model.estimator.C, model.estimator.random_state) == (2.0, 7)


@pytest.mark.parametrize(
    "model",
    [
        {"name": "sgd", "params": {"loss": "hinge", "calibration": "none"}},
        {
            "name": "custom",
            "target": "sklearn.linear_model.RidgeClassifier",
            "params": {"calibration": "none"},
        },
    ],
    ids=["sgd-hinge", "custom-ridge"],
)
def test_calibration_none_applies_to_every_margin_model(model: dict) -> None:
    assert isinstance(build_model(model, seed=0), SoftmaxDecisionClassifier)


def test_scores_are_softmax_of_decision_function_and_agree_with_predict() -> None:
    X, y = _three_classes()
    model = build_model({"name": "linear_svm", "params": {"calibration": "none"}}, seed=0)
    model.fit(X, y)
    proba = model.predict_proba(X)
    decision = model.decision_function(X)
    expected = np.exp(decision) / np.exp(decision).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(proba, expected)
    np.testing.assert_array_equal(model.classes_[proba.argmax(axis=1)], model.predict(X))
    np.testing.assert_array_equal(model.predict(X), model.estimator_.predict(X))


def test_binary_margin_becomes_sigmoid_of_twice_the_margin() -> None:
    margin = np.array([-2.0, 0.0, 0.5])
    scores = softmax_scores(margin)
    np.testing.assert_allclose(scores[:, 1], 1 / (1 + np.exp(-2 * margin)))
    np.testing.assert_allclose(scores.sum(axis=1), 1.0)


def test_huge_margins_do_not_overflow() -> None:
    scores = softmax_scores(np.array([[1e4, -1e4, 0.0]]))
    np.testing.assert_allclose(scores, [[1.0, 0.0, 0.0]])


def test_predict_before_fit_raises_not_fitted() -> None:
    X, _ = _three_classes()
    with pytest.raises(NotFittedError):
        SoftmaxDecisionClassifier().predict_proba(X)


def test_estimator_without_decision_function_is_refused_at_fit() -> None:
    X, y = _three_classes()
    est = SoftmaxDecisionClassifier(StandardScaler())  # constructing never validates
    with pytest.raises(ValueError, match="decision_function"):
        est.fit(X, y)


def test_clone_and_pickle_keep_the_wrapped_estimator_and_scores() -> None:
    X, y = _three_classes()
    est = SoftmaxDecisionClassifier(RidgeClassifier(alpha=3.0))
    cloned = clone(est)
    assert cloned.get_params()["estimator__alpha"] == 3.0
    fitted = est.fit(X, y)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.predict_proba(X), fitted.predict_proba(X))


def test_partial_fit_passes_through_and_exists_only_for_incremental_estimators() -> None:
    """One wrapper for calibration=none and the streaming models (model=passive_aggressive)."""
    from sklearn.linear_model import SGDClassifier

    X, y = _three_classes()
    model = build_model({"name": "passive_aggressive"}, seed=0)
    assert isinstance(model, SoftmaxDecisionClassifier)
    model.partial_fit(X[:12], y[:12], classes=np.unique(y))
    model.partial_fit(X[12:], y[12:])
    assert list(model.classes_) == list(np.unique(y)) and model.n_features_in_ == 4
    np.testing.assert_allclose(model.predict_proba(X), softmax_scores(model.decision_function(X)))
    np.testing.assert_array_equal(model.predict(X), model.estimator_.predict(X))
    assert hasattr(SoftmaxDecisionClassifier(SGDClassifier()), "partial_fit")
    assert not hasattr(SoftmaxDecisionClassifier(), "partial_fit")  # LinearSVC has none


def test_artifacts_naming_the_old_streaming_wrapper_still_load() -> None:
    """Streaming artifacts saved before the merge pickled models.incremental.SoftmaxClassifier."""
    from newsclf.compat import MOVED_TYPES
    from newsclf.models.incremental import SoftmaxClassifier

    assert SoftmaxClassifier is SoftmaxDecisionClassifier
    assert "newsclf.models.incremental.SoftmaxClassifier" in MOVED_TYPES
