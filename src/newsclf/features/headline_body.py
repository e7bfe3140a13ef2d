"""Stance features for (article body, headline) pairs, built for FNC-1-style data.

Bodies repeat across many headlines (about 30 times in FNC-1), so every distinct body and every
distinct headline is analysed and vectorised once, and the per-pair work is only the relation
between the two. The output has two parts:

* a small dense **relation block** first (``n_relation_features_`` columns): TF-IDF, LSA and
  character cosines, coverage of the headline's terms (overall, in the lead, in the best
  sentence), the best sentence similarities, bigram overlap, where the overlap starts, and
  refuting / hedging / negation / confirming / attribution cues in the headline, in the body,
  its lead, near the headline's terms and in the body sentences most similar to the headline,
  question and quotation marks there, and IDF-weighted coverage of the headline's terms (terms
  unseen in training weigh most), then the body's stance toward the headline's claim (cue
  densities, cues of the sentences weighted by their similarity to the headline, "hoax"/"fake"
  and "not true" refutations near the headline's terms, negations just before them, the share
  of the sentences about the headline that refute or hedge). None of them describes a body by
  itself, so they transfer to new bodies; a relatedness model can use this block (or some of
  its named groups, :data:`RELATION_GROUPS`) alone;
* sparse **lexical blocks**: the headline's words and the body's most frequent words, for the
  agree / disagree / discuss decision.
"""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted

from newsclf.features._validation import as_pairs, check_ngram_range, string_input_tags
from newsclf.features.crosslingual import NEUTRAL_FEATURES
from newsclf.features.cues import (
    ATTRIBUTION,
    CONFIRMING,
    HEDGING,
    NEGATION,
    NOT_TRUE,
    REFUTING,
    STRONG_REFUTING,
    Cues,
    count_cues,
)
from newsclf.text.lang import detect_language
from newsclf.text.normalize import normalize_text
from newsclf.text.tokenize import WordAnalyzer, split_sentences, tokenize
from newsclf.utils.constraints import LANG, NGRAM_RANGE, POSITIVE, POSITIVE_INT, HasMethods, Int

__all__ = ["RELATION_FEATURES", "RELATION_GROUPS", "HeadlineBodyFeatures"]

