"""NewsClassifier speaks scikit-learn one task at a time; the docs' Python examples run."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from conftest import TINY_STANCES, TINY_TARGETS, TINY_TEXTS, TINY_TOPICS
from sklearn.base import clone
from sklearn.metrics import accuracy_score, classification_report
from sklearn.pipeline import Pipeline

from newsclf.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_MODEL = "outputs/2026-11-25/10-00-00/model"
PYTHON_PAGE = ROOT / "docs" / "guide" / "python.md"
RECORDS = [
    {"text": t, "target": g, "topic": topic, "stance": s}
    for t, g, topic, s in zip(TINY_TEXTS, TINY_TARGETS, TINY_TOPICS, TINY_STANCES, strict=True)
]


def _python_examples(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.DOTALL)


def test_docs_python_api_examples_run_on_a_trained_model(
    demo_run: Path, capsys: pytest.CaptureFixture
) -> None:
    examples = _python_examples(PYTHON_PAGE)
    assert len(examples) == 3 and "cross_val_score" in examples[1]
    assert "newsclf.evaluate(" in examples[2]
    for code in examples:
        assert EXAMPLE_MODEL in code
        code = code.replace(EXAMPLE_MODEL, str(demo_run / "model"))
        exec(compile(code, str(PYTHON_PAGE), "exec"), {})
    out = capsys.readouterr().out
    assert "macro avg" in out and "weighted avg" in out  # classification_report
    assert "3-fold macro-F1: 0." in out
    assert "{'topic': " in out and "'stance': " in out  # score() per task
    assert "evaluate macro-F1 0." in out


def test_predict_with_task_returns_that_heads_array(tiny_classifier) -> None:
    both = tiny_classifier.predict(RECORDS)
    topic = tiny_classifier.predict(RECORDS, task="topic")
    assert isinstance(both, dict) and isinstance(topic, np.ndarray)
    np.testing.assert_array_equal(topic, both["topic"])
    proba = tiny_classifier.predict_proba(TINY_TEXTS, TINY_TARGETS, task="stance")
    assert proba.shape == (len(TINY_TEXTS), len(tiny_classifier.classes_["stance"]))
    np.testing.assert_array_equal(
        tiny_classifier.classes_["stance"][proba.argmax(axis=1)],
        tiny_classifier.predict(TINY_TEXTS, TINY_TARGETS, task="stance"),
    )


def test_topic_head_needs_no_targets_even_in_a_stance_model(tiny_classifier) -> None:
    with pytest.raises(DataError, match="needs a target"):
        tiny_classifier.predict(TINY_TEXTS)
    assert len(tiny_classifier.predict(TINY_TEXTS, task="topic")) == len(TINY_TEXTS)


def test_predictions_go_straight_into_sklearn_metrics(tiny_classifier) -> None:
    predicted = tiny_classifier.predict(RECORDS, task="topic")
    report = classification_report(TINY_TOPICS, predicted, output_dict=True, zero_division=0)
    assert report["accuracy"] == accuracy_score(TINY_TOPICS, predicted)


def test_classes_are_per_task_in_probability_column_order(tiny_classifier) -> None:
    classes = tiny_classifier.classes_
    assert set(classes) == {"topic", "stance"}
    for task, labels in classes.items():
        assert list(labels) == tiny_classifier.labels[task]
        assert list(labels) == [str(c) for c in tiny_classifier.estimator(task).classes_]


def test_estimator_is_the_fitted_pipeline_and_clones_unfitted(tiny_classifier) -> None:
    pipeline = tiny_classifier.estimator("topic")
    assert isinstance(pipeline, Pipeline) and pipeline is tiny_classifier.models["topic"].pipeline
    X = tiny_classifier.inputs(RECORDS, "topic")
    assert X == TINY_TEXTS
    np.testing.assert_array_equal(
        pipeline.predict(X), tiny_classifier.predict(RECORDS, task="topic")
    )
    fresh = clone(pipeline).fit(X, TINY_TOPICS)
    assert list(fresh.classes_) == ["economy", "sport"]
    pairs = tiny_classifier.inputs(RECORDS, "stance")
    assert pairs[0] == (TINY_TEXTS[0], TINY_TARGETS[0])


def test_unknown_task_names_the_heads(tiny_classifier) -> None:
    with pytest.raises(DataError, match=r"no 'genre' head; it has \['topic', 'stance'\]"):
        tiny_classifier.estimator("genre")
    with pytest.raises(DataError, match="no 'genre' head"):
        tiny_classifier.predict(TINY_TEXTS, task="genre")


def test_score_is_accuracy_per_task_from_the_records_labels(tiny_classifier) -> None:
    scores = tiny_classifier.score(RECORDS)
    assert set(scores) == {"topic", "stance"}
    for task, gold in (("topic", TINY_TOPICS), ("stance", TINY_STANCES)):
        expected = accuracy_score(gold, tiny_classifier.predict(RECORDS, task=task))
        assert scores[task] == pytest.approx(expected)
        assert tiny_classifier.score(RECORDS, task=task) == pytest.approx(expected)
    wrong = ["sport" if t == "economy" else "economy" for t in TINY_TOPICS]
    assert tiny_classifier.score(TINY_TEXTS, wrong, task="topic") == pytest.approx(
        1 - scores["topic"]
    )


def test_score_covers_only_the_tasks_the_records_label(tiny_classifier) -> None:
    topic_only = [{"text": r["text"], "topic": r["topic"]} for r in RECORDS]
    assert set(tiny_classifier.score(topic_only)) == {"topic"}
    with pytest.raises(DataError, match="without a gold 'stance' label"):
        tiny_classifier.score(topic_only, targets=TINY_TARGETS, task="stance")
    with pytest.raises(DataError, match="no task has a gold label"):
        tiny_classifier.score(TINY_TEXTS)
    with pytest.raises(DataError, match="y given but not the task"):
        tiny_classifier.score(TINY_TEXTS, TINY_TOPICS)
