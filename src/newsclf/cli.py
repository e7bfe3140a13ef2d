"""``newsclf train | predict | evaluate | export | compare | explain | data``.

``train`` is a Hydra app and owns its argv (Hydra cannot sit under argparse), so ``main`` hands
everything after the word ``train`` to it; the other subcommands use argparse.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from newsclf import _cli_archive, _cli_data, _cli_explain
from newsclf._cli_options import add_model_loading, add_verbosity
from newsclf.errors import ConfigError, DataError, NewsclfError

__all__ = ["entrypoint", "main"]

log = logging.getLogger("newsclf")
#: what records read from standard input (INPUT "-") are called in errors
_STDIN = "<stdin>"

_EPILOG = """\
commands:
  train      train and evaluate (Hydra app; the rest of the line are overrides)
             newsclf train model=logreg tasks=[topic]
             newsclf train data=records data.train=articles.jsonl
             newsclf train --help   (Hydra's help: config groups and options)
  predict    label records with a trained model, one JSON line per input record
             newsclf predict outputs/DATE/TIME/model articles.jsonl -o predictions.jsonl
             newsclf predict outputs/DATE/TIME/model 'archive/part-*.jsonl.gz' -o labelled/
  evaluate   score a trained model on labelled records
             newsclf evaluate outputs/DATE/TIME/model test.jsonl
  export     re-save a model, e.g. as skops for safe sharing
             newsclf export outputs/DATE/TIME/model --format skops -o shared-model
  tune       hyper-parameter search with Optuna (resumable; one run dir per trial)
             newsclf tune linear_optuna --dir multirun/optuna tasks=[topic]
  compare    compare runs and sweeps: CIs, paired tests against the best, plots
             newsclf compare multirun/DATE/TIME --metric macro_f1 --out compare
  explain    most indicative n-grams per class of a linear model; why one record got its label
             newsclf explain outputs/DATE/TIME/model --task topic --top 20
             newsclf explain outputs/DATE/TIME/model --input articles.jsonl --id a17
  card       write a Markdown model card (intended use, data, config, metrics with CIs, limits)
             newsclf card outputs/DATE/TIME/model -o MODEL_CARD.md
  embed      fill the embedding cache for a corpus (the encoder of a model or config)
             newsclf embed fnc1 'archive/part-*.parquet' --field text=body
  data       download a benchmark dataset (checksums verified); check a records file
             newsclf data fetch fnc1 --dest ~/datasets
             newsclf data check articles.jsonl
"""


def _train(argv: Sequence[str]) -> int:
    from newsclf.train import run_app

    try:
        return run_app(argv)
    except NewsclfError as exc:  # refused before Hydra starts (e.g. a launcher not installed)
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    from newsclf import __version__

    parser = argparse.ArgumentParser(
        prog="newsclf",
        description="Topic and stance classification of news articles.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"newsclf {__version__} ({Path(__file__).parent})",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(
        dest="command",
        metavar="{train,predict,evaluate,export,tune,compare,explain,card,embed,data}",
    )
    sub.add_parser("train", help="train and evaluate (Hydra app; see `newsclf train --help`)")

    def model_input(p: argparse.ArgumentParser) -> None:
        p.add_argument("model", help="artifact directory (RUN_DIR/model)")
        p.add_argument(
            "input",
            nargs="+",
            help="records: .jsonl, .csv, .tsv (each also .gz) or .parquet files, directories or "
            "globs ('-': stdin, JSONL unless --format)",
        )
        p.add_argument(
            "--format",
            default="auto",
            choices=["auto", "jsonl", "csv", "tsv", "parquet"],
            help="input format (default: from the file suffix, behind a .gz)",
        )
        p.add_argument("--encoding", default="utf-8", help="input encoding (default: utf-8)")
        _cli_archive.add_fields(p)
        add_model_loading(p)
        p.add_argument(
            "--on-error",
            choices=["stop", "record"],
            default="stop",
            help="a bad input record stops the run with its line number (stop, default) or is "
            'written in its place as {"id", "line", "error"} (record); never skipped',
        )
        add_verbosity(p)

    predict = sub.add_parser(
        "predict",
        help="label records; one output JSON line per input record, in order",
        description="Write one JSON line per input record, in input order, with `id` and for "
        "each task of the model its label and `<task>_scores` (label -> probability). Records "
        "are read, predicted and written in chunks, so memory does not grow with the input. "
        "With several inputs (or a directory or a glob) OUTPUT is a directory holding one "
        "output per input shard, named after it (part-0003.jsonl.gz -> part-0003.jsonl), "
        "each written atomically; a re-run skips the shards already done for this model "
        "(recorded in OUTPUT/.newsclf-shards.json; --force redoes them).",
    )
    model_input(predict)
    predict.add_argument(
        "-o",
        "--output",
        help="output file (default: stdout), or with several inputs an output directory",
    )
    predict.add_argument(
        "--output-format",
        default="auto",
        choices=["auto", "jsonl", "jsonl.gz", "parquet"],
        help="format of the output(s) (auto: from the -o name for one input, else jsonl)",
    )
    _cli_archive.add_sharding(predict)

    evaluate = sub.add_parser(
        "evaluate",
        help="score a model on labelled records",
        description="Print accuracy, macro-F1 (with a bootstrap CI), per-class scores for every "
        "task of the model that the input has labels for, and write them as JSON.",
    )
    model_input(evaluate)
    evaluate.add_argument(
        "-o", "--output", help="metrics JSON (default: INPUT_STEM.metrics.json in the current dir)"
    )
    evaluate.add_argument(
        "--predictions",
        metavar="PATH",
        help="also write one JSONL line per input record: prediction, gold label(s), or error",
    )
    evaluate.add_argument(
        "--errors",
        metavar="PATH",
        help="also write the misclassified records as JSONL (per task, most confident mistake "
        "first): gold, prediction, confusion, the 3 best labels with scores and the record's "
        "fields; prints the largest confusions",
    )
    evaluate.add_argument(
        "--resamples",
        type=int,
        default=None,
        help="bootstrap resamples of the CIs (default: 1000; 0: no CIs)",
    )
    # deprecated spelling of --resamples (warns); hidden from --help
    evaluate.add_argument("--bootstrap", type=int, default=None, help=argparse.SUPPRESS)
    evaluate.add_argument("--seed", type=int, default=0, help="bootstrap seed")
    evaluate.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="FIELD",
        help="also score each value of this record field separately (repeatable): lang (the "
        "record's, else detected), group, target, ...; slices under 20 records are flagged",
    )

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
    export.add_argument(
        "--allow-version-mismatch",
        action="store_true",
        help="load a model saved with another scikit-learn minor version",
    )
    export.add_argument("-q", "--quiet", action="store_true", help="only errors on stderr")
    export.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    _add_tune_parser(sub)
    _add_compare_parser(sub)
    _cli_explain.add_parser(sub)
    _add_card_parser(sub)
    _cli_archive.add_embed_parser(sub, add_model_loading, add_verbosity)
    _cli_data.add_parser(sub)
    return parser


@contextlib.contextmanager
def _user_errors(debug: bool) -> Iterator[None]:
    """Known errors -> one `error:` line and exit 2; unexpected ones -> exit 1."""
    try:
        yield
    except NewsclfError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): stop quietly, like other Unix tools
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")
        raise SystemExit(0) from None
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception as exc:
        if debug:
            traceback.print_exc()
        print(
            f"error: unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)",
            file=sys.stderr,
        )
        raise SystemExit(1) from None


@contextlib.contextmanager
def _stderr_logging(args: argparse.Namespace) -> Iterator[None]:
    """Log newsclf's messages to stderr for one command, then restore the logger.

    ``tune`` logs only its own lines here: each trial is a ``newsclf train`` run whose Hydra
    logging writes the run's messages to stderr and to its ``train.log``.
    """
    logger = logging.getLogger("newsclf.tune") if args.command == "tune" else log
    level = logging.WARNING if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


def _read_entries(args: argparse.Namespace) -> list[Any]:
    """Every record of INPUT in order, a bad line as its DataError in its place."""
    from newsclf.data.records import read_entries

    fields = _cli_archive.parse_fields(args.field)
    inputs = list(args.input)
    if inputs == ["-"]:  # JSON Lines unless --format says otherwise; errors name <stdin>
        fmt = "jsonl" if args.format == "auto" else args.format
        entries = read_entries(
            sys.stdin.buffer, encoding=args.encoding, fmt=fmt, source=_STDIN, fields=fields
        )
    else:
        source = inputs[0] if len(inputs) == 1 else inputs
        entries = read_entries(source, encoding=args.encoding, fmt=args.format, fields=fields)
    if not entries:
        raise DataError(
            "no records",
            path=", ".join(inputs) if inputs != ["-"] else _STDIN,
            hint="the file is empty or has only blank lines",
        )
    return entries


@contextlib.contextmanager
def _atomic_output(path: str | None) -> Iterator[TextIO]:
    """stdout, or a temp file renamed to ``path`` only when everything was written."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load_model(args: argparse.Namespace) -> Any:
    import newsclf

    return newsclf.load(
        args.model, allow_version_mismatch=args.allow_version_mismatch, trusted=args.trust
    )


def _write_rows(path: str | None, rows: list[dict[str, Any]]) -> None:
    with _atomic_output(path) as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


def _predict(args: argparse.Namespace) -> int:
    return _cli_archive.predict(args, _load_model(args))


def _evaluate_resamples(args: argparse.Namespace) -> int:
    """``--resamples``, or the deprecated ``--bootstrap`` with a warning."""
    resamples = args.resamples
    if args.bootstrap is not None:
        if resamples is not None:
            raise ConfigError(
                "--bootstrap is the old name of --resamples; give only one",
                key="--bootstrap",
                hint=f"--resamples {resamples}",
            )
        log.warning(
            "warning: --bootstrap is deprecated and will be removed; use --resamples %d",
            args.bootstrap,
        )
        resamples = args.bootstrap
    resamples = 1000 if resamples is None else resamples
    if resamples < 0:
        raise ConfigError(
            "must be at least 0 (0: no CIs)", key="--resamples", hint="e.g. --resamples 1000"
        )
    return resamples


def _evaluate(args: argparse.Namespace) -> int:
    import newsclf
    from newsclf.evaluation import format_metrics_table

    resamples = _evaluate_resamples(args)
    clf = _load_model(args)
    if "-" in args.input:
        raise DataError("evaluate reads a file, not stdin", hint="save the records to a file")
    inputs = list(args.input)
    result = newsclf.evaluate(
        clf,
        inputs[0] if len(inputs) == 1 else inputs,
        fields=_cli_archive.parse_fields(args.field),
        resamples=resamples,
        seed=args.seed,
        on_error=args.on_error,
        encoding=args.encoding,
        fmt=args.format,
        by=args.by,
    )
    first = Path(inputs[0])
    output = args.output or f"{Path(first.name.removesuffix('.gz')).stem}.metrics.json"
    payload = {
        "model": str(Path(args.model).absolute()),
        "input": str(first.absolute()) if len(inputs) == 1 else [str(Path(i)) for i in inputs],
        **result.to_dict(),
    }
    if args.predictions:
        _write_rows(args.predictions, result.rows)
    with _atomic_output(output) as fh:
        fh.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print(format_metrics_table(result.tasks), end="")
    if args.errors:
        _write_errors(args, result)
    if payload["errors"]:
        print(f"skipped in the scores: {len(payload['errors'])} records with errors (see JSON)")
    print(f"metrics: {Path(output).absolute()}")
    return 0


def _write_errors(args: argparse.Namespace, result: Any) -> None:
    """``evaluate --errors``: the misclassified records, and the largest confusions printed."""
    from newsclf.errors_report import error_report

    report = error_report(result.rows, _read_entries(args), list(result.tasks))
    _write_rows(args.errors, report.errors)
    print(report.summary(), end="")
    print(f"errors:  {Path(args.errors).absolute()} ({len(report.errors)} misclassified)")


def _export(args: argparse.Namespace) -> int:
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


def _add_tune_parser(sub: Any) -> None:
    tune = sub.add_parser(
        "tune",
        help="hyper-parameter search with Optuna: resumable, one run dir per trial",
        description="Search the space of SEARCH (a name in conf/hparams_search/, e.g. "
        "linear_optuna, or a YAML file) with Optuna. Each trial is one `newsclf train` run in "
        "DIR/N with the trial's overrides; the study is kept in DIR/optuna.journal, so running "
        "the same command again resumes it and runs only the missing trials (an interrupted "
        "trial runs again). Failed trials are recorded as failed (error.json in their run "
        "dir). Read the search with `newsclf compare DIR`. Needs "
        'pip install "newsclf[optuna]".',
    )
    tune.add_argument("search", help="search space: name in conf/hparams_search/ or a YAML file")
    tune.add_argument(
        "overrides",
        nargs="*",
        metavar="OVERRIDE",
        help="`newsclf train` overrides for every trial, e.g. data=records "
        "data.train=articles.jsonl tasks=[topic]",
    )
    tune.add_argument(
        "--dir",
        dest="sweep_dir",
        metavar="DIR",
        help="sweep dir: the study journal and one run dir per trial (default: multirun/SEARCH)",
    )
    tune.add_argument(
        "--n-trials",
        type=int,
        metavar="N",
        help="finished trials the study should have (default: n_trials of the search)",
    )
    add_verbosity(tune)


def _tune(args: argparse.Namespace) -> int:
    from newsclf.tune import tune

    result = tune(args.search, args.sweep_dir, args.overrides, n_trials=args.n_trials)
    print("| trial | state | value | run dir | parameters |")
    print("|---:|---|---:|---|---|")
    for t in result.trials:
        value = "" if t.value is None else f"{t.value:.4f}"
        params = ", ".join(f"{k}={v}" for k, v in t.params.items())
        state = f"{t.state}: {t.error}" if t.error else t.state
        print(f"| {t.number} | {state} | {value} | {t.run_dir.name} | {params} |")
    best = result.best
    if best is not None:
        print(f"best: trial {best.number} ({best.value:.4f}) in {best.run_dir}")
    print(f"compare the trials: newsclf compare {result.sweep_dir}")
    return 1 if result.failed else 0


def _add_compare_parser(sub: Any) -> None:
    compare = sub.add_parser(
        "compare",
        help="compare runs and sweeps: metrics with CIs, paired tests, tables and plots",
        description="PATH is a run dir or a multirun dir (all run dirs below it). Per task, "
        "print one row per run: the overrides that differ, the metric and accuracy with "
        "percentile-bootstrap CIs, training time, and the p-value of a two-sided paired "
        "approximate randomisation test of each run against the best on the same evaluation "
        "examples (runs evaluated on different examples are refused). Failed runs are listed. "
        "Writes compare.md, compare.csv, compare.json and PNG plots to --out.",
    )
    compare.add_argument("paths", nargs="+", metavar="PATH", help="run or multirun dir")
    compare.add_argument(
        "--metric",
        default="macro_f1",
        choices=["macro_f1", "accuracy"],
        help="metric that picks the best run and is tested (default: macro_f1)",
    )
    compare.add_argument(
        "--task", action="append", help="only this task (repeatable; default: all tasks)"
    )
    compare.add_argument(
        "--out", default="compare", help="output dir for tables and plots (default: ./compare)"
    )
    compare.add_argument(
        "--resamples",
        type=int,
        default=1000,
        help="bootstrap resamples and random swap patterns of the test (default: 1000)",
    )
    compare.add_argument("--confidence", type=float, default=0.95, help="CI level (0.95)")
    compare.add_argument(
        "--confusions",
        type=int,
        default=0,
        metavar="N",
        help="also print the N largest confusions (gold -> predicted) of each task's best run",
    )
    compare.add_argument("--seed", type=int, default=0, help="seed of the resampling")
    compare.add_argument("--no-plots", action="store_true", help="write only the tables")
    compare.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="FIELD",
        help="also a table of the metric per slice of this record field per run (lang, group, "
        "target, ...; read from the breakdowns in each run's metrics.json; repeatable)",
    )
    compare.add_argument(
        "--reliability",
        metavar="PNG",
        help="write a reliability diagram of every run's top-label probabilities (needs the "
        "plot extra)",
    )
    add_verbosity(compare)


