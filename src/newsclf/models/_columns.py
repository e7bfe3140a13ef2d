"""Column selection shared by the models that give one stage only some of their input columns.

A selection is ``None`` (all columns), an int ``n`` (the first ``n``; what artifacts saved
before feature groups hold) or column indices, which the model registry resolves from the
feature groups a config names (``relatedness_groups``), so configs never count columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = ["check_columns", "check_selection", "column_index", "take_columns"]


def column_index(columns: int | Sequence[int] | None, n_features: int) -> slice | list[int]:
    """``columns`` as an index into ``n_features`` columns (a slice when contiguous)."""
    if columns is None:
        return slice(0, n_features)
    if isinstance(columns, int | np.integer):
        return slice(0, int(columns))
    index = [int(c) for c in columns]
    if index == list(range(index[0], index[-1] + 1)):
        return slice(index[0], index[-1] + 1)
    return index


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def check_selection(name: str, columns: Any) -> None:
    """Raise ``ValueError`` unless ``columns`` is None, a positive int or distinct indices >= 0."""
    if columns is None or (_is_int(columns) and columns >= 1):
        return
    if isinstance(columns, Sequence | np.ndarray) and not isinstance(columns, str):
        index = list(columns)
        if index and all(_is_int(c) and c >= 0 for c in index) and len(set(index)) == len(index):
            return
    raise ValueError(
        f"{name} must be a positive integer, distinct column indices or None, got {columns!r}"
    )


def check_columns(name: str, columns: int | Sequence[int] | None, n_features: int) -> None:
    """Raise ``ValueError`` when ``columns`` selects columns ``X`` does not have."""
    if columns is None:
        return
    if isinstance(columns, int | np.integer):
        if columns > n_features:
            raise ValueError(f"{name}={columns} but X has {n_features} columns")
        return
    bad = [c for c in columns if not 0 <= c < n_features]
    if bad:
        raise ValueError(f"{name} selects columns {bad} but X has {n_features} columns")


def take_columns(X: Any, columns: int | Sequence[int] | None) -> np.ndarray:
    """The selected columns of ``X`` as a dense array (tree and scaled models read them so)."""
    part = X[:, column_index(columns, X.shape[1])]
    return part.toarray() if sp.issparse(part) else np.asarray(part)
