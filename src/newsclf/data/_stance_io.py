"""Shared reading helpers for the stance benchmark loaders (SemEval-2016, RUW, CIC, OpinHuBank).

The released files of these datasets are not clean UTF-8 CSV: SemEval-2016 is 8-bit with CR-only
line ends, RUW mixes UTF-8 with GBK-encoded lines, OpinHuBank is ISO-8859-2 with a few CP1250
bytes, and the Catalonia corpus is tab-separated with stray quote characters inside tweets.
These helpers decode such files line by line (first encoding that fits wins) and turn anything
that still cannot be read into a :class:`~newsclf.errors.DataError` naming the file and line.
"""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from newsclf.errors import ConfigError, DataError

__all__ = [
    "dataset_root",
    "decode_lines",
    "nonempty",
    "read_table",
    "stance_label",
    "training_root",
]

log = logging.getLogger(__name__)


def dataset_root(data: Mapping[str, Any], dataset: str, expected: str) -> Path:
    """The folder of a dataset from ``data.root``.

    ``data.root`` may be the dataset's own folder (holding ``expected``) or the folder above it
    (holding ``data.folder``, e.g. the shared data directory).
    """
    value = data.get("root")
    if value is None:
        raise ConfigError(
            f"missing {dataset} folder", key="data.root", hint=f"pass data.root=PATH/TO/{dataset}"
        )
    root = Path(str(value)).expanduser().absolute()
    if not root.is_dir():
        raise DataError(
            "not a directory", path=root, hint=f"pass the {dataset} folder as data.root=DIR"
        )
    folder = data.get("folder")
    for candidate in (root, root / str(folder)) if folder else (root,):
        if (candidate / expected).exists():
            return candidate
    raise DataError(
        f"no {expected} here" + (f" nor in {folder}/" if folder else ""),
        path=root,
        hint=f"data.root must be the {dataset} folder (the one holding {expected})",
    )


def training_root(
    data: Mapping[str, Any], dataset: str, train_name: Any, key: str = "data.train"
) -> Path:
    """:func:`dataset_root` of the training file ``train_name`` (config ``key``, required)."""
    if not train_name:
        raise ConfigError("missing training file", key=key)
    return dataset_root(data, dataset, str(train_name))


def decode_lines(raw: bytes, path: Path, encodings: Sequence[str]) -> tuple[str, int]:
    """Decode ``raw`` line by line with the first of ``encodings`` that fits each line.

    CR-only and CRLF line ends become LF. Returns the text and how many lines needed a
    fallback encoding. A NUL byte, or a line no encoding can decode, raises ``DataError``.
    """
    if not encodings:
        raise ConfigError("needs at least one encoding", key="data.encodings")
    for name in encodings:
        try:
            "".encode(name)
        except LookupError:
            raise ConfigError(f"unknown encoding {name!r}", key="data.encodings") from None
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DataError(
            "binary data (a NUL byte): not a text table",
            path=path,
            line=line,
            hint="check that this is the dataset's CSV/TSV file and that it is not truncated",
        )
    raw = raw.removeprefix(b"\xef\xbb\xbf").replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    lines = []
    fallbacks = 0
    for number, chunk in enumerate(raw.split(b"\n"), start=1):
        for i, name in enumerate(encodings):
            try:
                lines.append(chunk.decode(name))
            except UnicodeDecodeError:
                continue
            fallbacks += i > 0 and not chunk.isascii()
            break
        else:
            raise DataError(
                f"bytes that none of the encodings {list(encodings)} can read",
                path=path,
                line=number,
                hint="pass the file's encoding first, e.g. data.encodings=[cp1252,latin-1]",
            )
    if fallbacks:
        log.info("%s: %d line(s) decoded as %s", path, fallbacks, "/".join(encodings[1:]))
    return "\n".join(lines), fallbacks


def read_table(
    path: Path,
    *,
    columns: Sequence[str],
    encodings: Sequence[str],
    delimiter: str = ",",
    quoting: int = csv.QUOTE_MINIMAL,
    dataset: str,
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, row) for each data row of a delimited file that must have ``columns``.

    Rows must have as many cells as the header; blank lines are skipped. Header names are
    matched after stripping spaces.
    """
    if not path.is_file():
        raise DataError("file not found", path=path, hint=f"data.root must be the {dataset} folder")
    text, _ = decode_lines(path.read_bytes(), path, encodings)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, quoting=quoting, strict=True
    )
    try:
        header = next(reader, None)
        if not header or not any(cell.strip() for cell in header):
            raise DataError("empty file, expected a header row", path=path, line=1)
        header = [cell.strip() for cell in header]
        missing = [c for c in columns if c not in header]
        if missing:
            sep = "TAB" if delimiter == "\t" else repr(delimiter)
            raise DataError(
                f"header lacks column(s) {missing}; found {header}",
                path=path,
                line=1,
                hint=f"a {dataset} file has the columns {list(columns)} separated by {sep}",
            )
        index = [header.index(c) for c in columns]
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if len(cells) != len(header):
                raise DataError(
                    f"row has {len(cells)} cells but the header has {len(header)}",
                    path=path,
                    line=start,
                    hint="the file is truncated or a cell holds an unquoted delimiter",
                )
            yield start, {c: cells[i] for c, i in zip(columns, index, strict=True)}
    except csv.Error as exc:
        raise DataError(f"malformed table ({exc})", path=path, line=reader.line_num) from None


def stance_label(
    value: str, allowed: Sequence[str], path: Path, line: int, field: str, dataset: str
) -> str:
    """``value`` as one of ``allowed`` (matched case-insensitively after stripping spaces)."""
    canonical = {a.upper(): a for a in allowed}
    label = canonical.get(value.strip().upper())
    if label is None:
        raise DataError(
            f"unknown stance {value!r}",
            path=path,
            line=line,
            field=field,
            hint=f"{dataset} stances are {', '.join(allowed)}",
        )
    return label


def nonempty(value: str, path: Path, line: int, field: str) -> str:
    """``value`` stripped; an empty cell raises ``DataError``."""
    value = value.strip()
    if not value:
        raise DataError("empty cell", path=path, line=line, field=field)
    return value
