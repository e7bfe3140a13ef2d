"""Reading, validating and splitting records; every mistake names its file and line."""

from __future__ import annotations

import io
import json
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from newsclf.data import (
    Record,
    check_classes,
    read_records,
    records_from_dicts,
    split_records,
    validate_records,
)
from newsclf.data.records import iter_chunks, parse_chunk
from newsclf.errors import ConfigError, DataError


def _write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_bytes(content.encode("utf-8"))
    return path


def _jsonl(rows: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)


# --- read_records: JSONL --------------------------------------------------------------------


def test_jsonl_records_keep_file_order_and_fields(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "a.jsonl",
        _jsonl(
            [
                {"id": "b", "text": "Második cikk.", "topic": "sport", "group": "g1"},
                {"id": "a", "text": "Első cikk.", "topic": "gazdaság", "target": "Cél"},
            ]
        ),
    )
    records = read_records(path)
    assert [r.id for r in records] == ["b", "a"]
    assert [r.line for r in records] == [1, 2]
    assert records[0] == Record(
        text="Második cikk.", id="b", line=1, source=str(path), topic="sport", group="g1"
    )
    assert records[1].target == "Cél" and records[1].stance is None


def test_jsonl_ids_come_from_line_numbers_when_missing(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", _jsonl([{"text": "egy"}, {"text": "kettő", "id": 7}]))
    records = read_records(path)
    assert [r.id for r in records] == ["1", "7"]


def test_jsonl_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "a.jsonl",
        '{"text": "egy"}\n\n   \n{"text": "kettő"}\r\n\n',
    )
    records = read_records(path)
    assert [r.text for r in records] == ["egy", "kettő"]
    assert [r.line for r in records] == [1, 4]
    assert [r.id for r in records] == ["1", "4"]


