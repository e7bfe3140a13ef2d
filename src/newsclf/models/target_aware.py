"""Target-aware stance models: one model per target, or features conditioned on the target.

Stance words are target-specific ("pro-life" is AGAINST legalising abortion but says nothing
about climate change), so a single pooled model over many targets blurs them. Two remedies,
chosen by the ``target_aware`` config group (``pooled`` keeps the plain pipeline):

- :class:`PerTargetClassifier` (``target_aware=per_target``) fits a clone of the whole stance
  pipeline per target with enough examples, plus a pooled fallback for unseen or rare targets
  (the SemEval-2016 organisers' baseline is per-target SVMs);
- :class:`TargetCrossedFeatures` (``target_aware=crossed``) keeps one model but gives it a
  shared copy of the features and one copy per target (feature augmentation, Daumé 2007), so a
  weight can be shared by all targets or belong to one;
- :class:`TargetMentionFeatures` (``target_aware=mention``), for open sets of entity targets:
  the target's mentions are masked in the text and the words around them get features of
  their own.

Both take ``(text, target)`` pairs, like :class:`~newsclf.features.PairVectorizer`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, TransformerMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_is_fitted

from newsclf.errors import ConfigError
from newsclf.features._validation import as_pairs, check_positive_weight, string_input_tags

__all__ = [
    "TARGET_AWARE_MODES",
    "PerTargetClassifier",
    "TargetCrossedFeatures",
    "TargetMentionFeatures",
    "build_target_aware",
    "target_key",
]


def target_key(target: str) -> str:
    """The form targets are grouped by: case-folded, whitespace collapsed."""
    return " ".join(str(target).split()).casefold()


def _check_min_samples(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
        raise ValueError(f"min_samples must be a positive integer, got {value!r}")


def _clone_pair_vectorizer(vectorizer: Any) -> Any:
    """A clone of ``vectorizer``, which must be a transformer of ``(text, target)`` pairs."""
    if vectorizer is None or not hasattr(vectorizer, "transform"):
        raise ValueError("vectorizer must be a transformer of (text, target) pairs")
    return clone(vectorizer)


def _pairs(X: Any) -> tuple[np.ndarray, np.ndarray]:
    """``X`` as an ``(n, 2)`` object array of pairs and the target key of each row."""
    texts, targets = as_pairs(X)
    arr = np.empty((len(texts), 2), dtype=object)
    arr[:, 0], arr[:, 1] = texts, targets
    return arr, np.asarray([target_key(t) for t in targets], dtype=object)


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

    def _check_params(self) -> None:
        _check_min_samples(self.min_samples)

    def fit(self, X: Any, y: Any) -> PerTargetClassifier:
        """Fit the pooled fallback and a model for every target with enough examples."""
        self._check_params()
        if self.estimator is None or not hasattr(self.estimator, "predict_proba"):
            raise ValueError("estimator must be a classifier with fit and predict_proba")
        pairs, keys = _pairs(X)
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
        pairs, keys = _pairs(X)
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
        return string_input_tags(super().__sklearn_tags__())


class TargetCrossedFeatures(TransformerMixin, BaseEstimator):
    """Features of ``vectorizer`` once shared and once more in a block per target.

    Row ``i`` of target ``t`` gets ``[x_i, 0, ..., x_i (block t), ..., 0]``, so a linear model
    learns a shared weight and a target-specific correction for every feature.

    Parameters
    ----------
    vectorizer : transformer over ``(text, target)`` pairs
        e.g. :class:`~newsclf.features.PairVectorizer`; cloned in ``fit``.
    shared : bool, default=True
        Keep the shared block (without it, the model is per target except for rare targets,
        which then get no features at all).
    min_samples : int, default=20
        Targets with fewer training examples get no block of their own (only the shared one);
        so do targets unseen in training.
    target_weight : float, default=1.0
        Multiplier of the per-target blocks relative to the shared one.

    Attributes
    ----------
    vectorizer_ : the fitted clone
    targets_ : ndarray of str
        Target keys (see :func:`target_key`) with a block, in block order.
    n_features_out_ : int
    """

    def __init__(
        self,
        vectorizer: Any = None,
        *,
        shared: bool = True,
        min_samples: int = 20,
        target_weight: float = 1.0,
    ):
        self.vectorizer = vectorizer
        self.shared = shared
        self.min_samples = min_samples
        self.target_weight = target_weight

    def _check_params(self) -> None:
        _check_min_samples(self.min_samples)
        check_positive_weight("target_weight", self.target_weight)

    def fit(self, X: Any, y: Any = None) -> TargetCrossedFeatures:
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> sp.csr_matrix:
        self._check_params()
        self.vectorizer_ = _clone_pair_vectorizer(self.vectorizer)
        pairs, keys = _pairs(X)
        base = sp.csr_matrix(self.vectorizer_.fit_transform(pairs))
        names, counts = np.unique(keys, return_counts=True)
        self.targets_ = names[counts >= self.min_samples].astype(str).astype(object)
        self.n_base_features_ = base.shape[1]
        out = self._cross(base, keys)
        self.n_features_out_ = out.shape[1]
        return out

    def transform(self, X: Any) -> sp.csr_matrix:
        check_is_fitted(self, "n_features_out_")
        pairs, keys = _pairs(X)
        return self._cross(sp.csr_matrix(self.vectorizer_.transform(pairs)), keys)

    def _cross(self, base: sp.csr_matrix, keys: np.ndarray) -> sp.csr_matrix:
        blocks = [base] if self.shared else []
        for target in self.targets_:
            mask = sp.diags((keys == target).astype(float) * self.target_weight)
            blocks.append(mask @ base)
        if not blocks:
            return sp.csr_matrix((base.shape[0], 0))
        return sp.hstack(blocks, format="csr")

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        base = [str(n) for n in self.vectorizer_.get_feature_names_out()]
        names = [f"shared|{n}" for n in base] if self.shared else []
        for target in self.targets_:
            names += [f"{target}|{n}" for n in base]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        return string_input_tags(super().__sklearn_tags__())


_WORD = re.compile(r"\w+")


def _mentions(text: str, target: str, min_prefix: int) -> list[tuple[int, int]]:
    """Spans of the words of ``text`` that mention ``target``.

    A word mentions the target if it starts with one of the target's words (compared
    case-insensitively; words shorter than ``min_prefix`` must match whole), so inflected
    forms count: "Orbánnak" and "Orbánt" mention "Orbán Viktor".
    """
    names = [w.casefold() for w in _WORD.findall(target)]
    spans = []
    for match in _WORD.finditer(text):
        word = match.group().casefold()
        for name in names:
            if word == name or (len(name) >= min_prefix and word.startswith(name)):
                spans.append(match.span())
                break
    return spans


class TargetMentionFeatures(TransformerMixin, BaseEstimator):
    """Features of the text with the target's mentions masked, plus n-grams of their context.

    For entity targets that are too many for per-target models (OpinHuBank has 5,000): each
    word mentioning the target becomes ``mask`` in the text the ``vectorizer`` sees (so a name
    never carries sentiment of its own), and the words within ``window`` of a mention are
    vectorised again by ``context_vectorizer`` into a block of their own.

    Parameters
    ----------
    vectorizer : transformer over ``(text, target)`` pairs
        Sees the masked text; cloned in ``fit``.
    context_vectorizer : transformer over texts, or None
        Sees the words around the mentions; ``None`` leaves the context block out.
    window : int, default=4
        Words on each side of a mention that count as its context.
    min_prefix : int, default=4
        Target words at least this long also match as prefixes (inflected forms).
    mask : str, default="célpont"
        The word that replaces a mention.
    context_weight : float, default=1.0
        Multiplier of the context block.

    Attributes
    ----------
    vectorizer_, context_vectorizer_ : fitted clones (``context_vectorizer_`` may be None)
    n_features_out_ : int
    """

    def __init__(
        self,
        vectorizer: Any = None,
        context_vectorizer: Any = None,
        *,
        window: int = 4,
        min_prefix: int = 4,
        mask: str = "célpont",
        context_weight: float = 1.0,
    ):
        self.vectorizer = vectorizer
        self.context_vectorizer = context_vectorizer
        self.window = window
        self.min_prefix = min_prefix
        self.mask = mask
        self.context_weight = context_weight

    def _check_params(self) -> None:
        for name in ("window", "min_prefix"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if not isinstance(self.mask, str) or not _WORD.fullmatch(self.mask):
            raise ValueError(f"mask must be a single word, got {self.mask!r}")
        check_positive_weight("context_weight", self.context_weight)

    def _rewrite(self, X: Any) -> tuple[np.ndarray, list[str]]:
        pairs, _ = _pairs(X)
        contexts = []
        for i, (text, target) in enumerate(pairs):
            spans = _mentions(text, target, self.min_prefix)
            words = list(_WORD.finditer(text))
            starts = {s for s, _ in spans}
            hits = [j for j, w in enumerate(words) if w.start() in starts]
            near = sorted(
                {k for j in hits for k in range(j - self.window, j + self.window + 1)} - set(hits)
            )
            contexts.append(" ".join(words[k].group() for k in near if 0 <= k < len(words)))
            for start, end in reversed(spans):
                text = f"{text[:start]}{self.mask}{text[end:]}"
            pairs[i, 0] = text
        return pairs, contexts

    def fit(self, X: Any, y: Any = None) -> TargetMentionFeatures:
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> sp.csr_matrix:
        self._check_params()
        self.vectorizer_ = _clone_pair_vectorizer(self.vectorizer)
        pairs, contexts = self._rewrite(X)
        self.context_vectorizer_ = (
            None if self.context_vectorizer is None else clone(self.context_vectorizer)
        )
        out = self._stack(pairs, contexts, fit=True)
        self.n_features_out_ = out.shape[1]
        return out

    def transform(self, X: Any) -> sp.csr_matrix:
        check_is_fitted(self, "n_features_out_")
        pairs, contexts = self._rewrite(X)
        return self._stack(pairs, contexts, fit=False)

    def _stack(self, pairs: np.ndarray, contexts: list[str], *, fit: bool) -> sp.csr_matrix:
        def run(vectorizer: Any, data: Any) -> sp.csr_matrix:
            return sp.csr_matrix(
                vectorizer.fit_transform(data) if fit else vectorizer.transform(data)
            )

        blocks = [run(self.vectorizer_, pairs)]
        if self.context_vectorizer_ is not None:
            # a sentence without a recognised mention has an empty context
            blocks.append(
                run(self.context_vectorizer_, [c or "-" for c in contexts]) * self.context_weight
            )
        return sp.hstack(blocks, format="csr")

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        names = [str(n) for n in self.vectorizer_.get_feature_names_out()]
        if self.context_vectorizer_ is not None:
            names += [f"context|{n}" for n in self.context_vectorizer_.get_feature_names_out()]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        return string_input_tags(super().__sklearn_tags__())


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
    from newsclf.features.registry import build_estimator

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
