"""FNC-1 benchmark (issue 8): ``experiment=fnc1`` beside a UCLMR-style baseline, same folds.

    .venv/bin/python experiments/bench_fnc1.py /work/shared/data/fnc1 [--folds 5] [--seed 42]

5-fold cross-validation grouped by ``Body ID`` on the FNC-1 training data (no body on both
sides of a fold). Each fold fits the experiment's pipeline, built from the packaged
``experiment=fnc1`` config through the registries exactly as ``newsclf train`` does, and the
baseline: term frequencies of headline and body (5,000 most frequent words, UCLMR's "TF") plus
their TF-IDF cosine, into logistic regression. Prints the FNC-1 score, macro-F1 and per-class
F1 of the pooled out-of-fold predictions. ``--group claim`` groups by claim instead (bodies
joined through shared headlines of related pairs): stricter, since the competition test set
also has new headlines.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from hydra import compose, initialize_config_module
from joblib import Parallel, delayed
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import normalize

from newsclf.classifier import TaskModel
from newsclf.data.fnc1 import read_fnc1
from newsclf.evaluation.fnc import FNC_LABELS, fnc_score
from newsclf.train import build_pipeline

LABELS = list(FNC_LABELS)


class UclmrBaseline:
    """Headline TF, body TF (shared 5,000-word vocabulary) and TF-IDF cosine -> logistic regr."""

    def fit(self, pairs: list[tuple[str, str]], y: np.ndarray) -> UclmrBaseline:
        texts = list(dict.fromkeys(t for pair in pairs for t in pair))
        self.tf_ = CountVectorizer(max_features=5000, stop_words="english").fit(texts)
        self.tfidf_ = TfidfVectorizer(max_features=5000, stop_words="english").fit(texts)
        self.clf_ = LogisticRegression(max_iter=2000).fit(self._features(pairs), y)
        return self

    def _features(self, pairs: list[tuple[str, str]]) -> sp.csr_matrix:
        bodies = list(dict.fromkeys(b for b, _ in pairs))
        heads = list(dict.fromkeys(h for _, h in pairs))
        bi = {b: i for i, b in enumerate(bodies)}
        hi = {h: i for i, h in enumerate(heads)}
        b_idx = [bi[b] for b, _ in pairs]
        h_idx = [hi[h] for _, h in pairs]
        b_tf = normalize(self.tf_.transform(bodies))[b_idx]
        h_tf = normalize(self.tf_.transform(heads))[h_idx]
        cos = normalize(self.tfidf_.transform(bodies))[b_idx].multiply(
            normalize(self.tfidf_.transform(heads))[h_idx]
        )
        cosine = sp.csr_matrix(np.asarray(cos.sum(axis=1)))
        return sp.hstack([h_tf, b_tf, cosine], format="csr")

    def predict(self, pairs: list[tuple[str, str]]) -> np.ndarray:
        return self.clf_.predict(self._features(pairs))


def _claims(records) -> np.ndarray:
    """Connected components of bodies and headlines linked by related pairs."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r in records:
        if r.stance != "unrelated":
            parent[find("b" + r.group)] = find("h" + r.target)
    return np.asarray([find("b" + r.group) for r in records], dtype=object)


def _report(name: str, y: np.ndarray, pred: np.ndarray, seconds: float) -> str:
    f1 = f1_score(y, pred, labels=LABELS, average=None, zero_division=0)
    cells = "  ".join(f"{v:8.3f}" for v in f1)
    return f"{name:<28} {fnc_score(y, pred):6.2f} {np.mean(f1):9.3f}  {cells}  {seconds:7.0f}"


def _fold(cfg, records, y: np.ndarray, train: np.ndarray, test: np.ndarray) -> dict:
    """Out-of-fold predictions and fit+predict seconds of both models on one fold."""
    model = TaskModel(pipeline=build_pipeline(cfg, "stance"), input="pair", include_title=False)
    tr = model.inputs([records[i] for i in train])
    te = model.inputs([records[i] for i in test])
    t0 = time.perf_counter()
    model.pipeline.fit(tr, y[train])
    ours = model.pipeline.predict(te)
    t1 = time.perf_counter()
    base = UclmrBaseline().fit(tr, y[train]).predict(te)
    t2 = time.perf_counter()
    return {"experiment=fnc1": (ours, t1 - t0), "UCLMR-style BoW + LR": (base, t2 - t1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="folder with train_bodies.csv, train_stances.csv")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--group", choices=["body", "claim"], default="body")
    parser.add_argument("--jobs", type=int, default=1, help="folds run in parallel")
    parser.add_argument("--limit", type=int, default=None, help="first N pairs only (smoke test)")
    args = parser.parse_args(argv)

    records, _ = read_fnc1(args.root)
    records = records[: args.limit]
    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        cfg = compose(
            config_name="config",
            overrides=["experiment=fnc1", f"data.root={args.root}", f"seed={args.seed}"],
        )
    y = np.asarray([r.stance for r in records], dtype=object)
    groups = np.asarray([r.group for r in records]) if args.group == "body" else _claims(records)
    folds = GroupKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
    preds = {name: np.empty(len(y), object) for name in ("experiment=fnc1", "UCLMR-style BoW + LR")}
    seconds = dict.fromkeys(preds, 0.0)
    splits = list(folds.split(y, y, groups))
    results = Parallel(n_jobs=args.jobs)(
        delayed(_fold)(cfg, records, y, train, test) for train, test in splits
    )
    for k, ((train, test), result) in enumerate(zip(splits, results, strict=True), start=1):
        for name, (pred, spent) in result.items():
            preds[name][test] = pred
            seconds[name] += spent
        print(
            f"fold {k}: {len(train)} train / {len(test)} test pairs, FNC "
            + " vs ".join(f"{fnc_score(y[test], preds[name][test]):.2f}" for name in preds),
            file=sys.stderr,
        )

    print(
        f"FNC-1 training data, {len(y)} pairs, {args.folds}-fold CV grouped by "
        f"{'Body ID' if args.group == 'body' else 'claim'} (seed {args.seed}), pooled out-of-fold"
    )
    header = "  ".join(f"{'F1 ' + label:>8}" for label in LABELS)
    print(f"{'model':<28} {'FNC %':>6} {'macro-F1':>9}  {header}  {'fit+pred s (sum of folds)':>7}")
    for name, pred in preds.items():
        print(_report(name, y, pred, seconds[name]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
