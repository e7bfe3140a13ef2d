"""Error analysis: the misclassified records of an evaluation, and the largest confusions.

``newsclf evaluate --errors OUT.jsonl`` and ``newsclf compare --confusions N`` use these, and
scripts can too: pooled metrics say how often a model is wrong, these say on what.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from newsclf.data.records import Record
from newsclf.errors import DataError

if TYPE_CHECKING:
    from newsclf.reports.compare import Comparison

__all__ = [
    "Confusion",
    "ErrorReport",
    "error_report",
    "format_best_confusions",
    "format_confusions",
    "largest_confusions",
]


@dataclass(frozen=True)
class Confusion:
    """``count`` records of ``task`` with gold label ``gold`` were predicted ``predicted``."""

    task: str
    gold: str
    predicted: str
    count: int

    def __str__(self) -> str:
        return f"{self.gold} -> {self.predicted}"


@dataclass
class ErrorReport:
    """The misclassified records (most confident first, per task) and their confusions."""

    errors: list[dict[str, Any]]
    confusions: list[Confusion]
    n_scored: dict[str, int]

    def summary(self, top: int = 5) -> str:
        """Per task: how many records are wrong, then its ``top`` largest confusions."""
        lines = []
        for task, n in self.n_scored.items():
            wrong = [c for c in self.confusions if c.task == task]
            n_wrong = sum(c.count for c in wrong)
            lines.append(f"{task}: {n_wrong} of {n} misclassified" + (":" if wrong else ""))
            lines += [f"  {c.count:>4}  {c}" for c in wrong[:top]]
            if len(wrong) > top:
                rest = len(wrong) - top
                lines.append(f"        ... and {rest} more confusion{'s' if rest > 1 else ''}")
        return "\n".join(lines) + "\n"


#: the record's fields in the order an error line shows them (any others follow)
_FIELD_ORDER = ("id", "lang", "group", "target", "title", "text", "topic", "stance", "line")


def _fields(record: Record | Mapping[str, Any]) -> dict[str, Any]:
    """The record's own fields (not where it was read from), without empty ones."""
    raw = dataclasses.asdict(record) if isinstance(record, Record) else dict(record)
    raw.pop("source", None)
    order = {name: i for i, name in enumerate(_FIELD_ORDER)}
    keys = sorted(raw, key=lambda k: order.get(k, len(order)))
    return {k: raw[k] for k in keys if raw[k] is not None}


def error_report(
    rows: Sequence[Mapping[str, Any]],
    records: Sequence[Record | DataError | Mapping[str, Any]],
    tasks: Sequence[str],
    *,
    top: int = 3,
) -> ErrorReport:
    """The misclassified records among ``rows`` (``Evaluation.rows``: per record the prediction,
    ``{task}_scores`` and ``{task}_gold``) with their input ``records`` (same order).

    Each error is one dict: ``task``, ``confusion`` (``"gold -> predicted"``), ``gold``,
    ``predicted``, ``confidence`` (the predicted label's score), ``gold_score``, ``top`` (the
    ``top`` best labels with scores) and then the record's fields (id, title, text, lang,
    group, target, labels, line). Within each task the most confident mistakes come first.
    """
    if len(rows) != len(records):
        raise DataError(f"{len(rows)} prediction rows for {len(records)} records")
    errors: list[dict[str, Any]] = []
    pairs: Counter[tuple[str, str, str]] = Counter()
    n_scored = dict.fromkeys(tasks, 0)
    for row, record in zip(rows, records, strict=True):
        if "error" in row or isinstance(record, DataError):
            continue
        fields = _fields(record)
        if str(fields.get("id")) != str(row.get("id")):
            raise DataError(
                f"prediction row {row.get('id')!r} does not belong to record {fields.get('id')!r}",
                hint="pass the records in the order they were predicted",
            )
        for task in tasks:
            gold, predicted = row.get(f"{task}_gold"), row.get(task)
            if gold is None or predicted is None:
                continue
            n_scored[task] += 1
            if gold == predicted:
                continue
            pairs[(task, str(gold), str(predicted))] += 1
            scores: Mapping[str, float] = row.get(f"{task}_scores") or {}
            best = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
            errors.append(
                {
                    "task": task,
                    "id": fields.get("id"),
                    "confusion": f"{gold} -> {predicted}",
                    "gold": gold,
                    "predicted": predicted,
                    "confidence": scores.get(predicted),
                    "gold_score": scores.get(gold),
                    "top": [{"label": label, "score": score} for label, score in best],
                    **fields,
                }
            )
    order = {task: i for i, task in enumerate(tasks)}
    errors.sort(key=lambda e: (order[e["task"]], -(e["confidence"] or 0.0), str(e["id"])))
    confusions = sorted(
        (Confusion(t, g, p, n) for (t, g, p), n in pairs.items()),
        key=lambda c: (order[c.task], -c.count, c.gold, c.predicted),
    )
    return ErrorReport(errors=errors, confusions=confusions, n_scored=n_scored)


def largest_confusions(
    labels: Sequence[str], matrix: Sequence[Sequence[int]], n: int, *, task: str = ""
) -> list[Confusion]:
    """The ``n`` largest off-diagonal cells of a confusion ``matrix`` (rows: gold, columns:
    predicted, both in ``labels`` order); ties by label order, empty cells left out."""
    cells = [
        Confusion(task, labels[i], labels[j], int(count))
        for i, row in enumerate(matrix)
        for j, count in enumerate(row)
        if i != j and count > 0
    ]
    cells.sort(key=lambda c: -c.count)  # stable: ties keep the matrix order
    return cells[:n]


def format_confusions(confusions: Sequence[Confusion], *, total: int | None = None) -> str:
    """One line per confusion: count (and share of ``total`` records), gold -> predicted."""
    lines = []
    for c in confusions:
        share = f" ({c.count / total:5.1%})" if total else ""
        lines.append(f"  {c.count:>4}{share}  {c}")
    return "\n".join(lines) + ("\n" if lines else "")


def format_best_confusions(comparison: Comparison, n: int) -> str:
    """``newsclf compare --confusions N``: per task, the ``n`` largest off-diagonal cells of the
    best run's confusion matrix (over the examples the runs were compared on)."""
    lines = []
    for t in comparison.tasks:
        if not t.task or t.best is None:
            continue
        found = largest_confusions(t.labels, t.confusion_best, n, task=t.task)
        lines.append("")
        lines.append(
            f"## {t.task}: largest confusions of the best run ({t.best}, n={t.n_examples})"
        )
        lines.append("")
        lines.append("gold -> predicted, by count" if found else "no confusions: all correct")
        text = format_confusions(found, total=t.n_examples)
        lines += text.rstrip("\n").splitlines() if text else []
    return "\n".join(lines) + ("\n" if lines else "")
