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

from newsclf.utils.constraints import POSITIVE_INT

__all__ = ["SELECTION", "check_columns", "check_selection", "column_index", "take_columns"]


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


#: the constraint of a column selection parameter; the indices' values are checked in ``fit``
SELECTION = [POSITIVE_INT, "array-like", None]


def check_selection(name: str, columns: Any) -> None:
    """Raise ``ValueError`` unless indices in ``columns`` (if a sequence) are distinct ints >= 0.

    The type (None, positive int or array-like) is a declared constraint (:data:`SELECTION`).
    """
    if columns is None or isinstance(columns, int | np.integer):
        return
    index = list(columns)
    ints = all(isinstance(c, int | np.integer) and not isinstance(c, bool) for c in index)
    if not index or not ints or min(index) < 0 or len(set(index)) != len(index):
        raise ValueError(f"{name} must hold distinct column indices >= 0, got {columns!r}")


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
