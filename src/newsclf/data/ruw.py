"""RUW (Russia-Ukraine war, multi-target stance in English tweets) as newsclf records.

Each row ``Tweet, Target 1, Stance 1, Target 2, Stance 2, Test/Train/Dev`` becomes two records,
one per target (Russia, Ukraine); both share ``group`` so a split never separates them. The
released CSVs are not all UTF-8: some lines are GBK-encoded (``\\xa1\\xad`` for "…"), so lines are
decoded with the first of ``data.encodings`` that fits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from newsclf.data._stance_io import nonempty, read_table, stance_label, training_root
from newsclf.data.dataset import Dataset, config_encodings
from newsclf.data.records import Record

__all__ = ["RUW_LABELS", "load_ruw", "read_ruw_file"]

log = logging.getLogger(__name__)

RUW_LABELS = ("AGAINST", "FAVOR", "NONE")
_COLUMNS = ("Tweet", "Target 1", "Stance 1", "Target 2", "Stance 2")


def read_ruw_file(
    path: str | Path, *, encodings: Sequence[str] = ("utf-8", "gb18030"), part: str = "train"
) -> list[Record]:
    """Two records (one per target) for each tweet of one RUW CSV file."""
    path = Path(path).expanduser().absolute()
    records = []
    for line, row in read_table(path, columns=_COLUMNS, encodings=encodings, dataset="RUW"):
        text = nonempty(row["Tweet"], path, line, "Tweet")
        for k in ("1", "2"):
            target = nonempty(row[f"Target {k}"], path, line, f"Target {k}")
            stance = stance_label(row[f"Stance {k}"], RUW_LABELS, path, line, f"Stance {k}", "RUW")
            records.append(
                Record(
                    text=text,
                    id=f"{part}-{line}-{target}",
                    line=line,
                    source=str(path),
                    target=target,
                    stance=stance,
                    lang="en",
                    group=f"{part}-{line}",
                )
            )
    return records


def load_ruw(data: Mapping[str, Any]) -> Dataset:
    """(train, validation or None, source) for ``data=ruw``."""
    train_name = data.get("train")
    root = training_root(data, "RUW", train_name)
    encodings = config_encodings(data, default=("utf-8", "gb18030"))
    started = time.perf_counter()
    train = read_ruw_file(root / str(train_name), encodings=encodings, part="train")
    test = None
    test_name = data.get("test")
    if test_name:
        test = read_ruw_file(root / str(test_name), encodings=encodings, part="val")
    log.info(
        "read RUW from %s: %d training records%s in %.1f s",
        root,
        len(train),
        "" if test is None else f" and {len(test)} validation records",
        time.perf_counter() - started,
    )
    return Dataset(train=train, test=test, source=str(root / str(train_name)))
