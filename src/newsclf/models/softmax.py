"""Scores without calibration folds: a softmax of a margin classifier's decision function.

One wrapper, :class:`SoftmaxDecisionClassifier`, serves two places:

- ``model.params.calibration: none`` wraps a margin classifier (``linear_svm``, ``sgd`` with a
  margin loss, a ``custom`` one without ``predict_proba``) in it instead of
  :class:`~sklearn.calibration.CalibratedClassifierCV`: the classifier is fitted once on all
  the training data (no calibration folds, so cheaper and it sees every record);
- ``model=passive_aggressive`` and the streaming trainer, which cannot calibrate by
  cross-validation (that needs all the data at once): it passes ``partial_fit`` through.

``predict_proba`` is a softmax of the decision function (a sigmoid of twice the margin for two
classes). The scores rank like probabilities and their argmax is the classifier's own
prediction, but they are not calibrated; ``predict`` output calls them scores.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from newsclf.utils.constraints import HasMethods

__all__ = ["SoftmaxDecisionClassifier", "softmax_scores"]


def softmax_scores(decision: Any) -> np.ndarray:
    """Row-wise softmax of decision scores; a 1-D binary margin ``s`` becomes ``[-s, s]``."""
    scores = np.array(decision, dtype=np.float64)
    if scores.ndim == 1:
        scores = np.column_stack([-scores, scores])
    scores -= scores.max(axis=1, keepdims=True)
    np.exp(scores, out=scores)
    scores /= scores.sum(axis=1, keepdims=True)
    return scores


class SoftmaxDecisionClassifier(ClassifierMixin, BaseEstimator):
    """Fit a margin classifier once; ``predict_proba`` is a softmax of its decision function.

    Parameters
    ----------
    estimator : classifier with ``decision_function``, default=None
        Cloned and fitted on all the data in ``fit`` (or on the first ``partial_fit``, which
        exists when ``estimator`` has one); ``None`` means ``LinearSVC()``.

    Attributes
    ----------
    estimator_ : the fitted clone of ``estimator``
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int

    See Also
    --------
    sklearn.calibration.CalibratedClassifierCV : calibrated probabilities from held-out folds.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0, 1.0], [0.1, 0.9], [1.0, 0.0], [0.9, 0.1]])
    >>> clf = SoftmaxDecisionClassifier().fit(X, ["a", "a", "b", "b"])
    >>> clf.predict_proba(X).sum(axis=1).round(6).tolist()
    [1.0, 1.0, 1.0, 1.0]
    """

    def __init__(self, estimator: Any = None) -> None:
        self.estimator = estimator

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "estimator": [HasMethods(["fit", "decision_function"]), None],
    }

    def _base(self) -> Any:
        self._validate_params()
        if self.estimator is None:
            from sklearn.svm import LinearSVC

            return LinearSVC()
        return clone(self.estimator)

    def fit(self, X: Any, y: Any, **fit_params: Any) -> SoftmaxDecisionClassifier:
        """Fit a clone of ``estimator`` on all of ``X``, ``y``."""
        self.estimator_ = self._base().fit(X, y, **fit_params)
        self._copy_fitted()
        return self

    def _has_partial_fit(self) -> bool:
        return hasattr(self.estimator, "partial_fit")

    @available_if(_has_partial_fit)
    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, **fit_params: Any
    ) -> SoftmaxDecisionClassifier:
        """One incremental step of the wrapped classifier (cloned on the first call)."""
        if not hasattr(self, "estimator_"):
            self.estimator_ = self._base()
        self.estimator_.partial_fit(X, y, classes=classes, **fit_params)
        self._copy_fitted()
        return self

    def _copy_fitted(self) -> None:
        self.classes_ = self.estimator_.classes_
        if hasattr(self.estimator_, "n_features_in_"):
            self.n_features_in_ = self.estimator_.n_features_in_
        if hasattr(self.estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.estimator_.feature_names_in_

    def decision_function(self, X: Any) -> np.ndarray:
        """The wrapped classifier's decision function."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.decision_function(X)

    def predict_proba(self, X: Any) -> np.ndarray:
        """Softmax of :meth:`decision_function`: rows sum to 1, not calibrated."""
        return softmax_scores(self.decision_function(X))

    def predict(self, X: Any) -> np.ndarray:
        """The wrapped classifier's prediction (the argmax of :meth:`predict_proba`)."""
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        base = self.estimator if self.estimator is not None else self._base()
        inner = base.__sklearn_tags__()
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        return tags
