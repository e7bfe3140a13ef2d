"""``trainer=streaming``: out-of-core training, memory flat however large the file.

Records are read ``trainer.chunk_size`` at a time with the chunked reader of
:mod:`newsclf.data.records`, turned into stateless hashed features (``features=hashing``) and
fed to ``partial_fit`` of an incremental model (``sgd``, ``passive_aggressive``,
``multinomial_nb``). Chunks are parsed and hashed in ``n_jobs`` joblib worker processes while
the main process updates the model.

Passes over the data:

1. *scan*: counts the records and labels (``partial_fit`` needs every class up front, and
   ``class_weight: balanced`` the class counts), computes the data fingerprint and gives the
   progress bar its total;
2. *train* (``trainer.epochs`` times): the training part of each chunk;
3. *evaluate* (by :func:`newsclf.trainers.base.evaluate_and_save`): the held-out records, which
   pass 2 spooled to a file in the run dir (or the test file), chunk by chunk.

The held-out part is ``split=hashed_group`` (:func:`newsclf.data.splits.held_out`): a record is
held out when a stable hash of ``(seed, group)`` falls below ``split.test_size``, decided record
by record, so no pass over the whole corpus is needed; the memory trainer gives the same parts
with the same split. Other splits need the whole corpus and are refused.
"""

from __future__ import annotations

import ctypes
import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from newsclf.cluster.engine import Engine
from newsclf.data.dataset import config_encodings, config_fields
from newsclf.data.loaders import demo_path
from newsclf.data.records import (
    FIELDS,
    RawChunk,
    Record,
    expand_inputs,
    iter_chunks,
    names_several,
    parse_chunk,
)
from newsclf.data.splits import STREAMABLE_SPLITS, group_key, held_out
from newsclf.data.validate import check_record
from newsclf.errors import ConfigError, DataError
from newsclf.features.hashed_ngrams import HashingTextVectorizer
from newsclf.features.pair import PairVectorizer
from newsclf.pipeline import TASK_SPECS, task_inputs, task_model
from newsclf.runs.run_dir import DataFingerprint
from newsclf.trainers.base import Fitted, Trainer, check_label_counts
from newsclf.utils.progress import Progress, progress_enabled

__all__ = ["INCREMENTAL_MODELS", "StreamingTrainer"]

log = logging.getLogger(__name__)

#: model names that learn with ``partial_fit``
INCREMENTAL_MODELS = ("sgd", "passive_aggressive", "multinomial_nb")
_SPOOL = ".eval-spool.jsonl"


def _size(path: Path | list[Path]) -> int:
    """Bytes of the input file(s), for the share of the scan done."""
    return sum(p.stat().st_size for p in ([path] if isinstance(path, Path) else path))


def _running_offsets(chunks: Iterator[RawChunk]) -> Iterator[RawChunk]:
    """Chunks of several files with ``bytes_read`` counted over all of them (progress)."""
    offset = last = 0
    source = None
    for chunk in chunks:
        if chunk.source != source:
            offset += last
            source, last = chunk.source, 0
        last = chunk.bytes_read
        yield replace(chunk, bytes_read=offset + chunk.bytes_read)


@dataclass(frozen=True)
class _Plan:
    """Everything a worker needs for a chunk; small and picklable."""

    tasks: tuple[str, ...]
    features: dict[str, Any]  # task -> fitted (stateless) feature step
    include_title: bool
    seed: int
    fraction: float  # held-out fraction; 0 for a test file
    group_field: str


def _trim_heap() -> None:
    """Give freed heap pages back to the OS.

    Every chunk allocates and frees tens of MB (records, pickled matrices); glibc keeps freed
    pages it got with ``brk`` and, once a large array was freed, serves the next ones from that
    heap too, so without a trim a long stream's RSS creeps up chunk after chunk (measured:
    ``experiments/bench_streaming_memory.py``). A no-op where libc has no ``malloc_trim``.
    """
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


try:
    _MALLOC_TRIM = ctypes.CDLL(None).malloc_trim
except (AttributeError, OSError, TypeError):  # not glibc (TypeError: Windows has no CDLL(None))
    _MALLOC_TRIM = None


def _split(records: list[Record], plan: _Plan) -> tuple[list[Record], list[Record]]:
    for r in records:
        check_record(r, tasks=plan.tasks, labelled=True)
    if plan.fraction <= 0:
        return records, []
    train, evaluation = [], []
    for r in records:
        key = group_key(r, plan.group_field)
        (evaluation if held_out(key, plan.seed, plan.fraction) else train).append(r)
    return train, evaluation


