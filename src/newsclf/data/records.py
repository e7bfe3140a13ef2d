"""Reading records (JSON Lines, CSV/TSV, their ``.gz`` forms, Parquet) with errors that name
the file, the line (a Parquet file: the row) and the field.

A record is one article: ``text`` plus optional ``id``, ``title``, ``target``, ``topic``,
``stance``, ``lang`` and ``group`` (see DESIGN.md). Every record remembers the line it came from
so that later checks can point at it. A corpus with other column names is read through a
field mapping (``fields={"text": "body", "id": "url"}``: see :func:`field_keys`), so it need
not be rewritten; errors then name the file's column.

:func:`read_records` / :func:`read_entries` read whole files (or a binary stream such as
stdin); :func:`iter_chunks` + :func:`parse_chunk` read them in chunks for streaming (training,
and prediction over sharded archives, where one input file is one shard). Both go through the
same row iterator per format, so they skip, number and report alike. Several inputs, a
directory or a glob are expanded by :func:`expand_inputs`.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import gzip
import io
import itertools
import json
import math
import re
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from newsclf.errors import ConfigError, DataError

__all__ = [
    "FIELDS",
    "FORMATS",
    "RawChunk",
    "RawRow",
    "Record",
    "detect_format",
    "expand_inputs",
    "field_keys",
    "format_suffix",
    "has_no_surrogates",
    "iter_chunks",
    "names_several",
    "parse_chunk",
    "read_entries",
    "read_records",
    "records_from_dicts",
]

FIELDS = ("id", "text", "title", "target", "topic", "stance", "lang", "group")
FORMATS = ("jsonl", "csv", "tsv", "parquet")
_SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".pq": "parquet",
}
#: a gzip stream starts with these bytes (whatever the file is called)
_GZIP_MAGIC = b"\x1f\x8b"
#: rows a Parquet reader decodes at a time when the caller gives no chunk size
_PARQUET_BATCH = 4096
_GLOB_CHARS = frozenset("*?[")
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
    """``jsonl``, ``csv``, ``tsv`` or ``parquet`` from ``fmt`` or else from the file suffix
    (a ``.gz`` suffix is looked through: ``part-1.jsonl.gz`` is JSONL, read through gzip)."""
    if fmt != "auto":
        if fmt not in FORMATS:
            raise DataError(
                f"unknown format {fmt!r}", path=path, hint=f"use one of: auto, {', '.join(FORMATS)}"
            )
        return fmt
    suffix = format_suffix(path)
    if suffix not in _SUFFIXES:
        raise DataError(
            f"cannot tell the format from the suffix {suffix!r}",
            path=path,
            hint="name the file .jsonl, .csv, .tsv (each also .gz) or .parquet, or pass the "
            "format (data.format=jsonl|csv|tsv|parquet)",
        )
    return _SUFFIXES[suffix]


def format_suffix(path: Path) -> str:
    """The format suffix of ``path``, behind a ``.gz`` (``a.jsonl.gz`` -> ``.jsonl``)."""
    name = path.name.lower().removesuffix(".gz")
    return Path(name).suffix


def _is_input_file(path: Path) -> bool:
    """A records file a directory input picks up: a known suffix, not hidden (temp files, the
    shard manifest)."""
    return path.is_file() and not path.name.startswith(".") and format_suffix(path) in _SUFFIXES


def expand_inputs(inputs: str | Path | Sequence[str | Path]) -> list[Path]:
    """The records files that ``inputs`` name, in order, each once.

    Each input is a file, a directory (its records files by name: known suffixes, hidden files
    left out, not recursive) or a glob (``shards/part-*.jsonl.gz``, ``**`` recursive; matches
    by name). A missing file, an empty directory or a glob that matches nothing raises a
    :class:`DataError` naming it, so a typo cannot silently shrink a corpus.
    """
    items = [inputs] if isinstance(inputs, str | Path) else list(inputs)
    if not items:
        raise DataError("no input given", hint="name a records file, a directory or a glob")
    found: dict[Path, None] = {}
    for item in items:
        text = str(item)
        path = Path(text).expanduser()
        if path.is_dir():
            files = sorted(p for p in path.iterdir() if _is_input_file(p))
            if not files:
                raise DataError(
                    "directory holds no records files",
                    path=path,
                    hint="records files end in .jsonl, .csv, .tsv (each also .gz) or .parquet",
                )
        elif not path.exists() and _GLOB_CHARS.intersection(text):
            matches = sorted(glob.glob(str(path), recursive=True))
            files = [Path(m) for m in matches if Path(m).is_file()]
            if not files:
                raise DataError(
                    "the pattern matches no file",
                    path=text,
                    hint="check the pattern (quote it so the shell does not expand it first)",
                )
        elif not path.exists():
            raise DataError(
                "file not found",
                path=path.absolute(),
                hint="check the path (relative paths start from the directory you run newsclf in)",
            )
        else:
            files = [path]
        for file in files:
            found.setdefault(file, None)
    return list(found)


def field_keys(
    fields: Mapping[str, Any] | None = None, *, key: str = "data.fields"
) -> tuple[str, ...]:
    """The column each of :data:`FIELDS` is read from: ``fields`` maps a record field to a
    column of the input (``{"text": "body", "id": "url"}``); the others keep their names.

    ``key`` is what a :class:`ConfigError` about the mapping names (``data.fields``,
    ``--field``).
    """
    mapping = dict(fields or {})
    for name, column in mapping.items():
        if name not in FIELDS:
            raise ConfigError(
                f"unknown record field {name!r}",
                key=f"{key}.{name}" if key.startswith("data.") else key,
                hint=f"map one of {', '.join(FIELDS)} to a column, e.g. text=body",
            )
        if not isinstance(column, str) or not column:
            raise ConfigError(
                f"the column of {name!r} must be a non-empty name, got {column!r}",
                key=f"{key}.{name}" if key.startswith("data.") else key,
                hint="e.g. text=body",
            )
    return tuple(str(mapping.get(name, name)) for name in FIELDS)


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
    keys: tuple[str, ...] = FIELDS,
    id_prefix: str = "",
) -> Record:
    """``check_fields=False``: the caller knows no value can hold a surrogate (a JSON line with
    no undecodable bytes and no ``\\u`` escape), which skips two scans per field. ``keys``:
    the column of each of :data:`FIELDS` (errors name the column); ``id_prefix`` goes before
    the line number of a record without an id (several files read as one)."""
    for name in keys if check_fields else ():
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
    values = list(map(row.get, keys))
    if _STR_OR_NONE.issuperset(map(type, values)):  # the common case, without a call per field
        rid, _, *rest = [v if v and not v.isspace() else None for v in values]
        return Record(
            values[1] or None,  # a whitespace-only text stays (check_record names it)
            rid if rid is not None else id_prefix + str(line),
            line,
            str(path),
            *rest,
        )
    text = _clean(row.get(keys[1]))
    if text is not None and not isinstance(text, str):
        raise DataError(
            f"must be a string, got {type(text).__name__}", path=path, line=line, field=keys[1]
        )
    rid = _field(row, keys[0], path, line)
    fields = {
        name: _field(row, column, path, line)
        for name, column in zip(FIELDS[2:], keys[2:], strict=True)
    }
    return Record(
        text=text,
        id=rid if rid is not None else id_prefix + str(line),
        line=line,
        source=str(path),
        **fields,
    )


def _jsonl_line(
    line: str,
    path: Path | str,
    number: int,
    encodings: tuple[str, ...],
    keys: tuple[str, ...] = FIELDS,
    id_prefix: str = "",
) -> Record:
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
    return _record(row, path, number, encodings, "\\u" in line, keys, id_prefix)


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


def _parquet_rows(
    stream: BinaryIO, source: str, keys: tuple[str, ...], batch_size: int
) -> Generator[RawRow, None, None]:
    """The rows of a Parquet file as dicts of the columns ``keys`` names (others are not
    read), numbered from 1, decoded one record batch at a time (never the whole file)."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise DataError(
            "reading Parquet needs pyarrow",
            path=source,
            hint='pip install "newsclf[parquet]"',
        ) from None
    import pyarrow as pa

    try:
        # buffered column reads, no whole-row-group prefetch: memory is one batch and a buffer,
        # not a row group (a writer's default row group can hold a million articles)
        parquet = pq.ParquetFile(stream, buffer_size=1 << 23, pre_buffer=False)
    except (pa.ArrowException, OSError) as exc:
        raise DataError(
            f"not a readable Parquet file ({exc})", path=source, hint="check the file"
        ) from None
    names = set(parquet.schema_arrow.names)
    columns = [c for c in dict.fromkeys(keys) if c in names]
    number = 0
    try:
        batches = parquet.iter_batches(batch_size=batch_size, columns=columns)
        for batch in batches:
            for row in batch.to_pylist():
                number += 1
                yield number, row
    except (pa.ArrowException, OSError) as exc:
        raise DataError(
            f"unreadable Parquet data after row {number} ({exc})", path=source, line=number + 1
        ) from None
    finally:
        parquet.close()


