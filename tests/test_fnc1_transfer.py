"""FNC-1 features and stance models that transfer to new headlines and new bodies (issue 8)."""

from __future__ import annotations

import importlib.util
import pickle
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.estimator_checks import check_estimator

from newsclf.data.records import Record
from newsclf.features.cues import ATTRIBUTION, CONFIRMING, NEGATION, count_cues
from newsclf.features.headline_body import RELATION_FEATURES, HeadlineBodyFeatures
from newsclf.models import build_model
from newsclf.models.stance_blend import DenseSparseBlendClassifier
from newsclf.models.two_stage import RelatedThenStanceClassifier
from newsclf.text.tokenize import tokenize

# --- cues -------------------------------------------------------------------------------------


def test_contracted_negations_count_as_negation() -> None:
    tokens = tokenize("Officials didn't confirm it and it isn't true, they said.")
    assert [tokens[i] for i in count_cues(tokens, NEGATION)] == ["didn't", "isn't"]


def test_confirming_and_attribution_cues_are_found_by_hand_checked_positions() -> None:
    tokens = tokenize("Police confirmed the arrest, according to a spokesman who told reporters.")
    assert [tokens[i] for i in count_cues(tokens, CONFIRMING)] == ["confirmed"]
    assert [tokens[i] for i in count_cues(tokens, ATTRIBUTION)] == [
        "according",
        "spokesman",
        "told",
    ]


# --- the second set of relation features --------------------------------------------------------

_BODY = (
    "Officials didn't confirm the minister resigned. "
    '"Is he gone?" a spokesman asked, according to sources. '
    "Rain is expected tomorrow."
)


def _relations(pairs: list[tuple[str, str]], fit_on: list[tuple[str, str]]) -> np.ndarray:
    est = HeadlineBodyFeatures(lsa_components=1, min_df=1, best_sentences=1).fit(fit_on)
    return est.transform(pairs).toarray()[:, : len(RELATION_FEATURES)]


def _col(name: str) -> int:
    return RELATION_FEATURES.index(name)


def test_new_relation_features_match_hand_computed_values() -> None:
    pair = (_BODY, "Minister resigned")
    row = _relations([pair], fit_on=[pair])[0]
    # three sentences; only the first mentions "minister"/"resigned"
    assert row[_col("sentence_count")] == pytest.approx(np.log1p(3))
    assert row[_col("mentioning_sentence_share")] == pytest.approx(1 / 3)
    # the best sentence is the first: one negation ("didn't"), one confirming cue, no "?"
    assert row[_col("negation_in_best_sentences")] == pytest.approx(np.log1p(1))
    assert row[_col("confirming_in_best_sentences")] == pytest.approx(np.log1p(1))
    assert row[_col("questions_in_best_sentences")] == 0
    assert row[_col("body_questions")] == pytest.approx(np.log1p(1))
    # lead = first two sentences: "didn't" is a negation there, no refuting word
    assert row[_col("negation_in_lead_sentences")] == pytest.approx(np.log1p(1))
    assert row[_col("refuting_in_lead_sentences")] == 0
    # tokens: officials didn't confirm the minister(4) resigned(5) is he gone a spokesman(10)
    # asked according(12) to sources(14): within 8 tokens of "resigned" are 2 attributions
    assert row[_col("attribution_near_headline")] == pytest.approx(np.log1p(2))
    assert row[_col("body_attribution")] == pytest.approx(np.log1p(3))
    assert row[_col("idf_coverage")] == pytest.approx(1.0)


def test_idf_coverage_counts_a_term_unseen_in_training_at_the_highest_idf() -> None:
    fit_on = [("The striker scored in the final.", "Minister resigned")]
    headline = "Minister Zorblax resigned"  # "zorblax" was never seen when fitting
    row = _relations([("The minister resigned on Monday.", headline)], fit_on)[0]
    # equal IDF for the two seen terms (both only in the one headline) and the top IDF for
    # the unseen one, which is the same value: 2 of 3 equal weights are covered
    assert row[_col("idf_coverage")] == pytest.approx(2 / 3)
    unrelated = _relations([("Rain is expected tomorrow.", headline)], fit_on)[0]
    assert unrelated[_col("idf_coverage")] == 0


# --- stance_scale -------------------------------------------------------------------------------


