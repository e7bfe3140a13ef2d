"""``eval=cv``: grouped, stratified folds; out-of-fold predictions equal to a fit on the other
folds; per-fold, mean ± sd and pooled metrics; determinism; ``newsclf compare`` on a CV sweep."""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hydra import compose, initialize_config_module
from sklearn.metrics import accuracy_score, f1_score

from newsclf.cli import main
from newsclf.data.records import Record
from newsclf.data.splits import cv_folds
from newsclf.errors import ConfigError, DataError
from newsclf.pipeline import build_pipeline, task_inputs
from newsclf.reports.compare import compare_runs, find_runs, format_markdown

# timings and where things went: not results
VOLATILE = {"train_seconds", "eval_seconds", "total_seconds", "model_dir", "overrides"}

WORDS = {
    "economy": ["inflation", "bank", "rates", "budget", "forint", "prices"],
    "sport": ["match", "goal", "striker", "league", "coach", "final"],
    "culture": ["film", "novel", "theatre", "concert", "museum", "poet"],
}


def _tiny_rows(n_groups: int = 6, per_group: int = 2) -> list[dict]:
    """Per topic ``n_groups`` stories of ``per_group`` articles each: two words of the topic,
    two of a random topic (seeded), so the folds make some mistakes and score differently."""
    rng = np.random.default_rng(0)
    topics = list(WORDS)
    rows = []
    for topic, words in WORDS.items():
        for g in range(n_groups):
            for j in range(per_group):
                noise = WORDS[topics[rng.integers(len(topics))]]
                w = [*rng.choice(words, 2), *rng.choice(noise, 2)]
                rows.append(
                    {
                        "id": f"{topic}-{g}-{j}",
                        "text": f"The {w[0]} and the {w[2]} news: {w[1]}, {w[3]} today.",
                        "topic": topic,
                        "group": f"{topic}-story-{g}",
                    }
                )
    return rows


def _records(rows: list[dict]) -> list[Record]:
    return [Record(line=i, **row) for i, row in enumerate(rows, 1)]


def _cv_args(run_dir: Path, *extra: str) -> list[str]:
    return ["train", f"hydra.run.dir={run_dir}", "tasks=[topic]", "eval=cv", *extra]


def _metrics(run_dir: Path) -> dict:
    payload = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    for task in payload["tasks"].values():
        task.pop("train_seconds", None)
    return {k: v for k, v in payload.items() if k not in VOLATILE}


