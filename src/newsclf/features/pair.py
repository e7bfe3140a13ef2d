"""Stance features for (text, target) pairs.

Stance is a property of a text *toward* a target, so the features are the text's own n-grams,
the target's n-grams, and how the two relate: similarity, coverage of the target's terms
(overall and in the lead), and refuting / hedging / negation cues near the target's terms.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from newsclf.features._validation import as_pairs, string_input_tags
from newsclf.features.cues import HEDGING, NEGATION, REFUTING, count_cues
from newsclf.features.text import TextVectorizer
from newsclf.text.lang import detect_language
from newsclf.text.normalize import normalize_text
from newsclf.text.tokenize import WordAnalyzer, tokenize
from newsclf.utils.constraints import LANG, POSITIVE_INT, Number

__all__ = ["PairSimilarity", "PairVectorizer"]

_SIMILARITY_NAMES = (
    "word_cosine",
    "char_cosine",
    "target_coverage",
    "lead_coverage",
    "jaccard",
    "refuting_cues",
    "hedging_cues",
    "negations",
    "refuting_near_target",
    "negation_near_target",
)


def _terms_as_is(terms: list[str]) -> list[str]:
    """Analyzer for documents that are already lists of terms."""
    return terms


def _row_cosine(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
    return np.asarray(normalize(a).multiply(normalize(b)).sum(axis=1)).ravel()


class PairSimilarity(TransformerMixin, BaseEstimator):
    """Dense relation features between each text and its target.

    Parameters
    ----------
    lang : {"auto", "hu", "en"}, default="auto"
        Language for stemming the terms compared.
    lead_terms : int, default=40
        How many leading terms of the text count as its lead.
    window : int, default=8
        Distance (in tokens) within which a cue counts as "near" a target term.

    Attributes
    ----------
    word_vectorizer_, char_vectorizer_ : TfidfVectorizer
        Shared vocabularies fitted on texts and targets together, for the cosines.
    """

    def __init__(self, *, lang: str = "auto", lead_terms: int = 40, window: int = 8) -> None:
        self.lang = lang
        self.lead_terms = lead_terms
        self.window = window

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "lang": LANG,
        "lead_terms": [POSITIVE_INT],
        "window": [POSITIVE_INT],
    }

    def _check_params(self) -> None:
        self._validate_params()

    def fit(self, X: Any, y: Any = None) -> PairSimilarity:
        self._check_params()
        texts, targets = as_pairs(X)
        self.analyzer_ = WordAnalyzer(lang=self.lang, ngram_range=(1, 1))
        text_terms, target_terms = self._terms(texts, targets)
        self.word_vectorizer_ = TfidfVectorizer(analyzer=_terms_as_is, sublinear_tf=True)
        self.word_vectorizer_.fit(text_terms + target_terms)
        self.char_vectorizer_ = TfidfVectorizer(
            analyzer="char_wb", preprocessor=normalize_text, ngram_range=(3, 5), sublinear_tf=True
        )
        self.char_vectorizer_.fit(texts + targets)
        self.n_features_in_ = 2
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "word_vectorizer_")
        texts, targets = as_pairs(X)
        out = np.zeros((len(texts), len(_SIMILARITY_NAMES)))
        if not texts:
            return out
        text_terms, target_terms = self._terms(texts, targets)
        out[:, 0] = _row_cosine(
            self.word_vectorizer_.transform(text_terms),
            self.word_vectorizer_.transform(target_terms),
        )
        out[:, 1] = _row_cosine(
            self.char_vectorizer_.transform(texts), self.char_vectorizer_.transform(targets)
        )
        for i, row in enumerate(zip(texts, text_terms, target_terms, strict=True)):
            out[i, 2:] = self._relation(*row)
        return out

    def _terms(self, texts: list[str], targets: list[str]) -> tuple[list, list]:
        """Stemmed terms of each text and target; a target is stemmed in its text's language
        (short targets carry too little evidence to detect their own)."""
        langs = [detect_language(t) if self.lang == "auto" else self.lang for t in texts]
        text_terms = [self.analyzer_.terms(t, lang) for t, lang in zip(texts, langs, strict=True)]
        target_terms = [
            self.analyzer_.terms(t, lang) for t, lang in zip(targets, langs, strict=True)
        ]
        return text_terms, target_terms

    def _relation(self, text: str, text_terms: list[str], target_terms: list[str]) -> list[float]:
        target_terms = set(target_terms)
        tset = set(text_terms)
        coverage = len(target_terms & tset) / len(target_terms) if target_terms else 0.0
        lead = set(text_terms[: self.lead_terms])
        lead_coverage = len(target_terms & lead) / len(target_terms) if target_terms else 0.0
        union = target_terms | tset
        jaccard = len(target_terms & tset) / len(union) if union else 0.0
        tokens = tokenize(text)
        refuting = count_cues(tokens, REFUTING)
        hedging = count_cues(tokens, HEDGING)
        negations = count_cues(tokens, NEGATION)
        # where the target's terms occur in the raw token stream (stems match token prefixes)
        stems = tuple(t for t in target_terms if len(t) >= 3)
        anchors = [j for j, tok in enumerate(tokens) if stems and tok.startswith(stems)]

        def near(positions: list[int]) -> int:
            return sum(any(abs(p - a) <= self.window for a in anchors) for p in positions)

        return [
            coverage,
            lead_coverage,
            jaccard,
            np.log1p(len(refuting)),
            np.log1p(len(hedging)),
            np.log1p(len(negations)),
            np.log1p(near(refuting)),
            np.log1p(near(negations)),
        ]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "word_vectorizer_")
        return np.asarray([f"pair:{n}" for n in _SIMILARITY_NAMES], dtype=object)

    def __sklearn_tags__(self):
        return string_input_tags(super().__sklearn_tags__())


class PairVectorizer(TransformerMixin, BaseEstimator):
    """Stack text n-grams, target n-grams and :class:`PairSimilarity` for stance models.

    Parameters
    ----------
    text_vectorizer : transformer or "drop", default=None
        Features of the text; ``None`` means ``TextVectorizer()``.
    target_vectorizer : transformer or "drop", default=None
        Features of the target; ``None`` means word-only ``TextVectorizer``.
    similarity : transformer or "drop", default=None
        Relation features; ``None`` means ``PairSimilarity()``.
    similarity_weight : float, default=1.0
        Multiplier of the relation block.
    embed : transformer or "drop", default="drop"
        Sentence-embedding block of the pair
        (:class:`~newsclf.features.embed.PairEmbedding`: meaning-level similarity to the
        target, and the text's embedding); ``"drop"`` leaves it out.

    Attributes
    ----------
    text_vectorizer_, target_vectorizer_, similarity_, embed_ : fitted clones (or None when
        dropped)
    """

    def __init__(
        self,
        *,
        text_vectorizer: Any = None,
        target_vectorizer: Any = None,
        similarity: Any = None,
        similarity_weight: float = 1.0,
        embed: Any = "drop",
    ) -> None:
        self.text_vectorizer = text_vectorizer
        self.target_vectorizer = target_vectorizer
        self.similarity = similarity
        self.similarity_weight = similarity_weight
        self.embed = embed

    def _component(self, value: Any, default: Any) -> Any:
        if isinstance(value, str) and value == "drop":
            return None
        return clone(default if value is None else value)

    def fit(self, X: Any, y: Any = None) -> PairVectorizer:
        self._fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: Any = None) -> sp.csr_matrix:
        return self._fit_transform(X)

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "similarity_weight": [Number(0, None, closed="left")],
    }

    def _check_params(self) -> None:
        self._validate_params()

    def _fit_transform(self, X: Any) -> sp.csr_matrix:
        self._check_params()
        texts, targets = as_pairs(X)
        self.text_vectorizer_ = self._component(self.text_vectorizer, TextVectorizer())
        self.target_vectorizer_ = self._component(
            self.target_vectorizer, TextVectorizer(char_ngram_range=None)
        )
        self.similarity_ = self._component(self.similarity, PairSimilarity())
        self.embed_ = None if self.embed is None else self._component(self.embed, None)
        parts = (self.text_vectorizer_, self.target_vectorizer_, self.similarity_, self.embed_)
        if not any(p is not None for p in parts):
            raise ValueError(
                "at least one of text, target, similarity and embed features must be kept"
            )
        out = self._stack(texts, targets, fit=True)
        self.n_features_out_ = out.shape[1]
        return out

    def transform(self, X: Any) -> sp.csr_matrix:
        check_is_fitted(self, "n_features_out_")
        texts, targets = as_pairs(X)
        return self._stack(texts, targets, fit=False)

    def _stack(self, texts: list[str], targets: list[str], *, fit: bool) -> sp.csr_matrix:
        def apply(step: Any, X: Any) -> Any:
            return step.fit_transform(X) if fit else step.transform(X)

        blocks = []
        if self.text_vectorizer_ is not None:
            blocks.append(apply(self.text_vectorizer_, texts))
        if self.target_vectorizer_ is not None:
            blocks.append(apply(self.target_vectorizer_, targets))
        if self.similarity_ is not None:
            pairs = list(zip(texts, targets, strict=True))
            dense = apply(self.similarity_, pairs)
            blocks.append(sp.csr_matrix(dense) * self.similarity_weight)
        if self.embed_ is not None:
            pairs = list(zip(texts, targets, strict=True))
            blocks.append(sp.csr_matrix(apply(self.embed_, pairs)))
        return sp.hstack(blocks, format="csr")

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        names: list[str] = []
        if self.text_vectorizer_ is not None:
            names += [f"text:{n}" for n in self.text_vectorizer_.get_feature_names_out()]
        if self.target_vectorizer_ is not None:
            names += [f"target:{n}" for n in self.target_vectorizer_.get_feature_names_out()]
        if self.similarity_ is not None:
            names += list(self.similarity_.get_feature_names_out())
        if self.embed_ is not None:
            names += list(self.embed_.get_feature_names_out())
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        return string_input_tags(super().__sklearn_tags__())
