"""FNC-1: the native-file loader, the official score and the experiment's two components."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from conftest import write_synthetic_fnc1
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression

from newsclf.data import load_dataset
from newsclf.data.fnc1 import read_fnc1
from newsclf.errors import ConfigError, DataError
from newsclf.evaluation import classification_metrics, format_metrics_table
from newsclf.evaluation.fnc import fnc_report, fnc_score, is_fnc_label_set
from newsclf.features.headline_body import RELATION_FEATURES, HeadlineBodyFeatures
from newsclf.models.two_stage import RelatedThenStanceClassifier

# Hand-written, FNC-shaped fixtures (not FNC-1 text).
BODIES = (
    "Body ID,articleBody\n"
    '1,"The city council approved the new bridge on Monday.\n\nWork starts next year."\n'
    '2,"Officials denied reports that the zoo had lost its only panda."\n'
)
STANCES = (
    "Headline,Body ID,Stance\n"
    "Council approves new bridge,1,agree\n"
    "Zoo loses its panda,2,disagree\n"
    "Zoo loses its panda,1,unrelated\n"
)


def _write(root: Path, **files: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / f"{name}.csv").write_text(text, encoding="utf-8")
    return root


# --- loader -----------------------------------------------------------------------------------


def test_fnc1_loader_joins_bodies_to_stances(tmp_path: Path) -> None:
    root = _write(tmp_path, train_bodies=BODIES, train_stances=STANCES)
    train, test = read_fnc1(root)
    assert test is None
    assert [(r.target, r.stance, r.group) for r in train] == [
        ("Council approves new bridge", "agree", "1"),
        ("Zoo loses its panda", "disagree", "2"),
        ("Zoo loses its panda", "unrelated", "1"),
    ]
    assert train[0].text.startswith("The city council") and "Work starts" in train[0].text
    assert train[2].text == train[0].text
    assert [r.line for r in train] == [2, 3, 4]
    assert len({r.id for r in train}) == 3


def test_fnc1_loader_reads_competition_test_files_when_present(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        train_bodies=BODIES,
        train_stances=STANCES,
        competition_test_bodies='Body ID,articleBody\n7,"A new body."\n',
        competition_test_stances="Headline,Body ID,Stance\nSome claim,7,discuss\n",
    )
    dataset = load_dataset({"name": "fnc1", "root": str(root)})
    assert len(dataset.train) == 3
    assert [(r.text, r.target, r.stance, r.group) for r in dataset.test] == [
        ("A new body.", "Some claim", "discuss", "7")
    ]
    assert not {r.id for r in dataset.train} & {r.id for r in dataset.test}


def test_fnc1_loader_rejects_half_a_competition_test_set(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        train_bodies=BODIES,
        train_stances=STANCES,
        competition_test_stances="Headline,Body ID,Stance\nSome claim,7,discuss\n",
    )
    with pytest.raises(DataError, match=r"competition_test_bodies\.csv"):
        read_fnc1(root)


def test_fnc1_stance_with_unknown_body_id_names_file_line_and_field(tmp_path: Path) -> None:
    stances = STANCES + "Bridge collapses,99,discuss\n"
    root = _write(tmp_path, train_bodies=BODIES, train_stances=stances)
    with pytest.raises(DataError) as err:
        read_fnc1(root)
    assert err.value.path == str(root / "train_stances.csv")
    assert err.value.line == 5
    assert err.value.field == "Body ID"
    assert "99" in str(err.value) and "hint" in str(err.value)


def test_fnc1_malformed_row_names_file_and_line(tmp_path: Path) -> None:
    stances = STANCES + "Too,many,cells,here\n"
    root = _write(tmp_path, train_bodies=BODIES, train_stances=stances)
    with pytest.raises(DataError) as err:
        read_fnc1(root)
    assert err.value.path == str(root / "train_stances.csv")
    assert err.value.line == 5
    assert "4 cells" in str(err.value)


def test_fnc1_malformed_row_after_multiline_body_has_its_own_line(tmp_path: Path) -> None:
    bodies = BODIES + "3\n"
    root = _write(tmp_path, train_bodies=bodies, train_stances=STANCES)
    with pytest.raises(DataError) as err:
        read_fnc1(root)
    assert (err.value.path, err.value.line) == (str(root / "train_bodies.csv"), 6)


@pytest.mark.parametrize(
    ("stances", "field"),
    [
        ("Headline,Body ID,Stance\nA claim,x1,agree\n", "Body ID"),
        ("Headline,Body ID,Stance\nA claim,1,agrees\n", "Stance"),
        ("Headline,Body ID,Stance\n,1,agree\n", "Headline"),
    ],
    ids=["body-id-not-a-number", "unknown-stance", "empty-headline"],
)
def test_fnc1_bad_cell_names_its_field(tmp_path: Path, stances: str, field: str) -> None:
    root = _write(tmp_path, train_bodies=BODIES, train_stances=stances)
    with pytest.raises(DataError) as err:
        read_fnc1(root)
    assert (err.value.line, err.value.field) == (2, field)


def test_fnc1_missing_column_and_missing_files_are_data_errors(tmp_path: Path) -> None:
    root = _write(tmp_path, train_bodies=BODIES, train_stances="Headline,Stance\nA,agree\n")
    with pytest.raises(DataError, match="Body ID"):
        read_fnc1(root)
    with pytest.raises(DataError, match="file not found"):
        read_fnc1(_write(tmp_path / "empty"))
    with pytest.raises(DataError, match="not a directory"):
        read_fnc1(tmp_path / "nowhere")


def test_fnc1_dataset_without_root_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"data\.root"):
        load_dataset({"name": "fnc1", "root": None})


# --- official score -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("gold", "pred", "raw", "best"),
    [
        # a correct related label is worth 1.0, a correct unrelated 0.25
        (["agree", "unrelated"], ["agree", "unrelated"], 1.25, 1.25),
        # wrong stance among related: only the 0.25 for "related"
        (["agree", "disagree", "discuss"], ["discuss", "agree", "disagree"], 0.75, 3.0),
        # related called unrelated and unrelated called related: nothing
        (["discuss", "unrelated"], ["unrelated", "agree"], 0.0, 1.25),
        # 1.0 (agree) + 0.25 (disagree as discuss) + 0 (discuss as unrelated) + 0.25 + 0
        (
            ["agree", "disagree", "discuss", "unrelated", "unrelated"],
            ["agree", "discuss", "unrelated", "unrelated", "disagree"],
            1.5,
            3.5,
        ),
    ],
    ids=["perfect", "related-wrong-stance", "relatedness-wrong", "mixed"],
)
def test_fnc_score_matches_hand_computed_cases(
    gold: list[str], pred: list[str], raw: float, best: float
) -> None:
    report = fnc_report(gold, pred)
    assert report["raw"] == pytest.approx(raw)
    assert report["max"] == pytest.approx(best)
    assert fnc_score(gold, pred) == pytest.approx(100 * raw / best)


def test_fnc_score_rejects_labels_outside_fnc() -> None:
    with pytest.raises(DataError, match="favor"):
        fnc_score(["agree"], ["favor"])
    with pytest.raises(DataError, match="predictions"):
        fnc_score(["agree", "discuss"], ["agree"])


def test_metrics_report_fnc_score_only_for_the_fnc_label_set() -> None:
    gold = ["agree", "disagree", "discuss", "unrelated", "unrelated"]
    pred = ["agree", "discuss", "unrelated", "unrelated", "disagree"]
    labels = ["agree", "disagree", "discuss", "unrelated"]
    assert is_fnc_label_set(labels) and not is_fnc_label_set(["favor", "against", "none"])
    m = classification_metrics(gold, pred, labels=labels, n_resamples=10)
    assert m["fnc"]["score"] == pytest.approx(100 * 1.5 / 3.5)
    assert set(m["per_class"]) == set(labels) and "macro_f1" in m
    assert "FNC score 42.86%" in format_metrics_table({"stance": m})
    other = classification_metrics(["favor", "against"], ["favor", "favor"], n_resamples=10)
    assert "fnc" not in other


# --- features and model -----------------------------------------------------------------------

_HEAD = ["New bridge approved by council", "Zoo has lost its panda", "Singer cancels world tour"]
_BODY = [
    "The city council approved the new bridge on Monday. Work starts next year.",
    "Officials denied reports that the zoo had lost its panda. The panda is fine.",
    "The singer reportedly cancelled the world tour, according to unconfirmed reports.",
    "Rain is expected across the region this weekend. Temperatures will drop.",
]
PAIRS = [(b, h) for b in _BODY for h in _HEAD]


def _features() -> HeadlineBodyFeatures:
    return HeadlineBodyFeatures(lsa_components=3, min_df=1, window=4)


def test_headline_body_relation_block_comes_first_and_is_named() -> None:
    est = _features().fit(PAIRS)
    X = est.transform(PAIRS)
    names = list(est.get_feature_names_out())
    n = len(RELATION_FEATURES)
    assert est.n_relation_features_ == n == 68
    assert names[:n] == [f"relation:{name}" for name in RELATION_FEATURES]
    assert {name.split(":")[0] for name in names[n:]} == {"headline", "body"}
    assert X.shape == (len(PAIRS), len(names))


def test_headline_body_related_pair_has_higher_similarity_than_unrelated() -> None:
    est = _features().fit(PAIRS)
    X = est.transform(PAIRS).toarray()
    for name in ("word_cosine", "char_cosine", "coverage", "best_sentence_cosine"):
        col = RELATION_FEATURES.index(name)
        assert X[0, col] > X[1, col] and X[0, col] > X[9, col], name


def test_headline_body_finds_refuting_cue_near_the_headline_terms() -> None:
    est = _features().fit(PAIRS)
    X = est.transform(PAIRS).toarray()
    near = RELATION_FEATURES.index("refuting_near_headline")
    assert X[4, near] > 0  # "denied ... zoo ... panda"
    assert X[0, near] == 0


def test_headline_body_output_per_pair_does_not_depend_on_the_batch() -> None:
    est = _features().fit(PAIRS)
    full = est.transform(PAIRS).toarray()
    alone = np.vstack([est.transform([p]).toarray() for p in PAIRS[::5]])
    np.testing.assert_allclose(alone, full[::5])


@pytest.mark.parametrize(
    "params",
    [{"lang": "de"}, {"window": 0}, {"lsa_components": 1.5}, {"headline_ngram_range": [2, 1]}],
)
def test_headline_body_rejects_invalid_parameters_at_fit(params: dict) -> None:
    with pytest.raises(ValueError):
        HeadlineBodyFeatures(**params).fit(PAIRS)


# the default gradient boosting is slow on a busy machine; the stage logic is what is tested
_FAST = LogisticRegression()


def _model_input() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 6))
    y = np.where(X[:, 0] > 0.3, "unrelated", np.where(X[:, 1] > 0, "agree", "discuss"))
    return X, y


def test_related_then_stance_probabilities_combine_both_stages() -> None:
    X, y = _model_input()
    clf = RelatedThenStanceClassifier(relatedness=_FAST, relatedness_columns=2).fit(X, y)
    proba = clf.predict_proba(X)
    assert list(clf.classes_) == ["agree", "discuss", "unrelated"]
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    assert (clf.predict(X) == y).mean() > 0.8
    assert clf.relatedness_.n_features_in_ == 2


def test_related_then_stance_follows_the_estimator_contract() -> None:
    X, y = _model_input()
    clf = RelatedThenStanceClassifier(relatedness=_FAST, relatedness_columns=3)
    assert repr(clone(clf)) == repr(clf)
    with pytest.raises(NotFittedError):
        clf.predict(X)
    assert clf.fit(X, y) is clf
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize(
    ("params", "labels", "match"),
    [
        ({"relatedness_columns": 0}, None, "relatedness_columns"),
        ({"relatedness_columns": 7}, None, "relatedness_columns"),
        ({}, ["agree", "agree"], "two labels"),
    ],
    ids=["zero-columns", "too-many-columns", "one-label"],
)
def test_related_then_stance_rejects_bad_setup(params: dict, labels: list | None, match: str):
    X, y = _model_input()
    if labels is not None:
        y = np.where(X[:, 1] > 0, *labels)
    with pytest.raises(ValueError, match=match):
        RelatedThenStanceClassifier(**params).fit(X, y)


# --- the experiment, end to end through the CLI -------------------------------------------------


def test_experiment_fnc1_trains_and_predicts_stance_from_body_and_headline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from newsclf.cli import main

    root = write_synthetic_fnc1(tmp_path / "fnc1")
    run = tmp_path / "run"
    overrides = [
        "experiment=fnc1",
        f"data.root={root}",
        f"hydra.run.dir={run}",
        "split.test_size=0.25",
        "model.params.relatedness.logreg.max_iter=100",
        "features.pair.lsa_components=5",
        "features.pair.min_df=1",
        "eval.resamples=10",
    ]
    assert main(["train", *overrides]) == 0
    metrics = json.loads((run / "metrics.json").read_text())
    assert "fnc" in metrics["tasks"]["stance"]
    assert "FNC score" in capsys.readouterr().out
    records = tmp_path / "in.jsonl"
    records.write_text(
        json.dumps({"id": "x", "text": "The rocket story broke.", "target": "Rocket news"}) + "\n"
    )
    assert main(["predict", str(run / "model"), str(records)]) == 0
    row = json.loads(capsys.readouterr().out)
    assert row["id"] == "x" and row["stance"] in {"agree", "disagree", "discuss", "unrelated"}
    assert set(row["stance_scores"]) == {"agree", "disagree", "discuss", "unrelated"}


_REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "fnc1"


@pytest.mark.slow
@pytest.mark.skipif(not (_REAL / "train_stances.csv").exists(), reason="FNC-1 data not present")
def test_experiment_fnc1_on_the_real_training_data_keeps_its_body_id_holdout_scores(
    tmp_path: Path,
) -> None:
    """A regression guard only: a Body-ID hold-out shares headlines with training, so these
    figures sit far above the competition test set's (experiments/RESULTS.md, FNC-1)."""
    from newsclf.cli import main

    run = tmp_path / "run"
    assert main(["train", "experiment=fnc1", f"data.root={_REAL}", f"hydra.run.dir={run}"]) == 0
    stance = json.loads((run / "metrics.json").read_text())["tasks"]["stance"]
    assert stance["fnc"]["score"] >= 82.5 and stance["macro_f1"] >= 0.62