#: the cue kinds counted in headlines, bodies and body sentences. Every per-kind array below
#: has one column per kind in this order; code picks columns by name through :data:`_CUE_COLUMN`.
_CUES: dict[str, Cues] = {
    "refuting": REFUTING,
    "hedging": HEDGING,
    "negation": NEGATION,
    "confirming": CONFIRMING,
    "attribution": ATTRIBUTION,
}
_CUE_COLUMN = {kind: i for i, kind in enumerate(_CUES)}
_CUE_NAMES = ("refuting", "hedging", "negation")
_MORE_CUE_NAMES = ("confirming", "attribution")
#: columns of the first and of the second set of cue kinds in a per-kind array
_FIRST_CUES = [_CUE_COLUMN[kind] for kind in _CUE_NAMES]
_MORE_CUES = [_CUE_COLUMN[kind] for kind in _MORE_CUE_NAMES]
#: columns of a body's per-sentence counts: the cue kinds, then strong-refuting words and
#: "not true"-type phrases (``_Body.sentence_cues`` beside ``_Body.sentence_strong``)
_SENTENCE_COUNT = {kind: i for i, kind in enumerate((*_CUES, "strong_refuting", "not_true"))}
#: columns of a body's per-sentence marks (``_Body.sentence_marks``)
_MARK = {"questions": 0, "quotes": 1}
#: the dense relation block, in column order: group name -> the features it holds. The one
#: place the block's layout is written down: column fills, ``get_feature_names_out`` and the
#: groups configs select by name (``model.params.relatedness_groups``) all derive from it.
RELATION_GROUPS: dict[str, tuple[str, ...]] = {
    "similarity": ("word_cosine", "lsa_cosine", "char_cosine"),
    "overlap": (
        "coverage",
        "lead_coverage",
        "jaccard",
        "best_sentence_cosine",
        "top3_sentence_cosine",
        "best_sentence_coverage",
        "bigram_overlap",
        "first_overlap_position",
    ),
    "headline_cues": (*(f"headline_{c}" for c in _CUE_NAMES), "headline_question"),
    "body_cues": tuple(f"body_{c}" for c in _CUE_NAMES),
    "cues_near_headline": (
        *(f"{c}_near_headline" for c in _CUE_NAMES),
        *(f"{c}_in_best_sentences" for c in _CUE_NAMES),
    ),
    "length": ("headline_length", "body_length"),
    # second set (issue 8, transfer to new headlines and bodies): more cue kinds, punctuation
    # of the sentences about the headline, cues in the lead, how much of the body is about it
    "more_cues": (
        *(f"headline_{c}" for c in _MORE_CUE_NAMES),
        *(f"body_{c}" for c in _MORE_CUE_NAMES),
        *(f"{c}_near_headline" for c in _MORE_CUE_NAMES),
        *(f"{c}_in_best_sentences" for c in _MORE_CUE_NAMES),
    ),
    "marks": ("body_questions", "questions_in_best_sentences", "quotes_in_best_sentences"),
    "lead_cues": tuple(f"{c}_in_lead_sentences" for c in _CUE_NAMES),
    "sentences": ("mentioning_sentence_share", "mean_sentence_cosine", "sentence_count"),
    # IDF-weighted coverage of the headline's terms; a term unseen in training (a new claim's
    # names) gets the highest IDF rather than dropping out as in the TF-IDF cosines
    "idf_coverage": ("idf_coverage", "idf_lead_coverage", "idf_best_sentence_coverage"),
    # third set (issue 8, the body's stance toward the headline's claim, for ``disagree``):
    # cue densities, cues of the body sentences weighted by their similarity to the headline,
    # the single best sentence, "hoax"/"fake"-type refutations and "not true"-type phrases,
    # negations just before the headline's terms, the share of the sentences mentioning the
    # headline that refute or hedge, where the first refutation is, the headline's own
    # strong-refuting words
    "stance_toward": (
        "refuting_density",
        # one per column of a body's per-sentence counts, in their order
        *(f"similarity_weighted_{c}" for c in _SENTENCE_COUNT),
        "refuting_in_best_sentence",
        "negation_in_best_sentence",
        "strong_refuting_in_best_sentence",
        "body_strong_refuting",
        "strong_refuting_near_headline",
        "body_not_true",
        "negation_before_headline_terms",
        "refuting_mentioning_sentence_share",
        "hedging_mentioning_sentence_share",
        "refuting_in_first_mentioning_sentence",
        "first_refuting_position",
        "refuting_near_headline_per_mention",
        "headline_strong_refuting",
        "best_sentence_refuting_excess",
    ),
}
#: names of the dense relation block, in column order
RELATION_FEATURES: tuple[str, ...] = tuple(n for names in RELATION_GROUPS.values() for n in names)
#: a name for the whole relation block, selectable like a group
RELATION_BLOCK = "relation"
#: the groups of the output that follow the relation block (widths known after ``fit``)
EMBED_SIMILARITY_GROUP = "embed_similarity"
#: the cross-lingual groups an embedding block may put ahead of the relation block (after its
#: similarity columns): which pairs are not English, and the language-neutral stance columns
#: (:class:`~newsclf.features.crosslingual.CrossLingualPairEmbedding`)
CROSSLINGUAL_GROUPS: dict[str, tuple[str, ...]] = {
    "language_route": ("xling:route",),
    "claim_cues": tuple(
        f"xling:{n}" for n in NEUTRAL_FEATURES if n.startswith("claim_") and "numbers" not in n
    ),
    "article_cues": tuple(
        f"xling:{n}" for n in NEUTRAL_FEATURES if n.startswith(("lead_", "polarity"))
    ),
    "claim_numbers": tuple(f"xling:{n}" for n in NEUTRAL_FEATURES if "numbers" in n),
    "denial_cues": ("xling:denial_unmatched",),
    "antonym_cues": ("xling:antonym_conflict",),
    "sentence_support": ("xling:sentence_support",),
}


def _leading_embed_names(embed: Any) -> list[str]:
    """The cross-lingual column names ``embed`` outputs (known from its parameters)."""
    names = getattr(embed, "neutral_names", None)
    return list(names()) if names is not None else []


_AT = {name: i for i, name in enumerate(RELATION_FEATURES)}


def _group_slices() -> dict[str, slice]:
    """Each relation group's columns within the relation block."""
    out, start = {}, 0
    for group, names in RELATION_GROUPS.items():
        out[group] = slice(start, start + len(names))
        start += len(names)
    return out


