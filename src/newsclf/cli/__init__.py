"""The ``newsclf`` command line: ``main`` parses the command and runs it.

Each command is one module here with ``SUMMARY`` and ``EXAMPLES`` (the overview in ``newsclf
--help``), ``add_parser`` and ``run``; :data:`COMMANDS` lists them once. Options that several
commands take are declared in :mod:`newsclf.cli.options`. ``train`` is a Hydra app and owns its
argv (Hydra cannot sit under argparse), so ``main`` hands everything after the word ``train`` to
it (:func:`newsclf.cli.train.run_hydra`).
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import traceback
from collections.abc import Iterator, Sequence
from pathlib import Path
from types import ModuleType

from newsclf.cli import (
    card,
    compare,
    data,
    embed,
    evaluate,
    explain,
    export,
    predict,
    train,
    tune,
)
from newsclf.errors import NewsclfError

__all__ = ["COMMANDS", "entrypoint", "main"]

log = logging.getLogger("newsclf")

#: every command, in the order of ``newsclf --help``
COMMANDS: dict[str, ModuleType] = {
    "train": train,
    "predict": predict,
    "evaluate": evaluate,
    "export": export,
    "tune": tune,
    "compare": compare,
    "explain": explain,
    "card": card,
    "embed": embed,
    "data": data,
}


def _epilog() -> str:
    lines = ["commands:"]
    for name, command in COMMANDS.items():
        lines.append(f"  {name:<10} {command.SUMMARY}")
        lines.extend(f"{'':13}{example}" for example in command.EXAMPLES)
    return "\n".join(lines) + "\n"


def _parser() -> argparse.ArgumentParser:
    from newsclf import __version__

    parser = argparse.ArgumentParser(
        prog="newsclf",
        description="Topic and stance classification of news articles.",
        epilog=_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"newsclf {__version__} ({Path(__file__).parent.parent})",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks of unexpected errors")
    sub = parser.add_subparsers(dest="command", metavar="{" + ",".join(COMMANDS) + "}")
    for command in COMMANDS.values():
        command.add_parser(sub)
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
    logger = logging.getLogger("newsclf.runs.tune") if args.command == "tune" else log
    level = (
        logging.WARNING
        if getattr(args, "quiet", False)
        else logging.DEBUG
        if getattr(args, "verbose", False)
        else logging.INFO
    )
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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``); returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["train"]:
        return train.run_hydra(argv[1:])
    parser = _parser()
    args, extra = parser.parse_known_args(argv)
    if args.command == "tune" and not any(e.startswith("-") for e in extra):
        args.overrides += extra  # overrides given after the options
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if args.command is None:
        parser.print_help()
        return 2
    try:
        with _stderr_logging(args), _user_errors(args.debug):
            return COMMANDS[args.command].run(args)
    except SystemExit as exc:
        return int(exc.code or 0)


def entrypoint() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
