"""A corpus laid out as one sub-folder per class: ``ROOT/<label>/<file>`` -> records.

Each file is one article; its folder name is the ``topic`` label and its path relative to
``ROOT`` (``label/file``) its ``id``. Hidden files and folders (``.name``) and files directly
under ``ROOT`` (a README) are ignored. With ``title_first_line`` the first non-blank line of a
file becomes the record's ``title`` and the rest its ``text`` (the BBC layout).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from newsclf.data._textfiles import decode_file_bytes
from newsclf.data.dataset import Dataset, config_encodings
from newsclf.data.records import Record
from newsclf.errors import ConfigError, DataError

__all__ = ["class_folders", "read_class_folders", "read_folder_dataset", "split_title"]

log = logging.getLogger(__name__)


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith(".") for part in path.relative_to(root).parts)


def class_folders(root: str | Path) -> list[Path]:
    """The non-hidden sub-folders of ``root``, sorted by name; raises if there are none."""
    root = Path(root).expanduser().absolute()
    if not root.is_dir():
        raise DataError(
            "not a directory" if root.exists() else "folder not found",
            path=root,
            hint="data.root must be a folder with one sub-folder per class (ROOT/<label>/<file>)",
        )
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise DataError(
            "no class folders",
            path=root,
            hint="put each class's files in their own sub-folder: ROOT/<label>/<file>",
        )
    return folders


def split_title(text: str) -> tuple[str | None, str]:
    """``(first non-blank line, the rest)``; the rest is the title itself for a one-line file."""
    lines = text.strip().split("\n", 1)
    title = lines[0].strip() or None
    body = lines[1].strip() if len(lines) > 1 else ""
    return title, body or (title or "")


def read_class_folders(
    root: str | Path,
    *,
    pattern: str = "*",
    encodings: Sequence[str] = ("utf-8",),
    title_first_line: bool = False,
) -> list[Record]:
    """Every matching file under ``root/<label>/`` (recursively) as a record labelled ``label``.

    Each file is decoded with the first of ``encodings`` that fits it. A class folder without
    matching files, an empty file and a file none of them fits raise :class:`DataError`
    naming the path.
    """
    root = Path(root).expanduser().absolute()
    records: list[Record] = []
    fallbacks: list[str] = []
    for folder in class_folders(root):
        files = sorted(p for p in folder.rglob(pattern) if p.is_file() and not _hidden(p, root))
        if not files:
            raise DataError(
                f"class folder has no files matching {pattern!r}",
                path=folder,
                hint="remove the empty folder or change data.pattern",
            )
        for path in files:
            text, used_fallback = decode_file_bytes(
                path.read_bytes(),
                path=path,
                encodings=encodings,
            )
            if used_fallback:
                fallbacks.append(str(path.relative_to(root)))
            text = text.replace("\r\n", "\n")
            if not text.strip():
                raise DataError("empty file", path=path, hint="delete it or give it text")
            title = None
            if title_first_line:
                title, text = split_title(text)
            records.append(
                Record(
                    text=text,
                    id=path.relative_to(root).as_posix(),
                    line=1,
                    source=str(path),
                    title=title,
                    topic=folder.name,
                )
            )
    if fallbacks:
        log.warning(
            "%d file(s) were not valid %s and were read as %s: %s",
            len(fallbacks),
            encodings[0],
            "/".join(encodings[1:]),
            ", ".join(fallbacks[:5]) + (" ..." if len(fallbacks) > 5 else ""),
        )
    return records


def _root(data: Mapping[str, Any], what: str) -> Path:
    value = data.get("root")
    if value is None:
        raise ConfigError(
            f"missing {what} folder", key="data.root", hint=f"pass data.root=PATH/TO/{what}"
        )
    return Path(str(value)).expanduser().absolute()


def read_folder_dataset(data: Mapping[str, Any]) -> Dataset:
    """The ``data=folder`` config node's dataset (no test part: ``split`` holds one out)."""
    root = _root(data, "corpus")
    started = time.perf_counter()
    records = read_class_folders(
        root,
        pattern=str(data.get("pattern", "*")),
        encodings=config_encodings(data),
        title_first_line=bool(data.get("title_first_line", False)),
    )
    log.info(
        "read %d files in %d class folders from %s in %.1f s",
        len(records),
        len({r.topic for r in records}),
        root,
        time.perf_counter() - started,
    )
    return Dataset(train=records, test=None, source=str(root))
