"""Refuting, hedging and negation cue words in Hungarian and English.

Each list has *prefixes* (stems: Hungarian suffixes "cáfolta", "cáfolat", "cáfolják" and
English inflections "denied", "denies" hit the same cue), *words* matched whole (short
words such as "no" or "may" would match too much as prefixes) and *suffixes* (the tokenizer
keeps English contractions whole, so "didn't" is one token that ends in "n't").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ATTRIBUTION",
    "CONFIRMING",
    "DENIAL",
    "HEDGING",
    "NEGATION",
    "NOT_TRUE",
    "REFUTING",
    "STRONG_REFUTING",
    "Cues",
    "count_cues",
]


@dataclass(frozen=True)
class Cues:
    prefixes: tuple[str, ...]
    words: frozenset[str]
    suffixes: tuple[str, ...] = ()


REFUTING = Cues(
    prefixes=(
        # English
        "deni",
        "deny",
        "refut",
        "debunk",
        "false",
        "fake",
        "hoax",
        "untrue",
        "baseless",
        "fabricat",
        "dismiss",
        "reject",
        "disput",
        "contradict",
        "misleading",
        "unfounded",
        "retract",
        "bogus",
        # Hungarian
        "cáfol",
        "tagad",
        "valótlan",
        "hamis",
        "álhír",
        "alaptalan",
        "koholmány",
        "visszautasít",
        "elutasít",
        "téves",
        "hazugság",
        "megalapozatlan",
        "kitalál",
        "dezinformáci",
    ),
    words=frozenset({"lie", "lies", "lied", "lying", "wrong", "myth"}),
)
HEDGING = Cues(
    prefixes=(
        "alleg",
        "reportedly",
        "claim",
        "rumor",
        "rumour",
        "unconfirmed",
        "unverified",
        "possibl",
        "likely",
        "suggest",
        "appear",
        "accord",
        "suspect",
        "állítólag",
        "értesülés",
        "állít",
        "feltehető",
        "valószínű",
        "megerősítetlen",
        "sajtóhír",
        "feltételez",
        "gyanú",
        "lehetséges",
    ),
    words=frozenset({"may", "might", "could", "report", "reports", "lehet", "szerint"}),
)
NEGATION = Cues(
    prefixes=("soha", "senki", "semmi", "sehol", "nélkül", "without"),
    words=frozenset(
        {
            "not",
            "no",
            "never",
            "none",
            "nothing",
            "nobody",
            "neither",
            "nor",
            "nem",
            "sem",
            "nincs",
            "nincsenek",
            "n't",
        }
    ),
    suffixes=("n't",),
)
#: words that assert a report is true (an ``agree`` body confirms, a ``discuss`` body reports)
CONFIRMING = Cues(
    prefixes=(
        "confirm",
        "verifi",
        "verified",
        "prove",
        "proof",
        "officially",
        "announc",
        "reveal",
        "admit",
        "acknowledg",
        "indeed",
        "actual",
        "genuine",
        "authentic",
        "megerősít",
        "bejelent",
        "bizonyít",
        "hivatalos",
        "elismer",
    ),
    words=frozenset({"true", "real", "did", "does", "valóban", "igaz"}),
)
#: attribution to a source: what a ``discuss`` body does instead of taking a side
ATTRIBUTION = Cues(
    prefixes=("according", "reportedly", "source", "quot", "told", "spokes", "forrás", "közöl"),
    words=frozenset(
        {
            "said",
            "says",
            "say",
            "saying",
            "told",
            "tells",
            "report",
            "reports",
            "reported",
            "claims",
            "claimed",
            "mondta",
            "írta",
            "szerint",
        }
    ),
)

#: words that call the claim itself false (a subset of the refuting sense, without "deny" or
#: "reject", which also report a side's position): a ``disagree`` body's strongest signal
STRONG_REFUTING = Cues(
    prefixes=(
        "hoax",
        "fake",
        "false",
        "debunk",
        "untrue",
        "fabricat",
        "bogus",
        "myth",
        "mislead",
        "satir",
        "prank",
        "photoshop",
        "doctored",
        "álhír",
        "hamis",
        "valótlan",
        "koholmány",
    ),
    words=frozenset({"lie", "lies", "rumour", "rumor"}),
)
#: a side denying a report ("X denies that ..."): a claim that says so contradicts an article
#: that reports it as fact (the article itself does not deny it)
DENIAL = Cues(
    prefixes=("deni", "deny", "refut", "debunk", "cáfol", "tagad"),
    words=frozenset(),
)
#: "not true", "no evidence", "never happened": negated assertions of truth (English phrases)
NOT_TRUE = re.compile(
    r"(?:\b(?:not|never|no)|n't)\s+"
    r"(?:true|real|genuine|authentic|happen\w*|evidence|truth|confirm\w*)\b"
    r"|\bno (?:evidence|truth|proof)\b",
    re.IGNORECASE,
)


def count_cues(tokens: list[str], cues: Cues) -> list[int]:
    """Positions in ``tokens`` (lowercased) where a cue occurs."""
    return [
        i
        for i, tok in enumerate(tokens)
        if tok in cues.words
        or tok.startswith(cues.prefixes)
        or (cues.suffixes and tok.endswith(cues.suffixes))
    ]
