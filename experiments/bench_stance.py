"""Stance benchmarks (issue 3): each named experiment beside the SVM n-gram baseline.

For each experiment (``semeval2016``, ``ruw``, ``catalonia_ca``, ``catalonia_es``,
``opinhubank``) this trains ``newsclf train experiment=NAME data.root=...`` in-process, then
fits the SemEval-2016 organisers' baseline on the very same training part and scores both on
the very same evaluation part:

    baseline = linear SVM on word 1-3-grams + character 2-5-grams (binary presence features,
               each block L2-normalised), one model per target with >= 20 examples (else one
               pooled model), C chosen by 3-fold cross-validation on the training part from
               {0.03, 0.1, 0.3, 1}.

Evaluation parts: SemEval-2016 and OpinHuBank have no public test split here, so a stratified
20% of the training data is held out (OpinHuBank: grouped by sentence); RUW and Catalonia use
their validation files. Prints a Markdown table (figures with 95% percentile bootstrap CIs, and
a paired approximate-randomisation p-value of the macro-F1 difference); ``--json`` writes all
metrics.

    .venv/bin/python experiments/bench_stance.py --data-root /work/shared/data
    .venv/bin/python experiments/bench_stance.py --data-root DIR --experiments semeval2016
    .venv/bin/python experiments/bench_stance.py --data-root DIR --experiments semeval2016 --cv 5

``--cv K`` reports instead the mean (sd) over K stratified folds of the training file, for a
steadier estimate than one hold-out (the eval parts RUW/Catalonia ship are not used then).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from hydra import compose, initialize_config_module
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from newsclf.cli import main as cli_main
from newsclf.data import Record, load_dataset
from newsclf.evaluation import classification_metrics
from newsclf.evaluation.significance import paired_randomization_test
from newsclf.features.target import target_key

EXPERIMENTS = {
    # experiment name -> dataset folder under --data-root
    "semeval2016": "semeval2016_task6",
    "ruw": "ruw_russia_ukraine_stance",
    "catalonia_ca": "catalonia_independence_corpus",
    "catalonia_es": "catalonia_independence_corpus",
    "opinhubank": "opinhubank",
}
BASELINE_CS = (0.03, 0.1, 0.3, 1.0)
BASELINE_MIN_SAMPLES = 20

log = logging.getLogger("bench_stance")


def _baseline_pipeline() -> GridSearchCV:
    features = FeatureUnion(
        [
            ("word", TfidfVectorizer(ngram_range=(1, 3), binary=True, use_idf=False)),
            (
                "char",
                TfidfVectorizer(analyzer="char", ngram_range=(2, 5), binary=True, use_idf=False),
            ),
        ]
    )
    pipe = Pipeline([("features", features), ("svm", LinearSVC(max_iter=5000))])
    grid = {"svm__C": list(BASELINE_CS)}
    cv = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    return GridSearchCV(pipe, grid, cv=cv, scoring="f1_macro", n_jobs=1)


def baseline_predictions(train: Sequence[Record], evaluation: Sequence[Record]) -> list[str]:
    """Per-target (else pooled) SVM on word 1-3 + char 2-5 n-grams; labels for ``evaluation``."""
    texts = np.asarray([r.text for r in train], dtype=object)
    labels = np.asarray([r.stance for r in train], dtype=object)
    keys = np.asarray([target_key(r.target) for r in train], dtype=object)
    models: dict[str | None, Any] = {}
    for key in sorted(set(keys)):
        mask = keys == key
        if mask.sum() >= BASELINE_MIN_SAMPLES and len(set(labels[mask])) >= 2:
            if min(np.unique(labels[mask], return_counts=True)[1]) >= 3:
                models[key] = _baseline_pipeline().fit(texts[mask], labels[mask])
    eval_keys = [target_key(r.target) for r in evaluation]
    if any(k not in models for k in eval_keys):
        models[None] = _baseline_pipeline().fit(texts, labels)
    out = np.empty(len(evaluation), dtype=object)
    eval_texts = np.asarray([r.text for r in evaluation], dtype=object)
    eval_keys_arr = np.asarray(eval_keys, dtype=object)
    for key in set(eval_keys):
        rows = eval_keys_arr == key
        out[rows] = models.get(key, models.get(None)).predict(eval_texts[rows])
    return [str(v) for v in out]


def _compose(overrides: list[str]) -> Any:
    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        return compose(config_name="config", overrides=overrides)


def _headline(m: dict[str, Any]) -> str:
    if "favg" in m:
        low, high = m["favg"]["ci"]
        return f"F_avg {m['favg']['score']:.2f} [{low:.2f}, {high:.2f}]"
    return "-"


def _f1(m: dict[str, Any]) -> str:
    low, high = m["macro_f1_ci"]
    return f"{100 * m['macro_f1']:.2f} [{100 * low:.2f}, {100 * high:.2f}]"


def _acc(m: dict[str, Any], ci: tuple[float, float]) -> str:
    return f"{100 * m['accuracy']:.2f} [{100 * ci[0]:.2f}, {100 * ci[1]:.2f}]"


def bench_one(
    name: str, data_root: Path, work: Path, overrides: list[str], resamples: int, baseline: bool
) -> dict[str, Any]:
    """Train one experiment and its baseline on the same split; return their metrics."""
    from newsclf.evaluation import bootstrap_ci

    run_dir = work / name
    argv = [
        f"experiment={name}",
        f"data.root={data_root / EXPERIMENTS[name]}",
        f"hydra.run.dir={run_dir}",
        f"eval.resamples={resamples}",
        "force=true",
        *overrides,
    ]
    started = time.perf_counter()
    with contextlib.redirect_stdout(sys.stderr):  # the run's own table goes to the log
        code = cli_main(["train", *argv])
    wall = time.perf_counter() - started
    if code != 0:
        raise SystemExit(f"newsclf train {' '.join(argv)} failed with status {code}")
    payload = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    cfg = _compose(argv)
    dataset = load_dataset(cfg.data)
    by_id = {r.id: r for r in (dataset.test if dataset.test is not None else dataset.train)}
    eval_ids = set(payload["eval_ids"])
    evaluation = [by_id[i] for i in payload["eval_ids"]]
    if dataset.test is not None:
        train = dataset.train
    else:
        train = [r for r in dataset.train if r.id not in eval_ids]
    rows = [json.loads(line) for line in (run_dir / "predictions.jsonl").open(encoding="utf-8")]
    gold = [r.stance for r in evaluation]
    ours = [row["stance"] for row in rows]
    labels = sorted(set(gold) | set(ours))
    result: dict[str, Any] = {
        "experiment": name,
        "split": payload["split"],
        "n_train": len(train),
        "n_eval": len(evaluation),
        "train_seconds": payload["train_seconds"],
        "run_seconds": round(wall, 1),
        "ours": payload["tasks"]["stance"],
        "ours_accuracy_ci": bootstrap_ci(
            gold, ours, metric="accuracy", labels=labels, n_resamples=resamples, seed=int(cfg.seed)
        ),
    }
    if baseline:
        t0 = time.perf_counter()
        base = baseline_predictions(train, evaluation)
        result["baseline_seconds"] = round(time.perf_counter() - t0, 1)
        labels = sorted(set(labels) | set(base))
        result["baseline"] = classification_metrics(
            gold, base, labels=labels, n_resamples=resamples, seed=int(cfg.seed)
        )
        result["baseline_accuracy_ci"] = bootstrap_ci(
            gold, base, metric="accuracy", labels=labels, n_resamples=resamples, seed=int(cfg.seed)
        )
        test = paired_randomization_test(gold, ours, base, metric="macro_f1", labels=labels)
        result["p_macro_f1"] = test.p_value
    return result


def _weighted_favg(gold: list[str], pred: list[str], prior: dict[str, float]) -> float:
    """F_avg with each eval example weighted by ``prior[label] / share of label in gold``: the
    F_avg the same predictions would get on a test set with the label shares of ``prior``."""
    from sklearn.metrics import f1_score

    gold_arr = np.asarray(gold, dtype=object)
    share = {label: np.mean(gold_arr == label) for label in prior}
    weights = np.asarray([prior[g] / share[g] for g in gold], dtype=float)
    f1 = f1_score(gold, pred, labels=["FAVOR", "AGAINST"], average=None, sample_weight=weights)
    return float(100 * np.mean(f1))


def cross_validate(
    name: str,
    data_root: Path,
    folds: int,
    overrides: list[str],
    prior: dict[str, float] | None = None,
) -> dict[str, Any]:
    """F_avg / macro-F1 of the experiment and the baseline over ``folds`` stratified folds of the
    training file (a steadier estimate than one 20% hold-out; no artifact is written).

    With ``prior`` (label -> share), also the F_avg under that label distribution
    (``*_favg_prior``): the eval examples are reweighted to it, e.g. to the published label
    counts of a test set whose label shares differ from training (SemEval-2016's has more
    AGAINST)."""
    from newsclf.pipeline import TaskModel, build_pipeline

    cfg = _compose([f"experiment={name}", f"data.root={data_root / EXPERIMENTS[name]}", *overrides])
    records = load_dataset(cfg.data).train
    y = np.asarray([r.stance for r in records], dtype=object)
    scores: dict[str, list[float]] = {
        "ours_favg": [],
        "base_favg": [],
        "ours_f1": [],
        "base_f1": [],
    }
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=int(cfg.seed))
    for k, (tr, ev) in enumerate(cv.split(np.zeros(len(y)), y)):
        train, evaluation = [records[i] for i in tr], [records[i] for i in ev]
        model = TaskModel(build_pipeline(cfg, "stance"), input="pair", include_title=False)
        model.pipeline.fit(model.inputs(train), [r.stance for r in train])
        gold = [r.stance for r in evaluation]
        for who, pred in (
            ("ours", list(model.pipeline.predict(model.inputs(evaluation)))),
            ("base", baseline_predictions(train, evaluation)),
        ):
            m = classification_metrics(gold, pred, n_resamples=1)
            scores[f"{who}_f1"].append(100 * m["macro_f1"])
            if "favg" in m:
                scores[f"{who}_favg"].append(m["favg"]["score"])
                if prior:
                    scores.setdefault(f"{who}_favg_prior", []).append(
                        _weighted_favg(gold, pred, prior)
                    )
        log.info("%s fold %d: %s", name, k, {key: v[-1] for key, v in scores.items() if v})
    return {key: (float(np.mean(v)), float(np.std(v))) for key, v in scores.items() if v}


def _table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| experiment | eval part | n train / eval | system | F_avg [95% CI] | macro-F1 [95% CI] "
        "| accuracy [95% CI] | train s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        common = f"| {r['experiment']} | {r['split']} | {r['n_train']} / {r['n_eval']} "
        lines.append(
            common + f"| newsclf | {_headline(r['ours'])} | {_f1(r['ours'])} "
            f"| {_acc(r['ours'], r['ours_accuracy_ci'])} | {r['train_seconds']:.1f} |"
        )
        if "baseline" in r:
            lines.append(
                common + f"| SVM n-gram baseline | {_headline(r['baseline'])} "
                f"| {_f1(r['baseline'])} | {_acc(r['baseline'], r['baseline_accuracy_ci'])} "
                f"| {r['baseline_seconds']:.1f} |"
            )
    lines.append("")
    lines.append(
        "paired approximate randomisation, macro-F1 newsclf vs baseline: "
        + ", ".join(
            f"{r['experiment']} p={r['p_macro_f1']:.4f}" for r in results if "p_macro_f1" in r
        )
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--data-root",
        type=Path,
        required=True,
        help="folder holding the dataset folders (e.g. /work/shared/data)",
    )
    parser.add_argument(
        "--experiments", nargs="+", default=list(EXPERIMENTS), choices=list(EXPERIMENTS)
    )
    parser.add_argument(
        "--override",
        action="append",
        default=[],
        help="extra Hydra override for every experiment (repeatable)",
    )
    parser.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--json", type=Path, help="write all metrics here")
    parser.add_argument("--work-dir", type=Path, help="keep run dirs here (default: temp dir)")
    parser.add_argument(
        "--cv",
        type=int,
        default=0,
        metavar="K",
        help="instead: K-fold stratified CV of experiment and baseline on the "
        "training file (mean and sd over folds)",
    )
    parser.add_argument(
        "--prior",
        metavar="LABEL=N,...",
        help="with --cv: also report F_avg with the eval folds reweighted to these label counts "
        "(e.g. a test set's published label counts)",
    )
    args = parser.parse_args(argv)
    prior = None
    if args.prior:
        try:
            counts = {k: float(v) for k, v in (item.split("=") for item in args.prior.split(","))}
        except ValueError:
            parser.error(f"--prior: expected LABEL=N,LABEL=N,... got {args.prior!r}")
        prior = {k: v / sum(counts.values()) for k, v in counts.items()}
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", stream=sys.stderr
    )
    if args.cv:
        for name in args.experiments:
            cv = cross_validate(name, args.data_root.absolute(), args.cv, args.override, prior)
            print(
                f"{name}: {args.cv}-fold CV, mean (sd) over folds: "
                + ", ".join(f"{key} {mean:.2f} ({sd:.2f})" for key, (mean, sd) in cv.items()),
                flush=True,
            )
        return 0
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work_dir or Path(tmp)
        for name in args.experiments:
            log.info("experiment %s", name)
            results.append(
                bench_one(
                    name,
                    args.data_root.absolute(),
                    work,
                    args.override,
                    args.resamples,
                    not args.no_baseline,
                )
            )
            print("\n".join(_table(results[-1:]).split("\n")[2:4]), flush=True)
    print()
    print(_table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=float) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
