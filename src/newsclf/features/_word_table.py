"""Per-process cache behind :class:`~newsclf.features.hashed_ngrams.HashingTextVectorizer`.

Everything the hashed features need from a whitespace-separated *raw* word of a text depends
on that word alone (and on the document's language): its normalised form
(:func:`~newsclf.text.normalize.normalize_text` does not reach across whitespace), its
stopword-filtered, stemmed terms, their hashes and word-block columns, its ``char_wb``
n-gram columns (scikit-learn pads and slices each whitespace word separately) and its
evidence for the language guess. So each distinct raw word is analysed once per process and
kept as a *row* of growing flat arrays: the row's terms (hash, ``B ** len``, column) and its
char columns. A batch of texts then becomes a few numpy gathers over its word rows, the word
n-grams (n >= 2) chained from the gathered term hashes, and one sort that counts each
(document, column) pair.

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

from newsclf.text.lang import (
    DETECTED_LANGUAGES,
    LANGUAGE_WORDS,
    OTHER,
    word_language_evidence,
)
from newsclf.text.normalize import normalize_text
from newsclf.text.stopwords import STOPWORDS
from newsclf.text.tokenize import stem, tokenize_normalized

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
    lengths = ends - starts
    return _segment_hashes(cps, starts, ends), _power_table(_BASE, int(lengths.max()) + 1)[lengths]


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
        slots = self._slots(hashes)
        found = self.keys[slots]
        out = self.values[slots]  # right where the first probe hits (most keys)
        todo = np.flatnonzero(found != hashes)
        out[todo] = -1
        mask = len(self.keys) - 1
        slots, found = slots[todo], found[todo]
        while len(todo):
            more = found != 0  # a taken slot: probe the next one
            todo, slots = todo[more], (slots[more] + 1) & mask
            found = self.keys[slots]
            hit = found == hashes[todo]
            out[todo[hit]] = self.values[slots[hit]]
            todo, slots, found = todo[~hit], slots[~hit], found[~hit]
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


_HU, _EN, _OTHER = (DETECTED_LANGUAGES.index(c) for c in ("hu", "en", OTHER))
_N_LANGUAGES = len(DETECTED_LANGUAGES)


def _score(words: list[str]) -> tuple[float, float, float]:
    """(Hungarian, English, other) :func:`word_language_evidence` summed over normalised words
    (halves add up exactly, so sums of sums equal the per-text guess)."""
    hu = en = other = 0.0
    for word in words:
        h, e, o = word_language_evidence(word)
        hu += h
        en += e
        other += o
    return hu, en, other


#: codepoints hashed at a time by :func:`_segment_hashes`: bounds the kept power tables (a few
#: MB each) whatever the size of a batch of long texts (tables over a whole batch reached ~60 MB
#: per process on 20 Newsgroups)
_SPAN = 1 << 18


def _segment_hashes(cps: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """64-bit polynomial hash ``sum c[j] B^(end-1-j)`` of each ``cps[start:end]``.

    The hash does not depend on where a segment sits, so ordered segments are hashed in runs
    spanning at most :data:`_SPAN` codepoints (a single longer segment is a run of its own).
    """
    if len(starts) == 0 or len(cps) <= _SPAN or np.any(np.diff(starts) < 0):
        return _span_hashes(cps, starts, ends)
    out = np.empty(len(starts), dtype=np.uint64)
    i = 0
    while i < len(starts):
        lo = int(starts[i])
        j = max(i + 1, int(np.searchsorted(ends, lo + _SPAN, side="right")))
        hi = int(ends[i:j].max())
        out[i:j] = _span_hashes(cps[lo:hi], starts[i:j] - lo, ends[i:j] - lo)
        i = j
    return out


def _span_hashes(cps: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
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
    """Raw words seen by this process -> cached rows (see module doc).

    The hashing parameters come in as two functions: ``unigram_columns(term_hashes)`` (the
    word-block column of each term) and ``char_columns(words)`` (``(count per word, their
    char-block columns)``, or None when char n-grams are not features).
    """

    def __init__(
        self, *, stem_words: bool, stopwords: bool, unigram_columns: Any, char_columns: Any
    ) -> None:
        self.stem_words = stem_words
        self.stopwords = stopwords
        self.unigram_columns = unigram_columns
        self.char_columns = char_columns
        self.lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.ids: dict[str, int] = {}  # normalised form -> word id
        self.index = _HashIndex()  # hash of a raw word's codepoints -> id of its form
        self.words: list[str] = []  # normalised form (words joined by one space) per id
        # Hungarian, English and other-language evidence per id
        self.score = [_Growing(np.float64) for _ in DETECTED_LANGUAGES]
        self.n_sub = _Growing(np.int64)  # normalised whitespace-separated words per id
        # (word id, language index) -> row: at word_id * len(DETECTED_LANGUAGES) + language
        self.rows = _Growing(np.int64, -1)
        self.n_words = 0  # rows
        self.t_indptr = _Growing(np.int64)  # row -> its terms
        self.t_indptr.extend(np.zeros(1, dtype=np.int64))
        self.t_hash = _Growing(np.uint64)
        self.t_power = _Growing(np.uint64)
        self.t_column = _Growing(np.int64)
        self.c_indptr = _Growing(np.int64)  # row -> its char n-gram columns
        self.c_indptr.extend(np.zeros(1, dtype=np.int64))
        self.c_column = _Growing(np.int64)

    # -- words -------------------------------------------------------------------------------

    def word_ids(self, raw_words: list[str]) -> np.ndarray:
        """Id of each raw word's normalised form, adding the new forms (and their evidence)."""
        ids = self.ids
        forms = [" ".join(normalize_text(w).split()) for w in raw_words]
        wid = np.fromiter(map(ids.get, forms, repeat(-1)), dtype=np.int64, count=len(forms))
        missing = np.flatnonzero(wid < 0)
        if len(missing):
            new = list(dict.fromkeys(forms[i] for i in missing))
            start = len(ids)
            for k, form in enumerate(new):
                ids[form] = start + k
            self.words.extend(new)
            parts = [form.split() for form in new]
            scores = np.asarray([_score(p) for p in parts], dtype=np.float64)
            scores = scores.reshape(-1, _N_LANGUAGES)
            for k, growing in enumerate(self.score):
                growing.extend(scores[:, k])
            self.n_sub.extend(np.fromiter(map(len, parts), dtype=np.int64, count=len(new)))
            wid[missing] = [ids[forms[i]] for i in missing]
        return wid

    def word_ids_of_codepoints(
        self, cps: np.ndarray, starts: np.ndarray, ends: np.ndarray
    ) -> np.ndarray:
        """Id of each raw word ``cps[start:end]`` (as :meth:`word_ids`), found by hash in numpy."""
        hashes = word_hashes(cps, starts, ends)
        wid = self.index.lookup(hashes)
        missing = np.flatnonzero(wid < 0)
        if len(missing):
            new_hashes, first = np.unique(hashes[missing], return_index=True)
            at = missing[first]
            words = [
                cps[a:b].tobytes().decode("utf-32-le", "surrogatepass")
                for a, b in zip(starts[at], ends[at], strict=True)
            ]
            ids = self.word_ids(words)
            self.index.insert(new_hashes, ids)
            wid[missing] = self.index.lookup(hashes[missing])
        return wid

    def languages(
        self, wid: np.ndarray, doc: np.ndarray, starts: np.ndarray, n_docs: int
    ) -> np.ndarray:
        """Index into DETECTED_LANGUAGES of each document (``language_of_normalized``).

        The guess reads the first :data:`LANGUAGE_WORDS` words of the normalised text; a raw
        word may stand for 0, 1 or more of them, so positions are counted in normalised words.
        """
        if not len(wid):
            return np.full(n_docs, _EN)
        n_sub = self.n_sub.buf[wid]
        end = np.cumsum(n_sub)  # position after each raw word, counted from the batch start
        end -= np.where(starts > 0, end[np.maximum(starts - 1, 0)], 0)[doc]
        score = np.stack([growing.buf[wid] for growing in self.score], axis=1)
        score[end > LANGUAGE_WORDS] = 0.0
        # a word that straddles the limit counts with its normalised words before it
        for at in np.flatnonzero((end > LANGUAGE_WORDS) & (end - n_sub < LANGUAGE_WORDS)):
            score[at] = _score(self.words[wid[at]].split()[: LANGUAGE_WORDS - end[at] + n_sub[at]])
        hu, en, other = (np.bincount(doc, score[:, k], minlength=n_docs) for k in range(3))
        # decide_language, vectorised: other only when it beats both, English on ties
        return np.where((other > hu) & (other > en), _OTHER, np.where(hu > en, _HU, _EN))

    # -- rows ----------------------------------------------------------------------------------

    def feature_rows(self, wid: np.ndarray, lang: np.ndarray) -> np.ndarray:
        """Row of each (word id, language index), building the missing ones."""
        key = wid * _N_LANGUAGES + lang
        self.rows.reserve(len(self.words) * _N_LANGUAGES)
        rows = self.rows.buf[key]
        missing = np.flatnonzero(rows < 0)
        if len(missing):
            new = np.unique(key[missing])
            for k, code in enumerate(DETECTED_LANGUAGES):
                of_lang = new[new % _N_LANGUAGES == k]
                if len(of_lang):
                    words = [self.words[i] for i in of_lang // _N_LANGUAGES]
                    self.rows.buf[of_lang] = self._add_rows(words, code)
            rows = self.rows.buf[key]
        return rows

    def _add_rows(self, words: list[str], lang: str) -> np.ndarray:
        stop = STOPWORDS[lang] if self.stopwords else ()
        terms_per_word = []
        for word in words:
            terms = [t for t in tokenize_normalized(word) if t not in stop]
            if self.stem_words:
                terms = [stem(t, lang) for t in terms]
            terms_per_word.append(terms)
        counts = np.fromiter(map(len, terms_per_word), dtype=np.int64, count=len(words))
        hashes, powers = term_hashes([t for terms in terms_per_word for t in terms])
        self.t_hash.extend(hashes)
        self.t_power.extend(powers)
        self.t_column.extend(self.unigram_columns(hashes))
        self.t_indptr.extend(self.t_indptr.view[-1] + np.cumsum(counts))
        chars = self.char_columns(words)  # (count per word, columns), or None
        if chars is not None:
            self.c_column.extend(chars[1])
            self.c_indptr.extend(self.c_indptr.view[-1] + np.cumsum(chars[0]))
        first = self.n_words
        self.n_words += len(words)
        return np.arange(first, self.n_words)

    def terms_of_rows(self, rows: np.ndarray) -> tuple[np.ndarray, ...]:
        """Hash, power, word-block column and owner (index into ``rows``) of each term."""
        flat, owner = _expand(self.t_indptr.buf, rows)
        return self.t_hash.buf[flat], self.t_power.buf[flat], self.t_column.buf[flat], owner

    def chars_of_rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Char-block column and owner (index into ``rows``) of each char n-gram."""
        flat, owner = _expand(self.c_indptr.buf, rows)
        return self.c_column.buf[flat], owner

    def check_size(self) -> None:
        if max(len(self.ids), self.index.size, self.n_words) > WORD_LIMIT:
            self._reset()


def _expand(indptr: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the entries of ``rows`` in a CSR-like store, and the owner of each."""
    starts = indptr[rows]
    counts = indptr[rows + 1] - starts
    total = int(counts.sum())
    offsets = np.cumsum(counts) - counts
    flat = np.repeat(starts - offsets, counts) + np.arange(total)
    return flat, np.repeat(np.arange(len(rows)), counts)


_TABLES: dict[tuple, WordTable] = {}
_TABLES_LOCK = threading.Lock()


def word_table(key: tuple, factory: Any) -> WordTable:
    """The process-wide table for one set of hashing parameters (made by ``factory()``)."""
    with _TABLES_LOCK:
        table = _TABLES.get(key)
        if table is None:
            table = _TABLES[key] = factory()
        return table
