"""``newsclf tune``: hyper-parameter search with Optuna (logic in :mod:`newsclf.runs.tune`)."""

from __future__ import annotations

import argparse
from typing import Any

from newsclf.cli.options import add_verbosity

__all__ = ["EXAMPLES", "SUMMARY", "add_parser", "run"]

SUMMARY = "hyper-parameter search with Optuna (resumable; one run dir per trial)"
EXAMPLES = ("newsclf tune linear_optuna --dir multirun/optuna tasks=[topic]",)


def add_parser(sub: Any) -> None:
    tune = sub.add_parser(
        "tune",
        help="hyper-parameter search with Optuna: resumable, one run dir per trial",
        description="Search the space of SEARCH (a name in conf/hparams_search/, e.g. "
        "linear_optuna, or a YAML file) with Optuna. Each trial is one `newsclf train` run in "
        "DIR/N with the trial's overrides; the study is kept in DIR/optuna.journal, so running "
        "the same command again resumes it and runs only the missing trials (an interrupted "
        "trial runs again). Failed trials are recorded as failed (error.json in their run "
        "dir). Read the search with `newsclf compare DIR`. Needs "
        'pip install "newsclf[optuna]".',
    )
    tune.add_argument("search", help="search space: name in conf/hparams_search/ or a YAML file")
    tune.add_argument(
        "overrides",
        nargs="*",
        metavar="OVERRIDE",
        help="`newsclf train` overrides for every trial, e.g. data=records "
        "data.train=articles.jsonl tasks=[topic]",
    )
    tune.add_argument(
        "--dir",
        dest="sweep_dir",
        metavar="DIR",
        help="sweep dir: the study journal and one run dir per trial (default: multirun/SEARCH)",
    )
    tune.add_argument(
        "--n-trials",
        type=int,
        metavar="N",
        help="finished trials the study should have (default: n_trials of the search)",
    )
    add_verbosity(tune)


def run(args: argparse.Namespace) -> int:
    from newsclf.runs.tune import tune

    result = tune(args.search, args.sweep_dir, args.overrides, n_trials=args.n_trials)
    print("| trial | state | value | run dir | parameters |")
    print("|---:|---|---:|---|---|")
    for t in result.trials:
        value = "" if t.value is None else f"{t.value:.4f}"
        params = ", ".join(f"{k}={v}" for k, v in t.params.items())
        state = f"{t.state}: {t.error}" if t.error else t.state
        print(f"| {t.number} | {state} | {value} | {t.run_dir.name} | {params} |")
    best = result.best
    if best is not None:
        print(f"best: trial {best.number} ({best.value:.4f}) in {best.run_dir}")
    print(f"compare the trials: newsclf compare {result.sweep_dir}")
    return 1 if result.failed else 0
