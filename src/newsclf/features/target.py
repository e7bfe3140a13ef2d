"""Target-conditioned feature transformers for stance over ``(text, target)`` pairs.

Stance words are target-specific, so two transformers let one model tell targets apart
(chosen by the ``target_aware`` config group; the per-target model lives in
:mod:`newsclf.models.target_aware`):

- :class:`TargetCrossedFeatures` (``target_aware=crossed``) gives the model a shared copy of
  the features and one copy per target (feature augmentation, Daumé 2007), so a weight can be
  shared by all targets or belong to one;
- :class:`TargetMentionFeatures` (``target_aware=mention``), for open sets of entity targets:
  the target's mentions are masked in the text and the words around them get features of
  their own.

Both take ``(text, target)`` pairs, like :class:`~newsclf.features.PairVectorizer`.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.utils.validation import check_is_fitted

from newsclf.features._validation import as_pairs, string_input_tags
from newsclf.utils.constraints import POSITIVE, POSITIVE_INT

__all__ = [
    "TargetCrossedFeatures",
    "TargetMentionFeatures",
    "target_key",
    "target_pairs",
]


def target_key(target: str) -> str:
    """The form targets are grouped by: case-folded, whitespace collapsed."""
    return " ".join(str(target).split()).casefold()


def _clone_pair_vectorizer(vectorizer: Any) -> Any:
    """A clone of ``vectorizer``, which must be a transformer of ``(text, target)`` pairs."""
    if vectorizer is None or not hasattr(vectorizer, "transform"):
        raise ValueError("vectorizer must be a transformer of (text, target) pairs")
    return clone(vectorizer)


def target_pairs(X: Any) -> tuple[np.ndarray, np.ndarray]:
    """``X`` as an ``(n, 2)`` object array of pairs and the target key of each row."""
    texts, targets = as_pairs(X)
    arr = np.empty((len(texts), 2), dtype=object)
    arr[:, 0], arr[:, 1] = texts, targets
    return arr, np.asarray([target_key(t) for t in targets], dtype=object)


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

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "shared": ["boolean"],
        "min_samples": [POSITIVE_INT],
        "target_weight": [POSITIVE],
    }

    def _check_params(self) -> None:
        self._validate_params()

    def fit(self, X: Any, y: Any = None) -> TargetCrossedFeatures:
        self.fit_transform(X, y)
        return self

    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> sp.csr_matrix:
        self._check_params()
        self.vectorizer_ = _clone_pair_vectorizer(self.vectorizer)
        pairs, keys = target_pairs(X)
        base = sp.csr_matrix(self.vectorizer_.fit_transform(pairs))
        names, counts = np.unique(keys, return_counts=True)
        self.targets_ = names[counts >= self.min_samples].astype(str).astype(object)
        self.n_base_features_ = base.shape[1]
        out = self._cross(base, keys)
        self.n_features_out_ = out.shape[1]
        return out

    def transform(self, X: Any) -> sp.csr_matrix:
        check_is_fitted(self, "n_features_out_")
        pairs, keys = target_pairs(X)
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

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "window": [POSITIVE_INT],
        "min_prefix": [POSITIVE_INT],
        "mask": [str],
        "context_weight": [POSITIVE],
    }

    def _check_params(self) -> None:
        self._validate_params()
        if not _WORD.fullmatch(self.mask):
            raise ValueError(f"mask must be a single word, got {self.mask!r}")

    def _rewrite(self, X: Any) -> tuple[np.ndarray, list[str]]:
        pairs, _ = target_pairs(X)
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
