"""`newsclf.train(data, overrides)`: the CLI's run from Python, on a DataFrame, a table, records
or a file, with the same run dir and errors raised instead of exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import newsclf
from newsclf.cli import main
from newsclf.data import demo_path, read_records
from newsclf.errors import ConfigError, DataError

pd = pytest.importorskip("pandas")

# a quick model: these tests pin the code path, not the figures
FAST = ["tasks=[topic]", "eval.resamples=10", "features=word", "model=complement_nb"]
FIELDS = ("id", "text", "title", "target", "topic", "stance", "lang", "group")


@pytest.fixture(scope="module")
def demo_frame():
    """The bundled demo corpus as a DataFrame, one column per record field."""
    rows = [{f: getattr(r, f) for f in FIELDS} for r in read_records(demo_path())]
    return pd.DataFrame(rows)


def _figures(payload: dict) -> dict:
    """The topic metrics of a metrics.json payload, without the timings."""
    topic = payload["tasks"]["topic"]
    return {k: v for k, v in topic.items() if not k.endswith("_seconds")}


def test_train_on_a_dataframe_gives_a_classifier_and_the_clis_run_dir(
    demo_frame, tmp_path: Path
) -> None:
    result = newsclf.train(demo_frame, overrides=FAST, run_dir=tmp_path / "run")
    assert isinstance(result, newsclf.TrainResult)
    assert result.run_dir == tmp_path / "run"
    predicted = result.classifier.predict(demo_frame.head(5), task="topic")
    assert len(predicted) == 5 and set(predicted) <= set(result.classifier.labels["topic"])
    stored = json.loads((result.run_dir / "metrics.json").read_text(encoding="utf-8"))
    assert result.metrics["tasks"] == stored["tasks"]
    for name in ("train.jsonl", "train.log", "predictions.jsonl", "model/manifest.json"):
        assert (result.run_dir / name).is_file(), name
    for name in ("config.yaml", "hydra.yaml", "overrides.yaml"):
        assert (result.run_dir / ".hydra" / name).is_file(), name
    overrides = (result.run_dir / ".hydra" / "overrides.yaml").read_text(encoding="utf-8")
    assert "data=records" in overrides and "train.jsonl" in overrides
    assert "output dir:" in (result.run_dir / "train.log").read_text(encoding="utf-8")


def test_a_frame_trains_what_the_cli_trains_on_the_same_records(demo_frame, tmp_path: Path) -> None:
    by_api = newsclf.train(demo_frame, overrides=FAST, run_dir=tmp_path / "api")
    by_cli = tmp_path / "cli"
    assert main(
        ["train", f"hydra.run.dir={by_cli}", *FAST, "data=records",
         f"data.train={by_api.run_dir / 'train.jsonl'}"]
    ) == 0  # fmt: skip
    cli = json.loads((by_cli / "metrics.json").read_text(encoding="utf-8"))
    assert by_api.metrics["data_fingerprint"] == cli["data_fingerprint"]
    assert _figures(by_api.metrics) == _figures(cli)


def test_train_takes_records_a_table_and_a_file(demo_frame, tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    records = demo_frame.to_dict("records")
    fingerprints = {
        newsclf.train(data, overrides=FAST, run_dir=tmp_path / name).metrics["data_fingerprint"]
        for name, data in (
            ("records", records),
            ("table", pa.Table.from_pandas(demo_frame)),
            ("file", demo_path()),
            ("file_str", str(demo_path())),
        )
    }
    assert len(fingerprints) == 1


def test_a_bad_override_raises_config_error_naming_the_key(demo_frame, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as missing:
        newsclf.train(demo_frame, overrides=["model=no_such_model"], run_dir=tmp_path / "a")
    assert missing.value.key == "model" and "no_such_model" in str(missing.value)
    with pytest.raises(ConfigError) as unknown:
        newsclf.train(demo_frame, overrides=[*FAST, "no_such_key=1"], run_dir=tmp_path / "b")
    assert unknown.value.key == "no_such_key"
    with pytest.raises(ConfigError) as value:
        newsclf.train(demo_frame, overrides=[*FAST, "eval.confidence=2"], run_dir=tmp_path / "c")
    assert "confidence" in str(value.value.key)  # the config check's key (eval.confidence)
    error = json.loads((tmp_path / "c" / "error.json").read_text(encoding="utf-8"))
    assert error["error"] == "ConfigError"


def test_records_without_labels_raise_data_error_not_system_exit(tmp_path: Path) -> None:
    with pytest.raises(DataError):
        newsclf.train([{"text": "no label here"}] * 20, overrides=FAST, run_dir=tmp_path)
    with pytest.raises(TypeError, match="not bare texts"):
        newsclf.train(["a text", "another"], overrides=FAST)
    with pytest.raises(ConfigError, match="both"):
        newsclf.train(demo_path(), overrides=["data=fnc1"])


def test_training_twice_in_one_process_after_the_cli_gives_fresh_run_dirs(
    demo_frame, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["train", f"hydra.run.dir={tmp_path / 'cli'}", *FAST]) == 0
    first = newsclf.train(demo_frame, overrides=FAST)
    second = newsclf.train(demo_frame, overrides=FAST)
    assert first.run_dir != second.run_dir
    for result in (first, second):
        assert result.run_dir.relative_to(tmp_path / "outputs")
        assert (result.run_dir / "model" / "manifest.json").is_file()
    assert _figures(first.metrics) == _figures(second.metrics)
