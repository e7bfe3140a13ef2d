"""Metrics, bootstrap confidence intervals and the printed metrics table."""

from newsclf.evaluation.bootstrap import bootstrap_macro_f1, macro_f1_from_confusion
from newsclf.evaluation.metrics import classification_metrics, format_metrics_table

__all__ = [
    "bootstrap_macro_f1",
    "classification_metrics",
    "format_metrics_table",
    "macro_f1_from_confusion",
]
