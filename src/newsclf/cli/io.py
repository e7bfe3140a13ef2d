"""Reading records and models, writing outputs: what the model commands share."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from newsclf.errors import DataError
from newsclf.utils.atomic import atomic_file

__all__ = ["STDIN", "load_model", "output", "read_entries", "write_rows"]

#: what records read from standard input (INPUT "-") are called in errors
STDIN = "<stdin>"


def read_entries(args: argparse.Namespace) -> list[Any]:
    """Every record of INPUT in order, a bad line as its DataError in its place."""
    from newsclf.cli.options import parse_fields
    from newsclf.data.records import read_entries as read

    fields = parse_fields(getattr(args, "field", []))
    inputs = [args.input] if isinstance(args.input, str) else list(args.input)
    if inputs == ["-"]:  # JSON Lines unless --format says otherwise; errors name <stdin>
        fmt = "jsonl" if args.format == "auto" else args.format
        entries = read(
            sys.stdin.buffer, encoding=args.encoding, fmt=fmt, source=STDIN, fields=fields
        )
    else:
        source = inputs[0] if len(inputs) == 1 else inputs
        entries = read(source, encoding=args.encoding, fmt=args.format, fields=fields)
    if not entries:
        raise DataError(
            "no records",
            path=STDIN if inputs == ["-"] else ", ".join(inputs),
            hint="the file is empty or has only blank lines",
        )
    return entries


@contextlib.contextmanager
def output(path: str | None) -> Iterator[TextIO]:
    """stdout, or a temp file renamed to ``path`` only when everything was written."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    with atomic_file(path, newline="\n") as fh:
        yield fh


def load_model(args: argparse.Namespace, *, mmap: bool = False) -> Any:
    """The model of ``args.model``, loaded as ``--allow-version-mismatch``/``--trust`` say
    (``mmap``: weights mapped read-only from the file, for a command that only predicts)."""
    import newsclf

    return newsclf.load(
        args.model,
        allow_version_mismatch=args.allow_version_mismatch,
        trusted=args.trust,
        mmap=mmap,
    )


def write_rows(path: str | None, rows: list[dict[str, Any]]) -> None:
    """One JSON line per row to ``path`` (atomically) or stdout."""
    with output(path) as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
