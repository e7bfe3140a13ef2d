"""Blend of a tree model on the dense leading columns and a linear model on all columns.

For FNC-style stance the leading columns of ``features=headline_body`` are relations between
headline and body (similarities, cue counts near the headline's terms), where trees find
interactions ("a refuting cue, but only in the sentences about the headline"), and the sparse
columns are words, where a linear model is the right tool. Their probabilities are averaged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from newsclf.models._columns import SELECTION, check_columns, check_selection, take_columns
from newsclf.utils.constraints import HasMethods, Number

__all__ = ["DenseSparseBlendClassifier"]


class DenseSparseBlendClassifier(ClassifierMixin, BaseEstimator):
    """Average of a dense model on the ``dense_columns`` and a sparse model on all columns.

    Parameters
    ----------
    dense : classifier or None, default=None
        Model of the leading columns (given as a dense array); ``None`` means
        ``HistGradientBoostingClassifier(class_weight="balanced")``.
    sparse : classifier or None, default=None
        Model of all columns; ``None`` means max-abs scaling +
        ``LogisticRegression(class_weight="balanced")``.
    dense_columns : int, sequence of int or None, default=None
        The columns the dense model sees: column indices (resolved by the registry from
        feature group names), an int ``n`` for the first ``n``, or ``None`` for all of them.
    dense_weight : float, default=0.5
        Weight of the dense model's probabilities (the sparse model gets ``1 - dense_weight``);
        0 and 1 fit only the model that is used.

    Attributes
    ----------
    classes_ : ndarray
    dense_, sparse_ : fitted clones, or None when their weight is 0
    n_features_in_ : int
    """

    def __init__(
        self,
        *,
        dense: Any = None,
        sparse: Any = None,
        dense_columns: int | Sequence[int] | None = None,
        dense_weight: float = 0.5,
    ) -> None:
        self.dense = dense
        self.sparse = sparse
        self.dense_columns = dense_columns
        self.dense_weight = dense_weight

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "dense": [HasMethods(["fit", "predict_proba"]), None],
        "sparse": [HasMethods(["fit", "predict_proba"]), None],
        "dense_columns": SELECTION,
        "dense_weight": [Number(0, 1)],
    }

    def _check_params(self) -> None:
        self._validate_params()
        check_selection("dense_columns", self.dense_columns)

    def _leading(self, X: Any) -> np.ndarray:
        return take_columns(X, self.dense_columns)

    def fit(self, X: Any, y: Any) -> DenseSparseBlendClassifier:
        self._check_params()
        X, y = validate_data(self, X, y, accept_sparse="csr")
        check_classification_targets(y)
        check_columns("dense_columns", self.dense_columns, X.shape[1])
        self.classes_ = np.unique(y)
        self.dense_ = self.sparse_ = None
        if self.dense_weight > 0:
            dense = self.dense
            if dense is None:
                dense = HistGradientBoostingClassifier(class_weight="balanced", random_state=0)
            self.dense_ = clone(dense).fit(self._leading(X), y)
        if self.dense_weight < 1:
            sparse = self.sparse
            if sparse is None:
                sparse = make_pipeline(
                    MaxAbsScaler(), LogisticRegression(class_weight="balanced", max_iter=2000)
                )
            self.sparse_ = clone(sparse).fit(X, y)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "classes_")
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        out = np.zeros((X.shape[0], len(self.classes_)))
        for model, weight, data in (
            (self.dense_, self.dense_weight, self._leading(X) if self.dense_ else None),
            (self.sparse_, 1 - self.dense_weight, X),
        ):
            if model is not None:
                columns = np.searchsorted(self.classes_, model.classes_)
                out[:, columns] += weight * model.predict_proba(data)
        return out

    def predict(self, X: Any) -> np.ndarray:
        """The most probable label (consistent with :meth:`predict_proba`)."""
        check_is_fitted(self, "classes_")
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
