"""Metrics, bootstrap confidence intervals and the printed metrics table."""

from newsclf.evaluation.bootstrap import (
    CONFUSION_METRICS,
    accuracy_from_confusion,
    bootstrap_ci,
    macro_f1_from_confusion,
)
from newsclf.evaluation.favg import f_avg, favg_report, is_favg_label_set
from newsclf.evaluation.fnc import fnc_report, fnc_score, is_fnc_label_set
from newsclf.evaluation.metrics import classification_metrics, format_metrics_table

__all__ = [
    "CONFUSION_METRICS",
    "accuracy_from_confusion",
    "bootstrap_ci",
    "classification_metrics",
    "f_avg",
    "favg_report",
    "fnc_report",
    "fnc_score",
    "format_metrics_table",
    "is_favg_label_set",
    "is_fnc_label_set",
    "macro_f1_from_confusion",
]
