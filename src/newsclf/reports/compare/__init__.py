"""Compare finished runs and sweeps (``newsclf compare``): :mod:`.reading` finds the run dirs
and reads what they left, :mod:`.statistics` computes CIs and paired tests per task, and
:mod:`.rendering` prints and writes the tables and plots."""

from newsclf.reports.compare.reading import Run, differing_overrides, find_runs
from newsclf.reports.compare.rendering import format_markdown, write_comparison, write_reliability
from newsclf.reports.compare.statistics import (
    Comparison,
    SliceTable,
    TaskComparison,
    compare_runs,
)

__all__ = [
    "Comparison",
    "Run",
    "SliceTable",
    "TaskComparison",
    "compare_runs",
    "differing_overrides",
    "find_runs",
    "format_markdown",
    "write_comparison",
    "write_reliability",
]
