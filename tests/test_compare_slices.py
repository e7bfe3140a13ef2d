"""`newsclf compare --by FIELD` (per-slice tables from metrics.json) and `--reliability PNG`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from newsclf.cli import main
from newsclf.reports.compare import compare_runs, find_runs, format_markdown, write_reliability

GOLD = ["a", "b", "a", "b"]


def _run(path: Path, pred: list[str], lang: dict[str, dict], *, scores: bool = True) -> Path:
    """A finished run dir with a lang breakdown in metrics.json and scored predictions."""
    path.mkdir(parents=True)
    rows = []
    for i, (g, p) in enumerate(zip(GOLD, pred, strict=True)):
        row = {"id": f"r{i}", "topic": p, "topic_gold": g}
        if scores:
            row["topic_scores"] = {"a": 0.8, "b": 0.2} if p == "a" else {"a": 0.3, "b": 0.7}
        rows.append(row)
    (path / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    topic = {"macro_f1": 0.0, "calibration": {"bins": 5}, "breakdowns": {"lang": lang}}
    metrics = {"tasks": {"topic": topic}, "eval_ids": [r["id"] for r in rows], "overrides": []}
    (path / "metrics.json").write_text(json.dumps(metrics))
    return path


def _slice(n: int, macro_f1: float, small: bool = True) -> dict:
    return {"n": n, "small": small, "accuracy": macro_f1, "macro_f1": macro_f1}


@pytest.fixture
def runs(tmp_path: Path) -> Path:
    root = tmp_path / "sweep"
    _run(root / "0", ["a", "b", "a", "a"], {"en": _slice(2, 1.0), "hu": _slice(2, 0.333)})
    _run(root / "1", ["a", "a", "b", "b"], {"en": _slice(2, 0.25), "hu": _slice(2, 0.75)})
    return root


def test_compare_by_lang_tables_each_runs_metric_per_slice(runs: Path) -> None:
    comparison = compare_runs(find_runs([runs]), n_resamples=20, by=["lang"])
    [table] = comparison.breakdowns
    assert (table.task, table.field, table.slices) == ("topic", "lang", ["en", "hu"])
    assert table.cells["sweep/1"]["hu"]["macro_f1"] == 0.75
    text = format_markdown(comparison)
    assert "## topic by lang: macro_f1 per slice" in text
    assert "| en | 2 (small) | 1.000 | 0.250 |" in text
    assert comparison.to_json()["breakdowns"][0]["field"] == "lang"


def test_runs_without_the_breakdown_are_listed_as_missing(runs: Path) -> None:
    metrics_path = runs / "1" / "metrics.json"
    metrics = json.loads(metrics_path.read_text())
    del metrics["tasks"]["topic"]["breakdowns"]
    metrics_path.write_text(json.dumps(metrics))
    [table] = compare_runs(find_runs([runs]), n_resamples=20, by=["lang"]).breakdowns
    assert table.missing == ["sweep/1"] and list(table.cells) == ["sweep/0"]


def test_compare_cli_by_and_reliability_write_table_and_png(
    runs: Path, tmp_path: Path, capsys
) -> None:
    png = tmp_path / "rel" / "reliability.png"
    args = ["compare", str(runs), "--out", str(tmp_path / "out"), "--resamples", "20"]
    assert main([*args, "--no-plots", "--by", "lang", "--reliability", str(png)]) == 0
    assert "topic by lang" in capsys.readouterr().out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main([*args, "--by", "outlet"]) == 2


def test_reliability_is_skipped_with_a_message_without_matplotlib(
    runs: Path, tmp_path: Path, monkeypatch, caplog
) -> None:
    import newsclf.reports

    # matplotlib as if not installed: newsclf.reports.plots is imported afresh and fails
    for name in ("matplotlib", "matplotlib.backends.backend_agg", "matplotlib.figure"):
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.delitem(sys.modules, "newsclf.reports.plots", raising=False)
    monkeypatch.delattr(newsclf.reports, "plots", raising=False)
    comparison = compare_runs(find_runs([runs]), n_resamples=20)
    assert write_reliability(comparison, tmp_path / "r.png") is None
    assert "pip install 'newsclf[plot]'" in caplog.text
    assert not (tmp_path / "r.png").exists()


def test_reliability_skips_runs_without_probabilities(tmp_path: Path, caplog) -> None:
    _run(tmp_path / "old", ["a", "b", "a", "a"], {}, scores=False)
    comparison = compare_runs(find_runs([tmp_path / "old"]), n_resamples=20)
    assert write_reliability(comparison, tmp_path / "r.png") is None
    assert "no run has class probabilities" in caplog.text
