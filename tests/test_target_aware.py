"""Target-aware stance models: estimator contract, per-target routing and artifact round trip."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

import newsclf
from newsclf.classifier import NewsClassifier
from newsclf.cli import main
from newsclf.errors import ConfigError
from newsclf.features import PairVectorizer, TextVectorizer
from newsclf.features.target import TargetCrossedFeatures, TargetMentionFeatures
from newsclf.models.target_aware import PerTargetClassifier, build_target_aware
from newsclf.pipeline import TaskModel

# two targets whose stance words are opposite: "ban" is AGAINST guns but FAVOR for a tax ban
GUN = [
    ("ban them all now", "AGAINST"),
    ("ban assault weapons", "AGAINST"),
    ("we must ban this", "AGAINST"),
    ("protect my rights", "FAVOR"),
    ("rights of owners matter", "FAVOR"),
    ("my rights my choice", "FAVOR"),
]
TAX = [
    ("ban the tax now", "FAVOR"),
    ("ban this unfair tax", "FAVOR"),
    ("we must ban it", "FAVOR"),
    ("the state has rights", "AGAINST"),
    ("rights to collect taxes", "AGAINST"),
    ("fund schools, keep it", "AGAINST"),
]
PAIRS = [(t, "Gun ownership") for t, _ in GUN] + [(t, "tax ban") for t, _ in TAX]
LABELS = [s for _, s in GUN] + [s for _, s in TAX]


def _inner() -> Pipeline:
    vec = PairVectorizer(
        text_vectorizer=TextVectorizer(lang="en", char_ngram_range=None, stopwords=False),
        target_vectorizer="drop",
        similarity="drop",
    )
    return Pipeline([("features", vec), ("model", LogisticRegression(C=10.0))])


def _per_target(**params) -> PerTargetClassifier:
    return PerTargetClassifier(_inner(), min_samples=3, **params)


def _crossed() -> Pipeline:
    features = TargetCrossedFeatures(_inner().named_steps["features"], min_samples=3)
    return Pipeline([("features", features), ("model", LogisticRegression(C=10.0))])


MAKERS = {"per_target": _per_target, "crossed": _crossed}


@pytest.mark.parametrize("kind", list(MAKERS))
def test_target_aware_model_separates_opposite_targets(kind: str) -> None:
    model = MAKERS[kind]().fit(PAIRS, LABELS)
    pred = model.predict([("we must ban", "gun  OWNERSHIP"), ("we must ban", "Tax ban")])
    assert list(pred) == ["AGAINST", "FAVOR"]  # targets match case- and space-insensitively


def test_per_target_routes_unseen_and_rare_targets_to_the_pooled_model() -> None:
    pairs = [*PAIRS, ("ban", "rare target")]
    model = _per_target().fit(pairs, [*LABELS, "NONE"])
    assert sorted(model.estimators_) == ["gun ownership", "tax ban"]
    assert list(model.classes_) == ["AGAINST", "FAVOR", "NONE"]
    proba = model.predict_proba([("ban them", "gun ownership"), ("ban", "never seen")])
    assert proba.shape == (2, 3)
    assert proba[0, 2] == 0.0  # the gun model never saw NONE
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_per_target_without_fallback_refuses_unseen_targets() -> None:
    model = _per_target(fallback=False).fit(PAIRS, LABELS)
    with pytest.raises(ValueError, match="unseen target 'other'"):
        model.predict([("ban", "other")])
    with pytest.raises(ValueError, match="needs min_samples=3"):
        _per_target(fallback=False).fit([*PAIRS, ("x", "rare")], [*LABELS, "FAVOR"])


def test_crossed_features_have_a_shared_and_a_per_target_block() -> None:
    features = TargetCrossedFeatures(_inner().named_steps["features"], min_samples=3)
    X = features.fit_transform(PAIRS)
    width = features.n_base_features_
    assert X.shape == (12, 3 * width)
    assert list(features.targets_) == ["gun ownership", "tax ban"]
    gun_row, tax_row = X[0].toarray().ravel(), X[6].toarray().ravel()
    assert np.allclose(gun_row[:width], gun_row[width : 2 * width])
    assert not gun_row[2 * width :].any() and not tax_row[width : 2 * width].any()
    unseen = features.transform([("ban", "unseen")]).toarray().ravel()
    assert unseen[:width].any() and not unseen[width:].any()
    names = features.get_feature_names_out()
    assert len(names) == X.shape[1] and names[0].startswith("shared|")


def _mention() -> TargetMentionFeatures:
    return TargetMentionFeatures(_inner().named_steps["features"], TextVectorizer(), window=2)


@pytest.mark.parametrize(
    "make",
    [_per_target, lambda: _crossed().named_steps["features"], _mention],
    ids=["per_target", "crossed", "mention"],
)
def test_target_aware_estimators_follow_the_sklearn_contract(make) -> None:
    est = make()
    params = est.get_params(deep=False)
    assert clone(est).get_params(deep=False).keys() == params.keys()
    with pytest.raises(NotFittedError):
        est.predict(PAIRS) if hasattr(est, "predict") else est.transform(PAIRS)
    assert est.fit(PAIRS, LABELS) is est
    out = est.predict_proba(PAIRS) if hasattr(est, "predict_proba") else est.transform(PAIRS)
    again = pickle.loads(pickle.dumps(est))
    out2 = (
        again.predict_proba(np.asarray(PAIRS, dtype=object))
        if hasattr(est, "predict_proba")
        else again.transform(np.asarray(PAIRS, dtype=object))
    )
    assert np.allclose(
        getattr(out, "toarray", lambda: out)(), getattr(out2, "toarray", lambda: out2)()
    )
    with pytest.raises(ValueError, match="pairs"):
        est.fit("a single string", ["FAVOR"])
    bad = "window" if isinstance(est, TargetMentionFeatures) else "min_samples"
    with pytest.raises(ValueError, match=bad):
        clone(est).set_params(**{bad: 0}).fit(PAIRS, LABELS)


def test_build_target_aware_modes_and_errors() -> None:
    assert build_target_aware(_inner(), {"name": "pooled"}).steps[0][0] == "features"
    per = build_target_aware(_inner(), {"name": "per_target", "min_samples": 5, "fallback": True})
    assert isinstance(per.named_steps["per_target"], PerTargetClassifier)
    crossed = build_target_aware(_inner(), {"name": "crossed", "min_samples": 5})
    assert isinstance(crossed.named_steps["features"], TargetCrossedFeatures)
    with pytest.raises(ConfigError, match=r"target_aware\.name"):
        build_target_aware(_inner(), {"name": "per_entity"})
    with pytest.raises(ConfigError, match=r"unknown parameter\(s\) \['min_sample'\]"):
        build_target_aware(_inner(), {"name": "per_target", "min_sample": 5})


@pytest.mark.parametrize("kind", list(MAKERS))
def test_target_aware_artifact_round_trip_through_predict_cli(
    kind: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    pipeline = MAKERS[kind]()
    pipeline = pipeline if isinstance(pipeline, Pipeline) else Pipeline([("per_target", pipeline)])
    pipeline.fit(PAIRS, LABELS)
    clf = NewsClassifier({"stance": TaskModel(pipeline, input="pair", include_title=False)})
    model_dir = clf.save(tmp_path / "model")
    loaded = newsclf.load(model_dir)
    texts = ["ban them all", "ban the tax"]
    targets = ["Gun ownership", "tax ban"]
    assert np.allclose(
        loaded.predict_proba(texts, targets=targets)["stance"],
        clf.predict_proba(texts, targets=targets)["stance"],
    )
    records = tmp_path / "in.jsonl"
    records.write_text(
        "".join(
            json.dumps({"text": t, "target": g}) + "\n" for t, g in zip(texts, targets, strict=True)
        ),
        encoding="utf-8",
    )
    assert main(["predict", str(model_dir), str(records)]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["stance"] for r in rows] == ["AGAINST", "FAVOR"]
    assert set(rows[0]["stance_scores"]) == {"AGAINST", "FAVOR"}


def test_mention_features_mask_inflected_mentions_and_vectorise_their_context() -> None:
    features = TargetMentionFeatures(
        PairVectorizer(target_vectorizer="drop", similarity="drop"),
        TextVectorizer(lang="hu", char_ngram_range=None, stopwords=False),
        window=2,
    )
    original = [
        ("Szerinte Orbánnak nincs igaza, mondta Gyurcsány Ferenc.", "Orbán Viktor"),
        ("Gyurcsány Ferenc szerint rossz.", "Gyurcsány Ferenc"),
        ("Nem említi a nevet.", "Orbán Viktor"),
    ]
    pairs, contexts = features._rewrite(original)
    assert list(pairs[:, 0]) == [
        "Szerinte célpont nincs igaza, mondta Gyurcsány Ferenc.",
        "célpont célpont szerint rossz.",
        "Nem említi a nevet.",
    ]
    assert contexts == ["Szerinte nincs igaza", "szerint rossz", ""]
    X = features.fit_transform(original)
    names = features.get_feature_names_out()
    assert X.shape[1] == len(names) and any(n.startswith("context|") for n in names)
    model = build_target_aware(_inner(), {"name": "mention", "window": 2, "context": False})
    assert model.named_steps["features"].context_vectorizer is None


def test_semeval_experiment_trains_reports_favg_and_predicts_from_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    words = {"FAVOR": "love support great", "AGAINST": "hate oppose awful", "NONE": "weather lunch"}
    rows = ["Tweet,Target,Stance,Opinion Towards,Sentiment"]
    for target in ("Atheism", "Hillary Clinton"):
        for i in range(24):
            stance = ("FAVOR", "AGAINST", "NONE")[i % 3]
            rows.append(f"{words[stance]} {target} number {i} #SemST,{target},{stance},1. x,pos")
    data = tmp_path / "semeval2016_task6" / "StanceDataset"
    data.mkdir(parents=True)
    (data / "train.csv").write_bytes("\r".join(rows).encode("latin-1"))
    run_dir = tmp_path / "run"
    code = main(
        [
            "train",
            "experiment=semeval2016",
            f"data.root={tmp_path}",
            f"hydra.run.dir={run_dir}",
            "eval.resamples=20",
        ]
    )
    assert code == 0
    metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["split"].startswith("stratified hold-out")
    assert 0 <= metrics["tasks"]["stance"]["favg"]["score"] <= 100
    capsys.readouterr()
    records = tmp_path / "in.jsonl"
    records.write_text(
        json.dumps({"text": "I love and support her", "target": "Hillary Clinton"}) + "\n",
        encoding="utf-8",
    )
    assert main(["predict", str(run_dir / "model"), str(records)]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["stance"] == "FAVOR"


def test_moved_types_still_resolve_by_their_old_names() -> None:
    """Artifacts saved before the transformers moved to newsclf.features.target name them by
    their old module; those names resolve to the same classes, and skops trusts them."""
    import importlib

    from newsclf.artifacts import TRUSTED_TYPES
    from newsclf.compat import MOVED_TYPES

    for old, new in MOVED_TYPES.items():
        assert new in TRUSTED_TYPES
        (old_module, old_name), (new_module, new_name) = (n.rsplit(".", 1) for n in (old, new))
        old_cls = getattr(importlib.import_module(old_module), old_name)
        assert old_cls is getattr(importlib.import_module(new_module), new_name)
