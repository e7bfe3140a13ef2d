"""Unicode normalisation so that the same word always yields the same features.

News text arrives with decomposed accents (``a`` + U+0301), typographic quotes and dashes,
non-breaking spaces and control characters; Hungarian ő/ű are also often typed as õ/û
(Latin-1 look-alikes). All of these are folded here, before tokenising or char n-grams.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["is_control_char", "normalize_text"]

_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00ad": "",  # soft hyphen
        "\u200b": "",  # zero-width space
        "\ufeff": "",  # BOM / zero-width no-break space
        # Hungarian double acute accents typed with Latin-1 look-alikes
        "\u00f5": "\u0151",  # õ -> ő
        "\u00fb": "\u0171",  # û -> ű
        "\u00d5": "\u0150",
        "\u00db": "\u0170",
    }
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")


def is_control_char(ch: str) -> bool:
    """True for a control character, which :func:`normalize_text` turns into a space."""
    return _CONTROL.fullmatch(ch) is not None


def normalize_text(text: str, *, lowercase: bool = True) -> str:
    """Return ``text`` in NFKC, quotes, dashes and spaces folded, controls turned into spaces."""
    if not isinstance(text, str):
        raise TypeError(f"expected a string, got {type(text).__name__}")
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    text = _CONTROL.sub(" ", text)
    text = _SPACE.sub(" ", text).strip()
    return text.lower() if lowercase else text
