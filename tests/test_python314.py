"""`newsclf train` on Python 3.14 with hydra-core 1.3.x (hydra#3121), checked on older Pythons.

Python 3.14's ``add_argument`` checks every help string as soon as the argument is added
(``ArgumentParser._check_help``: expanding the help, whose first step is ``'%' in help``);
hydra 1.3 passes a non-string ``LazyCompletionHelp`` there, so ``@hydra.main`` crashes before
it parses anything. ``python314_argparse`` gives the Python running the tests that check, so
the workaround in ``newsclf.runs.app.hydra_argparse_compat`` is pinned on 3.11-3.13 too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pytest
from hydra._internal.utils import get_args_parser

from newsclf.cli import main
from newsclf.runs.app import hydra_argparse_compat


@pytest.fixture
def python314_argparse(monkeypatch: pytest.MonkeyPatch) -> None:
    """argparse as on Python 3.14: ``add_argument`` runs ``_check_help`` on the new action."""
    if sys.version_info >= (3, 14):
        return  # the real check is already there

    def _check_help(self: argparse._ActionsContainer, action: argparse.Action) -> None:
        # Lib/argparse.py (3.14), _ActionsContainer._check_help
        if action.help and hasattr(self, "_get_formatter"):
            formatter = self._get_formatter()
            try:
                formatter._expand_help(action)
            except (ValueError, TypeError, KeyError) as exc:
                raise ValueError("badly formed help string") from exc

    add_argument = argparse._ActionsContainer.add_argument

    def checked_add_argument(self: argparse._ActionsContainer, *args, **kwargs):
        action = add_argument(self, *args, **kwargs)
        self._check_help(action)
        return action

    monkeypatch.setattr(argparse._ActionsContainer, "_check_help", _check_help, raising=False)
    monkeypatch.setattr(argparse._ActionsContainer, "add_argument", checked_add_argument)


def test_hydra_parser_fails_under_python314_argparse_without_the_workaround(
    python314_argparse: None,
) -> None:
    # If this stops raising, the installed hydra-core has the fix for hydra#3121: require that
    # release in pyproject.toml and delete newsclf.runs.app.hydra_argparse_compat and this file.
    with pytest.raises(ValueError, match="badly formed help string") as info:
        get_args_parser()
    assert "LazyCompletionHelp" in repr(info.value.__cause__)


def test_train_starts_under_python314_argparse(
    python314_argparse: None, capsys: pytest.CaptureFixture
) -> None:
    assert main(["train", "--cfg", "job", "tasks=[topic]"]) == 0
    out = capsys.readouterr().out
    assert "tasks:" in out and "- topic" in out


def test_train_runs_a_job_under_python314_argparse(
    python314_argparse: None, tmp_path: Path
) -> None:
    run_dir = tmp_path / "run"
    code = main(
        [
            "train",
            f"hydra.run.dir={run_dir}",
            "tasks=[topic]",
            "model=complement_nb",
            "features=word",
            "eval.resamples=10",
        ]
    )
    assert code == 0 and (run_dir / "metrics.json").is_file()


def test_workaround_still_checks_other_help_strings_and_is_undone(
    python314_argparse: None,
) -> None:
    before = vars(argparse.ArgumentParser).get("_check_help")
    with hydra_argparse_compat():
        parser = argparse.ArgumentParser()
        parser.add_argument("--fine", help="default %(default)s")
        with pytest.raises(ValueError, match="badly formed help string"):
            parser.add_argument("--bad", help="100%")
    assert vars(argparse.ArgumentParser).get("_check_help") is before
    with pytest.raises(ValueError, match="badly formed help string"):
        get_args_parser()  # outside the block, argparse checks hydra's help again


def test_newsclf_own_parser_passes_python314_help_checks(
    python314_argparse: None, capsys: pytest.CaptureFixture
) -> None:
    for command in ("predict", "evaluate", "export", "tune", "compare", "explain", "data"):
        with pytest.raises(SystemExit) as info:
            main([command, "--help"])
        assert info.value.code == 0, command
    assert "newsclf tune" in capsys.readouterr().out