def _rows(
    stream: BinaryIO,
    kind: str,
    encodings: tuple[str, ...],
    source: str,
    keys: tuple[str, ...] = FIELDS,
    batch_size: int = _PARQUET_BATCH,
) -> Generator[RawRow, None, None]:
    if kind == "jsonl":
        return _jsonl_rows(stream, encodings)
    if kind == "parquet":
        return _parquet_rows(stream, source, keys, batch_size)
    return _csv_rows(stream, encodings, "," if kind == "csv" else "\t", source)


def _entries(
    rows: Iterable[RawRow],
    source: str,
    encodings: tuple[str, ...],
    collect: bool,
    keys: tuple[str, ...] = FIELDS,
    id_prefix: str = "",
) -> list[Record | DataError]:
    """Parse raw rows in order; an error raises, or with ``collect`` takes the row's place."""
    entries: list[Record | DataError] = []
    for number, row in rows:
        try:
            if isinstance(row, DataError):
                raise row
            if isinstance(row, str):
                entries.append(_jsonl_line(row, source, number, encodings, keys, id_prefix))
            else:
                entries.append(_record(row, source, number, encodings, True, keys, id_prefix))
        except DataError as exc:
            if not collect:
                raise exc from None
            entries.append(exc)
    return entries


def _gunzipped(stream: BinaryIO) -> BinaryIO:
    """``stream`` itself, or read through gzip when it starts with the gzip magic bytes."""
    peek = getattr(stream, "peek", None)
    head = peek(2)[:2] if peek is not None else b""
    if head == _GZIP_MAGIC:
        return gzip.GzipFile(fileobj=stream, mode="rb")  # type: ignore[return-value]
    return stream


