"""End to end through the CLI: train -> predict -> load, and every bad input exits cleanly."""

from __future__ import annotations

import io
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

import newsclf
from newsclf.cli import main
from newsclf.data import demo_path, read_records
from newsclf.errors import DataError


def test_train_writes_artifact_metrics_and_prints_table(demo_run: Path) -> None:
    metrics = json.loads((demo_run / "metrics.json").read_text())
    assert set(metrics["tasks"]) == {"topic", "stance"}
    for m in metrics["tasks"].values():
        low, high = m["macro_f1_ci"]
        assert low <= m["macro_f1"] <= high
        assert set(m) >= {"accuracy", "per_class", "confusion_matrix"}
    manifest = json.loads((demo_run / "model" / "manifest.json").read_text())
    assert set(manifest["tasks"]) == {"topic", "stance"}
    assert (demo_run / "train.log").exists()
    predictions = (demo_run / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in predictions]
    assert [r["id"] for r in rows] == metrics["eval_ids"]
    assert {"topic", "topic_gold", "topic_scores", "stance", "stance_gold"} <= set(rows[0])
    accuracy = sum(r["topic"] == r["topic_gold"] for r in rows) / len(rows)
    assert accuracy == pytest.approx(metrics["tasks"]["topic"]["accuracy"])


def test_demo_eval_split_holds_out_whole_groups(demo_run: Path) -> None:
    metrics = json.loads((demo_run / "metrics.json").read_text())
    records = read_records(demo_path())
    eval_ids = set(metrics["eval_ids"])
    eval_groups = {r.group for r in records if r.id in eval_ids}
    train_groups = {r.group for r in records if r.id not in eval_ids}
    assert eval_ids and not eval_groups & train_groups


