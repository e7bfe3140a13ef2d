"""Word + character n-gram TF-IDF of news / mail posts, with a thread (subject) block.

For the accuracy-first 20 Newsgroups config (``features=news_posts``, ``experiment=20ng``).
A post may start with a header block ("From: ...", "Subject: ...", one field a line, ended by the
first blank line). :class:`NewsPostVectorizer`

- drops the header fields named in ``drop_headers`` (noise such as ``Lines:``) from the text,
- builds word n-gram TF-IDF (a real vocabulary) and hashed character n-gram TF-IDF of the rest,
- and appends a *thread block*: the post's subject with its ``Re:`` prefixes removed, hashed into
  ``thread_n_features`` columns (one 1.0 per post that has a subject).

The thread block is always the **last** ``thread_n_features`` columns, so a classifier can treat
it apart (:class:`~newsclf.models.thread_blend.ThreadBlendClassifier` uses it as a
nearest-thread prior instead of a learned weight). Posts without a header simply have an empty
thread row.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer, TfidfVectorizer
from sklearn.utils import murmurhash3_32
from sklearn.utils.validation import check_is_fitted

from newsclf.features._validation import as_texts, check_ngram_range, string_input_tags
from newsclf.utils.constraints import NGRAM_RANGE, POSITIVE, Int

__all__ = ["NewsPostVectorizer", "split_header", "thread_key"]

_FIELD = re.compile(r"^([A-Za-z][\w.-]*):")
_REPLY = re.compile(r"^\s*((re|fwd?|aw)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def split_header(text: str) -> tuple[list[str], str]:
    """(header lines, body) of a post; no header when the first line is not a ``Field:`` line."""
    head, sep, body = text.partition("\n\n")
    lines = head.split("\n")
    if not sep or not _FIELD.match(lines[0]):
        return [], text
    return lines, body


def thread_key(text: str) -> str:
    """The post's subject, lowercased, ``Re:`` prefixes and extra spaces removed ("" if none)."""
    for line in split_header(text)[0]:
        match = _FIELD.match(line)
        if match and match.group(1).lower() == "subject":
            subject = _REPLY.sub("", line[match.end() :])
            return _SPACE.sub(" ", subject).strip().lower()
    return ""


def _drop_fields(text: str, drop: frozenset[str]) -> str:
    lines, body = split_header(text)
    if not lines or not drop:
        return text
    kept, skipping = [], False
    for line in lines:
        match = _FIELD.match(line)
        if match:
            skipping = match.group(1).lower() in drop
        if not skipping:  # a continuation line follows its field
            kept.append(line)
    return "\n".join(kept) + "\n\n" + body


