"""``newsclf predict`` over archives and ``newsclf embed``: inputs, field mapping, sharded
outputs, resume and ``--cluster`` (the work itself is in :mod:`newsclf.archive`)."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from newsclf.errors import ConfigError, DataError

__all__ = [
    "add_embed_parser",
    "add_fields",
    "add_sharding",
    "embed",
    "parse_fields",
    "predict",
]

log = logging.getLogger("newsclf")
_STDIN = "<stdin>"


def add_fields(parser: argparse.ArgumentParser) -> None:
    """``--field FIELD=COLUMN`` (repeatable): read a record field from another column."""
    parser.add_argument(
        "--field",
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="read record field FIELD from the input's COLUMN (repeatable), e.g. --field "
        "text=body --field id=url",
    )


def parse_fields(values: Sequence[str]) -> dict[str, str] | None:
    """``["text=body", "id=url"]`` -> ``{"text": "body", "id": "url"}`` (checked)."""
    from newsclf.data.records import field_keys

    fields: dict[str, str] = {}
    for value in values:
        name, sep, column = value.partition("=")
        if not sep or not name.strip() or not column.strip():
            raise ConfigError(
                f"expected FIELD=COLUMN, got {value!r}",
                key="--field",
                hint="e.g. --field text=body",
            )
        fields[name.strip()] = column.strip()
    field_keys(fields, key="--field")
    return fields or None


def add_sharding(parser: argparse.ArgumentParser) -> None:
    """Options of commands that run over shards: resume, cluster, chunk size, progress."""
    parser.add_argument(
        "--force",
        action="store_true",
        help="redo every shard, also those the output directory's manifest records as done",
    )
    parser.add_argument(
        "--cluster",
        metavar="SPEC",
        help="run the shards on a Dask cluster: local[:N] (N worker processes on this machine) "
        "or tcp://HOST:PORT (a running `dask scheduler`); needs newsclf[cluster]",
    )
    parser.add_argument(
        "--chunk-size",
        type=int,
        default=None,
        metavar="N",
        help="records read and processed at a time (default: 2000); memory grows with it, not "
        "with the input",
    )
    parser.add_argument(
        "--progress",
        choices=["auto", "true", "false"],
        default="auto",
        help="progress bar on stderr with records/s and ETA (auto: on a terminal)",
    )


def _chunk_size(args: argparse.Namespace) -> int:
    from newsclf.archive.predict import DEFAULT_CHUNK_SIZE

    if args.chunk_size is None:
        return DEFAULT_CHUNK_SIZE
    if args.chunk_size < 1:
        raise ConfigError("must be at least 1", key="--chunk-size", hint="e.g. --chunk-size 2000")
    return int(args.chunk_size)


def _show_progress(args: argparse.Namespace) -> bool:
    from newsclf.progress import progress_enabled

    option = {"true": True, "false": False}.get(args.progress, args.progress)
    return progress_enabled(option, key="--progress")


def predict(args: argparse.Namespace, clf: Any) -> int:
    """``newsclf predict MODEL INPUT... [-o OUT]``."""
    from newsclf.archive.run import predict_files, predict_stdin

    fields = parse_fields(args.field)
    inputs = list(args.input)
    if "-" in inputs:
        if len(inputs) > 1:
            raise DataError(
                "standard input ('-') cannot be mixed with other inputs",
                hint="predict stdin alone, or save it to a file",
            )
        if args.output is not None:
            raise ConfigError(
                "reading standard input writes to standard output",
                key="--output",
                hint="redirect stdout: ... - > predictions.jsonl",
            )
        fmt = "jsonl" if args.format == "auto" else args.format
        summary = predict_stdin(
            clf, sys.stdin.buffer, fields=fields, on_error=args.on_error, encoding=args.encoding,
            fmt=fmt, chunk_size=_chunk_size(args), name=_STDIN,
        )  # fmt: skip
    else:
        summary = predict_files(
            clf, inputs, args.output, output_format=args.output_format, fields=fields,
            on_error=args.on_error, encoding=args.encoding, fmt=args.format,
            chunk_size=_chunk_size(args), force=args.force, cluster=args.cluster,
            show_progress=_show_progress(args),
        )  # fmt: skip
    if summary.records == 0 and summary.skipped == 0:
        raise DataError(
            "no records",
            path=_STDIN if inputs == ["-"] else ", ".join(inputs),
            hint="the input is empty or has only blank lines",
        )
    shards = ""
    if summary.done + summary.skipped > 1:
        shards = f" in {summary.done} shards" + (
            f" ({summary.skipped} already done)" if summary.skipped else ""
        )
    if summary.errors:
        log.warning(
            "%d of %d records had errors; written as error lines", summary.errors, summary.records
        )
    log.info(
        "predicted %d records%s with %s (tasks: %s) in %.1f s (%.0f records/s)%s",
        summary.records,
        shards,
        args.model,
        ", ".join(clf.tasks),
        summary.seconds,
        summary.records / max(summary.seconds, 1e-9),
        f" -> {args.output}" if args.output else "",
    )
    return 0


def add_embed_parser(sub: Any, add_model_loading: Any, add_verbosity: Any) -> None:
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
    _add_reading(embed)
    add_sharding(embed)
    add_model_loading(embed)
    add_verbosity(embed)


def _add_reading(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format",
        default="auto",
        choices=["auto", "jsonl", "csv", "tsv", "parquet"],
        help="input format (default: from the file suffix, behind a .gz)",
    )
    parser.add_argument("--encoding", default="utf-8", help="input encoding (default: utf-8)")
    add_fields(parser)
    parser.add_argument(
        "--on-error",
        choices=["stop", "record"],
        default="stop",
        help="a bad input record stops the run (stop, default) or is skipped and counted (record)",
    )


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


def embed(args: argparse.Namespace) -> int:
    """``newsclf embed SOURCE INPUT...``."""
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
        encoding=args.encoding, fmt=args.format, chunk_size=_chunk_size(args), force=args.force,
        cluster=args.cluster, show_progress=_show_progress(args),
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
