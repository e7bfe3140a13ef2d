"""``newsclf explain``: the most indicative n-grams of a linear model, or why one record got its
label (logic in :mod:`newsclf.reports.explain`)."""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict
from typing import Any

from newsclf.cli.io import load_model
from newsclf.cli.options import (
    add_fields,
    add_model_loading,
    add_records_format,
    add_verbosity,
    parse_fields,
)

__all__ = ["EXAMPLES", "SUMMARY", "add_parser", "run"]

SUMMARY = "most indicative n-grams per class of a linear model; why one record got its label"
EXAMPLES = (
    "newsclf explain outputs/DATE/TIME/model --task topic --top 20",
    "newsclf explain outputs/DATE/TIME/model --input articles.jsonl --id a17",
)


def add_parser(sub: Any) -> None:
    explain = sub.add_parser(
        "explain",
        help="most indicative n-grams per class of a linear model, or why one record got its label",
        description="Without --input: per class, the TOP features with the largest weights of "
        "the task's linear model (logistic regression, SGD, calibrated LinearSVC: the mean of "
        "its base estimators, ComplementNB/MultinomialNB: centred feature_log_prob_). With "
        "--input: for one record of FILE (--id, default the first), each class's score split "
        "into feature contributions (feature value x class weight), strongest first.",
    )
    explain.add_argument("model", help="artifact directory (RUN_DIR/model)")
    explain.add_argument(
        "--task", default=None, help="task to explain (default: topic if the model has it)"
    )
    explain.add_argument("--top", type=int, default=20, help="features per class (default: 20)")
    explain.add_argument("--input", metavar="FILE", help="records file (.jsonl/.csv) to explain")
    explain.add_argument("--id", dest="record_id", metavar="ID", help="id of the record in FILE")
    add_records_format(explain, "FILE")
    add_fields(explain)
    explain.add_argument(
        "--all-classes",
        action="store_true",
        help="with --input: list the contributions to every class, not only the predicted one",
    )
    explain.add_argument("--json", action="store_true", help="print JSON instead of a listing")
    add_model_loading(explain)
    add_verbosity(explain)


def run(args: argparse.Namespace) -> int:
    from newsclf.data.records import read_records
    from newsclf.reports.explain import (
        explain_record,
        format_record_explanation,
        format_top_features,
        pick_record,
        task_weights,
        top_features,
    )

    clf = load_model(args)
    task = args.task or ("topic" if "topic" in clf.tasks else clf.tasks[0])
    if args.input is None:
        if args.record_id is not None:
            from newsclf.errors import ConfigError

            raise ConfigError("--id needs --input FILE", key="--id", hint="--input FILE --id ID")
        weights = task_weights(clf, task)
        top = top_features(weights, args.top)
        if args.json:
            payload = {
                "task": task,
                "source": weights.source,
                "classes": {
                    label: [{"feature": f, "weight": w} for f, w in items]
                    for label, items in top.items()
                },
            }
            print(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            print(format_top_features(weights, top, task), end="")
        return 0
    fields = parse_fields(args.field)
    records = read_records(args.input, encoding=args.encoding, fmt=args.format, fields=fields)
    record = pick_record(records, args.record_id, args.input)
    exp = explain_record(clf, record, task, top=args.top)
    if args.json:
        print(json.dumps(asdict(exp), ensure_ascii=False, indent=2))
    else:
        print(format_record_explanation(exp, all_classes=args.all_classes), end="")
    return 0
