"""Predicting one shard: read it in chunks, write one output row per input record, in order.

:func:`predict_shard` is the unit of work of ``newsclf predict`` over a sharded corpus, run in
this process or on a Dask worker: it holds one chunk of records at a time (memory does not
grow with the shard), writes the output to a temp file beside the target and renames it into
place only when the whole shard is done, so a killed run leaves either no output or a complete
one. The output depends only on the input, the model and the options (gzip without a time
stamp), so running a shard twice (a retry after a lost worker) writes the same bytes.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from newsclf.archive.shards import DEFAULT_CHUNK_SIZE, ShardJob, ShardResult
from newsclf.archive.source import ModelSource
from newsclf.classifier import NewsClassifier
from newsclf.data.records import Record, iter_chunks, parse_chunk
from newsclf.data.validate import check_record
from newsclf.errors import ConfigError, DataError
from newsclf.scoring import ON_ERROR, prediction_rows
from newsclf.utils.atomic import atomic_file
from newsclf.utils.coef_layout import column_major_coefs

__all__ = ["DEFAULT_CHUNK_SIZE", "predict_shard", "predict_stream"]


class _Writer(Protocol):
    def write(self, rows: list[dict[str, Any]]) -> None: ...


class _JsonlWriter:
    def __init__(self, fh: io.TextIOBase) -> None:
        self.fh = fh

    def write(self, rows: list[dict[str, Any]]) -> None:
        dumps = json.dumps
        self.fh.write("".join(dumps(row, ensure_ascii=False) + "\n" for row in rows))


class _ParquetWriter:
    """Rows to Parquet with a schema fixed by the model's tasks and labels, so every shard (and
    every chunk) has the same columns; ``<task>_scores`` is a struct of label -> score."""

    def __init__(self, raw: BinaryIO, clf: NewsClassifier, on_error: str) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        columns = [pa.field("id", pa.string())]
        if on_error == "record":
            columns += [
                pa.field("line", pa.int64()),
                pa.field("field", pa.string()),
                pa.field("error", pa.string()),
            ]
        for task in clf.tasks:
            scores = pa.struct([pa.field(label, pa.float64()) for label in clf.labels[task]])
            columns += [pa.field(task, pa.string()), pa.field(f"{task}_scores", scores)]
        self._pa = pa
        self.schema = pa.schema(columns)
        self._writer = pq.ParquetWriter(raw, self.schema, compression="zstd")

    def write(self, rows: list[dict[str, Any]]) -> None:
        table = self._pa.Table.from_pylist(rows, schema=self.schema)
        self._writer.write_table(table)

    def close(self) -> None:
        self._writer.close()


def _parquet_extra() -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise ConfigError(
            "Parquet output needs pyarrow",
            key="--output-format",
            hint='pip install "newsclf[parquet]", or use --output-format jsonl|jsonl.gz',
        ) from None


@contextlib.contextmanager
def _writer(raw: BinaryIO, fmt: str, clf: NewsClassifier, on_error: str) -> Iterator[_Writer]:
    """A writer of ``fmt`` into ``raw`` (an open temp file that becomes the shard's output)."""
    if fmt == "parquet":
        _parquet_extra()
        writer = _ParquetWriter(raw, clf, on_error)
        try:
            yield writer
        finally:
            writer.close()
        return
    # mtime=0 and no file name in the header: the same rows give the same bytes
    gz = fmt.endswith(".gz")
    binary: Any = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") if gz else raw
    fh = io.TextIOWrapper(binary, encoding="utf-8", newline="\n")
    yield _JsonlWriter(fh)
    fh.flush()
    fh.detach()  # leaves ``binary`` open: closing it is ours
    if gz:
        binary.close()  # the gzip trailer; ``raw`` stays open
    raw.flush()
    os.fsync(raw.fileno())


def _check(
    entries: list[Record | DataError], tasks: Sequence[str], on_error: str
) -> tuple[list[Record | DataError], int]:
    """Each record checked for prediction; a problem raises, or takes the record's place."""
    errors = 0
    for i, entry in enumerate(entries):
        if not isinstance(entry, DataError):
            try:
                check_record(entry, tasks=tasks, labelled=False)
                continue
            except DataError as exc:
                exc.record_id = entry.id  # type: ignore[attr-defined]
                entry = exc
                entries[i] = exc
        if on_error == "stop":
            raise entry
        errors += 1
    return entries, errors


def predict_stream(
    model: NewsClassifier,
    source: str | Path | Any,
    write: Callable[[list[dict[str, Any]]], None],
    *,
    fields: Mapping[str, str] | None = None,
    on_error: str = "stop",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    encoding: str | Sequence[str] = "utf-8",
    fmt: str = "auto",
    name: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[int, int]:
    """Predict the records of ``source`` (a file or a binary stream) chunk by chunk, passing
    each chunk's output rows to ``write`` in input order; returns ``(records, errors)``.

    ``progress(records, bytes_read)`` is called after each chunk (bytes: of the file so far).
    """
    if on_error not in ON_ERROR:
        raise ConfigError(f"must be one of {', '.join(ON_ERROR)}, got {on_error!r}", key="on_error")
    collect = on_error == "record"
    column_major_coefs(m.pipeline for m in model.models.values())
    records = errors = 0
    chunks = iter_chunks(
        source, fmt=fmt, encoding=encoding, chunk_size=chunk_size, source=name, fields=fields
    )
    for chunk in chunks:
        entries, bad = _check(parse_chunk(chunk, collect=collect), model.tasks, on_error)
        write(prediction_rows(model, entries))
        records += len(entries)
        errors += bad
        if progress is not None:
            progress(len(entries), chunk.bytes_read)
    return records, errors


def _no_records(path: Path) -> DataError:
    return DataError("no records", path=path, hint="the input is empty or has only blank lines")


def predict_shard(
    model: NewsClassifier | ModelSource,
    job: ShardJob,
    *,
    fields: Mapping[str, str] | None = None,
    on_error: str = "stop",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    encoding: str | Sequence[str] = "utf-8",
    fmt: str = "auto",
    progress: Callable[[int, int], None] | None = None,
    require_records: bool = False,
) -> ShardResult:
    """Predict one shard into ``job.output`` (atomically; standard output when ``None``).

    A top-level function of picklable arguments, so a Dask worker can run it; idempotent: the
    same job writes the same file. An input with no records at all writes an empty output
    (a shard of an archive may be empty) and is counted as 0 records, unless
    ``require_records`` (a single input file): then it raises before anything is renamed into
    place, so a file already at ``job.output`` (an earlier result) is left as it was.
    """
    start = time.perf_counter()
    if isinstance(model, ModelSource):  # on a cluster worker: loaded here, once per process
        model = model.load()
    if job.output is None:
        out = sys.stdout
        writer = _JsonlWriter(out)  # type: ignore[arg-type]
        records, errors = predict_stream(
            model, job.input, writer.write, fields=fields, on_error=on_error,
            chunk_size=chunk_size, encoding=encoding, fmt=fmt, progress=progress,
        )  # fmt: skip
        out.flush()
        if records == 0 and require_records:
            raise _no_records(job.input)
        return ShardResult(job, records, errors, time.perf_counter() - start)
    with atomic_file(job.output, "wb") as raw, _writer(raw, job.format, model, on_error) as writer:
        records, errors = predict_stream(
            model, job.input, writer.write, fields=fields, on_error=on_error,
            chunk_size=chunk_size, encoding=encoding, fmt=fmt, progress=progress,
        )  # fmt: skip
        if records == 0 and require_records:
            raise _no_records(job.input)
    return ShardResult(job, records, errors, time.perf_counter() - start)
