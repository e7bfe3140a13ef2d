"""Writing a file or a directory so that nobody ever sees half of it.

Everything is written to a temporary sibling first (``.NAME.*``, same directory, so the same file
system) and renamed into place with ``os.replace`` (atomic) only when the block finished; on any
error, Ctrl-C included, the temporary is removed and the target is left as it was. A reader, a
resumed sweep or an interrupted download therefore finds the old file, the new file or none.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_dir", "atomic_file", "write_text"]


@contextlib.contextmanager
def atomic_file(
    path: str | Path,
    mode: str = "w",
    *,
    encoding: str | None = "utf-8",
    newline: str | None = None,
    suffix: str = ".tmp",
) -> Iterator[IO[Any]]:
    """An open temporary file that becomes ``path`` when the block ends without an error.

    ``mode`` is ``"w"`` (text, ``encoding``, ``newline``) or ``"wb"``. The parent directory is
    created. The file gets the usual permissions (``0o666`` less the umask), as ``open`` would.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', not {mode!r}")
    target = Path(path).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}{suffix}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        if mode == "wb":
            fh: IO[Any] = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        with fh:
            yield fh
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: str | Path, text: str, *, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically; returns ``path``."""
    with atomic_file(path, encoding=encoding) as fh:
        fh.write(text)
    return Path(path)


@contextlib.contextmanager
def atomic_dir(path: str | Path, *, replace: bool = False) -> Iterator[Path]:
    """A new temporary directory that becomes ``path`` when the block ends without an error.

    With ``replace`` an existing ``path`` is swapped out whole (moved aside, then deleted);
    without it ``path`` must not exist (or be an empty directory).
    """
    target = Path(path).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.partial-", dir=target.parent))
    try:
        yield tmp
        if replace and target.exists():
            old = target.with_name(f".{target.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            os.replace(target, old)
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
