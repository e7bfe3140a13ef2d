"""Validate a records file and describe it: label distribution per task, languages, groups.

Backs ``newsclf data check PATH``. Every line is read (a bad line does not hide the ones after
it); a record is valid when it can be used for the tasks it carries labels for (text present,
a target when it has a stance label) and its id is unique.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsclf.data.records import Record, read_entries
from newsclf.data.validate import TASKS, check_record
from newsclf.errors import DataError

__all__ = ["RecordsSummary", "format_summary", "summarize_records"]


@dataclass
class RecordsSummary:
    """What ``data check`` found in one file (counts over the valid records)."""

    path: str
    n_entries: int
    n_valid: int
    errors: list[DataError] = field(default_factory=list)
    labels: dict[str, Counter] = field(default_factory=dict)  # task -> label counts
    langs: Counter = field(default_factory=Counter)  # None = no lang field
    groups: Counter = field(default_factory=Counter)  # None = no group field

    def to_dict(self) -> dict[str, Any]:
        def shares(counts: Counter) -> dict[str, Any]:
            total = sum(counts.values())
            return {
                str(k): {"count": n, "share": round(n / total, 6)} for k, n in counts.most_common()
            }

        return {
            "path": self.path,
            "records": self.n_entries,
            "valid": self.n_valid,
            "errors": [{"line": e.line, "field": e.field, "error": e.message} for e in self.errors],
            "labels": {task: shares(c) for task, c in self.labels.items()},
            "lang": shares(self.langs),
            "groups": {
                "distinct": len([g for g in self.groups if g is not None]),
                "counts": shares(self.groups),
            },
        }


def summarize_records(
    path: str | Path,
    *,
    fmt: str = "auto",
    encoding: str = "utf-8",
    fields: Mapping[str, str] | None = None,
) -> RecordsSummary:
    """Read every record of ``path`` (a file, a directory or a glob; ``fields`` maps record
    fields to its columns) and collect errors and distributions.

    Problems with the file as a whole (missing, unknown format or encoding) raise
    :class:`DataError`; problems with single records are collected in ``errors``.
    """
    entries = read_entries(path, encoding=encoding, fmt=fmt, fields=fields)
    summary = RecordsSummary(path=str(path), n_entries=len(entries), n_valid=0)
    seen: dict[str, int] = {}
    valid: list[Record] = []
    for entry in entries:
        if isinstance(entry, DataError):
            summary.errors.append(entry)
            continue
        try:
            check_record(
                entry, tasks=[t for t in TASKS if entry.label(t) is not None], labelled=False
            )
            if entry.id in seen:
                raise DataError(
                    f"duplicate id {entry.id!r} (first on line {seen[entry.id]})",
                    path=entry.source,
                    line=entry.line,
                    field="id",
                )
        except DataError as exc:
            summary.errors.append(exc)
            continue
        seen[entry.id] = entry.line
        valid.append(entry)
    summary.n_valid = len(valid)
    for task in TASKS:
        counts = Counter(r.label(task) for r in valid if r.label(task) is not None)
        if counts:
            summary.labels[task] = counts
    summary.langs = Counter(r.lang for r in valid)
    summary.groups = Counter(r.group for r in valid)
    return summary


def _table(counts: Counter, total: int, missing: str = "(none)") -> list[str]:
    items = counts.most_common()
    width = max((len(str(k if k is not None else missing)) for k, _ in items), default=0)
    return [
        f"  {k if k is not None else missing!s:<{width}}  {n:>7,}  {n / total:6.1%}"
        for k, n in items
    ]


def format_summary(summary: RecordsSummary, *, max_errors: int = 10, top_groups: int = 10) -> str:
    """Plain-text report: counts, label shares per task, languages, groups, first errors."""
    s = summary
    lines = [f"{s.path}: {s.n_entries:,} records, {s.n_valid:,} valid, {len(s.errors):,} invalid"]
    for task, counts in s.labels.items():
        labelled = sum(counts.values())
        lines.append("")
        lines.append(
            f"{task}: {len(counts)} labels, {labelled:,} labelled records "
            f"({s.n_valid - labelled:,} without a {task} label)"
        )
        lines += _table(counts, labelled)
    if not s.labels and s.n_valid:
        lines += ["", "no topic or stance labels (fine for predict, not for train/evaluate)"]
    if s.n_valid:
        n_langs = len([k for k in s.langs if k is not None])
        if n_langs:
            lines += ["", f"lang: {n_langs} languages"]
            lines += _table(s.langs, s.n_valid, missing="(no lang)")
        else:
            lines += ["", "lang: no record has a lang field"]
        distinct = len([g for g in s.groups if g is not None])
        if distinct:
            lines += ["", f"group: {distinct:,} groups; the largest:"]
            largest = Counter(dict(s.groups.most_common(top_groups)))
            lines += _table(largest, s.n_valid, missing="(no group)")
            if len(s.groups) > top_groups:
                lines.append(f"  ... {len(s.groups) - top_groups:,} more")
        else:
            lines += ["", "group: no record has a group field"]
    if s.errors:
        lines += ["", f"invalid records (first {min(max_errors, len(s.errors))}):"]
        lines += [f"  {e}".replace("\n", "\n  ") for e in s.errors[:max_errors]]
    return "\n".join(lines) + "\n"