def _predictions(run_dir: Path) -> list[dict]:
    lines = (run_dir / "predictions.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


# --- fold assignment -------------------------------------------------------------------------


def test_folds_keep_each_group_in_one_fold_and_every_class_in_every_fold() -> None:
    records = _records(_tiny_rows(n_groups=10, per_group=2))
    fold_of, scheme = cv_folds(records, folds=5, stratify="topic", seed=0)
    assert "grouped by group" in scheme
    assert sorted(set(fold_of)) == [0, 1, 2, 3, 4]
    folds_of_group: dict[str, set[int]] = {}
    for record, k in zip(records, fold_of, strict=True):
        folds_of_group.setdefault(record.group, set()).add(int(k))
    assert all(len(ks) == 1 for ks in folds_of_group.values())
    # 10 stories of 2 per topic over 5 folds: stratified means 2 stories (4 records) each
    for k in range(5):
        counts = Counter(r.topic for r, f in zip(records, fold_of, strict=True) if f == k)
        assert counts == {"economy": 4, "sport": 4, "culture": 4}


def test_folds_without_groups_are_stratified_record_by_record() -> None:
    rows = _tiny_rows(n_groups=5, per_group=3)
    for row in rows:
        del row["group"]
    records = _records(rows)
    fold_of, scheme = cv_folds(records, folds=5, stratify="topic", seed=0)
    assert "grouped" not in scheme
    for k in range(5):
        counts = Counter(r.topic for r, f in zip(records, fold_of, strict=True) if f == k)
        assert counts == {"economy": 3, "sport": 3, "culture": 3}


def test_folds_follow_the_seed() -> None:
    records = _records(_tiny_rows(n_groups=10))
    first, _ = cv_folds(records, folds=5, stratify="topic", seed=1)
    again, _ = cv_folds(records, folds=5, stratify="topic", seed=1)
    other, _ = cv_folds(records, folds=5, stratify="topic", seed=2)
    assert first.tolist() == again.tolist()
    assert first.tolist() != other.tolist()


def test_bad_fold_counts_are_refused_with_the_key_or_the_field() -> None:
    records = _records(_tiny_rows(n_groups=2))  # 6 stories in all
    with pytest.raises(ConfigError, match=r"eval\.folds"):
        cv_folds(records, folds=1, stratify="topic", seed=0)
    with pytest.raises(DataError, match="only 6 distinct groups"):
        cv_folds(records, folds=7, stratify="topic", seed=0)
    with pytest.raises(ConfigError, match=r"eval\.group_field"):
        cv_folds(records, folds=2, stratify="topic", seed=0, group_field="story")


# --- a CV run on a tiny corpus ---------------------------------------------------------------


TINY_OVERRIDES = ["model=logreg", "features=word", "eval.folds=3", "eval.resamples=50"]


@pytest.fixture(scope="module")
def tiny_cv_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(run dir, corpus) of a 3-fold CV run on the tiny corpus."""
    root = tmp_path_factory.mktemp("tiny_cv")
    corpus = root / "tiny.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in _tiny_rows()), encoding="utf-8")
    run_dir = root / "run"
    args = _cv_args(run_dir, "data=records", f"data.train={corpus}", *TINY_OVERRIDES)
    assert main(args) == 0
    return run_dir, corpus


def test_out_of_fold_predictions_equal_a_fit_on_the_other_folds(
    tiny_cv_run: tuple[Path, Path],
) -> None:
    run_dir, corpus = tiny_cv_run
    rows = _predictions(run_dir)
    records = _records(_tiny_rows())
    assert [r["id"] for r in rows] == [r.id for r in records]  # every record, in file order
    fold = 2
    train = [rec for rec, row in zip(records, rows, strict=True) if row["fold"] != fold]
    held = [rec for rec, row in zip(records, rows, strict=True) if row["fold"] == fold]
    assert train and held
    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        cfg = compose(
            config_name="config",
            overrides=[
                "data=records",
                f"data.train={corpus}",
                "tasks=[topic]",
                "eval=cv",
                *TINY_OVERRIDES,
            ],
        )
    pipeline = build_pipeline(cfg, "topic")
    pipeline.fit(task_inputs(train, "topic"), [r.topic for r in train])
    proba = pipeline.predict_proba(task_inputs(held, "topic"))
    expected = {
        rec.id: {str(c): round(float(p), 6) for c, p in zip(pipeline.classes_, ps, strict=True)}
        for rec, ps in zip(held, proba, strict=True)
    }
    got = {row["id"]: row["topic_scores"] for row in rows if row["fold"] == fold}
    assert got == expected
    assert all(row["topic"] == max(row["topic_scores"], key=row["topic_scores"].get)
               for row in rows if row["fold"] == fold)  # fmt: skip


def test_per_fold_mean_sd_and_pooled_metrics_match_a_hand_computation(
    tiny_cv_run: tuple[Path, Path],
) -> None:
    run_dir, _ = tiny_cv_run
    rows = _predictions(run_dir)
    topic = json.loads((run_dir / "metrics.json").read_text())["tasks"]["topic"]
    cv = topic["cv"]
    assert cv["folds"] == 3 and [f["fold"] for f in cv["per_fold"]] == [1, 2, 3]
    for entry in cv["per_fold"]:
        gold = [r["topic_gold"] for r in rows if r["fold"] == entry["fold"]]
        pred = [r["topic"] for r in rows if r["fold"] == entry["fold"]]
        assert entry["n"] == len(gold)
        assert entry["macro_f1"] == pytest.approx(f1_score(gold, pred, average="macro"))
        assert entry["accuracy"] == pytest.approx(accuracy_score(gold, pred))
    for key in ("macro_f1", "accuracy"):
        values = [f[key] for f in cv["per_fold"]]
        assert cv["mean"][key] == pytest.approx(np.mean(values))
        assert cv["sd"][key] == pytest.approx(np.std(values, ddof=1))
    gold = [r["topic_gold"] for r in rows]
    pred = [r["topic"] for r in rows]
    assert topic["n"] == len(rows) == 36
    assert topic["macro_f1"] == pytest.approx(f1_score(gold, pred, average="macro"))
    assert topic["accuracy"] == pytest.approx(accuracy_score(gold, pred))


def test_cv_run_saves_a_model_fitted_on_all_records(tiny_cv_run: tuple[Path, Path]) -> None:
    import newsclf

    run_dir, _ = tiny_cv_run
    payload = json.loads((run_dir / "metrics.json").read_text())
    assert payload["eval"] == "cv" and payload["n_train"] == payload["n_eval"] == 36
    manifest = json.loads((run_dir / "model" / "manifest.json").read_text())
    assert manifest["metrics"]["topic"]["cv"]["folds"] == 3
    clf = newsclf.load(run_dir / "model")
    assert clf.labels["topic"] == ["culture", "economy", "sport"]


def test_rerunning_a_finished_cv_run_skips_it(
    tiny_cv_run: tuple[Path, Path], capsys: pytest.CaptureFixture
) -> None:
    # the CV run's config hash and data fingerprint are the ones the resume check computes
    run_dir, corpus = tiny_cv_run
    before = (run_dir / "metrics.json").stat().st_mtime_ns
    args = _cv_args(run_dir, "data=records", f"data.train={corpus}", *TINY_OVERRIDES)
    capsys.readouterr()
    assert main(args) == 0
    assert f"skipped: {run_dir}" in capsys.readouterr().err
    assert (run_dir / "metrics.json").stat().st_mtime_ns == before


def test_cv_with_a_test_file_folds_the_training_file_only(tmp_path: Path) -> None:
    rows = _tiny_rows()
    train, test = tmp_path / "train.jsonl", tmp_path / "test.jsonl"
    train.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    extra = [{**r, "id": f"test-{r['id']}"} for r in rows[:5]]
    test.write_text("".join(json.dumps(r) + "\n" for r in extra), encoding="utf-8")
    args = ["data=records", f"data.train={train}", f"data.test={test}", *TINY_OVERRIDES]
    assert main(_cv_args(tmp_path / "run", *args)) == 0
    payload = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert "the test file is not used" in payload["split"]
    assert payload["eval_ids"] == [r["id"] for r in rows]


def test_streaming_trainer_with_cv_is_refused(tmp_path: Path) -> None:
    args = ["train", f"hydra.run.dir={tmp_path}", "experiment=streaming", "eval=cv"]
    assert main([*args, "tasks=[topic]"]) == 2
    error = json.loads((tmp_path / "error.json").read_text())
    assert error["error"] == "ConfigError"
    assert "config 'eval'" in error["message"] and "trainer=memory with eval=cv" in error["message"]
    assert not (tmp_path / "metrics.json").exists()


def test_compare_refuses_a_cv_run_against_a_holdout_run(
    tiny_cv_run: tuple[Path, Path], tmp_path: Path
) -> None:
    run_dir, _ = tiny_cv_run
    holdout = tmp_path / "holdout"
    holdout.mkdir()
    rows = _predictions(run_dir)
    for row in rows:
        del row["fold"]
    (holdout / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    metrics = json.loads((run_dir / "metrics.json").read_text())
    del metrics["tasks"]["topic"]["cv"]
    (holdout / "metrics.json").write_text(json.dumps(metrics))
    with pytest.raises(DataError, match=r"cross-validation run.*hold-out run"):
        compare_runs(find_runs([run_dir, holdout]), n_resamples=10)


def test_compare_marks_cv_runs_whose_folds_differ(
    tiny_cv_run: tuple[Path, Path], tmp_path: Path
) -> None:
    run_dir, _ = tiny_cv_run
    other = tmp_path / "other"
    shutil.copytree(run_dir, other)
    rows = _predictions(run_dir)
    for row in rows:
        row["fold"] = 3 - row["fold"] if row["fold"] < 3 else 3  # folds 1 and 2 swapped
    (other / "predictions.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    comparison = compare_runs(find_runs([run_dir, other]), n_resamples=10)
    assert comparison.tasks[0].cv == {"folds": {"run": 3, "other": 3}, "same_folds": False}
    assert "the runs' folds differ" in format_markdown(comparison)
    same = compare_runs(find_runs([run_dir, run_dir / ".." / "run"]), n_resamples=10)
    assert same.tasks[0].cv["same_folds"] is True


# --- the demo corpus: determinism and a 3-model sweep ----------------------------------------

DEMO_OVERRIDES = ["eval.folds=3", "eval.resamples=200"]


@pytest.fixture(scope="module")
def demo_cv_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``newsclf train -m eval=cv model=linear_svm,logreg,complement_nb`` (topic, 3 folds)."""
    sweep = tmp_path_factory.mktemp("cv_sweep") / "models"
    args = [
        "train",
        "-m",
        "eval=cv",
        "model=linear_svm,logreg,complement_nb",
        "tasks=[topic]",
        *DEMO_OVERRIDES,
        f"hydra.sweep.dir={sweep}",
    ]
    assert main(args) == 0
    return sweep


def test_demo_cv_is_deterministic_for_a_seed(
    demo_cv_sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    # job 0 of the sweep is the default model: the same config as this single run
    capsys.readouterr()
    assert main(_cv_args(tmp_path, *DEMO_OVERRIDES)) == 0
    again = (tmp_path / "predictions.jsonl").read_bytes()
    assert again == (demo_cv_sweep / "0" / "predictions.jsonl").read_bytes()
    assert _metrics(tmp_path) == _metrics(demo_cv_sweep / "0")
    folds = {row["fold"] for row in _predictions(tmp_path)}
    assert folds == {1, 2, 3}
    cv = _metrics(tmp_path)["tasks"]["topic"]["cv"]
    printed = capsys.readouterr().out
    assert (
        f"topic: 3-fold CV, mean ± sd over folds: macro-F1 {cv['mean']['macro_f1']:.3f} ± "
        in printed
    )


def test_compare_on_a_cv_sweep_prints_fold_mean_sd_and_p_values(
    demo_cv_sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    out = tmp_path / "compare"
    assert main(["compare", str(demo_cv_sweep), "--out", str(out), "--resamples", "200"]) == 0
    printed = capsys.readouterr().out
    assert "3-fold cross-validation, pooled out-of-fold" in printed
    assert "macro_f1 folds mean ± sd" in printed and "macro_f1 OOF [95% CI]" in printed
    payload = json.loads((out / "compare.json").read_text())
    topic = payload["tasks"]["topic"]
    assert topic["n_examples"] == 384 and topic["cv"]["same_folds"] is True
    rows = {r["run"]: r for r in topic["rows"]}
    assert len(rows) == 3
    for name, row in rows.items():
        cv = json.loads((demo_cv_sweep / name.split("/")[-1] / "metrics.json").read_text())
        summary = cv["tasks"]["topic"]["cv"]
        assert row["macro_f1_fold_mean"] == summary["mean"]["macro_f1"]
        assert row["macro_f1_fold_sd"] == summary["sd"]["macro_f1"]
        cell = f"{row['macro_f1_fold_mean']:.3f} ± {row['macro_f1_fold_sd']:.3f}"
        assert cell in printed
        if row["best"]:
            assert row["p_value"] is None
        else:
            assert 0 < row["p_value"] <= 1 and row["p_holm"] >= row["p_value"]
