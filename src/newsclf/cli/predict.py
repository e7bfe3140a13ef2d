"""``newsclf predict``: label records with a trained model, one output row per input record.

One input goes to one output file (or stdout); several inputs, a directory or a glob go to an
output directory, one output per input shard, resumable (the work is in
:mod:`newsclf.archive`).
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

from newsclf.cli.io import STDIN, load_model
from newsclf.cli.options import (
    add_model_input,
    add_sharding,
    chunk_size_option,
    parse_fields,
    progress_option,
)
from newsclf.errors import ConfigError, DataError

__all__ = ["EXAMPLES", "SUMMARY", "add_parser", "run"]

log = logging.getLogger("newsclf")

SUMMARY = "label records with a trained model, one JSON line per input record"
EXAMPLES = (
    "newsclf predict outputs/DATE/TIME/model articles.jsonl -o predictions.jsonl",
    "newsclf predict outputs/DATE/TIME/model 'archive/part-*.jsonl.gz' -o labelled/",
)


def add_parser(sub: Any) -> None:
    predict = sub.add_parser(
        "predict",
        help="label records; one output JSON line per input record, in order",
        description="Write one JSON line per input record, in input order, with `id` and for "
        "each task of the model its label and `<task>_scores` (label -> probability). Records "
        "are read, predicted and written in chunks, so memory does not grow with the input. "
        "With several inputs (or a directory or a glob) OUTPUT is a directory holding one "
        "output per input shard, named after it (part-0003.jsonl.gz -> part-0003.jsonl), "
        "each written atomically; a re-run skips the shards already done for this model "
        "(recorded in OUTPUT/.newsclf-shards.json; --force redoes them).",
    )
    add_model_input(predict)
    predict.add_argument(
        "-o",
        "--output",
        help="output file (default: stdout), or with several inputs an output directory",
    )
    predict.add_argument(
        "--output-format",
        default="auto",
        choices=["auto", "jsonl", "jsonl.gz", "parquet"],
        help="format of the output(s) (auto: from the -o name for one input, else jsonl)",
    )
    add_sharding(predict)


def run(args: argparse.Namespace) -> int:
    from newsclf.archive.run import predict_files, predict_stdin
    from newsclf.archive.shards import is_sharded

    fields = parse_fields(args.field)
    inputs = list(args.input)
    if args.cluster is not None and "-" not in inputs and is_sharded(inputs, args.output):
        from newsclf.archive.source import ModelSource

        # the workers load (and check) the model from its path: not unpickled here to be sent
        clf: Any = ModelSource.open(
            args.model, allow_version_mismatch=args.allow_version_mismatch, trusted=args.trust
        )
    else:
        # mapped as a cluster worker maps it: prediction uses the saved layout, nothing copied
        clf = load_model(args, mmap=True)
    if "-" in inputs:
        if len(inputs) > 1:
            raise DataError(
                "standard input ('-') cannot be mixed with other inputs",
                hint="predict stdin alone, or save it to a file",
            )
        if args.output is not None:
            raise ConfigError(
                "reading standard input writes to standard output",
                key="--output",
                hint="redirect stdout: ... - > predictions.jsonl",
            )
        fmt = "jsonl" if args.format == "auto" else args.format
        summary = predict_stdin(
            clf, sys.stdin.buffer, fields=fields, on_error=args.on_error, encoding=args.encoding,
            fmt=fmt, chunk_size=chunk_size_option(args), name=STDIN,
        )  # fmt: skip
    else:
        summary = predict_files(
            clf, inputs, args.output, output_format=args.output_format, fields=fields,
            on_error=args.on_error, encoding=args.encoding, fmt=args.format,
            chunk_size=chunk_size_option(args), force=args.force, cluster=args.cluster,
            show_progress=progress_option(args),
        )  # fmt: skip
    if summary.records == 0 and summary.skipped == 0:
        # (one input file with no records raised before its output was renamed into place)
        raise DataError(
            "no records",
            path=STDIN if inputs == ["-"] else ", ".join(inputs),
            hint="the input is empty or has only blank lines",
        )
    shards = ""
    if summary.done + summary.skipped > 1:
        shards = f" in {summary.done} shards" + (
            f" ({summary.skipped} already done)" if summary.skipped else ""
        )
    if summary.errors:
        log.warning(
            "%d of %d records had errors; written as error lines", summary.errors, summary.records
        )
    log.info(
        "predicted %d records%s with %s (tasks: %s) in %.1f s (%.0f records/s)%s",
        summary.records,
        shards,
        args.model,
        ", ".join(clf.tasks),
        summary.seconds,
        summary.records / max(summary.seconds, 1e-9),
        f" -> {args.output}" if args.output else "",
    )
    return 0
