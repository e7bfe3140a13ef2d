"""Hungarian news with site section ("rovat") labels: four site CSVs -> shared topic labels.

``data.root`` holds (directly or in ``data_raw/``) one CSV per site, as named in
``data.sites`` (site -> file: ``hvg_db.csv``, ``mandiner_db.csv``, ``mn_db.csv``,
``telex_db.csv``), each with the columns ``title, pub_date, category, body, link``.

Every site names its sections differently, so ``data.labels`` maps section names onto shared
labels (label -> list of section names; matched case-insensitively after collapsing
whitespace; accents count). A section in no list gets ``data.other_label``; sections in
``data.drop_sections`` (advertising) are left out. The mapping shipped in
``conf/data/hu_rovat.yaml`` targets domestic, foreign, economy, sport, culture, tech, other.

Each row becomes a record: ``body`` -> ``text`` (the title when the body is empty),
``title`` -> ``title``, mapped section -> ``topic``, site -> ``group`` (for grouped-by-site
splits), ``<site>:<line>`` -> ``id``.
"""

from __future__ import annotations

import csv
import io
import logging
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from newsclf.data._textfiles import decode_file_bytes
from newsclf.data.dataset import Dataset, config_encodings
from newsclf.data.records import Record
from newsclf.errors import ConfigError, DataError

__all__ = ["HU_ROVAT_COLUMNS", "read_hu_rovat", "read_hu_rovat_dataset", "section_map"]

log = logging.getLogger(__name__)

#: columns every site CSV must have
HU_ROVAT_COLUMNS = ("title", "category", "body")


def _key(section: str) -> str:
    return " ".join(section.split()).casefold()


def section_map(labels: Mapping[str, Any]) -> dict[str, str]:
    """``{normalised section: label}`` from ``{label: [section, ...]}``; a repeat is an error."""
    if not isinstance(labels, Mapping) or not labels:
        raise ConfigError(
            "must map each label to a list of section names",
            key="data.labels",
            hint="e.g. data.labels={domestic: [Belföld, Itthon], sport: [Sport]}",
        )
    out: dict[str, str] = {}
    for label, sections in labels.items():
        if isinstance(sections, str) or not all(isinstance(s, str) for s in sections or []):
            raise ConfigError(
                f"sections of {label!r} must be a list of names, got {sections!r}",
                key=f"data.labels.{label}",
            )
        for section in sections or []:
            key = _key(section)
            if key in out and out[key] != label:
                raise ConfigError(
                    f"section {section!r} is mapped to both {out[key]!r} and {label!r}",
                    key=f"data.labels.{label}",
                    hint="list each section under one label only",
                )
            out[key] = str(label)
    return out


def _site_file(root: Path, name: str) -> Path:
    for folder in (root, root / "data_raw"):
        if (folder / name).is_file():
            return folder / name
    raise DataError(
        f"site file {name} not found (looked in {root} and {root / 'data_raw'})",
        path=root,
        hint="copy the file there, or leave its site out of data.sites",
    )


def _rows(path: Path, encodings: Sequence[str]):
    text, _ = decode_file_bytes(path.read_bytes(), path=path, encodings=encodings)
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    try:
        header = reader.fieldnames or []
        missing = [c for c in HU_ROVAT_COLUMNS if c not in header]
        if missing:
            raise DataError(
                f"header lacks column(s) {missing}; found {list(header)}",
                path=path,
                line=1,
                hint=f"a site CSV has the columns {list(HU_ROVAT_COLUMNS)} (and pub_date, link)",
            )
        line = reader.line_num + 1
        for row in reader:
            start, line = line, reader.line_num + 1
            if None in row:
                raise DataError(
                    "row has more cells than the header",
                    path=path,
                    line=start,
                    hint="quote cells that contain commas or line breaks",
                )
            yield start, row
    except csv.Error as exc:
        raise DataError(f"malformed CSV ({exc})", path=path, line=reader.line_num) from None


def read_hu_rovat(
    root: str | Path,
    *,
    sites: Mapping[str, str],
    labels: Mapping[str, Any],
    other_label: str | None = "other",
    drop_sections: list[str] | tuple[str, ...] = (),
    encodings: Sequence[str] = ("utf-8",),
) -> list[Record]:
    """Records of every site CSV under ``root`` with sections mapped onto shared labels.

    Each CSV is decoded with the first of ``encodings`` that fits it.

    With ``other_label=None`` an unmapped section is an error instead of ``other``.
    """
    root = Path(root).expanduser().absolute()
    if not root.is_dir():
        raise DataError(
            "folder not found",
            path=root,
            hint="pass the folder holding data_raw/ (data.root=PATH/TO/hungarian_news_rovat_2025)",
        )
    if not sites:
        raise ConfigError(
            "no site files given", key="data.sites", hint="e.g. {telex: telex_db.csv}"
        )
    mapping = section_map(labels)
    dropped_keys = {_key(s) for s in drop_sections}
    started = time.perf_counter()
    records: list[Record] = []
    dropped: Counter[str] = Counter()
    unmapped: Counter[str] = Counter()
    for site, name in sites.items():
        path = _site_file(root, str(name))
        for line, row in _rows(path, encodings):
            if all(not (v or "").strip() for v in row.values()):
                continue
            section = (row.get("category") or "").strip()
            key = _key(section)
            if key in dropped_keys:
                dropped[section] += 1
                continue
            label = mapping.get(key)
            if label is None:
                if other_label is None:
                    raise DataError(
                        f"section {section!r} has no label",
                        path=path,
                        line=line,
                        field="category",
                        hint="add it to a list in data.labels, or set data.other_label",
                    )
                label = other_label
                unmapped[section] += 1
            title = (row.get("title") or "").strip() or None
            body = row.get("body") or ""
            text = body if body.strip() else title
            if text is None:
                raise DataError("empty body and title", path=path, line=line, field="body")
            records.append(
                Record(
                    text=text,
                    id=f"{site}:{line}",
                    line=line,
                    source=str(path),
                    title=title if body.strip() else None,
                    topic=label,
                    group=str(site),
                )
            )
    if dropped:
        log.info("left out %d rows of sections %s", sum(dropped.values()), dict(dropped))
    if unmapped:
        log.info("labelled %r: sections %s", other_label, dict(unmapped.most_common()))
    log.info(
        "read %d Hungarian articles from %d sites in %s in %.1f s: %s",
        len(records),
        len(sites),
        root,
        time.perf_counter() - started,
        dict(Counter(r.topic for r in records).most_common()),
    )
    return records


def read_hu_rovat_dataset(data: Mapping[str, Any]) -> Dataset:
    """The ``data=hu_rovat`` config node's dataset (no test part: ``split`` holds one out)."""
    root = data.get("root")
    if root is None:
        raise ConfigError(
            "missing folder",
            key="data.root",
            hint="pass data.root=PATH/TO/hungarian_news_rovat_2025",
        )
    other = data.get("other_label", "other")
    records = read_hu_rovat(
        str(root),
        sites=dict(data.get("sites") or {}),
        labels={
            str(k): v if v is None or isinstance(v, str) else list(v)
            for k, v in (data.get("labels") or {}).items()
        },
        other_label=None if other is None else str(other),
        drop_sections=list(data.get("drop_sections") or []),
        encodings=config_encodings(data),
    )
    return Dataset(train=records, test=None, source=str(Path(str(root)).expanduser().absolute()))
