"""Running shard jobs: skip the finished ones, run the rest, record each as it completes.

:func:`run_shards` is what ``newsclf predict`` and ``newsclf embed`` do with their jobs. It
runs them through an engine: :class:`InProcessEngine` here (one shard after the other, with a
progress bar over all shards), or a Dask cluster's engine (:func:`newsclf.cluster.open_engine`)
whose ``map_shards`` has the same shape. Only this process writes the manifest, after each
shard, so a killed run re-run does exactly the shards that have no finished output.
"""

from __future__ import annotations

import contextlib
import glob
import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsclf.archive.shards import (
    DEFAULT_CHUNK_SIZE,
    ShardJob,
    ShardManifest,
    ShardResult,
    fingerprint,
    is_sharded,
    model_fingerprint,
    pending,
    plan_shards,
)
from newsclf.archive.source import ModelSource, forget_loaded
from newsclf.errors import ConfigError
from newsclf.utils.progress import Progress

if TYPE_CHECKING:
    from newsclf.archive.embed import EncoderSpec

# archive.predict and archive.embed (scikit-learn, the model's code) are imported where they are
# used: a client that only sends shards to a cluster starts without them (bench_cluster)

__all__ = [
    "InProcessEngine",
    "RunSummary",
    "embed_files",
    "open_engine",
    "predict_files",
    "predict_stdin",
    "run_shards",
]

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


def _remove_stale_temps(jobs: Sequence[ShardJob]) -> None:
    """Temp files a killed run left beside the outputs it was writing (this run writes its
    own; a killed run's are never renamed into place, only taking space)."""
    for job in jobs:
        if job.output is not None and job.output.parent.is_dir():
            for stale in job.output.parent.glob(f".{glob.escape(job.output.name)}.*.tmp"):
                stale.unlink(missing_ok=True)


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
    _remove_stale_temps(todo)
    if skipped:
        log.info("%d of %d shards already done (use --force to redo them)", skipped, len(jobs))
    # off the terminal there is no bar and no per-tenth log lines: the caller logs a summary
    bar = Progress(label, None, enabled=True, unit="records") if show_progress and todo else None
    total_bytes = sum(job.input.stat().st_size for job in todo) or 1
    finished = [0]  # input bytes of the shards done so far

    def advance(n: int, shard_bytes: int = 0) -> None:
        if bar is not None:
            bar.update(n, fraction=min((finished[0] + shard_bytes) / total_bytes, 1.0))

    in_process = hasattr(engine, "progress")
    if in_process:
        engine.progress = advance
    records = errors = 0
    start = time.perf_counter()
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
        if bar is not None:
            bar.close()
    seconds = time.perf_counter() - start
    return RunSummary(len(todo), skipped, records, errors, seconds)


def _options(**options: Any) -> dict[str, Any]:
    """The options that change an output, normalised for the fingerprint."""
    fields = options.get("fields")
    options["fields"] = sorted(dict(fields).items()) if fields else None
    encoding = options.get("encoding")
    options["encoding"] = [encoding] if isinstance(encoding, str) else list(encoding or [])
    return options


def predict_one_shard(model: Any, job: ShardJob, **kwargs: Any) -> ShardResult:
    """:func:`newsclf.archive.predict.predict_shard`, imported where the task runs: a client
    that only sends shards to a cluster never imports the model's code (Dask pickles this
    function by reference, from this light module)."""
    from newsclf.archive.predict import predict_shard

    return predict_shard(model, job, **kwargs)


