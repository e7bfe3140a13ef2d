"""``newsclf card``: write a Markdown model card (logic in :mod:`newsclf.reports.card`)."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path
from typing import Any

from newsclf.cli.io import output
from newsclf.cli.options import add_verbosity

__all__ = ["EXAMPLES", "SUMMARY", "add_parser", "run"]

log = logging.getLogger("newsclf")

SUMMARY = "write a Markdown model card (intended use, data, config, metrics with CIs, limits)"
EXAMPLES = ("newsclf card outputs/DATE/TIME/model -o MODEL_CARD.md",)


def add_parser(sub: Any) -> None:
    card = sub.add_parser(
        "card",
        help="write a Markdown model card for a trained model",
        description="Write a model card for MODEL from its manifest (tasks, labels, config, "
        "data fingerprint, metrics with CIs, calibration and breakdowns when present) and the "
        "run's metrics.json when the model is still in its run dir (data sizes, split): "
        "intended use, training data, configuration, evaluation and limitations.",
    )
    card.add_argument("model", help="artifact directory (RUN_DIR/model)")
    card.add_argument("-o", "--output", help="card file, e.g. MODEL_CARD.md (default: stdout)")
    add_verbosity(card)


def run(args: argparse.Namespace) -> int:
    from newsclf.reports.card import model_card

    text = model_card(args.model)
    with output(args.output) as out:
        out.write(text)
    if args.output:
        log.info("wrote the model card to %s", Path(args.output).absolute())
    return 0
