"""Two-stage stance classifier: related or not first, then which stance among related pairs.

FNC-1-style labels are one "unrelated" class plus stances that only make sense for related
pairs. Relatedness is an almost exact function of a few similarity features, whereas the
agree / disagree / discuss decision needs words; so a tree model decides relatedness from the
leading (dense, relation) columns, a second model decides the stance from all columns on related
pairs only, and the probabilities combine as
``P(unrelated)`` and ``P(related) * P(stance | related)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MaxAbsScaler, StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from newsclf.models._columns import (
    SELECTION,
    check_columns,
    check_selection,
    column_index,
    take_columns,
)
from newsclf.utils.constraints import POSITIVE, HasMethods

__all__ = ["RelatedThenStanceClassifier", "linear_weights"]


def linear_weights(model: Any, n_features: int) -> tuple[np.ndarray, np.ndarray]:
    """``(coef, intercept)`` of a fitted linear model on raw inputs, scalers folded in.

    Accepts a linear classifier with ``coef_``, a Pipeline of scalers (``MaxAbsScaler``,
    ``StandardScaler``) ending in one, and a blend exposing its linear ``sparse_`` part.
    """
    sparse = getattr(model, "sparse_", None)
    if sparse is not None:
        return linear_weights(sparse, n_features)
    steps = [model] if not hasattr(model, "steps") else [step for _, step in model.steps]
    *scalers, last = steps
    coef = getattr(last, "coef_", None)
    if coef is None:
        raise ValueError(f"{type(last).__name__} has no linear weights (coef_)")
    w = np.atleast_2d(np.asarray(coef, dtype=np.float64)).copy()
    b = np.ravel(np.asarray(getattr(last, "intercept_", np.zeros(len(w))), dtype=np.float64))
    for scaler in reversed(scalers):
        if isinstance(scaler, StandardScaler):
            scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0) if scaler.with_std else 1.0
            mean = scaler.mean_ if scaler.with_mean else 0.0
            w = w / scale
            b = b - w @ np.broadcast_to(mean, (w.shape[1],))
        elif isinstance(scaler, MaxAbsScaler):
            w = w / np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
        else:
            raise ValueError(f"cannot fold a {type(scaler).__name__} into linear weights")
    if w.shape[1] != n_features:
        raise ValueError(f"linear weights cover {w.shape[1]} columns, expected {n_features}")
    return w, b


class RelatedThenStanceClassifier(ClassifierMixin, BaseEstimator):
    """Relatedness from the ``relatedness_columns`` features, then the stance.

    Parameters
    ----------
    relatedness : classifier or None, default=None
        Binary model of related vs ``unrelated_label`` on the leading columns (dense);
        ``None`` means ``HistGradientBoostingClassifier(max_iter=300)``.
    stance : classifier or None, default=None
        Model of the remaining labels on all columns, trained on related rows only; ``None``
        means max-abs scaling + ``LogisticRegression(class_weight="balanced")``.
    relatedness_columns : int, sequence of int or None, default=None
        The columns the relatedness model sees: column indices (the registry resolves them
        from the feature groups a config names, ``relatedness_groups``), an int ``n`` for the
        first ``n``, or ``None`` for all of them.
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
        relatedness_columns: int | Sequence[int] | None = None,
        unrelated_label: str = "unrelated",
        stance_scale: dict[str, float] | None = None,
    ) -> None:
        self.relatedness = relatedness
        self.stance = stance
        self.relatedness_columns = relatedness_columns
        self.unrelated_label = unrelated_label
        self.stance_scale = stance_scale

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "relatedness": [HasMethods(["fit", "predict_proba"]), None],
        "stance": [HasMethods(["fit", "predict_proba"]), None],
        "relatedness_columns": SELECTION,
        "unrelated_label": [str],
        "stance_scale": [Mapping, None],
    }

    def _check_params(self) -> None:
        self._validate_params()
        check_selection("relatedness_columns", self.relatedness_columns)
        for label, value in (self.stance_scale or {}).items():
            if not POSITIVE.is_satisfied_by(value):
                raise ValueError(
                    f"stance_scale[{label!r}] must be a positive number, got {value!r}"
                )

    def _leading(self, X: Any) -> np.ndarray:
        return take_columns(X, self.relatedness_columns)

    def fit(self, X: Any, y: Any) -> RelatedThenStanceClassifier:
        self._check_params()
        X, y = validate_data(self, X, y, accept_sparse="csr")
        check_classification_targets(y)
        check_columns("relatedness_columns", self.relatedness_columns, X.shape[1])
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

    def linear_part(self) -> tuple[np.ndarray, np.ndarray, str]:
        """(weights over all input columns, intercepts, what they are) for ``newsclf explain``.

        The ``unrelated`` row is the relatedness model's log-odds of "unrelated" (over the
        leading columns); each stance row is the stance model's linear score among related
        pairs (its logistic-regression part when it is a blend). Scalers are folded into the
        weights, so contributions are raw feature value x weight. Raises ``ValueError`` when a
        stage has no linear form (e.g. gradient-boosted relatedness).
        """
        check_is_fitted(self, "stance_")
        n = self.n_features_in_
        rows = np.zeros((len(self.classes_), n))
        intercept = np.zeros(len(self.classes_))
        parts = []
        if self.relatedness_ is not None:
            lead = column_index(self.relatedness_columns, n)
            w, b = linear_weights(self.relatedness_, len(np.arange(n)[lead]))
            i = int(np.searchsorted(self.classes_, self.unrelated_label))
            rows[i, lead], intercept[i] = w[-1], b[-1]
            parts.append("unrelated: relatedness log-odds")
        if not isinstance(self.stance_, DummyClassifier):
            w, b = linear_weights(self.stance_, n)
            if w.shape[0] == 1:  # two stances: one binary row
                w, b = np.vstack([-w, w]), np.concatenate([-b, b])
            cols = np.searchsorted(self.classes_, self.stance_.classes_)
            rows[cols], intercept[cols] = w, b
            parts.append("stances: linear stance scores among related pairs")
        return rows, intercept, "RelatedThenStanceClassifier (" + "; ".join(parts) + ")"

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
