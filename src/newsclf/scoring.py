"""Score a trained classifier on labelled records: what ``newsclf evaluate`` runs.

Scripts call :func:`evaluate` instead of reaching into the CLI; ``newsclf predict`` and
``newsclf evaluate`` share :func:`check_entries` and :func:`prediction_rows`, so a bad record
is reported the same way by both (as its error in its place, or raised).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsclf.classifier import NewsClassifier, load
from newsclf.data.records import Record, read_entries, records_from_dicts
from newsclf.data.tabular import as_rows
from newsclf.data.validate import check_record, validate_records
from newsclf.errors import ConfigError, DataError
from newsclf.evaluation.breakdown import check_breakdown_fields
from newsclf.evaluation.report import (
    DEFAULT_CALIBRATION_BINS,
    DEFAULT_MIN_SLICE,
    EvalEvidence,
    task_report,
)

__all__ = ["ON_ERROR", "Evaluation", "check_entries", "evaluate", "prediction_rows"]

log = logging.getLogger(__name__)

#: what a bad input record does: ``stop`` raises its DataError, ``record`` keeps it in its place
ON_ERROR = ("stop", "record")

Entry = Record | DataError


@dataclass
class Evaluation:
    """Metrics per task and one row per input record (predictions and gold, or the error)."""

    tasks: dict[str, dict[str, Any]]
    rows: list[dict[str, Any]] = field(repr=False)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [row for row in self.rows if "error" in row]

    @property
    def n_scored(self) -> int:
        return len(self.rows) - len(self.errors)

    def to_dict(self) -> dict[str, Any]:
        """The JSON payload ``newsclf evaluate`` writes (without the model and input paths)."""
        return {
            "n_records": len(self.rows),
            "n_scored": self.n_scored,
            "errors": self.errors,
            "tasks": self.tasks,
        }


def check_entries(
    entries: Sequence[Entry],
    tasks: Sequence[str],
    *,
    labelled: bool,
    on_error: str = "stop",
    source: str | Path | None = None,
) -> list[Entry]:
    """Check each record for ``tasks``: the first problem raises (``on_error="stop"``) or
    takes the record's place (``"record"``)."""
    if on_error not in ON_ERROR:
        raise ConfigError(
            f"on_error must be one of {', '.join(ON_ERROR)}, got {on_error!r}", key="on_error"
        )
    checked: list[Entry] = []
    for entry in entries:
        if not isinstance(entry, DataError):
            try:
                check_record(entry, tasks=tasks, labelled=labelled)
            except DataError as exc:
                exc.record_id = entry.id  # type: ignore[attr-defined]
                entry = exc
        if isinstance(entry, DataError) and on_error == "stop":
            raise entry
        checked.append(entry)
    good = [e for e in checked if not isinstance(e, DataError)]
    if good and labelled:  # also catches a label field absent from every record
        validate_records(good, tasks=tasks, labelled=True, unique_ids=False, source=source)
    bad = len(checked) - len(good)
    if bad:
        log.warning("%d of %d records had errors; written as error lines", bad, len(checked))
    return checked


def _error_row(error: DataError) -> dict[str, Any]:
    """The output row that stands in for a bad input record."""
    record_id = getattr(error, "record_id", None) or str(error.line)
    return {"id": record_id, "line": error.line, "field": error.field, "error": error.reason}


