"""Cheap language identification: Hungarian, English, or ``other``.

A per-document guess is enough to choose a stemmer and a stopword list; it relies on
Hungarian-only letters and on stopword hits, and never needs a model download. The letters
Hungarian shares with Spanish, Catalan or German (á, é, ö, ü, ...) are not enough on their
own, so frequent function words and letters of those neighbours count as evidence for
``"other"``: such a text gets no stemming and no stopword removal, rather than a Hungarian or
English stemmer that would mangle its words.
"""

from __future__ import annotations

import re

from newsclf.text.stopwords import STANCE_WORDS, STOPWORDS

__all__ = [
    "DETECTED_LANGUAGES",
    "LANGUAGE_WORDS",
    "OTHER",
    "SUPPORTED_LANGUAGES",
    "detect_language",
    "language_of_normalized",
    "word_language_evidence",
]

#: the languages newsclf stems (and that a config may fix with ``lang:``)
SUPPORTED_LANGUAGES = ("hu", "en")
#: what detection answers: a supported language, or ``other`` (tokenised, not stemmed)
OTHER = "other"
DETECTED_LANGUAGES = (*SUPPORTED_LANGUAGES, OTHER)
#: the guess reads this many whitespace-separated words from the start of the normalised text
LANGUAGE_WORDS = 300
#: accented letters of Hungarian; all but ő and ű also occur in Spanish, Catalan, German, ...,
#: so those count for both Hungarian and other
_HU_LETTERS = re.compile(r"[őűáéíóöúü]")
_SHARED_LETTERS = re.compile(r"[áéíóöúü]")
#: letters of neighbouring Latin-script languages that neither Hungarian nor English uses
_OTHER_LETTERS = re.compile(r"[ñçßäàèìòùâêîôûãõëïœæøåłśćźżąęčřšžěů]")
_WORD = re.compile(r"\w+")
#: the words that count as evidence of each language: its stopwords and its stance words
_EVIDENCE = {lang: STOPWORDS[lang] | STANCE_WORDS[lang] for lang in SUPPORTED_LANGUAGES}
#: frequent function words of Spanish, Catalan, German, French, Italian, Portuguese and Dutch
#: (a word Hungarian also uses, such as "el" or "ha", counts for both)
_OTHER_WORDS = (
    frozenset(
        """
    el le ha se mi te a la los las del al lo que por para con una sus más pero como este esta
    también sobre entre hasta desde ya muy sin ser han fue son está porque cuando
    els les amb per dels pel és són aquest aquesta però més molt també seva
    der die das und ist nicht ein eine einen dem den des zu mit von sich auf für
    im auch als wird bei nach aus oder sind wurde wie noch nur über dass
    le les et est dans pour pas une sur avec sont qui ce cette mais plus ont été
    il della delle che non sono anche gli alla nel degli questo essere
    não uma com os das dos pelo pela ao também foi
    het een van voor niet zijn ook maar bij naar wordt werd
    """.split()
    )
    - _EVIDENCE["en"]
    - {"a", "az", "is", "de"}
)


def word_language_evidence(word: str) -> tuple[float, float, float]:
    """(Hungarian, English, other) evidence of one whitespace-separated word of normalised text.

    The guess of a text is the sum over its first :data:`LANGUAGE_WORDS` words, so a cache of
    this per word (the streaming features) gives exactly :func:`language_of_normalized`.
    """
    tokens = _WORD.findall(word)
    hu = sum(t in _EVIDENCE["hu"] for t in tokens) + 0.5 * len(_HU_LETTERS.findall(word))
    en = sum(t in _EVIDENCE["en"] for t in tokens)
    other = sum(t in _OTHER_WORDS for t in tokens) + 0.5 * (
        len(_OTHER_LETTERS.findall(word)) + len(_SHARED_LETTERS.findall(word))
    )
    return float(hu), float(en), float(other)


def decide_language(hu: float, en: float, other: float) -> str:
    """The language of summed evidence: ``other`` only when it beats both, English on ties."""
    if other > hu and other > en:
        return OTHER
    return "hu" if hu > en else "en"


def language_of_normalized(text: str) -> str:
    """:func:`detect_language` of a text already passed through ``normalize_text``."""
    hu = en = other = 0.0
    for word in text.split()[:LANGUAGE_WORDS]:
        h, e, o = word_language_evidence(word)
        hu += h
        en += e
        other += o
    return decide_language(hu, en, other)


def detect_language(text: str) -> str:
    """Return ``"hu"``, ``"en"`` or ``"other"`` for ``text`` (English without evidence).

    Hungarian-only letters count half a point, stopword hits one point each, over the first
    :data:`LANGUAGE_WORDS` words of the normalised, lowercased text; frequent function words
    and letters of other Latin-script languages count for ``"other"``, which wins only when it
    beats both.
    """
    from newsclf.text.normalize import normalize_text

    return language_of_normalized(normalize_text(text))
