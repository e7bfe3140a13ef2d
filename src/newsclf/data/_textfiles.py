"""Decoding raw article files with errors that name the file, the line and the byte offset.

Shared by the folder-shaped loaders (``folder``, ``bbc``, ``20newsgroups``, ``hu_rovat``).
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence
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
    raw: bytes, *, path: str | Path, encodings: Sequence[str] = ("utf-8",)
) -> tuple[str, bool]:
    """``(text, used_fallback)``: ``raw`` decoded with the first of ``encodings`` that fits.

    When none fits, :class:`DataError` names the line and offset of the first byte that is not
    valid in the first encoding, and a hint with both ways out.
    """
    first: UnicodeDecodeError | None = None
    for i, name in enumerate(encodings):
        try:
            return raw.decode(name).removeprefix("\ufeff"), i > 0
        except UnicodeDecodeError as exc:
            first = first or exc
    if first is None:
        raise ConfigError("needs at least one encoding", key="data.encodings")
    line = raw[: first.start].count(b"\n") + 1
    bad = raw[first.start : first.start + 4]
    names = " or ".join(encodings)
    raise DataError(
        f"bytes that are not valid {names} at offset {first.start} ({bad!r})",
        path=path,
        line=line,
        hint=f"convert the file to {encodings[0]}, or name its encoding after it, "
        f"e.g. data.encodings=[{encodings[0]},latin-1]",
    )