def test_stance_only_features_for_the_topic_task_are_a_config_error() -> None:
    from newsclf.features.registry import build_text_features

    with pytest.raises(ConfigError, match="stance"):
        build_text_features({"name": "headline_body", "pair": {}})


def test_related_then_stance_without_unrelated_label_is_the_stance_model_alone() -> None:
    X, y = _model_input()
    y = np.where(X[:, 1] > 0, "agree", "discuss")
    clf = RelatedThenStanceClassifier(relatedness=_FAST).fit(X, y)
    assert clf.relatedness_ is None
    np.testing.assert_allclose(clf.predict_proba(X), clf.stance_.predict_proba(X))


def test_related_then_stance_with_one_related_label_only_decides_relatedness() -> None:
    X, y = _model_input()
    y = np.where(y == "unrelated", "unrelated", "agree")
    clf = RelatedThenStanceClassifier(relatedness=_FAST, relatedness_columns=1).fit(X, y)
    np.testing.assert_allclose(
        clf.predict_proba(X)[:, 0], 1 - clf.relatedness_.predict_proba(X[:, :1])[:, 1]
    )


def test_flat_relatedness_parameters_are_refused_with_the_new_spelling() -> None:
    from newsclf.models.registry import build_model

    model = {"name": "related_then_stance", "params": {"relatedness": {"max_iter": 10}}}
    with pytest.raises(ConfigError, match=r"relatedness\.gbm\.max_iter"):
        build_model(model, seed=0)


def test_logreg_relatedness_is_a_scaled_logistic_regression_explain_can_read() -> None:
    from newsclf.models.registry import build_model

    params = {"relatedness_model": "logreg", "relatedness_groups": ["cosine"]}
    groups = {"cosine": range(0, 1), "rest": range(1, 3)}
    est = build_model(
        {"name": "related_then_stance", "params": params}, seed=0, feature_groups=groups
    )
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3))
    y = np.where(X[:, 0] > 0, "unrelated", np.where(X[:, 1] > 0, "agree", "discuss"))
    est.fit(X, y)
    w, b, source = est.linear_part()
    assert w.shape == (3, 3) and "relatedness log-odds" in source
    unrelated = list(est.classes_).index("unrelated")
    assert w[unrelated, 0] > 0 and np.all(w[unrelated, 1:] == 0)
    # the folded weights reproduce the relatedness model's log-odds on raw inputs
    p = est.relatedness_.predict_proba(X[:, :1])[:, 1]
    np.testing.assert_allclose(X @ w[unrelated] + b[unrelated], np.log(p / (1 - p)), rtol=1e-6)
