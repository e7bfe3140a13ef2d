"""Out-of-core training: ``newsclf train experiment=streaming data=records data.train=PATH``.

Memory stays flat however large the file: records are read ``data.chunk_size`` at a time,
turned into stateless hashed features (``features=hashing``) and fed to ``partial_fit`` of an
incremental model (``sgd``, ``passive_aggressive``, ``multinomial_nb``). Chunks are parsed and
hashed in ``n_jobs`` joblib worker processes while the main process updates the model.

Passes over the data:

1. *scan*: counts the records and labels (``partial_fit`` needs every class up front, and
   ``class_weight: balanced`` the class counts), computes the data fingerprint of
   :mod:`newsclf.sweep`, and gives the progress bar its total;
2. *train* (``streaming.epochs`` times): the training part of each chunk;
3. *evaluate*: the held-out records, which pass 2 spooled to a file in the run dir (or
   ``data.test``) are predicted chunk by chunk; only their labels stay in memory.

The held-out part is chosen without a split over the whole corpus: a record is held out when
a stable hash of ``(seed, group)`` (its ``split.group_field``, else its id) falls below
``split.test_size``, so a story's articles stay on one side, as in the in-memory split.

The artifact is an ordinary :class:`~newsclf.classifier.NewsClassifier`: a ``Pipeline`` of the
hashing features and the fitted model per task, loadable by :func:`newsclf.load`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf

from newsclf.classifier import NewsClassifier, TaskModel
from newsclf.data.loaders import demo_path
from newsclf.data.records import FIELDS, Record, _jsonl_line, _record, detect_format
from newsclf.data.validate import check_record
from newsclf.errors import ConfigError, DataError
from newsclf.evaluation import classification_metrics
from newsclf.features.hashed_ngrams import HashingTextVectorizer
from newsclf.features.pair import PairVectorizer

__all__ = [
    "INCREMENTAL_MODELS",
    "Progress",
    "held_out",
    "iter_chunks",
    "run_streaming",
    "streamed_fingerprint",
]

log = logging.getLogger(__name__)

#: model names that learn with ``partial_fit``
INCREMENTAL_MODELS = ("sgd", "passive_aggressive", "multinomial_nb")
_SPOOL = ".eval-spool.jsonl"


# -- reading -----------------------------------------------------------------------------------


def iter_chunks(
    path: Path, *, fmt: str = "auto", encoding: str = "utf-8", chunk_size: int = 10_000
) -> Iterator[tuple[str, list[tuple[int, Any]], int]]:
    """``(kind, [(line, raw line or CSV row), ...], bytes read so far)`` per chunk.

    Only reads and splits lines; parsing and checking happen in :func:`parse_chunk` (in the
    workers). JSONL lines are text; CSV rows are dicts (the ``csv`` module handles quoting).
    """
    kind = detect_format(path, fmt)
    with path.open("rb") as fh:
        if kind == "jsonl":
            items: list[tuple[int, Any]] = []
            for number, raw in enumerate(fh, start=1):
                if number == 1:
                    raw = raw.removeprefix(b"\xef\xbb\xbf")
                items.append((number, raw))
                if len(items) >= chunk_size:
                    yield kind, items, fh.tell()
                    items = []
            if items:
                yield kind, items, fh.tell()
            return
        text = io.TextIOWrapper(fh, encoding=encoding, errors="surrogateescape", newline="")
        reader = csv.DictReader(text, delimiter="," if kind == "csv" else "\t", strict=True)
        rows: list[tuple[int, Any]] = []
        while True:
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise DataError(f"malformed CSV ({exc})", path=path, line=reader.line_num) from None
            if None in row:
                raise DataError(
                    f"row has more cells than the header ({len(reader.fieldnames or [])})",
                    path=path,
                    line=reader.line_num,
                    hint="quote cells that contain the delimiter",
                )
            if all(v is None or v == "" for v in row.values()):
                continue
            rows.append((reader.line_num, row))
            if len(rows) >= chunk_size:
                yield kind, rows, fh.tell()
                rows = []
        if rows:
            yield kind, rows, fh.tell()


def parse_chunk(kind: str, items: list[tuple[int, Any]], path: str, encoding: str) -> list[Record]:
    """Records of one chunk; the first bad line raises :class:`DataError` naming it."""
    records = []
    where = Path(path)
    for number, raw in items:
        if kind == "jsonl":
            try:
                line = raw.decode(encoding, errors="surrogateescape")
            except LookupError:
                raise DataError(f"unknown encoding {encoding!r}", path=path) from None
            line = line.rstrip("\r\n")
            if not line.strip(" \t\r"):
                continue
            records.append(_jsonl_line(line, where, number, encoding))
        else:
            records.append(_record(raw, path, number, encoding))
    return records


def held_out(key: str, seed: int, fraction: float) -> bool:
    """Whether the group ``key`` is in the held-out part (stable across runs and machines)."""
    digest = hashlib.blake2b(f"{seed}\x1f{key}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") < fraction * 2**64


# -- work done per chunk (in a worker process) -------------------------------------------------


@dataclass(frozen=True)
class _Plan:
    """Everything a worker needs for a chunk; small and picklable."""

    path: str
    encoding: str
    tasks: tuple[str, ...]
    features: dict[str, Any]  # task -> fitted (stateless) feature step
    inputs: dict[str, str]  # task -> "text" | "pair"
    include_title: bool
    seed: int
    fraction: float  # held-out fraction; 0 when a test file is given
    group_field: str


def _row(record: Record, tasks: tuple[str, ...]) -> bytes:
    row = [record.id, record.text, record.title, record.target, *(record.label(t) for t in tasks)]
    return json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n"


def _split(records: list[Record], plan: _Plan) -> tuple[list[Record], list[Record]]:
    for r in records:
        check_record(r, tasks=plan.tasks, labelled=True)
    if plan.fraction <= 0:
        return records, []
    train, evaluation = [], []
    for r in records:
        key = getattr(r, plan.group_field, None) or f"record:{r.id}"
        (evaluation if held_out(key, plan.seed, plan.fraction) else train).append(r)
    return train, evaluation


def _scan(chunk: tuple[str, list[tuple[int, Any]], int], plan: _Plan) -> dict[str, Any]:
    kind, items, _ = chunk
    records = parse_chunk(kind, items, plan.path, plan.encoding)
    train, evaluation = _split(records, plan)
    return {
        "n": len(records),
        "n_train": len(train),
        "n_eval": len(evaluation),
        "labels": {t: Counter(r.label(t) for r in train) for t in plan.tasks},
        "eval_labels": {t: Counter(r.label(t) for r in evaluation) for t in plan.tasks},
        "fingerprint": b"".join(_row(r, plan.tasks) for r in records),
    }


def _inputs(records: list[Record], task: str, plan: _Plan) -> list[Any]:
    return TaskModel(None, input=plan.inputs[task], include_title=plan.include_title).inputs(
        records
    )


def _featurize(
    chunk: tuple[str, list[tuple[int, Any]], int], plan: _Plan, spool: bool, epoch: int
) -> dict[str, Any]:
    kind, items, _ = chunk
    records = parse_chunk(kind, items, plan.path, plan.encoding)
    train, evaluation = _split(records, plan)
    # shuffle within the chunk (seeded per chunk and epoch): SGD dislikes label-sorted files
    rng = np.random.default_rng([plan.seed, epoch, items[0][0] if items else 0])
    train = [train[i] for i in rng.permutation(len(train))]
    out: dict[str, Any] = {"n": len(records), "X": {}, "y": {}}
    text_block = None
    for task in plan.tasks:
        step = plan.features[task]
        if not train:
            out["X"][task] = None
            continue
        if plan.inputs[task] == "text" and text_block is not None:
            X = text_block
        else:
            X = step.transform(_inputs(train, task, plan))
            if plan.inputs[task] == "text":
                text_block = X
        out["X"][task] = X
        out["y"][task] = [r.label(task) for r in train]
    if spool:
        out["eval"] = b"".join(_record_json(r) for r in evaluation)
    return out


def _record_json(r: Record) -> bytes:
    row = {name: getattr(r, name) for name in FIELDS if getattr(r, name) is not None}
    row["id"] = r.id
    row["_line"] = r.line
    return json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n"


# -- progress ----------------------------------------------------------------------------------


class Progress:
    """A one-line progress bar on stderr: articles, articles/s and the ETA.

    Drawn only when ``enabled`` (a TTY outside CI by default); otherwise a log line at every
    tenth of the way, so ``train.log`` still shows the rate.
    """

    def __init__(self, label: str, total: int | None, *, enabled: bool, unit: str = "articles"):
        self.label = label
        self.total = total
        self.enabled = enabled
        self.unit = unit
        self.done = 0
        self.fraction = 0.0
        self.started = time.perf_counter()
        self._drawn = 0.0
        self._logged = 0

    def update(self, n: int, fraction: float | None = None) -> None:
        """Add ``n`` items; ``fraction`` (e.g. bytes read / file size) when there is no total."""
        self.done += n
        if fraction is not None:
            self.fraction = fraction
        elif self.total:
            self.fraction = self.done / self.total
        now = time.perf_counter()
        if self.enabled and now - self._drawn >= 0.2:
            self._drawn = now
            sys.stderr.write("\r" + self.line() + "\x1b[K")
            sys.stderr.flush()
        elif not self.enabled and int(self.fraction * 10) > self._logged:
            self._logged = int(self.fraction * 10)
            log.info("%s", self.line())

    def rate(self) -> float:
        return self.done / max(time.perf_counter() - self.started, 1e-9)

    def line(self) -> str:
        rate = self.rate()
        total = f"/{self.total:,}" if self.total else ""
        text = f"{self.label}: {self.done:,}{total} {self.unit} | {rate:,.0f} {self.unit}/s"
        if 0 < self.fraction < 1:
            remaining = (time.perf_counter() - self.started) * (1 - self.fraction) / self.fraction
            text += f" | {self.fraction:.0%} | ETA {int(remaining) // 60}:{int(remaining) % 60:02d}"
        return text

    def close(self) -> float:
        """Finish the line; return the elapsed seconds."""
        elapsed = time.perf_counter() - self.started
        if self.enabled:
            sys.stderr.write("\r" + self.line() + "\x1b[K\n")
            sys.stderr.flush()
        log.info(
            "%s: %s %s in %.1f s (%s %s/s)",
            self.label,
            f"{self.done:,}",
            self.unit,
            elapsed,
            f"{self.rate():,.0f}",
            self.unit,
        )
        return elapsed


def _progress_enabled(option: Any) -> bool:
    if option in (True, False):
        return bool(option)
    if option != "auto":
        raise ConfigError(f"must be auto, true or false, got {option!r}", key="streaming.progress")
    return sys.stderr.isatty() and not os.environ.get("CI")


# -- the run -----------------------------------------------------------------------------------


def _parallel(
    func: Callable[..., dict[str, Any]], chunks: Iterable[Any], n_jobs: int
) -> Iterator[dict[str, Any]]:
    """``func`` over ``chunks`` in order; in ``n_jobs`` joblib workers unless ``n_jobs`` is 1."""
    if n_jobs == 1:
        return (func(c) for c in chunks)
    from joblib import Parallel, delayed

    parallel = Parallel(n_jobs=n_jobs, return_as="generator", pre_dispatch="2*n_jobs")
    return parallel(delayed(func)(c) for c in chunks)


def _files(cfg: DictConfig) -> tuple[Path, Path | None]:
    name = cfg.data.get("name")
    if name == "demo":
        return demo_path(), None
    if name != "records":
        raise ConfigError(
            f"streaming reads one records file; dataset {name!r} is not one",
            key="data",
            hint="use data=records data.train=PATH (JSONL or CSV records)",
        )
    train = Path(str(cfg.data.train)).expanduser().absolute()
    test = cfg.data.get("test")
    for path in (train, None if test is None else Path(str(test))):
        if path is not None and not path.expanduser().is_file():
            raise DataError("file not found", path=path.expanduser().absolute())
    return train, None if test is None else Path(str(test)).expanduser().absolute()


def _check_pipeline(cfg: DictConfig, task: str, pipeline: Any) -> None:
    model = pipeline.named_steps["model"]
    if not hasattr(model, "partial_fit"):
        raise ConfigError(
            f"model {cfg.model.name!r} with these parameters cannot learn incrementally",
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


def _model_shuffle(model: Any, shuffle: Any) -> None:
    """``streaming.model_shuffle``: the model's own shuffling, where it has one."""
    est = getattr(model, "estimator", model)
    if not isinstance(shuffle, bool):
        raise ConfigError(f"must be true or false, got {shuffle!r}", key="streaming.model_shuffle")
    if "shuffle" in est.get_params(deep=False):
        est.set_params(shuffle=shuffle)