_GROUP = _group_slices()


def _span(first: str, last: str) -> slice:
    """The relation columns from feature ``first`` to feature ``last``, both included."""
    return slice(_AT[first], _AT[last] + 1)


#: how many tokens before a headline term a negation counts as negating it
_NEGATION_REACH = 3
#: how many leading body sentences count as its lead for the ``*_in_lead_sentences`` features
_LEAD_SENTENCES = 2
_QUOTES = re.compile('["\u201c\u201d\u00ab\u00bb]')


def _terms_as_is(terms: list[str]) -> list[str]:
    """Analyzer for documents that are already lists of terms (picklable, unlike a lambda)."""
    return terms


def _cue_positions(tokens: list[str]) -> dict[str, list[int]]:
    """Token positions of each cue kind in ``tokens``, by kind name (in :data:`_CUES` order)."""
    return {kind: count_cues(tokens, cues) for kind, cues in _CUES.items()}


def _cue_count_row(tokens: list[str]) -> list[int]:
    """How many cues of each kind ``tokens`` hold, one column per kind in :data:`_CUES` order."""
    return [len(p) for p in _cue_positions(tokens).values()]


class _Body:
    """What one distinct body contributes to every pair it is in."""

    __slots__ = (
        "bigrams",
        "cue_positions",
        "first_position",
        "n_tokens",
        "not_true",
        "sentence_cues",
        "sentence_marks",
        "sentence_sets",
        "sentence_strong",
        "sentences",
        "strong_positions",
        "term_set",
        "terms",
        "token_positions",
    )

    def __init__(
        self, text: str, analyzer: WordAnalyzer, lang: str | None, vectorizer: Any
    ) -> None:
        lang = lang or detect_language(text)
        self.terms = analyzer.terms(text, lang)
        self.term_set = set(self.terms)
        self.bigrams = set(pairwise(self.terms))
        self.first_position: dict[str, int] = {}
        for i, term in enumerate(self.terms):
            self.first_position.setdefault(term, i)
        tokens = tokenize(text)
        self.token_positions: dict[str, list[int]] = {}
        for i, token in enumerate(tokens):
            self.token_positions.setdefault(token, []).append(i)
        #: cue kind -> token positions of its cues in the body
        self.cue_positions = {
            kind: np.asarray(p, dtype=int) for kind, p in _cue_positions(tokens).items()
        }
        self.n_tokens = len(tokens)
        self.strong_positions = np.asarray(count_cues(tokens, STRONG_REFUTING), dtype=int)
        self.not_true = len(NOT_TRUE.findall(text))
        parts = split_sentences(text)
        sentence_terms = [analyzer.terms(s, lang) for s in parts]
        self.sentences = normalize(vectorizer.transform(sentence_terms))
        self.sentence_sets = [set(t) for t in sentence_terms]
        #: per sentence: cues of each kind (columns as in :data:`_CUES`)
        self.sentence_cues = np.asarray(
            [_cue_count_row(tokenize(s)) for s in parts], dtype=float
        ).reshape(-1, len(_CUES))
        #: per sentence: question marks, quotation marks (columns as in :data:`_MARK`)
        self.sentence_marks = np.asarray(
            [[s.count("?"), len(_QUOTES.findall(s))] for s in parts], dtype=float
        ).reshape(-1, 2)
        #: per sentence: strong-refuting words, "not true"-type phrases
        self.sentence_strong = np.asarray(
            [
                [len(count_cues(tokenize(s), STRONG_REFUTING)), len(NOT_TRUE.findall(s))]
                for s in parts
            ],
            dtype=float,
        ).reshape(-1, 2)


