"""``newsclf evaluate``: score a trained model on labelled records."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from newsclf.cli.io import load_model, output, read_entries, write_rows
from newsclf.cli.options import add_model_input, parse_fields
from newsclf.errors import ConfigError, DataError

__all__ = ["EXAMPLES", "SUMMARY", "add_parser", "run"]

log = logging.getLogger("newsclf")

SUMMARY = "score a trained model on labelled records"
EXAMPLES = ("newsclf evaluate outputs/DATE/TIME/model test.jsonl",)


def add_parser(sub: Any) -> None:
    evaluate = sub.add_parser(
        "evaluate",
        help="score a model on labelled records",
        description="Print accuracy, macro-F1 (with a bootstrap CI), per-class scores for every "
        "task of the model that the input has labels for, and write them as JSON.",
    )
    add_model_input(evaluate)
    evaluate.add_argument(
        "-o", "--output", help="metrics JSON (default: INPUT_STEM.metrics.json in the current dir)"
    )
    evaluate.add_argument(
        "--predictions",
        metavar="PATH",
        help="also write one JSONL line per input record: prediction, gold label(s), or error",
    )
    evaluate.add_argument(
        "--errors",
        metavar="PATH",
        help="also write the misclassified records as JSONL (per task, most confident mistake "
        "first): gold, prediction, confusion, the 3 best labels with scores and the record's "
        "fields; prints the largest confusions",
    )
    evaluate.add_argument(
        "--resamples",
        type=int,
        default=None,
        help="bootstrap resamples of the CIs (default: 1000; 0: no CIs)",
    )
    # deprecated spelling of --resamples (warns); hidden from --help
    evaluate.add_argument("--bootstrap", type=int, default=None, help=argparse.SUPPRESS)
    evaluate.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    evaluate.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="FIELD",
        help="also score each value of this record field separately (repeatable): lang (the "
        "record's, else detected), group, target, ...; slices under 20 records are flagged",
    )


def resamples_option(args: argparse.Namespace) -> int:
    """``--resamples``, or the deprecated ``--bootstrap`` with a warning."""
    resamples = args.resamples
    if args.bootstrap is not None:
        if resamples is not None:
            raise ConfigError(
                "--bootstrap is the old name of --resamples; give only one",
                key="--bootstrap",
                hint=f"--resamples {resamples}",
            )
        log.warning(
            "warning: --bootstrap is deprecated and will be removed; use --resamples %d",
            args.bootstrap,
        )
        resamples = args.bootstrap
    resamples = 1000 if resamples is None else resamples
    if resamples < 0:
        raise ConfigError(
            "must be at least 0 (0: no CIs)", key="--resamples", hint="e.g. --resamples 1000"
        )
    return resamples


def run(args: argparse.Namespace) -> int:
    import newsclf
    from newsclf.evaluation import format_metrics_table

    resamples = resamples_option(args)
    clf = load_model(args)
    if "-" in args.input:
        raise DataError("evaluate reads a file, not stdin", hint="save the records to a file")
    inputs = list(args.input)
    result = newsclf.evaluate(
        clf,
        inputs[0] if len(inputs) == 1 else inputs,
        fields=parse_fields(args.field),
        resamples=resamples,
        seed=args.seed,
        on_error=args.on_error,
        encoding=args.encoding,
        fmt=args.format,
        by=args.by,
    )
    first = Path(inputs[0])
    path = args.output or f"{Path(first.name.removesuffix('.gz')).stem}.metrics.json"
    payload = {
        "model": str(Path(args.model).absolute()),
        "input": str(first.absolute()) if len(inputs) == 1 else [str(Path(i)) for i in inputs],
        **result.to_dict(),
    }
    if args.predictions:
        write_rows(args.predictions, result.rows)
    with output(path) as fh:
        fh.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print(format_metrics_table(result.tasks), end="")
    if args.errors:
        _write_errors(args, result)
    if payload["errors"]:
        print(f"skipped in the scores: {len(payload['errors'])} records with errors (see JSON)")
    print(f"metrics: {Path(path).absolute()}")
    return 0


def _write_errors(args: argparse.Namespace, result: Any) -> None:
    """``evaluate --errors``: the misclassified records, and the largest confusions printed."""
    from newsclf.reports.error_analysis import error_report

    report = error_report(result.rows, read_entries(args), list(result.tasks))
    write_rows(args.errors, report.errors)
    print(report.summary(), end="")
    print(f"errors:  {Path(args.errors).absolute()} ({len(report.errors)} misclassified)")
