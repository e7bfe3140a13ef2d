"""SemEval-2016 Task 6 (stance in tweets, subtask A) as newsclf records.

Two native layouts are read, told apart by the header:

- ``StanceDataset/train.csv``: comma-separated ``Tweet,Target,Stance,Opinion Towards,Sentiment``,
  CR-only line ends, 8-bit non-UTF-8 bytes (read as Latin-1);
- the task's TSV files (``semeval2016-task6-trainingdata.txt``, the gold test files):
  ``ID<TAB>Target<TAB>Tweet<TAB>Stance``, CRLF, unquoted (a tweet may hold a lone ``"``).

``Tweet`` -> ``text``, ``Target`` -> ``target``, ``Stance`` -> ``stance`` (FAVOR / AGAINST /
NONE). Rows whose target is not one of ``data.targets`` (e.g. the subtask-B "Donald Trump" rows
of ``StanceDataset/test.csv``) are dropped and counted.
"""

from __future__ import annotations

import csv
import logging
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from newsclf.data._stance_io import (
    decode_lines,
    nonempty,
    read_table,
    stance_label,
    training_root,
)
from newsclf.data.dataset import Dataset, config_encodings
from newsclf.data.records import Record
from newsclf.errors import DataError

__all__ = ["SEMEVAL_LABELS", "load_semeval2016", "read_semeval_file"]

log = logging.getLogger(__name__)

SEMEVAL_LABELS = ("AGAINST", "FAVOR", "NONE")
_CSV_COLUMNS = ("Tweet", "Target", "Stance")
_TSV_COLUMNS = ("ID", "Target", "Tweet", "Stance")


def _layout(path: Path, encodings: Sequence[str]) -> str:
    if not path.is_file():
        raise DataError("file not found", path=path, hint="data.root must be the SemEval folder")
    with path.open("rb") as fh:
        head = fh.read(4096)
    first, _ = decode_lines(head.split(b"\r")[0].split(b"\n")[0], path, encodings)
    return "tsv" if "\t" in first else "csv"


def read_semeval_file(
    path: str | Path,
    *,
    encodings: Sequence[str] = ("utf-8", "latin-1"),
    targets: Sequence[str] | None = None,
    part: str = "train",
) -> tuple[list[Record], Counter]:
    """Records of one SemEval-2016 task 6 file, and the counts of rows dropped by target."""
    path = Path(path).expanduser().absolute()
    layout = _layout(path, encodings)
    if layout == "tsv":
        rows = read_table(
            path,
            columns=_TSV_COLUMNS,
            encodings=encodings,
            delimiter="\t",
            quoting=csv.QUOTE_NONE,
            dataset="SemEval-2016 task 6 TSV",
        )
    else:
        rows = read_table(
            path, columns=_CSV_COLUMNS, encodings=encodings, dataset="SemEval-2016 task 6 CSV"
        )
    keep = None if targets is None else {t.casefold(): t for t in targets}
    records: list[Record] = []
    dropped: Counter = Counter()
    for line, row in rows:
        target = " ".join(nonempty(row["Target"], path, line, "Target").split())
        if keep is not None and target.casefold() not in keep:
            dropped[target] += 1
            continue
        rid = row["ID"].strip() if layout == "tsv" else ""
        records.append(
            Record(
                text=nonempty(row["Tweet"], path, line, "Tweet"),
                id=rid or f"{part}-{line}",
                line=line,
                source=str(path),
                target=target if keep is None else keep[target.casefold()],
                stance=stance_label(row["Stance"], SEMEVAL_LABELS, path, line, "Stance", "SemEval"),
                lang="en",
            )
        )
    return records, dropped


def load_semeval2016(data: Mapping[str, Any]) -> Dataset:
    """(train, test or None, source) for ``data=semeval2016``; test only if its file exists."""
    train_name = data.get("train")
    root = training_root(data, "SemEval-2016 task 6", train_name)
    encodings = config_encodings(data, default=("utf-8", "latin-1"))
    targets = data.get("targets")
    targets = None if targets is None else [str(t) for t in targets]
    started = time.perf_counter()
    train, dropped = read_semeval_file(
        root / str(train_name), encodings=encodings, targets=targets, part="train"
    )
    test = None
    test_name = data.get("test")
    if test_name and (root / str(test_name)).exists():
        test, dropped_test = read_semeval_file(
            root / str(test_name), encodings=encodings, targets=targets, part="test"
        )
        dropped += dropped_test
    if not train:
        raise DataError(
            f"no rows with the targets {targets}",
            path=root / str(train_name),
            hint="check data.targets against the file's Target column",
        )
    if dropped:
        log.info("SemEval-2016: dropped rows of other targets: %s", dict(dropped))
    log.info(
        "read SemEval-2016 task 6 from %s: %d training tweets%s in %.1f s",
        root,
        len(train),
        "" if test is None else f" and {len(test)} test tweets",
        time.perf_counter() - started,
    )
    return Dataset(train=train, test=test, source=str(root / str(train_name)))