def test_predict_cli_and_python_api_give_identical_labels(
    demo_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "pred.jsonl"
    assert main(["predict", str(demo_run / "model"), str(demo_path()), "-o", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    records = read_records(demo_path())
    assert [r["id"] for r in rows] == [r.id for r in records]
    clf = newsclf.load(demo_run / "model")
    predicted = clf.predict(
        [{"text": r.text, "title": r.title, "target": r.target} for r in records]
    )
    for task in ("topic", "stance"):
        assert [r[task] for r in rows] == list(predicted[task])
        scores = np.array(
            [[r[f"{task}_scores"][label] for label in clf.labels[task]] for r in rows]
        )
        assert np.allclose(scores.sum(axis=1), 1.0, atol=1e-4)


def test_predict_of_plain_texts_checks_them_like_records(demo_run: Path) -> None:
    clf = newsclf.load(demo_run / "model")
    texts = ["A forint gyengült.", "Shares fell in London."]
    targets = ["a forint", "shares"]
    as_records = clf.predict(
        [{"text": t, "target": g} for t, g in zip(texts, targets, strict=True)]
    )
    as_texts = clf.predict(texts, targets=targets)
    assert {k: list(v) for k, v in as_texts.items()} == {k: list(v) for k, v in as_records.items()}
    for bad in (["ok", ""], ["ok", "lone \ud800 surrogate"]):
        with pytest.raises(DataError, match=r"(line |:)2, field .text.: (missing|an unpaired)"):
            clf.predict(bad, targets=["x", "y"])


def test_predict_writes_jsonl_to_stdout_by_default(
    demo_run: Path, write_jsonl, capsys: pytest.CaptureFixture
) -> None:
    path = write_jsonl(
        [
            {
                "text": "A forint gyengült az euróval szemben, az MNB nem változtatott a kamaton.",
                "target": "Az MNB kamatot emel.",
            },
            {
                "id": "x2",
                "text": "The striker scored twice as the home side won the cup final.",
                "target": "The club sacked its coach.",
            },
        ]
    )
    assert main(["predict", str(demo_run / "model"), str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["1", "x2"]
    assert {"topic", "topic_scores", "stance", "stance_scores"} <= set(json.loads(lines[0]))


def test_predict_reads_csv(demo_run: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "in.csv"
    path.write_text(
        'id,text,target\na,"Gólzápor a derbin, a Fradi nyert.",A Fradi kikapott.\n',
        encoding="utf-8",
    )
    assert main(["predict", str(demo_run / "model"), str(path)]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "a"


def test_evaluate_prints_and_writes_metrics(demo_run: Path, tmp_path: Path, capsys) -> None:
    out = tmp_path / "eval.json"
    assert main(["evaluate", str(demo_run / "model"), str(demo_path()), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "macro-F1" in printed and "CI" in printed
    payload = json.loads(out.read_text())
    assert payload["tasks"]["topic"]["n"] == len(read_records(demo_path()))


def test_evaluate_resamples_and_its_deprecated_alias(
    demo_run: Path, tmp_path: Path, capsys
) -> None:
    model, data = str(demo_run / "model"), str(demo_path())
    new, old = tmp_path / "new.json", tmp_path / "old.json"
    assert main(["evaluate", model, data, "-o", str(new), "--resamples", "30"]) == 0
    assert "deprecated" not in capsys.readouterr().err
    assert main(["evaluate", model, data, "-o", str(old), "--bootstrap", "30"]) == 0
    assert "--bootstrap is deprecated" in capsys.readouterr().err
    metrics = [json.loads(p.read_text())["tasks"] for p in (new, old)]
    assert metrics[0] == metrics[1]
    assert metrics[0]["topic"]["ci"]["resamples"] == 30
    both = ["evaluate", model, data, "--resamples", "30", "--bootstrap", "30"]
    assert main(both) == 2
    assert "give only one" in capsys.readouterr().err


def test_train_refuses_the_old_bootstrap_key_naming_the_new_one(tmp_path: Path, capsys) -> None:
    assert main(["train", f"hydra.run.dir={tmp_path}", "eval.bootstrap_resamples=10"]) == 2
    err = capsys.readouterr().err
    assert "eval.bootstrap_resamples" in err and "eval.resamples" in err
    assert not (tmp_path / "metrics.json").exists()


def test_train_single_task_with_other_model(tmp_path: Path) -> None:
    assert main(["train", "tasks=[topic]", "model=complement_nb", f"hydra.run.dir={tmp_path}"]) == 0
    clf = newsclf.load(tmp_path / "model")
    assert clf.tasks == ["topic"]


def test_train_on_records_with_given_test_file(tmp_path: Path) -> None:
    records = read_records(demo_path())
    rows = [{"id": r.id, "text": r.text, "topic": r.topic, "group": r.group} for r in records]
    train, test = tmp_path / "train.jsonl", tmp_path / "test.csv"
    train.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[::2]), encoding="utf-8"
    )
    import csv

    with test.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "text", "topic", "group"])
        writer.writeheader()
        writer.writerows(rows[1::2])
    run = tmp_path / "run"
    code = main(
        [
            "train",
            "data=records",
            f"data.train={train}",
            f"data.test={test}",
            "tasks=[topic]",
            "model=logreg",
            f"hydra.run.dir={run}",
        ]
    )
    assert code == 0
    metrics = json.loads((run / "metrics.json").read_text())
    assert metrics["n_eval"] == len(rows[1::2]) and metrics["split"] == "given test file"


# -- bad input: a clear one-line error, exit code 2, nothing half-written ---------------------

BAD_INPUTS = {
    "missing_file": (None, "file not found"),
    "malformed_json": ('{"text": "ok", "target": "t"}\n{"text": "broken"\n', ":2: malformed JSON"),
    "missing_text": ('{"title": "no body", "target": "t"}\n', "field 'text': missing"),
    "empty_text": ('{"text": "   ", "target": "t"}\n', "empty text"),
    "no_target": ('{"text": "Egy cikk a gazdaságról."}\n', "field 'target'"),
    "non_utf8": (
        b'{"text": "ok", "target": "t"}\n{"text": "caf\xe9", "target": "t"}\n',
        ":2: bytes that are not valid utf-8",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_predict_bad_input_exits_2_with_message_and_no_output(
    case: str, demo_run: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    content, expected = BAD_INPUTS[case]
    path = tmp_path / "input.jsonl"
    if content is not None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    out = tmp_path / "out.jsonl"
    assert main(["predict", str(demo_run / "model"), str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and expected in err and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".out.jsonl*"))


def test_non_utf8_hint_names_encoding_option_and_latin1_works(
    demo_run: Path, tmp_path: Path, capsys
) -> None:
    path = tmp_path / "latin.jsonl"
    path.write_bytes('{"text": "Árfolyam és kamat", "target": "t"}\n'.encode("latin-1"))
    assert main(["predict", str(demo_run / "model"), str(path)]) == 2
    assert "--encoding latin-1" in capsys.readouterr().err
    assert main(["predict", str(demo_run / "model"), str(path), "--encoding", "latin-1"]) == 0


def test_bad_line_on_stdin_is_named_stdin_with_its_line(
    demo_run: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    content = b'{"text": "ok", "target": "t"}\n\n{"text": \n'
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(content)))
    assert main(["predict", str(demo_run / "model"), "-"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: <stdin>:3: malformed JSON"), err
    assert "stdin.jsonl" not in err


def test_malformed_csv_reports_line(demo_run: Path, tmp_path: Path, capsys) -> None:
    path = tmp_path / "bad.csv"
    path.write_text('text,target\nok,t\n"a,b",c,extra\n', encoding="utf-8")
    assert main(["predict", str(demo_run / "model"), str(path)]) == 2
    assert "bad.csv:3" in capsys.readouterr().err


def test_evaluate_without_labels_explains(demo_run: Path, write_jsonl, capsys) -> None:
    path = write_jsonl([{"text": "Cikk szövege.", "target": "Állítás."}])
    assert main(["evaluate", str(demo_run / "model"), str(path)]) == 2
    assert "no gold labels" in capsys.readouterr().err


def test_missing_model_dir_is_a_clear_error(tmp_path: Path, write_jsonl, capsys) -> None:
    path = write_jsonl([{"text": "x", "target": "y"}])
    assert main(["predict", str(tmp_path / "nope"), str(path)]) == 2
    assert "no such model directory" in capsys.readouterr().err


def _train_records(tmp_path: Path, rows: list[dict] | bytes, *extra: str) -> tuple[int, Path]:
    path = tmp_path / "train.jsonl"
    if isinstance(rows, bytes):
        path.write_bytes(rows)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    run = tmp_path / "run"
    code = main(["train", "data=records", f"data.train={path}", f"hydra.run.dir={run}", *extra])
    return code, run


def _demo_rows(n: int = 60) -> list[dict]:
    return [
        {
            "id": r.id,
            "text": r.text,
            "topic": r.topic,
            "stance": r.stance,
            "target": r.target,
            "group": r.group,
        }
        for r in read_records(demo_path())[:n]
    ]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (
            lambda rows: [{k: v for k, v in r.items() if k != "stance"} for r in rows],
            "no record has a 'stance' label",
        ),
        (lambda rows: [{**r, "topic": "economy"} for r in rows], "has only one class"),
        (lambda rows: [*rows[:3], {**rows[3], "target": None}, *rows[4:]], ":4, field 'target'"),
        (lambda rows: [*rows[:5], {**rows[5], "text": ""}, *rows[6:]], ":6, field 'text'"),
    ],
    ids=["label_field_absent", "one_class", "stance_without_target", "empty_text"],
)
def test_train_bad_data_exits_2_without_artifact(
    mutate, expected: str, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    code, run = _train_records(tmp_path, mutate(_demo_rows()))
    assert code == 2
    assert expected in capsys.readouterr().err
    assert not (run / "model").exists() and (run / "error.json").exists()


def test_train_non_utf8_data_suggests_encoding(tmp_path: Path, capsys) -> None:
    rows = _demo_rows(20)
    raw = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode("utf-8")
    raw += b'{"text": "\xe9", "topic": "x"}\n'
    code, _ = _train_records(tmp_path, raw)
    assert code == 2
    assert "data.encodings=[utf-8,latin-1]" in capsys.readouterr().err


def test_train_missing_required_value_names_key(tmp_path: Path, capsys) -> None:
    code = main(["train", "data=records", f"hydra.run.dir={tmp_path}"])
    assert code == 2
    assert "data.train" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("model.params.C=abc", "'C' parameter"),
        ("+model.params.bogus=1", "unknown parameter(s) ['bogus']"),
        ("tasks=[sentiment]", "config 'tasks'"),
        ("split.test_size=0.9", "split.test_size"),
        ("features.text.lang=xx", "'lang' parameter of TextVectorizer"),
    ],
)
def test_train_bad_config_value_exits_2(
    override: str, expected: str, tmp_path: Path, capsys
) -> None:
    code = main(["train", override, f"hydra.run.dir={tmp_path}"])
    assert code == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err


def test_train_unknown_config_option_fails(tmp_path: Path, capsys) -> None:
    assert main(["train", "model=nope", f"hydra.run.dir={tmp_path}"]) != 0
    assert "Could not find 'model/nope'" in capsys.readouterr().err


def test_model_copied_elsewhere_still_loads(demo_run: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copied"
    shutil.copytree(demo_run / "model", copy)
    assert newsclf.load(copy).tasks == ["topic", "stance"]


def test_version_flag_and_help(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and "newsclf" in capsys.readouterr().out
    assert main([]) == 2
