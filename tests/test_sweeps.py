"""Fault-tolerant, resumable sweeps through the CLI, on a tiny synthetic corpus (fast).

A failing job writes error.json and the others finish; re-running the same sweep skips the
finished jobs; ``force=true`` retrains; a run dir of another config or data is not overwritten.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from newsclf.cli import main

WORDS = {
    "economy": "forint infláció kamat bank budget inflation market tax price euro".split(),
    "sport": "gól meccs bajnokság edző goal match league coach striker final".split(),
}


def _tiny_corpus(path: Path, n: int = 40, seed: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        topic = "economy" if i % 2 else "sport"
        words = rng.choice(WORDS[topic], size=8).tolist()
        rows.append({"id": f"r{i}", "text": " ".join(words), "topic": topic, "group": f"g{i // 2}"})
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _sweep(data: Path, sweep_dir: Path, *overrides: str) -> int:
    return main(
        [
            "train",
            "-m",
            "data=records",
            f"data.train={data}",
            "tasks=[topic]",
            "features=word",
            "eval.resamples=20",
            f"hydra.sweep.dir={sweep_dir}",
            *overrides,
        ]
    )


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return _tiny_corpus(tmp_path / "tiny.jsonl")


def test_rerunning_a_sweep_skips_finished_jobs_and_retries_failed_ones(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    sweep = tmp_path / "sweep"
    assert _sweep(corpus, sweep, "model=complement_nb,logreg") == 0
    first = {n: (sweep / n / "metrics.json").stat().st_mtime_ns for n in ("0", "1")}
    stored = json.loads((sweep / "0" / "metrics.json").read_text())
    assert stored["config_hash"] and stored["data_fingerprint"]
    assert stored["overrides"][-1] == "model=complement_nb"
    capsys.readouterr()

    (sweep / "1" / "metrics.json").unlink()  # as if job 1 had been interrupted
    assert _sweep(corpus, sweep, "model=complement_nb,logreg") == 0
    err = capsys.readouterr().err
    assert err.count("skipped:") == 1 and f"skipped: {sweep / '0'}" in err
    assert (sweep / "0" / "metrics.json").stat().st_mtime_ns == first["0"]
    assert (sweep / "1" / "metrics.json").is_file()  # retrained

    assert _sweep(corpus, sweep, "model=complement_nb,logreg", "force=true") == 0
    err = capsys.readouterr().err
    assert "skipped:" not in err and "force=true: removed" in err
    assert (sweep / "0" / "metrics.json").stat().st_mtime_ns > first["0"]


def test_job_dir_of_another_config_is_not_overwritten(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    sweep = tmp_path / "sweep"
    assert _sweep(corpus, sweep, "model=complement_nb") == 0
    before = (sweep / "0" / "metrics.json").read_bytes()
    assert _sweep(corpus, sweep, "model=logreg") == 1
    assert (sweep / "0" / "metrics.json").read_bytes() == before
    error = json.loads((sweep / "0" / "error.json").read_text())
    assert "different config hash" in error["message"] and "force=true" in error["message"]


def test_changed_data_is_not_skipped(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    sweep = tmp_path / "sweep"
    assert _sweep(corpus, sweep, "model=complement_nb") == 0
    _tiny_corpus(corpus, seed=1)  # same file name and config, other texts
    assert _sweep(corpus, sweep, "model=complement_nb") == 1
    assert "different data fingerprint" in capsys.readouterr().err


def test_failing_job_in_a_sweep_leaves_error_json_and_compare_lists_it(
    corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    sweep = tmp_path / "sweep"
    code = _sweep(corpus, sweep, "model=complement_nb,custom,logreg")
    assert code == 1  # a job failed: reported at the end, after the others ran
    assert (sweep / "0" / "metrics.json").is_file() and (sweep / "2" / "metrics.json").is_file()
    error = json.loads((sweep / "1" / "error.json").read_text())
    assert error["error"] == "ConfigError" and "model.target" in error["message"]
    assert not (sweep / "1" / "metrics.json").exists()
    err = capsys.readouterr().err
    assert "3 job(s)" in err and "1 failed" in err and "failed job" in err
    assert "Traceback" not in err

    out = tmp_path / "report"
    assert main(["compare", str(sweep), "--out", str(out), "--resamples", "100"]) == 0
    printed = capsys.readouterr().out
    assert "| model |" in printed and "complement_nb" in printed and "logreg" in printed
    assert "failed: config 'model.target': required value not set" in printed
    payload = json.loads((out / "compare.json").read_text())
    statuses = [r["status"] for r in payload["tasks"]["topic"]["rows"]]
    assert statuses == ["finished", "failed", "finished"]
    assert len(list(out.glob("*.png"))) == 3


@pytest.mark.slow
def test_joblib_launcher_runs_the_sweep_in_parallel(corpus: Path, tmp_path: Path) -> None:
    sweep = tmp_path / "sweep"
    code = _sweep(
        corpus,
        sweep,
        "model=complement_nb,logreg,custom",
        "hydra/launcher=joblib",
        "hydra.launcher.n_jobs=2",
    )
    assert code == 1
    assert {p.parent.name for p in sweep.glob("*/metrics.json")} == {"0", "1"}
    assert (sweep / "2" / "error.json").is_file()


@pytest.mark.parametrize("launcher", ["joblib", "submitit_local", "submitit_slurm", "slurm"])
def test_launcher_without_the_cluster_extra_names_the_extra(
    launcher: str,
    corpus: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    find_spec = importlib.util.find_spec

    def without_launchers(name: str, *args, **kwargs):
        if name.startswith(("hydra_plugins.hydra_joblib", "hydra_plugins.hydra_submitit")):
            return None  # as after `pip install newsclf` without the cluster extra
        return find_spec(name, *args, **kwargs)

    monkeypatch.setattr(importlib.util, "find_spec", without_launchers)
    assert _sweep(corpus, tmp_path / "sweep", "model=logreg", f"hydra/launcher={launcher}") == 2
    err = capsys.readouterr().err
    assert err.startswith("error: config 'hydra/launcher': ") and "not installed" in err
    assert 'pip install "newsclf[cluster]"' in err and "Traceback" not in err
    assert not (tmp_path / "sweep").exists()
