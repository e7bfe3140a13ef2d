"""Per-process cache behind :class:`~newsclf.features.hashed_ngrams.HashingTextVectorizer`.

Everything the hashed features need from a whitespace-separated word of the normalised text
depends on that word alone (and on the document's language): its stopword-filtered, stemmed
terms, the hashes of those terms, its ``char_wb`` n-grams (scikit-learn pads and slices each
whitespace word separately) and its evidence for the language guess. So each distinct word is
analysed once per process and kept as a *row* of a growing sparse table ``F`` (word -> unigram
and char columns); a batch of texts becomes a sparse word-count matrix ``C`` (one entry per
word occurrence, no sorting) and ``C @ F`` (scipy, C++) sums the columns per document. Only
the word n-grams with n >= 2 are built per batch, from the cached term hashes.

Words are found by a 64-bit hash of their codepoints in an open-addressing table probed in
numpy (:class:`_HashIndex`), not by a ``dict`` of Python strings: that lookup was the largest
cost per article. Two distinct words with the same 64-bit hash would share a row (odds
~n^2 / 2^65 for n distinct words: ~10^-8 for a million).

The cache is bounded (:data:`WORD_LIMIT` words); when full it starts afresh, which changes
nothing but speed.
"""

from __future__ import annotations

import threading
from itertools import repeat
from typing import Any

import numpy as np
import scipy.sparse as sp

from newsclf.text.lang import LANGUAGE_WORDS, SUPPORTED_LANGUAGES, word_language_evidence
from newsclf.text.stopwords import STOPWORDS
from newsclf.text.tokenize import _TOKEN, stem

__all__ = ["SEPARATOR", "WORD_LIMIT", "WordTable", "term_hashes", "word_table"]

#: joins the texts of a batch: a private-use character no normalisation step changes; it is
#: word id 0 of every table
SEPARATOR = "\ue000"

#: distinct (word, language) rows kept per table before it starts afresh
WORD_LIMIT = 400_000
# 64-bit polynomial base (odd, so invertible mod 2**64) and a multiplicative mixing constant
_BASE = np.uint64(0x9E3779B97F4A7C15)
_BASE_INV = np.uint64(pow(0x9E3779B97F4A7C15, -1, 2**64))
_MIX = np.uint64(0xBF58476D1CE4E5B9)


class _Growing:
    """A numpy array appended to in amortised O(1) (capacity doubles)."""

    def __init__(self, dtype: Any, fill: Any = 0) -> None:
        self.buf = np.full(1024, fill, dtype=dtype)
        self.fill = fill
        self.n = 0

    def extend(self, values: np.ndarray) -> None:
        end = self.n + len(values)
        if end > len(self.buf):
            bigger = np.full(max(end, 2 * len(self.buf)), self.fill, dtype=self.buf.dtype)
            bigger[: self.n] = self.buf[: self.n]
            self.buf = bigger
        self.buf[self.n : end] = values
        self.n = end

    def reserve(self, size: int) -> None:
        """Make ``buf`` at least ``size`` long (new slots hold ``fill``), keeping ``n``."""
        if size > len(self.buf):
            bigger = np.full(max(size, 2 * len(self.buf)), self.fill, dtype=self.buf.dtype)
            bigger[: len(self.buf)] = self.buf
            self.buf = bigger

    @property
    def view(self) -> np.ndarray:
        return self.buf[: self.n]