def predict_files(
    model: Any,
    inputs: Sequence[str | Path],
    output: str | Path | None = None,
    *,
    output_format: str = "auto",
    fields: Mapping[str, str] | None = None,
    on_error: str = "stop",
    encoding: str | Sequence[str] = "utf-8",
    fmt: str = "auto",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    force: bool = False,
    cluster: str | None = None,
    show_progress: bool = False,
) -> RunSummary:
    """Predict ``inputs`` with ``model`` (a :class:`NewsClassifier` loaded from an artifact, or
    a :class:`ModelSource` the workers of a cluster load): what ``newsclf predict`` runs.

    One input file: its output goes to ``output`` (atomically; standard output when ``None``),
    as JSONL unless the name or ``output_format`` says ``.jsonl.gz`` / ``.parquet``. Several
    inputs, a directory or a glob: ``output`` is a directory with one output per input shard,
    and the shards already done for this model and these options are skipped (``force``: all
    redone). ``cluster`` runs the shards on a Dask cluster (``local[:N]``, ``tcp://HOST:PORT``).
    """
    inputs = [str(i) for i in inputs]
    sharded = is_sharded(inputs, output)
    if sharded and output is None:
        raise ConfigError(
            "several inputs need an output directory",
            key="--output",
            hint="pass -o DIR: it gets one output file per input shard",
        )
    out = None if output is None else Path(output)
    jobs = plan_shards(inputs, out, output_format, hash_inputs=sharded)
    manifest = ShardManifest.for_output(out) if sharded and out is not None else None
    if manifest is not None:
        out.mkdir(parents=True, exist_ok=True)  # type: ignore[union-attr]
    run_fp = fingerprint(
        model_fingerprint(model.manifest) if manifest is not None else None,
        _options(fields=fields, on_error=on_error, encoding=encoding, fmt=fmt),
    )
    if not sharded and cluster is not None:
        log.info("one input: predicted in this process (--cluster is for several shards)")
        cluster = None
    with open_engine(cluster) as engine:
        distributed = getattr(engine, "distributed", False)
        if isinstance(model, ModelSource) and not distributed:
            model = model.load()
        try:
            return run_shards(
                engine, predict_one_shard, jobs, model, manifest=manifest, fingerprint=run_fp,
                force=force, show_progress=show_progress, label="predict", fields=fields,
                on_error=on_error, chunk_size=chunk_size, encoding=encoding, fmt=fmt,
                require_records=not sharded,
            )  # fmt: skip
        finally:
            if distributed and isinstance(model, ModelSource):
                engine.on_workers(forget_loaded)  # the workers' copies are the run's


def predict_stdin(
    model: Any,
    stream: Any,
    *,
    fields: Mapping[str, str] | None = None,
    on_error: str = "stop",
    encoding: str | Sequence[str] = "utf-8",
    fmt: str = "jsonl",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    name: str = "<stdin>",
) -> RunSummary:
    """Predict records from a binary stream (standard input) to standard output, in chunks."""
    import sys

    from newsclf.archive.predict import _JsonlWriter, predict_stream

    if isinstance(model, ModelSource):
        model = model.load()
    start = time.perf_counter()
    writer = _JsonlWriter(sys.stdout)  # type: ignore[arg-type]
    records, errors = predict_stream(
        model, stream, writer.write, fields=fields, on_error=on_error, chunk_size=chunk_size,
        encoding=encoding, fmt=fmt, name=name,
    )  # fmt: skip
    sys.stdout.flush()
    return RunSummary(1, 0, records, errors, time.perf_counter() - start)


def embed_manifest(spec: EncoderSpec) -> ShardManifest:
    """Where ``newsclf embed`` records its finished shards: beside the first encoder's cache
    file (``<cache>/embeddings/<encoder key>.shards/``), so moving a damaged cache aside also
    forgets what was embedded into it."""
    from newsclf.features.encoders import get_encoder

    block = spec.tasks[0].blocks[0]
    key = get_encoder(block.encoder, block.n_threads).key
    folder = spec.cache_root() / "embeddings" / f"{key}.shards"
    return ShardManifest.load(folder / f"{spec.fingerprint()}.json")


def embed_files(
    spec: EncoderSpec,
    inputs: Sequence[str | Path],
    *,
    fields: Mapping[str, str] | None = None,
    on_error: str = "stop",
    encoding: str | Sequence[str] = "utf-8",
    fmt: str = "auto",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    force: bool = False,
    cluster: str | None = None,
    show_progress: bool = False,
) -> RunSummary:
    """Fill the embedding cache for ``inputs`` (files, directories, globs) with what
    ``spec``'s blocks embed: what ``newsclf embed`` runs. Shards embedded before (same input,
    same blocks and options) are skipped unless ``force``."""
    from newsclf.archive.embed import embed_shard

    jobs = plan_shards([str(i) for i in inputs], None, "jsonl")
    jobs = [replace(job, format="embed") for job in jobs]
    manifest = embed_manifest(spec)
    fp = fingerprint(
        spec.fingerprint(), _options(fields=fields, on_error=on_error, encoding=encoding, fmt=fmt)
    )
    with open_engine(cluster) as engine:
        return run_shards(
            engine, embed_shard, jobs, spec, manifest=manifest, fingerprint=fp, force=force,
            show_progress=show_progress, label="embed", fields=fields, on_error=on_error,
            chunk_size=chunk_size, encoding=encoding, fmt=fmt,
        )  # fmt: skip
