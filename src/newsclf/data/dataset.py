"""What every dataset loader returns, and the one data option they all read: ``encodings``.

It sits apart from :mod:`newsclf.data.loaders` (which imports every loader) so that each loader
can import it without an import cycle.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from newsclf.compat import OLD_ENCODING_KEYS
from newsclf.data._textfiles import check_encoding
from newsclf.data.records import Record, field_keys
from newsclf.errors import ConfigError

__all__ = ["Dataset", "config_encodings", "config_fields"]


@dataclass(frozen=True)
class Dataset:
    """Training records and, when the dataset has one, its own test records."""

    train: list[Record]
    test: list[Record] | None
    source: str


def config_fields(data: Mapping[str, Any]) -> dict[str, str] | None:
    """``data.fields``: the column each record field is read from (``{text: body, id: url}``),
    checked (an unknown field or an empty column is a :class:`ConfigError` naming the key)."""
    fields = data.get("fields")
    if fields is None:
        return None
    if not isinstance(fields, Mapping):
        raise ConfigError(
            f"must be a mapping of record field to column, got {fields!r}",
            key="data.fields",
            hint="e.g. data.fields={text:body,id:url}",
        )
    mapping = {str(k): v for k, v in fields.items() if v is not None}  # null: not mapped
    field_keys(mapping, key="data.fields")
    return mapping or None


def config_encodings(
    data: Mapping[str, Any], default: Sequence[str] = ("utf-8",)
) -> tuple[str, ...]:
    """``data.encodings``: codec names in the order to try them (a single name is one item).

    The one way a ``conf/data`` node names encodings: each unit a loader decodes (a line of a
    records file or stance table, a whole article file) is read with the first that fits. The
    old ``encoding`` / ``fallback_encoding`` keys raise a :class:`ConfigError` with the new
    spelling, rather than being silently ignored.
    """
    old = [key for key in OLD_ENCODING_KEYS if key in data]
    if old:
        names = [str(data[key]) for key in OLD_ENCODING_KEYS if data.get(key) is not None]
        raise ConfigError(
            f"is no longer an option, use data.encodings=[{','.join(names or ['utf-8'])}]",
            key=f"data.{old[0]}",
            hint="one ordered list names the encodings: each line or file is read with the "
            "first that fits",
        )
    value = data.get("encodings")
    if value is None:
        return tuple(default)
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, Sequence) or not names:
        raise ConfigError(
            f"must be a list of encoding names, got {value!r}",
            key="data.encodings",
            hint="e.g. data.encodings=[utf-8,latin-1]",
        )
    for name in names:
        if name is None:
            raise ConfigError("must be a list of encoding names, not null", key="data.encodings")
        check_encoding(name, "data.encodings")
    return tuple(names)
