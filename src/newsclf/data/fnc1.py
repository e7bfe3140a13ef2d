"""The FNC-1 (Fake News Challenge, stage 1) native files as newsclf records.

A folder holds ``train_bodies.csv`` (``Body ID``, ``articleBody``) and ``train_stances.csv``
(``Headline``, ``Body ID``, ``Stance``), and optionally the official test pair
``competition_test_bodies.csv`` / ``competition_test_stances.csv``. Each stance row becomes one
record: ``articleBody`` -> ``text``, ``Headline`` -> ``target``, ``Stance`` -> ``stance`` and
``Body ID`` -> ``group`` (bodies repeat across many headlines, so splits must group by them).
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections.abc import Sequence
from pathlib import Path

from newsclf.data._textfiles import decode_file_bytes
from newsclf.data.records import Record
from newsclf.errors import DataError

__all__ = ["FNC1_LABELS", "FNC1_PARTS", "read_fnc1", "read_fnc1_part"]

log = logging.getLogger(__name__)

#: the four FNC-1 stance labels
FNC1_LABELS = ("agree", "disagree", "discuss", "unrelated")
#: part name -> (bodies file, stances file)
FNC1_PARTS = {
    "train": ("train_bodies.csv", "train_stances.csv"),
    "test": ("competition_test_bodies.csv", "competition_test_stances.csv"),
}
_BODY_COLUMNS = ("Body ID", "articleBody")
_STANCE_COLUMNS = ("Headline", "Body ID", "Stance")


def _rows(path: Path, columns: tuple[str, ...], encodings: Sequence[str]):
    """(line, row) for each data row of a CSV file that must have ``columns``."""
    if not path.is_file():
        raise DataError(
            "file not found",
            path=path,
            hint="data.root must be the folder holding the FNC-1 CSV files "
            "(train_bodies.csv, train_stances.csv)",
        )
    text, _ = decode_file_bytes(path.read_bytes(), path=path, encodings=encodings)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise DataError("empty file, expected a header row", path=path, line=1)
        missing = [c for c in columns if c not in header]
        if missing:
            raise DataError(
                f"header lacks column(s) {missing}; found {header}",
                path=path,
                line=1,
                hint=f"an FNC-1 file {path.name} has the columns {list(columns)}",
            )
        index = [header.index(c) for c in columns]
        line = reader.line_num + 1
        for cells in reader:
            start, line = line, reader.line_num + 1
            if not cells:
                continue
            if len(cells) != len(header):
                raise DataError(
                    f"row has {len(cells)} cells but the header has {len(header)}",
                    path=path,
                    line=start,
                    hint="quote cells that contain commas or line breaks",
                )
            yield start, {c: cells[i] for c, i in zip(columns, index, strict=True)}
    except csv.Error as exc:
        raise DataError(f"malformed CSV ({exc})", path=path, line=reader.line_num) from None


def _body_id(value: str, path: Path, line: int) -> str:
    body_id = value.strip()
    if not body_id.isdigit():
        raise DataError(
            f"Body ID must be a non-negative integer, got {value!r}",
            path=path,
            line=line,
            field="Body ID",
        )
    return str(int(body_id))


def _bodies(path: Path, encodings: Sequence[str]) -> dict[str, str]:
    bodies: dict[str, str] = {}
    first: dict[str, int] = {}
    for line, row in _rows(path, _BODY_COLUMNS, encodings):
        body_id = _body_id(row["Body ID"], path, line)
        if body_id in bodies:
            raise DataError(
                f"duplicate Body ID {body_id} (first on line {first[body_id]})",
                path=path,
                line=line,
                field="Body ID",
            )
        if not row["articleBody"].strip():
            raise DataError("empty article body", path=path, line=line, field="articleBody")
        bodies[body_id] = row["articleBody"]
        first[body_id] = line
    return bodies


def read_fnc1_part(
    root: str | Path, part: str = "train", *, encodings: Sequence[str] = ("utf-8",)
) -> list[Record]:
    """The records of one FNC-1 part (``train`` or ``test``) under the folder ``root``."""
    root = Path(root).expanduser().absolute()
    bodies_name, stances_name = FNC1_PARTS[part]
    bodies_path, stances_path = root / bodies_name, root / stances_name
    bodies = _bodies(bodies_path, encodings)
    records = []
    for line, row in _rows(stances_path, _STANCE_COLUMNS, encodings):
        body_id = _body_id(row["Body ID"], stances_path, line)
        if body_id not in bodies:
            raise DataError(
                f"Body ID {body_id} has no body in {bodies_name}",
                path=stances_path,
                line=line,
                field="Body ID",
                hint=f"{stances_name} and {bodies_name} must come from the same FNC-1 release",
            )
        headline = row["Headline"]
        if not headline.strip():
            raise DataError("empty headline", path=stances_path, line=line, field="Headline")
        stance = row["Stance"].strip()
        if stance not in FNC1_LABELS:
            raise DataError(
                f"unknown stance {stance!r}",
                path=stances_path,
                line=line,
                field="Stance",
                hint=f"FNC-1 stances are {', '.join(FNC1_LABELS)}",
            )
        records.append(
            Record(
                text=bodies[body_id],
                id=f"{part}-{line}",
                line=line,
                source=str(stances_path),
                target=headline,
                stance=stance,
                group=body_id,
            )
        )
    return records


def read_fnc1(
    root: str | Path, *, encodings: Sequence[str] = ("utf-8",)
) -> tuple[list[Record], list[Record] | None]:
    """(train, test) records from an FNC-1 folder; test is ``None`` when its files are absent.

    One test file without the other is an error (a half-copied release).
    """
    root = Path(root).expanduser().absolute()
    if not root.is_dir():
        raise DataError(
            "not a directory",
            path=root,
            hint="pass the FNC-1 folder: data=fnc1 data.root=PATH/TO/fnc1",
        )
    started = time.perf_counter()
    train = read_fnc1_part(root, "train", encodings=encodings)
    present = [name for name in FNC1_PARTS["test"] if (root / name).exists()]
    test = None
    if len(present) == 1:
        absent = next(n for n in FNC1_PARTS["test"] if n not in present)
        raise DataError(
            f"found {present[0]} but not {absent}",
            path=root,
            hint="copy both competition_test files, or neither",
        )
    if present:
        test = read_fnc1_part(root, "test", encodings=encodings)
    log.info(
        "read FNC-1 from %s: %d training pairs%s in %.1f s",
        root,
        len(train),
        "" if test is None else f" and {len(test)} competition test pairs",
        time.perf_counter() - started,
    )
    return train, test
