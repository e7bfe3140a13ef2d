"""The feature transformers follow the scikit-learn estimator contract."""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.utils.estimator_checks import check_estimator

from newsclf.features import PairSimilarity, PairVectorizer, TextVectorizer
from newsclf.features.hashed_tfidf import HashedTfidfVectorizer
from newsclf.features.headline_body import HeadlineBodyFeatures
from newsclf.features.news_posts import NewsPostVectorizer

TEXTS = [
    "A kormány szerint az infláció lassul, a forint erősödik.",
    "Az MNB ismét kamatot emelt a forint védelmében.",
    "A válogatott két góllal nyert Szerbia ellen Budapesten.",
    "Ukrajnában folytatódnak a harcok, a tárgyalások elakadtak.",
    "The central bank raised interest rates again on Tuesday.",
    "The striker scored twice as the team won the cup final.",
    "Inflation slowed in March, the government said.",
    "Officials denied that the minister had resigned.",
]
TARGETS = [
    "Lassul az infláció",
    "Kamatot emelt a jegybank",
    "Kikapott a válogatott",
    "Békemegállapodás született Ukrajnában",
    "Interest rates were raised",
    "The team lost the final",
    "Inflation is slowing",
    "The minister resigned",
]
PAIRS = list(zip(TEXTS, TARGETS, strict=True))


def _dense(X: Any) -> np.ndarray:
    return X.toarray() if sp.issparse(X) else np.asarray(X)


# Each case: (factory of an unfitted estimator with some non-default parameters, input as list)
CASES: dict[str, tuple[Callable[[], Any], list[Any]]] = {
    "TextVectorizer": (lambda: TextVectorizer(char_ngram_range=(2, 4), char_weight=0.5), TEXTS),
    "PairSimilarity": (lambda: PairSimilarity(lead_terms=5, window=3), PAIRS),
    "PairVectorizer": (
        lambda: PairVectorizer(
            text_vectorizer=TextVectorizer(char_ngram_range=None),
            similarity_weight=2.0,
        ),
        PAIRS,
    ),
    "HashedTfidfVectorizer": (lambda: HashedTfidfVectorizer(n_features=64, norm="l1"), TEXTS),
    "NewsPostVectorizer": (
        lambda: NewsPostVectorizer(char_n_features=64, thread_n_features=8, char_weight=0.5),
        TEXTS,
    ),
    "HeadlineBodyFeatures": (
        lambda: HeadlineBodyFeatures(lsa_components=4, min_df=1, body_max_features=50),
        PAIRS,
    ),
}


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(TextVectorizer, id="TextVectorizer"),
        pytest.param(PairSimilarity, id="PairSimilarity"),
        pytest.param(PairVectorizer, id="PairVectorizer"),
        pytest.param(HeadlineBodyFeatures, id="HeadlineBodyFeatures"),
        pytest.param(HashedTfidfVectorizer, id="HashedTfidfVectorizer"),
    ],
)
def test_passes_sklearn_check_estimator(make: Callable[[], Any]) -> None:
    check_estimator(make())


# --- the shared contract --------------------------------------------------------------------

contract = pytest.mark.parametrize("name", list(CASES))


@contract
def test_clone_keeps_parameters(name: str) -> None:
    make, _ = CASES[name]
    est = make()
    cloned = clone(est)
    assert cloned is not est
    assert repr(cloned) == repr(est)
    assert sorted(cloned.get_params(deep=True)) == sorted(est.get_params(deep=True))


@contract
def test_get_params_set_params_round_trip(name: str) -> None:
    make, _ = CASES[name]
    est = make()
    params = est.get_params(deep=False)
    fresh = type(est)().set_params(**params)
    assert fresh.get_params(deep=False) == params
    assert repr(fresh) == repr(est)


def test_nested_parameters_can_be_set_through_pair_vectorizer() -> None:
    est = CASES["PairVectorizer"][0]()
    assert est.get_params(deep=True)["text_vectorizer__lang"] == "auto"
    est.set_params(text_vectorizer__lang="hu")
    assert est.text_vectorizer.lang == "hu"


@contract
def test_transform_before_fit_raises_not_fitted(name: str) -> None:
    make, X = CASES[name]
    with pytest.raises(NotFittedError):
        make().transform(X)


@contract
def test_get_feature_names_before_fit_raises_not_fitted(name: str) -> None:
    make, _ = CASES[name]
    with pytest.raises(NotFittedError):
        make().get_feature_names_out()


@contract
def test_fit_returns_self(name: str) -> None:
    make, X = CASES[name]
    est = make()
    assert est.fit(X) is est


