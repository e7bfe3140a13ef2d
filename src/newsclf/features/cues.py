"""Refuting, hedging and negation cue words in Hungarian and English.

Matched as prefixes of normalised tokens, so that Hungarian suffixes ("cáfolta", "cáfolat",
"cáfolják") and English inflections ("denied", "denies") hit the same cue.
"""

from __future__ import annotations

__all__ = ["HEDGING", "NEGATION", "REFUTING", "count_prefixed"]

REFUTING = (
    # English
    "deni", "deny", "refut", "debunk", "false", "fake", "hoax", "untrue", "baseless",
    "fabricat", "dismiss", "reject", "disput", "contradict", "misleading", "unfounded",
    "retract", "bogus", "myth", "lie", "lies", "lying", "wrong",
    # Hungarian
    "cáfol", "tagad", "valótlan", "hamis", "álhír", "alaptalan", "koholmány", "visszautasít",
    "elutasít", "téves", "hazugság", "nem igaz", "megalapozatlan", "kitalál", "dezinformáci",
)
HEDGING = (
    "alleg", "reportedly", "report", "claim", "rumor", "rumour", "unconfirmed", "unverified",
    "may", "might", "could", "possibl", "likely", "suggest", "appear", "accord", "suspect",
    "állítólag", "értesülés", "állít", "feltehető", "valószínű", "lehet", "megerősítetlen",
    "nem megerősített", "szerint", "sajtóhír", "forrás", "feltételez", "gyanú",
)
NEGATION = (
    "not", "no", "never", "none", "nothing", "nobody", "neither", "nor", "without",
    "nem", "sem", "nincs", "soha", "senki", "semmi", "sehol", "nélkül",
)


def count_prefixed(tokens: list[str], cues: tuple[str, ...]) -> list[int]:
    """Positions in ``tokens`` that start with any single-word cue (multi-word cues: first word)."""
    heads = tuple({c.split()[0] for c in cues})
    exact = {c for c in heads if len(c) <= 4}
    prefixes = tuple(c for c in heads if len(c) > 4)
    return [
        i for i, tok in enumerate(tokens) if tok in exact or (prefixes and tok.startswith(prefixes))
    ]
