"""``newsclf compare``: compare runs and sweeps (logic in :mod:`newsclf.reports.compare`)."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from newsclf.cli.options import add_verbosity
from newsclf.errors import ConfigError

__all__ = ["EXAMPLES", "SUMMARY", "add_parser", "run"]

log = logging.getLogger("newsclf")

SUMMARY = "compare runs and sweeps: CIs, paired tests against the best, plots"
EXAMPLES = ("newsclf compare multirun/DATE/TIME --metric macro_f1 --out compare",)


def add_parser(sub: Any) -> None:
    compare = sub.add_parser(
        "compare",
        help="compare runs and sweeps: metrics with CIs, paired tests, tables and plots",
        description="PATH is a run dir or a multirun dir (all run dirs below it). Per task, "
        "print one row per run: the overrides that differ, the metric and accuracy with "
        "percentile-bootstrap CIs, training time, and the p-value of a two-sided paired "
        "approximate randomisation test of each run against the best on the same evaluation "
        "examples (runs evaluated on different examples are refused). Failed runs are listed. "
        "Writes compare.md, compare.csv, compare.json and PNG plots to --out.",
    )
    compare.add_argument("paths", nargs="+", metavar="PATH", help="run or multirun dir")
    compare.add_argument(
        "--metric",
        default="macro_f1",
        choices=["macro_f1", "accuracy"],
        help="metric that picks the best run and is tested (default: macro_f1)",
    )
    compare.add_argument(
        "--task", action="append", help="only this task (repeatable; default: all tasks)"
    )
    compare.add_argument(
        "--out", default="compare", help="output dir for tables and plots (default: ./compare)"
    )
    compare.add_argument(
        "--resamples",
        type=int,
        default=1000,
        help="bootstrap resamples and random swap patterns of the test (default: 1000)",
    )
    compare.add_argument("--confidence", type=float, default=0.95, help="CI level (0.95)")
    compare.add_argument(
        "--confusions",
        type=int,
        default=0,
        metavar="N",
        help="also print the N largest confusions (gold -> predicted) of each task's best run",
    )
    compare.add_argument("--seed", type=int, default=0, help="seed of the resampling")
    compare.add_argument("--no-plots", action="store_true", help="write only the tables")
    compare.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="FIELD",
        help="also a table of the metric per slice of this record field per run (lang, group, "
        "target, ...; read from the breakdowns in each run's metrics.json; repeatable)",
    )
    compare.add_argument(
        "--reliability",
        metavar="PNG",
        help="write a reliability diagram of every run's top-label probabilities (needs the "
        "plot extra)",
    )
    add_verbosity(compare)


def run(args: argparse.Namespace) -> int:
    from newsclf.evaluation.breakdown import check_breakdown_fields
    from newsclf.reports.compare import (
        compare_runs,
        find_runs,
        format_markdown,
        write_comparison,
        write_reliability,
    )

    if args.resamples < 1:
        raise ConfigError("must be at least 1", key="--resamples", hint="e.g. --resamples 1000")
    if args.confusions < 0:
        raise ConfigError("must be at least 0", key="--confusions", hint="e.g. --confusions 5")
    if not 0 < args.confidence < 1:
        raise ConfigError("must be between 0 and 1", key="--confidence", hint="e.g. 0.95")
    by = check_breakdown_fields(args.by, key="--by")
    runs = find_runs(args.paths)
    comparison = compare_runs(
        runs,
        metric=args.metric,
        tasks=args.task,
        n_resamples=args.resamples,
        confidence=args.confidence,
        seed=args.seed,
        by=by,
    )
    out = write_comparison(comparison, args.out, plots=not args.no_plots)
    print(format_markdown(comparison), end="")
    if args.confusions:
        from newsclf.reports.error_analysis import format_best_confusions

        print(format_best_confusions(comparison, args.confusions), end="")
    log.info("wrote compare.md, compare.csv, compare.json and plots to %s", out)
    if args.reliability:
        png = write_reliability(comparison, args.reliability)
        if png is not None:
            log.info("wrote the reliability diagram to %s", png)
    return 0
