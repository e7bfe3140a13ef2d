"""OpinHuBank (Hungarian news sentences, sentiment toward a named entity) as newsclf records.

The CSV (``ID, START, LEN, Entity, Sentence, URL, Annot1..Annot5``) is ISO-8859-2 with CRLF line
ends and a few Windows-1250 bytes (``\\x9e`` for "ž") that ISO-8859-2 reads as control
characters; those are repaired. A file saved as UTF-8 is read as well (``data.encodings`` are
tried per line). ``Sentence`` -> ``text``, ``Entity`` -> ``target``, the annotators' majority
-> ``stance`` (``data.labels`` maps -1/0/1 to names); rows without a majority of at least
``data.min_agreement`` votes are dropped and counted. ``group`` is the sentence, since one
sentence is often annotated toward several entities and must not straddle a split.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from newsclf.data._stance_io import dataset_root, nonempty, read_table
from newsclf.data.dataset import Dataset, config_encodings
from newsclf.data.records import Record
from newsclf.errors import ConfigError, DataError

__all__ = ["load_opinhubank", "majority_vote", "read_opinhubank"]

log = logging.getLogger(__name__)

_ANNOTATORS = tuple(f"Annot{i}" for i in range(1, 6))
_COLUMNS = ("ID", "Entity", "Sentence", *_ANNOTATORS)
_C1 = re.compile("[\x80-\x9f]")


def _repair_c1(text: str) -> str:
    """Characters U+0080-U+009F (CP1250 bytes read as ISO-8859-2) -> their CP1250 letters."""

    def fix(match: re.Match[str]) -> str:
        try:
            return match.group().encode("latin-1").decode("cp1250")
        except UnicodeDecodeError:  # the 5 bytes CP1250 leaves undefined
            return ""

    return _C1.sub(fix, text)


def majority_vote(votes: Sequence[str], min_agreement: int) -> str | None:
    """The vote given by at least ``min_agreement`` annotators, else ``None``."""
    value, count = Counter(votes).most_common(1)[0]
    return value if count >= min_agreement else None


def read_opinhubank(
    path: str | Path,
    *,
    labels: Mapping[str, str],
    min_agreement: int = 3,
    encodings: Sequence[str] = ("utf-8", "iso-8859-2"),
) -> tuple[list[Record], int]:
    """(records, number of rows dropped for lack of a majority) of the OpinHuBank CSV."""
    path = Path(path).expanduser().absolute()
    if not 1 <= min_agreement <= len(_ANNOTATORS):
        raise ConfigError(
            f"must be between 1 and {len(_ANNOTATORS)}, got {min_agreement}",
            key="data.min_agreement",
        )
    names = {str(k).strip(): str(v) for k, v in labels.items()}
    records = []
    seen: dict[str, int] = {}
    dropped = 0
    rows = read_table(path, columns=_COLUMNS, encodings=encodings, dataset="OpinHuBank")
    for line, row in rows:
        votes = []
        for field in _ANNOTATORS:
            vote = row[field].strip()
            if vote not in names:
                raise DataError(
                    f"annotation {vote!r} is not one of {sorted(names)}",
                    path=path,
                    line=line,
                    field=field,
                    hint="OpinHuBank annotations are -1 (negative), 0 (neutral) or 1 (positive)",
                )
            votes.append(vote)
        vote = majority_vote(votes, min_agreement)
        if vote is None:
            dropped += 1
            continue
        rid = nonempty(row["ID"], path, line, "ID")
        if rid in seen:
            raise DataError(
                f"duplicate ID {rid} (first on line {seen[rid]})", path=path, line=line, field="ID"
            )
        seen[rid] = line
        sentence = _repair_c1(nonempty(row["Sentence"], path, line, "Sentence"))
        records.append(
            Record(
                text=sentence,
                id=rid,
                line=line,
                source=str(path),
                target=_repair_c1(nonempty(row["Entity"], path, line, "Entity")),
                stance=names[vote],
                lang="hu",
                group=hashlib.sha1(sentence.encode("utf-8")).hexdigest()[:16],
            )
        )
    return records, dropped


def load_opinhubank(data: Mapping[str, Any]) -> Dataset:
    """(records, None, source) for ``data=opinhubank``: no official split, ``split`` holds out."""
    name = data.get("file")
    if not name:
        raise ConfigError("missing file name", key="data.file")
    root = dataset_root(data, "OpinHuBank", str(name))
    started = time.perf_counter()
    records, dropped = read_opinhubank(
        root / str(name),
        labels=dict(data.get("labels") or {}),
        min_agreement=int(data.get("min_agreement", 3)),
        encodings=config_encodings(data, default=("utf-8", "iso-8859-2")),
    )
    log.info(
        "read OpinHuBank from %s: %d sentences, %d dropped without a %d-of-5 majority, in %.1f s",
        root,
        len(records),
        dropped,
        int(data.get("min_agreement", 3)),
        time.perf_counter() - started,
    )
    return Dataset(train=records, test=None, source=str(root / str(name)))
