"""Datasets by config name (``data=demo``, ``data=records``) -> train and optional test records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any

from newsclf.data.bbc import read_bbc_dataset
from newsclf.data.catalonia import load_catalonia
from newsclf.data.dataset import Dataset, config_encodings, config_fields
from newsclf.data.fnc1 import read_fnc1
from newsclf.data.folder import read_folder_dataset
from newsclf.data.hu_rovat import read_hu_rovat_dataset
from newsclf.data.newsgroups import read_20newsgroups_dataset
from newsclf.data.opinhubank import load_opinhubank
from newsclf.data.records import Record, read_records
from newsclf.data.ruw import load_ruw
from newsclf.data.semeval2016 import load_semeval2016
from newsclf.errors import ConfigError

__all__ = ["DATASETS", "Dataset", "demo_path", "load_dataset"]


def demo_path() -> Path:
    """The bundled demo corpus (shipped in the wheel as ``newsclf.demo``)."""
    return Path(str(files("newsclf.demo").joinpath("articles.jsonl")))


def _path(data: Mapping[str, Any], key: str) -> Path | None:
    value = data.get(key)
    if value is None:
        return None
    return Path(str(value)).expanduser().absolute()


def _inputs(data: Mapping[str, Any], key: str) -> str | list[str] | None:
    """``data.train`` / ``data.test``: one file, a directory, a glob, or a list of them."""
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, str | Path):
        return str(Path(str(value)).expanduser().absolute())
    return [str(Path(str(v)).expanduser().absolute()) for v in value]


def _read(data: Mapping[str, Any], path: Path | str | list[str]) -> list[Record]:
    return read_records(
        path,
        encoding=config_encodings(data),
        fmt=data.get("format", "auto"),
        fields=config_fields(data),
    )


def _records(data: Mapping[str, Any]) -> Dataset:
    train = _inputs(data, "train")
    if train is None:
        raise ConfigError(
            "missing training file", key="data.train", hint="pass data.train=PATH/TO/records.jsonl"
        )
    test = _inputs(data, "test")
    return Dataset(
        train=_read(data, train),
        test=None if test is None else _read(data, test),
        source=train if isinstance(train, str) else ",".join(train),
    )


def _demo(data: Mapping[str, Any]) -> Dataset:
    path = demo_path()
    return Dataset(train=_read(data, path), test=None, source=str(path))


def _fnc1(data: Mapping[str, Any]) -> Dataset:
    root = _path(data, "root")
    if root is None:
        raise ConfigError(
            "missing FNC-1 folder", key="data.root", hint="pass data.root=PATH/TO/fnc1"
        )
    train, test = read_fnc1(root, encodings=config_encodings(data))
    return Dataset(train=train, test=test, source=str(root))


#: dataset names usable as ``data.name`` (one YAML per name in conf/data/)
DATASETS: dict[str, Callable[[Mapping[str, Any]], Dataset]] = {
    "demo": _demo,
    "fnc1": _fnc1,
    "records": _records,
    # topic benchmarks (issue 4): one module each under newsclf/data/
    "20newsgroups": read_20newsgroups_dataset,
    "bbc": read_bbc_dataset,
    "folder": read_folder_dataset,
    "hu_rovat": read_hu_rovat_dataset,
    # stance benchmarks (issue 3): one module each under newsclf/data/
    "catalonia": load_catalonia,
    "opinhubank": load_opinhubank,
    "ruw": load_ruw,
    "semeval2016": load_semeval2016,
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
    config_encodings(data)  # before any file is opened: refuses the old encoding keys
    return DATASETS[name](data)
