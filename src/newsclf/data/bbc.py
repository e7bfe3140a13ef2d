"""The BBC News corpus (Greene & Cunningham 2006) in its original folder form.

``ROOT/bbc/<class>/NNN.txt`` (or ``ROOT/<class>/NNN.txt``), five classes: business,
entertainment, politics, sport, tech. Each file holds the headline on its first line, then the
body: headline -> ``title``, body -> ``text``, folder -> ``topic``, ``<class>/NNN.txt`` -> ``id``.
One original file (``sport/199.txt``) has a latin-1 byte, so ``conf/data/bbc.yaml`` reads with
``encodings: [utf-8, latin-1]``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from newsclf.data.dataset import Dataset, config_encodings
from newsclf.data.folder import read_class_folders
from newsclf.data.records import Record
from newsclf.errors import ConfigError, DataError

__all__ = ["BBC_LABELS", "bbc_folder", "read_bbc", "read_bbc_dataset"]

log = logging.getLogger(__name__)

#: the five BBC classes (folder names)
BBC_LABELS = ("business", "entertainment", "politics", "sport", "tech")


def bbc_folder(root: str | Path) -> Path:
    """The folder holding the class folders: ``root/bbc`` if it exists, else ``root``."""
    root = Path(root).expanduser().absolute()
    nested = root / "bbc"
    return nested if nested.is_dir() else root


def read_bbc(root: str | Path, *, encodings: Sequence[str] = ("utf-8",)) -> list[Record]:
    """All BBC articles under ``root``; a missing or unexpected class folder raises."""
    folder = bbc_folder(root)
    if not folder.is_dir():
        raise DataError(
            "folder not found",
            path=folder,
            hint="pass the BBC folder (the one holding bbc/ or business/, sport/, ...)",
        )
    found = sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    missing = sorted(set(BBC_LABELS) - set(found))
    extra = sorted(set(found) - set(BBC_LABELS))
    if missing or extra:
        raise DataError(
            f"expected the class folders {list(BBC_LABELS)}; missing {missing}, unexpected {extra}",
            path=folder,
            hint="point data.root at the unpacked bbc-fulltext folder, or use data=folder "
            "for another corpus with one folder per class",
        )
    started = time.perf_counter()
    records = read_class_folders(
        folder,
        pattern="*.txt",
        encodings=encodings,
        title_first_line=True,
    )
    log.info(
        "read %d BBC articles from %s in %.1f s",
        len(records),
        folder,
        time.perf_counter() - started,
    )
    return records


def read_bbc_dataset(data: Mapping[str, Any]) -> Dataset:
    """The ``data=bbc`` config node's dataset (no test part: ``split`` or CV holds one out)."""
    root = data.get("root")
    if root is None:
        raise ConfigError(
            "missing BBC folder", key="data.root", hint="pass data.root=PATH/TO/bbc_news"
        )
    records = read_bbc(
        str(root),
        encodings=config_encodings(data),
    )
    return Dataset(train=records, test=None, source=str(bbc_folder(str(root))))
