"""Text handling shared by every feature extractor: normalisation, language, tokens, stems."""

from newsclf.text.lang import SUPPORTED_LANGUAGES, detect_language
from newsclf.text.normalize import normalize_text
from newsclf.text.tokenize import WordAnalyzer, stem, tokenize

__all__ = [
    "SUPPORTED_LANGUAGES",
    "WordAnalyzer",
    "detect_language",
    "normalize_text",
    "stem",
    "tokenize",
]
