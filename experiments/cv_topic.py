"""K-fold cross-validation of a named topic experiment (issue 4: BBC, Hungarian rovat).

Composes ``experiment=NAME data.root=DIR`` exactly as ``newsclf train`` would, then fits the
topic pipeline once per fold and scores the out-of-fold predictions:

- default: ``StratifiedKFold(--folds, shuffle, seed)`` over all records;
- ``--by-group``: leave one group out (``group``: the site for ``hu_rovat``), so every fold is
  scored on a source the model never saw.

Prints per-fold accuracy / macro-F1 and training time, their mean and standard deviation, and
the pooled out-of-fold accuracy and macro-F1 with a 95% percentile bootstrap CI
(:func:`newsclf.evaluation.classification_metrics`).

    .venv/bin/python experiments/cv_topic.py --experiment bbc --data-root /work/shared/data/bbc_news
    .venv/bin/python experiments/cv_topic.py --experiment hu_rovat \\
        --data-root /work/shared/data/hungarian_news_rovat_2025 [--by-group]
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import numpy as np
from hydra import compose, initialize_config_module
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold

from newsclf.data import load_dataset
from newsclf.evaluation import classification_metrics
from newsclf.pipeline import TaskModel, build_pipeline


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--experiment", required=True)
    parser.add_argument("--data-root", required=True)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--by-group", action="store_true", help="leave one group out")
    parser.add_argument("--override", action="append", default=[], help="extra Hydra override")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        cfg = compose(
            config_name="config",
            overrides=[
                f"experiment={args.experiment}",
                f"data.root={args.data_root}",
                *args.override,
            ],
        )
    records = load_dataset(cfg.data).train
    include_title = bool(cfg.features.get("include_title", True))
    probe = TaskModel(
        pipeline=build_pipeline(cfg, "topic"), input="text", include_title=include_title
    )
    X = np.asarray(probe.inputs(records), dtype=object)
    y = np.asarray([r.topic for r in records], dtype=object)
    groups = np.asarray([r.group or "" for r in records], dtype=object)
    if args.by_group:
        folds = list(LeaveOneGroupOut().split(X, y, groups))
        scheme = f"leave-one-group-out ({len(folds)} groups)"
    else:
        cv = StratifiedKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
        folds = list(cv.split(X, y))
        scheme = f"stratified {args.folds}-fold (seed {args.seed})"
    print(f"experiment={args.experiment}: {len(records)} records, {len(set(y))} labels, {scheme}")
    oof = np.empty(len(y), dtype=object)
    rows = []
    for i, (train_idx, test_idx) in enumerate(folds, start=1):
        pipeline = build_pipeline(cfg, "topic")
        t0 = time.perf_counter()
        pipeline.fit(list(X[train_idx]), list(y[train_idx]))
        fit_s = time.perf_counter() - t0
        pred = pipeline.predict(list(X[test_idx]))
        oof[test_idx] = pred
        acc = 100 * accuracy_score(y[test_idx], pred)
        f1 = 100 * f1_score(y[test_idx], pred, average="macro")
        name = f"group {groups[test_idx][0]}" if args.by_group else f"fold {i}"
        rows.append(
            {"fold": name, "n": len(test_idx), "accuracy": acc, "macro_f1": f1, "fit_s": fit_s}
        )
        print(
            f"  {name:<16} n={len(test_idx):>5}  accuracy {acc:6.2f}  macro-F1 {f1:6.2f}"
            f"  train {fit_s:5.1f} s"
        )
    accs = np.array([r["accuracy"] for r in rows])
    f1s = np.array([r["macro_f1"] for r in rows])
    print(
        f"mean over folds: accuracy {accs.mean():.2f} ± {accs.std(ddof=1):.2f}, "
        f"macro-F1 {f1s.mean():.2f} ± {f1s.std(ddof=1):.2f} (± = sd over folds)"
    )
    pooled = classification_metrics(
        list(y), list(oof), n_resamples=args.resamples, confidence=0.95, seed=args.seed
    )
    low, high = pooled["macro_f1_ci"]
    print(
        f"pooled out-of-fold: accuracy {100 * pooled['accuracy']:.2f}, macro-F1 "
        f"{100 * pooled['macro_f1']:.2f} [95% CI {100 * low:.2f}-{100 * high:.2f}]"
    )
    if args.json:
        payload = {"scheme": scheme, "folds": rows, "pooled": pooled}
        Path(args.json).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
