"""Checks on records before any work: every problem names the file, line and field."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from newsclf.data.records import Record
from newsclf.errors import DataError

__all__ = ["TASKS", "check_classes", "check_record", "validate_records"]

TASKS = ("topic", "stance")


def validate_records(
    records: Sequence[Record],
    *,
    tasks: Sequence[str],
    labelled: bool,
    source: str | None = None,
    unique_ids: bool = True,
) -> None:
    """Raise :class:`DataError` at the first bad record.

    ``labelled`` asks for the label of every task (training, evaluation); stance always needs a
    ``target``.
    """
    if not records:
        raise DataError("no records", path=source, hint="the file is empty or has only blank lines")
    if labelled:
        for task in tasks:
            if all(r.label(task) is None for r in records):
                raise DataError(
                    f"no record has a '{task}' label, but tasks includes '{task}'",
                    path=source or records[0].source,
                    field=task,
                    hint=f"add '{task}' to the records or leave it out of tasks "
                    f"(e.g. tasks=[{','.join(t for t in tasks if t != task) or 'topic'}])",
                )
    seen: dict[str, int] = {}
    for r in records:
        check_record(r, tasks=tasks, labelled=labelled)
        if unique_ids:
            if r.id in seen:
                raise DataError(
                    f"duplicate id {r.id!r} (first on line {seen[r.id]})",
                    path=r.source,
                    line=r.line,
                    field="id",
                )
            seen[r.id] = r.line


def check_record(record: Record, *, tasks: Sequence[str], labelled: bool) -> None:
    """Raise :class:`DataError` if this one record cannot be used for ``tasks``."""
    r = record
    if r.text is None:
        raise DataError(
            "missing",
            path=r.source,
            line=r.line,
            field="text",
            hint="every record needs the article body in 'text'",
        )
    if not r.text or r.text.isspace():  # (no stripped copy of the text)
        raise DataError("empty text", path=r.source, line=r.line, field="text")
    if "stance" in tasks and (r.target is None or not r.target.strip()):
        raise DataError(
            "a stance record needs a target (the claim, headline or entity)",
            path=r.source,
            line=r.line,
            field="target",
        )
    if labelled:
        for task in tasks:
            if r.label(task) is None:
                raise DataError("missing label", path=r.source, line=r.line, field=task)


def check_classes(records: Sequence[Record], task: str, source: str | None = None) -> Counter:
    """Label counts for ``task``; a single class cannot train a classifier."""
    counts = Counter(r.label(task) for r in records)
    if len(counts) < 2:
        only = next(iter(counts), None)
        raise DataError(
            f"'{task}' has only one class ({only!r}); a classifier needs at least two",
            path=source or (records[0].source if records else None),
            field=task,
        )
    return counts
