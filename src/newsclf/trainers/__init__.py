"""Trainers: how a run reads, splits and fits (``trainer=memory|streaming``), behind one
:func:`run` that owns checking, evaluation, saving and the run dir."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from newsclf.errors import ConfigError
from newsclf.pipeline import check_config, config_tasks
from newsclf.trainers.base import Fitted, Trainer, evaluate_and_save
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
    node = cfg.get("trainer")
    name = node.get("name") if isinstance(node, DictConfig) else node
    if name not in TRAINERS:
        raise ConfigError(
            f"unknown trainer {name!r}",
            key="trainer",
            hint=f"trainer={' | trainer='.join(TRAINERS)} (conf/trainer/)",
        )
    if not isinstance(node, DictConfig):
        raise ConfigError(
            f"trainer must select a config group option, got the value {node!r}",
            key="trainer",
            hint=f"pass trainer={name} on the command line or `- override /trainer: {name}` "
            "in an experiment's defaults list",
        )
    return TRAINERS[name](cfg, config_tasks(cfg) if tasks is None else tasks)


def run(
    cfg: DictConfig, output_dir: str | Path, *, info: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Train and evaluate every task of ``cfg``; save the artifact and ``metrics.json``.

    ``metrics.json`` also carries the run's resume key (``config_hash``, ``data_fingerprint``,
    see :mod:`newsclf.run_dir`) and the entries of ``info`` (e.g. the Hydra overrides).
    """
    started = time.perf_counter()
    output_dir = Path(output_dir).absolute()
    output_dir.mkdir(parents=True, exist_ok=True)
    tasks = check_config(cfg)
    trainer = get_trainer(cfg, tasks)
    fitted = trainer.fit(output_dir)
    return evaluate_and_save(cfg, trainer, fitted, output_dir, started=started, info=info)
