"""Target-aware stance models: one model per target, or features conditioned on the target.

Stance words are target-specific ("pro-life" is AGAINST legalising abortion but says nothing
about climate change), so a single pooled model over many targets blurs them. Remedies,
chosen by the ``target_aware`` config group (``pooled`` keeps the plain pipeline):

- :class:`PerTargetClassifier` (``target_aware=per_target``) fits a clone of the whole stance
  pipeline per target with enough examples, plus a pooled fallback for unseen or rare targets
  (the SemEval-2016 organisers' baseline is per-target SVMs);
- ``target_aware=crossed`` and ``target_aware=mention`` keep one model and condition its
  features on the target (:mod:`newsclf.features.target`); :func:`build_target_aware` wires
  each mode into the stance pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from newsclf.errors import ConfigError
from newsclf.features.target import (
    TargetCrossedFeatures,
    TargetMentionFeatures,
    target_pairs,
)
from newsclf.utils.constraints import POSITIVE_INT, HasMethods

__all__ = ["TARGET_AWARE_MODES", "PerTargetClassifier", "build_target_aware"]


class PerTargetClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """One clone of ``estimator`` per target, with a pooled fallback.

    Parameters
    ----------
    estimator : classifier over ``(text, target)`` pairs with ``predict_proba``
        Cloned and fitted once per target (e.g. a features + model ``Pipeline``).
    min_samples : int, default=20
        A target gets its own model only with at least this many examples and two classes;
        other targets are predicted by the pooled model.
    fallback : bool, default=True
        Fit a pooled model on all examples for rare and unseen targets. Without it every
        training target must qualify for its own model and an unseen target is an error.

    Attributes
    ----------
    classes_ : ndarray of str
        All labels seen in training; probability columns follow this order.
    estimators_ : dict of str to estimator
        The fitted per-target models, keyed by :func:`target_key`.
    pooled_ : estimator or None
        The fallback fitted on every example.
    """

    def __init__(self, estimator: Any = None, *, min_samples: int = 20, fallback: bool = True):
        self.estimator = estimator
        self.min_samples = min_samples
        self.fallback = fallback

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "min_samples": [POSITIVE_INT],
        "fallback": ["boolean"],
    }

    def _check_params(self) -> None:
        self._validate_params()

    def fit(self, X: Any, y: Any) -> PerTargetClassifier:
        """Fit the pooled fallback and a model for every target with enough examples."""
        self._check_params()
        if self.estimator is None or not hasattr(self.estimator, "predict_proba"):
            raise ValueError("estimator must be a classifier with fit and predict_proba")
        pairs, keys = target_pairs(X)
        y = np.asarray(y, dtype=object)
        if len(y) != len(pairs):
            raise ValueError(f"{len(pairs)} pairs but {len(y)} labels")
        self.classes_ = np.asarray(sorted({str(v) for v in y}), dtype=object)
        y = y.astype(str).astype(object)
        self.pooled_ = clone(self.estimator).fit(pairs, y) if self.fallback else None
        self.estimators_ = {}
        for key in sorted(set(keys)):
            mask = keys == key
            if mask.sum() >= self.min_samples and len(set(y[mask])) >= 2:
                self.estimators_[key] = clone(self.estimator).fit(pairs[mask], y[mask])
            elif not self.fallback:
                raise ValueError(
                    f"target {key!r} has {int(mask.sum())} examples of "
                    f"{len(set(y[mask]))} class(es); it needs min_samples={self.min_samples} "
                    "and two classes, or fallback=True"
                )
        self.n_features_in_ = 2
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities in the order of ``classes_`` (0 for labels a target's model lacks)."""
        check_is_fitted(self, "estimators_")
        pairs, keys = target_pairs(X)
        out = np.zeros((len(pairs), len(self.classes_)))
        for key in set(keys):
            model = self.estimators_.get(key, self.pooled_)
            if model is None:
                raise ValueError(
                    f"no model for the unseen target {key!r} (fitted with fallback=False)"
                )
            rows = np.flatnonzero(keys == key)
            cols = np.searchsorted(self.classes_, np.asarray(model.classes_, dtype=str))
            out[np.ix_(rows, cols)] = model.predict_proba(pairs[rows])
        return out

    def predict(self, X: Any) -> np.ndarray:
        """The most probable label of each pair."""
        check_is_fitted(self, "estimators_")
        return self.classes_[self.predict_proba(X).argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True  # (text, target) pairs, not a 2-d numeric array
        tags.input_tags.two_d_array = False
        return tags


#: values of ``target_aware.mode``
TARGET_AWARE_MODES = ("pooled", "per_target", "crossed", "mention")


def build_target_aware(pipeline: Pipeline, node: Mapping[str, Any] | None) -> Pipeline:
    """Make the stance ``pipeline`` (steps ``features``, ``model``) target-aware per ``node``.

    ``node`` is the ``target_aware`` config node: ``mode`` plus that mode's parameters. ``None``
    (a config saved before the group existed) keeps the pipeline as it is.
    """
    if node is None:
        return pipeline
    node = dict(node)
    mode = node.pop("mode", None)
    if mode not in TARGET_AWARE_MODES:
        raise ConfigError(
            f"unknown mode {mode!r}",
            key="target_aware.mode",
            hint=f"choose one of: {', '.join(TARGET_AWARE_MODES)} (e.g. target_aware=per_target)",
        )
    if mode == "pooled":
        if node:
            raise ConfigError(f"unknown parameter(s) {sorted(node)}", key="target_aware")
        return pipeline
    from newsclf.building import build_estimator

    if mode == "per_target":
        est = build_estimator(PerTargetClassifier, node, "target_aware")
        return Pipeline([("per_target", est.set_params(estimator=pipeline))])
    features = pipeline.named_steps["features"]
    if mode == "mention":
        context = node.pop("context", True)
        est = build_estimator(TargetMentionFeatures, node, "target_aware")
        text = getattr(features, "text_vectorizer", None)
        if not hasattr(text, "fit_transform"):  # None (the default) or "drop"
            from newsclf.features.text import TextVectorizer

            text = TextVectorizer()
        est.set_params(vectorizer=features, context_vectorizer=clone(text) if context else None)
    else:
        est = build_estimator(TargetCrossedFeatures, node, "target_aware")
        est.set_params(vectorizer=features)
    return Pipeline([("features", est), ("model", pipeline.named_steps["model"])])
