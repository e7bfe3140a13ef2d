"""Two-stage stance classifier: related or not first, then which stance among related pairs.

FNC-1-style labels are one "unrelated" class plus stances that only make sense for related
pairs. Relatedness is an almost exact function of a few similarity features, whereas the
agree / disagree / discuss decision needs words; so a tree model decides relatedness from the
leading (dense, relation) columns, a second model decides the stance from all columns on related
pairs only, and the probabilities combine as
``P(unrelated)`` and ``P(related) * P(stance | related)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

__all__ = ["RelatedThenStanceClassifier"]


class RelatedThenStanceClassifier(ClassifierMixin, BaseEstimator):
    """Relatedness from the first ``relatedness_columns`` features, then the stance.

    Parameters
    ----------
    relatedness : classifier or None, default=None
        Binary model of related vs ``unrelated_label`` on the leading columns (dense);
        ``None`` means ``HistGradientBoostingClassifier(max_iter=300)``.
    stance : classifier or None, default=None
        Model of the remaining labels on all columns, trained on related rows only; ``None``
        means max-abs scaling + ``LogisticRegression(class_weight="balanced")``.
    relatedness_columns : int or None, default=None
        How many leading columns the relatedness model sees; ``None`` means all of them.
    unrelated_label : str, default="unrelated"
        The label of unrelated pairs. Without it in ``y`` only the stance model is fitted
        (``relatedness_`` is None), so the classifier still works on any labels.
    stance_scale : dict of str to float or None, default=None
        Multipliers of the stance model's probabilities by label (then renormalised), e.g.
        ``{"disagree": 1.4}`` to trade precision of a rare stance for its recall; labels not
        named keep 1. ``None`` leaves the probabilities as they are.

    Attributes
    ----------
    classes_ : ndarray of str
        All labels, sorted.
    relatedness_ : fitted clone of ``relatedness``, or None when ``y`` has no unrelated label
    stance_ : fitted clone of ``stance`` (a prior-only dummy when one related label exists)
    n_features_in_ : int
    """

    def __init__(
        self,
        *,
        relatedness: Any = None,
        stance: Any = None,
        relatedness_columns: int | None = None,
        unrelated_label: str = "unrelated",
        stance_scale: dict[str, float] | None = None,
    ) -> None:
        self.relatedness = relatedness
        self.stance = stance
        self.relatedness_columns = relatedness_columns
        self.unrelated_label = unrelated_label
        self.stance_scale = stance_scale

    def _check_params(self) -> None:
        n = self.relatedness_columns
        if n is not None and (isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1):
            raise ValueError(f"relatedness_columns must be a positive integer or None, got {n!r}")
        scale = self.stance_scale
        if scale is not None:
            if not hasattr(scale, "items"):
                raise ValueError(f"stance_scale must be a mapping label -> number, got {scale!r}")
            for label, value in scale.items():
                if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
                    raise ValueError(
                        f"stance_scale[{label!r}] must be a positive number, got {value!r}"
                    )

    def _leading(self, X: Any) -> np.ndarray:
        n = X.shape[1] if self.relatedness_columns is None else self.relatedness_columns
        lead = X[:, :n]
        return lead.toarray() if sp.issparse(lead) else np.asarray(lead)

    def fit(self, X: Any, y: Any) -> RelatedThenStanceClassifier:
        self._check_params()
        X, y = validate_data(self, X, y, accept_sparse="csr")
        check_classification_targets(y)
        if self.relatedness_columns is not None and self.relatedness_columns > X.shape[1]:
            raise ValueError(
                f"relatedness_columns={self.relatedness_columns} but X has {X.shape[1]} columns"
            )
        y = np.asarray(y)
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError(f"y must have at least two labels, got {list(self.classes_)}")
        unrelated = y == self.unrelated_label
        unknown = sorted(set(self.stance_scale or {}) - {str(c) for c in y[~unrelated]})
        if unknown:
            raise ValueError(f"stance_scale names labels {unknown} that are not stances in y")
        self.relatedness_ = None
        if unrelated.any():
            self.relatedness_ = clone(
                HistGradientBoostingClassifier(max_iter=300, random_state=0)
                if self.relatedness is None
                else self.relatedness
            ).fit(self._leading(X), unrelated)
        if len(np.unique(y[~unrelated])) < 2:  # one related label: it is certain when related
            self.stance_ = DummyClassifier(strategy="prior").fit(X[~unrelated], y[~unrelated])
            return self
        self.stance_ = clone(
            make_pipeline(
                MaxAbsScaler(), LogisticRegression(class_weight="balanced", max_iter=2000)
            )
            if self.stance is None
            else self.stance
        ).fit(X[~unrelated], y[~unrelated])
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "stance_")
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        out = np.zeros((X.shape[0], len(self.classes_)))
        p_unrelated = np.zeros(X.shape[0])
        if self.relatedness_ is not None:
            p_unrelated = self.relatedness_.predict_proba(self._leading(X))[
                :, list(self.relatedness_.classes_).index(True)
            ]
            out[:, np.searchsorted(self.classes_, self.unrelated_label)] = p_unrelated
        columns = np.searchsorted(self.classes_, self.stance_.classes_)
        stance = self.stance_.predict_proba(X)
        if self.stance_scale:
            stance = stance * np.asarray(
                [float(self.stance_scale.get(str(c), 1.0)) for c in self.stance_.classes_]
            )
            stance /= np.maximum(stance.sum(axis=1, keepdims=True), np.finfo(float).tiny)
        out[:, columns] = (1 - p_unrelated)[:, None] * stance
        return out

    def predict(self, X: Any) -> np.ndarray:
        """The most probable label (consistent with :meth:`predict_proba`)."""
        check_is_fitted(self, "stance_")
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
