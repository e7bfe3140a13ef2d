"""Reading records (JSON Lines or CSV) with errors that name the file and line.

A record is one article: ``text`` plus optional ``id``, ``title``, ``target``, ``topic``,
``stance``, ``lang`` and ``group`` (see DESIGN.md). Every record remembers the line it came from
so that later checks can point at it.

:func:`read_records` / :func:`read_entries` read a whole file (or a binary stream such as
stdin); :func:`iter_chunks` + :func:`parse_chunk` read it in chunks for the streaming trainer.
Both go through the same row iterator per format, so they skip, number and report alike.
"""

from __future__ import annotations

import contextlib
import csv
import io
import itertools
import json
import math
import re
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from newsclf.errors import DataError

__all__ = [
    "FIELDS",
    "FORMATS",
    "RawChunk",
    "RawRow",
    "Record",
    "detect_format",
    "has_no_surrogates",
    "iter_chunks",
    "parse_chunk",
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


def _bad_bytes(
    value: str, encodings: tuple[str, ...], path: Path | str, line: int, field: str | None
) -> None:
    if has_no_surrogates(value):
        return
    found = _UNDECODED.search(value)
    if found:
        start = found.start()
        raw = value[start : start + 4].encode(encodings[0], errors="surrogateescape")
        names = " or ".join(encodings)
        raise DataError(
            f"bytes that are not valid {names} ({raw!r})",
            path=path,
            line=line,
            field=field,
            hint="convert the file to UTF-8, or pass its encoding (data.encodings=[utf-8,latin-1] "
            "for training, --encoding latin-1 for predict/evaluate)",
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
    encodings: tuple[str, ...] = ("utf-8",),
    check_fields: bool = True,
) -> Record:
    """``check_fields=False``: the caller knows no value can hold a surrogate (a JSON line with
    no undecodable bytes and no ``\\u`` escape), which skips two scans per field."""
    for name in FIELDS if check_fields else ():
        value = row.get(name)
        if not isinstance(value, str) or has_no_surrogates(value):
            continue
        _bad_bytes(value, encodings, path, line, name)
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


def _jsonl_line(line: str, path: Path | str, number: int, encodings: tuple[str, ...]) -> Record:
    _bad_bytes(line, encodings, path, number, None)
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
    return _record(row, path, number, encodings, check_fields="\\u" in line)


# --- one row iterator per format, shared by the whole-file and the chunked reader -------------
#
# Reading is two steps so that a streaming trainer can do the second in worker processes:
# _rows() turns the byte stream into (line, row) items in file order (it must run in one
# process: a CSV record can span lines), and _entries() parses items into Records. The
# whole-file reader chains the two; the chunked reader ships lists of items between them.
# Either way every row goes through the same code, so the two cannot disagree.

#: a row that is not parsed yet: a JSONL line (str), a CSV row (dict) or the error it raised
RawRow = tuple[int, "str | dict[str, str | None] | DataError"]

_CSV_HINT = (
    "check the quoting: a cell with a quote, delimiter or newline must be quoted and its quotes "
    'doubled ("")'
)


def _encodings(encoding: str | Sequence[str], source: str) -> tuple[str, ...]:
    names = (encoding,) if isinstance(encoding, str) else tuple(encoding)
    if not names:
        raise DataError("needs at least one encoding", path=source)
    for name in names:
        try:
            "".encode(name)  # LookupError for unknown names and for bytes codecs (base64)
        except (LookupError, TypeError):
            raise DataError(
                f"unknown encoding {name!r}", path=source, hint="e.g. utf-8, latin-1, cp1250"
            ) from None
    return names


def _refit(line: str, encodings: tuple[str, ...]) -> str:
    """``line`` (decoded with ``encodings[0]``, bad bytes escaped) from the first that fits."""
    raw = line.encode(encodings[0], errors="surrogateescape")
    for name in encodings[1:]:
        try:
            return raw.decode(name)
        except UnicodeDecodeError:
            continue
    return line  # still escaped: the parse step names the line and the bytes


def _lines(stream: BinaryIO, encodings: tuple[str, ...], newline: str) -> Iterator[str]:
    """Decoded physical lines (line end kept), without the byte-order mark.

    Undecodable bytes become lone surrogates (``surrogateescape``) so that the parse step can
    report them at their record's line; with more than one encoding, such a line is decoded
    with the first of the others that fits.
    """
    text = io.TextIOWrapper(
        stream, encoding=encodings[0], errors="surrogateescape", newline=newline
    )
    try:
        first = text.readline()
        if not first:
            return
        lines: Iterable[str] = itertools.chain((first.removeprefix("\ufeff"),), text)
        if len(encodings) == 1:
            yield from lines
            return
        for line in lines:
            yield line if has_no_surrogates(line) else _refit(line, encodings)
    finally:
        with contextlib.suppress(ValueError):  # already closed by the caller
            text.detach()  # the caller owns (and closes) the stream


def _jsonl_rows(stream: BinaryIO, encodings: tuple[str, ...]) -> Generator[RawRow, None, None]:
    # JSON Lines end at "\n" only: a lone "\r" (or U+2028) is inside a line
    for number, raw in enumerate(_lines(stream, encodings, "\n"), start=1):
        line = raw.removesuffix("\n").rstrip("\r")
        if line.strip(" \t\r"):  # JSON whitespace only is a blank line: skipped
            yield number, line


def _csv_rows(
    stream: BinaryIO, encodings: tuple[str, ...], delimiter: str, source: str
) -> Generator[RawRow, None, None]:
    reader = csv.reader(_lines(stream, encodings, ""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise DataError(f"malformed CSV header ({exc})", path=source, line=1) from None
    if header is None:
        return
    width = len(header)
    while True:
        start = reader.line_num + 1  # a record can span lines: errors name its first one
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = f"malformed CSV in the record starting here ({exc})"
            yield start, DataError(message, path=source, line=start, hint=_CSV_HINT)
            continue
        if all(not cell for cell in cells):  # a blank line or a row of empty cells: skipped
            continue
        if len(cells) > width:
            yield (
                start,
                DataError(
                    f"row has {len(cells)} cells but the header has {width}",
                    path=source,
                    line=start,
                    hint="quote cells that contain the delimiter",
                ),
            )
            continue
        row: dict[str, str | None] = dict.fromkeys(header)
        row.update(zip(header, cells, strict=False))
        yield start, row


def _rows(
    stream: BinaryIO, kind: str, encodings: tuple[str, ...], source: str
) -> Generator[RawRow, None, None]:
    if kind == "jsonl":
        return _jsonl_rows(stream, encodings)
    return _csv_rows(stream, encodings, "," if kind == "csv" else "\t", source)


def _entries(
    rows: Iterable[RawRow], source: str, encodings: tuple[str, ...], collect: bool
) -> list[Record | DataError]:
    """Parse raw rows in order; an error raises, or with ``collect`` takes the row's place."""
    entries: list[Record | DataError] = []
    for number, row in rows:
        try:
            if isinstance(row, DataError):
                raise row
            if isinstance(row, str):
                entries.append(_jsonl_line(row, source, number, encodings))
            else:
                entries.append(_record(row, source, number, encodings))
        except DataError as exc:
            if not collect:
                raise exc from None
            entries.append(exc)
    return entries


@contextlib.contextmanager
def _open(
    path: str | Path | BinaryIO, source: str | None, fmt: str
) -> Iterator[tuple[BinaryIO, str, str]]:
    """``(binary stream, source name, format)`` for a file path or an open binary stream."""
    if not isinstance(path, str | Path):
        name = source or str(getattr(path, "name", "<stream>"))
        if fmt == "auto":
            raise DataError(
                "cannot tell the format of a stream", path=name, hint="pass fmt=jsonl|csv|tsv"
            )
        yield path, name, detect_format(Path(name), fmt)
        return
    file = Path(path).expanduser()
    if not file.exists():
        raise DataError(
            "file not found",
            path=file.absolute(),
            hint="check the path (relative paths start from the directory you run newsclf in)",
        )
    if file.is_dir():
        raise DataError("is a directory, expected a JSONL or CSV file", path=file)
    kind = detect_format(file, fmt)
    with file.open("rb") as stream:
        yield stream, source or str(file), kind


def read_records(
    path: str | Path | BinaryIO,
    *,
    encoding: str | Sequence[str] = "utf-8",
    fmt: str = "auto",
    source: str | None = None,
) -> list[Record]:
    """All records of a JSONL/CSV/TSV file, in file order; the first bad line raises.

    ``path`` may also be an open binary stream (``sys.stdin.buffer``; then pass ``fmt``), and
    ``source`` the name that errors and ``Record.source`` give it (e.g. ``"<stdin>"``).
    ``encoding`` is one codec name, or several tried in order for a line that does not fit
    the first. A blank line, and a CSV row whose cells are all empty, is skipped.
    """
    return _read(path, encoding, fmt, source, collect=False)  # type: ignore[return-value]


def read_entries(
    path: str | Path | BinaryIO,
    *,
    encoding: str | Sequence[str] = "utf-8",
    fmt: str = "auto",
    source: str | None = None,
) -> list[Record | DataError]:
    """Like :func:`read_records`, but a bad line yields its :class:`DataError` in its place.

    For ``--on-error=record``: the caller reports each error where the record would have been,
    so no input line is silently dropped. Problems with the file as a whole still raise.
    """
    return _read(path, encoding, fmt, source, collect=True)


def _read(
    path: str | Path | BinaryIO,
    encoding: str | Sequence[str],
    fmt: str,
    source: str | None,
    collect: bool,
) -> list[Record | DataError]:
    with _open(path, source, fmt) as (stream, name, kind):
        encodings = _encodings(encoding, name)
        with contextlib.closing(_rows(stream, kind, encodings, name)) as rows:
            return _entries(rows, name, encodings, collect)


def records_from_dicts(rows: list[dict[str, Any]], source: str = "<memory>") -> list[Record]:
    """Records from in-memory dicts (the Python API), numbered from 1."""
    return [_record(row, source, i) for i, row in enumerate(rows, start=1)]


# --- chunked reading (streaming) ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RawChunk:
    """Up to ``chunk_size`` rows of a file, read but not yet parsed.

    Small and picklable: the streaming trainer reads chunks in its main process (a CSV record
    can span lines, so splitting the file is sequential) and parses them in joblib workers with
    :func:`parse_chunk`, where the JSON decoding and field checks cost the time.
    """

    source: str  #: file name for errors and ``Record.source``
    encodings: tuple[str, ...]
    rows: list[RawRow]  #: ``(line, raw row)`` in file order, blank rows left out
    bytes_read: int  #: bytes of the file consumed so far (approximate: read-ahead), for progress

    @property
    def first_line(self) -> int:
        """Line of the chunk's first row (0 for an empty chunk)."""
        return self.rows[0][0] if self.rows else 0


def iter_chunks(
    path: str | Path | BinaryIO,
    *,
    fmt: str = "auto",
    encoding: str | Sequence[str] = "utf-8",
    chunk_size: int = 10_000,
    source: str | None = None,
) -> Iterator[RawChunk]:
    """The rows of a JSONL/CSV/TSV file in chunks of ``chunk_size`` (the last may be smaller).

    The same rows, line numbers and errors as :func:`read_records`: ``[r for c in
    iter_chunks(p) for r in parse_chunk(c)] == read_records(p)``. Problems with the file as a
    whole (missing, unknown format or encoding, unreadable CSV header) raise here; problems
    with a row raise when its chunk is parsed, so they surface in file order.
    """
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    with _open(path, source, fmt) as (stream, name, kind):
        encodings = _encodings(encoding, name)
        with contextlib.closing(_rows(stream, kind, encodings, name)) as rows:
            while batch := list(itertools.islice(rows, chunk_size)):
                yield RawChunk(name, encodings, batch, _tell(stream))


def _tell(stream: BinaryIO) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):  # a pipe
        return 0


def parse_chunk(chunk: RawChunk) -> list[Record]:
    """The records of one chunk; the first bad row raises its :class:`DataError`."""
    return _entries(chunk.rows, chunk.source, chunk.encodings, collect=False)  # type: ignore[return-value]
