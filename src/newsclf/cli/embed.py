"""``newsclf embed``: fill the embedding cache for a corpus ahead of training or prediction.

SOURCE says which encoder and which texts: a model directory, an experiment name or a config
override; the shards run (and resume) as in ``predict`` (:mod:`newsclf.archive`).
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newsclf.cli.options import (
    add_fields,
    add_model_loading,
    add_records_format,
    add_sharding,
    add_verbosity,
    chunk_size_option,
    parse_fields,
    progress_option,
)
from newsclf.errors import ConfigError, DataError

__all__ = ["EXAMPLES", "SUMMARY", "add_parser", "run"]

log = logging.getLogger("newsclf")

SUMMARY = "fill the embedding cache for a corpus (the encoder of a model or a config)"
EXAMPLES = ("newsclf embed fnc1 'archive/part-*.parquet' --field text=body",)


def add_parser(sub: Any) -> None:
    embed = sub.add_parser(
        "embed",
        help="fill the embedding cache for a corpus ahead of training or prediction",
        description="Embed the texts of INPUT (files, directories or globs: JSONL, CSV/TSV, "
        ".gz, Parquet) with the sentence encoder SOURCE uses, into the embedding cache "
        "($NEWSCLF_CACHE_DIR/embeddings), shard by shard: a later run on the corpus reads the "
        "vectors instead of computing them. SOURCE is a model directory, an experiment name "
        "(fnc1) or a config override (features=embed); --set adds overrides. Shards embedded "
        "before are skipped (--force redoes them).",
    )
    embed.add_argument("source", help="model directory, experiment name or KEY=VALUE override")
    embed.add_argument("input", nargs="+", help="records files, directories or globs")
    embed.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="a config override (repeatable), e.g. --set features.pair.embed.lead_chars=400",
    )
    add_records_format(embed, "INPUT")
    add_fields(embed)
    embed.add_argument(
        "--on-error",
        choices=["stop", "record"],
        default="stop",
        help="a bad input record stops the run (stop, default) or is skipped and counted (record)",
    )
    add_sharding(embed)
    add_model_loading(embed)
    add_verbosity(embed)


def _config_models(source: str, sets: Sequence[str]) -> dict[str, Any]:
    """Unfitted task models of a config: ``experiment=NAME`` (or just NAME) plus overrides."""
    from hydra import compose, initialize_config_module
    from hydra.errors import HydraException

    from newsclf.pipeline import config_tasks, task_model

    overrides = [source if "=" in source else f"experiment={source}", *sets]
    try:
        with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
            cfg = compose("config", overrides=overrides)
    except HydraException as exc:
        raise ConfigError(
            f"cannot compose the config: {exc}".splitlines()[0],
            key=overrides[0].partition("=")[0],
            hint="SOURCE is a model directory, an experiment name (e.g. fnc1) or an override "
            "such as features=embed",
        ) from None
    return {task: task_model(cfg, task) for task in config_tasks(cfg)}


def run(args: argparse.Namespace) -> int:
    from newsclf.archive.embed import encoder_spec
    from newsclf.archive.run import embed_files

    source = Path(args.source).expanduser()
    if (source / "manifest.json").is_file():
        import newsclf

        clf = newsclf.load(
            source, allow_version_mismatch=args.allow_version_mismatch, trusted=args.trust
        )
        models = clf.models
    elif source.exists():
        raise DataError(
            "not a model directory (no manifest.json)",
            path=source,
            hint="pass RUN_DIR/model, or an experiment name such as fnc1",
        )
    else:
        models = _config_models(args.source, args.set)
    spec = encoder_spec(models)
    summary = embed_files(
        spec, args.input, fields=parse_fields(args.field), on_error=args.on_error,
        encoding=args.encoding, fmt=args.format, chunk_size=chunk_size_option(args),
        force=args.force, cluster=args.cluster, show_progress=progress_option(args),
    )  # fmt: skip
    if summary.errors:
        log.warning("%d records had errors and were skipped", summary.errors)
    log.info(
        "embedded the texts of %d records in %d shards (%d already done) with %s",
        summary.records,
        summary.done,
        summary.skipped,
        ", ".join(spec.encoders),
    )
    return 0