class HeadlineBodyFeatures(TransformerMixin, BaseEstimator):
    """Relation features plus headline and body words for (body, headline) pairs.

    Configs address columns by group name (:meth:`feature_groups`), never by position, so a new
    feature does not shift what a model selects.

    Parameters
    ----------
    lang : {"en", "hu", "auto"}, default="en"
        Language for stemming and stopwords (``"auto"`` detects it per body).
    lsa_components : int, default=200
        Dimensions of the LSA space whose cosine is one relation feature (the components
        themselves are not output: they describe bodies, and do not transfer to new ones).
    lead_terms : int, default=40
        How many leading terms of the body count as its lead.
    window : int, default=8
        Distance in tokens within which a cue counts as near a headline term.
    best_sentences : int, default=3
        How many of the body sentences most similar to the headline are searched for cues.
    headline_ngram_range : pair of int or None, default=(1, 2)
        Word n-grams of the headline (stemmed); ``None`` leaves the headline block out.
    body_max_features : int or None, default=5000
        Size of the body's word vocabulary (most frequent stems); ``0`` leaves it out.
    min_df : int, default=2
        Minimum number of distinct bodies/headlines a word must occur in for the word blocks.
    relation_weight : float, default=1.0
        Multiplier of the relation block.
    embed : transformer or None, default=None
        A sentence-embedding block (:class:`~newsclf.features.embed.PairEmbedding`). Its
        similarity columns lead the relation block (``embed:cos_*`` first, so a relatedness
        model reading the leading columns sees them); its embedding columns, if any, follow
        the relation block. ``None`` leaves it out.

    Attributes
    ----------
    word_vectorizer_, char_vectorizer_ : TfidfVectorizer
        Shared body + headline vocabularies for the cosines.
    lsa_ : TruncatedSVD
    headline_vectorizer_, body_vectorizer_ : TfidfVectorizer or None
        The word blocks.
    n_relation_features_ : int
        Width of the leading relation block.
    n_features_out_ : int

    Examples
    --------
    >>> pairs = [("Officials denied the minister resigned.", "Minister resigned"),
    ...          ("The striker scored twice in the final.", "Minister resigned")]
    >>> est = HeadlineBodyFeatures(lsa_components=1, min_df=1).fit(pairs)
    >>> est.transform(pairs).shape[0]
    2
    """

    def __init__(
        self,
        *,
        lang: str = "en",
        lsa_components: int = 200,
        lead_terms: int = 40,
        window: int = 8,
        best_sentences: int = 3,
        headline_ngram_range: tuple[int, int] | None = (1, 2),
        body_max_features: int | None = 5000,
        min_df: int = 2,
        relation_weight: float = 1.0,
        embed: Any = None,
    ) -> None:
        self.lang = lang
        self.lsa_components = lsa_components
        self.lead_terms = lead_terms
        self.window = window
        self.best_sentences = best_sentences
        self.headline_ngram_range = headline_ngram_range
        self.body_max_features = body_max_features
        self.min_df = min_df
        self.relation_weight = relation_weight
        self.embed = embed

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "lang": LANG,
        "lsa_components": [POSITIVE_INT],
        "lead_terms": [POSITIVE_INT],
        "window": [POSITIVE_INT],
        "best_sentences": [POSITIVE_INT],
        "headline_ngram_range": [*NGRAM_RANGE, None],
        "body_max_features": [Int(0, None, closed="left"), None],
        "min_df": [POSITIVE_INT],
        "relation_weight": [POSITIVE],
        "embed": [HasMethods(["fit", "transform", "similarity_names"]), None],
    }

    def _check_params(self) -> tuple[int, int] | None:
        self._validate_params()
        return check_ngram_range("headline_ngram_range", self.headline_ngram_range)

    # --- fitting --------------------------------------------------------------------------

    def fit(self, X: Any, y: Any = None) -> HeadlineBodyFeatures:
        """Learn the vocabularies, IDF weights and LSA space from the distinct texts of ``X``."""
        self._fit(*as_pairs(X))
        return self

    def fit_transform(self, X: Any, y: Any = None) -> sp.csr_matrix:
        bodies, headlines = as_pairs(X)
        self._fit(bodies, headlines)
        return self._transform(bodies, headlines)

    def _fit(self, bodies: list[str], headlines: list[str]) -> None:
        ngrams = self._check_params()
        self.analyzer_ = WordAnalyzer(lang=self.lang, ngram_range=(1, 1))
        unique_bodies = list(dict.fromkeys(bodies))
        unique_headlines = list(dict.fromkeys(headlines))
        body_terms = [self.analyzer_.terms(b) for b in unique_bodies]
        headline_terms = [self.analyzer_.terms(h, self._lang(h)) for h in unique_headlines]
        self.word_vectorizer_ = TfidfVectorizer(analyzer=_terms_as_is, sublinear_tf=True)
        words = self.word_vectorizer_.fit_transform(body_terms + headline_terms)
        n_components = min(self.lsa_components, words.shape[1] - 1, words.shape[0] - 1)
        self.lsa_ = None
        if n_components >= 1:
            self.lsa_ = TruncatedSVD(n_components=n_components, random_state=0).fit(words)
        self.char_vectorizer_ = TfidfVectorizer(
            analyzer="char_wb", preprocessor=normalize_text, ngram_range=(3, 5), sublinear_tf=True
        ).fit(unique_bodies + unique_headlines)
        self.headline_vectorizer_ = None
        if ngrams is not None:
            self.headline_vectorizer_ = TfidfVectorizer(
                analyzer=WordAnalyzer(lang=self.lang, ngram_range=ngrams),
                min_df=min(self.min_df, len(unique_headlines)),
                sublinear_tf=True,
            ).fit(unique_headlines)
        self.body_vectorizer_ = None
        if self.body_max_features != 0:
            self.body_vectorizer_ = TfidfVectorizer(
                analyzer=_terms_as_is,
                min_df=min(self.min_df, len(unique_bodies)),
                max_features=self.body_max_features,
                sublinear_tf=True,
            ).fit(body_terms)
        self.embed_ = None
        if self.embed is not None:
            self.embed_ = clone(self.embed).fit(list(zip(bodies, headlines, strict=True)))
        sims, leading, _ = self._embed_names()
        self.n_relation_features_ = len(RELATION_FEATURES) + len(sims) + len(leading)
        self.n_features_out_ = len(self._names())
        self.n_features_in_ = 2

    def _lang(self, text: str) -> str | None:
        """The language to analyse ``text`` in (``None``: the analyzer detects it)."""
        return None if self.lang == "auto" else self.lang

    # --- transforming ---------------------------------------------------------------------

    def transform(self, X: Any) -> sp.csr_matrix:
        """Relation block, then headline words, then body words, one row per pair."""
        check_is_fitted(self, "n_features_out_")
        return self._transform(*as_pairs(X))

    def _transform(self, bodies: list[str], headlines: list[str]) -> sp.csr_matrix:
        body_index: dict[str, int] = {}
        headline_index: dict[str, int] = {}
        b_ids = np.asarray([body_index.setdefault(b, len(body_index)) for b in bodies], dtype=int)
        h_ids = np.asarray(
            [headline_index.setdefault(h, len(headline_index)) for h in headlines], dtype=int
        )
        relation, body_terms = self._relation(list(body_index), list(headline_index), b_ids, h_ids)
        blocks = [sp.csr_matrix(relation * self.relation_weight)]
        if self.embed_ is not None:
            embedded = self.embed_.transform(list(zip(bodies, headlines, strict=True)))
            sims, neutral, rest = self._embed_columns()
            blocks.insert(0, sp.csr_matrix(embedded[:, sims + neutral]))
            blocks.append(sp.csr_matrix(embedded[:, rest]))
        if self.headline_vectorizer_ is not None:
            blocks.append(self.headline_vectorizer_.transform(list(headline_index))[h_ids])
        if self.body_vectorizer_ is not None:
            blocks.append(self.body_vectorizer_.transform(body_terms)[b_ids])
        return sp.hstack(blocks, format="csr")

    def _relation(
        self,
        unique_bodies: list[str],
        unique_headlines: list[str],
        b_ids: np.ndarray,
        h_ids: np.ndarray,
    ) -> tuple[np.ndarray, list[list[str]]]:
        """The relation block, and the analysed terms of each distinct body."""
        out = np.zeros((len(b_ids), len(RELATION_FEATURES)))
        if not len(b_ids):
            return out, []
        wv = self.word_vectorizer_
        body_info = [_Body(b, self.analyzer_, self._lang(b), wv) for b in unique_bodies]
        h_terms = [self.analyzer_.terms(h, self._lang(h)) for h in unique_headlines]
        b_words = normalize(wv.transform([info.terms for info in body_info]))
        h_words = normalize(wv.transform(h_terms))
        b_chars = normalize(self.char_vectorizer_.transform(unique_bodies))
        h_chars = normalize(self.char_vectorizer_.transform(unique_headlines))
        if self.lsa_ is not None:
            b_lsa = normalize(self.lsa_.transform(b_words))
            h_lsa = normalize(self.lsa_.transform(h_words))
        h_tokens = [tokenize(h) for h in unique_headlines]
        h_cues = np.log1p([_cue_count_row(t) for t in h_tokens]).reshape(-1, len(_CUES))
        h_question = np.asarray([float("?" in h) for h in unique_headlines])
        h_strong = np.log1p([len(count_cues(t, STRONG_REFUTING)) for t in h_tokens])
        b_cues = np.log1p(
            [[len(p) for p in info.cue_positions.values()] for info in body_info]
        ).reshape(-1, len(_CUES))
        b_questions = np.log1p(
            [info.sentence_marks[:, _MARK["questions"]].sum() for info in body_info]
        )
        b_sentences = np.log1p([len(info.sentence_sets) for info in body_info])
        vocabulary, idf = wv.vocabulary_, wv.idf_
        top_idf = float(idf.max()) if len(idf) else 1.0
        h_idf = [
            {t: float(idf[vocabulary[t]]) if t in vocabulary else top_idf for t in set(terms)}
            for terms in h_terms
        ]

        pairs: dict[tuple[int, int], int] = {}
        rows = np.asarray(
            [pairs.setdefault((b, h), len(pairs)) for b, h in zip(b_ids, h_ids, strict=True)]
        )
        ub = np.asarray([b for b, _ in pairs], dtype=int)
        uh = np.asarray([h for _, h in pairs], dtype=int)
        feats = np.zeros((len(pairs), len(RELATION_FEATURES)))
        feats[:, _AT["word_cosine"]] = np.asarray(
            b_words[ub].multiply(h_words[uh]).sum(axis=1)
        ).ravel()
        if self.lsa_ is not None:
            feats[:, _AT["lsa_cosine"]] = np.einsum("ij,ij->i", b_lsa[ub], h_lsa[uh])
        feats[:, _AT["char_cosine"]] = np.asarray(
            b_chars[ub].multiply(h_chars[uh]).sum(axis=1)
        ).ravel()
        feats[:, _span("headline_refuting", "headline_negation")] = h_cues[uh][:, _FIRST_CUES]
        feats[:, _AT["headline_question"]] = h_question[uh]
        feats[:, _GROUP["body_cues"]] = b_cues[ub][:, _FIRST_CUES]
        feats[:, _AT["headline_length"]] = np.log1p([len(t) for t in h_terms])[uh]
        feats[:, _AT["body_length"]] = np.log1p([len(info.terms) for info in body_info])[ub]
        feats[:, _span("headline_confirming", "headline_attribution")] = h_cues[uh][:, _MORE_CUES]
        feats[:, _span("body_confirming", "body_attribution")] = b_cues[ub][:, _MORE_CUES]
        feats[:, _AT["body_questions"]] = b_questions[ub]
        feats[:, _AT["sentence_count"]] = b_sentences[ub]
        for row, (b, h) in enumerate(pairs):
            body = body_info[b]
            sims = (body.sentences @ h_words[h].T).toarray().ravel()
            feats[row, _GROUP["overlap"]] = self._overlap(body, h_terms[h], sims)
            near, in_best, marks = self._cues_near(body, h_terms[h], sims)
            feats[row, _GROUP["cues_near_headline"]] = [
                *near[_FIRST_CUES],
                *in_best[_FIRST_CUES],
            ]
            feats[row, _span("confirming_near_headline", "attribution_near_headline")] = near[
                _MORE_CUES
            ]
            feats[row, _span("confirming_in_best_sentences", "attribution_in_best_sentences")] = (
                in_best[_MORE_CUES]
            )
            feats[row, _span("questions_in_best_sentences", "quotes_in_best_sentences")] = marks
            feats[row, _GROUP["lead_cues"]] = np.log1p(
                body.sentence_cues[:_LEAD_SENTENCES][:, _FIRST_CUES].sum(axis=0)
            )
            feats[row, _AT["mentioning_sentence_share"]] = float(np.mean(sims > 0))
            feats[row, _AT["mean_sentence_cosine"]] = float(np.mean(sims))
            feats[row, _GROUP["idf_coverage"]] = self._idf_coverage(body, h_idf[h], sims)
            feats[row, _GROUP["stance_toward"]] = self._stance_toward(
                body, h_terms[h], sims, h_strong[h]
            )
        return feats[rows], [info.terms for info in body_info]

    def _overlap(self, body: _Body, h_terms: list[str], sims: np.ndarray) -> list[float]:
        h_set = set(h_terms)
        n = len(h_set)
        if not n:
            return [0.0] * 8
        common = h_set & body.term_set
        lead = set(body.terms[: self.lead_terms])
        top = np.sort(sims)[::-1][: self.best_sentences]
        best_cov = max(len(h_set & s) for s in body.sentence_sets) / n
        h_bigrams = set(pairwise(h_terms))
        bigram = len(h_bigrams & body.bigrams) / len(h_bigrams) if h_bigrams else 0.0
        first = min((body.first_position[t] for t in common), default=len(body.terms))
        return [
            len(common) / n,
            len(h_set & lead) / n,
            len(common) / len(h_set | body.term_set),
            float(top[0]) if len(top) else 0.0,
            float(top.mean()) if len(top) else 0.0,
            best_cov,
            bigram,
            first / max(len(body.terms), 1),
        ]

    def _idf_coverage(
        self, body: _Body, weights: dict[str, float], sims: np.ndarray
    ) -> list[float]:
        """Share of the headline's IDF mass found in the body, its lead and its best sentence."""
        total = sum(weights.values())
        if not total:
            return [0.0, 0.0, 0.0]
        lead = set(body.terms[: self.lead_terms])
        best = body.sentence_sets[int(np.argmax(sims))] if len(sims) else set()
        return [
            sum(w for t, w in weights.items() if t in part) / total
            for part in (body.term_set, lead, best)
        ]

    def _stance_toward(
        self, body: _Body, h_terms: list[str], sims: np.ndarray, headline_strong: float
    ) -> list[float]:
        """The third set of relation features (see ``RELATION_FEATURES``) for one pair."""
        # per sentence: the cue kinds, strong-refuting words, "not true" (see _SENTENCE_COUNT)
        counts = np.hstack([body.sentence_cues, body.sentence_strong])
        refuting_col = _SENTENCE_COUNT["refuting"]
        hedging_col = _SENTENCE_COUNT["hedging"]
        total = float(sims.sum())
        weighted = sims @ counts / total if total > 0 else np.zeros(counts.shape[1])
        top = int(np.argmax(sims)) if len(sims) else 0
        mentioning = np.flatnonzero(sims > 0)
        refuting = body.cue_positions["refuting"]
        anchors = self._anchors(body, h_terms)
        strong_near = refuting_near = negated = 0
        if len(anchors):
            strong_near = self._near(body.strong_positions, anchors)
            refuting_near = self._near(refuting, anchors)
            negations = body.cue_positions["negation"]
            if len(negations):
                ahead = anchors[None, :] - negations[:, None]
                negated = int(np.sum(((ahead > 0) & (ahead <= _NEGATION_REACH)).any(axis=1)))
        n_tokens = max(body.n_tokens, 1)
        return [
            len(refuting) / n_tokens,
            *weighted,
            counts[top, refuting_col],
            counts[top, _SENTENCE_COUNT["negation"]],
            counts[top, _SENTENCE_COUNT["strong_refuting"]],
            float(np.log1p(len(body.strong_positions))),
            float(np.log1p(strong_near)),
            float(np.log1p(body.not_true)),
            float(np.log1p(negated)),
            float(np.mean(counts[mentioning, refuting_col] > 0)) if len(mentioning) else 0.0,
            float(np.mean(counts[mentioning, hedging_col] > 0)) if len(mentioning) else 0.0,
            float(counts[mentioning[0], refuting_col] > 0) if len(mentioning) else 0.0,
            refuting[0] / n_tokens if len(refuting) else 1.0,
            refuting_near / max(len(anchors), 1),
            float(headline_strong),
            float(counts[top, refuting_col] - counts[:, refuting_col].mean()),
        ]

    def _near(self, positions: np.ndarray, anchors: np.ndarray) -> int:
        """How many of ``positions`` are within ``window`` tokens of an anchor."""
        if not len(positions):
            return 0
        gaps = np.abs(positions[:, None] - anchors[None, :]).min(axis=1)
        return int(np.sum(gaps <= self.window))

    @staticmethod
    def _anchors(body: _Body, h_terms: list[str]) -> np.ndarray:
        """Token positions in the body of words that start with a headline stem (3+ chars)."""
        stems = tuple({t for t in h_terms if len(t) >= 3})
        if not stems:
            return np.zeros(0, dtype=int)
        return np.asarray(
            [j for tok, js in body.token_positions.items() if tok.startswith(stems) for j in js],
            dtype=int,
        )

    def _cues_near(
        self, body: _Body, h_terms: list[str], sims: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """log1p counts of each cue kind near the headline's terms and in the best sentences
        (columns as in :data:`_CUES`), and of question marks and quotation marks in the best
        sentences (columns as in :data:`_MARK`)."""
        anchors = self._anchors(body, h_terms)
        near = [
            float(self._near(positions, anchors)) if len(anchors) else 0.0
            for positions in body.cue_positions.values()
        ]
        best = np.argsort(-sims, kind="stable")[: self.best_sentences]
        in_best = body.sentence_cues[best].sum(axis=0)
        marks = body.sentence_marks[best].sum(axis=0)
        return np.log1p(near), np.log1p(in_best), np.log1p(marks)

    # --- names and tags -------------------------------------------------------------------

    def _embed_columns(self) -> tuple[list[int], list[int], list[int]]:
        """Positions in the embedding block's output of its similarity columns, its leading
        cross-lingual columns (``xling:`` scalars, :data:`CROSSLINGUAL_GROUPS`) and the rest
        (embedding vectors), in that order of the output."""
        if self.embed_ is None:
            return [], [], []
        names = [str(n) for n in self.embed_.get_feature_names_out()]
        leading = set(_leading_embed_names(self.embed_))
        sims = [i for i, n in enumerate(names) if n.startswith("embed:cos_")]
        neutral = [i for i, n in enumerate(names) if n in leading and i not in set(sims)]
        taken = set(sims) | set(neutral)
        return sims, neutral, [i for i in range(len(names)) if i not in taken]

    def _embed_names(self) -> tuple[list[str], list[str], list[str]]:
        """Names of the embedding block's similarity, cross-lingual and embedding columns."""
        if self.embed_ is None:
            return [], [], []
        names = [str(n) for n in self.embed_.get_feature_names_out()]
        return tuple([names[i] for i in part] for part in self._embed_columns())  # type: ignore[return-value]

    def _blocks(self) -> list[tuple[str, list[str]]]:
        """(group, column names) in output order; the lexical groups only once fitted."""
        fitted = hasattr(self, "n_features_out_")
        if fitted:
            sims, leading, embedded = self._embed_names()
        else:  # the similarity and cross-lingual columns follow from the parameters alone
            sims = [] if self.embed is None else self.embed.similarity_names()
            leading = [] if self.embed is None else _leading_embed_names(self.embed)
            embedded = []
        blocks = [(EMBED_SIMILARITY_GROUP, sims)]
        for group, names in CROSSLINGUAL_GROUPS.items():
            blocks.append((group, [n for n in leading if n in names]))
        blocks += [(g, [f"relation:{n}" for n in names]) for g, names in RELATION_GROUPS.items()]
        if not fitted:
            return [(g, names) for g, names in blocks if names]
        blocks.append(("embedding", embedded))
        for group, vectorizer in (
            ("headline_words", self.headline_vectorizer_),
            ("body_words", self.body_vectorizer_),
        ):
            prefix = group.split("_")[0]
            names = [] if vectorizer is None else vectorizer.get_feature_names_out()
            blocks.append((group, [f"{prefix}:{n}" for n in names]))
        return [(g, names) for g, names in blocks if names]

    def _names(self) -> list[str]:
        return [name for _, names in self._blocks() for name in names]

    def feature_groups(self) -> dict[str, range]:
        """Output columns of each named feature group, for configs that select groups by name.

        ``embed_similarity`` (when ``embed`` is set), then the relation groups of
        :data:`RELATION_GROUPS`, then ``embedding``, ``headline_words`` and ``body_words``.
        ``relation`` names the whole relation block. Before ``fit`` only the dense leading
        groups are known (their widths follow from the parameters); after ``fit`` all are,
        and they tile :meth:`get_feature_names_out` in order.
        """
        out: dict[str, range] = {}
        start = 0
        for group, names in self._blocks():
            out[group] = range(start, start + len(names))
            start += len(names)
        first = out[next(iter(RELATION_GROUPS))].start
        out[RELATION_BLOCK] = range(first, first + len(RELATION_FEATURES))
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "n_features_out_")
        return np.asarray(self._names(), dtype=object)

    def __sklearn_tags__(self):
        return string_input_tags(super().__sklearn_tags__())
