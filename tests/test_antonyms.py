"""Opposite poles of news predicates in both languages (issue 23: contradicting claims)."""

from __future__ import annotations

import pytest

from newsclf.features.antonyms import CONCEPTS, conflicts, poles
from newsclf.text.tokenize import tokenize


def _poles(text: str) -> set[tuple[str, str]]:
    return poles(tokenize(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Csökkent a betegek száma", ("amount", "down")),
        ("megnőtt a forgalom", ("amount", "up")),  # after the verbal prefix "meg"
        ("Prices rose sharply", ("amount", "up")),
        ("A bíróság felmentette a vádlottat", ("verdict", "innocent")),
        ("The court convicted him", ("verdict", "guilty")),
        ("a döntés jogszerűtlen volt", ("lawfulness", "unlawful")),  # longest stem wins
        ("the decision was lawful", ("lawfulness", "lawful")),
    ],
)
def test_a_word_takes_the_pole_of_its_concept_in_either_language(text, expected) -> None:
    assert expected in _poles(text)


def test_a_negated_word_takes_the_opposite_pole() -> None:
    assert _poles("The launch did not succeed") == {("outcome", "failure")}
    assert _poles("nem sikerült a kilövés") == {("outcome", "failure")}
    # a Hungarian postposition negates the word before it: "without a single death"
    assert _poles("egyetlen halott nélkül") == {("life", "alive")}


def test_words_of_one_sense_only_are_not_read_as_poles() -> None:
    assert _poles("A nyersanyagok miatt") == set()  # "nyers" (raw) is not "nyer" (win)
    assert _poles("the surgery went well") == set()  # "surgery" is not a surge
    # compass points are parts of names: North and South Korea are not opposite facts
    assert _poles("közölte a dél-koreai hírszerzés") == set()


def test_a_claim_conflicts_where_the_article_takes_only_the_other_pole() -> None:
    article = _poles("A parlament elfogadta a törvényt, a forgalom nőtt.")
    assert conflicts(_poles("Parliament rejected the law"), article) == 1
    assert conflicts(_poles("Parliament passed and approved the law"), article) == 0
    assert conflicts(_poles("Sales rose and parliament rejected the law"), article) == 1
    # the article takes both poles: no contradiction can be read
    both = _poles("Sales rose in May and fell in June")
    assert conflicts(_poles("Sales fell"), both) == 0
    # a concept the article does not speak of is no conflict
    assert conflicts(_poles("The striker won the match"), article) == 0


def test_every_concept_has_at_least_two_poles_with_stems() -> None:
    for concept, by_pole in CONCEPTS.items():
        assert len(by_pole) >= 2, concept
        assert all(stems for stems in by_pole.values()), concept
