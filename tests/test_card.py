"""`newsclf card MODEL`: a Markdown model card from the artifact's manifest and its run's
metrics.json, with calibration and breakdowns rendered when the metrics have them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from newsclf.cli import main
from newsclf.reports.card import model_card


def test_card_of_the_demo_model_has_use_data_config_metrics_and_limits(
    demo_run: Path, tmp_path: Path
) -> None:
    out = tmp_path / "card" / "MODEL_CARD.md"
    assert main(["card", str(demo_run / "model"), "-o", str(out)]) == 0
    card = out.read_text(encoding="utf-8")
    manifest = json.loads((demo_run / "model" / "manifest.json").read_text(encoding="utf-8"))
    run = json.loads((demo_run / "metrics.json").read_text(encoding="utf-8"))
    for heading in (
        "## Intended use",
        "## Tasks and labels",
        "## Training data",
        "## Configuration",
        "## Evaluation",
        "### topic",
        "### stance",
        "## Limitations",
    ):
        assert f"\n{heading}\n" in card
    assert f"`{manifest['data_fingerprint']}`" in card
    assert f"{run['n_train']} training and {run['n_eval']} evaluation records" in card
    assert "| topic | title + text | `culture`, `diplomacy`," in card
    assert "| model | `linear_svm` | `params.C=0.5`," in card
    topic = run["tasks"]["topic"]
    low, high = topic["macro_f1_ci"]
    assert (
        f"n={topic['n']}, accuracy {topic['accuracy']:.3f}, "
        f"macro-F1 {topic['macro_f1']:.3f} 95% CI [{low:.3f}, {high:.3f}]"
    ) in card
    assert "FNC-1 score" in card  # the demo's stance labels are FNC-1's
    assert "Held-out, not a test set" in card


def _with_metrics(model: Path, dest: Path, metrics: dict) -> Path:
    shutil.copytree(model, dest)
    manifest = json.loads((dest / "manifest.json").read_text(encoding="utf-8"))
    manifest["metrics"] = metrics
    (dest / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return dest


def test_card_renders_calibration_and_breakdowns_when_present(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    slice_hu = {
        "n": 30,
        "small": False,
        "accuracy": 0.9,
        "macro_f1": 0.8,
        "macro_f1_ci": [0.7, 0.9],
    }
    slice_en = {"n": 4, "small": True, "accuracy": 0.5, "macro_f1": 0.4, "macro_f1_ci": [0.1, 0.6]}
    slice_hu["calibration"] = {"brier": 0.2, "log_loss": 0.5, "ece": 0.05}
    metrics = {
        "topic": {
            "n": 34,
            "accuracy": 0.85,
            "macro_f1": 0.75,
            "macro_f1_ci": [0.6, 0.85],
            "calibration": {"brier": 0.25, "log_loss": 0.61, "ece": 0.071, "bins": 10},
            "breakdowns": {"lang": {"hu": slice_hu, "en": slice_en}},
        }
    }
    model = _with_metrics(tiny_model_dir, tmp_path / "model", metrics)
    card = model_card(model)
    assert "Calibration (10 bins): Brier score 0.250, log loss 0.610, ECE (top label) 0.071" in card
    assert "#### topic by `lang`" in card
    assert "| slice | n | accuracy | macro-F1 [CI] | ECE | note |" in card
    assert "| hu | 30 | 0.900 | 0.800 [0.700, 0.900] | 0.050 |  |" in card
    assert "| en | 4 | 0.500 | 0.400 [0.100, 0.600] |  | small |" in card
    assert "checked for calibration above" in card
    assert "no per-language breakdown" not in card


def test_card_without_metrics_or_run_says_what_is_missing(
    tiny_model_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["card", str(tiny_model_dir)]) == 0  # stdout by default
    card = capsys.readouterr().out
    assert card.startswith("# Model card: ")
    assert "No metrics were saved with this model." in card
    assert "Size: not recorded" in card
    assert "not checked for calibration" in card


def test_card_of_a_directory_that_is_no_model_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["card", str(tmp_path)]) == 2
    assert "not a newsclf model" in capsys.readouterr().err
