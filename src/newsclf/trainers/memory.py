"""``trainer=memory``: every record in memory, each task's pipeline fitted in one call.

Honours every split (``split=group_stratified | stratified | hashed_group``), a dataset's own
test file (``data.test``), and any features and model.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path

from newsclf.data import Dataset, load_dataset, split_records, validate_records
from newsclf.data.records import Record
from newsclf.errors import ConfigError
from newsclf.pipeline import TASK_SPECS, TaskModel, task_model
from newsclf.runs.run_dir import data_fingerprint
from newsclf.trainers.base import Fitted, Trainer, check_label_counts

__all__ = ["MemoryTrainer"]

log = logging.getLogger(__name__)


class MemoryTrainer(Trainer):
    """Load, split, ``fit`` each task pipeline, evaluate in one chunk."""

    name = "memory"

    def load(self) -> Dataset:
        """The dataset, its records checked for every task (cross-validation reads it too)."""
        dataset = load_dataset(self.cfg.data)
        validate_records(dataset.train, tasks=self.tasks, labelled=True, source=dataset.source)
        if dataset.test is not None:
            validate_records(dataset.test, tasks=self.tasks, labelled=True)
        return dataset

    def data_fingerprint(self) -> str:
        dataset = load_dataset(self.cfg.data)
        return data_fingerprint([*dataset.train, *(dataset.test or [])], self.tasks)

    def fit(self, output_dir: Path) -> Fitted:
        cfg, tasks = self.cfg, self.tasks
        dataset = self.load()
        if dataset.test is not None:
            train, evaluation, split = dataset.train, dataset.test, "given test file"
        else:
            train, evaluation = split_records(
                dataset.train, split=cfg.split, tasks=tasks, seed=int(cfg.seed)
            )
            split = f"{cfg.split.name} hold-out ({len(evaluation)} of {len(dataset.train)})"
        log.info(
            "loaded %d training and %d evaluation records from %s (%s)",
            len(train),
            len(evaluation),
            dataset.source,
            split,
        )
        check_label_counts(
            tasks,
            {t: Counter(r.label(t) for r in train) for t in tasks},
            {t: Counter(r.label(t) for r in evaluation) for t in tasks},
            dataset.source,
        )
        models, seconds = {}, {}
        for task in tasks:
            models[task], seconds[task] = self.fit_task(task, train)
        self._evaluation = evaluation
        return Fitted(
            models=models,
            n_train=len(train),
            n_eval=len(evaluation),
            split=split,
            train_seconds=sum(seconds.values()),
            task_seconds=seconds,
            data_fingerprint=data_fingerprint([*dataset.train, *(dataset.test or [])], tasks),
        )

    def fit_task(self, task: str, train: Sequence[Record]) -> tuple[TaskModel, float]:
        """A fresh ``task`` pipeline fitted on ``train``, and the seconds it took."""
        model = task_model(self.cfg, task)
        t0 = time.perf_counter()
        labels = [r.label(TASK_SPECS[task].label_field) for r in train]
        try:
            model.pipeline.fit(model.inputs(train), labels)
        except ValueError as exc:  # e.g. min_df above the corpus size, too few per class
            raise ConfigError(
                f"fitting the {task} model failed: {exc}",
                key="features/model",
                hint="check the features and model parameters against the data size",
            ) from None
        seconds = time.perf_counter() - t0
        log.info(
            "%s: fitted %s on %d records (%d classes) in %.1f s",
            task,
            self.cfg.model.name,
            len(train),
            len(set(labels)),
            seconds,
        )
        return model, seconds

    def evaluation_records(self, fitted: Fitted) -> Iterator[list[Record]]:
        yield self._evaluation