def _model_input() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 5))
    y = np.where(
        X[:, 0] > 0.5,
        "unrelated",
        np.where(X[:, 1] > 0.8, "disagree", np.where(X[:, 2] > 0, "agree", "discuss")),
    )
    return X, y


def test_stance_scale_multiplies_and_renormalises_the_stance_probabilities() -> None:
    X, y = _model_input()
    plain = RelatedThenStanceClassifier(relatedness=LogisticRegression()).fit(X, y)
    scaled = clone(plain).set_params(stance_scale={"disagree": 3.0}).fit(X, y)
    stance = plain.stance_.predict_proba(X) * np.asarray([1.0, 3.0, 1.0])
    stance /= stance.sum(axis=1, keepdims=True)
    p_related = 1 - plain.predict_proba(X)[:, 3]
    np.testing.assert_allclose(scaled.predict_proba(X)[:, :3], p_related[:, None] * stance)
    np.testing.assert_allclose(scaled.predict_proba(X).sum(axis=1), 1.0)
    assert (scaled.predict(X) == "disagree").sum() > (plain.predict(X) == "disagree").sum()


@pytest.mark.parametrize(
    ("scale", "match"),
    [({"disagree": 0}, "positive"), ({"refute": 2.0}, "not stances"), (["x"], "(?i)mapping")],
    ids=["zero", "unknown-label", "not-a-mapping"],
)
def test_stance_scale_rejects_bad_values(scale: object, match: str) -> None:
    X, y = _model_input()
    with pytest.raises(ValueError, match=match):
        RelatedThenStanceClassifier(stance_scale=scale).fit(X, y)


# --- the dense + sparse blend -----------------------------------------------------------------


def test_blend_averages_the_two_models_probabilities() -> None:
    X, y = _model_input()
    blend = DenseSparseBlendClassifier(
        dense=LogisticRegression(C=0.1),
        sparse=LogisticRegression(),
        dense_columns=2,
        dense_weight=0.25,
    ).fit(X, y)
    expected = 0.25 * blend.dense_.predict_proba(X[:, :2]) + 0.75 * blend.sparse_.predict_proba(X)
    np.testing.assert_allclose(blend.predict_proba(X), expected)
    only_dense = clone(blend).set_params(dense_weight=1.0).fit(X, y)
    assert only_dense.sparse_ is None
    restored = pickle.loads(pickle.dumps(blend))
    np.testing.assert_array_equal(restored.predict(X), blend.predict(X))


@pytest.mark.slow  # ~25 s on the loaded 2-core machine: over the fast suite's budget
def test_blend_passes_sklearn_check_estimator() -> None:
    check_estimator(
        DenseSparseBlendClassifier(dense=LogisticRegression(), sparse=LogisticRegression())
    )


@pytest.mark.parametrize(
    "params", [{"dense_columns": 0}, {"dense_columns": 9}, {"dense_weight": 1.5}]
)
def test_blend_rejects_bad_parameters_at_fit(params: dict) -> None:
    X, y = _model_input()
    with pytest.raises(ValueError, match="dense_"):
        DenseSparseBlendClassifier(**params).fit(X, y)


def test_related_then_stance_config_builds_the_blend_and_the_scale() -> None:
    model = build_model(
        {
            "name": "related_then_stance",
            "params": {
                "relatedness_groups": ["lead"],
                "stance_scale": {"disagree": 1.5},
                "stance_dense": {"weight": 0.7, "max_iter": 5, "class_weight": "balanced"},
            },
        },
        seed=3,
        feature_groups={"lead": range(0, 3), "rest": range(3, 6)},
    )
    assert isinstance(model.stance, DenseSparseBlendClassifier)
    assert list(model.stance.dense_columns) == [0, 1, 2] and model.stance.dense_weight == 0.7
    assert model.stance.dense.max_iter == 5 and model.stance.dense.random_state == 3
    assert model.stance_scale == {"disagree": 1.5}
    X, y = _model_input()
    assert model.fit(X, y).predict_proba(X).shape == (len(y), 4)


# --- the strict split of the benchmark ---------------------------------------------------------


