"""Probabilities for margin classifiers that learn incrementally (``partial_fit``).

In-memory training calibrates margin models by cross-validation, which needs all the data at
once; a streaming run cannot, so :class:`SoftmaxClassifier` turns the decision function into
scores with a softmax (a sigmoid for two classes). They rank like probabilities but are not
calibrated; ``predict`` output calls them scores.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

from newsclf.models.softmax import softmax_scores

__all__ = ["SoftmaxClassifier"]


class SoftmaxClassifier(ClassifierMixin, BaseEstimator):
    """Wrap a linear classifier with ``partial_fit`` and give it ``predict_proba``.

    Parameters
    ----------
    estimator : classifier with ``decision_function``
        Cloned on the first ``fit`` / ``partial_fit``.

    Attributes
    ----------
    estimator_ : the fitted clone
    classes_ : ndarray of labels
    """

    def __init__(self, estimator: Any = None) -> None:
        self.estimator = estimator

    def _fresh(self) -> Any:
        if self.estimator is None or not hasattr(self.estimator, "decision_function"):
            raise ValueError("estimator must be a classifier with decision_function")
        return clone(self.estimator)

    def fit(self, X: Any, y: Any, **fit_params: Any) -> SoftmaxClassifier:
        self.estimator_ = self._fresh().fit(X, y, **fit_params)
        self.classes_ = self.estimator_.classes_
        return self

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, **fit_params: Any
    ) -> SoftmaxClassifier:
        if not hasattr(self, "estimator_"):
            self.estimator_ = self._fresh()
        self.estimator_.partial_fit(X, y, classes=classes, **fit_params)
        self.classes_ = self.estimator_.classes_
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        return softmax_scores(self.decision_function(X))

    def predict(self, X: Any) -> np.ndarray:
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
