"""Topic benchmark (issue 4): a newsclf named experiment beside fastText, same data, same run.

Both systems are trained on the very same training part and scored on the very same held-out
part. The official 20 Newsgroups test part is held aside (not in the shared data), so the
held-out part comes from the training part:

- ``--split stratified`` (default): a stratified 20% of the training posts (seed 42), the
  split ``experiment=20ng`` itself uses;
- ``--split temporal``: the last 20% of each newsgroup by article number (posts are numbered
  in arrival order), which mimics the by-date split's shift in time and is the harder, more
  honest proxy for the held-aside test score.

fastText (``pip install -e ".[bench]"``): text lowercased and split into word and punctuation
tokens (the same regex for training and prediction, timed with each), shuffled training
lines, ``epoch=25 lr=0.5 wordNgrams=2 dim=100 thread=2`` (``--ft-*`` to change).

``--baseline tfidf_svc`` also runs, on the same parts in the same run, the plain peer the issue
quotes a by-date test figure for (86.2): scikit-learn ``TfidfVectorizer(ngram_range=(1, 2),
sublinear_tf=True)`` + ``LinearSVC()`` on the same texts; the gap between newsclf and it is
the figure to carry over to the held-aside test.

Each system runs in its own subprocess, so its peak resident memory (``ru_maxrss``) is its own;
the printed baseline is the RSS after loading the data, before training. Prediction throughput is
a batch ``predict_proba`` (newsclf) / ``predict`` (fastText, top-1 label and probability) over
the held-out texts, single process; newsclf uses its configured ``n_jobs`` for training only.

    .venv/bin/python experiments/bench_topic.py --data-root /work/shared/data/20newsgroups_bydate
    .venv/bin/python experiments/bench_topic.py --data-root DIR --experiment 20ng --split temporal \
        --baseline tfidf_svc --only newsclf
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
from hydra import compose, initialize_config_module
from sklearn.metrics import accuracy_score, f1_score

from newsclf.data import Record, load_dataset, split_records
from newsclf.pipeline import TaskModel, build_pipeline, document_text

_TOKEN = re.compile(r"\w+|[^\w\s]")


def _rss_mib() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _config(experiment: str, root: str, overrides: list[str]):
    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        return compose(
            config_name="config",
            overrides=[f"experiment={experiment}", f"data.root={root}", *overrides],
        )


def _temporal(records: list[Record], test_size: float) -> tuple[list[Record], list[Record]]:
    """The last ``test_size`` of each class by the numeric file name (article number)."""
    by_class: dict[str, list[Record]] = {}
    for r in records:
        by_class.setdefault(str(r.topic), []).append(r)
    train, held = [], []
    for rows in by_class.values():
        rows.sort(key=lambda r: int(r.id.rsplit("/", 1)[-1]))
        cut = len(rows) - max(1, round(test_size * len(rows)))
        train += rows[:cut]
        held += rows[cut:]
    return train, held


def _parts(args: argparse.Namespace) -> tuple[Any, list[Record], list[Record]]:
    cfg = _config(args.experiment, args.data_root, args.override)
    dataset = load_dataset(cfg.data)
    if dataset.test is not None:
        return cfg, dataset.train, dataset.test
    if args.split == "temporal":
        return cfg, *_temporal(dataset.train, args.test_size)
    split = {"name": "stratified", "test_size": args.test_size}
    return cfg, *split_records(dataset.train, split=split, tasks=["topic"], seed=args.seed)


def _newsclf(args: argparse.Namespace, cfg: Any, train, held) -> dict[str, Any]:
    model = TaskModel(
        pipeline=build_pipeline(cfg, "topic"),
        input="text",
        include_title=bool(cfg.features.get("include_title", True)),
    )
    X_train, y_train = model.inputs(train), [r.topic for r in train]
    baseline = _rss_mib()
    t0 = time.perf_counter()
    model.pipeline.fit(X_train, y_train)
    fit_s = time.perf_counter() - t0
    X_held = model.inputs(held)
    t0 = time.perf_counter()
    proba = model.pipeline.predict_proba(X_held)
    predict_s = time.perf_counter() - t0
    labels = np.asarray(model.pipeline.classes_, dtype=object)
    return {
        "pred": labels[proba.argmax(axis=1)].tolist(),
        "fit_s": fit_s,
        "predict_s": predict_s,
        "baseline_mib": baseline,
    }


def _prep(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower()))


def _fasttext(args: argparse.Namespace, cfg: Any, train, held) -> dict[str, Any]:
    import fasttext

    include_title = bool(cfg.features.get("include_title", True))
    X_train = [document_text(r, include_title) for r in train]
    X_held = [document_text(r, include_title) for r in held]
    baseline = _rss_mib()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        lines = [f"__label__{r.topic} {_prep(x)}" for r, x in zip(train, X_train, strict=True)]
        random.Random(args.seed).shuffle(lines)
        path = Path(tmp) / "train.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        model = fasttext.train_supervised(
            str(path),
            epoch=args.ft_epoch,
            lr=args.ft_lr,
            wordNgrams=args.ft_word_ngrams,
            dim=args.ft_dim,
            thread=args.ft_threads,
            seed=args.seed,
            verbose=0,
        )
        fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    prepped = [_prep(x) for x in X_held]
    t1 = time.perf_counter()
    labels, _ = model.predict(prepped)
    predict_s = time.perf_counter() - t0
    return {
        "pred": [label[0].removeprefix("__label__") for label in labels],
        "fit_s": fit_s,
        "predict_s": predict_s,
        "predict_model_only_s": time.perf_counter() - t1,
        "baseline_mib": baseline,
    }


def _tfidf_svc(args: argparse.Namespace, cfg: Any, train, held) -> dict[str, Any]:
    """The plain peer: sklearn word 1-2-gram sublinear TF-IDF + LinearSVC (defaults)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    include_title = bool(cfg.features.get("include_title", True))
    X_train = [document_text(r, include_title) for r in train]
    X_held = [document_text(r, include_title) for r in held]
    model = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True), LinearSVC())
    baseline = _rss_mib()
    t0 = time.perf_counter()
    model.fit(X_train, [r.topic for r in train])
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = model.predict(X_held)
    return {
        "pred": list(pred),
        "fit_s": fit_s,
        "predict_s": time.perf_counter() - t0,
        "baseline_mib": baseline,
    }


