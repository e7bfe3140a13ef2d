"""Records, dataset loaders, validation and evaluation splits.

The names below are imported on first use (PEP 562): importing a light submodule
(``newsclf.data.records``) does not import the splits' scikit-learn.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsclf.utils.lazy import lazy_attributes

if TYPE_CHECKING:
    from newsclf.data.dataset import Dataset
    from newsclf.data.loaders import DATASETS, demo_path, load_dataset
    from newsclf.data.records import Record, read_records, records_from_dicts
    from newsclf.data.splits import SPLITS, split_records
    from newsclf.data.validate import TASKS, check_classes, validate_records

_LAZY = {
    "Dataset": "newsclf.data.dataset",
    "DATASETS": "newsclf.data.loaders",
    "demo_path": "newsclf.data.loaders",
    "load_dataset": "newsclf.data.loaders",
    "Record": "newsclf.data.records",
    "read_records": "newsclf.data.records",
    "records_from_dicts": "newsclf.data.records",
    "SPLITS": "newsclf.data.splits",
    "split_records": "newsclf.data.splits",
    "TASKS": "newsclf.data.validate",
    "check_classes": "newsclf.data.validate",
    "validate_records": "newsclf.data.validate",
}

__all__ = [
    "DATASETS",
    "SPLITS",
    "TASKS",
    "Dataset",
    "Record",
    "check_classes",
    "demo_path",
    "load_dataset",
    "read_records",
    "records_from_dicts",
    "split_records",
    "validate_records",
]


__getattr__, __dir__ = lazy_attributes("newsclf.data", _LAZY, globals())
