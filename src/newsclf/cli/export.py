"""``newsclf export``: re-save a model, e.g. as skops for safe sharing."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from newsclf.cli.options import add_model_loading, add_verbosity

__all__ = ["EXAMPLES", "SUMMARY", "add_parser", "run"]

SUMMARY = "re-save a model, e.g. as skops for safe sharing"
EXAMPLES = ("newsclf export outputs/DATE/TIME/model --format skops -o shared-model",)


def add_parser(sub: Any) -> None:
    export = sub.add_parser(
        "export",
        help="re-save a model in another serialization (skops for sharing)",
        description="Verify MODEL and write it again. `skops` files can be loaded without "
        "running code from the file (only trusted types are rebuilt): use it for models you "
        "share or receive. `joblib` (pickle) loads faster; use it only for your own models.",
    )
    export.add_argument("model", help="artifact directory (RUN_DIR/model)")
    export.add_argument("--format", choices=["skops", "joblib"], default="skops")
    export.add_argument(
        "-o", "--output", help="new artifact directory (default: MODEL-FORMAT beside MODEL)"
    )
    add_model_loading(export, trust=False)
    add_verbosity(export)


def run(args: argparse.Namespace) -> int:
    from newsclf.artifacts import export_artifact

    source = Path(args.model).expanduser().absolute()
    dest = Path(args.output) if args.output else source.with_name(f"{source.name}-{args.format}")
    path = export_artifact(
        source,
        dest,
        serialization=args.format,
        allow_version_mismatch=args.allow_version_mismatch,
    )
    print(f"exported {args.format} model: {path}")
    return 0
