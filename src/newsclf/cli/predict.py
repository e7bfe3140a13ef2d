"""``newsclf predict``: label records with a trained model, one JSON line per input record."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from newsclf.cli.io import load_model, read_entries, write_rows
from newsclf.cli.options import add_model_input

__all__ = ["EXAMPLES", "SUMMARY", "add_parser", "run"]

log = logging.getLogger("newsclf")

SUMMARY = "label records with a trained model, one JSON line per input record"
EXAMPLES = ("newsclf predict outputs/DATE/TIME/model articles.jsonl -o predictions.jsonl",)


def add_parser(sub: Any) -> None:
    predict = sub.add_parser(
        "predict",
        help="label records; one output JSON line per input record, in order",
        description="Write one JSON line per input record, in input order, with `id` and for "
        "each task of the model its label and `<task>_scores` (label -> probability).",
    )
    add_model_input(predict)
    predict.add_argument("-o", "--output", help="output JSONL (default: stdout)")


def run(args: argparse.Namespace) -> int:
    clf = load_model(args)
    from newsclf.scoring import check_entries, prediction_rows

    entries = check_entries(
        read_entries(args), clf.tasks, labelled=False, on_error=args.on_error, source=args.input
    )
    rows = prediction_rows(clf, entries)
    write_rows(args.output, rows)
    log.info(
        "predicted %d records with %s (tasks: %s)%s",
        len(rows),
        args.model,
        ", ".join(clf.tasks),
        f" -> {args.output}" if args.output else "",
    )
    return 0
