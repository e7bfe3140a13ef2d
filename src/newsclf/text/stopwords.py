"""Stopword lists for the stemmed word features.

English comes from scikit-learn; the Hungarian list was written for newsclf: articles,
conjunctions, pronouns, postpositions and auxiliaries that carry no topic or stance.
Negations and stance words (:data:`STANCE_WORDS`: not/nem, no, never/soha, sem, against/ellen,
without/nélkül, cannot, ...) are kept out of every list: "the minister did not resign" and
"the minister resigned" must not reduce to the same terms. Texts in another language
(``"other"``) have no stopword list: their words are kept as they are.
"""

from __future__ import annotations

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

__all__ = ["STANCE_WORDS", "STOPWORDS"]

#: words no stopword list may drop, per language: negation, refusal, opposition, absence
STANCE_WORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        {
            "no",
            "not",
            "nor",
            "never",
            "none",
            "nothing",
            "nobody",
            "neither",
            "nowhere",
            "cannot",
            "cant",
            "against",
            "without",
            "except",
        }
    ),
    "hu": frozenset(
        {
            "nem",
            "sem",
            "se",
            "nincs",
            "nincsenek",
            "ellen",
            "nélkül",
            "semmi",
            "semmit",
            "senki",
            "soha",
            "sehol",
            "helyett",
        }
    ),
}

_HUNGARIAN = """
a az egy és is meg de hogy nem sem ha mint csak már még volt van lesz lett
lehet kell ez azt ezt ezek azok ennek annak ebben abban erre arra erről arról
ezzel azzal itt ott ide oda most akkor majd pedig vagy illetve valamint hanem
mert mivel ugyanis tehát így úgy ilyen olyan amely amelyek amelyet amelynek
ami amit aminek amik akik aki akit akinek ahol ahogy amikor amíg mely melyek
én te ő mi ti ők engem téged őt minket titeket őket nekem neked neki nekünk
nektek nekik magam magad maga magunk magatok maguk saját
egyik másik minden mindenki semmi semmit senki valami valaki valamit bármi
sok több kevés néhány nagyon igen nincs nincsenek vannak voltak lesznek
után előtt alatt fölött felett mellett között közé szerint során miatt helyett
nélkül ellen felé óta alapján keresztül révén kívül belül
is se sőt azonban viszont ugyanakkor továbbá szintén mégis pedig hiszen
volna lenne lennének legyen legyenek vala való
egyes egyéb mind mindkét bár habár noha
el ki be le fel át rá vissza össze
al ill stb pl kb
""".split()

STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(ENGLISH_STOP_WORDS) - STANCE_WORDS["en"],
    "hu": frozenset(_HUNGARIAN) - STANCE_WORDS["hu"],
    "other": frozenset(),
}
