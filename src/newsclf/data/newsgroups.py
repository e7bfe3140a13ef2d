"""20 Newsgroups, "bydate" version (Rennie's split, the one scikit-learn's loader uses).

``data.root`` is a folder holding any of:

- the unpacked folders ``20news-bydate-train/<group>/<id>`` (and ``20news-bydate-test/...``);
- the per-part archives ``20news-bydate-train.tar.gz`` (and ``20news-bydate-test.tar.gz``);
- the original ``20news-bydate.tar.gz`` holding both parts;

or ``data.root`` is one of those archives itself. For each part an unpacked folder wins over a
per-part archive, which wins over the combined one. The training part is required; the test part
is used as the evaluation split when present (``use_test``), otherwise ``split`` holds out part
of the training set. Each post becomes a record: newsgroup -> ``topic``,
``<part>/<group>/<id>`` -> ``id``.

``remove`` strips ``headers``, ``footers`` and/or ``quotes`` with the same rules as
:func:`sklearn.datasets.fetch_20newsgroups` (``remove=``), so scores are comparable with the
literature's "no metadata" setting. Posts left empty by stripping are dropped (and counted in
the log), since an empty text cannot be classified.
"""

from __future__ import annotations

import logging
import re
import tarfile
import time
import zlib
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from newsclf.data._textfiles import decode_file_bytes
from newsclf.data.dataset import Dataset, config_encodings
from newsclf.data.records import Record
from newsclf.errors import ConfigError, DataError

__all__ = [
    "NEWSGROUPS_PARTS",
    "REMOVABLE",
    "read_20newsgroups",
    "read_20newsgroups_dataset",
    "strip_footer",
    "strip_header",
    "strip_quotes",
]

log = logging.getLogger(__name__)

#: the two parts of the bydate split
NEWSGROUPS_PARTS = ("train", "test")
#: what ``remove`` may name
REMOVABLE = ("headers", "footers", "quotes")
_COMBINED = "20news-bydate.tar.gz"
_QUOTE = re.compile(r"(writes in|writes:|wrote:|says:|said:|^In article|^Quoted from|^\||^>)")


def strip_header(text: str) -> str:
    """Everything after the first blank line (the header block ends there)."""
    return text.partition("\n\n")[2]


def strip_quotes(text: str) -> str:
    """Drop quoted lines (``>``, ``|``) and attribution lines ("... writes:")."""
    return "\n".join(line for line in text.split("\n") if not _QUOTE.search(line))


def strip_footer(text: str) -> str:
    """Drop the signature: everything from the last line made only of dashes (or blank)."""
    lines = text.strip().split("\n")
    line_num = 0
    for line_num in range(len(lines) - 1, -1, -1):
        if lines[line_num].strip().strip("-") == "":
            break
    return "\n".join(lines[:line_num]) if line_num > 0 else text


_STRIPPERS = {"headers": strip_header, "footers": strip_footer, "quotes": strip_quotes}


def _folder_name(part: str) -> str:
    return f"20news-bydate-{part}"


def _from_folder(folder: Path) -> Iterator[tuple[str, str, str, bytes]]:
    """(group, name, source, raw bytes) of every post under ``folder/<group>/``."""
    groups = sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not groups:
        raise DataError(
            "no newsgroup folders",
            path=folder,
            hint="expected 20news-bydate-train/<group>/<id>, as unpacked from the archive",
        )
    for group in groups:
        for path in sorted(p for p in group.iterdir() if p.is_file()):
            if not path.name.startswith("."):
                yield group.name, path.name, str(path), path.read_bytes()


def _from_archive(archive: Path) -> dict[str, list[tuple[str, str, str, bytes]]]:
    """part -> (group, name, source, raw bytes) of every post in a bydate ``.tar.gz``."""
    parts: dict[str, list[tuple[str, str, str, bytes]]] = {}
    tops = {_folder_name(p): p for p in NEWSGROUPS_PARTS}
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                pieces = member.name.strip("/").split("/")
                if not member.isfile() or len(pieces) != 3 or pieces[0] not in tops:
                    continue
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                raw = handle.read()
                parts.setdefault(tops[pieces[0]], []).append(
                    (pieces[1], pieces[2], f"{archive}:{member.name}", raw)
                )
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise DataError(
            f"corrupt or truncated archive ({type(exc).__name__}: {exc})",
            path=archive,
            hint="download it again and compare its sha256 with the published one "
            "(or unpack it yourself and point data.root at the folder)",
        ) from None
    if not parts:
        raise DataError(
            "archive holds no 20news-bydate-train/ or 20news-bydate-test/ posts",
            path=archive,
            hint="expected members named 20news-bydate-train/<group>/<id>",
        )
    for posts in parts.values():
        posts.sort(key=lambda post: (post[0], post[1]))
    return parts


