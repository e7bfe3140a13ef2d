"""argparse options shared by several ``newsclf`` subcommands, each declared once here."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from newsclf.errors import ConfigError

__all__ = [
    "add_fields",
    "add_model_input",
    "add_model_loading",
    "add_records_format",
    "add_sharding",
    "add_verbosity",
    "chunk_size_option",
    "parse_fields",
    "progress_option",
]


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
        choices=["auto", "jsonl", "csv", "tsv", "parquet"],
        help=f"format of {what} (default: from the file suffix, behind a .gz)",
    )
    parser.add_argument("--encoding", default="utf-8", help=f"encoding of {what} (default: utf-8)")


def add_model_input(parser: argparse.ArgumentParser) -> None:
    """The arguments of the commands that run MODEL over the records of INPUT."""
    parser.add_argument("model", help="artifact directory (RUN_DIR/model)")
    parser.add_argument(
        "input",
        nargs="+",
        help="records: .jsonl, .csv, .tsv (each also .gz) or .parquet files, directories or "
        "globs ('-': stdin, JSONL unless --format)",
    )
    add_records_format(parser, "INPUT")
    add_fields(parser)
    add_model_loading(parser)
    parser.add_argument(
        "--on-error",
        choices=["stop", "record"],
        default="stop",
        help="a bad input record stops the run with its line number (stop, default) or is "
        'written in its place as {"id", "line", "error"} (record); never skipped',
    )
    add_verbosity(parser)


def add_fields(parser: argparse.ArgumentParser) -> None:
    """``--field FIELD=COLUMN`` (repeatable): read a record field from another column."""
    parser.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="read record field FIELD from the input's COLUMN (repeatable), e.g. --field "
        "text=body --field id=url",
    )


def parse_fields(values: Sequence[str]) -> dict[str, str] | None:
    """``["text=body", "id=url"]`` -> ``{"text": "body", "id": "url"}`` (checked)."""
    from newsclf.data.records import field_keys

    fields: dict[str, str] = {}
    for value in values:
        name, sep, column = value.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise ConfigError(
                f"expected FIELD=COLUMN, got {value!r}",
                key="--field",
                hint="e.g. --field text=body",
            )
        fields[name.strip()] = column.strip()
    field_keys(fields, key="--field")
    return fields or None


def add_sharding(parser: argparse.ArgumentParser) -> None:
    """Options of the commands that run over shards: resume, cluster, chunk size, progress."""
    parser.add_argument(
        "--force",
        action="store_true",
        help="redo every shard, also those recorded as done",
    )
    parser.add_argument(
        "--cluster",
        metavar="SPEC",
        help="run the shards on a Dask cluster: local[:N] (N worker processes on this machine) "
        "or tcp://HOST:PORT (a running `dask scheduler`); needs newsclf[cluster]",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        metavar="N",
        help="records read and processed at a time (default: 2000); memory grows with it, not "
        "with the input",
    )
    parser.add_argument(
        "--progress",
        choices=["auto", "true", "false"],
        default="auto",
        help="progress bar on stderr with records/s and ETA (auto: on a terminal)",
    )


def chunk_size_option(args: argparse.Namespace) -> int:
    """``--chunk-size``, checked (default: the archive default)."""
    from newsclf.archive.shards import DEFAULT_CHUNK_SIZE

    if args.chunk_size is None:
        return DEFAULT_CHUNK_SIZE
    if args.chunk_size < 1:
        raise ConfigError("must be at least 1", key="--chunk-size", hint="e.g. --chunk-size 2000")
    return int(args.chunk_size)


def progress_option(args: argparse.Namespace) -> bool:
    """``--progress``: whether to draw the bar."""
    from newsclf.utils.progress import progress_enabled

    option = {"true": True, "false": False}.get(args.progress, args.progress)
    return progress_enabled(option, key="--progress")
