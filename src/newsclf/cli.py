"""``newsclf train | predict | evaluate``.

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

from newsclf.errors import DataError, NewsclfError

__all__ = ["entrypoint", "main"]

log = logging.getLogger("newsclf")

_EPILOG = """\
commands:
  train      train and evaluate (Hydra app; the rest of the line are overrides)
             newsclf train model=logreg tasks=[topic]
             newsclf train data=records data.train=articles.jsonl
             newsclf train --help   (Hydra's help: config groups and options)
  predict    label records with a trained model, one JSON line per input record
             newsclf predict outputs/DATE/TIME/model articles.jsonl -o predictions.jsonl
  evaluate   score a trained model on labelled records
             newsclf evaluate outputs/DATE/TIME/model test.jsonl
"""


def _train(argv: Sequence[str]) -> int:
    from newsclf.train import train_app

    saved = sys.argv
    sys.argv = ["newsclf train", *argv]
    try:
        train_app()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv = saved
    return 0


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
    sub = parser.add_subparsers(dest="command", metavar="{train,predict,evaluate}")
    sub.add_parser("train", help="train and evaluate (Hydra app; see `newsclf train --help`)")

    def model_input(p: argparse.ArgumentParser) -> None:
        p.add_argument("model", help="artifact directory (RUN_DIR/model)")
        p.add_argument("input", help="records file: .jsonl or .csv ('-' for JSONL on stdin)")
        p.add_argument(
            "--format",
            default="auto",
            choices=["auto", "jsonl", "csv", "tsv"],
            help="input format (default: from the file suffix)",
        )
        p.add_argument("--encoding", default="utf-8", help="input encoding (default: utf-8)")
        p.add_argument(
            "--allow-version-mismatch",
            action="store_true",
            help="load a model saved with another scikit-learn minor version",
        )
        verbosity = p.add_mutually_exclusive_group()
        verbosity.add_argument("-q", "--quiet", action="store_true", help="only errors on stderr")
        verbosity.add_argument("-v", "--verbose", action="store_true", help="debug logging")

    predict = sub.add_parser(
        "predict",
        help="label records; one output JSON line per input record, in order",
        description="Write one JSON line per input record, in input order, with `id` and for "
        "each task of the model its label and `<task>_scores` (label -> probability).",
    )
    model_input(predict)
    predict.add_argument("-o", "--output", help="output JSONL (default: stdout)")

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
    evaluate.add_argument("--bootstrap", type=int, default=1000, help="bootstrap resamples")
    evaluate.add_argument("--seed", type=int, default=0, help="bootstrap seed")
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
    """Log newsclf's messages to stderr for one command, then restore the logger."""
    level = logging.WARNING if args.quiet else logging.DEBUG if args.verbose else logging.INFO
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    saved = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(saved[0])
        log.propagate = saved[1]


def _read_input(args: argparse.Namespace) -> list[Any]:
    from newsclf.data.records import read_records

    if args.input == "-":
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "stdin.jsonl"
            path.write_bytes(sys.stdin.buffer.read())
            return read_records(path, encoding=args.encoding, fmt="jsonl")
    return read_records(args.input, encoding=args.encoding, fmt=args.format)


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


def _predict(args: argparse.Namespace) -> int:
    import newsclf
    from newsclf.data.validate import validate_records

    clf = newsclf.load(args.model, allow_version_mismatch=args.allow_version_mismatch)
    records = _read_input(args)
    validate_records(
        records, tasks=clf.tasks, labelled=False, unique_ids=False, source=str(args.input)
    )
    rows = clf.predict_records(records)
    with _atomic_output(args.output) as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    log.info(
        "predicted %d records with %s (tasks: %s)%s",
        len(rows),
        args.model,
        ", ".join(clf.tasks),
        f" -> {args.output}" if args.output else "",
    )
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    import newsclf
    from newsclf.data.validate import validate_records
    from newsclf.evaluation import classification_metrics, format_metrics_table

    clf = newsclf.load(args.model, allow_version_mismatch=args.allow_version_mismatch)
    records = _read_input(args)
    tasks = [t for t in clf.tasks if any(r.label(t) is not None for r in records)]
    if not tasks:
        raise DataError(
            f"no gold labels for the model's tasks ({', '.join(clf.tasks)})",
            path=args.input,
            hint="evaluate needs records with the label fields; use predict for unlabelled ones",
        )
    validate_records(records, tasks=tasks, labelled=True, unique_ids=False, source=str(args.input))
    predicted = clf.predict(records)
    metrics = {
        task: classification_metrics(
            [r.label(task) for r in records],
            list(predicted[task]),
            labels=clf.labels[task],
            n_resamples=args.bootstrap,
            seed=args.seed,
        )
        for task in tasks
    }
    output = args.output or f"{Path(args.input).stem}.metrics.json"
    payload = {
        "model": str(Path(args.model).absolute()),
        "input": str(Path(args.input).absolute()),
        "tasks": metrics,
    }
    with _atomic_output(output) as fh:
        fh.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    print(format_metrics_table(metrics), end="")
    print(f"metrics: {Path(output).absolute()}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["train"]:
        return _train(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    command = {"predict": _predict, "evaluate": _evaluate}[args.command]
    try:
        with _stderr_logging(args), _user_errors(args.debug):
            return command(args)
    except SystemExit as exc:
        return int(exc.code or 0)


def entrypoint() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
