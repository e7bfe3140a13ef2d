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
but the n-grams are hashed in numpy over a batch of texts at once (a 64-bit polynomial hash,
mixed and reduced to ``n_features``) instead of one Python string and one murmurhash call per
n-gram: ``HashingVectorizer(analyzer="char_wb")`` builds ~3,000 strings per demo article and
was measured ~50x slower (experiments/RESULTS.md, "Scaling (issue 6)").

Each block is ``log(1 + count)`` (``sublinear_tf``) and L2-normalised, like the TF-IDF path
without IDF (which would need a pass over the corpus).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from newsclf.features._validation import as_texts, check_text_ngram_params, string_input_tags
from newsclf.text.lang import SUPPORTED_LANGUAGES
from newsclf.text.normalize import _CONTROL, _TRANSLATE, normalize_text
from newsclf.text.stopwords import STOPWORDS
from newsclf.text.tokenize import _TOKEN, stem

__all__ = ["HashingTextVectorizer", "normalize_batch"]

# 64-bit polynomial base (odd, so invertible mod 2**64) and mixing constant
_BASE = np.uint64(0x9E3779B97F4A7C15)
_BASE_INV = np.uint64(pow(0x9E3779B97F4A7C15, -1, 2**64))
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_SEP = "\ue000"  # joins a batch of texts: a private-use character no normalisation step changes
_SEP_CP = 0xE000
_TERM_SEP = "\x01"  # joins terms; normalised text has no control characters
_TRANSLATE_PAIRS = tuple((chr(k), v) for k, v in _TRANSLATE.items())
_BATCH = 256  # texts normalised and hashed together (keeps the numpy arrays in cache)
_CACHE_LIMIT = 200_000  # words whose terms are cached, per language and transform call
_HU_LETTERS = re.compile(r"[őűŐŰáéíóöúüÁÉÍÓÖÚÜ]")
_WORD = re.compile(r"\w+")
_STRIP = ".,;:!?\"'()[]{}<>«»-/\\*%&+=#@$§|~^`"


def _space_table() -> np.ndarray:
    """Codepoints below 0x3001 that normalize_text turns into (collapsed) spaces."""
    table = np.zeros(0x3002, dtype=bool)
    for cp in range(0x3001):
        ch = chr(cp)
        if ch.isspace() or _CONTROL.fullmatch(ch):
            table[cp] = True
    return table


_SPACE_TABLE = _space_table()


def _normalized_codepoints(texts: list[str]) -> np.ndarray | None:
    """Codepoints of the normalised texts joined by ``_SEP``, or None if a text holds _SEP.

    Same steps as :func:`normalize_text` on the whole batch: NFKC, the translation table,
    lowercase, then controls and whitespace runs become one space and each text is stripped.
    Lowercasing first is equivalent: it neither makes nor removes spaces and controls.
    """
    big = _SEP.join(texts)
    if big.count(_SEP) != len(texts) - 1:
        return None
    big = unicodedata.normalize("NFKC", big)
    for old, new in _TRANSLATE_PAIRS:
        if old in big:
            big = big.replace(old, new)
    cps = np.frombuffer(big.lower().encode("utf-32-le"), dtype=np.uint32)
    if not len(cps):
        return cps
    space = _SPACE_TABLE[np.minimum(cps, 0x3001)]
    sep = cps == _SEP_CP
    # drop a space after a space, a separator or the start, or before a separator or the end
    prev_blank = np.empty_like(space)
    prev_blank[0] = True
    prev_blank[1:] = space[:-1] | sep[:-1]
    next_sep = np.empty_like(space)
    next_sep[-1] = True
    next_sep[:-1] = sep[1:]
    out = np.where(space, np.uint32(32), cps)[~(space & (prev_blank | next_sep))]
    while len(out):  # a run of spaces before a separator or the end left its first space
        before = np.flatnonzero((out[1:] == _SEP_CP) & (out[:-1] == 32))
        tail = out[-1] == 32
        if not len(before) and not tail:
            break
        keep = np.ones(len(out), dtype=bool)
        keep[before] = False
        keep[-1] = not tail
        out = out[keep]
    return out


def normalize_batch(texts: list[str]) -> list[str]:
    """``[normalize_text(t) for t in texts]``, computed on the joined batch (same result)."""
    if not texts:
        return []
    cps = _normalized_codepoints(texts)
    if cps is None:
        return [normalize_text(t) for t in texts]
    return cps.tobytes().decode("utf-32-le").split(_SEP)


