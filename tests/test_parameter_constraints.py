"""Estimator parameter checks are declared once per class (``_parameter_constraints``) and
validated in ``fit`` and when the registries build from config (issue 15)."""

from __future__ import annotations

import pytest
from sklearn.utils._param_validation import InvalidParameterError

from newsclf.building import build_estimator
from newsclf.errors import ConfigError
from newsclf.features.embed import PairEmbedding, TextEmbedding
from newsclf.features.hashed_ngrams import HashingTextVectorizer
from newsclf.features.hashed_tfidf import HashedTfidfVectorizer
from newsclf.features.headline_body import HeadlineBodyFeatures
from newsclf.features.news_posts import NewsPostVectorizer
from newsclf.features.pair import PairSimilarity, PairVectorizer
from newsclf.features.target import TargetCrossedFeatures, TargetMentionFeatures
from newsclf.features.text import TextVectorizer
from newsclf.models.softmax import SoftmaxDecisionClassifier
from newsclf.models.stance_blend import DenseSparseBlendClassifier
from newsclf.models.target_aware import PerTargetClassifier
from newsclf.models.thread_blend import ThreadBlendClassifier
from newsclf.models.two_stage import RelatedThenStanceClassifier
from newsclf.utils.constraints import POSITIVE, Int

ESTIMATORS = [
    TextVectorizer,
    HashingTextVectorizer,
    HashedTfidfVectorizer,
    NewsPostVectorizer,
    HeadlineBodyFeatures,
    PairSimilarity,
    PairVectorizer,
    TextEmbedding,
    PairEmbedding,
    TargetCrossedFeatures,
    TargetMentionFeatures,
    PerTargetClassifier,
    RelatedThenStanceClassifier,
    DenseSparseBlendClassifier,
    ThreadBlendClassifier,
    SoftmaxDecisionClassifier,
]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_constraints_are_declared_for_real_parameters_and_defaults_pass(cls: type) -> None:
    est = cls()
    assert set(cls._parameter_constraints) <= set(est.get_params(deep=False))
    est._validate_params()


def test_bool_is_not_an_int_or_a_weight() -> None:
    """scikit-learn's Interval(Integral) takes True; ours refuses it."""
    assert not Int(1, None, closed="left").is_satisfied_by(True)
    assert Int(1, None, closed="left").is_satisfied_by(3)
    assert not POSITIVE.is_satisfied_by(True)
    assert not POSITIVE.is_satisfied_by(float("inf"))


@pytest.mark.parametrize(
    ("cls", "params", "name"),
    [
        (HeadlineBodyFeatures, {"window": True}, "window"),
        (HeadlineBodyFeatures, {"relation_weight": True}, "relation_weight"),
        (HashingTextVectorizer, {"n_features": True}, "n_features"),
        (HashedTfidfVectorizer, {"n_features": True}, "n_features"),
        (NewsPostVectorizer, {"thread_n_features": False}, "thread_n_features"),
        (PairSimilarity, {"window": True}, "window"),
        (PairEmbedding, {"max_sentences": True}, "max_sentences"),
        (TextEmbedding, {"batch_size": True}, "batch_size"),
        (TargetCrossedFeatures, {"min_samples": True}, "min_samples"),
        (TargetMentionFeatures, {"window": True}, "window"),
        (PerTargetClassifier, {"min_samples": True}, "min_samples"),
        (RelatedThenStanceClassifier, {"relatedness_columns": True}, "relatedness_columns"),
        (DenseSparseBlendClassifier, {"dense_columns": True}, "dense_columns"),
        (ThreadBlendClassifier, {"max_iter": True}, "max_iter"),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else None,
)
def test_a_bool_for_a_count_is_refused_with_the_parameter_named(
    cls: type, params: dict, name: str
) -> None:
    with pytest.raises(InvalidParameterError, match=f"'{name}' parameter of {cls.__name__}"):
        cls(**params)._check_params()


def test_config_values_are_checked_before_fitting_and_name_the_key() -> None:
    with pytest.raises(ConfigError, match=r"features\.pair.*'window' parameter.*\[1, inf\)"):
        build_estimator(HeadlineBodyFeatures, {"window": 0}, "features.pair")
    with pytest.raises(ConfigError, match="'lang' parameter"):
        build_estimator(TextVectorizer, {"lang": "de"}, "features.text")


def test_cross_parameter_checks_stay_in_fit() -> None:
    with pytest.raises(ValueError, match="min_n <= max_n"):
        TextVectorizer(word_ngram_range=(2, 1))._check_params()
    with pytest.raises(ValueError, match="single word"):
        TargetMentionFeatures(mask="two words")._check_params()
    with pytest.raises(ValueError, match="distinct column indices"):
        RelatedThenStanceClassifier(relatedness_columns=[1, 1])._check_params()
