"""One training run, whichever trainer fits the models.

:func:`run` owns what every run does once: check the config, let the trainer (a
:class:`Trainer` strategy: ``trainer=memory`` or ``trainer=streaming``) split and fit, predict
the evaluation records chunk by chunk into ``predictions.jsonl``, compute the metrics, save the
artifact and write ``metrics.json``. A trainer only decides how records are read, split and fed
to the pipelines.
"""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from omegaconf import DictConfig, OmegaConf

from newsclf.classifier import NewsClassifier
from newsclf.cluster.engine import Engine
from newsclf.data.records import Record
from newsclf.errors import DataError
from newsclf.evaluation.report import EvalEvidence, eval_options, task_report
from newsclf.pipeline import TaskModel
from newsclf.runs.run_dir import PredictionsWriter, config_hash, model_dir, write_metrics

__all__ = ["Fitted", "Trainer", "check_label_counts", "evaluate_and_save"]

log = logging.getLogger(__name__)


@dataclass
class Fitted:
    """What a trainer hands back after fitting: the models and what the run reports."""

    models: dict[str, TaskModel]
    n_train: int
    n_eval: int
    split: str  # how the evaluation part was chosen, for metrics.json and the log
    train_seconds: float  # wall time of fitting, all tasks
    task_seconds: dict[str, float]  # per task (a streaming pass fits all tasks at once)
    data_fingerprint: str  # of every record read: see newsclf.runs.run_dir
    stats: dict[str, Any] = field(default_factory=dict)  # trainer-specific, for metrics.json


class Trainer(ABC):
    """How records are read, split and fed to the task pipelines: one strategy per trainer."""

    #: the ``trainer.name`` that selects it
    name: ClassVar[str]

    def __init__(self, cfg: DictConfig, tasks: Sequence[str]) -> None:
        self.cfg = cfg
        self.tasks = list(tasks)
        #: where independent work runs (set by :func:`newsclf.trainers.run` from ``cluster``)
        self.engine: Engine = Engine()

    @abstractmethod
    def fit(self, output_dir: Path) -> Fitted:
        """Read and split the data, fit every task; scratch files may go to ``output_dir``."""

    @abstractmethod
    def evaluation_records(self, fitted: Fitted) -> Iterator[list[Record]]:
        """The evaluation records, a chunk at a time, in the order of ``eval_ids``."""

    @abstractmethod
    def data_fingerprint(self) -> str:
        """The fingerprint :meth:`fit` would record, without fitting (the resume check)."""


def check_label_counts(
    tasks: Sequence[str],
    train: Mapping[str, Counter],
    evaluation: Mapping[str, Counter],
    source: str | Path | None,
) -> None:
    """Every task needs two classes to train on, and no evaluation label unseen in training."""
    for task in tasks:
        if len(train[task]) < 2:
            only = next(iter(train[task]), None)
            raise DataError(
                f"'{task}' has only one class ({only!r}) in the training part; a classifier "
                "needs at least two",
                path=source,
                field=task,
            )
        unseen = sorted(set(evaluation[task]) - set(train[task]))
        if unseen:
            raise DataError(
                f"evaluation labels {unseen} never occur in the training part",
                path=source,
                field=task,
                hint="use a larger split.test_size or another seed, or fix the labels",
            )


#: records predicted at a time: a trainer's chunk may be large (``trainer.chunk_size``), and the
#: features of a whole chunk would set the main process's peak memory
PREDICT_BATCH = 1000


def _collect(
    rows: list[dict[str, Any]],
    records: Sequence[Record],
    tasks: Sequence[str],
    gold: dict[str, list[str]],
    predicted: dict[str, list[str]],
    eval_ids: list[str],
) -> None:
    """Add gold labels to the prediction ``rows`` and keep what the metrics need."""
    for row, record in zip(rows, records, strict=True):
        eval_ids.append(record.id)
        for t in tasks:
            label = record.label(t)
            gold[t].append(label)
            predicted[t].append(row[t])
            row[f"{t}_gold"] = label


def evaluate_and_save(
    cfg: DictConfig,
    trainer: Trainer,
    fitted: Fitted,
    output_dir: Path,
    *,
    started: float,
    info: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Predict the evaluation part into ``predictions.jsonl``, score it, save the artifact and
    ``metrics.json``; return the payload of ``metrics.json``."""
    tasks = trainer.tasks
    classifier = NewsClassifier(fitted.models)
    gold: dict[str, list[str]] = {t: [] for t in tasks}
    predicted: dict[str, list[str]] = {t: [] for t in tasks}
    eval_ids: list[str] = []
    options = eval_options(cfg.eval)
    evidence = EvalEvidence(classifier.labels, options["by"])
    t0 = time.perf_counter()
    with PredictionsWriter(output_dir) as out:
        for chunk in trainer.evaluation_records(fitted):
            for start in range(0, len(chunk), PREDICT_BATCH):
                records = chunk[start : start + PREDICT_BATCH]
                rows = classifier.predict_records(records)
                _collect(rows, records, tasks, gold, predicted, eval_ids)
                evidence.add(records, rows)
                out.write(rows)
    eval_seconds = time.perf_counter() - t0
    if not eval_ids:
        raise DataError("the evaluation part is empty", hint="raise split.test_size")

    results: dict[str, dict[str, Any]] = {}
    for t in tasks:
        results[t] = task_report(
            gold[t],
            predicted[t],
            labels=classifier.labels[t],
            proba=evidence.proba[t],
            slices=evidence.slices,
            seed=int(cfg.seed),
            **options,
        )
        results[t]["train_seconds"] = round(fitted.task_seconds[t], 3)
    model_path = model_dir(cfg, output_dir)
    payload = {
        "tasks": results,
        "trainer": cfg.trainer.name,
        "n_train": fitted.n_train,
        "n_eval": fitted.n_eval,
        "split": fitted.split,
        "eval_ids": eval_ids,
        "train_seconds": round(fitted.train_seconds, 3),
        "eval_seconds": round(eval_seconds, 3),
        "total_seconds": round(time.perf_counter() - started, 3),
        "model_dir": str(model_path),
        "config_hash": config_hash(cfg),
        "data_fingerprint": fitted.data_fingerprint,
        **({cfg.trainer.name: fitted.stats} if fitted.stats else {}),
        **(info or {}),
    }
    classifier.save(
        model_path,
        config=OmegaConf.to_container(cfg, resolve=True),
        metrics=results,
        data_fingerprint=fitted.data_fingerprint,
    )
    write_metrics(output_dir, payload)  # last: its presence marks a finished run
    log.info("saved model to %s and metrics to %s", model_path, output_dir / "metrics.json")
    return payload