def _language(raw: str) -> str:
    """:func:`~newsclf.text.lang.detect_language`, with the counting done in C."""
    sample = raw[:2000].lower()
    words = _WORD.findall(sample)
    if not words:
        return "en"
    hu_score = sum(map(STOPWORDS["hu"].__contains__, words)) + 0.5 * len(
        _HU_LETTERS.findall(sample)
    )
    en_score = sum(map(STOPWORDS["en"].__contains__, words))
    return "hu" if hu_score > en_score else "en"


class _Terms:
    """The unigram terms of :class:`WordAnalyzer` for a batch, with a per-word cache.

    A whitespace-separated word of the normalised text maps to the same terms wherever it
    occurs (for one language), so its tokens, stopword filtering and stems are cached.
    """

    def __init__(self, lang: str, stem_words: bool, stopwords: bool) -> None:
        self.lang = lang
        self.stem_words = stem_words
        self.stopwords = stopwords
        self.cache: dict[str, dict[str, tuple[str, ...]]] = {
            code: {} for code in SUPPORTED_LANGUAGES
        }

    def _miss(self, word: str, lang: str, cache: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
        core = word.strip(_STRIP)
        tokens = [core] if core.isalnum() else _TOKEN.findall(word)  # [^\W_]+ is isalnum
        if self.stopwords:
            stop = STOPWORDS[lang]
            tokens = [t for t in tokens if t not in stop]
        if self.stem_words:
            tokens = [stem(t, lang) for t in tokens]
        terms = tuple(tokens)
        if len(cache) < _CACHE_LIMIT:
            cache[word] = terms
        return terms

    def batch(self, raws: list[str], normed: list[str]) -> tuple[list[str], list[int]]:
        """All terms of the batch in order, and how many each text has."""
        out: list[str] = []
        counts = []
        for raw, text in zip(raws, normed, strict=True):
            lang = _language(raw) if self.lang == "auto" else self.lang
            cache = self.cache[lang]
            get = cache.get
            before = len(out)
            for word in text.split():
                terms = get(word)
                out.extend(self._miss(word, lang, cache) if terms is None else terms)
            counts.append(len(out) - before)
        return out, counts


def _column(hashes: np.ndarray, salt: int, n_features: int) -> np.ndarray:
    """Mix 64-bit hashes and reduce them to ``[0, n_features)`` (multiply-shift)."""
    mixed = (hashes ^ np.uint64(salt)) * _MIX
    mixed ^= mixed >> np.uint64(29)
    mixed *= _BASE
    return ((mixed >> np.uint64(32)) * np.uint64(n_features)) >> np.uint64(32)


def _word_columns(
    terms: list[str], counts: list[int], ngram_range: tuple[int, int], n_features: int
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every word n-gram; an n-gram hashes as its space-joined terms."""
    low, high = ngram_range
    empty = np.zeros(0, dtype=np.uint64)
    if not terms:
        return empty, empty
    cps = np.frombuffer(
        (_TERM_SEP + _TERM_SEP.join(terms) + _TERM_SEP).encode("utf-32-le"), dtype=np.uint32
    )
    bounds = np.flatnonzero(cps == 1)
    starts, ends = bounds[:-1] + 1, bounds[1:]
    lengths = ends - starts
    # polynomial hash of each term: B^(end-1) * (S[end] - S[start]), S[k] = sum c[j] B^-j
    size = len(cps)
    powers = np.empty(size + 1, dtype=np.uint64)
    powers[0] = 1
    powers[1:] = _BASE
    np.cumprod(powers, out=powers)
    inverse = np.empty(size, dtype=np.uint64)
    inverse[0] = 1
    inverse[1:] = _BASE_INV
    np.cumprod(inverse, out=inverse)
    prefix = np.zeros(size + 1, dtype=np.uint64)
    np.cumsum(cps.astype(np.uint64) * inverse, out=prefix[1:])
    unigram = powers[ends - 1] * (prefix[ends] - prefix[starts])
    rows = np.repeat(np.arange(len(counts), dtype=np.uint64), counts)
    rows_out, hashes_out = [], []
    gram = unigram
    for n in range(1, high + 1):
        if n > 1:  # "a b" from "a" and "b": (h(a) * B + " ") * B^len(b) + h(b)
            m = len(unigram) - n + 1
            if m <= 0:
                break
            tail = unigram[n - 1 :]
            gram = (gram[:m] * _BASE + np.uint64(32)) * powers[lengths[n - 1 :]] + tail
        if n >= low:
            m = len(gram)
            same = rows[:m] == rows[n - 1 : n - 1 + m]
            rows_out.append(rows[:m][same])
            hashes_out.append(gram[same])
    if not rows_out:
        return empty, empty
    return np.concatenate(rows_out), _column(np.concatenate(hashes_out), 0, n_features)


def _char_wb_columns(
    joined: np.ndarray, ngram_range: tuple[int, int], n_features: int
) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of every ``char_wb`` n-gram of normalised texts joined by ``_SEP``.

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
    ) -> None:
        self.lang = lang
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.stem = stem
        self.stopwords = stopwords
        self.n_features = n_features
        self.sublinear_tf = sublinear_tf
        self.char_weight = char_weight

    def _check_params(self) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        word, char = check_text_ngram_params(
            self.lang, self.word_ngram_range, self.char_ngram_range
        )
        if char is not None and char[0] < 2:
            raise ValueError(f"char_ngram_range must start at 2 or more, got {char!r}")
        n = self.n_features
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 2 <= n < 2**31:
            raise ValueError(f"n_features must be an integer in [2, 2**31), got {n!r}")
        if not np.isfinite(self.char_weight) or self.char_weight <= 0:
            raise ValueError(f"char_weight must be a positive number, got {self.char_weight!r}")
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
        n_features = int(self.n_features)
        terms = _Terms(self.lang, bool(self.stem), bool(self.stopwords)) if word else None
        data, indices, indptr = [], [], [np.zeros(1, dtype=np.int64)]
        nnz = 0
        for start in range(0, len(texts), _BATCH):
            batch = texts[start : start + _BATCH]
            cps = _normalized_codepoints(batch)
            if cps is None:  # a text holds the batch separator: it becomes a space
                normed = [normalize_text(t.replace(_SEP, " ")) for t in batch]
                cps = np.frombuffer(_SEP.join(normed).encode("utf-32-le"), dtype=np.uint32)
            rows, cols = [], []
            if terms is not None and word is not None:
                normed = cps.tobytes().decode("utf-32-le").split(_SEP)
                flat, counts = terms.batch(batch, normed)
                r, c = _word_columns(flat, counts, word, n_features)
                rows.append(r)
                cols.append(c)
            if char is not None:
                r, c = _char_wb_columns(cps, char, n_features)
                rows.append(r)
                cols.append(c + np.uint64(n_features if word is not None else 0))
            X_batch = self._block_matrix(rows, cols, len(batch), word is not None, char is not None)
            data.append(X_batch.data)
            indices.append(X_batch.indices)
            indptr.append(X_batch.indptr[1:] + nnz)
            nnz += X_batch.nnz
        return sp.csr_matrix(
            (
                np.concatenate(data) if data else np.zeros(0),
                np.concatenate(indices) if indices else np.zeros(0, dtype=np.int32),
                np.concatenate(indptr),
            ),
            shape=(len(texts), self.n_features_out_),
        )

    def _block_matrix(
        self, rows: list[np.ndarray], cols: list[np.ndarray], n_rows: int, word: bool, char: bool
    ) -> sp.csr_matrix:
        """Counts -> (log) tf, each block L2-normalised, the char block weighted."""
        width = np.uint64(self.n_features_out_)
        keys = np.concatenate([r * width + c for r, c in zip(rows, cols, strict=True)])
        keys.sort()
        if len(keys):
            first = np.empty(len(keys), dtype=bool)
            first[0] = True
            np.not_equal(keys[1:], keys[:-1], out=first[1:])
            starts = np.flatnonzero(first)
            unique = keys[starts]
            values = np.diff(np.append(starts, len(keys))).astype(np.float64)
        else:
            unique, values = keys, np.zeros(0)
        row = (unique // width).astype(np.int64)
        col = (unique % width).astype(np.int64)
        if self.sublinear_tf:
            np.log1p(values, out=values)
        block = (col >= int(self.n_features)).astype(np.int64) if word and char else 0
        slot = row * 2 + block
        norms = np.sqrt(np.bincount(slot, weights=values * values, minlength=2 * n_rows))
        values /= np.where(norms > 0, norms, 1.0)[slot]
        if char and self.char_weight != 1.0:
            values[block == 1 if word else slice(None)] *= float(self.char_weight)
        indptr = np.searchsorted(row, np.arange(n_rows + 1))
        return sp.csr_matrix(
            (values, col.astype(np.int32), indptr), shape=(n_rows, self.n_features_out_)
        )

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