def _bench():
    path = Path(__file__).resolve().parents[1] / "experiments" / "bench_fnc1.py"
    spec = importlib.util.spec_from_file_location("bench_fnc1", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_strict_folds_have_new_headlines_and_new_bodies() -> None:
    records = []
    for claim in range(6):
        for body in range(2):
            for head in range(2):
                records.append(
                    Record(
                        id=f"{len(records)}",
                        line=len(records) + 1,
                        text=f"b{claim}{body}",
                        target=f"h{claim}{head}",
                        stance="agree",
                        group=f"{claim}{body}",
                    )
                )
            for other in range(6):
                if other != claim:
                    records.append(
                        Record(
                            id=f"{len(records)}",
                            line=len(records) + 1,
                            text=f"b{claim}{body}",
                            target=f"h{other}0",
                            stance="unrelated",
                            group=f"{claim}{body}",
                        )
                    )
    splits = _bench()._strict_splits(records, 3, seed=0)
    tested = set()
    for train, test in splits:
        assert len(test) and len(train)
        assert not {records[i].target for i in train} & {records[i].target for i in test}
        assert not {records[i].group for i in train} & {records[i].group for i in test}
        assert any(records[i].stance == "unrelated" for i in test)
        tested |= set(test)
    related = {i for i, r in enumerate(records) if r.stance != "unrelated"}
    assert related <= tested  # every related pair is tested once


# --- nested tuning of stance_scale (bench --tune-scale) -----------------------------------------


@pytest.mark.parametrize(
    "scale", [None, {"disagree": 3.0}, {"agree": 0.8, "disagree": 6.0}, {"discuss": 0.5}]
)
def test_scaled_predictions_from_cached_proba_match_the_classifier_with_that_scale(
    scale: dict | None,
) -> None:
    X, y = _model_input()
    plain = RelatedThenStanceClassifier(relatedness=LogisticRegression()).fit(X, y)
    scaled = clone(plain).set_params(stance_scale=scale).fit(X, y)
    pred = _bench().scaled_predictions(plain.predict_proba(X), plain.classes_, scale)
    np.testing.assert_array_equal(pred, scaled.predict(X))


def _tuning_case() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    classes = np.asarray(["agree", "disagree", "discuss", "unrelated"], dtype=object)
    y = np.asarray(["disagree"] * 2 + ["agree"] * 4 + ["discuss"] * 4 + ["unrelated"] * 4)
    proba = np.zeros((len(y), 4))
    proba[:2] = [0.3, 0.2, 0.4, 0.1]  # disagree pairs the model calls discuss: x2 recovers them
    proba[2:6] = [0.6, 0.1, 0.2, 0.1]
    proba[6:10] = [0.2, 0.05, 0.65, 0.1]
    proba[10:] = [0.05, 0.05, 0.1, 0.8]
    return y, proba, classes


def test_choose_scale_picks_the_multiplier_that_recovers_the_missed_disagree_pairs() -> None:
    y, proba, classes = _tuning_case()
    grid = {"disagree": [1.0, 1.5, 3.0, 6.0], "agree": [1.0]}
    scale, before, after = _bench().choose_scale(y, proba, classes, np.ones(len(y)), grid, 1.0)
    # x1.5 leaves them discuss (0.3 < 0.4); x3 recovers them (0.6 > 0.4) and leaves the agree
    # rows (0.3 < 0.6) and the discuss rows (0.15 < 0.65) alone
    assert scale == {"disagree": 3.0}
    assert before[1] < after[1] == pytest.approx(1.0)
    assert after[0] == pytest.approx(100.0)


def test_choose_scale_keeps_no_multiplier_when_the_fnc_score_would_drop_too_far() -> None:
    y, proba, classes = _tuning_case()
    y = y.copy()
    y[:2] = "discuss"  # now scaling disagree up only loses
    scale, before, after = _bench().choose_scale(
        y, proba, classes, np.ones(len(y)), {"disagree": [1.0, 3.0]}, 0.0
    )
    assert scale == {} and after == before


def test_unrelated_weights_restore_the_unrelated_share_of_the_reference_labels() -> None:
    y_all = np.asarray(["unrelated"] * 6 + ["agree"] * 2)
    y_tested = np.asarray(["unrelated", "agree", "discuss"])
    w = _bench()._unrelated_weights(y_tested, y_all)
    assert w[0] / w.sum() == pytest.approx(0.75) and list(w[1:]) == [1.0, 1.0]