@contextlib.contextmanager
def _open(
    path: str | Path | BinaryIO, source: str | None, fmt: str
) -> Iterator[tuple[BinaryIO, str, str, BinaryIO]]:
    """``(binary stream, source name, format, raw stream)`` for a file path or an open binary
    stream; a gzip file (``.gz``, or gzip bytes) is decompressed on the fly, and the raw stream
    is the file itself (its position: compressed bytes read, for progress)."""
    if not isinstance(path, str | Path):
        name = source or str(getattr(path, "name", "<stream>"))
        if fmt == "auto":
            raise DataError(
                "cannot tell the format of a stream", path=name, hint="pass fmt=jsonl|csv|tsv"
            )
        kind = detect_format(Path(name), fmt)
        yield (path if kind == "parquet" else _gunzipped(path)), name, kind, path
        return
    file = Path(path).expanduser()
    if not file.exists():
        raise DataError(
            "file not found",
            path=file.absolute(),
            hint="check the path (relative paths start from the directory you run newsclf in)",
        )
    if file.is_dir():
        raise DataError("is a directory, expected a records file", path=file)
    kind = detect_format(file, fmt)
    with file.open("rb") as raw:
        stream = raw if kind == "parquet" else _gunzipped(raw)
        try:
            yield stream, source or str(file), kind, raw
        finally:
            if stream is not raw:
                stream.close()


def _several(path: Any) -> bool:
    """Whether ``path`` names several inputs (a list, a directory or a glob), not one file."""
    if isinstance(path, str | Path):
        return names_several(path)
    return isinstance(path, Sequence)


def names_several(path: str | Path) -> bool:
    """Whether one input argument names several files: a directory or a glob (a name with
    ``*?[`` that is not itself an existing file)."""
    text = str(path)
    file = Path(text).expanduser()
    return file.is_dir() or (not file.exists() and bool(_GLOB_CHARS.intersection(text)))


def read_records(
    path: str | Path | BinaryIO | Sequence[str | Path],
    *,
    encoding: str | Sequence[str] = "utf-8",
    fmt: str = "auto",
    source: str | None = None,
    fields: Mapping[str, str] | None = None,
) -> list[Record]:
    """All records of a JSONL/CSV/TSV (also ``.gz``) or Parquet file, in file order; the first
    bad line raises.

    ``path`` may also be several files, a directory or a glob (read one after the other; a
    record without an id gets ``FILE:LINE``), or an open binary stream (``sys.stdin.buffer``;
    then pass ``fmt``), and ``source`` the name that errors and ``Record.source`` give it
    (e.g. ``"<stdin>"``). ``encoding`` is one codec name, or several tried in order for a line
    that does not fit the first. ``fields`` maps record fields to the input's columns
    (:func:`field_keys`). A blank line, and a CSV row whose cells are all empty, is skipped.
    """
    return _read(path, encoding, fmt, source, False, fields)  # type: ignore[return-value]


