"""Catalonia Independence Corpus (CIC; Catalan and Spanish tweets) as newsclf records.

Files are tab-separated ``id_str<TAB>TWEET<TAB>LABEL`` with CRLF line ends. Tweets may hold
unbalanced ``"`` characters, so cells are read unquoted. Some ``id_str`` values were mangled to
float notation (``11028517837209518e+18``), which also makes a few of them collide; colliding
ids get a ``~N`` suffix so every record keeps a unique id. The corpus has one target (the
independence of Catalonia), set per language by ``data.targets``.
"""

from __future__ import annotations

import csv
import logging
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from newsclf.data._stance_io import nonempty, read_table, stance_label, training_root
from newsclf.data.dataset import Dataset, config_encodings
from newsclf.data.records import Record
from newsclf.errors import ConfigError

__all__ = ["CATALONIA_LABELS", "load_catalonia", "read_catalonia_file"]

log = logging.getLogger(__name__)

CATALONIA_LABELS = ("AGAINST", "FAVOR", "NEUTRAL")
_COLUMNS = ("id_str", "TWEET", "LABEL")


def read_catalonia_file(
    path: str | Path,
    *,
    target: str,
    lang: str,
    encodings: Sequence[str] = ("utf-8", "cp1252"),
) -> list[Record]:
    """The records of one CIC file, all toward ``target``."""
    path = Path(path).expanduser().absolute()
    seen: Counter = Counter()
    records = []
    rows = read_table(
        path,
        columns=_COLUMNS,
        encodings=encodings,
        delimiter="\t",
        quoting=csv.QUOTE_NONE,
        dataset="Catalonia Independence Corpus",
    )
    for line, row in rows:
        rid = row["id_str"].strip() or f"line-{line}"
        seen[rid] += 1
        if seen[rid] > 1:
            rid = f"{rid}~{seen[rid]}"
        records.append(
            Record(
                text=nonempty(row["TWEET"], path, line, "TWEET"),
                id=rid,
                line=line,
                source=str(path),
                target=target,
                stance=stance_label(row["LABEL"], CATALONIA_LABELS, path, line, "LABEL", "CIC"),
                lang=lang,
            )
        )
    return records


def load_catalonia(data: Mapping[str, Any]) -> Dataset:
    """(train, validation or None, source) for ``data=catalonia data.lang=ca|es``."""
    lang = data.get("lang")
    files = data.get("files") or {}
    targets = data.get("targets") or {}
    if lang not in files or lang not in targets:
        raise ConfigError(
            f"unknown language {lang!r}",
            key="data.lang",
            hint=f"choose one of: {', '.join(sorted(files))}",
        )
    parts = files[lang]
    train_name = parts.get("train")
    root = training_root(
        data, "Catalonia Independence Corpus", train_name, key=f"data.files.{lang}.train"
    )
    encodings = config_encodings(data, default=("utf-8", "cp1252"))
    target = str(targets[lang])
    started = time.perf_counter()
    train = read_catalonia_file(
        root / str(train_name), target=target, lang=lang, encodings=encodings
    )
    test = None
    if parts.get("test"):
        test = read_catalonia_file(
            root / str(parts["test"]), target=target, lang=lang, encodings=encodings
        )
    log.info(
        "read CIC (%s) from %s: %d training tweets%s in %.1f s",
        lang,
        root,
        len(train),
        "" if test is None else f" and {len(test)} validation tweets",
        time.perf_counter() - started,
    )
    return Dataset(train=train, test=test, source=str(root / str(train_name)))