@contract
def test_fit_transform_equals_fit_then_transform(name: str) -> None:
    make, X = CASES[name]
    a = _dense(make().fit_transform(X))
    b = _dense(make().fit(X).transform(X))
    np.testing.assert_allclose(a, b)


@contract
def test_output_identical_after_pickle_round_trip(name: str) -> None:
    make, X = CASES[name]
    est = make().fit(X)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(_dense(restored.transform(X)), _dense(est.transform(X)))
    np.testing.assert_array_equal(restored.get_feature_names_out(), est.get_feature_names_out())


@contract
def test_list_and_numpy_object_array_give_same_output(name: str) -> None:
    make, X = CASES[name]
    X_array = np.asarray(X, dtype=object)
    one_d = ("TextVectorizer", "HashedTfidfVectorizer", "NewsPostVectorizer")
    assert X_array.ndim == (1 if name in one_d else 2)
    from_list = make().fit(X)
    from_array = make().fit(X_array)
    np.testing.assert_array_equal(
        _dense(from_list.transform(X)), _dense(from_array.transform(X_array))
    )
    np.testing.assert_array_equal(
        _dense(from_list.transform(X)), _dense(from_list.transform(X_array))
    )


@contract
def test_bare_string_input_raises_value_error(name: str) -> None:
    make, X = CASES[name]
    with pytest.raises(ValueError):
        make().fit("Egyetlen szöveg, nem lista.")
    est = make().fit(X)
    with pytest.raises(ValueError):
        est.transform("A single text, not a list.")


@contract
def test_feature_names_match_output_columns(name: str) -> None:
    make, X = CASES[name]
    est = make().fit(X)
    names = est.get_feature_names_out()
    assert len(names) == est.transform(X).shape[1]
    assert len(set(names)) == len(names)


@contract
def test_one_output_row_per_input(name: str) -> None:
    make, X = CASES[name]
    est = make().fit(X)
    assert est.transform(X[:3]).shape[0] == 3


# --- TextVectorizer -------------------------------------------------------------------------


def test_text_vectorizer_accepts_ngram_ranges_given_as_lists() -> None:
    from_lists = TextVectorizer(word_ngram_range=[1, 2], char_ngram_range=[2, 3]).fit(TEXTS)
    from_tuples = TextVectorizer(word_ngram_range=(1, 2), char_ngram_range=(2, 3)).fit(TEXTS)
    np.testing.assert_array_equal(
        from_lists.get_feature_names_out(), from_tuples.get_feature_names_out()
    )
    np.testing.assert_array_equal(
        from_lists.transform(TEXTS).toarray(), from_tuples.transform(TEXTS).toarray()
    )
    # a list survives clone (sklearn compares parameters by identity)
    clone(TextVectorizer(word_ngram_range=[1, 2])).fit(TEXTS)


@pytest.mark.parametrize(
    "params",
    [
        {"word_ngram_range": [3, 1]},
        {"char_ngram_range": [0, 3]},
        {"word_ngram_range": [1, 2, 3]},
        {"word_ngram_range": ["a", "b"]},
        {"word_ngram_range": None, "char_ngram_range": None},
        {"lang": "de"},
        {"char_weight": 0},
    ],
)
def test_text_vectorizer_rejects_invalid_parameters_at_fit(params: dict) -> None:
    est = TextVectorizer(**params)  # constructing never validates (sklearn convention)
    with pytest.raises(ValueError):
        est.fit(TEXTS)


def test_text_vectorizer_word_and_char_blocks_can_be_used_alone() -> None:
    word = TextVectorizer(char_ngram_range=None).fit(TEXTS)
    char = TextVectorizer(word_ngram_range=None).fit(TEXTS)
    assert all(n.startswith("word:") for n in word.get_feature_names_out())
    assert all(n.startswith("char:") for n in char.get_feature_names_out())


def test_text_vectorizer_stems_hungarian_inflections_into_one_feature() -> None:
    est = TextVectorizer(lang="hu", word_ngram_range=(1, 1), char_ngram_range=None)
    est.fit(["Ukrajnában harcok vannak.", "Ukrajnának segítség kell.", "Ukrajnát támogatják."])
    names = [n for n in est.get_feature_names_out() if n.startswith("word:ukrajn")]
    assert len(names) == 1


# --- PairVectorizer -------------------------------------------------------------------------


def test_pair_vectorizer_with_all_parts_dropped_raises_value_error() -> None:
    est = PairVectorizer(text_vectorizer="drop", target_vectorizer="drop", similarity="drop")
    with pytest.raises(ValueError, match="at least one"):
        est.fit(PAIRS)


