"""The Hydra app behind ``newsclf train``: error handling, resume, sweeps' return value.

``train_app`` is the thin ``@hydra.main`` wrapper; ``run_app`` hands it an argv (``newsclf
train ...``, each trial of ``newsclf tune``). The run itself is :func:`newsclf.trainers.run`,
a plain function that tests and other code can call with a composed config.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import logging
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import hydra
from omegaconf import DictConfig

from newsclf.errors import ConfigError, NewsclfError
from newsclf.evaluation import format_metrics_table
from newsclf.pipeline import check_renamed_keys
from newsclf.runs.run_dir import ERROR_FILE, resume, write_error
from newsclf.runs.tracking import get_tracker, log_finished_run
from newsclf.trainers import get_trainer, run
from newsclf.trainers.cv import format_cv_summary

__all__ = [
    "check_launcher",
    "headline_metric",
    "hydra_argparse_compat",
    "run_app",
    "train_app",
]

log = logging.getLogger(__name__)


def headline_metric(payload: dict[str, Any]) -> float:
    """The value sweeps and searches optimise: mean macro-F1 over the tasks of ``metrics.json``."""
    scores = [m["macro_f1"] for m in payload["tasks"].values()]
    return float(sum(scores) / len(scores))


@hydra.main(version_base="1.3", config_path="../conf", config_name="config")
def train_app(cfg: DictConfig) -> float:
    """``newsclf train``: returns the mean macro-F1 over tasks (the value sweepers optimise).

    A run dir that already holds a finished run of the same config and data is skipped (its
    stored metric is returned) unless ``force=true``. Under ``-m`` a failing job writes
    ``error.json``, logs the error and returns NaN, so the rest of the sweep goes on; the
    ``SweepSummary`` callback reports failures and sets exit status 1 at the end.
    """
    from hydra.core.hydra_config import HydraConfig
    from hydra.types import RunMode

    output_dir = Path(HydraConfig.get().runtime.output_dir).absolute()
    multirun = HydraConfig.get().mode == RunMode.MULTIRUN
    log.info("output dir: %s", output_dir)
    try:
        started = time.perf_counter()
        payload = resume(cfg, output_dir, lambda: get_trainer(cfg).data_fingerprint())
        if payload is not None:
            log.info(
                "skipped: %s already holds a finished run of this config and data "
                "(config %s, trained in %.1f s; checked in %.1f s); pass force=true to retrain",
                output_dir,
                str(payload.get("config_hash"))[:12],
                float(payload.get("total_seconds", float("nan"))),
                time.perf_counter() - started,
            )
        else:
            tracker = get_tracker(cfg)  # before the fit: a missing extra fails at once
            overrides = list(HydraConfig.get().overrides.task)
            payload = run(cfg, output_dir, info={"overrides": overrides})
            log_finished_run(tracker, cfg, output_dir, payload)
    except Exception as exc:
        if isinstance(exc, NewsclfError):
            log.error("error: %s", exc)
        else:
            log.exception("error: unexpected %s: %s", type(exc).__name__, exc)
        write_error(output_dir, exc)
        if not multirun:
            if isinstance(exc, NewsclfError):
                raise SystemExit(2) from None
            raise
        log.error("job failed; the sweep goes on (details in %s)", output_dir / ERROR_FILE)
        return float("nan")
    # the language split on the console; every breakdown is in metrics.json
    print(format_metrics_table(payload["tasks"], breakdowns=["lang"]), end="")
    print(format_cv_summary(payload["tasks"]), end="")
    print(f"model:   {payload['model_dir']}")
    print(f"metrics: {output_dir / 'metrics.json'}")
    return headline_metric(payload)


#: ``hydra/launcher`` options that come from a plugin of the ``cluster`` extra -> its module
_LAUNCHER_PLUGINS = {
    "joblib": "hydra_plugins.hydra_joblib_launcher",
    "submitit_local": "hydra_plugins.hydra_submitit_launcher",
    "submitit_slurm": "hydra_plugins.hydra_submitit_launcher",
    "slurm": "hydra_plugins.hydra_submitit_launcher",  # conf/hydra/launcher/slurm.yaml
}


def check_launcher(overrides: Sequence[str]) -> None:
    """Refuse a ``hydra/launcher=...`` override whose plugin is not installed, naming the extra.

    Without the check Hydra fails while composing, with a list of the launchers it does know.
    """
    for override in overrides:
        key, _, value = override.lstrip("+~").partition("=")
        if key.strip() != "hydra/launcher" or value not in _LAUNCHER_PLUGINS:
            continue
        module = _LAUNCHER_PLUGINS[value]
        if importlib.util.find_spec(module) is None:
            package = module.removeprefix("hydra_plugins.").replace("_", "-")
            raise ConfigError(
                f"the {value} launcher needs {package}, which is not installed",
                key="hydra/launcher",
                hint='pip install "newsclf[cluster]" (the joblib and submitit launchers)',
            )


@contextlib.contextmanager
def hydra_argparse_compat() -> Iterator[None]:
    """Let hydra-core 1.3.x build its argument parser on Python >= 3.14 (hydra#3121).

    Python 3.14's ``add_argument`` checks each help string (``'%' in help``, through
    ``ArgumentParser._check_help``); hydra 1.3 passes a non-string ``LazyCompletionHelp`` for
    ``--shell-completion``, so ``@hydra.main`` raises ``TypeError`` before it parses anything.
    While the block runs, the check skips that one object and checks every other help string
    as before; on Pythons without ``_check_help`` it does nothing. Remove it once newsclf
    requires a hydra-core release with the fix (the tests say when: see
    ``tests/test_python314.py``).
    """
    parser_cls: Any = argparse.ArgumentParser
    check = getattr(parser_cls, "_check_help", None)
    if check is None:
        yield
        return

    def _check_help(self: argparse.ArgumentParser, action: argparse.Action) -> None:
        if type(action.help).__name__ == "LazyCompletionHelp":
            return  # hydra's lazily rendered help: not a string until hydra prints it
        check(self, action)

    own = "_check_help" in vars(parser_cls)
    parser_cls._check_help = _check_help
    try:
        yield
    finally:
        if own:
            parser_cls._check_help = check
        else:
            del parser_cls._check_help


def run_app(argv: Sequence[str]) -> int:
    """Run ``newsclf train ARGV`` (the Hydra app) in this process; return its exit status.

    Hydra reads ``sys.argv``, so it is swapped for the call and restored afterwards.
    """
    check_renamed_keys(o.lstrip("+~").partition("=")[0].strip() for o in argv)
    check_launcher(argv)
    saved = sys.argv
    sys.argv = ["newsclf train", *argv]
    try:
        with hydra_argparse_compat():
            train_app()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = saved
    return 0
