"""Running shard jobs: skip the finished ones, run the rest, record each as it completes.

:func:`run_shards` is what ``newsclf predict`` and ``newsclf embed`` do with their jobs. It
runs them through an engine: :class:`InProcessEngine` here (one shard after the other, with a
progress bar over all shards), or a Dask cluster's engine (:func:`newsclf.cluster.open_engine`)
whose ``map_shards`` has the same shape. Only this process writes the manifest, after each
shard, so a killed run re-run does exactly the shards that have no finished output.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from newsclf.archive.shards import ShardJob, ShardManifest, ShardResult, pending
from newsclf.progress import Progress

__all__ = ["InProcessEngine", "RunSummary", "open_engine", "run_shards"]

log = logging.getLogger(__name__)


class InProcessEngine:
    """Runs shard functions one after the other in this process (no cluster).

    ``progress`` is a callable taking a record count and the bytes of the shard read so far;
    shard functions get it as their ``progress`` keyword, so the bar moves chunk by chunk.
    """

    def __init__(self) -> None:
        self.progress: Callable[[int, int], None] | None = None

    def map_shards(
        self, fn: Callable[..., ShardResult], jobs: Sequence[ShardJob], shared: Any, **kwargs: Any
    ) -> Iterator[ShardResult]:
        for job in jobs:
            yield fn(shared, job, progress=self.progress, **kwargs)


@contextlib.contextmanager
def open_engine(spec: str | None) -> Iterator[Any]:
    """The engine for ``--cluster SPEC``: in this process for ``None``, else the Dask engine
    of :mod:`newsclf.cluster`."""
    if spec is None:
        yield InProcessEngine()
        return
    from newsclf.cluster import open_engine as open_cluster  # the cluster extra's engine

    with open_cluster(spec) as engine:
        yield engine


@dataclass
class RunSummary:
    """What a run did: shards run and skipped, records, error lines, seconds."""

    done: int
    skipped: int
    records: int
    errors: int
    seconds: float


def run_shards(
    engine: Any,
    fn: Callable[..., ShardResult],
    jobs: Sequence[ShardJob],
    shared: Any,
    *,
    manifest: ShardManifest | None,
    fingerprint: str,
    force: bool = False,
    show_progress: bool = False,
    label: str = "predict",
    **kwargs: Any,
) -> RunSummary:
    """Run ``fn(shared, job, **kwargs)`` for every job not already done (all with ``force``),
    recording each result in ``manifest`` as it arrives. The bar counts records over all
    shards; its total is estimated from the shards' sizes once the first shard is done."""
    todo = pending(jobs, manifest, fingerprint, force) if manifest is not None else list(jobs)
    skipped = len(jobs) - len(todo)
    if skipped:
        log.info("%d of %d shards already done (use --force to redo them)", skipped, len(jobs))
    bar = Progress(label, None, enabled=show_progress, unit="records")
    total_bytes = sum(job.input.stat().st_size for job in todo) or 1
    finished = [0]  # input bytes of the shards done so far

    def advance(n: int, shard_bytes: int = 0) -> None:
        bar.update(n, fraction=min((finished[0] + shard_bytes) / total_bytes, 1.0))

    in_process = hasattr(engine, "progress")
    if in_process:
        engine.progress = advance
    records = errors = 0
    try:
        for result in engine.map_shards(fn, todo, shared=shared, **kwargs):
            if manifest is not None and result.job.key:
                manifest.record(result, fingerprint)
            finished[0] += result.job.input.stat().st_size
            advance(0 if in_process else result.records)
            records += result.records
            errors += result.errors
            log.debug("%s: %d records in %.1f s", result.job.input, result.records, result.seconds)
    finally:
        seconds = bar.close() if todo else 0.0
    return RunSummary(len(todo), skipped, records, errors, seconds)
