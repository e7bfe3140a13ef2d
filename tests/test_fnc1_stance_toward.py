"""The body's stance toward the headline's claim: the third set of FNC-1 relation features."""

from __future__ import annotations

import numpy as np
import pytest

from newsclf.features.cues import NOT_TRUE, STRONG_REFUTING, count_cues
from newsclf.features.headline_body import RELATION_FEATURES, HeadlineBodyFeatures
from newsclf.models import build_model
from newsclf.text.tokenize import tokenize

# tokens: officials(0) said the shark(3) photo(4) is a hoax(7) experts confirmed the shark(11)
# photo(12) isn't(13) real rain is expected tomorrow(18): 19 tokens, three sentences
_BODY = (
    "Officials said the shark photo is a hoax. "
    "Experts confirmed the shark photo isn't real. "
    "Rain is expected tomorrow."
)


def _row(body: str, headline: str) -> dict[str, float]:
    pair = (body, headline)
    est = HeadlineBodyFeatures(lsa_components=1, min_df=1).fit([pair])
    values = est.transform([pair]).toarray()[0, : len(RELATION_FEATURES)]
    return dict(zip(RELATION_FEATURES, values, strict=True))


def test_strong_refuting_cues_and_not_true_phrases_are_found() -> None:
    tokens = tokenize("The hoax was debunked; the photos were fake, not doctored.")
    assert [tokens[i] for i in count_cues(tokens, STRONG_REFUTING)] == [
        "hoax",
        "debunked",
        "fake",
        "doctored",
    ]
    text = "It isn't true. There is no evidence. It never happened. Notable truth. Not real!"
    assert NOT_TRUE.findall(text) == ["n't true", "no evidence", "never happened", "Not real"]


def test_stance_toward_claim_features_match_hand_computed_values() -> None:
    row = _row(_BODY, "Shark photo")
    assert row["refuting_density"] == pytest.approx(1 / 19)  # "hoax"
    assert row["first_refuting_position"] == pytest.approx(7 / 19)
    assert row["body_strong_refuting"] == pytest.approx(np.log1p(1))
    assert row["body_not_true"] == pytest.approx(np.log1p(1))  # "isn't real"
    # "hoax" (7) is 3 tokens from "photo" (4); 1 refutation near the 4 headline-term tokens
    assert row["strong_refuting_near_headline"] == pytest.approx(np.log1p(1))
    assert row["refuting_near_headline_per_mention"] == pytest.approx(1 / 4)
    # two sentences mention the headline, the first of them refutes, none hedges
    assert row["refuting_mentioning_sentence_share"] == pytest.approx(1 / 2)
    assert row["hedging_mentioning_sentence_share"] == 0
    assert row["refuting_in_first_mentioning_sentence"] == 1
    # the strong refutation is in one mentioning sentence and "not true" in the other, so
    # their similarity-weighted shares add up to 1; the third sentence has weight 0
    shares = row["similarity_weighted_strong_refuting"] + row["similarity_weighted_not_true"]
    assert shares == pytest.approx(1.0)
    assert row["similarity_weighted_hedging"] == 0
    assert row["headline_strong_refuting"] == 0
    assert row["negation_before_headline_terms"] == 0  # "isn't" comes after "shark photo"
    assert _row(_BODY, "Shark photo is fake")["headline_strong_refuting"] == pytest.approx(
        np.log1p(1)
    )


def test_negation_counts_before_a_headline_term_only_within_three_tokens() -> None:
    # not(3) is 1 token before resign(4), not(9) 1 token before resign(10)
    near = _row("The mayor did not resign. He said he will not resign soon.", "Mayor resigns")
    assert near["negation_before_headline_terms"] == pytest.approx(np.log1p(2))
    # nobody(0) is 4 and 5 tokens before mayor(4) and resigned(5)
    far = _row("Nobody ever said the mayor resigned.", "Mayor resigns")
    assert far["negation_before_headline_terms"] == 0


def test_body_without_refutation_has_neutral_stance_features() -> None:
    row = _row("The council approved the bridge. Work starts next year.", "Council bridge")
    assert row["refuting_density"] == 0 and row["body_strong_refuting"] == 0
    assert row["first_refuting_position"] == 1.0  # none: past the end
    assert row["refuting_near_headline_per_mention"] == 0


def test_stance_dense_groups_config_sets_the_boosted_models_columns() -> None:
    groups = {"a": range(0, 1), "b": range(1, 3), "c": range(3, 5)}
    params = {"relatedness_groups": ["b", "a"], "stance_dense": {"weight": 0.5, "max_iter": 5}}
    model = {"name": "related_then_stance", "params": params}
    same = build_model(model, seed=0, feature_groups=groups)
    assert list(same.relatedness_columns) == [0, 1, 2] == list(same.stance.dense_columns)
    params["stance_dense"] = {**params["stance_dense"], "groups": ["a", "b", "c"]}
    wider = build_model(model, seed=0, feature_groups=groups)
    assert list(wider.relatedness_columns) == [0, 1, 2]
    assert list(wider.stance.dense_columns) == [0, 1, 2, 3, 4]