def prediction_rows(
    clf: NewsClassifier, entries: Sequence[Entry], gold: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """One row per entry, in order: predictions (plus ``{task}_gold`` labels) or the error."""
    good = [e for e in entries if not isinstance(e, DataError)]
    predicted = iter(clf.predict_records(good, tasks=gold or None) if good else [])
    rows = []
    for entry in entries:
        if isinstance(entry, DataError):
            rows.append(_error_row(entry))
            continue
        row = next(predicted)
        row.update({f"{task}_gold": entry.label(task) for task in gold})
        rows.append(row)
    return rows


def _entries(
    records: Any, encoding: str, fmt: str, fields: Mapping[str, str] | None = None
) -> tuple[list[Entry], str | None]:
    if isinstance(records, str | Path):
        return read_entries(records, encoding=encoding, fmt=fmt, fields=fields), str(records)
    if (
        isinstance(records, list | tuple)
        and records
        and all(isinstance(r, str | Path) for r in records)
    ):  # several files (a list of bare texts is refused: texts have no gold labels)
        paths = [str(r) for r in records]
        entries = read_entries(paths, encoding=encoding, fmt=fmt, fields=fields)
        return entries, ", ".join(paths)
    items = as_rows(records, name="records", paths=True).items
    if all(isinstance(r, Record) for r in items):
        return items, None
    if all(isinstance(r, Mapping) for r in items):
        return records_from_dicts([dict(r) for r in items]), None
    raise TypeError(
        "records must be a file path, a pandas DataFrame, a pyarrow Table or a list of records "
        "(dicts or Record): evaluation needs the gold label fields, which plain texts lack"
    )


def evaluate(
    model: NewsClassifier | str | Path,
    records: Any,
    *,
    resamples: int = 1000,
    confidence: float = 0.95,
    seed: int = 0,
    on_error: str = "stop",
    encoding: str = "utf-8",
    fmt: str = "auto",
    by: Sequence[str] = (),
    min_slice: int = DEFAULT_MIN_SLICE,
    calibration_bins: int = DEFAULT_CALIBRATION_BINS,
    fields: Mapping[str, str] | None = None,
) -> Evaluation:
    """Predict ``records`` with ``model`` (a classifier or an artifact path) and score every
    task the records have gold labels for.

    ``records`` is a JSONL/CSV/Parquet path (or several, a directory or a glob), a pandas
    DataFrame or a pyarrow Table (one row per record, columns ``text``, ``topic``, ``stance``,
    ...), or a list of dicts or Records. ``fields`` maps record fields to the input's columns
    (``{"text": "body"}``).

    Metrics are :func:`newsclf.evaluation.report.task_report`: accuracy, macro-F1 with
    ``resamples`` bootstrap resamples for the confidence intervals (0: none), calibration over
    ``calibration_bins`` bins, and per field of ``by`` (e.g. ``["lang", "target"]``) the
    metrics of each slice, flagged ``small`` below ``min_slice`` records.
    """
    by = check_breakdown_fields(by, key="by")
    clf = model if isinstance(model, NewsClassifier) else load(model)
    entries, source = _entries(records, encoding, fmt, fields)
    if not entries:
        raise DataError("no records", path=source, hint="the file is empty or has only blanks")
    # which tasks have gold labels decides what a valid record is
    tasks = [
        t for t in clf.tasks if any(not isinstance(e, DataError) and e.label(t) for e in entries)
    ]
    if not tasks:
        raise DataError(
            f"no gold labels for the model's tasks ({', '.join(clf.tasks)})",
            path=source,
            hint="evaluate needs records with the label fields; use predict for unlabelled ones",
        )
    entries = check_entries(entries, tasks, labelled=True, on_error=on_error, source=source)
    rows = prediction_rows(clf, entries, gold=tasks)
    scored = [row for row in rows if "error" not in row]
    if not scored:
        raise DataError("no valid records to score", path=source)
    evidence = EvalEvidence({t: clf.labels[t] for t in tasks}, by)
    evidence.add([e for e in entries if not isinstance(e, DataError)], scored)
    metrics = {
        task: task_report(
            [row[f"{task}_gold"] for row in scored],
            [row[task] for row in scored],
            labels=clf.labels[task],
            proba=evidence.proba[task],
            slices=evidence.slices,
            by=by,
            n_resamples=resamples,
            confidence=confidence,
            seed=seed,
            min_slice=min_slice,
            calibration_bins=calibration_bins,
        )
        for task in tasks
    }
    return Evaluation(tasks=metrics, rows=rows)
