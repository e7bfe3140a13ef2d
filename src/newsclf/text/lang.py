"""Cheap language identification between the languages newsclf stems (Hungarian, English).

A per-document guess is enough to choose a stemmer and a stopword list; it relies on
Hungarian-only letters and on stopword hits, and never needs a model download.
"""

from __future__ import annotations

import re

from newsclf.text.stopwords import STOPWORDS

__all__ = [
    "LANGUAGE_WORDS",
    "SUPPORTED_LANGUAGES",
    "detect_language",
    "language_of_normalized",
    "word_language_evidence",
]

SUPPORTED_LANGUAGES = ("hu", "en")
#: the guess reads this many whitespace-separated words from the start of the normalised text
LANGUAGE_WORDS = 300
_HU_LETTERS = re.compile(r"[őűáéíóöúü]")
_WORD = re.compile(r"\w+")


def word_language_evidence(word: str) -> tuple[float, float]:
    """(Hungarian, English) evidence of one whitespace-separated word of normalised text.

    The guess of a text is the sum over its first :data:`LANGUAGE_WORDS` words, so a cache of
    this per word (the streaming features) gives exactly :func:`language_of_normalized`.
    """
    tokens = _WORD.findall(word)
    hu = sum(t in STOPWORDS["hu"] for t in tokens) + 0.5 * len(_HU_LETTERS.findall(word))
    en = sum(t in STOPWORDS["en"] for t in tokens)
    return float(hu), float(en)


def language_of_normalized(text: str) -> str:
    """:func:`detect_language` of a text already passed through ``normalize_text``."""
    hu = en = 0.0
    for word in text.split()[:LANGUAGE_WORDS]:
        h, e = word_language_evidence(word)
        hu += h
        en += e
    return "hu" if hu > en else "en"


def detect_language(text: str) -> str:
    """Return ``"hu"`` or ``"en"`` for ``text`` (English when there is no evidence either way).

    Hungarian-only letters count half a point, stopword hits one point each, over the first
    :data:`LANGUAGE_WORDS` words of the normalised, lowercased text.
    """
    from newsclf.text.normalize import normalize_text

    return language_of_normalized(normalize_text(text))