def _scan(chunk: RawChunk, plan: _Plan) -> dict[str, Any]:
    _trim_heap()  # what the previous chunk freed
    records = parse_chunk(chunk)
    train, evaluation = _split(records, plan)
    fingerprint = DataFingerprint(plan.tasks)
    return {
        "n": len(records),
        "n_train": len(train),
        "n_eval": len(evaluation),
        "labels": {t: Counter(r.label(t) for r in train) for t in plan.tasks},
        "eval_labels": {t: Counter(r.label(t) for r in evaluation) for t in plan.tasks},
        "fingerprint": b"".join(fingerprint.row(r) for r in records),
        "pos": chunk.bytes_read,
    }


def _featurize(chunk: RawChunk, plan: _Plan, spool: bool, epoch: int) -> dict[str, Any]:
    _trim_heap()  # what the previous chunk freed
    records = parse_chunk(chunk)
    train, evaluation = _split(records, plan)
    # shuffle within the chunk (seeded per chunk and epoch): SGD dislikes label-sorted files
    rng = np.random.default_rng([plan.seed, epoch, chunk.first_line])
    train = [train[i] for i in rng.permutation(len(train))]
    out: dict[str, Any] = {"n": len(records), "X": {}, "y": {}}
    text_block = None
    for task in plan.tasks:
        if not train:
            out["X"][task] = None
            continue
        text_input = TASK_SPECS[task].input == "text"
        if text_input and text_block is not None:
            X = text_block
        else:
            X = plan.features[task].transform(
                task_inputs(train, task, include_title=plan.include_title)
            )
            if text_input:
                text_block = X
        out["X"][task] = X
        out["y"][task] = [r.label(task) for r in train]
    if spool:
        out["eval"] = b"".join(_record_json(r) for r in evaluation)
    return out


def _record_json(r: Record) -> bytes:
    row = {name: getattr(r, name) for name in FIELDS if getattr(r, name) is not None}
    row["id"] = r.id
    return json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n"


def _parallel(
    func: Callable[[Any], dict[str, Any]],
    chunks: Iterable[Any],
    n_jobs: int,
    engine: Engine | None = None,
) -> Iterator[dict[str, Any]]:
    """``func`` over ``chunks`` in order; in ``n_jobs`` joblib workers unless ``n_jobs`` is 1,
    or on the Dask workers of ``engine`` (``cluster=dask``: joblib's Dask backend)."""
    if engine is not None and engine.distributed:
        from joblib import Parallel, delayed

        with engine.joblib_backend():
            n = engine.joblib_n_jobs(n_jobs)
            parallel = Parallel(n_jobs=n, return_as="generator", pre_dispatch="2*n_jobs")
            yield from parallel(delayed(func)(c) for c in chunks)
        return
    if n_jobs == 1:
        yield from (func(c) for c in chunks)
        return
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs")
    yield from parallel(delayed(func)(c) for c in chunks)


def _check_pipeline(model_name: str, pipeline: Any) -> None:
    model = pipeline.named_steps["model"]
    if not hasattr(model, "partial_fit"):
        raise ConfigError(
            f"model {model_name!r} with these parameters cannot learn incrementally",
            key="model",
            hint=f"use one of {', '.join(INCREMENTAL_MODELS)} (sgd with loss=modified_huber or "
            "log_loss)",
        )
    step = pipeline.named_steps["features"]
    parts = (
        [step.text_vectorizer, step.target_vectorizer, step.similarity]
        if isinstance(step, PairVectorizer)
        else [step]
    )
    if any(
        p is not None and p != "drop" and not isinstance(p, HashingTextVectorizer) for p in parts
    ):
        raise ConfigError(
            "streaming needs features without a vocabulary",
            key="features",
            hint="use features=hashing (with features.pair.similarity=drop for stance)",
        )


def _balanced(model: Any, counts: Counter) -> None:
    """``class_weight: balanced`` from the scan's class counts (partial_fit cannot)."""
    est = getattr(model, "estimator", model)
    if getattr(est, "class_weight", None) == "balanced":
        total, k = sum(counts.values()), len(counts)
        est.set_params(class_weight={c: total / (k * n) for c, n in counts.items()})


def _positive_int(options: Any, key: str) -> int:
    value = options.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"must be a positive integer, got {value!r}", key=f"trainer.{key}")
    return value


