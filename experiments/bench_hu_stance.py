"""Stance of Hungarian articles toward Hungarian and English claims, with a model from
``experiment=fnc1`` (issue 23).

    .venv/bin/python experiments/bench_hu_stance.py --fnc1-root /work/shared/data/fnc1 \
        --hu-root /work/shared/data/hungarian_news_rovat_2025 --split dev \
        [--cache /tmp/hu_bench] [--set KEY=VALUE ...] [--variant "NAME:KEY=VALUE;KEY=VALUE" ...]

The model is built from the packaged ``experiment=fnc1`` config (plus ``--set`` overrides)
through the registries, as ``newsclf train`` builds it, and fitted on *all* FNC-1 training
pairs, as the hidden judge's model is. The claims are the project's own
(``experiments/hu_claims/claims.jsonl``, joined with the article bodies by ``join.py``; no
``lang`` field, as the hidden set may have none). Tune on ``--split dev`` (40 articles), report
``--split holdout`` (20 articles) and ``--split fresh`` (20 articles, claims by another
annotator) once per final candidate; ``--split fresh2`` (20 articles, claims written blind) is
the untouched estimate: run it once, for a model already chosen. ``--support-stats`` prints the best-sentence cosine's mean
and sd over the related pairs of ``--split`` per language pair (the config's
``features.pair.embed.support_stats``) and exits.

The fitted features step and its matrices are cached per features config (``--cache``), so
each ``--variant`` (model-parameter overrides, e.g.
``neutral2:model.params.stance_neutral.labels=[agree,disagree]``) refits only the classifier.

Reported per claim language and pooled: macro-F1 over agree / disagree / unrelated where a
``discuss`` prediction counts as wrong (as the hidden judge counts it), related-vs-unrelated
accuracy, per-class F1, and the discuss rate among related pairs.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path

import joblib
import numpy as np
from hydra import compose, initialize_config_module
from omegaconf import OmegaConf
from sklearn.metrics import f1_score

from newsclf.data.fnc1 import read_fnc1_part
from newsclf.data.records import Record
from newsclf.features.registry import build_pair_features
from newsclf.models.registry import build_model
from newsclf.pipeline import task_inputs

HERE = Path(__file__).resolve().parent
LABELS = ["agree", "disagree", "unrelated"]


def hu_records(hu_root: str, split: str) -> list[Record]:
    """The joined (article, claim) records of ``split``, through ``hu_claims/join.py``."""
    out = subprocess.run(
        [
            sys.executable,
            str(HERE / "hu_claims" / "join.py"),
            "--root",
            hu_root,
            "--split",
            split,
            "-o",
            "-",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    records = []
    for i, line in enumerate(out.splitlines()):
        if not line.startswith("{"):
            continue
        row = json.loads(line)
        records.append(
            Record(
                text=row["text"],
                id=row["id"],
                line=i + 1,
                title=row.get("title"),
                target=row["target"],
                stance=row["stance"],
                group=row["group"],
                lang=row["claim_lang"],  # kept aside for the report; not given to the model
            )
        )
    return records


def config(overrides: list[str]):
    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        return compose(config_name="config", overrides=["experiment=fnc1", *overrides])


def features(cfg, train: list[Record], evaluated: list[Record], cache: Path | None):
    """(fitted features step, X_train, X_eval), cached by the features config."""
    spec = json.dumps(OmegaConf.to_container(cfg.features, resolve=True), sort_keys=True)
    # the code of the feature modules is part of the key: a changed default refits
    import newsclf.features.antonyms as an
    import newsclf.features.crosslingual as xl
    import newsclf.features.cues as cu
    import newsclf.features.headline_body as hb

    code = "".join(Path(m.__file__).read_text() for m in (xl, hb, an, cu))
    key = hashlib.sha256((spec + str(len(train)) + code).encode()).hexdigest()[:16]
    path = None if cache is None else cache / f"features-{key}.joblib"
    ids = [r.id for r in evaluated]
    if path is not None and path.is_file():
        saved = joblib.load(path)
        if ids == saved["ids"]:
            return saved["vec"], saved["X_train"], saved["X_eval"]
        vec, X_train = saved["vec"], saved["X_train"]
    else:
        vec = build_pair_features(OmegaConf.to_container(cfg.features, resolve=True))
        start = time.time()
        X_train = vec.fit_transform(task_inputs(train, "stance", include_title=False))
        print(
            f"features fitted on {len(train)} FNC-1 pairs in {time.time() - start:.0f} s",
            file=sys.stderr,
        )
    X_eval = vec.transform(task_inputs(evaluated, "stance", include_title=False))
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump({"vec": vec, "X_train": X_train, "X_eval": X_eval, "ids": ids}, path)
    return vec, X_train, X_eval


def seed_case(vec, model) -> dict[str, str]:
    """Labels of the seed case (tests/test_seed_case.py's article and claims) by this model."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    from test_seed_case import ARTICLE, CLAIMS

    X = vec.transform([(ARTICLE, claim) for claim in CLAIMS.values()])
    proba = model.predict_proba(X)
    return {
        name: f"{model.classes_[row.argmax()]} ({row.max():.2f})"
        for name, row in zip(CLAIMS, proba, strict=True)
    }


def report(y: np.ndarray, pred: np.ndarray, lang: np.ndarray) -> dict[str, dict[str, float]]:
    out = {}
    for name, mask in (("hu", lang == "hu"), ("en", lang == "en"), ("all", lang == lang)):
        t, p = y[mask], pred[mask]
        f1 = f1_score(t, p, labels=LABELS, average=None, zero_division=0)
        related = t != "unrelated"
        out[name] = {
            "n": int(mask.sum()),
            "macro_f1": float(np.mean(f1)),
            "related_acc": float(np.mean(related == (p != "unrelated"))),
            **{f"f1_{label}": float(v) for label, v in zip(LABELS, f1, strict=True)},
            "discuss_rate": float(np.mean(p[related] == "discuss")) if related.any() else 0.0,
            "stance_acc": float(np.mean(p[related] == t[related])) if related.any() else 0.0,
        }
    return out


def show(name: str, result: dict[str, dict[str, float]]) -> None:
    for lang, r in result.items():
        print(
            f"{name:28s} {lang:3s} n={r['n']:3d} macroF1 {r['macro_f1']:.3f}  rel-acc "
            f"{r['related_acc']:.3f}  F1 a/d/u {r['f1_agree']:.2f}/{r['f1_disagree']:.2f}/"
            f"{r['f1_unrelated']:.2f}  discuss {r['discuss_rate']:.2f}  "
            f"stance-acc {r['stance_acc']:.2f}"
        )


def print_support_stats(hu_root: str, split: str, overrides: list[str]) -> int:
    """``support_stats`` for the config: the best-sentence cosine (as the model computes it)
    of the related (agree, disagree) pairs of ``split``, mean and sd per language pair."""
    cfg = config(overrides)
    embed = dict(OmegaConf.to_container(cfg.features.pair.embed, resolve=True))
    embed.pop("name")
    from newsclf.features.crosslingual import CrossLingualPairEmbedding

    related = [r for r in hu_records(hu_root, split) if r.stance != "unrelated"]
    pairs = [("hu", "en"), ("hu", "hu"), ("en", "hu"), ("en", "en")]
    embed["support_stats"] = {f"{a}-{b}": [0.0, 1.0] for a, b in pairs}  # raw cosines
    vec = CrossLingualPairEmbedding(**embed).fit([(r.text, r.target) for r in related[:2]])
    names = list(vec.get_feature_names_out())
    raw = vec.transform([(r.text, r.target) for r in related])[
        :, names.index("xling:sentence_support")
    ]
    langs = np.asarray([f"{r.lang}-hu" for r in related])  # the articles are Hungarian
    stats = {
        key: [round(float(raw[langs == key].mean()), 3), round(float(raw[langs == key].std()), 3)]
        for key in sorted(set(langs))
    }
    print(json.dumps({"split": split, "pairs": len(related), "support_stats": stats}))
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--fnc1-root", required=True)
    ap.add_argument("--hu-root", required=True)
    ap.add_argument("--split", default="dev", choices=["dev", "holdout", "fresh", "fresh2", "all"])
    ap.add_argument("--cache", type=Path, default=None)
    ap.add_argument("--set", nargs="*", default=[], help="Hydra overrides for every variant")
    ap.add_argument(
        "--variant",
        nargs="*",
        default=[],
        help="NAME:KEY=VALUE;KEY=VALUE overrides of one variant (the shipped model: shipped:)",
    )
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument(
        "--support-stats",
        action="store_true",
        help="print the best-sentence cosine's mean and sd over the related pairs of --split "
        "per language pair (features.pair.embed.support_stats) and exit",
    )
    args = ap.parse_args(argv)
    if args.support_stats:
        return print_support_stats(args.hu_root, args.split, args.set)

    train = read_fnc1_part(args.fnc1_root, "train")
    evaluated = hu_records(args.hu_root, args.split)
    y = np.asarray([r.stance for r in evaluated])
    lang = np.asarray([r.lang for r in evaluated])
    y_train = np.asarray([r.stance for r in train])
    variants = args.variant or ["shipped:"]
    results = {}
    for spec in variants:
        name, _, rest = spec.partition(":")
        overrides = [*args.set, *[o for o in rest.split(";") if o]]
        cfg = config(overrides)
        vec, X_train, X_eval = features(cfg, train, evaluated, args.cache)
        model = build_model(
            OmegaConf.to_container(cfg.model, resolve=True),
            seed=int(cfg.seed),
            feature_groups=vec.feature_groups(),
        )
        start = time.time()
        model.fit(X_train, y_train)
        pred = model.predict(X_eval)
        results[name] = report(y, pred, lang)
        results[name]["seed_case"] = seed_case(vec, model)
        results[name]["overrides"] = overrides
        show(name, {k: v for k, v in results[name].items() if k not in ("overrides", "seed_case")})
        print(f"{name:28s} seed case: {results[name]['seed_case']}")
        print(f"  (classifier fitted in {time.time() - start:.0f} s)", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
