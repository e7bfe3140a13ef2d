"""Reading records (JSON Lines or CSV) with errors that name the file and line.

A record is one article: ``text`` plus optional ``id``, ``title``, ``target``, ``topic``,
``stance``, ``lang`` and ``group`` (see DESIGN.md). Every record remembers the line it came from
so that later checks can point at it.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsclf.errors import DataError

__all__ = [
    "FIELDS",
    "FORMATS",
    "Record",
    "detect_format",
    "has_no_surrogates",
    "read_entries",
    "read_records",
    "records_from_dicts",
]

FIELDS = ("id", "text", "title", "target", "topic", "stance", "lang", "group")
FORMATS = ("jsonl", "csv", "tsv")
_SUFFIXES = {".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "jsonl", ".csv": "csv", ".tsv": "tsv"}
# lone surrogates: undecodable bytes (surrogateescape) or "\ud800"-style escapes in JSON; no
# encoder can write them back out, so they are refused where they come in
_SURROGATE = re.compile("[\ud800-\udfff]")
_UNDECODED = re.compile("[\udc80-\udcff]")
_STR_OR_NONE = frozenset({str, type(None)})


@dataclass(frozen=True, slots=True)
class Record:
    """One article. ``line`` is its 1-based line in ``source`` (for error messages)."""

    text: Any
    id: str
    line: int
    source: str = "<memory>"
    title: str | None = None
    target: str | None = None
    topic: str | None = None
    stance: str | None = None
    lang: str | None = None
    group: str | None = None

    def label(self, task: str) -> str | None:
        return getattr(self, task)


def detect_format(path: Path, fmt: str = "auto") -> str:
    """``jsonl``, ``csv`` or ``tsv`` from ``fmt`` or else from the file suffix."""
    if fmt != "auto":
        if fmt not in FORMATS:
            raise DataError(
                f"unknown format {fmt!r}", path=path, hint=f"use one of: auto, {', '.join(FORMATS)}"
            )
        return fmt
    suffix = path.suffix.lower()
    if suffix not in _SUFFIXES:
        raise DataError(
            f"cannot tell the format from the suffix {suffix!r}",
            path=path,
            hint="name the file .jsonl or .csv, or pass the format (data.format=jsonl|csv|tsv)",
        )
    return _SUFFIXES[suffix]


def _decode(raw: bytes, path: Path, encoding: str) -> str:
    """Undecodable bytes become lone surrogates, reported per line by :func:`_bad_bytes`."""
    try:
        text = raw.decode(encoding, errors="surrogateescape")
    except LookupError:
        raise DataError(f"unknown encoding {encoding!r}", path=path) from None
    return text.removeprefix("\ufeff")


def has_no_surrogates(value: str) -> bool:
    """True when ``value`` holds no lone surrogate, so it can be written out as UTF-8.

    A fast test at C speed; callers that hold plain strings (the Python API) use it to skip
    the per-field scans that :class:`Record` reading does.
    """
    if value.isascii():
        return True
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _bad_bytes(value: str, encoding: str, path: Path | str, line: int, field: str | None) -> None:
    if has_no_surrogates(value):
        return
    found = _UNDECODED.search(value)
    if found:
        start = found.start()
        raw = value[start : start + 4].encode(encoding, errors="surrogateescape")
        raise DataError(
            f"bytes that are not valid {encoding} ({raw!r})",
            path=path,
            line=line,
            field=field,
            hint="convert the file to UTF-8, or pass its encoding "
            "(data.encoding=latin-1 for training, --encoding latin-1 for predict/evaluate)",
        )


def _clean(value: Any) -> Any:
    """Empty CSV cells, JSON nulls and NaN floats all mean 'missing'."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, str) and (not value or value.isspace()):  # isspace: no copy of a text
        return value if value else None
    return value


def _field(row: dict[str, Any], name: str, path: Path | str, line: int) -> str | None:
    value = _clean(row.get(name))
    if value is None or (isinstance(value, str) and value.isspace()):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise DataError(
            f"must be a string, got {type(value).__name__}", path=path, line=line, field=name
        )
    return str(value)