def test_pair_vectorizer_blocks_are_prefixed_text_target_pair() -> None:
    est = PairVectorizer().fit(PAIRS)
    prefixes = {n.split(":", 1)[0] for n in est.get_feature_names_out()}
    assert prefixes == {"text", "target", "pair"}
    only_similarity = PairVectorizer(text_vectorizer="drop", target_vectorizer="drop").fit(PAIRS)
    assert only_similarity.transform(PAIRS).shape[1] == 10


@pytest.mark.parametrize("weight", [-1.0, "2", True, float("nan")])
def test_pair_vectorizer_rejects_bad_similarity_weight(weight: Any) -> None:
    with pytest.raises(ValueError, match="similarity_weight"):
        PairVectorizer(similarity_weight=weight).fit(PAIRS)


def test_pairs_with_wrong_shape_are_rejected() -> None:
    with pytest.raises(ValueError, match="shape"):
        PairVectorizer().fit([("a", "b", "c"), ("d", "e", "f")])
    with pytest.raises(ValueError, match="shape"):
        PairSimilarity().fit(TEXTS)


# --- PairSimilarity -------------------------------------------------------------------------


def _similarity(pairs: list[tuple[str, str]]) -> tuple[np.ndarray, list[str]]:
    est = PairSimilarity().fit(PAIRS + pairs)
    names = [n.removeprefix("pair:") for n in est.get_feature_names_out()]
    return est.transform(pairs), names


@pytest.mark.parametrize(
    ("target", "related", "unrelated"),
    [
        (
            "Kamatemelésről döntött a jegybank",
            "A jegybank kedden kamatemelésről döntött, a forint erősödött.",
            "A válogatott két góllal nyert Szerbia ellen.",
        ),
        (
            "The central bank raised interest rates",
            "On Tuesday the central bank raised interest rates by half a point.",
            "The striker scored twice in the cup final.",
        ),
    ],
    ids=["hu", "en"],
)
def test_text_containing_target_scores_higher_similarity_and_coverage(
    target: str, related: str, unrelated: str
) -> None:
    out, names = _similarity([(related, target), (unrelated, target)])
    for feature in ("word_cosine", "char_cosine", "target_coverage", "jaccard"):
        col = names.index(feature)
        assert out[0, col] > out[1, col], feature
    assert out[0, names.index("target_coverage")] == pytest.approx(1.0)
    assert out[1, names.index("target_coverage")] == 0.0


def test_short_unaccented_hungarian_target_is_matched_in_hungarian_text() -> None:
    target = "Kamatot emelt a jegybank"
    out, names = _similarity([("A jegybank váratlanul kamatot emelt kedden.", target)])
    assert out[0, names.index("target_coverage")] == pytest.approx(1.0)
    assert out[0, names.index("word_cosine")] > 0


@pytest.mark.parametrize(
    ("target", "refuting", "neutral"),
    [
        pytest.param(
            "Lemondott a belügyminiszter",
            "A minisztérium cáfolta, hogy lemondott a belügyminiszter.",
            "A minisztérium közölte, hogy lemondott a belügyminiszter.",
            id="hu-cafolta",
        ),
        pytest.param(
            "The minister resigned",
            "The ministry denied that the minister resigned.",
            "The ministry confirmed that the minister resigned.",
            id="en-denied",
        ),
        pytest.param(
            "The minister resigned",
            "The ministry rejected reports that the minister resigned.",
            "The ministry confirmed that the minister resigned.",
            id="en-rejected",
        ),
    ],
)
def test_refuting_cues_are_counted_and_located_near_the_target(
    target: str, refuting: str, neutral: str
) -> None:
    out, names = _similarity([(refuting, target), (neutral, target)])
    for feature in ("refuting_cues", "refuting_near_target"):
        col = names.index(feature)
        assert out[0, col] > 0, feature
        assert out[1, col] == 0, feature


def test_negations_are_counted() -> None:
    out, names = _similarity(
        [
            ("The minister has not resigned and never will.", "The minister resigned"),
            ("The minister resigned on Monday.", "The minister resigned"),
        ]
    )
    col = names.index("negations")
    assert out[0, col] == pytest.approx(np.log1p(2))
    assert out[1, col] == 0


def test_pair_similarity_of_empty_input_has_ten_columns() -> None:
    est = PairSimilarity().fit(PAIRS)
    assert est.transform(np.empty((0, 2), dtype=object)).shape == (0, 10)


@pytest.mark.parametrize("params", [{"lang": "fr"}, {"window": 0}, {"lead_terms": 2.5}])
def test_pair_similarity_rejects_invalid_parameters_at_fit(params: dict) -> None:
    with pytest.raises(ValueError):
        PairSimilarity(**params).fit(PAIRS)
