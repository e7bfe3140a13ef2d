"""Cheap language identification between the languages newsclf stems (Hungarian, English).

A per-document guess is enough to choose a stemmer and a stopword list; it relies on
Hungarian-only letters and on stopword hits, and never needs a model download.
"""

from __future__ import annotations

import re

from newsclf.text.stopwords import STOPWORDS

__all__ = ["SUPPORTED_LANGUAGES", "detect_language"]

SUPPORTED_LANGUAGES = ("hu", "en")
_HU_LETTERS = re.compile(r"[őűŐŰáéíóöúüÁÉÍÓÖÚÜ]")
_WORD = re.compile(r"\w+")


def detect_language(text: str) -> str:
    """Return ``"hu"`` or ``"en"`` for ``text`` (English when there is no evidence either way)."""
    sample = text[:2000].lower()
    words = _WORD.findall(sample)
    if not words:
        return "en"
    hu_score = sum(w in STOPWORDS["hu"] for w in words) + 0.5 * len(_HU_LETTERS.findall(sample))
    en_score = sum(w in STOPWORDS["en"] for w in words)
    return "hu" if hu_score > en_score else "en"