def test_jsonl_utf8_bom_is_tolerated(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", b"\xef\xbb\xbf" + '{"text": "árvíztűrő"}\n'.encode())
    assert [r.text for r in read_records(path)] == ["árvíztűrő"]


@pytest.mark.parametrize("suffix", [".jsonl", ".ndjson", ".json", ".JSONL"])
def test_jsonl_suffixes_are_recognised(tmp_path: Path, suffix: str) -> None:
    path = _write(tmp_path / f"a{suffix}", '{"text": "szöveg"}\n')
    assert len(read_records(path)) == 1


def test_jsonl_null_and_empty_fields_mean_missing(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", '{"text": "x", "topic": null, "stance": ""}\n')
    record = read_records(path)[0]
    assert record.topic is None and record.stance is None


# --- read_records: CSV ----------------------------------------------------------------------


def test_csv_records_keep_order_and_number_lines(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "text,topic\nelső,sport\nmásodik,gazdaság\n")
    records = read_records(path)
    assert [(r.text, r.topic) for r in records] == [("első", "sport"), ("második", "gazdaság")]
    assert [r.line for r in records] == [2, 3]
    assert [r.id for r in records] == ["2", "3"]


def test_csv_empty_cells_become_none(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "id,text,topic,target\n1,szöveg,,\n")
    record = read_records(path)[0]
    assert record.topic is None and record.target is None


def test_csv_quoted_multiline_cell_is_one_record(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "a.csv",
        'text,topic\n"első sor\nmásodik sor, vesszővel",sport\nkövetkező,gazdaság\n',
    )
    records = read_records(path)
    assert [r.text for r in records] == ["első sor\nmásodik sor, vesszővel", "következő"]
    assert [r.line for r in records] == [2, 4]


def test_csv_utf8_bom_is_tolerated(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", b"\xef\xbb\xbf" + "text,topic\nszöveg,sport\n".encode())
    assert read_records(path)[0].topic == "sport"


def test_tsv_is_read_with_tabs(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.tsv", "text\ttopic\negy, kettő\tsport\n")
    assert read_records(path)[0].text == "egy, kettő"


def test_format_can_be_forced_for_any_suffix(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.txt", "text,topic\nszöveg,sport\n")
    assert read_records(path, fmt="csv")[0].topic == "sport"


def test_csv_line_numbers_count_blank_lines(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "text,topic\nelső,sport\n\nharmadik,gazdaság\n")
    assert [r.line for r in read_records(path)] == [2, 4]


# --- read_records: errors name the file and the line ----------------------------------------


def test_missing_file_is_reported_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "nincs.jsonl"
    with pytest.raises(DataError, match="file not found") as info:
        read_records(path)
    assert str(path) in str(info.value)


def test_directory_without_records_files_is_reported(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not records", encoding="utf-8")
    with pytest.raises(DataError, match="no records files") as info:
        read_records(tmp_path)
    assert str(tmp_path) in str(info.value)


def test_malformed_json_reports_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", '{"text": "egy"}\n{"text": "kettő"}\n{"text": "há\n')
    with pytest.raises(DataError, match="malformed JSON") as info:
        read_records(path)
    assert f"{path}:3:" in str(info.value)
    assert info.value.line == 3 and info.value.path == str(path)


@pytest.mark.parametrize("line", ["[1, 2]", '"csak szöveg"', "42", "null"])
def test_json_line_that_is_not_an_object_reports_file_and_line(tmp_path: Path, line: str) -> None:
    path = _write(tmp_path / "a.jsonl", '{"text": "egy"}\n' + line + "\n")
    with pytest.raises(DataError, match="expected a JSON object") as info:
        read_records(path)
    assert f"{path}:2:" in str(info.value)


def test_csv_row_with_too_many_cells_reports_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "text,topic\negy,sport\nkettő, három,sport\n")
    with pytest.raises(DataError, match="3 cells but the header has 2") as info:
        read_records(path)
    assert f"{path}:3:" in str(info.value)
    assert "quote" in str(info.value)


def test_unknown_suffix_names_the_file_and_the_fix(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.txt", '{"text": "egy"}\n')
    with pytest.raises(DataError, match=r"suffix '\.txt'") as info:
        read_records(path)
    assert str(path) in str(info.value)
    assert "format" in str(info.value)


def test_unknown_forced_format_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", '{"text": "egy"}\n')
    with pytest.raises(DataError, match="unknown format 'xml'"):
        read_records(path, fmt="xml")


def test_non_utf8_bytes_report_line_and_encoding_hint(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", b'{"text": "ok"}\n{"text": "caf\xe9 cr\xe8me"}\n')
    with pytest.raises(DataError, match="not valid utf-8") as info:
        read_records(path)
    message = str(info.value)
    assert f"{path}:2:" in message
    assert "encoding" in message and "latin-1" in message


def test_latin1_file_reads_with_explicit_encoding(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", b'{"text": "ok"}\n{"text": "caf\xe9 cr\xe8me"}\n')
    records = read_records(path, encoding="latin-1")
    assert [r.text for r in records] == ["ok", "café crème"]


def test_unknown_encoding_is_reported(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", '{"text": "ok"}\n')
    with pytest.raises(DataError, match="unknown encoding"):
        read_records(path, encoding="no-such-codec")


# --- the whole-file and the chunked reader agree (one row iterator per format) ---------------


def _both_paths(path: Path, **options: object) -> list[list[Record] | tuple[int | None, str]]:
    """What read_records and iter_chunks + parse_chunk (chunks of 1 and 2 rows) give."""

    def outcome(read: Callable[[], list[Record]]) -> list[Record] | tuple[int | None, str]:
        try:
            return read()
        except DataError as exc:
            return exc.line, exc.reason

    def chunked(size: int) -> list[Record]:
        chunks = iter_chunks(path, chunk_size=size, **options)  # type: ignore[arg-type]
        return [r for chunk in chunks for r in parse_chunk(chunk)]

    return [
        outcome(lambda: read_records(path, **options)),  # type: ignore[arg-type]
        outcome(lambda: chunked(1)),
        outcome(lambda: chunked(2)),
    ]


def test_csv_row_of_empty_cells_is_skipped_by_both_readers(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", "text,topic\nelső,sport\n,\n\n,,\nötödik,gazdaság\n")
    whole, *chunked = _both_paths(path)
    assert [r.line for r in whole] == [2, 6]  # type: ignore[union-attr]
    assert chunked == [whole, whole]


def test_blank_jsonl_lines_are_skipped_by_both_readers(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", '{"text": "egy"}\n\n \t\r\n{"text": "négy"}\n')
    whole, *chunked = _both_paths(path)
    assert [r.line for r in whole] == [1, 4]  # type: ignore[union-attr]
    assert chunked == [whole, whole]


def test_malformed_multiline_csv_record_is_reported_at_its_start_by_both(tmp_path: Path) -> None:
    content = 'text,topic\nelső,sport\n"két\nsoros" x,sport\nnegyedik,sport\n'
    outcomes = _both_paths(_write(tmp_path / "a.csv", content))
    assert outcomes == [outcomes[0]] * 3
    line, reason = outcomes[0]  # type: ignore[misc]
    assert line == 3 and "malformed CSV" in reason


def test_bad_bytes_in_a_multiline_csv_record_name_its_start_line_in_both(tmp_path: Path) -> None:
    content = b'text,topic\nels\xc5\x91,sport\n"k\xe9t\nsoros",sport\n'
    outcomes = _both_paths(_write(tmp_path / "a.csv", content))
    assert outcomes == [(3, "bytes that are not valid utf-8 (b'\\xe9t\\ns')")] * 3


def test_csv_with_too_many_cells_names_the_same_line_in_both(tmp_path: Path) -> None:
    outcomes = _both_paths(_write(tmp_path / "a.csv", 'text\negy\n"ket\ntő",x\n'))
    assert outcomes == [(3, "row has 2 cells but the header has 1")] * 3


@pytest.mark.parametrize(
    ("suffix", "content"),
    [
        (".jsonl", b'\xef\xbb\xbf{"text": "egy"}\n\n{"text": "h\xe1rom"}\n'),
        (".csv", b"\xef\xbb\xbftext\negy\nh\xe1rom\n"),
    ],
)
def test_bom_and_bad_bytes_name_the_same_line_in_both(
    tmp_path: Path, suffix: str, content: bytes
) -> None:
    path = _write(tmp_path / f"a{suffix}", content)
    assert _both_paths(path) == [(3, "bytes that are not valid utf-8 (b'\\xe1rom')")] * 3
    path.write_bytes(content.removeprefix(b"\xef\xbb\xbf"))  # a BOM is UTF-8 only
    whole, *chunked = _both_paths(path, encoding="latin-1")
    assert [(r.line, r.text) for r in whole][-1] == (3, "három")  # type: ignore[union-attr]
    assert chunked == [whole, whole]


def test_later_encodings_decode_only_the_lines_the_first_cannot(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", '{"text": "ő"}\n'.encode() + b'{"text": "\xe9"}\n')
    whole, *chunked = _both_paths(path, encoding=["utf-8", "latin-1"])
    assert [r.text for r in whole] == ["ő", "é"]  # type: ignore[union-attr]
    assert chunked == [whole, whole]


def test_chunks_carry_source_progress_and_first_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", _jsonl([{"text": str(i)} for i in range(5)]))
    chunks = list(iter_chunks(path, chunk_size=2))
    assert [len(c.rows) for c in chunks] == [2, 2, 1]
    assert [c.first_line for c in chunks] == [1, 3, 5]
    assert chunks[-1].bytes_read == path.stat().st_size
    assert {c.source for c in chunks} == {str(path)}
    assert pickle.loads(pickle.dumps(chunks[0])) == chunks[0]  # shipped to joblib workers


def test_a_binary_stream_is_read_under_the_given_source_name() -> None:
    stream = io.BytesIO(b'{"text": "egy"}\n{"text": \n')
    with pytest.raises(DataError) as info:
        read_records(stream, fmt="jsonl", source="<stdin>")
    assert str(info.value).startswith("<stdin>:2: malformed JSON")
    assert not stream.closed
    with pytest.raises(DataError, match="cannot tell the format"):
        read_records(io.BytesIO(b""), source="<stdin>")


@pytest.mark.parametrize(
    ("value", "type_name"), [(42, "int"), (["egy", "kettő"], "list"), ({"a": 1}, "dict")]
)
def test_text_of_wrong_type_reports_line_and_field(
    tmp_path: Path, value: object, type_name: str
) -> None:
    path = _write(tmp_path / "a.jsonl", _jsonl([{"text": "jó"}, {"text": value}]))
    with pytest.raises(DataError, match=f"got {type_name}") as info:
        read_records(path)
    assert f"{path}:2" in str(info.value)
    assert info.value.field == "text"


def test_label_of_wrong_type_reports_field(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", _jsonl([{"text": "jó", "topic": ["sport"]}]))
    with pytest.raises(DataError, match="field 'topic'"):
        read_records(path)


def test_numeric_ids_become_strings(tmp_path: Path) -> None:
    path = _write(tmp_path / "a.jsonl", _jsonl([{"text": "x", "id": 12}]))
    assert read_records(path)[0].id == "12"


# --- validate_records -----------------------------------------------------------------------


def _records(*rows: dict) -> list[Record]:
    return records_from_dicts(list(rows), source="mem.jsonl")


def test_valid_records_pass_validation() -> None:
    records = _records(
        {"text": "egy", "topic": "a", "stance": "agree", "target": "cél"},
        {"text": "kettő", "topic": "b", "stance": "deny", "target": "cél"},
    )
    validate_records(records, tasks=["topic", "stance"], labelled=True)


def test_missing_text_names_line_and_field() -> None:
    records = _records({"text": "egy"}, {"title": "csak cím"})
    with pytest.raises(DataError, match="missing") as info:
        validate_records(records, tasks=["topic"], labelled=False)
    assert "mem.jsonl:2" in str(info.value) and "field 'text'" in str(info.value)


@pytest.mark.parametrize("text", ["", "   \t\n"])
def test_empty_or_whitespace_text_is_refused(text: str) -> None:
    records = _records({"text": "egy"}, {"text": text})
    with pytest.raises(DataError) as info:
        validate_records(records, tasks=["topic"], labelled=False)
    assert (info.value.line, info.value.field) == (2, "text")


def test_stance_record_without_target_is_refused() -> None:
    records = _records(
        {"text": "egy", "stance": "agree", "target": "cél"},
        {"text": "kettő", "stance": "agree"},
    )
    with pytest.raises(DataError, match="needs a target") as info:
        validate_records(records, tasks=["stance"], labelled=True)
    assert (info.value.line, info.value.field) == (2, "target")


def test_stance_target_is_needed_even_for_unlabelled_records() -> None:
    records = _records({"text": "egy", "target": "  "})
    with pytest.raises(DataError, match="needs a target"):
        validate_records(records, tasks=["stance"], labelled=False)


def test_missing_label_on_one_line_is_reported() -> None:
    records = _records({"text": "egy", "topic": "a"}, {"text": "kettő"}, {"text": "három"})
    with pytest.raises(DataError, match="missing label") as info:
        validate_records(records, tasks=["topic"], labelled=True)
    assert "mem.jsonl:2" in str(info.value) and "field 'topic'" in str(info.value)


def test_missing_label_is_fine_for_unlabelled_records() -> None:
    validate_records(_records({"text": "egy"}), tasks=["topic"], labelled=False)


def test_label_field_absent_from_all_records_names_the_field() -> None:
    records = _records({"text": "egy", "topic": "a"}, {"text": "kettő", "topic": "b"})
    with pytest.raises(DataError, match="no record has a 'stance' label") as info:
        validate_records(records, tasks=["topic", "stance"], labelled=True)
    assert info.value.field == "stance"
    assert "tasks=[topic]" in str(info.value)


def test_duplicate_ids_name_both_lines() -> None:
    records = _records(
        {"id": "x", "text": "egy"}, {"id": "y", "text": "kettő"}, {"id": "x", "text": "három"}
    )
    with pytest.raises(DataError, match=r"duplicate id 'x' \(first on line 1\)") as info:
        validate_records(records, tasks=["topic"], labelled=False)
    assert info.value.line == 3


def test_duplicate_ids_allowed_when_uniqueness_is_off() -> None:
    records = _records({"id": "x", "text": "egy"}, {"id": "x", "text": "kettő"})
    validate_records(records, tasks=["topic"], labelled=False, unique_ids=False)


def test_empty_record_list_is_refused() -> None:
    with pytest.raises(DataError, match="no records") as info:
        validate_records([], tasks=["topic"], labelled=True, source="ures.jsonl")
    assert "ures.jsonl" in str(info.value)


def test_check_classes_with_one_class_raises() -> None:
    records = _records({"text": "egy", "topic": "sport"}, {"text": "kettő", "topic": "sport"})
    with pytest.raises(DataError, match=r"only one class \('sport'\)") as info:
        check_classes(records, "topic")
    assert info.value.field == "topic"


def test_check_classes_counts_labels() -> None:
    records = _records(
        {"text": "1", "topic": "a"}, {"text": "2", "topic": "b"}, {"text": "3", "topic": "a"}
    )
    assert check_classes(records, "topic") == {"a": 2, "b": 1}


# --- split_records --------------------------------------------------------------------------


def _grouped(n_groups_per_class: int = 10, per_group: int = 2) -> list[Record]:
    rows = []
    for label in ("gazdaság", "sport"):
        for g in range(n_groups_per_class):
            for k in range(per_group):
                rows.append(
                    {
                        "id": f"{label}-{g}-{k}",
                        "text": f"{label} cikk {g} {k}",
                        "topic": label,
                        "group": f"{label}-story-{g}",
                    }
                )
    return records_from_dicts(rows)


GROUPED = {"name": "group_stratified", "test_size": 0.2}
STRATIFIED = {"name": "stratified", "test_size": 0.25}


def test_group_stratified_keeps_every_group_on_one_side() -> None:
    records = _grouped()
    train, held_out = split_records(records, split=GROUPED, tasks=["topic"], seed=0)
    assert len(train) + len(held_out) == len(records)
    assert {r.id for r in train}.isdisjoint({r.id for r in held_out})
    assert {r.group for r in train}.isdisjoint({r.group for r in held_out})
    assert {r.topic for r in held_out} == {"gazdaság", "sport"}


def test_group_stratified_is_deterministic_for_a_seed() -> None:
    records = _grouped()
    first = split_records(records, split=GROUPED, tasks=["topic"], seed=3)
    again = split_records(records, split=GROUPED, tasks=["topic"], seed=3)
    assert [[r.id for r in side] for side in first] == [[r.id for r in side] for side in again]
    others = {
        tuple(r.id for r in split_records(records, split=GROUPED, tasks=["topic"], seed=s)[1])
        for s in range(5)
    }
    assert len(others) > 1  # the seed does matter


def test_records_without_group_are_their_own_group() -> None:
    rows = [{"id": str(i), "text": f"t{i}", "topic": "ab"[i % 2]} for i in range(20)]
    train, held_out = split_records(
        records_from_dicts(rows), split=GROUPED, tasks=["topic"], seed=0
    )
    assert len(held_out) == 4 and len(train) == 16


def test_stratified_split_keeps_class_proportions() -> None:
    rows = [{"text": f"t{i}", "topic": "a" if i < 12 else "b"} for i in range(16)]
    train, held_out = split_records(
        records_from_dicts(rows), split=STRATIFIED, tasks=["topic"], seed=0
    )
    assert len(held_out) == 4 and len(train) == 12
    assert sorted(r.topic for r in held_out) == ["a", "a", "a", "b"]


def test_stratify_can_name_another_task() -> None:
    rows = [
        {"text": f"t{i}", "topic": "x", "stance": "agree" if i % 2 else "deny", "target": "c"}
        for i in range(8)
    ]
    _, held_out = split_records(
        records_from_dicts(rows),
        split={**STRATIFIED, "stratify": "stance"},
        tasks=["topic", "stance"],
        seed=0,
    )
    assert sorted(r.stance for r in held_out) == ["agree", "deny"]


def test_too_few_groups_raises_data_error() -> None:
    records = _grouped(n_groups_per_class=2, per_group=3)  # 4 groups, a 20% hold-out needs 5
    with pytest.raises(DataError, match="only 4 distinct groups") as info:
        split_records(records, split=GROUPED, tasks=["topic"], seed=0)
    assert "split=stratified" in str(info.value)


@pytest.mark.parametrize(
    ("split", "n"), [(GROUPED, 6), (STRATIFIED, 4)], ids=["group_stratified", "stratified"]
)
def test_hold_out_too_small_for_every_class_raises_data_error(split: dict, n: int) -> None:
    rows = [{"text": f"t{i}", "topic": "ab"[i % 2], "group": f"g{i}"} for i in range(n)]
    with pytest.raises(DataError):
        split_records(records_from_dicts(rows), split=split, tasks=["topic"], seed=0)


def test_class_with_a_single_example_raises_data_error() -> None:
    rows = [{"text": f"t{i}", "topic": "a" if i else "ritka"} for i in range(10)]
    with pytest.raises(DataError, match=r"'ritka'.*single example") as info:
        split_records(records_from_dicts(rows), split=STRATIFIED, tasks=["topic"], seed=0)
    assert info.value.field == "topic"


def test_unknown_split_name_raises_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown split 'kfold'") as info:
        split_records(_grouped(), split={"name": "kfold"}, tasks=["topic"], seed=0)
    assert info.value.key == "split.name"
    assert "group_stratified, hashed_group, stratified" in str(info.value)


@pytest.mark.parametrize("size", [0, 0.8, "0.2", -0.1])
def test_bad_test_size_raises_config_error(size: object) -> None:
    with pytest.raises(ConfigError, match=r"split\.test_size"):
        split_records(_grouped(), split={**STRATIFIED, "test_size": size}, tasks=["topic"], seed=0)


def test_stratify_on_a_task_not_trained_raises_config_error() -> None:
    with pytest.raises(ConfigError, match=r"split\.stratify"):
        split_records(
            _grouped(), split={**STRATIFIED, "stratify": "stance"}, tasks=["topic"], seed=0
        )
