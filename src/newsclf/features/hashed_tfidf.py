"""Hashed word n-gram TF-IDF: no vocabulary, so it fits and predicts fast on large corpora.

For the speed-first topic configs (``features=hashed_tfidf``, ``experiment=20ng_fast``): tokens go
straight from scikit-learn's compiled regex to a murmur hash, with none of the per-token
Python work (language detection, stemming, vocabulary look-ups) of
:class:`~newsclf.features.text.TextVectorizer`.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.utils.validation import check_is_fitted

from newsclf.features._validation import as_texts, check_ngram_range, string_input_tags
from newsclf.utils.constraints import NGRAM_RANGE, Int, StrOptions

__all__ = ["HashedTfidfVectorizer"]


class HashedTfidfVectorizer(TransformerMixin, BaseEstimator):
    """Word n-gram counts hashed into ``n_features`` columns, then TF-IDF weighted.

    Parameters
    ----------
    n_features : int, default=2**20
        Number of hash buckets (columns); collisions grow as it shrinks.
    ngram_range : pair of int, default=(1, 2)
        Word n-gram sizes.
    lowercase : bool, default=True
        Lowercase before tokenising.
    token_pattern : str, default=r"(?u)\\b\\w\\w+\\b"
        Regular expression of a token, as in scikit-learn's vectorisers.
    sublinear_tf : bool, default=True
        Use ``1 + log(tf)`` instead of raw counts.
    norm : {"l2", "l1"} or None, default="l2"
        Row normalisation of the output.

    Attributes
    ----------
    hasher_ : HashingVectorizer
        The (stateless) hasher that produces raw counts.
    tfidf_ : TfidfTransformer
        The fitted IDF weights.
    n_features_out_ : int

    See Also
    --------
    TextVectorizer : stemmed word + character n-grams with a real vocabulary (slower, readable
        feature names for ``explain``).
    """

    def __init__(
        self,
        *,
        n_features: int = 2**20,
        ngram_range: tuple[int, int] = (1, 2),
        lowercase: bool = True,
        token_pattern: str = r"(?u)\b\w\w+\b",
        sublinear_tf: bool = True,
        norm: str | None = "l2",
    ) -> None:
        self.n_features = n_features
        self.ngram_range = ngram_range
        self.lowercase = lowercase
        self.token_pattern = token_pattern
        self.sublinear_tf = sublinear_tf
        self.norm = norm

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "n_features": [Int(1, 2**31 - 1)],
        "ngram_range": NGRAM_RANGE,
        "lowercase": ["boolean"],
        "token_pattern": [str],
        "sublinear_tf": ["boolean"],
        "norm": [StrOptions({"l1", "l2"}), None],
    }

    def _check_params(self) -> tuple[int, int]:
        self._validate_params()
        if not self.token_pattern:
            raise ValueError("token_pattern must be a non-empty string, got ''")
        return check_ngram_range("ngram_range", self.ngram_range)

    def _hasher(self, ngram: tuple[int, int]) -> HashingVectorizer:
        return HashingVectorizer(
            n_features=int(self.n_features),
            ngram_range=ngram,
            lowercase=bool(self.lowercase),
            token_pattern=self.token_pattern,
            alternate_sign=False,
            norm=None,
            dtype=np.float64,
        )

    def fit(self, X: Any, y: Any = None) -> HashedTfidfVectorizer:
        """Learn the IDF weights of the hashed n-grams of texts ``X``."""
        self._fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: Any = None) -> sp.csr_matrix:
        return self._fit_transform(X)

    def _fit_transform(self, X: Any) -> sp.csr_matrix:
        ngram = self._check_params()
        texts = as_texts(X)
        self.hasher_ = self._hasher(ngram)
        self.tfidf_ = TfidfTransformer(norm=self.norm, sublinear_tf=self.sublinear_tf)
        out = self.tfidf_.fit_transform(self.hasher_.transform(texts))
        self.n_features_out_ = out.shape[1]
        return out.tocsr()

    def transform(self, X: Any) -> sp.csr_matrix:
        """Hashed TF-IDF features of texts ``X``."""
        check_is_fitted(self, "n_features_out_")
        return self.tfidf_.transform(self.hasher_.transform(as_texts(X))).tocsr()

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``hash:<bucket>`` for every column (hashing keeps no n-gram strings)."""
        check_is_fitted(self, "n_features_out_")
        return np.asarray([f"hash:{i}" for i in range(self.n_features_out_)], dtype=object)

    def __sklearn_tags__(self):
        return string_input_tags(super().__sklearn_tags__())
