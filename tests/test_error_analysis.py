"""Error analysis: `newsclf evaluate --errors` lists the misclassified records, most confident
first and labelled by confusion; `newsclf compare --confusions N` prints the best run's N
largest confusions. Counts and orders are checked against hand-built cases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsclf.cli import main
from newsclf.data.records import Record
from newsclf.errors import DataError
from newsclf.reports.error_analysis import error_report, format_confusions, largest_confusions


def _row(rid: str, gold: str, pred: str, scores: dict[str, float]) -> dict:
    return {"id": rid, "topic": pred, "topic_scores": scores, "topic_gold": gold}


def _record(rid: str, gold: str, **fields: str) -> Record:
    return Record(text=f"text {rid}", id=rid, line=1, topic=gold, **fields)


def test_errors_are_the_wrong_rows_most_confident_first_with_top_scores_and_fields() -> None:
    rows = [
        _row("a", "sport", "sport", {"sport": 0.9, "economy": 0.1}),
        _row("b", "sport", "economy", {"sport": 0.4, "economy": 0.6}),
        _row("c", "economy", "sport", {"sport": 0.55, "economy": 0.45}),
        _row("d", "sport", "economy", {"sport": 0.1, "economy": 0.9}),
        {"id": "e", "line": 5, "field": "text", "error": "empty text"},
    ]
    records = [
        _record("a", "sport"),
        _record("b", "sport", lang="hu"),
        _record("c", "economy", group="outlet1"),
        _record("d", "sport", title="Derby"),
        DataError("empty text", line=5, field="text"),
    ]
    report = error_report(rows, records, ["topic"], top=1)
    assert [e["id"] for e in report.errors] == ["d", "b", "c"]  # confidence 0.9, 0.6, 0.55
    first = report.errors[0]
    assert first["confusion"] == "sport -> economy"
    assert (first["gold"], first["predicted"]) == ("sport", "economy")
    assert first["confidence"] == 0.9 and first["gold_score"] == 0.1
    assert first["top"] == [{"label": "economy", "score": 0.9}]
    assert first["title"] == "Derby" and first["text"] == "text d" and first["topic"] == "sport"
    assert "source" not in first and "lang" not in first  # no empty fields, no source path
    assert report.errors[1]["lang"] == "hu" and report.errors[2]["group"] == "outlet1"
    assert [(str(c), c.count) for c in report.confusions] == [
        ("sport -> economy", 2),
        ("economy -> sport", 1),
    ]
    assert report.n_scored == {"topic": 4}
    assert report.summary() == (
        "topic: 3 of 4 misclassified:\n     2  sport -> economy\n     1  economy -> sport\n"
    )


def test_error_report_refuses_rows_of_other_records() -> None:
    rows = [_row("a", "sport", "economy", {"sport": 0.4, "economy": 0.6})]
    with pytest.raises(DataError, match="does not belong"):
        error_report(rows, [_record("b", "sport")], ["topic"])


def test_largest_confusions_are_off_diagonal_cells_by_count_ties_in_matrix_order() -> None:
    labels = ["a", "b", "c"]
    matrix = [[5, 2, 0], [3, 7, 2], [1, 0, 9]]
    found = largest_confusions(labels, matrix, 3, task="topic")
    assert [(c.gold, c.predicted, c.count) for c in found] == [
        ("b", "a", 3),
        ("a", "b", 2),
        ("b", "c", 2),
    ]
    assert format_confusions(found[:1], total=29) == "     3 (10.3%)  b -> a\n"
    assert largest_confusions(labels, [[1, 0, 0], [0, 1, 0], [0, 0, 1]], 5) == []


def test_evaluate_errors_writes_the_misclassified_records(
    tiny_model_dir: Path, write_jsonl, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    target = "Az infláció gyorsul."
    rows = [
        {"id": "r1", "text": "A forint gyengült.", "topic": "sport", "stance": "agree"},
        {"id": "r2", "text": "A Fradi kikapott.", "topic": "sport", "stance": "unrelated"},
        {"id": "r3", "text": "The striker scored.", "topic": "economy", "stance": "agree"},
        {"id": "r4", "text": "Inflation rose.", "topic": "economy", "stance": "agree"},
    ]
    path = write_jsonl([{**r, "target": target, "lang": "hu"} for r in rows])
    out = tmp_path / "errors.jsonl"
    metrics = tmp_path / "m.json"
    code = main(
        [
            "evaluate",
            str(tiny_model_dir),
            str(path),
            "--errors",
            str(out),
            "-o",
            str(metrics),
            "--resamples",
            "0",
        ]
    )
    assert code == 0
    errors = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    # every listed record is wrong, and every wrong record is listed
    scored = json.loads(metrics.read_text(encoding="utf-8"))["tasks"]
    for task in ("topic", "stance"):
        n_wrong = sum(1 for e in errors if e["task"] == task)
        assert n_wrong == round((1 - scored[task]["accuracy"]) * 4)
    assert all(e["gold"] != e["predicted"] for e in errors)
    assert {("topic", "r1"), ("topic", "r3")} <= {(e["task"], e["id"]) for e in errors}
    for task in ("topic", "stance"):
        conf = [e["confidence"] for e in errors if e["task"] == task]
        assert conf == sorted(conf, reverse=True)
    assert all(e["target"] == target and e["lang"] == "hu" and len(e["top"]) <= 3 for e in errors)
    printed = capsys.readouterr().out
    assert "topic: 2 of 4 misclassified:" in printed
    assert f"errors:  {out}" in printed


def _fake_run(path: Path, gold: list[str], pred: list[str]) -> None:
    path.mkdir(parents=True)
    ids = [f"a{i}" for i in range(len(gold))]
    rows = [{"id": i, "topic": p, "topic_gold": g} for i, g, p in zip(ids, gold, pred, strict=True)]
    (path / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    metrics = {"tasks": {"topic": {"macro_f1": 0.0}}, "eval_ids": ids, "overrides": []}
    (path / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")


def test_compare_confusions_prints_the_best_runs_largest_confusions(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    gold = ["sport"] * 6 + ["economy"] * 4 + ["culture"] * 2
    good = ["sport"] * 4 + ["economy"] * 2 + ["economy"] * 3 + ["sport"] + ["culture", "sport"]
    _fake_run(tmp_path / "runs" / "good", gold, good)
    _fake_run(tmp_path / "runs" / "bad", gold, ["culture"] * 12)
    args = ["compare", str(tmp_path / "runs"), "--out", str(tmp_path / "cmp"), "--no-plots"]
    assert main([*args, "--confusions", "2", "--resamples", "50"]) == 0
    printed = capsys.readouterr().out
    section = printed.split("## topic: largest confusions of the best run (runs/good, n=12)\n")
    assert section[1].splitlines() == [
        "",
        "gold -> predicted, by count",
        "     2 (16.7%)  sport -> economy",
        "     1 ( 8.3%)  culture -> sport",
    ]
    assert main([*args, "--confusions", "-1"]) == 2
