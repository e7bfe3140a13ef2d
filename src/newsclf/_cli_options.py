"""argparse options shared by several ``newsclf`` subcommands."""

from __future__ import annotations

import argparse

__all__ = ["add_model_loading", "add_verbosity"]


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    """Add the mutually exclusive ``-q/--quiet`` and ``-v/--verbose`` flags."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true", help="only errors on stderr")
    group.add_argument("-v", "--verbose", action="store_true", help="debug logging")


def add_model_loading(parser: argparse.ArgumentParser) -> None:
    """Add ``--allow-version-mismatch`` and ``--trust`` (how a saved model may be loaded)."""
    parser.add_argument(
        "--allow-version-mismatch",
        action="store_true",
        help="load a model saved with another scikit-learn minor version",
    )
    parser.add_argument(
        "--trust",
        action="append",
        default=[],
        metavar="TYPE",
        help="for skops models: also allow this type (repeatable); only for models "
        "from a source you trust",
    )
