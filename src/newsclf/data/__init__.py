"""Records, dataset loaders, validation and evaluation splits."""

from newsclf.data.dataset import Dataset
from newsclf.data.loaders import DATASETS, demo_path, load_dataset
from newsclf.data.records import Record, read_records, records_from_dicts
from newsclf.data.splits import SPLITS, split_records
from newsclf.data.validate import TASKS, check_classes, validate_records

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