def _record(
    row: dict[str, Any],
    path: Path | str,
    line: int,
    encoding: str = "utf-8",
    check_fields: bool = True,
) -> Record:
    """``check_fields=False``: the caller knows no value can hold a surrogate (a JSON line with
    no undecodable bytes and no ``\\u`` escape), which skips two scans per field."""
    for name in FIELDS if check_fields else ():
        value = row.get(name)
        if not isinstance(value, str) or has_no_surrogates(value):
            continue
        _bad_bytes(value, encoding, path, line, name)
        found = _SURROGATE.search(value)
        if found:
            raise DataError(
                f"an unpaired surrogate (\\u{ord(found.group()):04x}) cannot be written as text",
                path=path,
                line=line,
                field=name,
                hint="fix the \\ud800-style escape in the JSON",
            )
    values = list(map(row.get, FIELDS))
    if _STR_OR_NONE.issuperset(map(type, values)):  # the common case, without a call per field
        rid, _, *rest = [v if v and not v.isspace() else None for v in values]
        return Record(
            values[1] or None,  # a whitespace-only text stays (check_record names it)
            rid if rid is not None else str(line),
            line,
            str(path),
            *rest,
        )
    text = _clean(row.get("text"))
    if text is not None and not isinstance(text, str):
        raise DataError(
            f"must be a string, got {type(text).__name__}", path=path, line=line, field="text"
        )
    rid = _field(row, "id", path, line)
    fields = {name: _field(row, name, path, line) for name in FIELDS[2:]}
    return Record(
        text=text, id=rid if rid is not None else str(line), line=line, source=str(path), **fields
    )


def _jsonl_line(line: str, path: Path, number: int, encoding: str) -> Record:
    _bad_bytes(line, encoding, path, number, None)
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DataError(
            f"malformed JSON ({exc.msg} at column {exc.colno})",
            path=path,
            line=number,
            hint='each line must be one JSON object, e.g. {"text": "...", "topic": "..."}',
        ) from None
    except RecursionError:
        raise DataError("JSON nested too deeply", path=path, line=number) from None
    if not isinstance(row, dict):
        raise DataError(f"expected a JSON object, got {type(row).__name__}", path=path, line=number)
    return _record(row, path, number, encoding, check_fields="\\u" in line)


def _jsonl(text: str, path: Path, collect: bool, encoding: str) -> list[Record | DataError]:
    entries: list[Record | DataError] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip(" \t\r"):  # JSON whitespace only; anything else is a record
            continue
        try:
            entries.append(_jsonl_line(line, path, number, encoding))
        except DataError as exc:
            if not collect:
                raise
            entries.append(exc)
    return entries


def _csv_row(
    row: dict[str | None, Any], fieldnames: Sequence[str], path: Path, line: int, encoding: str
) -> Record | None:
    if None in row:
        raise DataError(
            f"row has {len(fieldnames) + len(row[None])} cells but the header "
            f"has {len(fieldnames)}",
            path=path,
            line=line,
            hint="quote cells that contain the delimiter",
        )
    if all(v is None for v in row.values()):
        return None
    return _record(row, path, line, encoding)  # type: ignore[arg-type]


def _csv(
    text: str, path: Path, delimiter: str, collect: bool, encoding: str
) -> list[Record | DataError]:
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    entries: list[Record | DataError] = []
    try:
        fieldnames = reader.fieldnames
    except csv.Error as exc:
        raise DataError(f"malformed CSV header ({exc})", path=path, line=1) from None
    if fieldnames is None:
        return entries
    while True:
        first_line = reader.line_num + 1  # line_num is not advanced when a record fails
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            error = DataError(
                f"malformed CSV in the record starting here ({exc})",
                path=path,
                line=first_line,
                hint="check the quoting: a cell with a quote, delimiter or newline must be quoted "
                'and its quotes doubled ("")',
            )
            if not collect:
                raise error from None
            entries.append(error)
            continue
        # line_num is the row's last physical line; quoted newlines span more than one
        start = reader.line_num - sum(v.count("\n") for v in row.values() if isinstance(v, str))
        try:
            record = _csv_row(row, fieldnames, path, start, encoding)
        except DataError as exc:
            if not collect:
                raise
            entries.append(exc)
            continue
        if record is not None:
            entries.append(record)
    return entries


