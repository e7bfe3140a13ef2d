"""FNC-1 benchmark (issue 8): ``experiment=fnc1`` beside a UCLMR-style baseline, same folds.

    .venv/bin/python experiments/bench_fnc1.py /work/shared/data/fnc1 [--folds 5] [--seed 42]

5-fold cross-validation grouped by ``Body ID`` on the FNC-1 training data (no body on both
sides of a fold). Each fold fits the experiment's pipeline, built from the packaged
``experiment=fnc1`` config through the registries exactly as ``newsclf train`` does, and the
baseline: term frequencies of headline and body (5,000 most frequent words, UCLMR's "TF") plus
their TF-IDF cosine, into logistic regression. Prints the FNC-1 score, macro-F1 and per-class
F1 of the pooled out-of-fold predictions. ``--group claim`` groups bodies by claim (bodies
joined through shared headlines of related pairs, unrelated pairs follow their body): test
bodies are new but almost every test headline is still in training through its unrelated
pairs. ``--group strict`` is the estimate of the competition test set, which has new
headlines *and* new bodies: whole claims (components of headlines and bodies joined by related
pairs) go to folds, a pair is tested only when both its sides are in the test fold and trained
on only when neither is, and the tested unrelated pairs are weighted back to their share in
the data. ``--set KEY=VALUE ...`` adds Hydra overrides to the experiment (variants).

``--tune-scale`` (with ``--group strict``) also measures per-label multipliers of the stance
probabilities (``model.params.stance_scale``) chosen without leakage: inside each outer fold's
training part an inner strict CV (``--inner-folds``, default 3; new headlines and new bodies
again) gives out-of-fold probabilities, the grid (``--scale-grid``) is searched on them for the
best macro-F1 among multipliers whose FNC score is at most ``--max-fnc-drop`` points below the
unscaled one, and the chosen multipliers are applied to the outer test fold. Scaling acts after
fitting, so each fold is fitted once and the grid is evaluated on its cached probabilities
(``--cache DIR`` keeps them between runs). The same search on the outer (5-fold) out-of-fold
probabilities gives the multipliers for the shipped config.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
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

from newsclf.data.fnc1 import read_fnc1
from newsclf.evaluation.fnc import FNC_LABELS, fnc_score
from newsclf.pipeline import TaskModel, build_pipeline, task_inputs

LABELS = list(FNC_LABELS)
_GROUPED_BY = {
    "body": "Body ID",
    "claim": "claim",
    "strict": "claim (new headlines and new bodies)",
}


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


def _finder(parent: dict[str, str]):
    """Union-find root lookup over ``parent`` (path halving); union is ``parent[a] = b``."""

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    return find


def claim_finder(records):
    """Root lookup of the claims: bodies (``"b" + Body ID``) and headlines (``"h" + text``)
    joined into components by their related pairs; every body and headline is registered."""
    parent: dict[str, str] = {}
    find = _finder(parent)
    for r in records:
        find("b" + r.group), find("h" + r.target)
        if r.stance != "unrelated":
            parent[find("b" + r.group)] = find("h" + r.target)
    return find


def _claims(records) -> np.ndarray:
    """Connected components of bodies and headlines linked by related pairs."""
    find = claim_finder(records)
    return np.asarray([find("b" + r.group) for r in records], dtype=object)


def _strict_splits(records, folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Folds with new headlines *and* new bodies, like the competition test set.

    Headlines and bodies are joined into components by their related pairs (a claim and
    everything written about it); whole components go to folds (shuffled, then each to the
    fold with the fewest related pairs so far). A pair is in fold k's test part when its
    headline's and its body's components are both in fold k, and in fold k's training part
    when neither is; an unrelated pair whose two sides fall in different folds is in neither
    part of those two folds (it would leak a test headline or body into training).
    """
    find = claim_finder(records)
    nodes = {f"b{r.group}" for r in records} | {f"h{r.target}" for r in records}
    comps = sorted({find(x) for x in nodes})
    related = dict.fromkeys(comps, 0)
    for r in records:
        related[find("b" + r.group)] += r.stance != "unrelated"
    order = np.random.default_rng(seed).permutation(len(comps))
    load, fold_of = np.zeros(folds), {}
    for i in sorted(order, key=lambda i: -related[comps[i]]):  # biggest first, ties shuffled
        k = int(np.argmin(load))
        fold_of[comps[i]] = k
        load[k] += related[comps[i]]
    fb = np.asarray([fold_of[find("b" + r.group)] for r in records])
    fh = np.asarray([fold_of[find("h" + r.target)] for r in records])
    return [
        (np.flatnonzero((fb != k) & (fh != k)), np.flatnonzero((fb == k) & (fh == k)))
        for k in range(folds)
    ]


