"""``newsclf train``: hands the rest of the command line to the Hydra app
(:mod:`newsclf.runs.app`), which owns its argv (Hydra cannot sit under argparse)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from newsclf.errors import ConfigError, NewsclfError

__all__ = ["EXAMPLES", "SUMMARY", "add_parser", "run", "run_hydra"]

SUMMARY = "train and evaluate (Hydra app; the rest of the line are overrides)"
EXAMPLES = (
    "newsclf train model=logreg tasks=[topic]",
    "newsclf train data=records data.train=articles.jsonl",
    "newsclf train --help   (Hydra's help: config groups and options)",
)


def add_parser(sub: Any) -> None:
    sub.add_parser("train", help="train and evaluate (Hydra app; see `newsclf train --help`)")


def run_hydra(argv: Sequence[str]) -> int:
    """``newsclf train ARGV``: the Hydra app's exit status."""
    from newsclf.runs.app import run_app

    try:
        return run_app(argv)
    except NewsclfError as exc:  # refused before Hydra starts (e.g. a launcher not installed)
        print(f"error: {exc}", file=sys.stderr)
        return 2


def run(args: argparse.Namespace) -> int:
    """``newsclf --debug train``: options before the word train are not Hydra's."""
    raise ConfigError(
        "train takes Hydra overrides after the word train, and no newsclf options before it",
        key="train",
        hint="newsclf train [OVERRIDES]",
    )
