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
import scipy.sparse as sp
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
from newsclf.utils.constraints import POSITIVE, HasMethods, Int, Number

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
    neutral : classifier or None, default=None
        A second stance model on ``neutral_columns`` only (language-neutral features), used
        instead of ``stance`` for the rows whose ``route_column`` is positive (pairs that are
        not English: the stance model's word features never fire on them). ``None``: no
        second model; every row gets ``stance``.
    neutral_columns : int, sequence of int or None, default=None
        The columns ``neutral`` sees (the registry resolves them from group names).
    route_column : int or None, default=None
        The column that routes a row to ``neutral`` (> 0.5). Required with ``neutral``.
    neutral_labels : sequence of str or None, default=None
        The stances ``neutral`` is trained on and may predict (e.g. ``["agree",
        "disagree"]``); ``None``: all of them.
    negation_column : int or None, default=None
        The column counting negations in the claim (``log1p`` count). When set, ``neutral``
        also trains on each ``agree`` row whose claim has no negation with the negation
        added and the label ``disagree`` (a claim the article supports, negated, is one it
        contradicts): the English training pairs rarely show that, and it is how a claim
        usually contradicts a Hungarian article. Needs ``neutral_labels`` to allow both.
    contrast_columns : int, sequence of int or None, default=None
        0/1 columns that mark a claim saying the opposite of the article (it denies what the
        article reports; it takes the other pole of a word the article uses). Like
        ``negation_column``: ``neutral`` also trains on each ``agree`` row with one of them set
        to 1 (where it is 0) as ``disagree``, one copy per column. English pairs hardly ever
        contradict that way, so the head would not learn what the mark means from them.
    support_column : int or None, default=None
        A column saying how closely the article states the claim, standardised over related
        claims (``xling:sentence_support``). For a routed row whose value is below
        ``support_threshold`` the neutral head's agree and disagree probabilities are swapped
        when agree is the larger: a claim the article does not state as closely as it states
        a typical related claim is taken as contradicted rather than supported. The English
        training pairs cannot teach that (their *disagree* is a body refuting a headline), so
        it is a rule with a threshold measured on claims written for Hungarian articles.
    support_threshold : float, default=0.0
        See ``support_column``.
    stance_drop_columns : int, sequence of int or None, default=None
        Columns zeroed for ``stance`` (e.g. the route and neutral columns), so the stance of
        English pairs is what it was without them.

    Attributes
    ----------
    classes_ : ndarray of str
        All labels, sorted.
    relatedness_ : fitted clone of ``relatedness``, or None when ``y`` has no unrelated label
    stance_ : fitted clone of ``stance`` (a prior-only dummy when one related label exists)
    neutral_ : fitted clone of ``neutral``, or None
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.array([[0.9, 1.0], [0.8, 0.0], [0.85, 1.0], [0.7, 0.0],
    ...               [0.1, 1.0], [0.05, 0.0], [0.2, 1.0], [0.0, 0.0]])
    >>> y = ["agree", "disagree", "agree", "disagree"] + ["unrelated"] * 4
    >>> clf = RelatedThenStanceClassifier(
    ...     relatedness=LogisticRegression(), stance=LogisticRegression(), relatedness_columns=[0]
    ... ).fit(X, y)
    >>> clf.predict([[0.9, 1.0], [0.05, 1.0]]).tolist()
    ['agree', 'unrelated']
    """

    def __init__(
        self,
        *,
        relatedness: Any = None,
        stance: Any = None,
        relatedness_columns: int | Sequence[int] | None = None,
        unrelated_label: str = "unrelated",
        stance_scale: dict[str, float] | None = None,
        neutral: Any = None,
        neutral_columns: int | Sequence[int] | None = None,
        route_column: int | None = None,
        neutral_labels: Sequence[str] | None = None,
        negation_column: int | None = None,
        contrast_columns: int | Sequence[int] | None = None,
        support_column: int | None = None,
        support_threshold: float = 0.0,
        stance_drop_columns: int | Sequence[int] | None = None,
    ) -> None:
        self.relatedness = relatedness
        self.stance = stance
        self.relatedness_columns = relatedness_columns
        self.unrelated_label = unrelated_label
        self.stance_scale = stance_scale
        self.neutral = neutral
        self.neutral_columns = neutral_columns
        self.route_column = route_column
        self.neutral_labels = neutral_labels
        self.negation_column = negation_column
        self.contrast_columns = contrast_columns
        self.support_column = support_column
        self.support_threshold = support_threshold
        self.stance_drop_columns = stance_drop_columns

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "relatedness": [HasMethods(["fit", "predict_proba"]), None],
        "stance": [HasMethods(["fit", "predict_proba"]), None],
        "relatedness_columns": SELECTION,
        "unrelated_label": [str],
        "stance_scale": [Mapping, None],
        "neutral": [HasMethods(["fit", "predict_proba"]), None],
        "neutral_columns": SELECTION,
        "route_column": [Int(0, None, closed="left"), None],
        "neutral_labels": ["array-like", None],
        "negation_column": [Int(0, None, closed="left"), None],
        "contrast_columns": SELECTION,
        "support_column": [Int(0, None, closed="left"), None],
        "support_threshold": [Number(None, None, closed="neither")],
        "stance_drop_columns": SELECTION,
    }

    def _check_params(self) -> None:
        self._validate_params()
        check_selection("relatedness_columns", self.relatedness_columns)
        check_selection("neutral_columns", self.neutral_columns)
        check_selection("stance_drop_columns", self.stance_drop_columns)
        if self.neutral is not None and self.route_column is None:
            raise ValueError("neutral needs route_column: the column that routes rows to it")
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
        ).fit(self._for_stance(X[~unrelated]), y[~unrelated])
        self.neutral_ = None
        if self.neutral is not None:
            keep = ~unrelated
            if self.neutral_labels is not None:
                wanted = {str(label) for label in self.neutral_labels}
                unknown = sorted(wanted - {str(c) for c in y[~unrelated]})
                if unknown:
                    raise ValueError(f"neutral_labels names {unknown}, not stances in y")
                keep &= np.isin(y.astype(str), sorted(wanted))
            X_neutral, y_neutral = take_columns(X[keep], self.neutral_columns), y[keep]
            X_neutral, y_neutral = self._augmented(X[keep], X_neutral, y_neutral)
            self.neutral_ = clone(self.neutral).fit(X_neutral, y_neutral)
        return self

    def _augmented(
        self, X: Any, X_neutral: np.ndarray, y: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """``X_neutral, y`` plus, per marking column (``negation_column``, then
        ``contrast_columns``), the agree rows it does not mark, marked, as disagree."""
        marks: list[tuple[int, float]] = []
        if self.negation_column is not None:
            marks.append((self.negation_column, float(np.log1p(1.0))))
        if self.contrast_columns is not None:
            columns = np.arange(X.shape[1])[column_index(self.contrast_columns, X.shape[1])]
            marks += [(int(c), 1.0) for c in np.atleast_1d(columns)]
        if not marks or "disagree" not in set(y.astype(str)):
            return X_neutral, y
        index = list(np.arange(X.shape[1])[column_index(self.neutral_columns, X.shape[1])])
        parts, labels = [X_neutral], [y]
        agree = y.astype(str) == "agree"
        for column, value in marks:
            if column not in index:
                raise ValueError(
                    f"column {column} (negation_column or contrast_columns) must be one of "
                    "neutral_columns"
                )
            at = index.index(column)
            extra = X_neutral[np.flatnonzero(agree & (X_neutral[:, at] == 0))].copy()
            extra[:, at] = value
            parts.append(extra)
            labels.append(np.full(len(extra), "disagree", dtype=y.dtype))
        return np.vstack(parts), np.concatenate(labels)

    def _for_stance(self, X: Any) -> Any:
        """``X`` with ``stance_drop_columns`` zeroed (same width, so column indices hold)."""
        if self.stance_drop_columns is None:
            return X
        mask = np.ones(X.shape[1])
        mask[column_index(self.stance_drop_columns, X.shape[1])] = 0.0
        if sp.issparse(X):
            return sp.csr_matrix(X @ sp.diags(mask))
        return X * mask

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
        stance = self.stance_.predict_proba(self._for_stance(X))
        if self.stance_scale:
            stance = stance * np.asarray(
                [float(self.stance_scale.get(str(c), 1.0)) for c in self.stance_.classes_]
            )
            stance /= np.maximum(stance.sum(axis=1, keepdims=True), np.finfo(float).tiny)
        neutral = getattr(self, "neutral_", None)
        if neutral is not None:
            routed = np.flatnonzero(take_columns(X, [self.route_column]).ravel() > 0.5)
            if len(routed):
                from_neutral = np.zeros((len(routed), len(self.stance_.classes_)))
                at = np.searchsorted(self.stance_.classes_, neutral.classes_)
                from_neutral[:, at] = neutral.predict_proba(
                    take_columns(X[routed], self.neutral_columns)
                )
                # (models saved by newsclf 0.2.0 have no support rule)
                if getattr(self, "support_column", None) is not None:
                    self._apply_support(X, routed, from_neutral)
                stance = stance.copy()
                stance[routed] = from_neutral
        out[:, columns] = (1 - p_unrelated)[:, None] * stance
        return out

    def _apply_support(self, X: Any, routed: np.ndarray, stance: np.ndarray) -> None:
        """Swap agree and disagree (in place) where the support is low (``support_column``)."""
        labels = [str(c) for c in self.stance_.classes_]
        if "agree" not in labels or "disagree" not in labels:
            return
        a, d = labels.index("agree"), labels.index("disagree")
        support = take_columns(X[routed], [self.support_column]).ravel()
        swap = (support < self.support_threshold) & (stance[:, a] > stance[:, d])
        stance[swap, a], stance[swap, d] = stance[swap, d], stance[swap, a].copy()

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