class NewsPostVectorizer(TransformerMixin, BaseEstimator):
    """Word n-gram TF-IDF + hashed char n-gram TF-IDF + a hashed subject-thread block.

    Parameters
    ----------
    word_ngram_range : pair of int, default=(1, 2)
        Word n-gram sizes (scikit-learn's tokens, lowercased, real vocabulary).
    char_ngram_range : pair of int or None, default=(3, 5)
        Character n-gram sizes (``char_wb``: inside word boundaries); ``None`` drops the block.
    char_n_features : int, default=2**20
        Hash buckets of the character block.
    char_weight : float, default=1.0
        Multiplies the (l2-normalised) character block.
    sublinear_tf : bool, default=True
        ``1 + log(tf)`` in both TF-IDF blocks.
    drop_headers : sequence of str, default=()
        Header field names (case-insensitive, e.g. ``"lines"``) removed from the text before
        the n-gram blocks; the body and the other fields are kept.
    thread_n_features : int, default=2**18
        Hash buckets of the subject-thread block (the last columns); 0 drops it.

    Attributes
    ----------
    word_ : TfidfVectorizer
    char_hasher_ : HashingVectorizer or None
    char_tfidf_ : TfidfTransformer or None
    n_features_out_ : int

    See Also
    --------
    HashedTfidfVectorizer : hashed word n-grams only (the speed-first ``20ng_fast`` features).
    ThreadBlendClassifier : the classifier that reads the thread block.
    """

    def __init__(
        self,
        *,
        word_ngram_range: tuple[int, int] = (1, 2),
        char_ngram_range: tuple[int, int] | None = (3, 5),
        char_n_features: int = 2**20,
        char_weight: float = 1.0,
        sublinear_tf: bool = True,
        drop_headers: tuple[str, ...] = (),
        thread_n_features: int = 2**18,
    ) -> None:
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.char_n_features = char_n_features
        self.char_weight = char_weight
        self.sublinear_tf = sublinear_tf
        self.drop_headers = drop_headers
        self.thread_n_features = thread_n_features

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "word_ngram_range": NGRAM_RANGE,
        "char_ngram_range": [*NGRAM_RANGE, None],
        "char_n_features": [Int(1, 2**31 - 1)],
        "char_weight": [POSITIVE],
        "sublinear_tf": ["boolean"],
        "drop_headers": [tuple, list],
        "thread_n_features": [Int(0, 2**31 - 1)],
    }

    def _check_params(self) -> None:
        self._validate_params()
        check_ngram_range("word_ngram_range", self.word_ngram_range)
        check_ngram_range("char_ngram_range", self.char_ngram_range)
        if not all(isinstance(h, str) for h in self.drop_headers):
            raise ValueError(
                f"drop_headers must be a list of header names, got {self.drop_headers!r}"
            )

    def _texts(self, X: Any) -> list[str]:
        texts = as_texts(X)
        drop = frozenset(h.lower() for h in self.drop_headers)
        return [_drop_fields(t, drop) for t in texts] if drop else texts

    def _thread_block(self, raw: list[str]) -> sp.csr_matrix:
        n = int(self.thread_n_features)
        rows, cols = [], []
        for i, text in enumerate(raw):
            key = thread_key(text)
            if key:
                rows.append(i)
                cols.append(murmurhash3_32(key, seed=0, positive=True) % n)
        data = np.ones(len(rows), dtype=np.float64)
        return sp.csr_matrix((data, (rows, cols)), shape=(len(raw), n))

    def _blocks(self, raw: list[str], texts: list[str], fit: bool) -> sp.csr_matrix:
        word = self.word_.fit_transform(texts) if fit else self.word_.transform(texts)
        blocks = [word]
        if self.char_hasher_ is not None:
            counts = self.char_hasher_.transform(texts)
            char = (
                self.char_tfidf_.fit_transform(counts)
                if fit
                else self.char_tfidf_.transform(counts)
            )
            blocks.append(float(self.char_weight) * char)
        if int(self.thread_n_features) > 0:
            blocks.append(self._thread_block(raw))
        return sp.hstack(blocks, format="csr", dtype=np.float64)

    def fit(self, X: Any, y: Any = None) -> NewsPostVectorizer:
        """Learn the word vocabulary and both IDF weightings from texts ``X``."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: Any = None) -> sp.csr_matrix:
        self._check_params()
        raw = as_texts(X)
        texts = self._texts(raw)
        self.word_ = TfidfVectorizer(
            ngram_range=tuple(int(v) for v in self.word_ngram_range),
            sublinear_tf=bool(self.sublinear_tf),
            dtype=np.float64,
        )
        char = check_ngram_range("char_ngram_range", self.char_ngram_range)
        self.char_hasher_ = (
            None
            if char is None
            else HashingVectorizer(
                analyzer="char_wb",
                ngram_range=char,
                n_features=int(self.char_n_features),
                alternate_sign=False,
                norm=None,
                dtype=np.float64,
            )
        )
        self.char_tfidf_ = (
            None if char is None else TfidfTransformer(sublinear_tf=bool(self.sublinear_tf))
        )
        out = self._blocks(raw, texts, fit=True)
        self.n_features_out_ = out.shape[1]
        return out

    def transform(self, X: Any) -> sp.csr_matrix:
        """The word, character and thread blocks of texts ``X`` side by side."""
        check_is_fitted(self, "n_features_out_")
        raw = as_texts(X)
        return self._blocks(raw, self._texts(raw), fit=False)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """``word:<n-gram>``, then ``char:hash:<bucket>``, then ``thread:hash:<bucket>``."""
        check_is_fitted(self, "n_features_out_")
        names = [f"word:{n}" for n in self.word_.get_feature_names_out()]
        if self.char_hasher_ is not None:
            names += [f"char:hash:{i}" for i in range(int(self.char_n_features))]
        names += [f"thread:hash:{i}" for i in range(int(self.thread_n_features))]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        return string_input_tags(super().__sklearn_tags__())
