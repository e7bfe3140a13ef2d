"""Models from config by short name: all give probabilities, all mistakes are ConfigErrors."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import RidgeClassifier, SGDClassifier

from newsclf.errors import ConfigError
from newsclf.models import MODELS, build_model


def _tiny_dataset() -> tuple[np.ndarray, np.ndarray]:
    """12 dense, non-negative, well separated samples of 2 classes (NB needs non-negative)."""
    rng = np.random.default_rng(0)
    a = rng.uniform(0, 1, (6, 4)) + np.array([2, 0, 0, 0])
    b = rng.uniform(0, 1, (6, 4)) + np.array([0, 2, 0, 0])
    return np.vstack([a, b]), np.array(["gazdaság"] * 6 + ["sport"] * 6)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_gives_probabilities_after_fitting(name: str) -> None:
    X, y = _tiny_dataset()
    model = build_model({"name": name}, seed=0)
    model.fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (len(y), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert list(model.classes_) == ["gazdaság", "sport"]
    assert (model.predict(X) == y).mean() >= 0.9


@pytest.mark.parametrize("name", sorted(MODELS))
def test_built_models_are_unfitted_and_cloneable(name: str) -> None:
    model = build_model({"name": name, "params": {}}, seed=0)
    assert not hasattr(model, "classes_")
    clone(model)


def test_seed_becomes_random_state() -> None:
    assert build_model({"name": "logreg"}, seed=13).random_state == 13
    assert build_model({"name": "logreg", "params": {"random_state": 1}}, seed=13).random_state == 1


def test_margin_classifiers_are_calibrated() -> None:
    svm = build_model({"name": "linear_svm", "params": {"calibration_cv": 4}}, seed=0)
    assert isinstance(svm, CalibratedClassifierCV)
    assert svm.cv == 4 and svm.method == "sigmoid"
    hinge = build_model({"name": "sgd", "params": {"loss": "hinge"}}, seed=0)
    assert isinstance(hinge, CalibratedClassifierCV)


def test_sgd_with_probabilistic_loss_is_not_calibrated() -> None:
    model = build_model({"name": "sgd", "params": {"loss": "modified_huber"}}, seed=0)
    assert isinstance(model, SGDClassifier)


def test_config_params_reach_the_estimator() -> None:
    model = build_model(
        {"name": "logreg", "params": {"C": 10.0, "class_weight": "balanced", "max_iter": 2000}},
        seed=0,
    )
    assert (model.C, model.class_weight, model.max_iter) == (10.0, "balanced", 2000)


def test_unknown_model_name_lists_valid_names() -> None:
    with pytest.raises(ConfigError, match="unknown model 'random_forest'") as info:
        build_model({"name": "random_forest"}, seed=0)
    message = str(info.value)
    for name in [*MODELS, "custom"]:
        assert name in message
    assert info.value.key == "model"


def test_unknown_parameter_lists_valid_parameters() -> None:
    with pytest.raises(ConfigError, match=r"unknown parameter\(s\) \['penalti'\]") as info:
        build_model({"name": "logreg", "params": {"penalti": "l2"}}, seed=0)
    assert "valid parameters:" in str(info.value)
    assert "penalty" in str(info.value) and "max_iter" in str(info.value)
    assert info.value.key == "model.params"


@pytest.mark.parametrize("name", ["logreg", "linear_svm", "sgd"])
def test_bad_parameter_value_fails_at_build_time(name: str) -> None:
    params = {"alpha": "abc"} if name == "sgd" else {"C": "abc"}
    with pytest.raises(ConfigError, match="abc") as info:
        build_model({"name": name, "params": params}, seed=0)
    assert info.value.key == f"model.params.{next(iter(params))}"  # the parameter's own key


@pytest.mark.parametrize(
    "params", [{"calibration": "platt"}, {"calibration_cv": 1}, {"calibration_cv": True}]
)
def test_bad_calibration_settings_are_refused(params: dict) -> None:
    with pytest.raises(ConfigError, match="calibration"):
        build_model({"name": "linear_svm", "params": params}, seed=0)


@pytest.mark.parametrize("target", ["os.system", "builtins.eval", "sklearnx.evil.Model", "", None])
def test_custom_model_outside_sklearn_and_newsclf_is_refused(target: str | None) -> None:
    with pytest.raises(ConfigError, match="must start with one of") as info:
        build_model({"name": "custom", "target": target}, seed=0)
    assert info.value.key == "model.target"


def test_custom_model_that_is_not_a_classifier_is_refused() -> None:
    with pytest.raises(ConfigError, match="not a scikit-learn classifier"):
        build_model({"name": "custom", "target": "sklearn.preprocessing.StandardScaler"}, seed=0)


def test_custom_ridge_classifier_is_calibrated_and_gives_probabilities() -> None:
    model = build_model(
        {
            "name": "custom",
            "target": "sklearn.linear_model.RidgeClassifier",
            "params": {"alpha": 2.0, "calibration_cv": 3},
        },
        seed=0,
    )
    assert isinstance(model, CalibratedClassifierCV)
    assert isinstance(model.estimator, RidgeClassifier) and model.estimator.alpha == 2.0
    X, y = _tiny_dataset()
    proba = model.fit(X, y).predict_proba(X)
    assert proba.shape == (len(y), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_custom_model_with_native_probabilities_is_not_wrapped() -> None:
    model = build_model(
        {"name": "custom", "target": "sklearn.naive_bayes.BernoulliNB", "params": {"alpha": 0.5}},
        seed=0,
    )
    assert type(model).__name__ == "BernoulliNB" and model.alpha == 0.5


def test_custom_model_unknown_parameter_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown parameter"):
        build_model(
            {
                "name": "custom",
                "target": "sklearn.linear_model.RidgeClassifier",
                "params": {"C": 1.0},
            },
            seed=0,
        )