def read_records(path: str | Path, *, encoding: str = "utf-8", fmt: str = "auto") -> list[Record]:
    """All records of a JSONL/CSV/TSV file, in file order; the first bad line raises."""
    return _read(path, encoding, fmt, collect=False)  # type: ignore[return-value]


def read_entries(
    path: str | Path, *, encoding: str = "utf-8", fmt: str = "auto"
) -> list[Record | DataError]:
    """Like :func:`read_records`, but a bad line yields its :class:`DataError` in its place.

    For ``--on-error=record``: the caller reports each error where the record would have been,
    so no input line is silently dropped. Problems with the file as a whole still raise.
    """
    return _read(path, encoding, fmt, collect=True)


def _read(path: str | Path, encoding: str, fmt: str, collect: bool) -> list[Record | DataError]:
    path = Path(path).expanduser()
    if not path.exists():
        raise DataError(
            "file not found",
            path=path.absolute(),
            hint="check the path (relative paths start from the directory you run newsclf in)",
        )
    if path.is_dir():
        raise DataError("is a directory, expected a JSONL or CSV file", path=path)
    kind = detect_format(path, fmt)
    text = _decode(path.read_bytes(), path, encoding)
    if kind == "jsonl":
        return _jsonl(text, path, collect, encoding)
    return _csv(text, path, "," if kind == "csv" else "\t", collect, encoding)


def records_from_dicts(rows: list[dict[str, Any]], source: str = "<memory>") -> list[Record]:
    """Records from in-memory dicts (the Python API), numbered from 1."""
    return [_record(row, source, i) for i, row in enumerate(rows, start=1)]


# --- chunked reading (TEMPORARY lead shim: replaced by the data helper's reader) -------------


@dataclass(frozen=True)
class RawChunk:
    kind: str
    path: str
    encoding: str
    items: list
    bytes_read: int


def iter_raw_chunks(path, *, fmt="auto", encoding="utf-8", chunk_size=10_000):
    import csv
    import io

    path = Path(path)
    kind = detect_format(path, fmt)
    with path.open("rb") as fh:
        if kind == "jsonl":
            items = []
            for number, raw in enumerate(fh, start=1):
                if number == 1:
                    raw = raw.removeprefix(b"\xef\xbb\xbf")
                items.append((number, raw))
                if len(items) >= chunk_size:
                    yield RawChunk(kind, str(path), encoding, items, fh.tell())
                    items = []
            if items:
                yield RawChunk(kind, str(path), encoding, items, fh.tell())
            return
        text = io.TextIOWrapper(fh, encoding=encoding, errors="surrogateescape", newline="")
        reader = csv.DictReader(text, delimiter="," if kind == "csv" else "\t", strict=True)
        rows = []
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise DataError(f"malformed CSV ({exc})", path=path, line=reader.line_num) from None
            if None in row:
                raise DataError(
                    f"row has more cells than the header ({len(reader.fieldnames or [])})",
                    path=path,
                    line=reader.line_num,
                    hint="quote cells that contain the delimiter",
                )
            if all(v is None or v == "" for v in row.values()):
                continue
            rows.append((reader.line_num, row))
            if len(rows) >= chunk_size:
                yield RawChunk(kind, str(path), encoding, rows, fh.tell())
                rows = []
        if rows:
            yield RawChunk(kind, str(path), encoding, rows, fh.tell())


def parse_chunk(chunk):
    records = []
    where = Path(chunk.path)
    for number, raw in chunk.items:
        if chunk.kind == "jsonl":
            line = raw.decode(chunk.encoding, errors="surrogateescape").rstrip("\r\n")
            if not line.strip(" \t\r"):
                continue
            records.append(_jsonl_line(line, where, number, chunk.encoding))
        else:
            records.append(_record(raw, chunk.path, number, chunk.encoding))
    return records
