"""DataFrames and Arrow tables in, DataFrames out: rows are records, never column names."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import TINY_STANCES, TINY_TARGETS, TINY_TEXTS, TINY_TOPICS

import newsclf
from newsclf.errors import ConfigError, DataError

pd = pytest.importorskip("pandas")
pa = pytest.importorskip("pyarrow")

RECORDS = [
    {"id": f"a{i}", "text": t, "target": g, "topic": topic, "stance": s}
    for i, (t, g, topic, s) in enumerate(
        zip(TINY_TEXTS, TINY_TARGETS, TINY_TOPICS, TINY_STANCES, strict=True)
    )
]


@pytest.fixture
def frame():
    """The records as a frame with a non-default index (results must keep it)."""
    return pd.DataFrame(RECORDS, index=pd.Index([10 + 3 * i for i in range(len(RECORDS))]))


def test_predict_on_a_frame_equals_predict_on_its_records(tiny_classifier, frame) -> None:
    by_frame = tiny_classifier.predict(frame)
    by_records = tiny_classifier.predict(frame.to_dict("records"))
    assert set(by_frame) == {"topic", "stance"}
    for task in by_frame:
        np.testing.assert_array_equal(by_frame[task], by_records[task])
    np.testing.assert_array_equal(
        tiny_classifier.predict(frame, task="topic"),
        tiny_classifier.predict(TINY_TEXTS, task="topic"),
    )


def test_a_two_row_frame_is_predicted_by_rows_not_by_column_names(tiny_classifier) -> None:
    frame = pd.DataFrame({"text": TINY_TEXTS[:2], "topic": TINY_TOPICS[:2]})
    predicted = tiny_classifier.predict(frame, task="topic")
    assert len(predicted) == 2
    np.testing.assert_array_equal(predicted, tiny_classifier.predict(TINY_TEXTS[:2], task="topic"))


def test_proba_records_and_score_accept_a_frame(tiny_classifier, frame) -> None:
    for task, p in tiny_classifier.predict_proba(frame).items():
        np.testing.assert_array_equal(p, tiny_classifier.predict_proba(RECORDS)[task])
    assert tiny_classifier.predict_records(frame) == tiny_classifier.predict_records(RECORDS)
    assert tiny_classifier.score(frame) == tiny_classifier.score(RECORDS)
    assert tiny_classifier.score(frame, task="topic") == tiny_classifier.score(
        TINY_TEXTS, TINY_TOPICS, task="topic"
    )


def test_missing_values_in_a_frame_are_missing_fields(tiny_classifier) -> None:
    frame = pd.DataFrame(RECORDS).assign(title=None)
    frame.loc[0, "title"] = "Címsor"
    frame["lang"] = pd.Series([pd.NA] * len(frame), dtype="string")
    records = [dict(r, title="Címsor" if i == 0 else None) for i, r in enumerate(RECORDS)]
    assert tiny_classifier.predict_records(frame) == tiny_classifier.predict_records(records)


def test_a_pyarrow_table_predicts_as_its_rows(tiny_classifier, frame) -> None:
    table = pa.Table.from_pylist(RECORDS)
    by_table = tiny_classifier.predict(table)
    by_records = tiny_classifier.predict(RECORDS)
    for task in by_records:
        np.testing.assert_array_equal(by_table[task], by_records[task])
    assert tiny_classifier.predict_records(table) == tiny_classifier.predict_records(RECORDS)


@pytest.mark.parametrize(
    "bad",
    [
        "one bare string",
        {"text": "a single record"},
        {"a", "set"},
        (x for x in TINY_TEXTS),
        42,
        [1, 2],
        ["a text", {"text": "and a record"}],
    ],
    ids=["str", "dict", "set", "generator", "int", "ints", "mixed"],
)
def test_unsupported_inputs_raise_type_error_naming_the_accepted_types(
    tiny_classifier, bad
) -> None:
    for call in (
        lambda: tiny_classifier.predict(bad, task="topic"),
        lambda: tiny_classifier.predict_proba(bad, task="topic"),
        lambda: tiny_classifier.predict_records(bad, tasks=["topic"]),
        lambda: tiny_classifier.score(bad, task="topic"),
    ):
        with pytest.raises(TypeError, match="pandas DataFrame, a pyarrow Table"):
            call()
    if not isinstance(bad, str):  # a str is a path for evaluate
        with pytest.raises(TypeError, match="a file path, a pandas DataFrame"):
            newsclf.evaluate(tiny_classifier, bad, resamples=0)


def test_a_frame_without_a_text_column_names_its_columns(tiny_classifier) -> None:
    with pytest.raises(DataError, match=r"no 'text' column \(columns: \['body', 'topic'\]\)"):
        tiny_classifier.predict(pd.DataFrame({"body": ["x"], "topic": ["economy"]}))


def test_pandas_output_has_label_and_score_columns_on_the_input_index(
    tiny_classifier, frame
) -> None:
    out = tiny_classifier.predict(frame, output="pandas")
    assert isinstance(out, pd.DataFrame)
    assert out.index.equals(frame.index)
    labels = tiny_classifier.labels
    expected = [
        col
        for task in ("topic", "stance")
        for col in [task, *(f"{task}_score_{label}" for label in labels[task])]
    ]
    assert list(out.columns) == expected
    plain = tiny_classifier.predict(frame)
    proba = tiny_classifier.predict_proba(frame)
    for task in ("topic", "stance"):
        assert out[task].tolist() == plain[task].tolist()
        scores = out[[f"{task}_score_{label}" for label in labels[task]]].to_numpy()
        np.testing.assert_allclose(scores, proba[task])


def test_pandas_output_of_one_task_proba_and_records(tiny_classifier, frame) -> None:
    topic = tiny_classifier.predict(frame, task="topic", output="pandas")
    assert topic.columns[0] == "topic" and "stance" not in topic.columns
    proba = tiny_classifier.predict_proba(frame, task="topic", output="pandas")
    assert list(proba.columns) == [f"topic_score_{x}" for x in tiny_classifier.labels["topic"]]
    assert proba.index.equals(frame.index)
    rows = tiny_classifier.predict_records(frame, output="pandas")
    assert rows["id"].tolist() == frame["id"].tolist() and rows.index.equals(frame.index)
    # a list input gets a RangeIndex
    listed = tiny_classifier.predict(TINY_TEXTS, task="topic", output="pandas")
    assert listed.index.equals(pd.RangeIndex(len(TINY_TEXTS)))


def test_set_output_makes_pandas_the_default_and_default_undoes_it(tiny_classifier, frame) -> None:
    assert tiny_classifier.set_output(transform="pandas") is tiny_classifier
    assert isinstance(tiny_classifier.predict(frame, task="topic"), pd.DataFrame)
    assert isinstance(tiny_classifier.predict(frame, output="default"), dict)
    tiny_classifier.set_output(transform="default")
    assert isinstance(tiny_classifier.predict(frame, task="topic"), np.ndarray)
    with pytest.raises(ConfigError, match=r"'transform'.*'polars'"):
        tiny_classifier.set_output(transform="polars")
    with pytest.raises(ConfigError, match="'output'"):
        tiny_classifier.predict(frame, output="arrow")


def test_evaluate_accepts_a_frame_and_a_table(tiny_classifier, frame) -> None:
    def result(records) -> str:  # as JSON: the intervals of a tiny set are NaN
        return json.dumps(newsclf.evaluate(tiny_classifier, records).to_dict(), sort_keys=True)

    expected = result(RECORDS)
    assert result(frame) == expected
    assert result(pa.Table.from_pandas(frame, preserve_index=False)) == expected


def test_lists_predict_and_evaluate_without_pandas_or_pyarrow_installed(tiny_model_dir) -> None:
    # a finder that refuses both libraries, as if they were not installed
    code = (
        "import sys\n"
        "class Blocker:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.partition('.')[0] in ('pandas', 'pyarrow'):\n"
        "            raise ModuleNotFoundError(name)\n"
        "sys.meta_path.insert(0, Blocker())\n"
        "import newsclf\n"
        f"clf = newsclf.load({str(tiny_model_dir)!r})\n"
        f"print(list(clf.predict({TINY_TEXTS!r}, task='topic')))\n"
        f"print(newsclf.evaluate(clf, {RECORDS!r}, resamples=0).n_scored)\n"
        "print([m for m in sys.modules if m.partition('.')[0] in ('pandas', 'pyarrow')])\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.splitlines() == [str(TINY_TOPICS), str(len(RECORDS)), "[]"]
