"""`newsclf tune`: an Optuna search that resumes, records failures, and `compare` reads.

Runs the shipped `linear_optuna` search on the bundled demo corpus (topic only, vocabularies
capped so a trial fits in about a second).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsclf.cli import main
from newsclf.errors import ConfigError
from newsclf.runs import app as train
from newsclf.runs.tune import JOURNAL, load_search

optuna = pytest.importorskip(
    "optuna", reason="needs the optuna extra: pip install 'newsclf[optuna]'"
)

FAST = [
    "tasks=[topic]",
    "eval.resamples=20",
    "features.text.max_features=300",
    "features.text.char_max_features=300",
]


def _tune(sweep: Path, *args: str) -> int:
    return main(["tune", "linear_optuna", "--dir", str(sweep), "--n-trials", "6", *args, *FAST])


def _study(sweep: Path):
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    storage = JournalStorage(JournalFileBackend(str(sweep / JOURNAL)))
    return optuna.load_study(study_name="newsclf_linear", storage=storage)


@pytest.fixture
def counted_runs(monkeypatch: pytest.MonkeyPatch):
    """Run dirs that `newsclf train` actually trained, in order; ``interrupt_at`` = the call
    (1-based) that gets a Ctrl-C while it trains."""
    calls: list[str] = []
    real_run = train.run
    state = {"interrupt_at": None}

    def run(cfg, output_dir, **kwargs):
        calls.append(Path(output_dir).name)
        if len(calls) == state["interrupt_at"]:
            raise KeyboardInterrupt
        return real_run(cfg, output_dir, **kwargs)

    monkeypatch.setattr(train, "run", run)
    return calls, state


def test_interrupted_search_resumes_with_only_the_missing_trials_and_compare_reads_it(
    tmp_path: Path, counted_runs, capsys: pytest.CaptureFixture
) -> None:
    calls, state = counted_runs
    sweep = tmp_path / "search"
    state["interrupt_at"] = 4  # Ctrl-C while the 4th trial trains
    assert _tune(sweep) == 130
    assert "interrupted" in capsys.readouterr().err
    assert sorted(p.parent.name for p in sweep.glob("*/metrics.json")) == ["0", "1", "2"]
    states = [t.state.name for t in _study(sweep).trials]
    assert states == ["COMPLETE", "COMPLETE", "COMPLETE", "FAIL"]

    calls.clear()
    state["interrupt_at"] = None
    assert _tune(sweep) == 0
    assert calls == ["3", "5", "6"]  # the interrupted trial again (in its own dir), then 2 new
    study = _study(sweep)
    complete = [t for t in study.trials if t.state.name == "COMPLETE"]
    assert len(complete) == 6
    assert study.trials[4].params == study.trials[3].params  # the retry of the interrupted one
    finished = sorted(p.parent.name for p in sweep.glob("*/metrics.json"))
    assert finished == ["0", "1", "2", "3", "5", "6"]
    out = capsys.readouterr().out
    assert "| 3 | interrupted |" in out and out.count("| complete |") == 6
    assert f"newsclf compare {sweep}" in out

    calls.clear()
    assert _tune(sweep) == 0  # nothing missing: nothing trained
    assert calls == []

    report = tmp_path / "report"
    capsys.readouterr()
    assert (
        main(["compare", str(sweep), "--out", str(report), "--no-plots", "--resamples", "50"]) == 0
    )
    rows = json.loads((report / "compare.json").read_text())["tasks"]["topic"]["rows"]
    assert len(rows) == 6 and {r["status"] for r in rows} == {"finished"}
    printed = capsys.readouterr().out
    assert "model.params.C" in printed


def test_failed_trial_is_recorded_as_failed_and_not_rerun(
    tmp_path: Path, counted_runs, capsys: pytest.CaptureFixture
) -> None:
    calls, _ = counted_runs
    search = tmp_path / "custom_search.yaml"
    search.write_text(
        "study_name: failing\n"
        "n_trials: 2\n"
        "sampler: {name: random, seed: 0}\n"
        "params:\n"
        "  model: {type: categorical, choices: [custom]}\n"  # needs model.target: fails
    )
    sweep = tmp_path / "search"
    assert main(["tune", str(search), "--dir", str(sweep), *FAST]) == 1
    captured = capsys.readouterr()
    assert "trial 0 failed: required value(s) not set: model.target" in captured.err
    assert "| 0 | fail: " in captured.out and "model.target" in captured.out
    study = optuna.load_study(
        study_name="failing",
        storage=optuna.storages.JournalStorage(
            optuna.storages.journal.JournalFileBackend(str(sweep / JOURNAL))
        ),
    )
    assert [t.state.name for t in study.trials] == ["FAIL", "FAIL"]
    assert (sweep / "0" / "error.json").is_file() and not (sweep / "0" / "metrics.json").exists()
    calls.clear()
    assert main(["tune", str(search), "--dir", str(sweep), *FAST]) == 0  # both already finished
    assert calls == []


def test_sweep_dir_of_another_search_is_refused(tmp_path: Path, capsys) -> None:
    sweep = tmp_path / "search"
    assert _tune(sweep, "--n-trials", "1") == 0
    assert main(["tune", "linear_optuna", "--dir", str(sweep), "tasks=[stance]"]) == 2
    err = capsys.readouterr().err
    assert "another search space or other overrides" in err and "new --dir" in err


def test_override_of_a_searched_key_is_refused(tmp_path: Path, capsys) -> None:
    assert main(["tune", "linear_optuna", "--dir", str(tmp_path), "model=sgd"]) == 2
    assert "model is searched by linear_optuna" in capsys.readouterr().err


def test_unknown_search_lists_the_shipped_ones(capsys) -> None:
    assert main(["tune", "nope"]) == 2
    err = capsys.readouterr().err
    assert "unknown search 'nope'" in err and "one of: linear_optuna" in err


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("{type: float, low: 1}", "takes ['high', 'low']"),
        ("{type: normal}", "needs a 'type'"),
        ("{type: categorical, choices: []}", "non-empty list"),
    ],
)
def test_bad_distribution_names_the_key(tmp_path: Path, param: str, message: str) -> None:
    search = tmp_path / "s.yaml"
    search.write_text(f"params:\n  model.params.C: {param}\n")
    with pytest.raises(ConfigError, match=r"hparams_search\.params\.model\.params\.C") as info:
        load_search(search)
    assert message in str(info.value)


def test_train_with_hparams_search_points_to_tune(tmp_path: Path, capsys) -> None:
    assert main(["train", "hparams_search=linear_optuna", f"hydra.run.dir={tmp_path}"]) == 2
    assert "newsclf tune" in capsys.readouterr().err
