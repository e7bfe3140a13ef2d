"""Word and character n-gram TF-IDF in one transformer.

Word n-grams are stemmed per language (Hungarian morphology would otherwise scatter one word
over dozens of features); character n-grams inside word boundaries catch what stemming misses
(compounds, names, misspellings).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from newsclf.features._validation import (
    TEXT_NGRAM_CONSTRAINTS,
    as_texts,
    check_text_ngram_params,
    string_input_tags,
)
from newsclf.text.normalize import normalize_text
from newsclf.text.tokenize import WordAnalyzer
from newsclf.utils.constraints import DOC_FREQUENCY, MAX_FEATURES

__all__ = ["TextVectorizer"]


class TextVectorizer(TransformerMixin, BaseEstimator):
    """Stemmed word n-gram TF-IDF stacked with character n-gram TF-IDF.

    Parameters
    ----------
    lang : {"auto", "hu", "en"}, default="auto"
        Language for stemming and stopwords; ``"auto"`` detects it per document.
    word_ngram_range : pair of int or None, default=(1, 2)
        Word n-gram sizes; ``None`` leaves word features out.
    char_ngram_range : pair of int or None, default=(2, 5)
        Character n-gram sizes (inside word boundaries); ``None`` leaves them out.
    stem, stopwords : bool, default=True
        Snowball-stem words / drop stopwords before building word n-grams.
    min_df, max_df, max_features, sublinear_tf :
        As in :class:`~sklearn.feature_extraction.text.TfidfVectorizer`, for the word part.
    char_min_df, char_max_features :
        The same for the character part.
    char_weight : float, default=1.0
        Multiplier of the character block relative to the word block.

    Attributes
    ----------
    word_vectorizer_, char_vectorizer_ : TfidfVectorizer or None
        The fitted parts.
    n_features_out_ : int

    Examples
    --------
    >>> docs = ["The central bank raised interest rates.", "The striker scored twice."]
    >>> vec = TextVectorizer(lang="en", char_ngram_range=None).fit(docs)
    >>> vec.transform(docs).shape
    (2, 12)
    >>> [str(n) for n in vec.get_feature_names_out()[:3]]
    ['word:bank', 'word:bank rais', 'word:central']
    """

    def __init__(
        self,
        *,
        lang: str = "auto",
        word_ngram_range: tuple[int, int] | None = (1, 2),
        char_ngram_range: tuple[int, int] | None = (2, 5),
        stem: bool = True,
        stopwords: bool = True,
        min_df: int | float = 1,
        max_df: int | float = 1.0,
        max_features: int | None = None,
        sublinear_tf: bool = True,
        char_min_df: int | float = 1,
        char_max_features: int | None = None,
        char_weight: float = 1.0,
    ) -> None:
        self.lang = lang
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.stem = stem
        self.stopwords = stopwords
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.char_min_df = char_min_df
        self.char_max_features = char_max_features
        self.char_weight = char_weight

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **TEXT_NGRAM_CONSTRAINTS,
        "min_df": DOC_FREQUENCY,
        "max_df": DOC_FREQUENCY,
        "max_features": MAX_FEATURES,
        "char_min_df": DOC_FREQUENCY,
        "char_max_features": MAX_FEATURES,
    }

    def _check_params(self) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        self._validate_params()
        return check_text_ngram_params(self.word_ngram_range, self.char_ngram_range)

    def fit(self, X: Any, y: Any = None) -> TextVectorizer:
        """Learn the word and character vocabularies and IDF weights from texts ``X``."""
        self._fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: Any = None) -> sp.csr_matrix:
        return self._fit_transform(X)

    def _fit_transform(self, X: Any) -> sp.csr_matrix:
        word, char = self._check_params()
        texts = as_texts(X)
        self.word_vectorizer_ = None
        self.char_vectorizer_ = None
        if word is not None:
            self.word_vectorizer_ = TfidfVectorizer(
                analyzer=WordAnalyzer(
                    lang=self.lang, ngram_range=word, stem=self.stem, stopwords=self.stopwords
                ),
                min_df=self.min_df,
                max_df=self.max_df,
                max_features=self.max_features,
                sublinear_tf=self.sublinear_tf,
                dtype=np.float64,
            )
        if char is not None:
            self.char_vectorizer_ = TfidfVectorizer(
                analyzer="char_wb",
                preprocessor=normalize_text,
                ngram_range=char,
                min_df=self.char_min_df,
                max_features=self.char_max_features,
                sublinear_tf=self.sublinear_tf,
                dtype=np.float64,
            )
        out = self._stack(texts, fit=True)
        self.n_features_out_ = out.shape[1]
        return out

    def transform(self, X: Any) -> sp.csr_matrix:
        """TF-IDF features of texts ``X``: word block first, then the character block."""
        check_is_fitted(self, "n_features_out_")
        return self._stack(as_texts(X), fit=False)

    def _stack(self, texts: list[str], *, fit: bool) -> sp.csr_matrix:
        blocks = []
        for vectorizer, weight in (
            (self.word_vectorizer_, 1.0),
            (self.char_vectorizer_, self.char_weight),
        ):
            if vectorizer is not None:
                X = vectorizer.fit_transform(texts) if fit else vectorizer.transform(texts)
                blocks.append(X * weight if weight != 1.0 else X)
        return sp.hstack(blocks, format="csr")

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        names: list[str] = []
        if self.word_vectorizer_ is not None:
            names += [f"word:{n}" for n in self.word_vectorizer_.get_feature_names_out()]
        if self.char_vectorizer_ is not None:
            names += [f"char:{n}" for n in self.char_vectorizer_.get_feature_names_out()]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        return string_input_tags(super().__sklearn_tags__())
