"""`tracking=mlflow`: a demo run lands in a real local MLflow store (SQLite, or a file: store),
with its config as params, its metrics and its artifacts; a missing MLflow is a ConfigError
that names the extra before anything is trained."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from newsclf.cli import main
from newsclf.errors import ConfigError
from newsclf.runs.tracking import MAX_PARAM_LENGTH, flat_metrics, flat_params

mlflow = pytest.importorskip(
    "mlflow", reason="needs the tracking extra: pip install 'newsclf[tracking]'"
)

FAST = ["tasks=[topic]", "eval.resamples=10"]


def _runs(uri: str, experiment: str = "newsclf") -> list:
    client = mlflow.MlflowClient(tracking_uri=uri)
    exp = client.get_experiment_by_name(experiment)
    assert exp is not None
    return client.search_runs([exp.experiment_id])


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_run_with_tracking_mlflow_appears_in_a_local_store(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    uri = f"sqlite:///{tmp_path}/mlruns/mlflow.db"
    code = main(
        [
            "train",
            f"hydra.run.dir={run_dir}",
            *FAST,
            "tracking=mlflow",
            f"tracking.tracking_uri={uri}",
            "tracking.run_name=demo-topic",
        ]
    )
    assert code == 0
    payload = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    topic = payload["tasks"]["topic"]

    (run,) = _runs(uri)
    assert run.info.status == "FINISHED"
    assert run.info.run_name == "demo-topic"
    params = run.data.params
    assert params["model.name"] == "linear_svm"
    assert params["tasks"] == '["topic"]'
    assert params["eval.resamples"] == "10"
    assert params["seed"] == "42"
    assert "tracking.tracking_uri" in params
    metrics = run.data.metrics
    assert metrics["topic.accuracy"] == pytest.approx(topic["accuracy"])
    assert metrics["topic.macro_f1"] == pytest.approx(topic["macro_f1"])
    assert metrics["topic.macro_f1_ci_low"] == pytest.approx(topic["macro_f1_ci"][0])
    assert metrics["topic.macro_f1_ci_high"] == pytest.approx(topic["macro_f1_ci"][1])
    assert metrics["mean_macro_f1"] == pytest.approx(topic["macro_f1"])
    assert metrics["n_eval"] == payload["n_eval"]
    assert run.data.tags["newsclf.config_hash"] == payload["config_hash"]
    assert run.data.tags["newsclf.run_dir"] == str(run_dir.absolute())
    # artifacts land beside the database, with the model and metrics.json
    artifacts = tmp_path / "mlruns" / "artifacts"
    stored = {p.relative_to(artifacts).parts[-1] for p in artifacts.rglob("*") if p.is_file()}
    assert {"metrics.json", "manifest.json", "topic.joblib", "config.yaml"} <= stored


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_file_store_is_used_when_mlflow_allows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    uri = (tmp_path / "mlruns").as_uri()
    code = main(
        [
            "train",
            f"hydra.run.dir={tmp_path / 'run'}",
            *FAST,
            "tracking=mlflow",
            f"tracking.tracking_uri={uri}",
            "tracking.experiment_name=files",
        ]
    )
    assert code == 0
    (run,) = _runs(uri, "files")
    assert run.info.run_name == "run"  # the run dir's name by default
    assert "topic.macro_f1" in run.data.metrics


def test_a_store_that_cannot_be_written_is_reported_and_the_run_still_finishes(
    tmp_path: Path,
) -> None:
    (tmp_path / "blocker").write_text("a file where the store's folder should be")
    run_dir = tmp_path / "run"
    uri = f"sqlite:///{tmp_path}/blocker/mlflow.db"
    code = main(
        [
            "train",
            f"hydra.run.dir={run_dir}",
            *FAST,
            "tracking=mlflow",
            f"tracking.tracking_uri={uri}",
        ]
    )
    assert code == 0
    assert (run_dir / "metrics.json").is_file() and not (run_dir / "error.json").exists()
    log = (run_dir / "train.log").read_text(encoding="utf-8")
    assert f"the run is saved in {run_dir} but was not logged to mlflow" in log


def test_missing_mlflow_is_a_config_error_naming_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    find_spec = importlib.util.find_spec

    def without_mlflow(name: str, *args: object, **kwargs: object):
        return None if name == "mlflow" else find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", without_mlflow)
    run_dir = tmp_path / "run"
    code = main(["train", f"hydra.run.dir={run_dir}", *FAST, "tracking=mlflow"])
    assert code == 2
    error = json.loads((run_dir / "error.json").read_text(encoding="utf-8"))
    assert "newsclf[tracking]" in json.dumps(error)
    assert not (run_dir / "model").exists()  # refused before training


def test_unknown_tracker_option_is_refused() -> None:
    from omegaconf import OmegaConf

    from newsclf.runs.tracking import get_tracker

    cfg = OmegaConf.create({"tracking": {"name": "mlflow", "tracking_uri": "x", "colour": 1}})
    with pytest.raises(ConfigError, match="colour"):
        get_tracker(cfg)


def test_params_are_flattened_and_cut_to_mlflows_limit() -> None:
    params = flat_params({"model": {"C": 0.5, "name": "svm"}, "tasks": ["topic"], "x": "y" * 9000})
    assert params["model.C"] == "0.5"
    assert params["model.name"] == "svm"
    assert params["tasks"] == '["topic"]'
    assert len(params["x"]) == MAX_PARAM_LENGTH
    assert params["x"].endswith("...")


def test_metrics_keep_finite_scalars_and_split_ci_pairs() -> None:
    payload = {
        "tasks": {
            "stance": {
                "accuracy": 0.8,
                "macro_f1": 0.6,
                "macro_f1_ci": [0.5, 0.7],
                "per_class": {"agree": {"f1": 0.4, "support": 3}},
                "confusion_matrix": {"labels": ["a"], "matrix": [[1]]},
                "ci": {"confidence": 0.95},
                "flag": True,
                "nan": float("nan"),
            }
        },
        "n_eval": 10,
        "eval_ids": ["a"],
    }
    assert flat_metrics(payload) == {
        "stance.accuracy": 0.8,
        "stance.macro_f1": 0.6,
        "stance.macro_f1_ci_low": 0.5,
        "stance.macro_f1_ci_high": 0.7,
        "stance.per_class.agree.f1": 0.4,
        "stance.per_class.agree.support": 3.0,
        "n_eval": 10.0,
        "mean_macro_f1": 0.6,
    }
