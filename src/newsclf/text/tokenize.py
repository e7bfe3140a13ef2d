"""Language-aware tokenising and Snowball stemming (Hungarian and English).

Hungarian is agglutinative ("Ukrajnának", "Ukrajnában", "Ukrajnát" are one word to a reader),
so word features are stemmed; the stemmer is chosen per document by
:func:`~newsclf.text.lang.detect_language` unless the language is fixed.
"""

from __future__ import annotations

import re
from functools import lru_cache

import snowballstemmer

from newsclf.text.lang import SUPPORTED_LANGUAGES, language_of_normalized
from newsclf.text.normalize import normalize_text
from newsclf.text.stopwords import STOPWORDS

__all__ = ["WordAnalyzer", "split_sentences", "stem", "tokenize", "tokenize_normalized"]

_TOKEN = re.compile(r"[^\W_]+(?:[-'][^\W_]+)*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")
_STEMMER_NAMES = {"hu": "hungarian", "en": "english"}


def tokenize(text: str) -> list[str]:
    """Split normalised, lowercased ``text`` into word tokens (hyphenated words stay whole)."""
    return _TOKEN.findall(normalize_text(text))


def tokenize_normalized(text: str) -> list[str]:
    """:func:`tokenize` for text already normalised (callers that normalise once, in bulk)."""
    return _TOKEN.findall(text)


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: split after end punctuation followed by space and at line breaks;
    fragments of two characters or fewer are dropped (the whole text when nothing is left)."""
    return [s for s in _SENTENCE.split(text) if len(s.strip()) > 2] or [text]


@lru_cache(maxsize=4)
def _stemmer(lang: str):
    return snowballstemmer.stemmer(_STEMMER_NAMES[lang])


@lru_cache(maxsize=200_000)
def stem(word: str, lang: str) -> str:
    """Snowball stem of one lowercased ``word`` in ``lang`` (``"hu"`` or ``"en"``); a word of
    another language (``"other"``) is returned as it is."""
    if lang not in _STEMMER_NAMES:
        return word
    return _stemmer(lang).stemWord(word)


class WordAnalyzer:
    """Callable analyzer for ``TfidfVectorizer(analyzer=...)``: tokens -> stems -> n-grams.

    A plain class (not a closure) so that fitted vectorizers pickle.
    """

    def __init__(
        self,
        *,
        lang: str = "auto",
        ngram_range: tuple[int, int] = (1, 1),
        stem: bool = True,
        stopwords: bool = True,
    ) -> None:
        if lang != "auto" and lang not in SUPPORTED_LANGUAGES:
            raise ValueError(f"lang must be 'auto' or one of {SUPPORTED_LANGUAGES}, got {lang!r}")
        low, high = ngram_range
        if not (1 <= low <= high):
            raise ValueError(f"ngram_range must satisfy 1 <= min <= max, got {ngram_range!r}")
        self.lang = lang
        self.ngram_range = (int(low), int(high))
        self.stem = stem
        self.stopwords = stopwords

    def terms(self, doc: str, lang: str | None = None) -> list[str]:
        """The unigram terms of ``doc`` after stopword removal and stemming.

        ``lang`` overrides the analyzer's own language (e.g. a target stemmed like its text).
        """
        normalized = normalize_text(doc)
        tokens = _TOKEN.findall(normalized)
        if lang is None:
            lang = language_of_normalized(normalized) if self.lang == "auto" else self.lang
        if self.stopwords:
            stop = STOPWORDS[lang]
            tokens = [t for t in tokens if t not in stop]
        if self.stem:
            tokens = [stem(t, lang) for t in tokens]
        return tokens

    def __call__(self, doc: str) -> list[str]:
        terms = self.terms(doc)
        low, high = self.ngram_range
        if high == 1:
            return terms
        grams = list(terms) if low == 1 else []
        for n in range(max(low, 2), high + 1):
            grams.extend(" ".join(terms[i : i + n]) for i in range(len(terms) - n + 1))
        return grams

    def __repr__(self) -> str:
        return (
            f"WordAnalyzer(lang={self.lang!r}, ngram_range={self.ngram_range!r}, "
            f"stem={self.stem!r}, stopwords={self.stopwords!r})"
        )
