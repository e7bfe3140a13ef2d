"""Cross-lingual relatedness and the language-neutral stance head (issue 23)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from newsclf.errors import DataError
from newsclf.features.crosslingual import (
    CONTRAST_FEATURES,
    NEUTRAL_FEATURES,
    CrossLingualPairEmbedding,
    reference_texts,
)
from newsclf.features.headline_body import HeadlineBodyFeatures
from newsclf.models.two_stage import RelatedThenStanceClassifier

PAIRS = [
    ("Phenjan katonákat küldött Oroszországba, közölte a hírszerzés.", "North Korea sent troops"),
    (
        "Phenjan katonákat küldött Oroszországba, közölte a hírszerzés.",
        "Észak-Korea nem küld katonát",
    ),
    ("The council approved 3 new bridges on Monday.", "Council approves 5 bridges"),
    ("The council approved 3 new bridges on Monday.", "Council did not approve bridges"),
]


#: a two-stage classifier with a neutral head on column 1, routed by column 2
_HEAD = dict(
    relatedness_columns=[0],
    neutral=LogisticRegression(),
    neutral_columns=[1],
    route_column=2,
    neutral_labels=["agree", "disagree"],
)


def _fitted(**params) -> CrossLingualPairEmbedding:
    est = CrossLingualPairEmbedding(encoder="char_hash", reference_size=8, cache=False, **params)
    return est.fit(PAIRS)


def test_language_means_come_from_the_reference_corpus_per_role() -> None:
    est = _fitted(centering="language")
    assert set(est.means_) == {"hu", "en"}
    for roles in est.means_.values():
        assert set(roles) == {"query", "passage"}
        assert roles["query"].shape == (est.dim_,)
    assert not np.allclose(est.means_["hu"]["passage"], est.means_["en"]["passage"])


def test_reference_texts_spread_over_the_demo_corpus_and_cap_per_language() -> None:
    texts = reference_texts(None, 8)
    assert {lang: len(t["passage"]) for lang, t in texts.items()} == {"hu": 8, "en": 8}
    assert all(len(t["query"]) == len(t["passage"]) for t in texts.values())


def test_a_missing_reference_file_is_a_data_error_naming_it(tmp_path) -> None:
    with pytest.raises(DataError, match="reference"):
        reference_texts(str(tmp_path / "nope.jsonl"), 8)


def test_a_configured_reference_corpus_is_read(tmp_path) -> None:
    path = tmp_path / "ref.jsonl"
    rows = [
        {"text": "A kormány szerint nem.", "title": "Kormány"},
        {"text": "The cat sat.", "title": "Cat"},
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    texts = reference_texts(str(path), 8)
    assert texts["hu"]["query"] == ["Kormány"] and texts["en"]["passage"] == ["The cat sat."]


def test_centering_changes_the_cosine_and_none_keeps_pair_embedding() -> None:
    centred = _fitted(centering="language", calibration="none").transform(PAIRS)[:, 0]
    plain = _fitted(calibration="none").transform(PAIRS)[:, 0]
    assert not np.allclose(centred, plain)
    from newsclf.features.embed import PairEmbedding

    base = PairEmbedding(encoder="char_hash", cache=False).fit(PAIRS).transform(PAIRS)[:, 0]
    np.testing.assert_allclose(plain, base, rtol=1e-5)


def test_calibration_moves_only_pairs_that_are_not_english() -> None:
    est = _fitted()
    assert set(est.pair_stats_) == {("hu", "hu"), ("hu", "en"), ("en", "hu"), ("en", "en")}
    calibrated = est.transform(PAIRS)[:, 0]
    plain = _fitted(calibration="none").transform(PAIRS)[:, 0]
    np.testing.assert_allclose(calibrated[2:], plain[2:], rtol=1e-5)  # English-English
    assert not np.allclose(calibrated[:2], plain[:2])


def test_calibration_maps_unrelated_reference_scores_onto_the_english_scale() -> None:
    est = _fitted()
    mu_en, sd_en = est.pair_stats_[("en", "en")]
    mu, sd = est.pair_stats_[("en", "hu")]
    got = est._calibrated(np.asarray([mu, mu + sd]), ["en", "en"], ["hu", "hu"])
    np.testing.assert_allclose(got, [mu_en, mu_en + sd_en])


def test_route_and_neutral_columns_are_named_and_read_both_languages() -> None:
    est = _fitted()
    names = list(est.get_feature_names_out())
    X = est.transform(PAIRS)
    assert X.shape == (len(PAIRS), len(names)) == (len(PAIRS), est.n_features_out_)
    col = {n: X[:, i] for i, n in enumerate(names)}
    assert list(col["xling:route"]) == [1.0, 1.0, 0.0, 0.0]
    # "nem" and "not" are negations of their languages
    assert col["xling:claim_negation"][1] > 0 and col["xling:claim_negation"][3] > 0
    assert col["xling:claim_negation"][0] == 0 and col["xling:claim_negation"][2] == 0
    # the claim's 5 is not in the article, which says 3
    assert col["xling:claim_numbers_missing"][2] == 1.0
    scalars = [*NEUTRAL_FEATURES, *CONTRAST_FEATURES]
    assert names[-len(scalars) :] == [f"xling:{n}" for n in scalars]


def test_contrast_columns_mark_a_denial_and_an_opposite_across_languages() -> None:
    article = "A parlament hétfőn elfogadta a fegyvertartási szabályok szigorítását."
    pairs = [
        (article, "Parliament rejected the tighter gun rules"),  # opposite pole, in English
        (article, "A parlament elfogadta a szigorítást"),  # same pole
        (article, "The government denies that parliament voted"),  # a denial the lead lacks
        ("The ministry denied the report on Monday.", "The ministry denies the report"),
    ]
    est = _fitted()
    names = list(est.get_feature_names_out())
    X = est.transform(pairs)
    antonym = X[:, names.index("xling:antonym_conflict")]
    denial = X[:, names.index("xling:denial_unmatched")]
    assert antonym.tolist() == [1.0, 0.0, 0.0, 0.0]
    assert denial.tolist() == [0.0, 0.0, 1.0, 0.0]


def test_sentence_support_scores_the_best_sentence_of_routed_pairs_against_related_claims() -> None:
    article = (
        "A kormány hétfőn bejelentette az új adót.A parlament kedden elfogadta a költségvetést. "
        "Az ellenzék tiltakozott."
    )
    pairs = [
        (article, "A parlament elfogadta a költségvetést"),  # one sentence says it
        (article, "Az időjárás hideg lesz a hétvégén"),
        ("The council approved the budget.", "Council approves budget"),  # English: not routed
    ]
    raw = _fitted(support_sentences=10, support_stats={"hu-hu": [0.0, 1.0]})
    names = list(raw.get_feature_names_out())
    assert names[-1] == "xling:sentence_support"
    cos = raw.transform(pairs)[:, -1]
    assert cos[0] > cos[1] and cos[2] == 0.0
    # the glued sentences ("adót.A") are split: the best match is that one sentence alone
    alone = raw.transform([("A parlament kedden elfogadta a költségvetést.", pairs[0][1])])
    assert cos[0] == pytest.approx(alone[0, -1])
    scaled = _fitted(support_sentences=10, support_stats={"hu-hu": [0.5, 0.25]})
    np.testing.assert_allclose(scaled.transform(pairs)[:2, -1], (cos[:2] - 0.5) / 0.25)
    # a language pair without statistics gets the typical support, 0
    other = _fitted(support_sentences=10, support_stats={"en-hu": [0.5, 0.25]})
    assert other.transform(pairs[:1])[0, -1] == 0.0


@pytest.mark.parametrize("stats", [None, {"hu": [0.5, 0.1]}, {"hu-hu": [0.5, 0.0]}, {"hu-hu": "x"}])
def test_sentence_support_needs_statistics_per_language_pair(stats) -> None:
    with pytest.raises(ValueError, match="support_stats"):
        _fitted(support_sentences=5, support_stats=stats)


def test_low_support_swaps_the_neutral_heads_agree_and_disagree() -> None:
    X, y = _routed_data()
    X[:, 2] = 1.0  # every row routed
    X[:, 3] = 0.0  # support: typical
    params = dict(
        **_HEAD,
        support_column=3,
        support_threshold=-1.0,
    )
    clf = RelatedThenStanceClassifier(**params).fit(X, y)
    typical = np.array([[2.0, 0.0, 1.0, 0.0], [2.0, 2.0, 1.0, 0.0]])  # head: agree, disagree
    low = typical.copy()
    low[:, 3] = -2.0
    assert clf.predict(typical).tolist() == ["agree", "disagree"]
    assert clf.predict(low).tolist() == ["disagree", "disagree"]
    p_typical, p_low = clf.predict_proba(typical), clf.predict_proba(low)
    a, d = list(clf.classes_).index("agree"), list(clf.classes_).index("disagree")
    np.testing.assert_allclose(p_low[0, [a, d]], p_typical[0, [d, a]])
    np.testing.assert_allclose(p_low[1], p_typical[1])  # disagree already: unchanged
    # English rows (not routed) never take the rule
    english = low.copy()
    english[:, 2] = 0.0
    assert clf.predict(english).tolist() == clf.predict(english[:, :] * [1, 1, 1, 0]).tolist()


def test_a_classifier_saved_before_the_support_rule_still_predicts() -> None:
    X, y = _routed_data()
    clf = RelatedThenStanceClassifier(
        **_HEAD,
    ).fit(X, y)
    routed = X.copy()
    routed[:, 2] = 1.0
    expected = clf.predict(routed)
    for name in ("support_column", "support_threshold", "contrast_columns"):
        delattr(clf, name)  # as unpickled from newsclf 0.2.0
    assert clf.predict(routed).tolist() == expected.tolist()


def test_a_model_fitted_before_the_contrast_columns_keeps_its_width() -> None:
    est = _fitted()
    del est.contrast_  # as unpickled from newsclf 0.2.0
    est.n_features_out_ -= len(CONTRAST_FEATURES)
    names = list(est.get_feature_names_out())
    assert "xling:antonym_conflict" not in names
    assert est.transform(PAIRS).shape == (len(PAIRS), len(names)) == (4, est.n_features_out_)


def test_headline_body_puts_the_crosslingual_groups_ahead_of_the_relation_block() -> None:
    est = HeadlineBodyFeatures(
        lsa_components=2,
        min_df=1,
        embed=CrossLingualPairEmbedding(encoder="char_hash", reference_size=4, cache=False),
    )
    before = est.feature_groups()
    est.fit(PAIRS)
    after = est.feature_groups()
    for group in ("embed_similarity", "language_route", "claim_cues", "claim_numbers", "relation"):
        assert before[group] == after[group]
    names = est.get_feature_names_out()
    assert names[after["language_route"].start] == "xling:route"
    assert est.transform(PAIRS).shape[1] == len(names)


def _routed_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    n = 400
    y = rng.choice(["agree", "disagree", "discuss", "unrelated"], size=n)
    X = rng.normal(size=(n, 4))
    X[:, 0] = (y != "unrelated") * 2.0 + rng.normal(scale=0.3, size=n)  # relatedness
    X[:, 1] = (y == "disagree") * 2.0 + rng.normal(scale=0.3, size=n)  # neutral cue
    X[:, 2] = 0.0  # route: English
    return X, y


def test_neutral_head_is_used_only_for_routed_rows_and_predicts_only_its_labels() -> None:
    X, y = _routed_data()
    clf = RelatedThenStanceClassifier(
        **_HEAD,
        stance_drop_columns=[2],
    ).fit(X, y)
    english = clf.predict_proba(X)
    routed = X.copy()
    routed[:, 2] = 1.0
    foreign = clf.predict_proba(routed)
    discuss = list(clf.classes_).index("discuss")
    related = X[:, 0] > 1
    assert np.all(foreign[:, discuss] == 0)
    assert english[related, discuss].max() > 0
    np.testing.assert_allclose(foreign.sum(axis=1), 1.0)
    # unrelated probability comes from the shared relatedness stage
    unrelated = list(clf.classes_).index("unrelated")
    np.testing.assert_allclose(foreign[:, unrelated], english[:, unrelated])


def test_contrast_augmentation_teaches_the_neutral_head_that_a_mark_means_disagree() -> None:
    X, y = _routed_data()
    X[:, 3] = 0.0  # the mark never fires in the training pairs
    X[:, 2] = 1.0  # every row routed
    params = dict(
        **{**_HEAD, "neutral_columns": [1, 3]},
    )
    agree_row = np.array([[2.0, 0.0, 1.0, 1.0]])  # related, no negation cue, marked
    plain = RelatedThenStanceClassifier(**params).fit(X, y)
    taught = RelatedThenStanceClassifier(**params, contrast_columns=[3]).fit(X, y)
    assert plain.predict(agree_row).tolist() == ["agree"]
    assert taught.predict(agree_row).tolist() == ["disagree"]
    with pytest.raises(ValueError, match="neutral_columns"):
        RelatedThenStanceClassifier(**{**params, "neutral_columns": [1]}, contrast_columns=[3]).fit(
            X, y
        )


def test_neutral_head_without_a_route_column_is_refused() -> None:
    from sklearn.linear_model import LogisticRegression

    X, y = _routed_data()
    with pytest.raises(ValueError, match="route_column"):
        RelatedThenStanceClassifier(neutral=LogisticRegression(), neutral_columns=[1]).fit(X, y)


def test_a_pair_in_another_language_is_routed_and_calibrated_with_the_pooled_statistics() -> None:
    est = _fitted()
    spanish = ("Los soldados norcoreanos luchan en Rusia junto a las tropas rusas.", "Troops")
    names = list(est.get_feature_names_out())
    row = est.transform([spanish])[0]
    assert row[names.index("xling:route")] == 1.0
    assert np.isfinite(row).all()
