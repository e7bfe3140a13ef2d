"""Same config and seed -> byte-identical predictions and identical metrics, also with n_jobs=2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsclf.cli import main

# run-specific, not results: timings, where it was saved, the command-line overrides
VOLATILE = {
    "train_seconds",
    "eval_seconds",
    "total_seconds",
    "model_dir",
    "overrides",
    "config_hash",
}


def _metrics(run_dir: Path) -> dict:
    payload = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    for task in payload["tasks"].values():
        task.pop("train_seconds", None)
    return {k: v for k, v in payload.items() if k not in VOLATILE}


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_rerun_gives_byte_identical_predictions_and_metrics(
    demo_run: Path, tmp_path: Path, n_jobs: int
) -> None:
    assert main(["train", f"hydra.run.dir={tmp_path}", f"n_jobs={n_jobs}"]) == 0
    again = (tmp_path / "predictions.jsonl").read_bytes()
    assert again == (demo_run / "predictions.jsonl").read_bytes()
    assert _metrics(tmp_path) == _metrics(demo_run)


def test_other_seed_changes_the_split(demo_run: Path, tmp_path: Path) -> None:
    # guards the test above against passing because nothing depends on the seed
    assert main(["train", f"hydra.run.dir={tmp_path}", "seed=7", "tasks=[topic]"]) == 0
    assert _metrics(tmp_path)["eval_ids"] != _metrics(demo_run)["eval_ids"]
