"""The official FNC-1 score (Fake News Challenge, stage 1).

Per pair, as in the official ``scorer.py``: +0.25 when related-vs-unrelated is right (predicting
any of agree/disagree/discuss for a related pair counts as right), and +0.75 more when a related
pair gets exactly its agree/disagree/discuss label. A correct ``unrelated`` is worth 0.25 and a
correct related label 1.0. The score is reported as a percentage of the best possible score
of the gold labels.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from newsclf.errors import DataError

__all__ = [
    "FNC_LABELS",
    "FNC_RELATED",
    "FNC_UNRELATED",
    "fnc_report",
    "fnc_score",
    "is_fnc_label_set",
]

FNC_UNRELATED = "unrelated"
FNC_RELATED = ("agree", "disagree", "discuss")
FNC_LABELS = (*FNC_RELATED, FNC_UNRELATED)


def is_fnc_label_set(labels: Iterable[str]) -> bool:
    """Whether ``labels`` are exactly the four FNC-1 stances (the FNC score then applies)."""
    return set(map(str, labels)) == set(FNC_LABELS)


def _check(y_true: Sequence[str], y_pred: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    true = np.asarray([str(y) for y in y_true], dtype=object)
    pred = np.asarray([str(y) for y in y_pred], dtype=object)
    if len(true) != len(pred):
        raise DataError(f"{len(true)} gold labels but {len(pred)} predictions")
    unknown = sorted((set(true) | set(pred)) - set(FNC_LABELS))
    if unknown:
        raise DataError(
            f"labels {unknown} are not FNC-1 stances",
            field="stance",
            hint=f"the FNC score is defined for {', '.join(FNC_LABELS)}",
        )
    return true, pred


def fnc_report(y_true: Sequence[str], y_pred: Sequence[str]) -> dict[str, Any]:
    """Raw FNC score, its maximum for ``y_true``, and the score as % of that maximum."""
    true, pred = _check(y_true, y_pred)
    true_related = true != FNC_UNRELATED
    pred_related = pred != FNC_UNRELATED
    raw = 0.25 * np.sum(true_related == pred_related) + 0.75 * np.sum(true_related & (true == pred))
    best = 0.25 * len(true) + 0.75 * np.sum(true_related)
    return {
        "score": float(100 * raw / best) if best else float("nan"),
        "raw": float(raw),
        "max": float(best),
    }


def fnc_score(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    """The FNC-1 score in % of the maximum (the figure the FNC-1 leaderboard reports).

    Examples
    --------
    >>> fnc_score(["agree", "unrelated"], ["agree", "unrelated"])
    100.0
    >>> fnc_score(["agree", "unrelated"], ["discuss", "unrelated"])  # (0.25 + 0.25) / 1.25
    40.0
    """
    return fnc_report(y_true, y_pred)["score"]
