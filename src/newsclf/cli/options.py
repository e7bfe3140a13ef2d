"""argparse options shared by several ``newsclf`` subcommands, each declared once here."""

from __future__ import annotations

import argparse

__all__ = ["add_model_input", "add_model_loading", "add_records_format", "add_verbosity"]


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    """Add the mutually exclusive ``-q/--quiet`` and ``-v/--verbose`` flags."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="only errors on stderr")
    group.add_argument("-v", "--verbose", action="store_true", help="debug logging")


def add_model_loading(parser: argparse.ArgumentParser, *, trust: bool = True) -> None:
    """Add ``--allow-version-mismatch`` and (``trust``) ``--trust``: how a model may be loaded."""
    parser.add_argument(
        "--allow-version-mismatch",
        action="store_true",
        help="load a model saved with another scikit-learn minor version",
    )
    if trust:
        parser.add_argument(
            "--trust",
            action="append",
            default=[],
            metavar="TYPE",
            help="for skops models: also allow this type (repeatable); only for models "
            "from a source you trust",
        )


def add_records_format(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--format`` and ``--encoding`` of the records file ``what`` (e.g. ``INPUT``)."""
    parser.add_argument(
        "--format",
        default="auto",
        choices=["auto", "jsonl", "csv", "tsv"],
        help=f"format of {what} (default: from the file suffix)",
    )
    parser.add_argument("--encoding", default="utf-8", help=f"encoding of {what} (default: utf-8)")


def add_model_input(parser: argparse.ArgumentParser) -> None:
    """The arguments of the commands that run MODEL over the records of INPUT."""
    parser.add_argument("model", help="artifact directory (RUN_DIR/model)")
    parser.add_argument(
        "input", help="records file: .jsonl or .csv ('-': stdin, JSONL unless --format)"
    )
    add_records_format(parser, "INPUT")
    add_model_loading(parser)
    parser.add_argument(
        "--on-error",
        choices=["stop", "record"],
        default="stop",
        help="a bad input record stops the run with its line number (stop, default) or is "
        'written in its place as {"id", "line", "error"} (record); never skipped',
    )
    add_verbosity(parser)
