"""Refuting, hedging and negation cue words in Hungarian and English.

Each list has *prefixes* (stems: Hungarian suffixes "cáfolta", "cáfolat", "cáfolják" and
English inflections "denied", "denies" hit the same cue) and *words* matched whole (short
words such as "no" or "may" would match too much as prefixes).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HEDGING", "NEGATION", "REFUTING", "Cues", "count_cues"]


@dataclass(frozen=True)
class Cues:
    prefixes: tuple[str, ...]
    words: frozenset[str]


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
)


def count_cues(tokens: list[str], cues: Cues) -> list[int]:
    """Positions in ``tokens`` (lowercased) where a cue occurs."""
    return [i for i, tok in enumerate(tokens) if tok in cues.words or tok.startswith(cues.prefixes)]