class StreamingTrainer(Trainer):
    """Scan, ``partial_fit`` chunk by chunk (``trainer.epochs`` passes), evaluate by chunks."""

    name = "streaming"

    def __init__(self, cfg: Any, tasks: Any) -> None:
        super().__init__(cfg, tasks)
        options = cfg.trainer
        self.chunk_size = _positive_int(options, "chunk_size")
        self.epochs = _positive_int(options, "epochs")
        if not isinstance(options.get("model_shuffle"), bool):
            raise ConfigError(
                f"must be true or false, got {options.get('model_shuffle')!r}",
                key="trainer.model_shuffle",
            )
        self.show = progress_enabled(options.get("progress", "auto"), key="trainer.progress")
        self.n_jobs = int(cfg.get("n_jobs", 1))
        self.train_path, self.test_path = self._files()
        data = cfg.data
        self.fmt = data.get("format", "auto")
        self.encodings = config_encodings(data)
        self.fields = config_fields(data)
        split = cfg.split
        if self.test_path is None and split.name not in STREAMABLE_SPLITS:
            raise ConfigError(
                f"the streaming trainer cannot make a {split.name!r} split: it would need the "
                "whole corpus in memory",
                key="split",
                hint=f"use split={STREAMABLE_SPLITS[0]} (held out by a hash of the group), or "
                "pass a test file: data.test=PATH",
            )
        self.fraction = 0.0 if self.test_path is not None else float(split.get("test_size", 0.2))
        if self.test_path is None and not 0 < self.fraction <= 0.5:
            raise ConfigError(
                f"must be a fraction in (0, 0.5], got {self.fraction}", key="split.test_size"
            )
        self.group_field = str(split.get("group_field", "group"))
        self._spool: Path | None = None

    def _files(self) -> tuple[Path | list[Path], Path | list[Path] | None]:
        name = self.cfg.data.get("name")
        if name == "demo":
            return demo_path(), None
        if name != "records":
            raise ConfigError(
                f"streaming reads records files; dataset {name!r} is not one",
                key="data",
                hint="use data=records data.train=PATH (JSONL, CSV/TSV, .gz, Parquet; a "
                "directory or a glob)",
            )
        test = self.cfg.data.get("test")
        paths: list[Path | list[Path] | None] = []
        for value in (self.cfg.data.train, test):
            if value is None:
                paths.append(None)
                continue
            several = not isinstance(value, str | Path) or names_several(str(value))
            files = [p.absolute() for p in expand_inputs(value if several else str(value))]
            paths.append(files if several else files[0])
        return paths[0], paths[1]  # type: ignore[return-value]

    def _chunks(self, path: Path | list[Path]) -> Iterator[RawChunk]:
        if path == self._spool:  # written by _featurize: JSONL in UTF-8
            return iter_chunks(path, fmt="jsonl", chunk_size=self.chunk_size)
        chunks = iter_chunks(
            path,
            fmt=self.fmt,
            encoding=self.encodings,
            chunk_size=self.chunk_size,
            fields=self.fields,
        )
        return chunks if isinstance(path, Path) else _running_offsets(chunks)

    def data_fingerprint(self) -> str:
        fingerprint = DataFingerprint(self.tasks)
        for path in (self.train_path, self.test_path):
            for chunk in self._chunks(path) if path is not None else ():
                fingerprint.update(parse_chunk(chunk))
        return fingerprint.hexdigest()

    def fit(self, output_dir: Path) -> Fitted:
        cfg, tasks = self.cfg, tuple(self.tasks)
        models = {task: task_model(cfg, task) for task in tasks}
        for task, model in models.items():
            _check_pipeline(cfg.model.name, model.pipeline)
            dummy = ["x"] if TASK_SPECS[task].input == "text" else [("x", "y")]
            model.pipeline.named_steps["features"].fit(dummy)  # stateless: checks parameters
        plan = _Plan(
            tasks=tasks,
            features={t: m.pipeline.named_steps["features"] for t, m in models.items()},
            include_title=bool(cfg.features.get("include_title", True)),
            seed=int(cfg.seed),
            fraction=self.fraction,
            group_field=self.group_field,
        )
        test_plan = replace(plan, fraction=0.0)
        size = max(_size(self.train_path), 1)

        # pass 1: scan (counts, classes, fingerprint)
        fingerprint = DataFingerprint(tasks)
        labels: dict[str, Counter] = {t: Counter() for t in tasks}
        eval_labels: dict[str, Counter] = {t: Counter() for t in tasks}
        n_train = n_eval = 0
        progress = Progress("scan", None, enabled=self.show)
        sources = [(self.train_path, plan)]
        if self.test_path is not None:
            sources.append((self.test_path, test_plan))
        for path, p in sources:
            is_test = p is test_plan
            for info in _parallel(
                lambda c, p=p: _scan(c, p), self._chunks(path), self.n_jobs, self.engine
            ):
                fingerprint.add_bytes(info["fingerprint"])
                n_train += 0 if is_test else info["n_train"]
                n_eval += info["n"] if is_test else info["n_eval"]
                for t in tasks:
                    if is_test:
                        eval_labels[t].update(info["labels"][t])
                    else:
                        labels[t].update(info["labels"][t])
                        eval_labels[t].update(info["eval_labels"][t])
                progress.update(info["n"], None if is_test else info["pos"] / size)
        scan_seconds = progress.close()
        if n_train == 0:
            raise DataError("no training records", path=self.train_path, hint="the file is empty")
        if n_eval == 0:
            raise DataError(
                "the held-out part is empty",
                path=self.train_path,
                hint="raise split.test_size, add more groups, or pass data.test=PATH",
            )
        check_label_counts(tasks, labels, eval_labels, self.train_path)
        classes = {t: np.asarray(sorted(labels[t]), dtype=object) for t in tasks}
        for t in tasks:
            model = models[t].pipeline.named_steps["model"]
            _balanced(model, labels[t])
            est = getattr(model, "estimator", model)
            if "shuffle" in est.get_params(deep=False):
                est.set_params(shuffle=bool(cfg.trainer.model_shuffle))
        split = (
            "given test file"
            if self.test_path
            else f"{cfg.split.name} hold-out by hash of {self.group_field} "
            f"({n_eval} of {n_train + n_eval})"
        )
        log.info(
            "scanned %s records: %s training, %s held out (%s)",
            f"{n_train + n_eval:,}",
            f"{n_train:,}",
            f"{n_eval:,}",
            split,
        )

        # pass 2: train (the first epoch spools the held-out records for evaluation)
        self._spool = output_dir / _SPOOL
        fit_seconds = 0.0
        started = time.perf_counter()
        with self._spool.open("wb") as spool:
            for epoch in range(self.epochs):
                progress = Progress(
                    f"train (epoch {epoch + 1}/{self.epochs})",
                    n_train + (0 if self.test_path else n_eval),
                    enabled=self.show,
                )
                write = epoch == 0 and self.test_path is None
                for out in _parallel(
                    lambda c, e=epoch, w=write: _featurize(c, plan, w, e),
                    self._chunks(self.train_path),
                    self.n_jobs,
                    self.engine,
                ):
                    t0 = time.perf_counter()
                    for t in tasks:
                        if out["X"][t] is not None:
                            models[t].pipeline.named_steps["model"].partial_fit(
                                out["X"][t], out["y"][t], classes=classes[t]
                            )
                    fit_seconds += time.perf_counter() - t0
                    if write:
                        spool.write(out["eval"])
                    progress.update(out["n"])
                    del out
                    _trim_heap()
                progress.close()
        train_seconds = time.perf_counter() - started
        self._n_eval = n_eval
        return Fitted(
            models=models,
            n_train=n_train,
            n_eval=n_eval,
            split=split,
            train_seconds=train_seconds,
            task_seconds={t: train_seconds for t in tasks},
            data_fingerprint=fingerprint.hexdigest(),
            stats={
                "chunk_size": self.chunk_size,
                "epochs": self.epochs,
                "n_jobs": self.n_jobs,
                "scan_seconds": round(scan_seconds, 3),
                "fit_seconds": round(fit_seconds, 3),
                "articles_per_second": round(
                    self.epochs * (n_train + n_eval) / max(train_seconds, 1e-9)
                ),
            },
        )

    def evaluation_records(self, fitted: Fitted) -> Iterator[list[Record]]:
        path = self.test_path or self._spool
        assert path is not None, "fit first"
        progress = Progress("evaluate", fitted.n_eval, enabled=self.show)
        try:
            for chunk in self._chunks(path):
                records = parse_chunk(chunk)
                yield records
                progress.update(len(records))
                del records
                _trim_heap()
        finally:
            progress.close()
            if self._spool is not None:
                self._spool.unlink(missing_ok=True)
