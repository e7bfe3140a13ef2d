"""``newsclf data fetch | check | list``: download benchmark datasets, check a records file
(logic in :mod:`newsclf.data.fetch` and :mod:`newsclf.data.summary`)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from newsclf.cli.options import add_fields, add_records_format, add_verbosity, parse_fields

if TYPE_CHECKING:
    from newsclf.utils.progress import Progress

__all__ = ["EXAMPLES", "SUMMARY", "add_parser", "run"]

SUMMARY = "download a benchmark dataset (checksums verified); check a records file"
EXAMPLES = ("newsclf data fetch fnc1 --dest ~/datasets", "newsclf data check articles.jsonl")


def add_parser(sub: Any) -> None:
    from newsclf.data.fetch import CACHE_ENV
    from newsclf.data.sources import SOURCES

    data = sub.add_parser(
        "data",
        help="download benchmark datasets (verified), check a records file",
        description="`data fetch NAME` downloads a benchmark dataset and verifies the sha256 "
        "pinned in newsclf for every file; `data check PATH` validates a records file and "
        "prints its label distribution.",
    )
    data_sub = data.add_subparsers(dest="data_command", metavar="{fetch,check,list}")
    data_sub.required = True

    fetch = data_sub.add_parser(
        "fetch",
        help="download a dataset into the cache and verify its checksums",
        description=f"Download dataset NAME into DEST/NAME (DEST: --dest, else ${CACHE_ENV}/data, "
        "else ~/.cache/newsclf/data) and verify each file's pinned sha256; a mismatching "
        "download is deleted and refused. Files already present and verified are kept. "
        f"Datasets: {', '.join(sorted(SOURCES))}.",
    )
    fetch.add_argument("name", metavar="NAME", help="dataset name (`newsclf data list`)")
    fetch.add_argument("--dest", metavar="DIR", help="parent directory of the dataset folder")
    fetch.add_argument("--force", action="store_true", help="download again even if verified")
    fetch.add_argument("--timeout", type=float, default=60.0, help="seconds per connection")
    add_verbosity(fetch)

    check = data_sub.add_parser(
        "check",
        help="validate a records file and print its label distribution",
        description="Read every record of PATH (JSONL/CSV/TSV), report the invalid ones with "
        "their line, and print per task the label counts and shares, plus language and group "
        "counts. Exits 2 if any record is invalid.",
    )
    check.add_argument(
        "path", metavar="PATH", help="records file (also .gz or .parquet), a directory or a glob"
    )
    add_records_format(check, "PATH")
    add_fields(check)
    check.add_argument("--max-errors", type=int, default=10, help="invalid records to list")
    check.add_argument("--json", action="store_true", help="print the summary as JSON")
    add_verbosity(check)

    listing = data_sub.add_parser("list", help="the datasets `data fetch` knows")
    add_verbosity(listing)


class _DownloadProgress:
    """``fetch``'s ``progress(label, bytes_done, bytes_total)`` callback: one bar per file."""

    def __init__(self) -> None:
        self._bar: Progress | None = None

    def __call__(self, label: str, done: int, total: int | None) -> None:
        bar = self._bar
        if bar is None or bar.label != label or done < bar.done:  # the next file (or a retry)
            from newsclf.utils.progress import Progress

            self.close()
            bar = self._bar = Progress(label, total, enabled=True, unit="B", unit_scale=True)
        bar.update(done - bar.done)
        if total is not None and done >= total:
            self.close()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def _progress(args: argparse.Namespace) -> _DownloadProgress | None:
    from newsclf.utils.progress import progress_enabled

    if args.quiet or not progress_enabled("auto"):
        return None
    return _DownloadProgress()


def _fetch(args: argparse.Namespace) -> int:
    from newsclf.data.fetch import fetch_dataset
    from newsclf.data.sources import SOURCES

    progress = _progress(args)
    try:
        result = fetch_dataset(
            args.name, args.dest, progress=progress, timeout=args.timeout, force=args.force
        )
    finally:
        if progress is not None:
            progress.close()
    print(f"{result.name}: {result.path}")
    print(
        f"  {len(result.downloaded)} downloaded, {len(result.present)} already present; "
        "all sha256 verified"
    )
    for path in result.unpacked:
        print(f"  unpacked: {path}")
    note = SOURCES[result.name].note
    if note:
        print(f"  note: {note}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from newsclf.data.summary import format_summary, summarize_records
    from newsclf.errors import DataError

    summary = summarize_records(
        args.path, fmt=args.format, encoding=args.encoding, fields=parse_fields(args.field)
    )
    if args.json:
        print(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_summary(summary, max_errors=args.max_errors), end="")
    if summary.n_entries == 0:
        raise DataError("no records", path=args.path, hint="the file is empty")
    if summary.errors:
        raise DataError(
            f"{len(summary.errors)} of {summary.n_entries} records are invalid "
            f"(first on line {summary.errors[0].line}; see the list above)",
            path=args.path,
            hint="fix those lines; `newsclf data check PATH --max-errors N` lists more",
        )
    return 0


def _list(args: argparse.Namespace) -> int:
    from newsclf.data.sources import SOURCES

    for name, source in sorted(SOURCES.items()):
        how = f"{len(source.files)} file(s)" if source.downloadable else "manual download"
        print(f"{name:<14} {how:<16} {source.title}")
    return 0


def run(args: argparse.Namespace) -> int:
    return {"fetch": _fetch, "check": _check, "list": _list}[args.data_command](args)