def _locate(root: Path) -> dict[str, Path]:
    """part -> the folder or archive it is read from."""
    if root.is_file():
        return {"archive": root}
    if not root.is_dir():
        raise DataError(
            "folder not found",
            path=root,
            hint="data.root must be the folder holding 20news-bydate-train.tar.gz "
            "(or the unpacked 20news-bydate-train/ folder)",
        )
    found: dict[str, Path] = {}
    for part in NEWSGROUPS_PARTS:
        folder = root / _folder_name(part)
        archive = root / f"{_folder_name(part)}.tar.gz"
        if folder.is_dir():
            found[part] = folder
        elif archive.is_file():
            found[part] = archive
    if len(found) < len(NEWSGROUPS_PARTS) and (root / _COMBINED).is_file():
        found.setdefault("archive", root / _COMBINED)
    return found


def _record(
    part: str,
    post: tuple[str, str, str, bytes],
    *,
    encodings: Sequence[str],
    remove: Sequence[str],
) -> tuple[Record | None, bool]:
    group, name, source, raw = post
    text, used_fallback = decode_file_bytes(raw, path=source, encodings=encodings)
    text = text.replace("\r\n", "\n")
    for what in REMOVABLE:  # the order of sklearn's loader: headers, footers, quotes
        if what in remove:
            text = _STRIPPERS[what](text)
    if not text.strip():
        return None, used_fallback
    record = Record(text=text, id=f"{part}/{group}/{name}", line=1, source=source, topic=group)
    return record, used_fallback


def _check_remove(remove: Any) -> tuple[str, ...]:
    if remove is None:
        return ()
    if isinstance(remove, str):
        remove = [r for r in remove.split(",") if r]
    bad = [r for r in remove if r not in REMOVABLE]
    if bad:
        raise ConfigError(
            f"unknown part(s) to remove {bad}",
            key="data.remove",
            hint=f"a list drawn from {list(REMOVABLE)}, e.g. data.remove=[headers,footers,quotes]",
        )
    return tuple(remove)


def read_20newsgroups(
    root: str | Path,
    *,
    remove: Sequence[str] = (),
    encodings: Sequence[str] = ("utf-8",),
) -> tuple[list[Record], list[Record] | None]:
    """(train, test) records; test is ``None`` when the test part is absent.

    Each post is decoded with the first of ``encodings`` that fits it.
    """
    root = Path(root).expanduser().absolute()
    remove = _check_remove(remove)
    started = time.perf_counter()
    located = _locate(root)
    combined = _from_archive(located["archive"]) if "archive" in located else {}
    out: dict[str, list[Record] | None] = {}
    dropped: dict[str, int] = {}
    fallbacks = 0
    for part in NEWSGROUPS_PARTS:
        where = located.get(part)
        if where is None:
            posts = combined.get(part)
        elif where.is_dir():
            posts = list(_from_folder(where))
        else:
            posts = _from_archive(where).get(part)
            if posts is None:
                raise DataError(
                    f"archive holds no {_folder_name(part)}/ posts",
                    path=where,
                    hint=f"{where.name} must contain {_folder_name(part)}/<group>/<id>",
                )
        if posts is None:
            out[part] = None
            continue
        records = []
        for post in posts:
            record, used_fallback = _record(part, post, encodings=encodings, remove=remove)
            fallbacks += used_fallback
            if record is None:
                dropped[part] = dropped.get(part, 0) + 1
            else:
                records.append(record)
        out[part] = records
    train = out["train"]
    if train is None:
        raise DataError(
            "no 20 Newsgroups training part found",
            path=root,
            hint="expected 20news-bydate-train.tar.gz, 20news-bydate.tar.gz or an unpacked "
            "20news-bydate-train/ folder there",
        )
    if fallbacks:
        log.info(
            "%d post(s) were not valid %s and were read as %s",
            fallbacks,
            encodings[0],
            "/".join(encodings[1:]),
        )
    if dropped:
        log.warning(
            "dropped %s post(s) left empty after removing %s",
            ", ".join(f"{n} {part}" for part, n in dropped.items()),
            "+".join(remove),
        )
    test = out["test"]
    log.info(
        "read 20 Newsgroups from %s: %d training posts%s in %.1f s",
        root,
        len(train),
        "" if test is None else f" and {len(test)} test posts",
        time.perf_counter() - started,
    )
    return train, test


def read_20newsgroups_dataset(data: Mapping[str, Any]) -> Dataset:
    """The ``data=20newsgroups`` config node's dataset (test part when present and used)."""
    root = data.get("root")
    if root is None:
        raise ConfigError(
            "missing 20 Newsgroups folder",
            key="data.root",
            hint="pass data.root=PATH/TO/20newsgroups_bydate",
        )
    train, test = read_20newsgroups(
        str(root),
        remove=_check_remove(data.get("remove")),
        encodings=config_encodings(data),
    )
    if not bool(data.get("use_test", True)):
        test = None
    return Dataset(train=train, test=test, source=str(Path(str(root)).expanduser().absolute()))
