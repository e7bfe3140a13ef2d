"""Stateless word and character n-gram features by hashing (``features=hashing``).

The out-of-core path (``experiment=streaming``) cannot hold a vocabulary, so n-grams are
hashed into fixed-size blocks. The text goes through the same steps as in
:class:`~newsclf.features.text.TextVectorizer`:

- word block: :func:`~newsclf.text.normalize.normalize_text`, the tokeniser, stopwords and
  Snowball stems of :class:`~newsclf.text.tokenize.WordAnalyzer` (same n-grams, pinned by a
  test);
- char block: the n-grams of scikit-learn's ``analyzer="char_wb"`` over the normalised text
  (same multiset of n-grams, pinned by a test).

This is what scikit-learn's ``HashingVectorizer(analyzer=...)`` with those analyzers computes,
but without one Python string and one murmurhash call per n-gram
(``HashingVectorizer(analyzer="char_wb")`` builds ~3,000 strings per demo article): the raw
whitespace-separated words of a batch of texts are found and hashed in numpy, each distinct
raw word is normalised and analysed (terms, stems, char n-grams, their columns) once per
process and cached (:mod:`newsclf.features._word_table`), and a batch becomes gathers of its
words' cached columns plus its word n-grams, counted per document by one sort. Speed and its
limits: experiments/RESULTS.md, "Scaling (issue 6)".

Each block is ``log(1 + count)`` (``sublinear_tf``) and L2-normalised, like the TF-IDF path
without IDF (which would need a pass over the corpus).
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from newsclf.features._validation import (
    TEXT_NGRAM_CONSTRAINTS,
    as_texts,
    check_text_ngram_params,
    string_input_tags,
)
from newsclf.features._word_table import _BASE, _MIX, SEPARATOR, WordTable, word_table
from newsclf.text.lang import SUPPORTED_LANGUAGES
from newsclf.text.normalize import is_control_char
from newsclf.utils.constraints import Int

__all__ = ["HashingTextVectorizer"]

_SEP_CP = ord(SEPARATOR)
_BATCH = 1024  # texts hashed together (arrays of ~1M codepoints: cache-sized)


def _space_table() -> np.ndarray:
    """Word breaks by codepoint: what normalize_text turns into (collapsed) spaces (none above
    U+3000) and the text separator; every codepoint above it is looked up as its last entry."""
    table = np.zeros(_SEP_CP + 2, dtype=bool)
    for cp in range(0x3001):
        ch = chr(cp)
        if ch.isspace() or is_control_char(ch):
            table[cp] = True
    table[_SEP_CP] = True
    return table


_SPACE_TABLE = _space_table()


def _column(hashes: np.ndarray, salt: int, n_features: int) -> np.ndarray:
    """Mix 64-bit hashes and reduce them to ``[0, n_features)`` (multiply-shift)."""
    mixed = (hashes ^ np.uint64(salt)) * _MIX
    mixed ^= mixed >> np.uint64(29)
    mixed *= _BASE
    return ((mixed >> np.uint64(32)) * np.uint64(n_features)) >> np.uint64(32)


def _batch_words(batch: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Codepoints of the batch, and ``(start, end, text index)`` of each *raw* word in them.

    A raw word is a maximal run of codepoints that are neither whitespace (``str.isspace``,
    what the regex ``\\s`` matches) nor a control character nor the text separator, in the
    text as given. :func:`normalize_text` acts on each raw word on its own (NFKC, folding and
    lowercasing do not reach across whitespace; NFKC may split a word, e.g. at U+00B4), so
    the word table normalises each distinct raw word once instead of every batch being
    normalised whole (that was ~8 of ~40 µs per demo article).
    """
    big = SEPARATOR.join(batch)
    if big.count(SEPARATOR) != len(batch) - 1:  # a text holds the separator: it becomes a space
        big = SEPARATOR.join(t.replace(SEPARATOR, " ") for t in batch)
    cps = np.frombuffer(big.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    blank = np.ones(len(cps) + 2, dtype=np.int8)
    blank[1:-1] = _SPACE_TABLE[np.minimum(cps, _SEP_CP + 1)]
    edges = np.diff(blank)
    starts, ends = np.flatnonzero(edges == -1), np.flatnonzero(edges == 1)
    # words before each separator -> words per text -> text index of each word
    before = np.searchsorted(starts, np.flatnonzero(cps == _SEP_CP))
    per_text = np.diff(before, prepend=0, append=len(starts))
    return cps, starts, ends, np.repeat(np.arange(len(batch)), per_text)


def _ngram_columns(
    hashes: np.ndarray,
    powers: np.ndarray,
    doc: np.ndarray,
    ngram_range: tuple[int, int],
    n_features: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(document, column) of each word n-gram with n >= 2 (terms in document order).

    An n-gram hashes as its space-joined terms: ``h("a b") = (h(a) * B + " ") * B^len(b) + h(b)``.
    """
    low, high = ngram_range
    rows_out, cols_out = [np.zeros(0, dtype=np.int64)], [np.zeros(0, dtype=np.int64)]
    gram = hashes
    for n in range(2, high + 1):
        m = len(hashes) - n + 1
        if m <= 0:
            break
        gram = (gram[:m] * _BASE + np.uint64(32)) * powers[n - 1 :] + hashes[n - 1 :]
        if n >= low:
            same = doc[:m] == doc[n - 1 : n - 1 + m]
            rows_out.append(doc[:m][same])
            cols_out.append(_column(gram[same], 0, n_features).astype(np.int64))
    return np.concatenate(rows_out), np.concatenate(cols_out)


def _row_sums(values: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    counts = np.diff(indptr)
    sums = np.zeros(len(counts))
    nonempty = counts > 0
    if len(values):
        sums[nonempty] = np.add.reduceat(values, indptr[:-1][nonempty], dtype=np.float64)
    return sums


def _inverse_norms(squares: np.ndarray, indptr: np.ndarray, weight: float) -> np.ndarray:
    norms = np.sqrt(_row_sums(squares, indptr))
    return weight / np.where(norms > 0, norms, 1.0)


def _count_keys(
    keys: np.ndarray, n: int, bits: int, dtype: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """CSR ``(counts, columns, indptr)`` of ``n`` rows from ``row << bits | column`` keys.

    One sort (numpy's vectorised sort of 32-bit keys) counts the repeats; it beats summing
    cached sparse rows with a scipy product (which touches a dense row-wide buffer twice).
    """
    keys.sort()
    new = np.empty(len(keys), dtype=bool)
    new[:1] = True
    np.not_equal(keys[1:], keys[:-1], out=new[1:])
    first = np.flatnonzero(new)
    counts = np.diff(first, append=len(keys)).astype(dtype)
    unique = keys[first]
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(
        np.bincount((unique >> keys.dtype.type(bits)).astype(np.int64), minlength=n), out=indptr[1:]
    )
    columns = (unique & keys.dtype.type((1 << bits) - 1)).astype(np.int32)
    return counts, columns, indptr


def _char_wb_columns(
    joined: np.ndarray, ngram_range: tuple[int, int], n_features: int
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every ``char_wb`` n-gram of normalised texts joined by ``SEPARATOR``.

    The n-grams are those of scikit-learn's ``char_wb`` analyzer: each word padded with one
    space on either side, every window of each size inside it, and a word too short for the
    smallest size counted once whole. A window's hash depends only on its characters.
    """
    low, high = ngram_range
    cps = np.empty(len(joined) + 2, dtype=np.uint64)
    cps[0] = cps[-1] = 32
    cps[1:-1] = joined
    is_sep = cps == _SEP_CP
    boundary = is_sep | (cps == 32)
    doc = np.cumsum(is_sep).astype(np.uint64)
    cps[is_sep] = 32
    size = len(cps)
    # hashes of all windows of size 1..high, incrementally: h_n[i] = h_{n-1}[i] * B + c[i+n-1]
    hashes = [cps]
    for n in range(2, high + 1):
        hashes.append(hashes[-1][: max(size - n + 1, 0)] * _BASE + cps[n - 1 :])
    rows_out, cols_out = [], []
    inner = ~boundary
    for n in range(max(low, 2), high + 1):
        count = size - n + 1
        if count <= 0:
            break
        valid = np.ones(count, dtype=bool)  # no boundary at positions 1..n-2 of the window
        for k in range(1, n - 1):
            valid &= inner[k : k + count]
        if n == 2:  # two boundaries in a row (an empty text) make no n-gram
            valid &= ~(boundary[:count] & boundary[1 : 1 + count])
        starts = np.flatnonzero(valid)
        rows_out.append(np.where(boundary[starts], doc[starts + 1], doc[starts]))
        cols_out.append(_column(hashes[n - 1][starts], n, n_features))
    if low > 3:  # words shorter than the smallest size: the whole padded word, once
        word_start = np.flatnonzero(boundary[:-1] & inner[1:])
        word_end = np.flatnonzero(inner[:-1] & boundary[1:]) + 1
        padded = word_end - word_start + 1
        for length in range(3, low):
            starts = word_start[padded == length]
            if len(starts):
                rows_out.append(doc[starts + 1])
                cols_out.append(_column(hashes[length - 1][starts], length, n_features))
    if not rows_out:
        empty = np.zeros(0, dtype=np.uint64)
        return empty, empty
    return np.concatenate(rows_out), np.concatenate(cols_out)


class HashingTextVectorizer(TransformerMixin, BaseEstimator):
    """Hashed stemmed word n-grams stacked with hashed character n-grams; needs no fitting.

    Parameters
    ----------
    lang : {"auto", "hu", "en"}, default="auto"
        Language for stemming and stopwords; ``"auto"`` detects it per document.
    word_ngram_range : pair of int or None, default=(1, 2)
        Word n-gram sizes; ``None`` leaves word features out.
    char_ngram_range : pair of int or None, default=(3, 5)
        Character n-gram sizes inside word boundaries (``char_wb``, min >= 2); ``None`` leaves
        them out.
    stem, stopwords : bool, default=True
        Snowball-stem words / drop stopwords before building word n-grams.
    n_features : int, default=262144
        Columns of each block (word, char); collisions grow as it shrinks.
    sublinear_tf : bool, default=True
        Use ``log(1 + count)`` instead of the count.
    char_weight : float, default=1.0
        Multiplier of the character block relative to the word block.
    dtype : {"float64", "float32"}, default="float64"
        Type of the output values; float32 halves the memory traffic, and scikit-learn's SGD
        models then learn float32 weights.

    Attributes
    ----------
    n_features_out_ : int
        ``n_features`` times the number of blocks.
    """

    def __init__(
        self,
        *,
        lang: str = "auto",
        word_ngram_range: tuple[int, int] | None = (1, 2),
        char_ngram_range: tuple[int, int] | None = (3, 5),
        stem: bool = True,
        stopwords: bool = True,
        n_features: int = 2**18,
        sublinear_tf: bool = True,
        char_weight: float = 1.0,
        dtype: str = "float64",
    ) -> None:
        self.lang = lang
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.stem = stem
        self.stopwords = stopwords
        self.n_features = n_features
        self.sublinear_tf = sublinear_tf
        self.char_weight = char_weight
        self.dtype = dtype

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **TEXT_NGRAM_CONSTRAINTS,
        "n_features": [Int(2, 2**31, closed="left")],
        "dtype": [str, type, np.dtype],
    }

    def _check_params(self) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        self._validate_params()
        word, char = check_text_ngram_params(self.word_ngram_range, self.char_ngram_range)
        if char is not None and char[0] < 2:
            raise ValueError(f"char_ngram_range must start at 2 or more, got {char!r}")
        try:
            dtype = np.dtype(self.dtype)
        except TypeError:
            dtype = None
        if dtype not in (np.float32, np.float64):
            raise ValueError(f"dtype must be 'float32' or 'float64', got {self.dtype!r}")
        return word, char

    def fit(self, X: Any, y: Any = None) -> HashingTextVectorizer:
        """Check the parameters (nothing is learned: the features are hashed)."""
        word, char = self._check_params()
        as_texts(X)
        self.n_features_out_ = int(self.n_features) * ((word is not None) + (char is not None))
        return self

    def transform(self, X: Any) -> sp.csr_matrix:
        """Hashed features of texts ``X``: word block first, then the character block."""
        check_is_fitted(self, "n_features_out_")
        word, char = self._check_params()
        texts = as_texts(X)
        table = self._table(word, char)
        data, indices, indptr = [], [], [np.zeros(1, dtype=np.int64)]
        with table.lock:
            for start in range(0, len(texts), _BATCH):
                table.check_size()
                block = self._batch(texts[start : start + _BATCH], table, word, char)
                data.append(block[0])
                indices.append(block[1])
                indptr.append(block[2][1:] + indptr[-1][-1])
        return sp.csr_matrix(
            (
                np.concatenate(data) if data else np.zeros(0),
                np.concatenate(indices).astype(np.int32) if indices else np.zeros(0, np.int32),
                np.concatenate(indptr),
            ),
            shape=(len(texts), self.n_features_out_),
        )

    def _table(self, word: tuple[int, int] | None, char: tuple[int, int] | None) -> WordTable:
        n_features = int(self.n_features)

        def unigram_columns(hashes: np.ndarray) -> np.ndarray:
            return _column(hashes, 0, n_features).astype(np.int64)

        def char_columns(words: list[str]) -> tuple[np.ndarray, np.ndarray] | None:
            if char is None:
                return None
            cps = np.frombuffer(SEPARATOR.join(words).encode("utf-32-le"), dtype=np.uint32)
            rows, cols = _char_wb_columns(cps, char, n_features)
            order = np.argsort(rows, kind="stable")
            counts = np.bincount(rows.astype(np.int64), minlength=len(words))
            return counts, cols[order].astype(np.int64) + n_features * (word is not None)

        key = (bool(self.stem), bool(self.stopwords), word, char, n_features)
        return word_table(
            key,
            lambda: WordTable(
                stem_words=bool(self.stem),
                stopwords=bool(self.stopwords),
                unigram_columns=unigram_columns,
                char_columns=char_columns,
            ),
        )

    def _batch(
        self,
        batch: list[str],
        table: WordTable,
        word: tuple[int, int] | None,
        char: tuple[int, int] | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """CSR ``(data, indices, indptr)`` of one batch: each block (log) tf, L2, weighted.

        Steps kept apart so that experiments/bench_scale.py can time each.
        """
        cps, starts, ends, doc = _batch_words(batch)
        wid = table.word_ids_of_codepoints(cps, starts, ends)
        keys = self._keys(wid, doc, len(batch), table, word, char)
        return self._weighted(*_count_keys(keys, len(batch), self._key_bits(), self.dtype), char)

    def _key_bits(self) -> int:
        return max(int(self.n_features_out_) - 1, 1).bit_length()

    def _keys(
        self,
        wid: np.ndarray,
        doc: np.ndarray,
        n: int,
        table: WordTable,
        word: tuple[int, int] | None,
        char: tuple[int, int] | None,
    ) -> np.ndarray:
        """``document << bits | column`` of every n-gram occurrence of the batch."""
        if self.lang == "auto":
            first = np.searchsorted(doc, np.arange(n))
            lang = table.languages(wid, doc, first, n)[doc]
        else:
            lang = np.full(len(wid), SUPPORTED_LANGUAGES.index(self.lang))
        rows = table.feature_rows(wid, lang)
        bits = self._key_bits()
        key_type = np.uint32 if n << bits < 2**32 else np.uint64
        shift = key_type(bits)
        keys = []
        if word is not None:
            hashes, powers, columns, owner = table.terms_of_rows(rows)
            term_doc = doc[owner]
            if word[0] == 1:
                keys.append(term_doc.astype(key_type) << shift | columns.astype(key_type))
            if word[1] >= 2:
                gram_doc, gram_col = _ngram_columns(
                    hashes, powers, term_doc, word, int(self.n_features)
                )
                keys.append(gram_doc.astype(key_type) << shift | gram_col.astype(key_type))
        if char is not None:
            columns, owner = table.chars_of_rows(rows)
            keys.append(doc[owner].astype(key_type) << shift | columns.astype(key_type))
        return np.concatenate(keys) if keys else np.zeros(0, dtype=key_type)

    def _weighted(
        self,
        values: np.ndarray,
        indices: np.ndarray,
        indptr: np.ndarray,
        char: tuple[int, int] | None,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Counts -> (log) tf, each block L2-normalised, the char block weighted (in place)."""
        n, n_features = len(indptr) - 1, int(self.n_features)
        dtype = np.dtype(self.dtype)
        if self.sublinear_tf:
            np.log1p(values, out=values)
        squares = values * values
        per_row = np.diff(indptr)
        if self.word_ngram_range is not None and char is not None:
            is_char = indices >= n_features
            all_sums = _row_sums(squares, indptr)
            squares *= is_char
            char_sums = _row_sums(squares, indptr)
            word_sums = np.maximum(all_sums - char_sums, 0)
            word_scale = _inverse_norms(word_sums, np.arange(n + 1), 1.0)
            char_scale = _inverse_norms(char_sums, np.arange(n + 1), float(self.char_weight))
            scale = np.repeat(word_scale.astype(dtype), per_row)
            np.copyto(scale, np.repeat(char_scale.astype(dtype), per_row), where=is_char)
        else:
            weight = 1.0 if char is None else float(self.char_weight)
            scale = np.repeat(_inverse_norms(squares, indptr, weight).astype(dtype), per_row)
        values *= scale
        return values, indices, indptr

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        word, char = self._check_params()
        names: list[str] = []
        for prefix, used in (("word", word), ("char", char)):
            if used is not None:
                names += [f"{prefix}:hash{i}" for i in range(int(self.n_features))]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        return string_input_tags(super().__sklearn_tags__())