def _compare(args: argparse.Namespace) -> int:
    from newsclf.compare import (
        compare_runs,
        find_runs,
        format_markdown,
        write_comparison,
        write_reliability,
    )
    from newsclf.evaluation.breakdown import check_breakdown_fields

    if args.resamples < 1:
        raise ConfigError("must be at least 1", key="--resamples", hint="e.g. --resamples 1000")
    if args.confusions < 0:
        raise ConfigError("must be at least 0", key="--confusions", hint="e.g. --confusions 5")
    if not 0 < args.confidence < 1:
        raise ConfigError("must be between 0 and 1", key="--confidence", hint="e.g. 0.95")
    by = check_breakdown_fields(args.by, key="--by")
    runs = find_runs(args.paths)
    comparison = compare_runs(
        runs,
        metric=args.metric,
        tasks=args.task,
        n_resamples=args.resamples,
        confidence=args.confidence,
        seed=args.seed,
        by=by,
    )
    out = write_comparison(comparison, args.out, plots=not args.no_plots)
    print(format_markdown(comparison), end="")
    if args.confusions:
        from newsclf.errors_report import format_best_confusions

        print(format_best_confusions(comparison, args.confusions), end="")
    log.info("wrote compare.md, compare.csv, compare.json and plots to %s", out)
    if args.reliability:
        png = write_reliability(comparison, args.reliability)
        if png is not None:
            log.info("wrote the reliability diagram to %s", png)
    return 0


def _add_card_parser(sub: Any) -> None:
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


def _card(args: argparse.Namespace) -> int:
    from newsclf.card import model_card

    text = model_card(args.model)
    with _atomic_output(args.output) as out:
        out.write(text)
    if args.output:
        log.info("wrote the model card to %s", Path(args.output).absolute())
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["train"]:
        return _train(argv[1:])
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "tune" and not any(e.startswith("-") for e in extra):
        args.overrides += extra  # overrides given after the options
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command is None:
        parser.print_help()
        return 2
    command = {
        "predict": _predict,
        "evaluate": _evaluate,
        "export": _export,
        "tune": _tune,
        "compare": _compare,
        "explain": _cli_explain.run,
        "card": _card,
        "embed": _cli_archive.embed,
        "data": _cli_data.run,
    }[args.command]
    try:
        with _stderr_logging(args), _user_errors(args.debug):
            return command(args)
    except SystemExit as exc:
        return int(exc.code or 0)


def entrypoint() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
