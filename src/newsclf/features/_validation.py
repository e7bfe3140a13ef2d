"""Input checks shared by newsclf's string-input transformers (mirrors sklearn's messages)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from newsclf.utils.constraints import LANG, NGRAM_RANGE, POSITIVE

__all__ = [
    "TEXT_NGRAM_CONSTRAINTS",
    "as_pairs",
    "as_texts",
    "check_ngram_range",
    "check_text_ngram_params",
    "string_input_tags",
]


def as_texts(X: Any) -> list[str]:
    """Return ``X`` as a list of strings, refusing a lone string and non-string items."""
    if isinstance(X, str | bytes):
        raise ValueError("Iterable over raw text documents expected, string object received.")
    if isinstance(X, np.ndarray) and X.ndim != 1:
        raise ValueError(f"expected a 1-d sequence of texts, got an array of shape {X.shape}")
    if not isinstance(X, Iterable):
        raise ValueError(f"expected an iterable of texts, got {type(X).__name__}")
    texts = list(X)
    for i, doc in enumerate(texts):
        if not isinstance(doc, str):
            raise ValueError(f"document {i} is {type(doc).__name__}, expected str")
    return texts


def as_pairs(X: Any) -> tuple[list[str], list[str]]:
    """Split ``X`` (sequence of ``(text, target)`` pairs or an ``(n, 2)`` array) into two lists."""
    if isinstance(X, str | bytes):
        raise ValueError("expected (text, target) pairs, got a single string")
    arr = np.asarray(list(X) if not isinstance(X, np.ndarray) else X, dtype=object)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise ValueError(
            f"expected (text, target) pairs with shape (n_samples, 2), got shape {arr.shape}"
        )
    texts, targets = as_texts(arr[:, 0]), as_texts(arr[:, 1])
    return texts, targets


def check_ngram_range(name: str, value: Sequence[int] | None) -> tuple[int, int] | None:
    """Accept a list or tuple (YAML has no tuples) and return a validated tuple."""
    if value is None:
        return None
    try:
        low, high = (int(v) for v in value)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a pair [min_n, max_n], got {value!r}") from None
    if not 1 <= low <= high:
        raise ValueError(f"{name} must satisfy 1 <= min_n <= max_n, got {value!r}")
    return low, high


#: the parameters both text vectorizers share (TF-IDF and hashed): one declaration, so the two
#: stay interchangeable in config
TEXT_NGRAM_CONSTRAINTS: dict[str, list[Any]] = {
    "lang": LANG,
    "word_ngram_range": [*NGRAM_RANGE, None],
    "char_ngram_range": [*NGRAM_RANGE, None],
    "stem": ["boolean"],
    "stopwords": ["boolean"],
    "sublinear_tf": ["boolean"],
    "char_weight": [POSITIVE],
}


def check_text_ngram_params(
    word_ngram_range: Sequence[int] | None, char_ngram_range: Sequence[int] | None
) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """Check the word/char n-gram ranges (ordered, not both None); return them as tuples."""
    word = check_ngram_range("word_ngram_range", word_ngram_range)
    char = check_ngram_range("char_ngram_range", char_ngram_range)
    if word is None and char is None:
        raise ValueError("word_ngram_range and char_ngram_range cannot both be None")
    return word, char


def string_input_tags(tags: Any) -> Any:
    """Mark sklearn ``tags`` as those of an estimator taking strings, not a 2-d array."""
    tags.input_tags.string = True
    tags.input_tags.two_d_array = False
    return tags
