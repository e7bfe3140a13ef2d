"""`newsclf data check`: validate a records file and print its label distribution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsclf.cli import main
from newsclf.data.summary import format_summary, summarize_records
from newsclf.errors import DataError

ROWS = [
    {"id": "1", "text": "A forint gyengült.", "topic": "economy", "lang": "hu", "group": "g1"},
    {"id": "2", "text": "Az MNB kamatot emelt.", "topic": "economy", "lang": "hu", "group": "g1"},
    {"id": "3", "text": "A Fradi nyert.", "topic": "sport", "lang": "hu", "group": "g2"},
    {"id": "4", "text": "Rates rose.", "topic": "economy", "lang": "en", "group": "g3",
     "target": "Rates will rise.", "stance": "agree"},
]  # fmt: skip


def test_distribution_per_task_with_counts_and_shares(write_jsonl) -> None:
    summary = summarize_records(write_jsonl(ROWS))
    assert summary.n_entries == summary.n_valid == 4 and not summary.errors
    assert summary.labels["topic"] == {"economy": 3, "sport": 1}
    assert summary.labels["stance"] == {"agree": 1}
    assert summary.langs == {"hu": 3, "en": 1}
    assert summary.groups == {"g1": 2, "g2": 1, "g3": 1}
    text = format_summary(summary)
    assert "topic: 2 labels, 4 labelled records" in text
    assert "economy        3   75.0%" in text
    assert "stance: 1 labels, 1 labelled records (3 without a stance label)" in text
    assert "group: 3 groups" in text


def test_every_bad_line_is_reported_and_the_rest_still_counted(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in ROWS]
    lines.insert(1, "{not json")
    lines.append(json.dumps({"id": "6", "text": "No target.", "stance": "agree"}))
    lines.append(json.dumps({"id": "1", "text": "Duplicate id."}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = summarize_records(path)
    assert [e.line for e in summary.errors] == [2, 6, 7]
    assert [e.field for e in summary.errors] == [None, "target", "id"]
    assert summary.n_valid == 4 and summary.labels["topic"]["economy"] == 3


def test_csv_records_are_checked_too(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("id,text,topic\n1,Egy,a\n2,,b\n3,Három,a\n", encoding="utf-8")
    summary = summarize_records(path)
    assert summary.labels["topic"] == {"a": 2}
    assert [(e.line, e.field) for e in summary.errors] == [(3, "text")]


def test_missing_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="file not found"):
        summarize_records(tmp_path / "nope.jsonl")


def test_cli_check_prints_the_distribution_and_exits_0(write_jsonl, capsys) -> None:
    assert main(["data", "check", str(write_jsonl(ROWS))]) == 0
    out = capsys.readouterr().out
    assert "4 records, 4 valid, 0 invalid" in out and "lang: 2 languages" in out


def test_cli_check_with_invalid_records_exits_2_naming_the_first(tmp_path, capsys) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n" + '{"id": "x"}\n', encoding="utf-8")
    assert main(["data", "check", str(path)]) == 2
    captured = capsys.readouterr()
    assert "invalid records (first 1):" in captured.out
    assert "1 of 2 records are invalid (first on line 2;" in captured.err


def test_cli_check_json_has_counts_and_shares(write_jsonl, capsys) -> None:
    assert main(["data", "check", str(write_jsonl(ROWS)), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["labels"]["topic"]["economy"] == {"count": 3, "share": 0.75}
    assert payload["lang"]["en"]["count"] == 1 and payload["groups"]["distinct"] == 3


def test_cli_check_format_flag_overrides_the_suffix(tmp_path, capsys) -> None:
    path = tmp_path / "records.txt"
    path.write_text("text\ttopic\nEgy\ta\nKettő\tb\n", encoding="utf-8")
    assert main(["data", "check", str(path), "--format", "tsv"]) == 0
    assert "topic: 2 labels" in capsys.readouterr().out
