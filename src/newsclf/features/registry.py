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

#: ``features.name`` (the option's file, conf/features/NAME.yaml) -> its text vectoriser
TEXT_FEATURES: dict[str, Callable[..., BaseEstimator]] = {
    "word_char": TextVectorizer,  # stemmed word + character n-gram TF-IDF (the default)
    "word": TextVectorizer,  # the same class, word n-grams only (conf/features/word.yaml)
    "char": TextVectorizer,  # the same class, character n-grams only
    "hashing": HashingTextVectorizer,  # stateless, for experiment=streaming
    "hashed_tfidf": HashedTfidfVectorizer,  # hashed word n-gram TF-IDF, for experiment=20ng_fast
    "news_posts": NewsPostVectorizer,  # word + char TF-IDF + subject thread, for experiment=20ng
    "embed": TextEmbedding,  # sentence embeddings of the text (short texts, cross-lingual)
}
#: stance-only ``features.name``: one (text, target) transformer whose parameters are
#: ``features.pair``
PAIR_FEATURES: dict[str, Callable[..., BaseEstimator]] = {"headline_body": HeadlineBodyFeatures}


#: ``features.name`` of a node that names none (a mapping built in code)
DEFAULT_FEATURES = "word_char"


def _name(features: Mapping[str, Any]) -> str:
    return str(features.get("name", DEFAULT_FEATURES))


def _text_class(features: Mapping[str, Any]) -> Callable[..., BaseEstimator]:
    name = _name(features)
    if name in PAIR_FEATURES:
        raise ConfigError(
            f"features={name} is for (text, target) pairs and serves only the stance task",
            key="features.name",
            hint=f"use tasks=[stance], or text features: {', '.join(sorted(TEXT_FEATURES))}",
        )
    if name not in TEXT_FEATURES:
        raise ConfigError(
            f"unknown features {name!r}",
            key="features.name",
            hint=f"choose one of: {', '.join(sorted(TEXT_FEATURES | PAIR_FEATURES))}",
        )
    return TEXT_FEATURES[name]


def build_text_features(features: Mapping[str, Any]) -> BaseEstimator:
    """The vectoriser for single-text tasks (topic) from ``features.text``."""
    return build_estimator(_text_class(features), dict(features.get("text") or {}), "features.text")


def build_pair_features(features: Mapping[str, Any]) -> PairVectorizer:
    """The (text, target) vectoriser for stance from ``features.text`` and ``features.pair``.

    Stance-only features (:data:`PAIR_FEATURES`) are built from ``features.pair`` alone. A
    part set to ``null`` (``features.pair.target``, ``.similarity``, ``.embed``) is left out.
    """
    name = _name(features)
    pair = dict(features.get("pair") or {})
    embed = _pair_embedding(pair.pop("embed", None))
    if name in PAIR_FEATURES:
        est = build_estimator(PAIR_FEATURES[name], pair, "features.pair")
        return est.set_params(embed=None if isinstance(embed, str) else embed)
    cls = _text_class(features)
    text = build_text_features(features)
    target_params = _part(pair, "target")
    target = (
        "drop"
        if target_params is None
        else build_estimator(cls, target_params, "features.pair.target")
    )
    sim_params = _part(pair, "similarity")
    similarity = (
        "drop"
        if sim_params is None
        else build_estimator(PairSimilarity, sim_params, "features.pair.similarity")
    )
    vec = build_estimator(PairVectorizer, pair, "features.pair")
    return vec.set_params(
        text_vectorizer=text, target_vectorizer=target, similarity=similarity, embed=embed
    )


def _part(pair: dict[str, Any], part: str) -> dict[str, Any] | None:
    """The parameters of part ``part`` of ``features.pair`` (absent: the defaults), or ``None``
    when it is ``null`` (left out). ``drop``, the old spelling of off, names the new one."""
    params = pair.pop(part, {})
    if params is None:
        return None
    if params == "drop":
        raise ConfigError(
            "'drop' is no longer a value: a part that is off is null",
            key=f"features.pair.{part}",
            hint=f"features.pair.{part}=null",
        )
    if not isinstance(params, Mapping):
        raise ConfigError(
            f"must be null (left out) or a mapping of parameters, got {params!r}",
            key=f"features.pair.{part}",
        )
    return dict(params)


def _pair_embedding(params: Any) -> Any:
    """``features.pair.embed``: null (no embedding block) or PairEmbedding params."""
    params = _part({"embed": params}, "embed") if params is not None else None
    if params is None:
        return "drop"
    return build_estimator(PairEmbedding, params, "features.pair.embed")
