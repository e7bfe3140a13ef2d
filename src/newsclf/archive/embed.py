"""Embedding one shard ahead of time: fill the embedding cache for the encoder a model uses.

Sentence embeddings cost most of a run's time on a CPU (~8 leads/s here), and the cache keys
them by encoder and text, so embedding a corpus once, shard by shard (on one machine or on many
workers), makes every later training or prediction on it read vectors instead of computing
them. :class:`EncoderSpec` says which texts a config or a model embeds: its embedding blocks
(:class:`~newsclf.features.embed.TextEmbedding`, :class:`~newsclf.features.embed.PairEmbedding`)
and how each task feeds them, so the cache is filled with exactly the keys a run will ask for.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sklearn.base import clone

from newsclf.archive.predict import DEFAULT_CHUNK_SIZE, _check
from newsclf.archive.shards import ShardJob, ShardResult, fingerprint
from newsclf.data.fetch import default_cache_dir
from newsclf.data.records import Record, iter_chunks, parse_chunk
from newsclf.errors import ConfigError
from newsclf.features.embed import PairEmbedding, TextEmbedding
from newsclf.pipeline import TaskModel

__all__ = ["EmbedTask", "EncoderSpec", "embed_shard", "encoder_spec"]


@dataclass(frozen=True)
class EmbedTask:
    """The embedding blocks of one task's pipeline and how records become their inputs."""

    task: str
    input: str  #: ``text`` (title and text) or ``pair`` (text and target)
    include_title: bool
    blocks: tuple[Any, ...]  #: unfitted TextEmbedding / PairEmbedding, as configured


@dataclass(frozen=True)
class EncoderSpec:
    """What ``newsclf embed`` embeds: per task, its embedding blocks. Picklable."""

    tasks: tuple[EmbedTask, ...]

    @property
    def encoders(self) -> list[str]:
        return sorted({b.encoder for t in self.tasks for b in t.blocks})

    def fingerprint(self) -> str:
        """Changes when anything that decides the embedded texts changes."""
        return fingerprint(
            [
                (t.task, t.input, t.include_title, [b.get_params() for b in t.blocks])
                for t in self.tasks
            ]
        )

    def cache_root(self) -> Path:
        """Where the first block's cache lives (the shard manifest sits beside it)."""
        block = self.tasks[0].blocks[0]
        return Path(block.cache_dir) if block.cache_dir is not None else default_cache_dir()


def _blocks(estimator: Any) -> list[Any]:
    """The embedding blocks anywhere inside ``estimator`` (nested pipelines, unions, wrappers)."""
    found: dict[int, Any] = {}
    stack = [estimator]
    while stack:
        item = stack.pop()
        if isinstance(item, TextEmbedding | PairEmbedding):
            found.setdefault(id(item), item)
            continue
        if hasattr(item, "get_params") and not isinstance(item, type):
            try:
                params = item.get_params(deep=False)
            except TypeError:
                continue
            stack.extend(params.values())
        elif isinstance(item, list | tuple):
            stack.extend(item)
    return list(found.values())


def encoder_spec(models: Mapping[str, TaskModel]) -> EncoderSpec:
    """The :class:`EncoderSpec` of task models (a loaded model's ``clf.models``, or
    ``{task: task_model(cfg, task)}`` for a config). A model without embedding blocks raises:
    there is nothing to cache for it."""
    tasks = []
    for task, model in models.items():
        blocks = _blocks(model.pipeline)
        if blocks:
            tasks.append(
                EmbedTask(task, model.input, model.include_title, tuple(clone(b) for b in blocks))
            )
    if not tasks:
        raise ConfigError(
            "this model uses no sentence embeddings, so there is nothing to embed",
            key="features",
            hint="embed is for configs with embedding features, e.g. experiment=fnc1 or "
            "features=embed",
        )
    for t in tasks:
        for block in t.blocks:
            if not block.cache:
                raise ConfigError(
                    "the embedding cache is off in this config, so embedding ahead is pointless",
                    key="features",
                    hint="set the block's cache: true",
                )
    return EncoderSpec(tuple(tasks))


def embed_records(spec: EncoderSpec, records: Sequence[Record], fitted: dict[int, Any]) -> None:
    """Embed what ``spec``'s blocks read from ``records`` (through the cache)."""
    for t in spec.tasks:
        inputs = TaskModel(None, t.input, t.include_title).inputs(records)
        if not inputs:
            continue
        for block in t.blocks:
            key = id(block)
            if key not in fitted:
                fitted[key] = clone(block).fit(inputs[:1])
            fitted[key].transform(inputs)


def embed_shard(
    spec: EncoderSpec,
    job: ShardJob,
    *,
    fields: Mapping[str, str] | None = None,
    on_error: str = "stop",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    encoding: str | Sequence[str] = "utf-8",
    fmt: str = "auto",
    progress: Callable[[int, int], None] | None = None,
) -> ShardResult:
    """Fill the cache with the embeddings of one shard's records, chunk by chunk.

    Idempotent (a second run finds every vector cached); the cache commits each batch, so a
    killed run keeps what it embedded. Records with errors are skipped (``on_error="record"``,
    counted) or stop the shard (``"stop"``), as in ``predict``.
    """
    start = time.perf_counter()
    tasks = [t.task for t in spec.tasks]
    fitted: dict[int, Any] = {}
    records = errors = 0
    chunks = iter_chunks(
        job.input, fmt=fmt, encoding=encoding, chunk_size=chunk_size, fields=fields
    )
    for chunk in chunks:
        entries, bad = _check(parse_chunk(chunk, collect=on_error == "record"), tasks, on_error)
        embed_records(spec, [e for e in entries if isinstance(e, Record)], fitted)
        records += len(entries)
        errors += bad
        if progress is not None:
            progress(len(entries), chunk.bytes_read)
    return ShardResult(job, records, errors, time.perf_counter() - start)
