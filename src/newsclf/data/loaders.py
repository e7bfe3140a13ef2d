"""Datasets by config name (``data=demo``, ``data=records``) -> train and optional test records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

from newsclf.data.records import Record, read_records
from newsclf.errors import ConfigError

__all__ = ["DATASETS", "Dataset", "demo_path", "load_dataset"]


@dataclass(frozen=True)
class Dataset:
    """Training records and, when the dataset has one, its own test records."""

    train: list[Record]
    test: list[Record] | None
    source: str


def demo_path() -> Path:
    """The bundled demo corpus (shipped in the wheel as ``newsclf.demo``)."""
    return Path(str(files("newsclf.demo").joinpath("articles.jsonl")))


def _path(data: Mapping[str, Any], key: str) -> Path | None:
    value = data.get(key)
    if value is None:
        return None
    return Path(str(value)).expanduser().absolute()


def _read(data: Mapping[str, Any], path: Path) -> list[Record]:
    return read_records(
        path, encoding=data.get("encoding", "utf-8"), fmt=data.get("format", "auto")
    )


def _records(data: Mapping[str, Any]) -> Dataset:
    train = _path(data, "train")
    if train is None:
        raise ConfigError(
            "missing training file", key="data.train", hint="pass data.train=PATH/TO/records.jsonl"
        )
    test = _path(data, "test")
    return Dataset(
        train=_read(data, train),
        test=None if test is None else _read(data, test),
        source=str(train),
    )


def _demo(data: Mapping[str, Any]) -> Dataset:
    path = demo_path()
    return Dataset(train=_read(data, path), test=None, source=str(path))


#: dataset names usable as ``data.name`` (one YAML per name in conf/data/)
DATASETS: dict[str, Callable[[Mapping[str, Any]], Dataset]] = {
    "demo": _demo,
    "records": _records,
}


def load_dataset(data: Mapping[str, Any]) -> Dataset:
    """Load the dataset the ``data`` config node names."""
    name = data.get("name")
    if name not in DATASETS:
        raise ConfigError(
            f"unknown dataset {name!r}",
            key="data.name",
            hint=f"choose one of: {', '.join(sorted(DATASETS))}",
        )
    return DATASETS[name](data)
