"""newsclf.evaluate: the public scoring entry point behind ``newsclf evaluate``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import newsclf
from newsclf.cli import main
from newsclf.data import read_records
from newsclf.data.loaders import demo_path
from newsclf.errors import ConfigError, DataError


@pytest.fixture(scope="module")
def model(demo_run: Path) -> newsclf.NewsClassifier:
    return newsclf.load(demo_run / "model")


def test_evaluate_a_path_scores_every_labelled_task(model, tmp_path: Path) -> None:
    result = newsclf.evaluate(model, demo_path(), resamples=50)
    assert set(result.tasks) == set(model.tasks)
    n = len(read_records(demo_path()))
    assert result.n_scored == n and not result.errors
    topic = result.tasks["topic"]
    gold = [row["topic_gold"] for row in result.rows]
    pred = [row["topic"] for row in result.rows]
    assert topic["accuracy"] == pytest.approx(
        sum(g == p for g, p in zip(gold, pred, strict=True)) / n
    )


def test_evaluate_matches_the_cli_figures(model, demo_run: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    code = main(["evaluate", str(demo_run / "model"), str(demo_path()), "-o", str(out)])
    assert code == 0
    cli = json.loads(out.read_text(encoding="utf-8"))
    api = newsclf.evaluate(demo_run / "model", demo_path())
    assert cli["tasks"] == json.loads(json.dumps(api.tasks))


def test_evaluate_takes_dicts_and_only_scores_the_labelled_task(model) -> None:
    rows = [
        {"id": "a", "text": "A jegybank kamatot emelt, a forint erősödött.", "topic": "economy"},
        {"id": "b", "text": "The striker scored twice in the final.", "topic": "sport"},
    ]
    result = newsclf.evaluate(model, rows, resamples=10)
    assert list(result.tasks) == ["topic"]
    assert [row["id"] for row in result.rows] == ["a", "b"]


def test_evaluate_without_gold_labels_says_use_predict(model) -> None:
    with pytest.raises(DataError, match="no gold labels") as info:
        newsclf.evaluate(model, [{"id": "a", "text": "Nincs címke."}])
    assert "predict" in info.value.hint


def test_evaluate_bad_on_error_value_is_a_config_error(model) -> None:
    with pytest.raises(ConfigError, match="on_error"):
        newsclf.evaluate(model, demo_path(), on_error="ignore")