def streamed_fingerprint(cfg: DictConfig) -> str:
    """The data fingerprint :func:`run_streaming` records, read chunk by chunk (resume check)."""
    from newsclf.train import check_config

    tasks = tuple(check_config(cfg))
    train_path, test_path = _files(cfg)
    fmt, encoding = cfg.data.get("format", "auto"), cfg.data.get("encoding", "utf-8")
    chunk_size = int(cfg.data.get("chunk_size", 10_000))
    digest = hashlib.sha256()
    for path, kind in ((train_path, fmt), (test_path, fmt)):
        if path is None:
            continue
        for chunk_kind, items, _ in iter_chunks(
            path, fmt=kind, encoding=encoding, chunk_size=chunk_size
        ):
            for r in parse_chunk(chunk_kind, items, str(path), encoding):
                digest.update(_row(r, tasks))
    return digest.hexdigest()


def run_streaming(
    cfg: DictConfig, output_dir: str | Path, *, info: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Train and evaluate every task of ``cfg`` out of core; same outputs as ``train.run``."""
    from newsclf.sweep import config_hash
    from newsclf.train import _write_json, build_pipeline, check_config

    started = time.perf_counter()
    output_dir = Path(output_dir).absolute()
    output_dir.mkdir(parents=True, exist_ok=True)
    tasks = tuple(check_config(cfg))
    options = cfg.get("streaming") or {}
    chunk_size = int(cfg.data.get("chunk_size", 10_000))
    if chunk_size < 1:
        raise ConfigError(f"must be a positive integer, got {chunk_size}", key="data.chunk_size")
    epochs = int(options.get("epochs", 1))
    if epochs < 1:
        raise ConfigError(f"must be a positive integer, got {epochs}", key="streaming.epochs")
    n_jobs = int(cfg.get("n_jobs", 1))
    show = _progress_enabled(options.get("progress", "auto"))
    train_path, test_path = _files(cfg)
    fmt, encoding = cfg.data.get("format", "auto"), cfg.data.get("encoding", "utf-8")
    fraction = 0.0 if test_path is not None else float(cfg.split.get("test_size", 0.2))
    if test_path is None and not 0 < fraction <= 0.5:
        raise ConfigError(f"must be a fraction in (0, 0.5], got {fraction}", key="split.test_size")

    pipelines = {task: build_pipeline(cfg, task) for task in tasks}
    for task, pipeline in pipelines.items():
        _check_pipeline(cfg, task, pipeline)
        dummy = ["x"] if task != "stance" else [("x", "y")]
        pipeline.named_steps["features"].fit(dummy)  # stateless: checks parameters only
    include_title = bool(cfg.features.get("include_title", True))
    plan = _Plan(
        path=str(train_path),
        encoding=encoding,
        tasks=tasks,
        features={t: p.named_steps["features"] for t, p in pipelines.items()},
        inputs={t: "pair" if t == "stance" else "text" for t in tasks},
        include_title=include_title,
        seed=int(cfg.seed),
        fraction=fraction,
        group_field=str(cfg.split.get("group_field", "group")),
    )
    test_plan = _Plan(**{**plan.__dict__, "path": str(test_path), "fraction": 0.0})
    size = train_path.stat().st_size

    def chunks(path: Path) -> Iterator[Any]:
        return iter_chunks(path, fmt=fmt, encoding=encoding, chunk_size=chunk_size)

    # pass 1: scan (counts, classes, fingerprint)
    fingerprint = hashlib.sha256()
    labels = {t: Counter() for t in tasks}
    eval_labels = {t: Counter() for t in tasks}
    n_train = n_eval = 0
    progress = Progress("scan", None, enabled=show)
    sources = [(train_path, plan)] + ([(test_path, test_plan)] if test_path else [])
    for path, p in sources:
        for chunk_info in _parallel(
            lambda c, p=p: {**_scan(c, p), "pos": c[2]}, chunks(path), n_jobs
        ):
            fingerprint.update(chunk_info["fingerprint"])
            is_test = p is test_plan
            n_train += 0 if is_test else chunk_info["n_train"]
            n_eval += chunk_info["n"] if is_test else chunk_info["n_eval"]
            for t in tasks:
                if is_test:
                    eval_labels[t].update(chunk_info["labels"][t])
                else:
                    labels[t].update(chunk_info["labels"][t])
                    eval_labels[t].update(chunk_info["eval_labels"][t])
            progress.update(chunk_info["n"], chunk_info["pos"] / size if not is_test else None)
    scan_seconds = progress.close()
    if n_train == 0:
        raise DataError("no training records", path=train_path, hint="the file is empty")
    if n_eval == 0:
        raise DataError(
            "the held-out part is empty",
            path=train_path,
            hint="raise split.test_size, add more groups, or pass data.test=PATH",
        )
    for t in tasks:
        if len(labels[t]) < 2:
            raise DataError(
                f"the training part has {len(labels[t])} class(es) of '{t}'; need 2 or more",
                path=train_path,
                field=t,
            )
        unseen = sorted(set(eval_labels[t]) - set(labels[t]))
        if unseen:
            raise DataError(
                f"evaluation labels {unseen} never occur in the training part",
                field=t,
                hint="use a larger test_size or another seed, or fix the labels",
            )
    classes = {t: np.asarray(sorted(labels[t]), dtype=object) for t in tasks}
    for t in tasks:
        _balanced(pipelines[t].named_steps["model"], labels[t])
        _model_shuffle(pipelines[t].named_steps["model"], options.get("model_shuffle", True))
    log.info(
        "scanned %s records: %s training, %s held out (%s)",
        f"{n_train + n_eval:,}",
        f"{n_train:,}",
        f"{n_eval:,}",
        "given test file" if test_path else f"hash of {plan.group_field}, {fraction:.0%}",
    )

    # pass 2: train
    spool_path = output_dir / _SPOOL
    fit_seconds = 0.0
    train_started = time.perf_counter()
    with spool_path.open("wb") as spool:
        for epoch in range(epochs):
            progress = Progress(
                f"train (epoch {epoch + 1}/{epochs})",
                n_train + (0 if test_path else n_eval),
                enabled=show,
            )
            write = epoch == 0 and test_path is None
            for out in _parallel(
                lambda c, e=epoch, w=write: _featurize(c, plan, w, e), chunks(train_path), n_jobs
            ):
                t0 = time.perf_counter()
                for t in tasks:
                    if out["X"][t] is not None:
                        pipelines[t].named_steps["model"].partial_fit(
                            out["X"][t], out["y"][t], classes=classes[t]
                        )
                fit_seconds += time.perf_counter() - t0
                if write:
                    spool.write(out["eval"])
                progress.update(out["n"])
            progress.close()
    train_seconds = time.perf_counter() - train_started

    # pass 3: evaluate (held-out spool or the test file)
    models = {
        t: TaskModel(pipeline=pipelines[t], input=plan.inputs[t], include_title=include_title)
        for t in tasks
    }
    classifier = NewsClassifier(models)
    eval_path = test_path or spool_path
    gold: dict[str, list[str]] = {t: [] for t in tasks}
    predicted: dict[str, list[str]] = {t: [] for t in tasks}
    eval_ids: list[str] = []
    predictions = output_dir / ".predictions.jsonl.tmp"
    progress = Progress("evaluate", n_eval, enabled=show)
    with predictions.open("w", encoding="utf-8") as fh:
        for kind, items, _ in iter_chunks(
            eval_path, fmt=fmt if test_path else "jsonl", encoding=encoding, chunk_size=chunk_size
        ):
            records = parse_chunk(kind, items, str(eval_path), encoding)
            rows = classifier.predict_records(records)
            for row, r in zip(rows, records, strict=True):
                eval_ids.append(r.id)
                for t in tasks:
                    gold[t].append(r.label(t))
                    predicted[t].append(row[t])
                    row[f"{t}_gold"] = r.label(t)
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            progress.update(len(records))
    eval_seconds = progress.close()
    os.replace(predictions, output_dir / "predictions.jsonl")
    spool_path.unlink(missing_ok=True)

    results: dict[str, dict[str, Any]] = {}
    for t in tasks:
        results[t] = classification_metrics(
            gold[t],
            predicted[t],
            labels=classifier.labels[t],
            n_resamples=int(cfg.eval.bootstrap_resamples),
            confidence=float(cfg.eval.confidence),
            seed=int(cfg.seed),
        )
        results[t]["train_seconds"] = round(train_seconds, 3)
    config = OmegaConf.to_container(cfg, resolve=True)
    model_dir = Path(cfg.paths.model_dir) if cfg.get("paths") else output_dir / "model"
    payload = {
        "tasks": results,
        "n_train": n_train,
        "n_eval": n_eval,
        "split": "given test file"
        if test_path
        else f"streaming hold-out by hash of {plan.group_field} ({n_eval} of {n_train + n_eval})",
        "eval_ids": eval_ids,
        "train_seconds": round(train_seconds, 3),
        "total_seconds": round(time.perf_counter() - started, 3),
        "model_dir": str(model_dir),
        "config_hash": config_hash(cfg),
        "data_fingerprint": fingerprint.hexdigest(),
        "streaming": {
            "chunk_size": chunk_size,
            "epochs": epochs,
            "n_jobs": n_jobs,
            "scan_seconds": round(scan_seconds, 3),
            "fit_seconds": round(fit_seconds, 3),
            "eval_seconds": round(eval_seconds, 3),
            "articles_per_second": round(epochs * (n_train + n_eval) / max(train_seconds, 1e-9)),
        },
        **(info or {}),
    }
    classifier.save(
        model_dir, config=config, metrics=results, data_fingerprint=fingerprint.hexdigest()
    )
    _write_json(output_dir / "metrics.json", payload)  # last: its presence marks a finished run
    log.info("saved model to %s and metrics to %s", model_dir, output_dir / "metrics.json")
    return payload
