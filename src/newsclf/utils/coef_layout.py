"""The memory layout of fitted linear models' weights (a layout, not a value: predictions are
the same either way)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["column_major_coefs", "linear_models", "row_major_coefs", "stored_column_major"]

#: the packages whose objects are searched for estimators
_MODEL_PACKAGES = frozenset({"sklearn", "newsclf"})


def column_major_coefs(models: Iterable[Any]) -> None:
    """Store the ``coef_`` of every fitted linear model in ``models`` (pipelines, estimators)
    column-major (same values), in place.

    scikit-learn scores sparse rows with ``X @ coef_.T``; scipy needs that right-hand side
    C-contiguous and copies it on every call otherwise: with hashed features (2**20 columns x
    20 classes) that is a 160 MB copy per call, which chunked prediction would pay once per
    chunk (measured: a third of the time at 2000 records a chunk). Column-major ``coef_`` makes
    ``coef_.T`` C-contiguous, so the copy never happens; the products, and so the predictions,
    are the same. Idempotent. Files are written this way (:func:`stored_column_major`), so
    that a model loaded with ``mmap=True`` keeps its ``coef_`` mapped from the file instead of
    copying it here.
    """
    for item in linear_models(models):
        if not item.coef_.flags.f_contiguous:
            item.coef_ = np.asfortranarray(item.coef_)


def row_major_coefs(models: Iterable[Any]) -> None:
    """Store every fitted linear model's ``coef_`` row-major, in place: the layout
    scikit-learn's incremental learners need (``SGDClassifier.partial_fit`` refuses a
    column-major one). What a model loaded into memory gets."""
    for item in linear_models(models):
        if not item.coef_.flags.c_contiguous:
            item.coef_ = np.ascontiguousarray(item.coef_)


@contextmanager
def stored_column_major(models: Iterable[Any]) -> Iterator[None]:
    """Within the block, every fitted linear model's ``coef_`` is column-major; afterwards the
    original arrays are back (saving does not change the caller's model)."""
    found = list(linear_models(models))
    originals = [item.coef_ for item in found]
    try:
        column_major_coefs(found)
        yield
    finally:
        for item, coef in zip(found, originals, strict=True):
            item.coef_ = coef


def linear_models(models: Iterable[Any]) -> Iterator[Any]:
    """The estimators reachable from ``models`` with a 2-D ``coef_`` array."""
    seen: set[int] = set()
    stack: list[Any] = list(models)
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        coef = item.__dict__.get("coef_")
        if isinstance(coef, np.ndarray) and coef.ndim == 2:
            yield item
        for value in item.__dict__.values():
            stack.extend(_estimators(value))


def _is_model(value: Any) -> bool:
    """A scikit-learn or newsclf object (estimators and their fitted helpers, such as the
    calibrated folds of CalibratedClassifierCV, which are not estimators themselves)."""
    return hasattr(value, "__dict__") and type(value).__module__.split(".")[0] in _MODEL_PACKAGES


def _estimators(value: Any, depth: int = 0) -> list[Any]:
    """The estimators held in an attribute: itself, or inside a list, tuple or dict of them
    (pipeline steps, per-target models, calibrated folds); vocabularies and arrays are skipped
    by looking at their first item only."""
    if _is_model(value):
        return [value]
    if depth > 3:
        return []
    items: list[Any]
    if isinstance(value, list | tuple):
        items = list(value)
    elif isinstance(value, dict):
        items = list(value.values()) if value else []
    else:
        return []
    if not items or not (_is_model(items[0]) or isinstance(items[0], list | tuple | dict)):
        if not any(_is_model(v) for v in items[:8]):
            return []
    found: list[Any] = []
    for item in items:
        found += _estimators(item, depth + 1)
    return found