def _weighted_fnc(y: np.ndarray, pred: np.ndarray, w: np.ndarray) -> float:
    """The FNC-1 score (% of the maximum) with a weight per pair."""
    true_rel, pred_rel = y != "unrelated", pred != "unrelated"
    raw = np.sum(w * (0.25 * (true_rel == pred_rel) + 0.75 * (true_rel & (y == pred))))
    return float(100 * raw / np.sum(w * (0.25 + 0.75 * true_rel)))


def _report(
    name: str, y: np.ndarray, pred: np.ndarray, seconds: float, w: np.ndarray | None = None
) -> str:
    w = np.ones(len(y)) if w is None else w
    f1 = f1_score(y, pred, labels=LABELS, average=None, zero_division=0, sample_weight=w)
    cells = "  ".join(f"{v:8.3f}" for v in f1)
    score = _weighted_fnc(y, pred, w)
    return f"{name:<28} {score:6.2f} {np.mean(f1):9.3f}  {cells}  {seconds:7.0f}"


def _unrelated_weights(y_tested: np.ndarray, y_all: np.ndarray) -> np.ndarray:
    """Weights that bring the tested unrelated pairs back to their share in ``y_all``."""
    weights = np.ones(len(y_tested))
    unrelated = y_tested == "unrelated"
    if unrelated.any() and (~unrelated).any():
        share = np.mean(y_all == "unrelated")
        weights[unrelated] = share / (1 - share) * (~unrelated).sum() / unrelated.sum()
    return weights


def scaled_predictions(
    proba: np.ndarray, classes: np.ndarray, scale: dict[str, float] | None
) -> np.ndarray:
    """Labels of ``RelatedThenStanceClassifier(stance_scale=scale)`` from its unscaled proba.

    The classifier's stance columns are ``P(related) * s`` with ``s`` the stance model's
    probabilities; with the scale they are ``P(related) * (s * m) / sum(s * m)``, which equals
    ``c * m / sum(c * m) * P(related)`` for the unscaled columns ``c`` (``P(related)`` cancels).
    """
    out = np.array(proba, dtype=float)
    if scale:
        stance = classes != "unrelated"
        m = np.asarray([float(scale.get(str(c), 1.0)) for c in classes[stance]])
        cols = out[:, stance]
        related = cols.sum(axis=1, keepdims=True)
        scaled = cols * m
        scaled /= np.maximum(scaled.sum(axis=1, keepdims=True), np.finfo(float).tiny)
        out[:, stance] = related * scaled
    return classes[out.argmax(axis=1)]


