"""Metrics per slice (language, outlet, target): hand-computed cases, flags and the demo run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from newsclf.data.records import Record
from newsclf.errors import ConfigError
from newsclf.evaluation.breakdown import (
    MISSING_SLICE,
    breakdown,
    check_breakdown_fields,
    format_breakdowns,
    slice_value,
)
from newsclf.evaluation.favg import f_avg
from newsclf.evaluation.report import EvalEvidence, eval_options, task_report

GOLD = ["a", "b", "b", "a", "b"]
PRED = ["a", "a", "b", "b", "b"]
LANG = ["hu", "hu", "hu", "en", "en"]


def test_each_slice_gets_its_own_n_accuracy_and_macro_f1() -> None:
    result = breakdown(GOLD, PRED, LANG, labels=["a", "b"], n_resamples=0, min_slice=3)
    assert list(result) == ["en", "hu"]
    # hu: (a,a) (b,a) (b,b): accuracy 2/3; F1 a = 2*1/(1+2) = 2/3, F1 b = 2*1/(2+1) = 2/3
    hu = result["hu"]
    assert hu["n"] == 3
    assert hu["accuracy"] == pytest.approx(2 / 3)
    assert hu["macro_f1"] == pytest.approx(2 / 3)
    # en: (a,b) (b,b): accuracy 1/2; F1 a = 0, F1 b = 2*1/(1+2) = 2/3; macro (0 + 2/3) / 2
    en = result["en"]
    assert en["n"] == 2
    assert en["accuracy"] == pytest.approx(0.5)
    assert en["macro_f1"] == pytest.approx(1 / 3)


def test_slices_below_the_minimum_are_flagged_not_hidden() -> None:
    result = breakdown(GOLD, PRED, LANG, labels=["a", "b"], n_resamples=50, min_slice=3)
    assert result["en"]["small"] is True
    assert result["en"]["macro_f1"] == pytest.approx(1 / 3)  # scored all the same
    assert result["en"]["macro_f1_ci"] is None  # but no bootstrap of 2 examples
    assert result["hu"]["small"] is False
    low, high = result["hu"]["macro_f1_ci"]
    assert low <= result["hu"]["macro_f1"] <= high


def test_records_without_a_value_form_the_none_slice_listed_last() -> None:
    values = ["x", None, "x", None, "a"]
    result = breakdown(GOLD, PRED, values, labels=["a", "b"], n_resamples=0)
    assert list(result) == ["a", "x", MISSING_SLICE]
    assert result[MISSING_SLICE]["n"] == 2


STANCE_GOLD = ["FAVOR", "AGAINST", "NONE", "AGAINST", "AGAINST"]
STANCE_PRED = ["FAVOR", "NONE", "NONE", "AGAINST", "FAVOR"]
TARGETS = ["T1", "T1", "T1", "T2", "T2"]


def test_per_target_favg_is_pinned_by_hand() -> None:
    result = breakdown(
        STANCE_GOLD, STANCE_PRED, TARGETS, labels=["AGAINST", "FAVOR", "NONE"], n_resamples=0
    )
    # T1: F1 FAVOR 2*1/(1+1) = 1, F1 AGAINST 0 (its one example predicted NONE): 50
    assert result["T1"]["favg"]["score"] == pytest.approx(50.0)
    # T2: F1 FAVOR 0 (one false FAVOR), F1 AGAINST 2*1/(2+1) = 2/3: (0 + 66.67) / 2
    assert result["T2"]["favg"]["score"] == pytest.approx(100 / 3)
    assert result["T2"]["favg"]["f1_against"] == pytest.approx(200 / 3)


def test_per_target_favg_equals_favg_on_the_target_subset() -> None:
    result = breakdown(
        STANCE_GOLD,
        STANCE_PRED,
        TARGETS,
        labels=["AGAINST", "FAVOR", "NONE"],
        n_resamples=50,
        min_slice=2,
    )
    for target in ("T1", "T2"):
        idx = [i for i, t in enumerate(TARGETS) if t == target]
        subset = f_avg([STANCE_GOLD[i] for i in idx], [STANCE_PRED[i] for i in idx])
        assert result[target]["favg"]["score"] == pytest.approx(subset)


def test_slices_get_calibration_when_probabilities_are_given() -> None:
    proba = [[0.9, 0.1], [0.6, 0.4], [0.2, 0.8], [0.5, 0.5], [0.0, 1.0]]
    result = breakdown(GOLD, PRED, LANG, labels=["a", "b"], proba=proba, n_resamples=0)
    # en: (0.5² + 0.5²) = 0.5 and 0 -> Brier 0.25; ECE: bin 5 (0.5, wrong) and bin 9 (1.0, right)
    assert result["en"]["calibration"]["brier"] == pytest.approx(0.25)
    assert result["en"]["calibration"]["ece"] == pytest.approx(0.25)


def test_lang_is_the_records_own_else_the_detected_language() -> None:
    hungarian = "A kormány szerint a forint árfolyama és az infláció is javult az év végére."
    english = "The government said that the currency and the inflation rate improved this year."
    assert slice_value(Record(text=hungarian, id="1", line=1), "lang") == "hu"
    assert slice_value(Record(text=english, id="2", line=2), "lang") == "en"
    assert slice_value(Record(text=hungarian, id="3", line=3, lang="en"), "lang") == "en"
    assert slice_value(Record(text=english, id="4", line=4), "group") is None


def test_unknown_breakdown_fields_are_refused_with_the_config_key() -> None:
    with pytest.raises(ConfigError, match=r"eval\.breakdowns"):
        check_breakdown_fields(["lang", "outlet"])


def test_eval_options_default_what_the_eval_group_does_not_set() -> None:
    options = eval_options(OmegaConf.create({"resamples": 10, "confidence": 0.9}))
    assert options == {
        "n_resamples": 10,
        "confidence": 0.9,
        "by": ["lang", "group", "target"],
        "min_slice": 20,
        "calibration_bins": 10,
    }
    with pytest.raises(ConfigError, match="min_slice"):
        eval_options(OmegaConf.create({"min_slice": -1}))


def test_task_report_skips_fields_no_record_has() -> None:
    evidence = EvalEvidence({"topic": ["a", "b"]}, ["lang", "group"])
    records = [
        Record(text="t", id=str(i), line=i, topic=g, lang=lang)
        for i, (g, lang) in enumerate(zip(GOLD, LANG, strict=True))
    ]
    scores = {"a": 0.6, "b": 0.4}
    rows = [
        {"id": r.id, "topic": p, "topic_scores": scores} for r, p in zip(records, PRED, strict=True)
    ]
    evidence.add(records, rows)
    report = task_report(
        GOLD,
        PRED,
        labels=["a", "b"],
        proba=evidence.proba["topic"],
        slices=evidence.slices,
        by=["lang", "group"],
        n_resamples=0,
    )
    assert list(report["breakdowns"]) == ["lang"]
    assert report["calibration"]["bins"] == 10
    assert report["breakdowns"]["lang"]["hu"]["macro_f1"] == pytest.approx(2 / 3)
    text = format_breakdowns({"topic": report})
    assert "topic by lang" in text and "small" in text


def test_demo_run_metrics_have_hu_and_en_breakdowns_for_both_tasks(demo_run: Path) -> None:
    metrics = json.loads((demo_run / "metrics.json").read_text(encoding="utf-8"))
    n_eval = metrics["n_eval"]
    for task in ("topic", "stance"):
        m = metrics["tasks"][task]
        lang = m["breakdowns"]["lang"]
        assert set(lang) == {"hu", "en"}
        assert lang["hu"]["n"] + lang["en"]["n"] == n_eval
        assert {"n", "small", "accuracy", "macro_f1", "macro_f1_ci"} <= set(lang["hu"])
        assert sum(s["n"] for s in m["breakdowns"]["target"].values()) == n_eval
        assert "calibration" in m


def test_evaluate_by_lang_and_group_scores_each_slice(demo_run: Path) -> None:
    import newsclf
    from newsclf.data.loaders import demo_path

    result = newsclf.evaluate(demo_run / "model", demo_path(), resamples=0, by=["lang", "group"])
    for task in ("topic", "stance"):
        breakdowns = result.tasks[task]["breakdowns"]
        assert set(breakdowns) == {"lang", "group"}
        assert sum(s["n"] for s in breakdowns["lang"].values()) == result.n_scored
        assert all(s["small"] for s in breakdowns["group"].values())  # ~5 articles per group
        assert "calibration" in result.tasks[task]
    with pytest.raises(ConfigError, match="outlet"):
        newsclf.evaluate(demo_run / "model", demo_path(), by=["outlet"])


def test_cli_evaluate_by_prints_and_writes_the_slices(
    demo_run: Path, tmp_path: Path, capsys
) -> None:
    from newsclf.cli import main
    from newsclf.data.loaders import demo_path

    out = tmp_path / "m.json"
    args = ["evaluate", str(demo_run / "model"), str(demo_path()), "-o", str(out)]
    assert main([*args, "--resamples", "0", "--by", "lang"]) == 0
    printed = capsys.readouterr().out
    assert "topic by lang" in printed and "stance by lang" in printed
    assert set(json.loads(out.read_text())["tasks"]["topic"]["breakdowns"]["lang"]) == {"hu", "en"}
    assert main([*args, "--by", "outlet"]) == 2
    assert "lang, group, target" in capsys.readouterr().err


def test_semeval_style_run_reports_per_target_favg(tmp_path: Path, write_jsonl) -> None:
    """A FAVOR/AGAINST/NONE stance run: every target's F_avg is F_avg of its own examples."""
    import random

    from newsclf.cli import main

    rng = random.Random(0)
    words = {"FAVOR": "support great yes", "AGAINST": "oppose terrible no", "NONE": "weather lunch"}
    targets = ["Atheism", "Climate Change", "Feminism", "Hillary Clinton", "Abortion"]
    rows = []
    for i in range(300):
        target, stance = targets[i % 5], rng.choice(list(words))
        text = f"{words[stance]} {rng.choice(['today', 'really', 'again'])} about {target}"
        rows.append({"id": f"t{i}", "text": text, "target": target, "stance": stance})
    data = write_jsonl(rows, "semeval.jsonl")
    run = tmp_path / "run"
    overrides = [f"data.train={data}", "tasks=[stance]", "eval.resamples=0"]
    assert (
        main(["train", "data=records", *overrides, "split=stratified", f"hydra.run.dir={run}"]) == 0
    )
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))["tasks"]["stance"]
    per_target = metrics["breakdowns"]["target"]
    assert set(per_target) == set(targets)
    predictions = [
        json.loads(line) for line in (run / "predictions.jsonl").read_text().splitlines()
    ]
    by_id = {r["id"]: r["target"] for r in rows}
    for target, m in per_target.items():
        mine = [p for p in predictions if by_id[p["id"]] == target]
        assert m["n"] == len(mine)
        expected = f_avg([p["stance_gold"] for p in mine], [p["stance"] for p in mine])
        assert m["favg"]["score"] == pytest.approx(expected)
