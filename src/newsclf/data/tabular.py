"""Inputs and outputs of the Python API: DataFrames and Arrow tables as records, results as frames.

A pandas DataFrame iterates over its column names, so handing one to code that expects a list
of records silently predicts the column names. Every public entry point therefore turns its
input into a list through :func:`as_rows`, which knows each accepted type and rejects the rest
with a ``TypeError``. pandas and pyarrow stay optional: a type is recognised by the module that
defines it, and pandas is imported only to build a frame the caller asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from newsclf.data.records import Record
from newsclf.errors import DataError

__all__ = ["ACCEPTED", "OUTPUTS", "Rows", "as_rows", "check_output", "result_frame"]

#: what the Python API accepts as ``X``, for error messages
ACCEPTED = (
    "a pandas DataFrame, a pyarrow Table, a list of records (dicts or newsclf.data.Record) "
    "or a list of texts (str)"
)
#: values of ``output=`` / ``set_output(transform=...)``
OUTPUTS = ("default", "pandas")


@dataclass(frozen=True)
class Rows:
    """The input as a list (texts, dicts or Records) and the frame index to give results."""

    items: list[Any]
    index: Any = None  #: the input's pandas index, or None (results get a RangeIndex)


def _library_type(X: Any) -> str | None:
    """``"pandas.DataFrame"``, ``"pandas.Series"`` or ``"pyarrow.Table"`` by the defining
    module of ``X``'s class (or a base class), without importing either library."""
    for cls in type(X).__mro__:
        top = cls.__module__.partition(".")[0]
        if top == "pandas" and cls.__name__ in ("DataFrame", "Series"):
            return f"pandas.{cls.__name__}"
        if top == "pyarrow" and cls.__name__ in ("Table", "RecordBatch"):
            return "pyarrow.Table"
    return None


def _rejected(X: Any, name: str, hint: str = "", *, paths: bool = False) -> TypeError:
    what = type(X).__module__ + "." + type(X).__qualname__
    if type(X).__module__ == "builtins":
        what = type(X).__qualname__
    accepted = f"a file path, {ACCEPTED}" if paths else ACCEPTED
    return TypeError(
        f"{name} must be {accepted} (a frame or table has one row per record and one column "
        f"per field: text, title, target, ...); got {what}{hint}"
    )


def _need_text_column(columns: list[str], kind: str) -> None:
    if "text" not in columns:
        raise DataError(
            f"the {kind} has no 'text' column (columns: {columns})",
            field="text",
            hint="rename the column holding the article body to 'text'",
        )


def as_rows(X: Any, *, name: str = "X", paths: bool = False) -> Rows:
    """``X`` as a list of texts, dicts or Records (never iterated by column).

    Raises ``TypeError`` for any other type, a bare string or a single dict included
    (``paths``: the caller also takes a file path, and the message says so).
    """
    if isinstance(X, str | bytes):
        raise _rejected(X, name, "; wrap a single text in a list: [text]", paths=paths)
    if isinstance(X, Mapping):
        raise _rejected(X, name, "; wrap a single record in a list: [record]", paths=paths)
    kind = _library_type(X)
    if kind == "pandas.DataFrame":
        columns = [str(c) for c in X.columns]
        _need_text_column(columns, "DataFrame")
        # NaN, None, pd.NA and NaT all mean a missing field
        frame = X.astype(object).where(X.notna(), None)
        frame.columns = columns
        return Rows(frame.to_dict("records"), X.index)
    if kind == "pandas.Series":
        return Rows(_list_of_one_kind(X.tolist(), X, name, paths), X.index)
    if kind == "pyarrow.Table":
        _need_text_column(list(X.column_names), "Arrow table")
        return Rows(X.to_pylist())
    if isinstance(X, np.ndarray) and X.ndim == 1:
        return Rows(_list_of_one_kind(X.tolist(), X, name, paths))
    if isinstance(X, list | tuple):
        return Rows(_list_of_one_kind(list(X), X, name, paths))
    raise _rejected(X, name, paths=paths)


def _list_of_one_kind(items: list[Any], X: Any, name: str, paths: bool) -> list[Any]:
    """``items`` when they are all texts or all records, else the TypeError."""
    if all(isinstance(x, str) for x in items):
        return items
    if all(isinstance(x, Record) for x in items) or all(isinstance(x, Mapping) for x in items):
        return items
    kinds = sorted({type(x).__name__ for x in items})
    raise _rejected(X, name, f" holding {', '.join(kinds)}", paths=paths)


def check_output(output: str, key: str = "output") -> str:
    """``output`` if it is one of :data:`OUTPUTS`."""
    if output not in OUTPUTS:
        from newsclf.errors import ConfigError

        raise ConfigError(
            f"must be one of {', '.join(map(repr, OUTPUTS))}, got {output!r}", key=key
        )
    return output


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("output='pandas' needs pandas: pip install 'newsclf[pandas]'") from exc
    return pandas


def score_column(task: str, label: str) -> str:
    """Name of the column holding ``label``'s probability for ``task``."""
    return f"{task}_score_{label}"


def result_frame(
    labels: Mapping[str, Sequence[str]],
    proba: Mapping[str, np.ndarray],
    index: Any = None,
    *,
    with_labels: bool = True,
    ids: Sequence[str] | None = None,
) -> Any:
    """Predictions as a pandas DataFrame: ``id`` (when given), then per task the predicted
    label (``topic``) and one probability column per label (``topic_score_economy``).

    ``index`` is the input frame's index, so results join back onto it.
    """
    pd = _pandas()
    columns: dict[str, Any] = {}
    if ids is not None:
        columns["id"] = list(ids)
    for task, p in proba.items():
        names = list(labels[task])
        if with_labels:
            columns[task] = (
                np.asarray(names, dtype=object)[p.argmax(axis=1)]
                if len(p)
                else np.asarray([], dtype=object)
            )
        for j, label in enumerate(names):
            columns[score_column(task, label)] = p[:, j]
    n = len(next(iter(proba.values()))) if proba else 0
    return pd.DataFrame(columns, index=index if index is not None else pd.RangeIndex(n))
