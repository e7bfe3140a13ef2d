"""Decoding raw article files with errors that name the file, the line and the byte offset.

Shared by the folder-shaped loaders (``folder``, ``bbc``, ``20newsgroups``, ``hu_rovat``).
"""

from __future__ import annotations

import codecs
from pathlib import Path

from newsclf.errors import ConfigError, DataError

__all__ = ["check_encoding", "decode_file_bytes"]


def check_encoding(value: object, key: str) -> str | None:
    """``value`` as a known codec name (``None`` passes), else a :class:`ConfigError`."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f"must be an encoding name, got {value!r}", key=key)
    try:
        codecs.lookup(value)
    except LookupError:
        raise ConfigError(
            f"unknown encoding {value!r}", key=key, hint="e.g. utf-8, latin-1, cp1250"
        ) from None
    return value


def decode_file_bytes(
    raw: bytes, *, path: str | Path, encoding: str, fallback_encoding: str | None = None
) -> tuple[str, bool]:
    """``(text, used_fallback)``: ``raw`` decoded strictly, else with ``fallback_encoding``.

    Without a fallback, undecodable bytes raise :class:`DataError` with the line and offset of
    the first bad byte and a hint naming both ways out.
    """
    try:
        return raw.decode(encoding).removeprefix("\ufeff"), False
    except UnicodeDecodeError as exc:
        if fallback_encoding is not None:
            try:
                return raw.decode(fallback_encoding).removeprefix("\ufeff"), True
            except UnicodeDecodeError:
                pass
        line = raw[: exc.start].count(b"\n") + 1
        bad = raw[exc.start : exc.start + 4]
        raise DataError(
            f"bytes that are not valid {encoding} at offset {exc.start} ({bad!r})",
            path=path,
            line=line,
            hint=f"convert the file to {encoding}, pass its encoding (data.encoding=latin-1) "
            "or a fallback for the odd file (data.fallback_encoding=latin-1)",
        ) from None