def _scores(y: np.ndarray, pred: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    f1 = f1_score(y, pred, labels=LABELS, average=None, zero_division=0, sample_weight=w)
    return _weighted_fnc(y, pred, w), float(np.mean(f1))


def choose_scale(
    y: np.ndarray,
    proba: np.ndarray,
    classes: np.ndarray,
    weights: np.ndarray,
    grid: dict[str, list[float]],
    max_fnc_drop: float,
) -> tuple[dict[str, float], tuple[float, float], tuple[float, float]]:
    """Multipliers with the best macro-F1 whose FNC is within ``max_fnc_drop`` of unscaled.

    Ties go to the higher FNC score, then to the multipliers closest to 1. Returns the
    multipliers, (FNC, macro-F1) unscaled and (FNC, macro-F1) with them.
    """
    base = _scores(y, scaled_predictions(proba, classes, None), weights)
    best_key, best, best_scale = None, base, {}
    labels = sorted(grid)
    for values in itertools.product(*(grid[label] for label in labels)):
        scale = {label: float(v) for label, v in zip(labels, values, strict=True)}
        fnc, f1 = _scores(y, scaled_predictions(proba, classes, scale), weights)
        if fnc < base[0] - max_fnc_drop:
            continue
        key = (round(f1, 6), round(fnc, 6), -sum(abs(np.log(v)) for v in scale.values()))
        if best_key is None or key > best_key:
            best_key, best, best_scale = key, (fnc, f1), scale
    return {k: v for k, v in best_scale.items() if v != 1.0}, base, best


def _fold_proba(
    cfg, records, y: np.ndarray, train: np.ndarray, test: np.ndarray, cache: Path | None
) -> tuple[np.ndarray, np.ndarray, float]:
    """The experiment's unscaled ``predict_proba`` on ``test`` after fitting on ``train``."""
    if cache is not None and cache.exists():
        with np.load(cache, allow_pickle=True) as z:
            if np.array_equal(z["test"], test) and np.array_equal(z["train"], train):
                return z["proba"], z["classes"], float(z["seconds"])
    model = TaskModel(pipeline=build_pipeline(cfg, "stance"), input="pair", include_title=False)
    t0 = time.perf_counter()
    model.pipeline.fit(model.inputs([records[i] for i in train]), y[train])
    proba = model.pipeline.predict_proba(model.inputs([records[i] for i in test]))
    seconds = time.perf_counter() - t0
    classes = np.asarray(model.pipeline.classes_, dtype=object)
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        np.savez(cache, proba=proba, classes=classes, train=train, test=test, seconds=seconds)
    return proba, classes, seconds


def _tune_task(cfg, records, y, train, test, cache: Path | None, baseline: bool) -> dict:
    proba, classes, seconds = _fold_proba(cfg, records, y, train, test, cache)
    out = {"proba": proba, "classes": classes, "seconds": seconds}
    if baseline:
        t0 = time.perf_counter()
        tr = task_inputs([records[i] for i in train], "stance", include_title=False)
        te = task_inputs([records[i] for i in test], "stance", include_title=False)
        out["baseline"] = (UclmrBaseline().fit(tr, y[train]).predict(te), time.perf_counter() - t0)
    return out


def _parse_grid(items: list[str]) -> dict[str, list[float]]:
    grid = {}
    for item in items:
        label, _, values = item.partition("=")
        if label not in LABELS or label == "unrelated" or not values:
            raise SystemExit(f"--scale-grid: expected STANCE=V1,V2,... got {item!r}")
        grid[label] = [float(v) for v in values.split(",")]
    return grid


def _tune_scale(args, cfg, records, y: np.ndarray, splits) -> int:
    """Nested choice of ``stance_scale`` (see the module docstring) and its pooled figures."""
    grid = _parse_grid(args.scale_grid)
    cache_dir = None
    if args.cache is not None:
        key = json.dumps([args.seed, args.folds, args.inner_folds, args.limit, args.set])
        cache_dir = args.cache / hashlib.sha256(key.encode()).hexdigest()[:12]
    tasks = []  # (outer k, inner j or None, train, test)
    for k, (train, test) in enumerate(splits):
        tasks.append((k, None, train, test))
        inner = _strict_splits([records[i] for i in train], args.inner_folds, args.seed)
        tasks.extend((k, j, train[tr], train[te]) for j, (tr, te) in enumerate(inner))
    tasks.sort(key=lambda t: -len(t[2]))  # biggest fits first
    results = Parallel(n_jobs=args.jobs)(
        delayed(_tune_task)(
            cfg,
            records,
            y,
            train,
            test,
            None if cache_dir is None else cache_dir / f"outer{k}_inner{j}.npz",
            j is None,
        )
        for k, j, train, test in tasks
    )
    by_key = {t[:2]: (t[2], t[3], r) for t, r in zip(tasks, results, strict=True)}
    names = ("experiment=fnc1", "experiment=fnc1 + nested scale", "UCLMR-style BoW + LR")
    preds = {name: np.empty(len(y), object) for name in names}
    seconds = dict.fromkeys(names, 0.0)
    proba_all, classes = None, None
    tested = np.zeros(len(y), bool)
    for k in range(len(splits)):
        train, test, outer = by_key[(k, None)]
        classes = outer["classes"]
        if proba_all is None:
            proba_all = np.zeros((len(y), len(classes)))
        proba_all[test] = outer["proba"]
        inner_idx, inner_proba = [], []
        for j in range(args.inner_folds):
            _, te, r = by_key[(k, j)]
            assert np.array_equal(r["classes"], classes)
            inner_idx.append(te)
            inner_proba.append(r["proba"])
            seconds["experiment=fnc1 + nested scale"] += r["seconds"]
        idx = np.concatenate(inner_idx)
        scale, before, after = choose_scale(
            y[idx],
            np.vstack(inner_proba),
            classes,
            _unrelated_weights(y[idx], y[train]),
            grid,
            args.max_fnc_drop,
        )
        tested[test] = True
        preds["experiment=fnc1"][test] = scaled_predictions(outer["proba"], classes, None)
        preds["experiment=fnc1 + nested scale"][test] = scaled_predictions(
            outer["proba"], classes, scale
        )
        preds["UCLMR-style BoW + LR"][test] = outer["baseline"][0]
        seconds["experiment=fnc1"] += outer["seconds"]
        seconds["experiment=fnc1 + nested scale"] += outer["seconds"]
        seconds["UCLMR-style BoW + LR"] += outer["baseline"][1]
        print(
            f"fold {k + 1}: {len(train)} train / {len(test)} test pairs; inner {args.inner_folds}"
            f"-fold OOF ({len(idx)} pairs) FNC {before[0]:.2f} -> {after[0]:.2f}, macro-F1 "
            f"{before[1]:.3f} -> {after[1]:.3f} with stance_scale={scale or None}; outer FNC "
            + " vs ".join(f"{fnc_score(y[test], preds[n][test]):.2f}" for n in names),
            file=sys.stderr,
        )
    yt = y[tested]
    weights = _unrelated_weights(yt, y)
    unrelated = yt == "unrelated"
    print(
        f"FNC-1 training data, {len(y)} pairs, {args.folds}-fold CV grouped by "
        f"{_GROUPED_BY[args.group]} (seed {args.seed}), pooled out-of-fold: {tested.sum()} test "
        f"pairs ({(~unrelated).sum()} related, {unrelated.sum()} unrelated weighted "
        f"x{weights[unrelated][0]:.2f} back to {np.mean(y == 'unrelated'):.1%})"
    )
    if args.set:
        print("experiment overrides: " + " ".join(args.set))
    print(
        f"stance_scale chosen per outer fold on inner {args.inner_folds}-fold strict OOF "
        f"(grid {json.dumps(grid)}, max macro-F1 with FNC drop <= {args.max_fnc_drop}); "
        "fit seconds of the scaled row include the inner fits"
    )
    header = "  ".join(f"{'F1 ' + label:>8}" for label in LABELS)
    print(f"{'model':<31} {'FNC %':>6} {'macro-F1':>9}  {header}  {'fit+pred s (sum of folds)':>7}")
    for name in names:
        print(_report(f"{name:<31}", yt, preds[name][tested], seconds[name], weights))
    scale, before, after = choose_scale(
        yt, proba_all[tested], classes, weights, grid, args.max_fnc_drop
    )
    print(
        f"same search on the pooled outer {args.folds}-fold OOF (for the config): "
        f"stance_scale={scale or None} (FNC {before[0]:.2f} -> {after[0]:.2f}, macro-F1 "
        f"{before[1]:.3f} -> {after[1]:.3f}; in-sample for these folds, not an estimate)"
    )
    return 0


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
    parser.add_argument("--group", choices=["body", "claim", "strict"], default="body")
    parser.add_argument("--jobs", type=int, default=1, help="folds run in parallel")
    parser.add_argument("--limit", type=int, default=None, help="first N pairs only (smoke test)")
    parser.add_argument(
        "--set",
        nargs="*",
        default=[],
        metavar="KEY=VALUE",
        help="extra Hydra overrides for the experiment (e.g. model.params.stance.C=0.5)",
    )
    parser.add_argument(
        "--tune-scale",
        action="store_true",
        help="nested choice of model.params.stance_scale (needs --group strict)",
    )
    parser.add_argument("--inner-folds", type=int, default=3)
    parser.add_argument(
        "--scale-grid",
        nargs="*",
        default=["disagree=1,1.5,2,3,4,6", "agree=0.8,1,1.25,1.5"],
        metavar="STANCE=V1,V2",
        help="multipliers searched per stance (others keep 1)",
    )
    parser.add_argument("--max-fnc-drop", type=float, default=1.0)
    parser.add_argument("--cache", type=Path, default=None, help="keep fold probabilities here")
    args = parser.parse_args(argv)
    if args.tune_scale and args.group != "strict":
        parser.error("--tune-scale needs --group strict (the inner folds are strict too)")

    records, _ = read_fnc1(args.root)
    records = records[: args.limit]
    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        cfg = compose(
            config_name="config",
            overrides=[
                "experiment=fnc1",
                f"data.root={args.root}",
                f"seed={args.seed}",
                *args.set,
                # the nested search scales the cached unscaled probabilities itself
                *(["model.params.stance_scale=null"] if args.tune_scale else []),
            ],
        )
    y = np.asarray([r.stance for r in records], dtype=object)
    if args.group == "strict":
        splits = _strict_splits(records, args.folds, args.seed)
    else:
        groups = (
            np.asarray([r.group for r in records]) if args.group == "body" else _claims(records)
        )
        folds = GroupKFold(n_splits=args.folds, shuffle=True, random_state=args.seed)
        splits = list(folds.split(y, y, groups))
    if args.tune_scale:
        return _tune_scale(args, cfg, records, y, splits)
    preds = {name: np.empty(len(y), object) for name in ("experiment=fnc1", "UCLMR-style BoW + LR")}
    seconds = dict.fromkeys(preds, 0.0)
    results = Parallel(n_jobs=args.jobs)(
        delayed(_fold)(cfg, records, y, train, test) for train, test in splits
    )
    tested = np.zeros(len(y), bool)
    for k, ((train, test), result) in enumerate(zip(splits, results, strict=True), start=1):
        tested[test] = True
        for name, (pred, spent) in result.items():
            preds[name][test] = pred
            seconds[name] += spent
        print(
            f"fold {k}: {len(train)} train / {len(test)} test pairs, FNC "
            + " vs ".join(f"{fnc_score(y[test], preds[name][test]):.2f}" for name in preds),
            file=sys.stderr,
        )
    # strict folds test only a fraction of the unrelated pairs (both sides must be new), so
    # unrelated pairs are weighted back to their share in the whole training data
    weights = np.ones(tested.sum())
    yt = y[tested]
    unrelated = yt == "unrelated"
    share = np.mean(y == "unrelated")
    if args.group == "strict" and unrelated.any():
        weights[unrelated] = share / (1 - share) * (~unrelated).sum() / unrelated.sum()

    print(
        f"FNC-1 training data, {len(y)} pairs, {args.folds}-fold CV grouped by "
        f"{_GROUPED_BY[args.group]}"
        f" (seed {args.seed}), pooled out-of-fold"
        + (
            f": {tested.sum()} test pairs ({(~unrelated).sum()} related, {unrelated.sum()} "
            f"unrelated weighted x{weights[unrelated][0]:.2f} back to {share:.1%})"
            if args.group == "strict" and unrelated.any()
            else ""
        )
    )
    if args.set:
        print("experiment overrides: " + " ".join(args.set))
    header = "  ".join(f"{'F1 ' + label:>8}" for label in LABELS)
    print(f"{'model':<28} {'FNC %':>6} {'macro-F1':>9}  {header}  {'fit+pred s (sum of folds)':>7}")
    for name, pred in preds.items():
        print(_report(name, yt, pred[tested], seconds[name], weights))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