def read_entries(
    path: str | Path | BinaryIO | Sequence[str | Path],
    *,
    encoding: str | Sequence[str] = "utf-8",
    fmt: str = "auto",
    source: str | None = None,
    fields: Mapping[str, str] | None = None,
) -> list[Record | DataError]:
    """Like :func:`read_records`, but a bad line yields its :class:`DataError` in its place.

    For ``--on-error=record``: the caller reports each error where the record would have been,
    so no input line is silently dropped. Problems with the file as a whole still raise.
    """
    return _read(path, encoding, fmt, source, True, fields)


def _read(
    path: str | Path | BinaryIO | Sequence[str | Path],
    encoding: str | Sequence[str],
    fmt: str,
    source: str | None,
    collect: bool,
    fields: Mapping[str, str] | None,
) -> list[Record | DataError]:
    keys = field_keys(fields)
    if _several(path):
        files = expand_inputs(path)  # type: ignore[arg-type]
        prefix = len(files) > 1
        entries: list[Record | DataError] = []
        for file in files:
            entries += _read_one(file, encoding, fmt, None, collect, keys, prefix)
        return entries
    return _read_one(path, encoding, fmt, source, collect, keys, False)  # type: ignore[arg-type]


def _read_one(
    path: str | Path | BinaryIO,
    encoding: str | Sequence[str],
    fmt: str,
    source: str | None,
    collect: bool,
    keys: tuple[str, ...],
    prefix: bool,
) -> list[Record | DataError]:
    with _open(path, source, fmt) as (stream, name, kind, _):
        encodings = _encodings(encoding, name)
        id_prefix = f"{Path(name).name}:" if prefix else ""
        with contextlib.closing(_rows(stream, kind, encodings, name, keys)) as rows:
            return _entries(rows, name, encodings, collect, keys, id_prefix)


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
    keys: tuple[str, ...] = FIELDS  #: the column of each of :data:`FIELDS` (a field mapping)
    id_prefix: str = ""  #: before the line number of a record without an id

    @property
    def first_line(self) -> int:
        """Line of the chunk's first row (0 for an empty chunk)."""
        return self.rows[0][0] if self.rows else 0


def iter_chunks(
    path: str | Path | BinaryIO | Sequence[str | Path],
    *,
    fmt: str = "auto",
    encoding: str | Sequence[str] = "utf-8",
    chunk_size: int = 10_000,
    source: str | None = None,
    fields: Mapping[str, str] | None = None,
) -> Iterator[RawChunk]:
    """The rows of a records file in chunks of ``chunk_size`` (the last may be smaller).

    The same rows, line numbers and errors as :func:`read_records`: ``[r for c in
    iter_chunks(p) for r in parse_chunk(c)] == read_records(p)``, also for several files, a
    directory or a glob (a chunk never spans two files). Problems with the file as a whole
    (missing, unknown format or encoding, unreadable CSV header) raise here; problems with a
    row raise when its chunk is parsed, so they surface in file order. A Parquet file is
    decoded one record batch of ``chunk_size`` rows at a time.
    """
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer, got {chunk_size!r}")
    keys = field_keys(fields)
    if _several(path):
        files = expand_inputs(path)  # type: ignore[arg-type]
        for file in files:
            yield from _iter_one(file, fmt, encoding, chunk_size, None, keys, len(files) > 1)
        return
    yield from _iter_one(path, fmt, encoding, chunk_size, source, keys, False)  # type: ignore[arg-type]


def _iter_one(
    path: str | Path | BinaryIO,
    fmt: str,
    encoding: str | Sequence[str],
    chunk_size: int,
    source: str | None,
    keys: tuple[str, ...],
    prefix: bool,
) -> Iterator[RawChunk]:
    with _open(path, source, fmt) as (stream, name, kind, raw):
        encodings = _encodings(encoding, name)
        id_prefix = f"{Path(name).name}:" if prefix else ""
        with contextlib.closing(_rows(stream, kind, encodings, name, keys, chunk_size)) as rows:
            while batch := list(itertools.islice(rows, chunk_size)):
                yield RawChunk(name, encodings, batch, _tell(raw), keys, id_prefix)


def _tell(stream: BinaryIO) -> int:
    try:
        return stream.tell()
    except (OSError, ValueError):  # a pipe
        return 0


def parse_chunk(chunk: RawChunk, *, collect: bool = False) -> list[Record | DataError]:
    """The records of one chunk; the first bad row raises its :class:`DataError`, or with
    ``collect`` (``--on-error=record``) takes the row's place."""
    return _entries(chunk.rows, chunk.source, chunk.encodings, collect, chunk.keys, chunk.id_prefix)
