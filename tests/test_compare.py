"""`newsclf compare` on run dirs written here by hand (no training): tables, files, plots,
failed runs, and the refusal of runs evaluated on different examples."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from newsclf.cli import main
from newsclf.reports.compare import compare_runs, find_runs

LABELS = ["economy", "politics", "sport"]


def _fake_run(
    path: Path,
    gold: list[str],
    pred: list[str],
    *,
    overrides: list[str],
    ids: list[str] | None = None,
    task: str = "topic",
) -> Path:
    path.mkdir(parents=True)
    ids = ids or [f"a{i}" for i in range(len(gold))]
    rows = [{"id": i, task: p, f"{task}_gold": g} for i, g, p in zip(ids, gold, pred, strict=True)]
    (path / "predictions.jsonl").write_text(
        "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8"
    )
    metrics = {
        "tasks": {task: {"macro_f1": 0.0, "train_seconds": 1.5}},
        "eval_ids": ids,
        "overrides": overrides,
    }
    (path / "metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    return path


def _failed_run(path: Path, overrides: list[str], message: str) -> Path:
    path.mkdir(parents=True)
    (path / ".hydra").mkdir()
    (path / ".hydra" / "overrides.yaml").write_text(
        "".join(f"- {o}\n" for o in overrides), encoding="utf-8"
    )
    (path / "error.json").write_text(json.dumps({"error": "ConfigError", "message": message}))
    return path


@pytest.fixture
def sweep(tmp_path: Path) -> Path:
    """A multirun dir: a good run (0), a worse one (1), a much worse one (2), a failure (3)."""
    rng = np.random.default_rng(0)
    gold = [LABELS[i] for i in rng.integers(0, 3, 120)]

    def noisy(error: float) -> list[str]:
        return [LABELS[rng.integers(0, 3)] if rng.random() < error else g for g in gold]

    root = tmp_path / "sweep"
    _fake_run(root / "0", gold, noisy(0.1), overrides=["model=logreg", "model.params.C=10"])
    _fake_run(root / "1", gold, noisy(0.2), overrides=["model=logreg", "model.params.C=1"])
    _fake_run(root / "2", gold, noisy(0.6), overrides=["model=complement_nb"])
    _failed_run(root / "3", ["model=custom"], "config 'model.target': required value not set")
    (root / "multirun.yaml").write_text("hydra: {}\n")
    return root


def test_compare_cli_prints_table_and_writes_tables_and_plots(
    sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "report"
    assert main(["compare", str(sweep), "--out", str(out), "--resamples", "200"]) == 0
    printed = capsys.readouterr().out
    assert "approximate randomisation" in printed and "95% CI" in printed
    lines = [line for line in printed.splitlines() if line.startswith("| ")]
    best = [line for line in lines if line.startswith("| ★")]
    assert len(best) == 1 and "sweep/0" in best[0]
    assert any("sweep/3" in line and "failed" in line for line in lines)
    for name in ("compare.md", "compare.csv", "compare.json"):
        assert (out / name).is_file()
    for name in ("topic_macro_f1.png", "topic_confusion_best.png", "topic_per_class_f1.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    payload = json.loads((out / "compare.json").read_text())
    assert payload["test"]["method"] == "two-sided paired approximate randomisation"
    rows = {r["run"]: r for r in payload["tasks"]["topic"]["rows"]}
    assert rows["sweep/0"]["best"] and rows["sweep/0"]["p_value"] is None
    assert rows["sweep/2"]["p_value"] < 0.01 < rows["sweep/2"]["p_holm"] + 1
    assert rows["sweep/3"]["status"] == "failed"
    with (out / "compare.csv").open(encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert [r["run"] for r in table] == ["sweep/0", "sweep/1", "sweep/2", "sweep/3"]
    assert {"override:model", "override:model.params.C", "p_value"} <= set(table[0])


def test_compare_rows_carry_ci_around_the_metric_and_differing_overrides(sweep: Path) -> None:
    comparison = compare_runs(find_runs([sweep]), n_resamples=100)
    assert comparison.override_keys == ["model", "model.params.C"]
    (topic,) = comparison.tasks
    for row in topic.rows[:3]:
        assert row["macro_f1_ci_low"] <= row["macro_f1"] <= row["macro_f1_ci_high"]
        assert row["accuracy_ci_low"] <= row["accuracy"] <= row["accuracy_ci_high"]
        assert row["train_seconds"] == 1.5
    assert topic.rows[2]["override:model.params.C"] == ""  # not overridden: the default


def test_compare_accuracy_metric_and_single_run_dirs(sweep: Path, tmp_path: Path) -> None:
    out = tmp_path / "acc"
    code = main(
        ["compare", str(sweep / "2"), str(sweep / "1"), "--metric", "accuracy", "--out", str(out)]
    )
    assert code == 0
    payload = json.loads((out / "compare.json").read_text())
    assert payload["metric"] == "accuracy" and payload["tasks"]["topic"]["best"] == "1"


def test_multirun_dirs_are_listed_in_job_number_order(tmp_path: Path) -> None:
    for num in (10, 2, 1):
        _fake_run(tmp_path / "m" / str(num), ["a", "b"], ["a", "b"], overrides=[f"seed={num}"])
    assert [r.name for r in find_runs([tmp_path / "m"])] == ["m/1", "m/2", "m/10"]


def test_compare_refuses_runs_evaluated_on_different_examples(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    _fake_run(tmp_path / "a", ["x", "y", "x"], ["x", "y", "y"], overrides=["model=logreg"])
    _fake_run(
        tmp_path / "b",
        ["x", "y", "x"],
        ["x", "y", "x"],
        overrides=["model=sgd"],
        ids=["a0", "a1", "other"],
    )
    out = tmp_path / "out"
    code = main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "evaluated on different examples" in err
    assert "1 eval id(s) only in a, 1 only in b" in err and "hint:" in err
    assert not out.exists()


def test_compare_refuses_runs_whose_gold_labels_differ(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    _fake_run(tmp_path / "a", ["x", "y"], ["x", "y"], overrides=[])
    _fake_run(tmp_path / "b", ["x", "x"], ["x", "y"], overrides=[])
    assert main(["compare", str(tmp_path / "a"), str(tmp_path / "b"), "--no-plots"]) == 2
    assert "gold topic label(s) differ" in capsys.readouterr().err


def test_compare_of_only_failed_runs_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    _failed_run(tmp_path / "s" / "0", ["model=custom"], "boom")
    assert main(["compare", str(tmp_path / "s"), "--out", str(tmp_path / "o")]) == 0
    assert "boom" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["nope"], "no such run or multirun dir"),
        (["EMPTY"], "holds no run dirs"),
        (["RUN", "--task", "stance"], "no finished run has task(s) ['stance']"),
    ],
    ids=["missing", "empty", "unknown_task"],
)
def test_compare_bad_arguments_exit_2_with_message(
    args: list[str], expected: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    (tmp_path / "EMPTY").mkdir()
    _fake_run(tmp_path / "RUN", ["x", "y"], ["x", "y"], overrides=[])
    paths = [str(tmp_path / a) if a in {"nope", "EMPTY", "RUN"} else a for a in args]
    assert main(["compare", *paths, "--out", str(tmp_path / "o")]) == 2
    assert expected in capsys.readouterr().err
