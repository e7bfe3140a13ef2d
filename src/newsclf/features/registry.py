"""Build feature extractors from the ``features`` config node by short name.

The manifest stores only these names and plain parameters, never import paths, so a saved
config cannot make newsclf import arbitrary code.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from sklearn.base import BaseEstimator

from newsclf.building import build_estimator
from newsclf.errors import ConfigError
from newsclf.features.crosslingual import CrossLingualPairEmbedding
from newsclf.features.embed import PairEmbedding, TextEmbedding
from newsclf.features.hashed_ngrams import HashingTextVectorizer
from newsclf.features.hashed_tfidf import HashedTfidfVectorizer
from newsclf.features.headline_body import HeadlineBodyFeatures
from newsclf.features.news_posts import NewsPostVectorizer
from newsclf.features.pair import PairSimilarity, PairVectorizer
from newsclf.features.text import TextVectorizer

__all__ = [
    "PAIR_FEATURES",
    "TEXT_FEATURES",
    "build_pair_features",
    "build_text_features",
]

#: feature kinds a config may name as ``features.kind``
TEXT_FEATURES: dict[str, Callable[..., BaseEstimator]] = {
    "tfidf": TextVectorizer,
    "hashing": HashingTextVectorizer,  # stateless, for experiment=streaming
    "hashed_tfidf": HashedTfidfVectorizer,  # hashed word n-gram TF-IDF, for experiment=20ng_fast
    "news_posts": NewsPostVectorizer,  # word + char TF-IDF + subject thread, for experiment=20ng
    "embed": TextEmbedding,  # sentence embeddings of the text (short texts, cross-lingual)
}
#: stance-only feature kinds: one (text, target) transformer whose parameters are ``features.pair``
PAIR_FEATURES: dict[str, Callable[..., BaseEstimator]] = {"headline_body": HeadlineBodyFeatures}


def _kind(features: Mapping[str, Any]) -> Callable[..., BaseEstimator]:
    kind = features.get("kind", "tfidf")
    if kind in PAIR_FEATURES:
        raise ConfigError(
            f"feature kind {kind!r} is for (text, target) pairs and serves only the stance task",
            key="features.kind",
            hint=f"use tasks=[stance], or a text feature kind: {', '.join(sorted(TEXT_FEATURES))}",
        )
    if kind not in TEXT_FEATURES:
        raise ConfigError(
            f"unknown feature kind {kind!r}",
            key="features.kind",
            hint=f"choose one of: {', '.join(sorted(TEXT_FEATURES | PAIR_FEATURES))}",
        )
    return TEXT_FEATURES[kind]


def build_text_features(features: Mapping[str, Any]) -> BaseEstimator:
    """The vectoriser for single-text tasks (topic) from ``features.text``."""
    return build_estimator(_kind(features), dict(features.get("text") or {}), "features.text")


def build_pair_features(features: Mapping[str, Any]) -> PairVectorizer:
    """The (text, target) vectoriser for stance from ``features.text`` and ``features.pair``.

    A stance-only kind (:data:`PAIR_FEATURES`) is built from ``features.pair`` alone.
    """
    kind = features.get("kind", "tfidf")
    pair = dict(features.get("pair") or {})
    embed = _pair_embedding(pair.pop("embed", None))
    if kind in PAIR_FEATURES:
        est = build_estimator(PAIR_FEATURES[kind], pair, "features.pair")
        return est.set_params(embed=None if isinstance(embed, str) else embed)
    cls = _kind(features)
    text = build_text_features(features)
    target_params = pair.pop("target", {})
    target = (
        "drop"
        if target_params == "drop"
        else build_estimator(cls, dict(target_params or {}), "features.pair.target")
    )
    sim_params = pair.pop("similarity", {})
    similarity = (
        "drop"
        if sim_params == "drop"
        else build_estimator(PairSimilarity, dict(sim_params or {}), "features.pair.similarity")
    )
    vec = build_estimator(PairVectorizer, pair, "features.pair")
    return vec.set_params(
        text_vectorizer=text, target_vectorizer=target, similarity=similarity, embed=embed
    )


def _pair_embedding(params: Any) -> Any:
    """``features.pair.embed``: ``drop``/null (no embedding block) or PairEmbedding params."""
    if params is None or params == "drop":
        return "drop"
    if not isinstance(params, Mapping):
        raise ConfigError(
            f"must be 'drop' or a mapping of PairEmbedding parameters, got {params!r}",
            key="features.pair.embed",
        )
    params = dict(params)
    name = params.pop("name", "pair")
    classes = {"pair": PairEmbedding, "crosslingual": CrossLingualPairEmbedding}
    if name not in classes:
        raise ConfigError(
            f"unknown embedding block {name!r}",
            key="features.pair.embed.name",
            hint="pair (PairEmbedding) or crosslingual (CrossLingualPairEmbedding: "
            "language-centred cosines and language-neutral stance columns)",
        )
    return build_estimator(classes[name], params, "features.pair.embed")
