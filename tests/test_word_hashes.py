"""The word hash is the same however a batch is cut into runs (memory bound of issue 15)."""

from __future__ import annotations

import numpy as np

from newsclf.features import _word_table as wt


def _naive(cps: np.ndarray, start: int, end: int) -> int:
    base = int(wt._BASE)
    h = 0
    for c in cps[start:end]:
        h = (h * base + int(c)) % 2**64
    return h


def test_segment_hashes_over_runs_equal_the_polynomial_hash_of_each_word() -> None:
    rng = np.random.default_rng(0)
    size = 3 * wt._SPAN + 123  # several runs
    cps = rng.integers(1, 0x3000, size=size).astype(np.uint32)
    cuts = np.sort(rng.choice(np.arange(1, size), size=3000, replace=False))
    starts = np.concatenate([[0], cuts[:-1] + 1])
    ends = cuts
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    # one word longer than a run
    starts = np.append(starts, ends[-1] + 1)
    ends = np.append(ends, size)
    got = wt._segment_hashes(cps, starts, ends)
    picks = [*rng.choice(len(starts) - 1, size=40, replace=False), len(starts) - 1]
    for i in picks:
        assert int(got[i]) == _naive(cps, int(starts[i]), int(ends[i]))


def test_power_tables_stay_bounded_after_a_long_batch() -> None:
    cps = np.ones(4 * wt._SPAN, dtype=np.uint32)
    starts = np.arange(0, len(cps), 10)
    wt._segment_hashes(cps, starts, starts + 5)
    assert all(len(table) <= 4 * wt._SPAN for table in wt._POWER_TABLES.values())
