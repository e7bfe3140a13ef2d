"""What every dataset loader returns.

It sits apart from :mod:`newsclf.data.loaders` (which imports every loader) so that each loader
can import it without an import cycle.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsclf.data.records import Record

__all__ = ["Dataset"]


@dataclass(frozen=True)
class Dataset:
    """Training records and, when the dataset has one, its own test records."""

    train: list[Record]
    test: list[Record] | None
    source: str
