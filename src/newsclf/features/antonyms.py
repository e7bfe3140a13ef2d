"""Opposite poles of news predicates in Hungarian and English: a claim that says the opposite.

A claim that contradicts an article is often the article's sentence with one word turned into
its opposite ("nőtt" → "csökkent", "accepted" → "rejected", "survived" → "died"). Sentence
embeddings hardly see that (the two sentences are about the same thing), and a model trained
on English pairs cannot learn Hungarian words. The poles below are *language-neutral
concepts*: each lists the stems of both languages, so an English claim that says "rejected"
meets a Hungarian article that says "elfogadta" on the same concept.

A token takes the pole of the longest stem it starts with, also after a Hungarian verbal
prefix ("megnőtt", "lecsökkent"), so "jogszerűtlen" is unlawful, not lawful. Words that carry
a pole in one sense only (English "more", Hungarian "marad") are left out: a false conflict
costs an agree pair. So are compass points: "North Korean troops" and "South Korean
intelligence" are names, not opposite facts.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

__all__ = ["CONCEPTS", "conflicts", "poles"]

# fmt: off
#: concept -> poles -> stems (Hungarian and English, lower case). Prefix stems unless the
#: stem ends in "$", which is matched as a whole word.
CONCEPTS: dict[str, dict[str, tuple[str, ...]]] = {
    "amount": {
        "up": (
            "increas", "rise$", "rises$", "rising$", "rose$", "risen$", "grow", "grew$",
            "surge$", "surged$", "surges$", "surging$", "soar", "climb", "jump", "boost",
            "expand", "rais", "hike", "higher$",
            "nőtt", "növek", "növel", "emelked", "emel", "bővül", "bővít",
            "gyarapod", "ugrott", "szárnyal", "magasabb", "duplázód", "megduplá",
        ),
        "down": (
            "decreas", "declin", "fall$", "falls$", "falling$", "fell$", "fallen$", "drop",
            "cut$", "cuts$", "cutting$", "reduc", "lower", "shrink", "shrank", "shrunk",
            "slump", "plung", "slash", "tumbl",
            "csökk", "esett", "zuhan", "zsugorod", "mérséklőd", "visszaes", "apad", "szűkül",
            "alacsonyabb",
            "megfelez", "lefelez",
        ),
    },
    "comparison": {
        "less": ("fewer$", "less$", "least$", "kevesebb", "legkevesebb"),
        "more": ("többet$", "többen$", "legtöbb"),
    },
    "decision": {
        "yes": (
            "accept", "approv", "adopt", "endors", "agreed$", "agrees$", "consent",
            "elfogad", "jóváhagy", "beleegyez", "megszavaz", "aláír", "engedélyez",
            "rábólint",
        ),
        "no": (
            "reject", "refus", "veto", "declined$", "oppos", "block",
            "elutasít", "visszautasít", "megvétóz", "vétóz", "ellenez", "megtagad",
            "leszavaz", "elvet", "megakadályoz",
        ),
    },
    "permission": {
        "allow": ("allow", "permit", "legaliz", "legalis", "enged", "lehetővé"),
        "ban": ("ban$", "bans$", "banned$", "banning$", "prohibit", "forbid", "outlaw",
                "tilt", "betilt", "tilal"),
    },
    "contest": {
        "win": ("win$", "wins$", "won$", "winning$", "winner", "victor", "triumph",
                "nyert", "nyerte", "nyerni", "nyeri", "nyerés", "nyertes", "győz",
                "legyőz", "diadal"),
        "lose": ("lose$", "loses$", "lost$", "losing$", "loser", "defeat", "vesztes",
                 "veszít", "kikap", "vereség", "alulmarad", "kiesett", "kiesik"),
    },
    "life": {
        "alive": ("surviv", "alive$", "unharmed", "unhurt", "túlél", "életben", "megmenek",
                  "sértetlen"),
        "dead": ("die$", "died$", "dies$", "dead$", "death", "killed$", "kills$", "fatal",
                 "meghal", "meghalt", "halál", "halott", "elhunyt", "megöl", "életét"),
    },
    "verdict": {
        "innocent": ("acquit", "innocent", "cleared$", "felment", "ártatlan"),
        "guilty": ("convict", "guilty", "sentenc", "jailed", "imprison", "elítél", "bűnös",
                   "börtönbüntet", "szabadságvesztés"),
    },
    "judgement": {
        "praise": ("prais", "welcom", "applaud", "hail", "commend", "dicsér", "üdvözöl",
                   "méltat"),
        "blame": ("condemn", "criticis", "criticiz", "denounc", "slam", "blame",
                  "elítél", "bírál", "kritiz", "megbélyegez", "elmarasztal"),
    },
    "presence": {
        "stay": ("stays$", "stayed$", "remained$", "remains$", "maradt$", "marad$",
                 "maradnak$", "maradtak$"),
        "leave": ("leave$", "leaves$", "left$", "leaving$", "quit", "resign", "depart",
                  "távoz", "elhagy", "lemond", "kilép", "elmegy", "elment", "távozik"),
    },
    "measure": {
        "impose": ("impos", "introduc", "kivet", "bevezet", "kiszab"),
        "lift": ("lift", "abolish", "scrap", "eliminat", "eltöröl", "eltörl", "megszüntet",
                 "felold", "visszavon", "visszavonta"),
    },
    "lawfulness": {
        "lawful": ("lawful", "legal$", "legally$", "jogszerű", "törvényes", "jogos"),
        "unlawful": ("unlawful", "illegal", "jogellenes", "jogszerűtlen", "törvénytelen",
                     "illegális", "jogtalan"),
    },
    "outcome": {
        "success": ("succe", "sikeres", "sikerült", "siker$"),
        "failure": ("fail", "unsuccessful", "sikertelen", "kudarc", "meghiúsul"),
    },
    "price": {
        "cheap": ("cheap", "olcsó", "olcsóbb", "olcsóbbod", "árcsökken"),
        "dear": ("expensiv", "pricier", "costlier", "drága", "drágább", "drágul", "áremel"),
    },
    "rules": {
        "strict": ("tighten", "stricter", "harsher", "szigorít", "szigorúbb", "szigorod"),
        "lax": ("loosen", "relax", "laxer", "enyhít", "lazít", "enyhébb"),
    },
    "access": {
        "open": ("opened$", "opens$", "reopen", "megnyit", "nyitva", "újranyit", "kinyit"),
        "closed": ("closed$", "closes$", "closure", "shut", "bezár", "lezár", "zárva",
                   "lezárás"),
    },
    "continuation": {
        "go_on": ("continu", "resum", "folytat", "folytatód", "újraindul", "újraind"),
        "halt": ("halt", "suspend", "stopped$", "stops$", "paus", "leáll", "felfüggeszt",
                 "szünetel", "megszakít", "beszünt"),
    },
    "membership": {
        "join": ("join", "csatlakoz", "belép"),
        "exit": ("withdr", "kilép", "kivonul", "kiválik", "kilépés"),
    },
    "custody": {
        "held": ("arrest", "detain", "letartóztat", "őrizetbe", "elfog"),
        "free": ("releas", "freed$", "szabadon", "szabadlábra", "elenged"),
    },
}
# fmt: on

#: Hungarian verbal prefixes stripped before matching ("megnőtt" → "nőtt")
_PREVERBS = ("meg", "el", "fel", "föl", "le", "ki", "be", "vissza", "át", "össze", "rá", "újra")


@lru_cache(maxsize=1)
def _stems() -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str]]]:
    """(prefix stems, whole words), each (stem, concept, pole), longest first."""
    prefixes, words = [], []
    for concept, by_pole in CONCEPTS.items():
        for pole, stems in by_pole.items():
            for stem in stems:
                if stem.endswith("$"):
                    words.append((stem[:-1], concept, pole))
                else:
                    prefixes.append((stem, concept, pole))
    prefixes.sort(key=lambda s: -len(s[0]))
    return prefixes, words


def _pole(token: str) -> tuple[str, str] | None:
    prefixes, words = _stems()
    candidates = [token] + [token[len(p) :] for p in _PREVERBS if token.startswith(p)]
    best: tuple[int, str, str] | None = None
    for form in candidates:
        for word, concept, pole in words:
            if form == word and (best is None or len(word) > best[0]):
                best = (len(word), concept, pole)
        for stem, concept, pole in prefixes:
            if form.startswith(stem):
                if best is None or len(stem) > best[0]:
                    best = (len(stem), concept, pole)
                break  # longest prefix of this form
    return None if best is None else (best[1], best[2])


#: words that turn the next word's pole over ("nem sikerült" is a failure, "did not win" a loss)
_NEGATORS = frozenset({"not", "no", "never", "nem", "sem", "soha", "nincs", "without"})
#: Hungarian postpositions that negate the word before them ("halott nélkül": without a death)
_NEGATING_POSTPOSITIONS = frozenset({"nélkül"})
#: how many tokens before a word a negator reaches ("did not win", "nem is sikerült")
_NEGATION_REACH = 2


def _negated(tokens: list[str], at: int) -> bool:
    before = tokens[max(at - _NEGATION_REACH, 0) : at]
    after = tokens[at + 1 : at + 1 + _NEGATION_REACH]
    return any(t in _NEGATORS or t.endswith("n't") for t in before) or any(
        t in _NEGATING_POSTPOSITIONS for t in after
    )


def poles(tokens: Iterable[str]) -> set[tuple[str, str]]:
    """The (concept, pole) pairs that ``tokens`` (lower case) express; a negated word of a
    two-pole concept counts as its opposite."""
    tokens = list(tokens)
    out = set()
    for at, token in enumerate(tokens):
        hit = _pole(token)
        if hit is None:
            continue
        concept, pole = hit
        others = [p for p in CONCEPTS[concept] if p != pole]
        if len(others) == 1 and _negated(tokens, at):
            pole = others[0]
        out.add((concept, pole))
    return out


def conflicts(claim: set[tuple[str, str]], article: set[tuple[str, str]]) -> int:
    """Concepts on which the claim takes a pole the article never takes, while the article
    takes another pole of the same concept: the claim says the opposite."""
    concepts = {concept for concept, _ in article}
    return sum(
        1 for concept, pole in claim if concept in concepts and (concept, pole) not in article
    )