_SYSTEMS = {"newsclf": _newsclf, "fasttext": _fasttext, "tfidf_svc": _tfidf_svc}


def _worker(args: argparse.Namespace) -> None:
    cfg, train, held = _parts(args)
    run = _SYSTEMS[args.worker]
    out = run(args, cfg, train, held)
    gold = [r.topic for r in held]
    out.update(
        accuracy=100 * accuracy_score(gold, out["pred"]),
        macro_f1=100 * f1_score(gold, out["pred"], average="macro"),
        docs_per_s=len(held) / out["predict_s"],
        peak_mib=_peak_mib(),
        n_train=len(train),
        n_held=len(held),
    )
    del out["pred"]
    json.dump(out, sys.stdout)


def _run_worker(name: str, argv: list[str]) -> dict[str, Any]:
    cmd = [sys.executable, __file__, *argv, "--worker", name]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"{name} worker failed (exit {done.returncode})")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-root", required=True, help="the 20newsgroups_bydate folder")
    parser.add_argument("--experiment", default="20ng_fast", help="newsclf named experiment")
    parser.add_argument("--override", action="append", default=[], help="extra Hydra override")
    parser.add_argument("--split", choices=["stratified", "temporal"], default="stratified")
    parser.add_argument("--test-size", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--ft-epoch", type=int, default=25)
    parser.add_argument("--ft-lr", type=float, default=0.5)
    parser.add_argument("--ft-word-ngrams", type=int, default=2)
    parser.add_argument("--ft-dim", type=int, default=100)
    parser.add_argument("--ft-threads", type=int, default=2)
    parser.add_argument(
        "--only", choices=["newsclf", "fasttext"], help="run one system (no ratios printed)"
    )
    parser.add_argument(
        "--baseline",
        choices=["tfidf_svc"],
        help="also run this plain peer (TF-IDF 1-2-grams + LinearSVC) on the same parts",
    )
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--worker", choices=sorted(_SYSTEMS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        _worker(args)
        return 0
    raw = list(sys.argv[1:] if argv is None else argv)
    systems = [args.only] if args.only else ["newsclf", "fasttext"]
    if args.baseline:
        systems.append(args.baseline)
    results = {name: _run_worker(name, raw) for name in systems}
    n = results[systems[0]]
    print(
        f"held-out: {n['n_held']} of {n['n_train'] + n['n_held']} training posts "
        f"({args.split}, {args.test_size:.0%}); newsclf experiment={args.experiment}"
        + "".join(f" {o}" for o in args.override)
    )
    if "fasttext" in results:
        print(
            f"fastText: epoch={args.ft_epoch} lr={args.ft_lr} wordNgrams={args.ft_word_ngrams} "
            f"dim={args.ft_dim} thread={args.ft_threads}"
        )
    print(
        f"{'system':<9} {'accuracy':>8} {'macro-F1':>8} {'train s':>8} {'docs/s':>8} "
        f"{'peak MiB':>8} {'base MiB':>8}"
    )
    for name, r in results.items():
        print(
            f"{name:<9} {r['accuracy']:>8.2f} {r['macro_f1']:>8.2f} {r['fit_s']:>8.1f} "
            f"{r['docs_per_s']:>8.0f} {r['peak_mib']:>8.0f} {r['baseline_mib']:>8.0f}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    if args.baseline:
        n, b = results["newsclf"], results[args.baseline]
        print(
            f"newsclf - {args.baseline}: accuracy {n['accuracy'] - b['accuracy']:+.2f}, "
            f"macro-F1 {n['macro_f1'] - b['macro_f1']:+.2f}"
        )
    if args.only:
        return 0
    n, f = results["newsclf"], results["fasttext"]
    if "predict_model_only_s" in f:
        print(
            f"(fastText predict without its tokenising: "
            f"{f['n_held'] / f['predict_model_only_s']:.0f} docs/s)"
        )
    print(
        f"ratios newsclf/fastText: accuracy {n['accuracy'] / f['accuracy']:.3f}, "
        f"macro-F1 {n['macro_f1'] / f['macro_f1']:.3f}, train time {n['fit_s'] / f['fit_s']:.2f}, "
        f"throughput {n['docs_per_s'] / f['docs_per_s']:.2f}, peak memory "
        f"{n['peak_mib'] / f['peak_mib']:.2f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
