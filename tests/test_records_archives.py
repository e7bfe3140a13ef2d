"""The record reader on archive inputs: gzip, Parquet, several files, directories, globs and a
field mapping; the same records and the same error locations whole or chunked."""

from __future__ import annotations

import csv
import gzip
import json
from pathlib import Path

import pytest

from newsclf.data.records import (
    expand_inputs,
    field_keys,
    iter_chunks,
    parse_chunk,
    read_entries,
    read_records,
)
from newsclf.errors import ConfigError, DataError

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

ROWS = [
    {"id": f"a{i}", "text": f"article number {i} about the economy", "topic": "economy"}
    for i in range(1, 12)
]


def _jsonl(path: Path, rows: list[dict]) -> Path:
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _parquet(path: Path, rows: list[dict], row_group_size: int = 4) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=row_group_size)
    return path


def _ids(records) -> list[str]:
    return [r.id for r in records]


def test_gzipped_jsonl_reads_like_the_plain_file(tmp_path: Path) -> None:
    plain = read_records(_jsonl(tmp_path / "a.jsonl", ROWS))
    gz = read_records(_jsonl(tmp_path / "a.jsonl.gz", ROWS))
    assert [(r.id, r.text, r.line) for r in gz] == [(r.id, r.text, r.line) for r in plain]


def test_gzipped_csv_reads_like_the_plain_file(tmp_path: Path) -> None:
    path = tmp_path / "a.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, ["id", "text", "topic"])
        writer.writeheader()
        writer.writerows(ROWS)
    assert _ids(read_records(path)) == [r["id"] for r in ROWS]


def test_parquet_reads_the_rows_in_order_numbered_from_one(tmp_path: Path) -> None:
    records = read_records(_parquet(tmp_path / "a.parquet", ROWS))
    assert _ids(records) == [r["id"] for r in ROWS]
    assert [r.line for r in records] == list(range(1, len(ROWS) + 1))


def test_parquet_in_chunks_gives_the_whole_file_records(tmp_path: Path) -> None:
    path = _parquet(tmp_path / "a.parquet", ROWS, row_group_size=3)
    chunks = list(iter_chunks(path, chunk_size=5))
    assert [len(c.rows) for c in chunks] == [5, 5, 1]
    assert [r for c in chunks for r in parse_chunk(c)] == read_records(path)


def test_parquet_error_names_the_row_and_the_column(tmp_path: Path) -> None:
    # a Parquet column has one type: a list column, empty in row 1, is no text in row 2
    rows = [{"id": "x1", "body": None}, {"id": "x2", "body": ["not", "text"]}]
    path = _parquet(tmp_path / "bad.parquet", rows)
    with pytest.raises(DataError) as info:
        read_records(path, fields={"text": "body"})
    message = str(info.value)
    assert "bad.parquet row 2" in message
    assert "field 'body'" in message


def test_field_mapping_reads_a_corpus_with_other_column_names(tmp_path: Path) -> None:
    rows = [{"url": r["id"], "body": r["text"], "section": r["topic"]} for r in ROWS]
    path = _jsonl(tmp_path / "renamed.jsonl", rows)
    records = read_records(path, fields={"id": "url", "text": "body", "topic": "section"})
    assert _ids(records) == [r["id"] for r in ROWS]
    assert {r.topic for r in records} == {"economy"}
    assert records[0].text == ROWS[0]["text"]


def test_field_mapping_error_names_the_files_column(tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "bad.jsonl", [{"body": "ok"}, {"body": ["not", "text"]}])
    with pytest.raises(DataError, match=r"bad.jsonl:2, field 'body'"):
        read_records(path, fields={"text": "body"})


def test_field_mapping_to_an_unknown_record_field_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"data.fields.body"):
        field_keys({"body": "text"})


def test_on_error_record_keeps_a_bad_parquet_row_in_its_place(tmp_path: Path) -> None:
    rows = [{"id": "1", "text": None}, {"id": "2", "text": ["b"]}, {"id": "3", "text": None}]
    entries = read_entries(_parquet(tmp_path / "m.parquet", rows))
    assert isinstance(entries[1], DataError) and entries[1].line == 2
    assert [e.id for e in entries if not isinstance(e, DataError)] == ["1", "3"]


def test_directory_input_reads_its_records_files_by_name(tmp_path: Path) -> None:
    shards = tmp_path / "shards"
    shards.mkdir()
    _jsonl(shards / "part-1.jsonl.gz", ROWS[4:8])
    _parquet(shards / "part-2.parquet", ROWS[8:])
    _jsonl(shards / "part-0.jsonl", ROWS[:4])
    (shards / ".newsclf-shards.json").write_text("{}", encoding="utf-8")
    (shards / "README.txt").write_text("not records", encoding="utf-8")
    assert _ids(read_records(shards)) == [r["id"] for r in ROWS]
    assert [p.name for p in expand_inputs(shards)] == [
        "part-0.jsonl",
        "part-1.jsonl.gz",
        "part-2.parquet",
    ]


def test_glob_and_list_inputs_keep_their_order_and_each_file_once(tmp_path: Path) -> None:
    a = _jsonl(tmp_path / "a.jsonl", ROWS[:3])
    b = _jsonl(tmp_path / "b.jsonl", ROWS[3:])
    assert expand_inputs([b, str(tmp_path / "*.jsonl")]) == [b, a]
    assert _ids(read_records([b, a])) == [r["id"] for r in ROWS[3:] + ROWS[:3]]


def test_records_without_ids_from_several_files_get_distinct_ids(tmp_path: Path) -> None:
    _jsonl(tmp_path / "a.jsonl", [{"text": "x"}, {"text": "y"}])
    _jsonl(tmp_path / "b.jsonl", [{"text": "z"}])
    assert _ids(read_records(tmp_path)) == ["a.jsonl:1", "a.jsonl:2", "b.jsonl:1"]
    chunks = iter_chunks(str(tmp_path / "*.jsonl"), chunk_size=10)
    assert [r.id for c in chunks for r in parse_chunk(c)] == ["a.jsonl:1", "a.jsonl:2", "b.jsonl:1"]


def test_a_glob_matching_nothing_is_an_error_naming_it(tmp_path: Path) -> None:
    pattern = str(tmp_path / "part-*.jsonl")
    with pytest.raises(DataError, match="matches no file") as info:
        read_records(pattern)
    assert pattern in str(info.value)


def test_a_gzip_file_without_the_suffix_is_still_decompressed(tmp_path: Path) -> None:
    gz = _jsonl(tmp_path / "a.jsonl.gz", ROWS)
    renamed = gz.rename(tmp_path / "a.jsonl")
    assert _ids(read_records(renamed)) == [r["id"] for r in ROWS]
