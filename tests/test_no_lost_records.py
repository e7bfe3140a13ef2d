"""No lost records: every input line comes out once, in order, as a prediction or an error.

Property-based: hypothesis throws arbitrary Unicode, empty and huge texts, control characters,
BOMs, mixed newlines, NaN and empty cells, duplicate ids, wrong types and broken lines at the
loaders and at ``newsclf predict``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsclf.cli import main
from newsclf.data.records import Record, read_entries, read_records
from newsclf.errors import DataError

EXAMPLES = settings(
    max_examples=500,
    deadline=None,
    derandomize=True,  # CI runs the same 500 cases every time
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

texts = st.one_of(
    st.text(),  # any Unicode, control characters included
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zs", "Zl", "Zp"])),
    st.sampled_from(["", " ", "\t", "\ufeff", "\u200b", "\x00", "a\r\nb", "\u2028"]),
    st.integers(10_000, 200_000).map(lambda n: ("Hosszú cikk a forintról. " * n)[:n]),
)
values = st.one_of(
    st.none(),
    texts,
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=1),
)
ids = st.one_of(st.none(), st.sampled_from(["a", "a", "b", "1"]), st.integers(0, 3), texts)


@st.composite
def objects(draw: st.DrawFn) -> dict:
    row = {"text": draw(st.one_of(texts, values))}
    for field, strategy in [("id", ids), ("target", values), ("topic", values), ("x", values)]:
        if draw(st.booleans()):
            row[field] = draw(strategy)
    return row


json_lines = st.one_of(
    objects().map(lambda r: json.dumps(r, ensure_ascii=False)),
    objects().map(lambda r: json.dumps(r, ensure_ascii=True)),  # \\u escapes, NaN
    values.map(json.dumps),  # valid JSON that is not an object
    st.text(max_size=30),  # mostly malformed
    st.sampled_from(['{"text": "\\ud800"}', '{"text": "a"', "[" * 3000 + "]" * 3000, "", "  "]),
)
newlines = st.sampled_from(["\n", "\r\n"])


@st.composite
def jsonl_files(draw: st.DrawFn) -> bytes:
    lines = draw(st.lists(st.tuples(json_lines, newlines), max_size=8))
    body = "".join(line + end for line, end in lines).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        body = body.replace(b"a", b"\xff", 1)  # a byte that is not UTF-8
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + body


def _record_lines(content: bytes) -> list[int]:
    """1-based numbers of the lines that hold a record (not blank)."""
    lines = content.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    return [i for i, line in enumerate(lines, start=1) if line.strip(b" \t\r")]


def _write(content: bytes, suffix: str) -> Path:
    fd, name = tempfile.mkstemp(suffix=suffix)
    with open(fd, "wb") as fh:
        fh.write(content)
    return Path(name)


@EXAMPLES
@given(jsonl_files())
def test_jsonl_loader_yields_one_entry_per_line_in_order(content: bytes) -> None:
    path = _write(content, ".jsonl")
    try:
        entries = read_entries(path)
        assert all(isinstance(e, Record | DataError) for e in entries)
        assert [e.line for e in entries] == _record_lines(content)
        errors = [e for e in entries if isinstance(e, DataError)]
        if errors:
            with pytest.raises(DataError) as raised:
                read_records(path)
            assert raised.value.line == errors[0].line
        else:
            assert read_records(path) == entries
    finally:
        path.unlink()


cells = st.one_of(texts, st.sampled_from(["", "NaN", "nan", "null", '"', ",", "\n", "a\r\nb"]))


@st.composite
def csv_files(draw: st.DrawFn) -> tuple[bytes, int]:
    header = draw(st.sampled_from([["id", "text"], ["text", "topic"], ["text", "id", "target"]]))
    rows = draw(st.lists(st.lists(cells, min_size=1, max_size=4), max_size=6))
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator=draw(newlines))
    writer.writerow(header)
    writer.writerows(rows)
    content = buffer.getvalue().encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        content = content + draw(st.sampled_from([b'"unclosed,quote\n', b"\xff,x\n", b"a\x00b\n"]))
    return content, len(rows)


@EXAMPLES
@given(csv_files())
def test_csv_loader_never_loses_or_reorders_rows(case: tuple[bytes, int]) -> None:
    content, _ = case
    path = _write(content, ".csv")
    try:
        try:
            entries = read_entries(path)
        except DataError:
            return  # a header that cannot be read stops the file as a whole, with a message
        lines = [e.line for e in entries]
        assert lines == sorted(lines)
        errors = [e for e in entries if isinstance(e, DataError)]
        if errors:
            with pytest.raises(DataError):
                read_records(path)
        else:
            assert read_records(path) == entries
    finally:
        path.unlink()


@pytest.fixture(scope="module")
def model(tiny_model_dir: Path) -> str:
    return str(tiny_model_dir)


def _predict(model: str, content: bytes, *extra: str) -> tuple[int, list[dict] | None]:
    inp = _write(content, ".jsonl")
    out = inp.with_suffix(".out.jsonl")
    try:
        code = main(["predict", model, str(inp), "-o", str(out), "-q", *extra])
        if not out.exists():
            return code, None
        # JSON Lines end at "\n" only: str.splitlines() would also split inside a JSON string
        # at U+2028/U+2029 (written as-is, ensure_ascii=False)
        lines = out.read_text(encoding="utf-8").split("\n")
        return code, [json.loads(line) for line in lines if line]
    finally:
        inp.unlink()
        out.unlink(missing_ok=True)


@EXAMPLES
@given(jsonl_files())
def test_predict_with_on_error_record_writes_one_line_per_record_in_order(
    model: str, content: bytes
) -> None:
    numbers = _record_lines(content)
    code, rows = _predict(model, content, "--on-error=record")
    if not numbers:
        assert code == 2 and rows is None  # nothing to predict is an error, not empty output
        return
    assert code == 0 and rows is not None
    assert len(rows) == len(numbers)
    for row, number in zip(rows, numbers, strict=True):
        if "error" in row:
            assert row["line"] == number and row["error"]
        else:
            assert set(row) == {"id", "topic", "topic_scores", "stance", "stance_scores"}
            assert math.isclose(sum(row["topic_scores"].values()), 1.0, abs_tol=1e-5)


@EXAMPLES
@given(jsonl_files())
def test_predict_stops_at_the_first_bad_record_without_output(model: str, content: bytes) -> None:
    code, rows = _predict(model, content)
    _, recorded = _predict(model, content, "--on-error=record")
    if recorded is not None and all("error" not in r for r in recorded):
        assert code == 0 and rows == recorded
    else:
        assert code == 2 and rows is None


def test_evaluate_on_error_record_scores_the_rest_and_lists_the_error(
    tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    rows = [
        '{"id": "a", "text": "Az MNB kamatot emelt.", "topic": "economy"}',
        '{"id": "b", "text": "   ", "topic": "sport"}',
        '{"id": "c", "text": "A Fradi nyert.", "topic": "sport"}',
    ]
    inp = tmp_path / "gold.jsonl"
    inp.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out, preds = tmp_path / "m.json", tmp_path / "p.jsonl"
    args = ["evaluate", str(tiny_model_dir), str(inp), "-o", str(out), "--resamples", "20"]
    assert main([*args, "--predictions", str(preds)]) == 2  # default: stop at line 2
    assert not out.exists() and not preds.exists()
    assert ":2, field 'text': empty text" in capsys.readouterr().err
    assert main([*args, "--predictions", str(preds), "--on-error=record"]) == 0
    payload = json.loads(out.read_text(encoding="utf-8"))
    assert (payload["n_records"], payload["n_scored"]) == (3, 2)
    assert payload["errors"] == [{"id": "b", "line": 2, "field": "text", "error": "empty text"}]
    lines = [json.loads(line) for line in preds.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in lines] == ["a", "b", "c"]
    assert lines[0]["topic_gold"] == "economy" and "error" in lines[1]
