"""What a task is, in one table: what it reads, which label it learns, which features it uses.

Training (both trainers), the saved classifier, ``newsclf tune`` and the ``experiments/``
scripts all build pipelines and turn records into pipeline inputs through this module, so the
answer to "what does the stance model see?" lives in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from omegaconf import DictConfig, OmegaConf
from sklearn.pipeline import Pipeline

from newsclf.data.records import Record
from newsclf.errors import ConfigError
from newsclf.features.registry import build_pair_features, build_text_features
from newsclf.models import build_model
from newsclf.models.target_aware import build_target_aware

__all__ = [
    "INPUTS",
    "RENAMED_KEYS",
    "TASK_SPECS",
    "TaskModel",
    "TaskSpec",
    "build_pipeline",
    "check_config",
    "check_renamed_keys",
    "config_tasks",
    "document_text",
    "group_option",
    "task_inputs",
    "task_model",
]

#: what a pipeline reads: a document string, or a (document, target) pair
INPUTS = ("text", "pair")


@dataclass(frozen=True)
class TaskSpec:
    """One task: the pipeline input, the record field holding its gold label, its feature
    group (``features.text`` or ``features.pair``) and whether ``target_aware`` applies."""

    name: str
    input: str
    label_field: str
    feature_group: str
    target_aware: bool


TASK_SPECS: dict[str, TaskSpec] = {
    "topic": TaskSpec("topic", "text", "topic", "text", target_aware=False),
    "stance": TaskSpec("stance", "pair", "stance", "pair", target_aware=True),
}


def document_text(record: Record, include_title: bool) -> str:
    """The string a text pipeline sees for ``record`` (title, when used, on the first line)."""
    if include_title and record.title:
        return f"{record.title}\n{record.text}"
    return record.text


def _inputs(records: Sequence[Record], input: str, include_title: bool) -> list[Any]:
    texts = [document_text(r, include_title) for r in records]
    if input == "text":
        return texts
    return [(t, r.target) for t, r in zip(texts, records, strict=True)]


def task_inputs(records: Sequence[Record], task: str, *, include_title: bool = True) -> list[Any]:
    """What the ``task`` pipeline reads for ``records``: documents, or (document, target)."""
    return _inputs(records, TASK_SPECS[task].input, include_title)


@dataclass
class TaskModel:
    """One fitted task pipeline and how to feed it (as saved in an artifact's manifest)."""

    pipeline: Any
    input: str  # one of INPUTS
    include_title: bool = True

    @property
    def labels(self) -> list[str]:
        return [str(c) for c in self.pipeline.classes_]

    def inputs(self, records: Sequence[Record]) -> list[Any]:
        return _inputs(records, self.input, self.include_title)


def config_tasks(cfg: Mapping[str, Any]) -> list[str]:
    """The ``tasks`` of a config as a checked list."""
    tasks = cfg.get("tasks")
    if isinstance(tasks, str):
        tasks = [tasks]
    tasks = list(tasks or [])
    bad = [t for t in tasks if t not in TASK_SPECS]
    if not tasks or bad or len(set(tasks)) != len(tasks):
        raise ConfigError(
            f"must be a non-empty list of distinct tasks from {list(TASK_SPECS)}, got {tasks}",
            key="tasks",
            hint="e.g. tasks=[topic], tasks=[stance] or tasks=[topic,stance]",
        )
    return tasks


def group_option(
    cfg: Mapping[str, Any],
    group: str,
    options: Iterable[str],
    *,
    what: str,
    node_required: bool = False,
) -> str:
    """The option of config group ``group`` that ``cfg`` selects (its ``name``), one of
    ``options``. With ``node_required``, a plain value (``trainer: memory`` in a YAML file) is
    refused: the option's own file (``conf/GROUP/NAME.yaml``) holds settings the code reads."""
    options = list(options)
    node = cfg.get(group)
    name = node.get("name") if isinstance(node, DictConfig) else node
    if name not in options:
        raise ConfigError(
            f"unknown {what} {name!r}",
            key=group,
            hint=f"{group}={f' | {group}='.join(options)} (conf/{group}/)",
        )
    if node_required and not isinstance(node, DictConfig):
        raise ConfigError(
            f"{group} must select a config group option, got the value {node!r}",
            key=group,
            hint=f"pass {group}={name} on the command line or `- override /{group}: {name}` "
            "in an experiment's defaults list",
        )
    return str(name)


#: config keys that were renamed, old -> new: a config or override still using one is refused
RENAMED_KEYS = {"eval.bootstrap_resamples": "eval.resamples"}


def check_renamed_keys(keys: Iterable[str]) -> None:
    """Raise :class:`ConfigError` naming the new key for the first renamed key in ``keys``."""
    for key in keys:
        if key in RENAMED_KEYS:
            new = RENAMED_KEYS[key]
            raise ConfigError(f"renamed to {new}", key=key, hint=f"use {new} instead")


def check_config(cfg: DictConfig) -> list[str]:
    """Validate the composed config before any data is read; return the task list."""
    # the hydra node exists only in configs composed by tests; it has its own ??? values
    job = OmegaConf.masked_copy(cfg, [key for key in cfg if key != "hydra"])
    check_renamed_keys(k for k in RENAMED_KEYS if OmegaConf.select(job, k) is not None)
    missing = sorted(OmegaConf.missing_keys(job))
    if missing:
        raise ConfigError(
            f"required value(s) not set: {', '.join(missing)}",
            hint=" ".join(f"{k}=..." for k in missing),
        )
    if cfg.get("hparams_search") is not None:
        raise ConfigError(
            "a hyper-parameter search is run by `newsclf tune`, not by `newsclf train`",
            key="hparams_search",
            hint="newsclf tune NAME [OVERRIDES...] (see conf/hparams_search/README.md)",
        )
    from newsclf.cluster.config import check_cluster  # imports pipeline.group_option

    check_cluster(cfg)
    tasks = config_tasks(cfg)
    for task in tasks:
        build_pipeline(cfg, task)  # unknown names and bad parameters fail here, before fitting
    return tasks


def build_pipeline(cfg: DictConfig, task: str) -> Pipeline:
    """An unfitted ``features -> model`` pipeline for ``task`` from ``cfg``."""
    spec = TASK_SPECS[task]
    features = OmegaConf.to_container(cfg.features, resolve=True)
    model = OmegaConf.to_container(cfg.model, resolve=True)
    build = build_pair_features if spec.feature_group == "pair" else build_text_features
    vectorizer = build(features)
    # configs select columns by feature group name; the features step knows where they are
    groups = vectorizer.feature_groups() if hasattr(vectorizer, "feature_groups") else None
    clf = build_model(
        model, seed=int(cfg.seed), n_jobs=int(cfg.get("n_jobs", 1)), feature_groups=groups
    )
    pipeline = Pipeline([("features", vectorizer), ("model", clf)])
    if spec.target_aware:  # per-target models or target-crossed features
        aware = cfg.get("target_aware")
        pipeline = build_target_aware(
            pipeline, None if aware is None else OmegaConf.to_container(aware, resolve=True)
        )
    return pipeline


def task_model(cfg: DictConfig, task: str) -> TaskModel:
    """An unfitted :class:`TaskModel` for ``task``: its pipeline and how the config feeds it."""
    return TaskModel(
        pipeline=build_pipeline(cfg, task),
        input=TASK_SPECS[task].input,
        include_title=bool(cfg.features.get("include_title", True)),
    )
