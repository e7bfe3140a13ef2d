"""The one progress bar (tqdm): drawn on a terminal, logged by tenths otherwise."""

from __future__ import annotations

import logging

import pytest

from newsclf.errors import ConfigError
from newsclf.utils.progress import Progress, progress_enabled


def test_disabled_bar_draws_nothing_and_logs_each_tenth_with_the_rate(
    capsys: pytest.CaptureFixture, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="newsclf.utils.progress")
    progress = Progress("train (epoch 1/1)", 100, enabled=False)
    for _ in range(100):
        progress.update(1)
    elapsed = progress.close()
    assert capsys.readouterr().err == ""
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 11  # 10%, 20%, ..., 100%, then the summary
    assert lines[0].startswith("train (epoch 1/1): 10/100 articles | ")
    assert "articles/s | 10% | ETA " in lines[0]
    assert lines[-1].startswith("train (epoch 1/1): 100 articles in ") and elapsed >= 0


def test_disabled_bar_without_total_follows_the_fraction(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="newsclf.utils.progress")
    progress = Progress("scan", None, enabled=False)
    progress.update(500, 0.25)
    progress.update(500, 0.55)
    assert [r.getMessage().split(" | ")[2] for r in caplog.records] == ["25%", "55%"]


def test_enabled_bar_draws_count_rate_and_share_on_stderr(
    capsys: pytest.CaptureFixture, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="newsclf.utils.progress")
    progress = Progress("evaluate", 40, enabled=True)
    for _ in range(4):
        progress.update(10)
    progress.close()
    err = capsys.readouterr().err
    assert "evaluate: 100%" in err and "40/40" in err and "articles/s" in err
    assert err.endswith("\n")  # the finished bar stays on its own line
    assert [r.getMessage().split(" in ")[0] for r in caplog.records] == ["evaluate: 40 articles"]


def test_enabled_bar_without_total_shows_share_and_eta(capsys: pytest.CaptureFixture) -> None:
    progress = Progress("scan", None, enabled=True, unit="records")
    progress.update(30, 0.3)
    progress._bar.refresh()  # tqdm redraws at most every 0.2 s
    progress.close()
    err = capsys.readouterr().err
    assert "scan: 30 records" in err and "30% | ETA " in err


def test_progress_enabled_auto_means_a_terminal_outside_ci(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert progress_enabled(True) is True and progress_enabled(False) is False
    assert progress_enabled("auto") is False  # pytest captures stderr: not a terminal
    monkeypatch.setattr("sys.stderr.isatty", lambda: True)
    monkeypatch.delenv("CI", raising=False)
    assert progress_enabled("auto") is True
    monkeypatch.setenv("CI", "true")
    assert progress_enabled("auto") is False


def test_progress_option_must_be_auto_true_or_false() -> None:
    with pytest.raises(ConfigError, match=r"trainer\.progress.*must be auto, true or false"):
        progress_enabled("yes", key="trainer.progress")
