"""Trainers: how a run reads, splits and fits (``trainer=memory|streaming``), behind one
:func:`run` that owns checking, evaluation, saving and the run dir."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from newsclf.cluster.config import engine_from_config
from newsclf.cluster.engine import using_engine
from newsclf.config_check import check_config
from newsclf.pipeline import config_tasks, group_option
from newsclf.trainers.base import Fitted, Trainer, evaluate_and_save
from newsclf.trainers.cv import check_eval, cross_validate_and_save
from newsclf.trainers.memory import MemoryTrainer
from newsclf.trainers.streaming import INCREMENTAL_MODELS, StreamingTrainer

__all__ = [
    "INCREMENTAL_MODELS",
    "TRAINERS",
    "Fitted",
    "Trainer",
    "get_trainer",
    "run",
]

#: ``trainer=NAME`` -> the strategy (conf/trainer/NAME.yaml holds its options)
TRAINERS: dict[str, type[Trainer]] = {
    MemoryTrainer.name: MemoryTrainer,
    StreamingTrainer.name: StreamingTrainer,
}


def get_trainer(cfg: DictConfig, tasks: list[str] | None = None) -> Trainer:
    """The trainer ``cfg.trainer.name`` selects, with its options checked."""
    name = group_option(cfg, "trainer", TRAINERS, what="trainer", node_required=True)
    return TRAINERS[name](cfg, config_tasks(cfg) if tasks is None else tasks)


def run(
    cfg: DictConfig, output_dir: str | Path, *, info: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Train and evaluate every task of ``cfg``; save the artifact and ``metrics.json``.

    ``metrics.json`` also carries the run's resume key (``config_hash``, ``data_fingerprint``,
    see :mod:`newsclf.runs.run_dir`) and the entries of ``info`` (e.g. the Hydra overrides).
    ``eval=cv`` cross-validates instead of holding out (:mod:`newsclf.trainers.cv`).
    """
    started = time.perf_counter()
    output_dir = Path(output_dir).absolute()
    output_dir.mkdir(parents=True, exist_ok=True)
    tasks = check_config(cfg)
    trainer = get_trainer(cfg, tasks)
    cv = check_eval(cfg, trainer) == "cv"
    # where the folds, chunks and embedding batches run: this process, or Dask workers
    with engine_from_config(cfg) as engine, using_engine(engine):
        if cv:
            return cross_validate_and_save(
                cfg, trainer, output_dir, started=started, info=info, engine=engine
            )
        trainer.engine = engine
        fitted = trainer.fit(output_dir)
    return evaluate_and_save(cfg, trainer, fitted, output_dir, started=started, info=info)
