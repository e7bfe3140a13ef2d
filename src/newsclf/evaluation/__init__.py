"""Metrics, bootstrap confidence intervals, calibration, breakdowns and the printed tables."""

from newsclf.evaluation.bootstrap import (
    CONFUSION_METRICS,
    accuracy_from_confusion,
    bootstrap_ci,
    macro_f1_from_confusion,
)
from newsclf.evaluation.breakdown import breakdown, format_breakdowns
from newsclf.evaluation.calibration import (
    brier_score,
    calibration_report,
    expected_calibration_error,
)
from newsclf.evaluation.favg import f_avg, favg_report, is_favg_label_set
from newsclf.evaluation.fnc import fnc_report, fnc_score, is_fnc_label_set
from newsclf.evaluation.metrics import classification_metrics, format_metrics_table
from newsclf.evaluation.report import task_report

__all__ = [
    "CONFUSION_METRICS",
    "accuracy_from_confusion",
    "bootstrap_ci",
    "breakdown",
    "brier_score",
    "calibration_report",
    "classification_metrics",
    "expected_calibration_error",
    "f_avg",
    "favg_report",
    "fnc_report",
    "fnc_score",
    "format_breakdowns",
    "format_metrics_table",
    "is_favg_label_set",
    "is_fnc_label_set",
    "macro_f1_from_confusion",
    "task_report",
]