def term_hashes(terms: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """64-bit polynomial hash of each term and ``B ** len(term)`` (to chain n-grams)."""
    if not terms:
        empty = np.zeros(0, dtype=np.uint64)
        return empty, empty
    cps = np.frombuffer(("\x01" + "\x01".join(terms) + "\x01").encode("utf-32-le"), np.uint32)
    bounds = np.flatnonzero(cps == 1)
    starts, ends = bounds[:-1] + 1, bounds[1:]
    return _segment_hashes(cps, starts, ends), _power_table(_BASE, len(cps) + 1)[ends - starts]


class _Rows:
    """A growing CSR table of column lists, all values 1; rows ``0..prefix-1`` are the identity."""

    def __init__(self, prefix: int) -> None:
        self.indptr = _Growing(np.int32)
        self.indices = _Growing(np.int32)
        self.indptr.extend(np.arange(prefix + 1, dtype=np.int32))
        self.indices.extend(np.arange(prefix, dtype=np.int32))
        self.ones = np.ones(0)

    def add(self, lengths: np.ndarray, columns: np.ndarray) -> None:
        self.indices.extend(columns)
        self.indptr.extend(self.indptr.view[-1] + np.cumsum(lengths))

    def matrix(self, width: int, dtype: Any) -> sp.csr_matrix:
        """The rows as a (rows x width) matrix viewing the buffers (no copy)."""
        nnz = self.indices.n
        if len(self.ones) < nnz or self.ones.dtype != dtype:
            self.ones = np.ones(max(nnz, 2 * len(self.ones)), dtype=dtype)
        X = sp.csr_matrix((self.indptr.n - 1, width), dtype=dtype)
        X.data, X.indices, X.indptr = self.ones[:nnz], self.indices.view, self.indptr.view
        X.has_sorted_indices = False  # a word's char n-grams are unsorted and may repeat
        X.has_canonical_format = False
        return X


class _HashIndex:
    """Open-addressing map from 64-bit word hashes to word ids, probed in numpy.

    Replaces a ``dict`` lookup per word (a Python string and a call each) by a few array
    passes per batch; 0 marks an empty slot, so a hash of 0 is stored as 1.
    """

    def __init__(self) -> None:
        self.keys = np.zeros(1 << 16, dtype=np.uint64)
        self.values = np.full(1 << 16, -1, dtype=np.int64)
        self.size = 0

    def _slots(self, hashes: np.ndarray) -> np.ndarray:
        shift = np.uint64(64 - (len(self.keys).bit_length() - 1))
        return ((hashes * _MIX) >> shift).astype(np.int64)

    def lookup(self, hashes: np.ndarray) -> np.ndarray:
        """Id of each hash, -1 where unknown."""
        out = np.full(len(hashes), -1, dtype=np.int64)
        slots = self._slots(hashes)
        todo = np.arange(len(hashes))
        mask = len(self.keys) - 1
        while len(todo):
            found = self.keys[slots]
            hit = found == hashes[todo]
            out[todo[hit]] = self.values[slots[hit]]
            more = ~hit & (found != 0)
            todo, slots = todo[more], (slots[more] + 1) & mask
        return out

    def insert(self, hashes: np.ndarray, ids: np.ndarray) -> None:
        """Add distinct new ``hashes`` (not yet present) with their ``ids``."""
        if 2 * (self.size + len(hashes)) > len(self.keys):
            old_keys, old_values = self.keys, self.values
            size = len(old_keys)
            while 2 * (self.size + len(hashes)) > size:
                size *= 2
            self.keys = np.zeros(size, dtype=np.uint64)
            self.values = np.full(size, -1, dtype=np.int64)
            self.size = 0
            used = old_keys != 0
            self.insert(old_keys[used], old_values[used])
        mask = len(self.keys) - 1
        slots = self._slots(hashes)
        todo = np.arange(len(hashes))
        while len(todo):
            # one key per free slot per round; the rest (taken slots, clashes) probe on
            free = self.keys[slots] == 0
            first = np.zeros(len(todo), dtype=bool)
            _, pick = np.unique(np.where(free, slots, -1), return_index=True)
            first[pick] = True
            place = free & first
            self.keys[slots[place]] = hashes[todo[place]]
            self.values[slots[place]] = ids[todo[place]]
            todo, slots = (
                todo[~place],
                np.where(free[~place], slots[~place], (slots[~place] + 1) & mask),
            )
        self.size += len(hashes)


def _segment_hashes(cps: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """64-bit polynomial hash ``sum c[j] B^(end-1-j)`` of each ``cps[start:end]``."""
    # = B^(end-1) * (S[end] - S[start]) with prefix sums S[k] = sum_{j<k} c[j] B^-j
    size = len(cps)
    prefix = np.zeros(size + 1, dtype=np.uint64)
    np.cumsum(cps.astype(np.uint64) * _power_table(_BASE_INV, size)[:size], out=prefix[1:])
    return _power_table(_BASE, size + 1)[ends - 1] * (prefix[ends] - prefix[starts])


def word_hashes(cps: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """:func:`_segment_hashes`, never 0 (the hash index's empty mark)."""
    hashes = _segment_hashes(cps, starts, ends)
    hashes[hashes == 0] = 1
    return hashes


_POWER_TABLES = {_BASE: np.ones(1, dtype=np.uint64), _BASE_INV: np.ones(1, dtype=np.uint64)}


def _power_table(base: np.uint64, n: int) -> np.ndarray:
    """``base ** k`` mod 2**64 for k < n (at least), grown by doubling and kept."""
    table = _POWER_TABLES[base]
    if len(table) < n:
        table = np.empty(max(n, 2 * len(table)), dtype=np.uint64)
        table[0] = 1
        table[1:] = base
        np.cumprod(table, out=table)
        _POWER_TABLES[base] = table
    return table


class WordTable:
    """Words seen by this process -> cached rows of the feature table (see module doc).

    The hashing parameters come in as two functions: ``unigram_columns(term_hashes)`` (the
    word-block column of each term, or None when unigrams are not features) and
    ``char_columns(words)`` (``(count per word, their char-block columns)``, or None).
    Word rows start at ``prefix``: rows ``0..prefix-1`` are the identity, so that a hashed
    word n-gram column ``c`` can be counted as row ``c``.
    """

    def __init__(
        self,
        *,
        stem_words: bool,
        stopwords: bool,
        unigram_columns: Any,
        char_columns: Any,
        prefix: int,
    ) -> None:
        self.stem_words = stem_words
        self.stopwords = stopwords
        self.unigram_columns = unigram_columns
        self.char_columns = char_columns
        self.prefix = prefix
        self.lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.ids: dict[str, int] = {SEPARATOR: 0}
        self.index = _HashIndex()  # hash of a word's codepoints -> its id
        self.words: list[str] = [SEPARATOR]
        self.evidence = [_Growing(np.float64), _Growing(np.float64)]  # hu, en per word id
        for ev in self.evidence:
            ev.extend(np.zeros(1))
        self.rows = [_Growing(np.int64, -1) for _ in SUPPORTED_LANGUAGES]  # word id -> row
        self.part = _Rows(self.prefix)
        self._matrix: sp.csr_matrix | None = None
        self._matrix_key: tuple | None = None
        self.n_words = 0  # cached (word, language) rows
        self.t_indptr = _Growing(np.int64)
        self.t_indptr.extend(np.zeros(1, dtype=np.int64))
        self.t_hash = _Growing(np.uint64)
        self.t_power = _Growing(np.uint64)

    @property
    def n_rows(self) -> int:
        return self.prefix + self.n_words

    # -- words -------------------------------------------------------------------------------

    def word_ids(self, words: list[str]) -> np.ndarray:
        """Id of each word, adding the new ones (and their language evidence)."""
        ids = self.ids
        wid = np.fromiter(map(ids.get, words, repeat(-1)), dtype=np.int64, count=len(words))
        missing = np.flatnonzero(wid < 0)
        if len(missing):
            new = list(dict.fromkeys(words[i] for i in missing))
            start = len(ids)
            for k, word in enumerate(new):
                ids[word] = start + k
            self.words.extend(new)
            scores = np.asarray([word_language_evidence(w) for w in new]).reshape(-1, 2)
            self.evidence[0].extend(scores[:, 0])
            self.evidence[1].extend(scores[:, 1])
            wid[missing] = [ids[words[i]] for i in missing]
        return wid

    def word_ids_of_codepoints(
        self, cps: np.ndarray, starts: np.ndarray, ends: np.ndarray
    ) -> np.ndarray:
        """Id of each word ``cps[start:end]`` (as :meth:`word_ids`), found by hash in numpy."""
        hashes = word_hashes(cps, starts, ends)
        wid = self.index.lookup(hashes)
        missing = np.flatnonzero(wid < 0)
        if len(missing):
            new_hashes, first = np.unique(hashes[missing], return_index=True)
            at = missing[first]
            words = [
                cps[a:b].tobytes().decode("utf-32-le")
                for a, b in zip(starts[at], ends[at], strict=True)
            ]
            ids = self.word_ids(words)
            self.index.insert(new_hashes, ids)
            wid[missing] = self.index.lookup(hashes[missing])
        return wid

    def languages(self, wid: np.ndarray, doc: np.ndarray, starts: np.ndarray, n_docs: int):
        """Index into SUPPORTED_LANGUAGES of each document (``language_of_normalized``)."""
        first = (np.arange(len(wid)) - starts[doc]) < LANGUAGE_WORDS
        hu = np.bincount(doc[first], self.evidence[0].view[wid[first]], minlength=n_docs)
        en = np.bincount(doc[first], self.evidence[1].view[wid[first]], minlength=n_docs)
        return np.where(hu > en, SUPPORTED_LANGUAGES.index("hu"), SUPPORTED_LANGUAGES.index("en"))

    # -- rows ----------------------------------------------------------------------------------

    def feature_rows(self, wid: np.ndarray, lang: np.ndarray) -> np.ndarray:
        """Row of the table for each (word id, language index), building the missing ones."""
        out = np.empty(len(wid), dtype=np.int64)
        for k, code in enumerate(SUPPORTED_LANGUAGES):
            at = np.flatnonzero(lang == k)
            if not len(at):
                continue
            ids = wid[at]
            table = self.rows[k]
            table.reserve(len(self.ids))
            rows = table.buf[ids]
            missing = np.flatnonzero(rows < 0)
            if len(missing):
                new = np.unique(ids[missing])
                table.buf[new] = self._add_rows([self.words[i] for i in new], code)
                rows = table.buf[ids]
            out[at] = rows
        return out

    def _add_rows(self, words: list[str], lang: str) -> np.ndarray:
        stop = STOPWORDS[lang] if self.stopwords else ()
        terms_per_word = []
        for word in words:
            terms = [t for t in _TOKEN.findall(word) if t not in stop]
            if self.stem_words:
                terms = [stem(t, lang) for t in terms]
            terms_per_word.append(terms)
        counts = np.fromiter(map(len, terms_per_word), dtype=np.int64, count=len(words))
        hashes, powers = term_hashes([t for terms in terms_per_word for t in terms])
        self.t_hash.extend(hashes)
        self.t_power.extend(powers)
        self.t_indptr.extend(self.t_indptr.view[-1] + np.cumsum(counts))
        unigram = self.unigram_columns(hashes)  # one column per term, or None
        chars = self.char_columns(words)  # (count per word, columns), or None
        lengths = np.zeros(len(words), dtype=np.int64)
        pieces = []
        if unigram is not None:
            lengths += counts
            pieces.append((counts, unigram))
        if chars is not None:
            lengths += chars[0]
            pieces.append(chars)
        # each row: the word's unigram columns, then its char columns
        columns = np.zeros(int(lengths.sum()), dtype=np.int64)
        row_start = np.cumsum(lengths) - lengths
        done = np.zeros(len(words), dtype=np.int64)
        for size, values in pieces:
            dest = np.repeat(row_start + done - (np.cumsum(size) - size), size)
            columns[dest + np.arange(len(values))] = values
            done += size
        first = self.n_rows
        self.part.add(lengths, columns)
        self.n_words += len(words)
        return np.arange(first, self.n_rows)

    def matrix(self, width: int, dtype: Any) -> sp.csr_matrix:
        """Rows -> counts (identity rows first); rebuilt only when the table has grown."""
        key = (self.n_rows, width, np.dtype(dtype))
        if self._matrix_key != key:
            self._matrix = self.part.matrix(width, np.dtype(dtype))
            self._matrix_key = key
        return self._matrix

    def terms_of_rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Term hashes, powers and the position (index into ``rows``) of each term, in order."""
        rows = rows - self.prefix
        starts = self.t_indptr.buf[rows]
        counts = self.t_indptr.buf[rows + 1] - starts
        total = int(counts.sum())
        offsets = np.cumsum(counts) - counts
        flat = np.repeat(starts - offsets, counts) + np.arange(total)
        owner = np.repeat(np.arange(len(rows)), counts)
        return self.t_hash.buf[flat], self.t_power.buf[flat], owner

    def check_size(self) -> None:
        if len(self.ids) > WORD_LIMIT or self.n_words > WORD_LIMIT:
            self._reset()


_TABLES: dict[tuple, WordTable] = {}
_TABLES_LOCK = threading.Lock()


def word_table(key: tuple, factory: Any) -> WordTable:
    """The process-wide table for one set of hashing parameters (made by ``factory()``)."""
    with _TABLES_LOCK:
        table = _TABLES.get(key)
        if table is None:
            table = _TABLES[key] = factory()
        return table
