"""`newsclf explain`: indicative features per class and per-record contributions of linear
models, read through the pipeline (features -> model)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import TINY_STANCES, TINY_TARGETS, TINY_TEXTS, TINY_TOPICS, build_tiny_classifier
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.naive_bayes import ComplementNB, MultinomialNB
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC

from newsclf.classifier import NewsClassifier
from newsclf.cli import main
from newsclf.data import demo_path, read_records, records_from_dicts
from newsclf.errors import ConfigError, DataError
from newsclf.features import TextVectorizer
from newsclf.pipeline import TaskModel
from newsclf.reports.explain import class_weights, explain_record, task_weights, top_features

TOPIC_3 = [*TINY_TOPICS[:4], "culture", "culture", *TINY_TOPICS[4:]]
TEXTS_3 = [*TINY_TEXTS[:4], "A Nemzeti Múzeum új kiállítása nyílt.", "The museum opened a show.",
           *TINY_TEXTS[4:]]  # fmt: skip


@pytest.fixture(scope="module")
def tiny() -> NewsClassifier:
    """The conftest tiny topic + stance classifier, built once: these tests only read it."""
    return build_tiny_classifier()


def _topic_clf(model, texts=TINY_TEXTS, labels=TINY_TOPICS) -> NewsClassifier:
    pipe = Pipeline([("features", TextVectorizer(char_ngram_range=None)), ("model", model)])
    pipe.fit(texts, labels)
    return NewsClassifier({"topic": TaskModel(pipe, input="text")})


def _record(text: str, target: str | None = None):
    return records_from_dicts([{"id": "r1", "text": text, "target": target}])[0]


def test_binary_model_gives_first_class_the_negated_weights(tiny) -> None:
    weights = task_weights(tiny, "topic")
    assert weights.classes == ["economy", "sport"]
    np.testing.assert_allclose(weights.weights[0], -weights.weights[1])
    assert len(weights.feature_names) == weights.weights.shape[1]


def test_top_features_of_each_class_are_its_own_words(tiny) -> None:
    top = top_features(task_weights(tiny, "topic"), top=10)
    assert set(top) == {"economy", "sport"}
    economy = {name for name, _ in top["economy"]}
    sport = {name for name, _ in top["sport"]}
    assert "word:kamat" in economy and "word:fradi" in sport
    assert not economy & sport
    weights = [w for _, w in top["economy"]]
    assert weights == sorted(weights, reverse=True) and len(weights) == 10


@pytest.mark.parametrize("task", ["topic", "stance"])
def test_contributions_plus_intercept_equal_the_decision_function(tiny, task) -> None:
    record = _record("Az infláció gyorsult, a forint gyengült.", target=TINY_TARGETS[0])
    exp = explain_record(tiny, record, task, top=100_000)
    pipe = tiny.models[task].pipeline
    inputs = tiny.models[task].inputs([record])
    decision = np.atleast_1d(pipe.decision_function(inputs)[0])
    for label in exp.scores:
        total = sum(c.contribution for c in exp.contributions[label]) + exp.intercept[label]
        assert total == pytest.approx(exp.scores[label])
    scores = [exp.scores[label] for label in pipe.classes_]
    expected = decision if len(decision) > 1 else [-decision[0], decision[0]]
    np.testing.assert_allclose(scores, expected)
    assert exp.predicted == pipe.predict(inputs)[0]


def test_each_contribution_is_feature_value_times_weight(tiny) -> None:
    exp = explain_record(tiny, _record("A Fradi kikapott."), "topic", top=5)
    for items in exp.contributions.values():
        for c in items:
            assert c.contribution == pytest.approx(c.value * c.weight)
    positive = [c.contribution for c in exp.contributions["sport"] if c.contribution > 0]
    assert positive == sorted(positive, reverse=True) and 0 < len(positive) <= 5


def test_calibrated_linear_svc_weights_are_the_mean_of_its_base_estimators() -> None:
    model = CalibratedClassifierCV(LinearSVC(random_state=0), cv=2)
    clf = _topic_clf(model, TEXTS_3, TOPIC_3)
    weights = task_weights(clf, "topic")
    bases = [c.estimator.coef_ for c in clf.models["topic"].pipeline[-1].calibrated_classifiers_]
    np.testing.assert_allclose(weights.weights, np.mean(bases, axis=0))
    assert "CalibratedClassifierCV" in weights.source


@pytest.mark.parametrize(
    "model",
    [
        LogisticRegression(),
        SGDClassifier(loss="log_loss", random_state=0),
        ComplementNB(),
        MultinomialNB(),
    ],
    ids=["logreg", "sgd", "complement_nb", "multinomial_nb"],
)
def test_explained_scores_pick_the_models_own_prediction(model) -> None:
    clf = _topic_clf(model, TEXTS_3, TOPIC_3)
    for text in TEXTS_3:
        exp = explain_record(clf, _record(text), "topic")
        best = max(exp.scores, key=exp.scores.__getitem__)
        assert best == clf.models["topic"].pipeline.predict([text])[0]


class _Wrapper(ClassifierMixin, BaseEstimator):
    """A meta-estimator around one fitted linear model (like SoftmaxDecisionClassifier)."""

    def __init__(self, estimator=None) -> None:
        self.estimator = estimator

    def fit(self, X, y):
        self.estimator_ = clone(self.estimator).fit(X, y)
        self.classes_ = self.estimator_.classes_
        return self

    def predict(self, X):
        return self.estimator_.predict(X)


def test_wrapper_around_one_fitted_linear_model_is_unwrapped() -> None:
    clf = _topic_clf(_Wrapper(LogisticRegression()), TEXTS_3, TOPIC_3)
    weights = task_weights(clf, "topic")
    inner = clf.models["topic"].pipeline[-1].estimator_
    np.testing.assert_allclose(weights.weights, inner.coef_)
    assert weights.source == "_Wrapper of LogisticRegression.coef_"


def test_naive_bayes_weights_are_centred_per_feature() -> None:
    clf = _topic_clf(ComplementNB(), TEXTS_3, TOPIC_3)
    weights = task_weights(clf, "topic")
    np.testing.assert_allclose(weights.weights.mean(axis=0), 0, atol=1e-12)
    top = top_features(weights, top=3)
    assert any("múzeum" in name or "museum" in name for name, _ in top["culture"])


def test_non_linear_model_is_refused_with_the_linear_models_named() -> None:
    clf = _topic_clf(KNeighborsClassifier(n_neighbors=1))
    with pytest.raises(ConfigError, match=r"KNeighborsClassifier.*linear weights") as info:
        task_weights(clf, "topic")
    assert "logreg" in str(info.value) and info.value.key == "model"


def test_unknown_task_names_the_models_tasks(tiny) -> None:
    with pytest.raises(ConfigError, match="no task 'sentiment'") as info:
        task_weights(tiny, "sentiment")
    assert "topic, stance" in str(info.value)


def test_stance_record_without_target_is_a_data_error(tiny) -> None:
    with pytest.raises(DataError, match="target"):
        explain_record(tiny, _record("Az infláció gyorsult."), "stance")


@pytest.mark.parametrize("top", [0, -3])
def test_top_must_be_positive(tiny, top: int) -> None:
    with pytest.raises(ConfigError, match="--top"):
        top_features(task_weights(tiny, "topic"), top=top)


def test_pipeline_feature_names_come_through_every_step_but_the_model(tiny) -> None:
    weights = class_weights(tiny.models["stance"].pipeline)
    prefixes = {str(n).split(":", 1)[0] for n in weights.feature_names}
    assert prefixes == {"text", "target", "pair"}
    assert weights.classes == sorted(set(TINY_STANCES))


# --- through the CLI ------------------------------------------------------------------------


def test_cli_lists_top_features_per_class(tiny_model_dir: Path, capsys) -> None:
    assert main(["explain", str(tiny_model_dir), "--task", "topic", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("topic: 2 classes")
    assert "\neconomy\n" in out and "\nsport\n" in out
    assert len([line for line in out.splitlines() if line.startswith("  ")]) == 6


def test_cli_json_output_has_top_weights_per_class(tiny_model_dir: Path, capsys) -> None:
    assert main(["explain", str(tiny_model_dir), "--task", "stance", "--top", "2", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert set(payload["classes"]) == set(TINY_STANCES)
    assert all(len(items) == 2 for items in payload["classes"].values())


def test_cli_explains_the_record_with_the_given_id(tiny_model_dir: Path, write_jsonl, capsys):
    path = write_jsonl(
        [{"id": "a", "text": "A Fradi kikapott."}, {"id": "b", "text": "Az MNB kamatot emelt."}]
    )
    args = ["explain", str(tiny_model_dir), "--task", "topic", "--input", str(path)]
    assert main([*args, "--id", "b", "--json"]) == 0
    exp = json.loads(capsys.readouterr().out)
    assert exp["record_id"] == "b" and exp["predicted"] == "economy"
    assert main(args) == 0  # no --id: the first record
    out = capsys.readouterr().out
    assert out.startswith("topic of record 'a' (line 1): sport")


def test_cli_reads_the_record_through_a_field_mapping(tiny_model_dir: Path, write_jsonl, capsys):
    path = write_jsonl(
        [{"url": "a", "body": "A Fradi kikapott."}, {"url": "b", "body": "Az MNB kamatot emelt."}]
    )
    args = ["explain", str(tiny_model_dir), "--task", "topic", "--input", str(path), "--json"]
    assert main([*args, "--field", "text=body", "--field", "id=url", "--id", "b"]) == 0
    exp = json.loads(capsys.readouterr().out)
    assert exp["record_id"] == "b" and exp["predicted"] == "economy"
    assert main([*args, "--field", "text=headline"]) == 2  # a column the file lacks
    assert "records.jsonl:1, field 'text': missing" in capsys.readouterr().err


def test_cli_unknown_record_id_and_task_exit_2_with_a_hint(tiny_model_dir, write_jsonl, capsys):
    path = write_jsonl([{"id": "a", "text": "A Fradi kikapott."}])
    assert main(["explain", str(tiny_model_dir), "--input", str(path), "--id", "zz"]) == 2
    assert "no record with id 'zz'" in capsys.readouterr().err
    assert main(["explain", str(tiny_model_dir), "--task", "sentiment"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: config '--task'") and "topic, stance" in err


def test_cli_explains_the_calibrated_svm_of_the_demo_run(demo_run: Path, tmp_path, capsys):
    model = str(demo_run / "model")
    assert main(["explain", model, "--task", "topic", "--top", "5", "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["source"].startswith("CalibratedClassifierCV")
    assert len(payload["classes"]) == 7
    one = tmp_path / "one.jsonl"
    one.write_text(demo_path().read_text(encoding="utf-8").splitlines()[0] + "\n", "utf-8")
    record = read_records(one)[0]
    args = ["explain", model, "--task", "stance", "--input", str(one), "--json"]
    assert main([*args, "--id", record.id]) == 0
    exp = json.loads(capsys.readouterr().out)
    assert main(["predict", model, str(one)]) == 0
    row = json.loads(capsys.readouterr().out)
    assert exp["predicted"] == row["stance"]
    assert exp["probabilities"][exp["predicted"]] == pytest.approx(
        row["stance_scores"][exp["predicted"]], abs=1e-6
    )
