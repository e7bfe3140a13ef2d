"""Held-out evaluation splits that keep a story (``group``) on one side.

Articles about the same event share vocabulary; a random split would put siblings on both
sides and inflate every score, so the default split is stratified *and* grouped.

``hashed_group`` decides each record on its own (a stable hash of seed and group), so it needs
no pass over the whole corpus: it is the split of the streaming trainer, and the in-memory
trainer gives the same parts with it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, StratifiedShuffleSplit

from newsclf.data.records import FIELDS, Record
from newsclf.errors import ConfigError, DataError, NewsclfError

__all__ = [
    "SPLITS",
    "STREAMABLE_SPLITS",
    "cv_folds",
    "group_key",
    "held_out",
    "split_records",
]


def _test_size(split: Mapping[str, Any]) -> float:
    size = split.get("test_size", 0.2)
    if not isinstance(size, int | float) or not 0 < size <= 0.5:
        raise ConfigError(f"must be a fraction in (0, 0.5], got {size!r}", key="split.test_size")
    return float(size)


def _group_stratified(y: np.ndarray, groups: np.ndarray, split: Mapping[str, Any], seed: int):
    n_splits = max(2, round(1 / _test_size(split)))
    n_groups = len(set(groups))
    if n_groups < n_splits:
        raise DataError(
            f"only {n_groups} distinct groups; a {1 / n_splits:.0%} grouped hold-out needs at "
            f"least {n_splits}",
            field=split.get("group_field", "group"),
            hint="add more groups, pass a test file (data.test=PATH) or use split=stratified",
        )
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    return next(cv.split(np.zeros(len(y)), y, groups))


def _stratified(y: np.ndarray, groups: np.ndarray, split: Mapping[str, Any], seed: int):
    cv = StratifiedShuffleSplit(n_splits=1, test_size=_test_size(split), random_state=seed)
    return next(cv.split(np.zeros(len(y)), y))


def held_out(key: str, seed: int, fraction: float) -> bool:
    """Whether the group ``key`` is in the held-out part (stable across runs and machines)."""
    digest = hashlib.blake2b(f"{seed}\x1f{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") < fraction * 2**64


def group_key(record: Record, group_field: str | None) -> str:
    """The record's group (its ``group_field``), or a group of its own when it has none (or
    ``group_field`` is ``None``: records are independent)."""
    return (group_field and getattr(record, group_field, None)) or f"record:{record.id}"


def _hashed_group(y: np.ndarray, groups: np.ndarray, split: Mapping[str, Any], seed: int):
    fraction = _test_size(split)
    mask = np.asarray([held_out(str(g), seed, fraction) for g in groups], dtype=bool)
    return np.flatnonzero(~mask), np.flatnonzero(mask)


#: split names usable as ``split=NAME``
SPLITS: dict[str, Callable[..., tuple[np.ndarray, np.ndarray]]] = {
    "group_stratified": _group_stratified,
    "hashed_group": _hashed_group,
    "stratified": _stratified,
}
#: splits that decide record by record, so a corpus read in chunks can use them
STREAMABLE_SPLITS = ("hashed_group",)


def split_records(
    records: Sequence[Record], *, split: Mapping[str, Any], tasks: Sequence[str], seed: int
) -> tuple[list[Record], list[Record]]:
    """(train, eval) records; stratified by ``split.stratify`` (default: the first task)."""
    name = split.get("name")
    if name not in SPLITS:
        raise ConfigError(
            f"unknown split {name!r}",
            key="split.name",
            hint=f"choose one of: {', '.join(sorted(SPLITS))}",
        )
    stratify = split.get("stratify") or tasks[0]
    if stratify not in tasks:
        raise ConfigError(
            f"{stratify!r} is not one of the tasks {list(tasks)}", key="split.stratify"
        )
    group_field = split.get("group_field", "group")
    y = np.asarray([r.label(stratify) for r in records], dtype=object)
    groups = np.asarray([group_key(r, group_field) for r in records], dtype=object)
    counts = {label: int((y == label).sum()) for label in set(y)}
    rare = sorted(label for label, n in counts.items() if n < 2)
    if rare and name not in STREAMABLE_SPLITS:  # those do not stratify
        raise DataError(
            f"class(es) {rare} of '{stratify}' have a single example; a hold-out split needs "
            "at least two per class",
            field=stratify,
            hint="add examples or drop the class",
        )
    try:
        train_idx, eval_idx = SPLITS[name](y, groups, split, seed)
    except NewsclfError:
        raise
    except ValueError as exc:  # sklearn: too few members per class for the requested split
        raise DataError(
            f"cannot make a {name} hold-out of '{stratify}': {exc}",
            field=stratify,
            hint="add examples, change split.test_size, or pass a test file (data.test=PATH)",
        ) from None
    return [records[i] for i in train_idx], [records[i] for i in eval_idx]


def cv_folds(
    records: Sequence[Record],
    *,
    folds: Any,
    stratify: str,
    seed: int,
    group_field: str | None = "group",
) -> tuple[np.ndarray, str]:
    """The fold (``0 .. folds-1``) of each record for K-fold cross-validation, and the scheme.

    Stratified by the ``stratify`` label; when any record has a ``group_field`` value the folds
    are grouped too (StratifiedGroupKFold: a story never sits in two folds, records without a
    group form groups of their own), else plain StratifiedKFold. Shuffled with ``seed``, so the
    same records and seed give the same folds.
    """
    if isinstance(folds, bool) or not isinstance(folds, int) or folds < 2:
        raise ConfigError(f"must be an integer >= 2, got {folds!r}", key="eval.folds")
    if group_field is not None and group_field not in FIELDS:
        raise ConfigError(
            f"{group_field!r} is not a record field",
            key="split.group_field",
            hint=f"one of {', '.join(FIELDS)}, or null to ignore groups",
        )
    if len(records) < folds:
        raise DataError(
            f"{len(records)} records cannot fill {folds} folds",
            hint="lower eval.folds or add records",
        )
    y = np.asarray([r.label(stratify) for r in records], dtype=object)
    grouped = group_field is not None and any(getattr(r, group_field) for r in records)
    x = np.zeros(len(records))
    if grouped:
        assert group_field is not None
        groups = np.asarray([group_key(r, group_field) for r in records], dtype=object)
        n_groups = len(set(groups))
        if n_groups < folds:
            raise DataError(
                f"only {n_groups} distinct groups; {folds}-fold grouped cross-validation needs "
                f"at least {folds}",
                field=group_field,
                hint="lower eval.folds, add groups, or split.group_field=null to ignore groups",
            )
        cv: Any = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
        parts = cv.split(x, y, groups)
        scheme = f"{folds}-fold cross-validation stratified by {stratify}, grouped by {group_field}"
    else:
        cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        parts = cv.split(x, y)
        scheme = f"{folds}-fold cross-validation stratified by {stratify}"
    fold_of = np.full(len(records), -1, dtype=int)
    try:
        for k, (_, test_idx) in enumerate(parts):
            fold_of[test_idx] = k
    except ValueError as exc:  # sklearn: e.g. more folds than members of every class
        raise DataError(
            f"cannot make {folds} folds of '{stratify}': {exc}",
            field=stratify,
            hint="lower eval.folds or add examples",
        ) from None
    return fold_of, f"{scheme} (seed {seed})"
