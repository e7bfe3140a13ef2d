"""Every group and key of a run's config, checked before anything is read or fitted.

One table, :data:`CONFIG_GROUPS`, says for each config group which options it has (the
``name:`` of ``conf/GROUP/NAME.yaml``), which keys each option holds and which values they take,
in scikit-learn's declarative constraints (as the estimators declare their parameters). Groups
whose keys are estimator parameters (``features``, ``model``, ``target_aware``) are checked by
building their estimators, unfitted, which runs each one's ``_parameter_constraints``.
:func:`check_config` walks the table and the top-level keys and reports every problem by its full
key (``eval.confidence``), so ``newsclf train`` fails in the time it takes to compose the config.

A new config group adds one :class:`GroupSchema` entry; a key missing from its entry is refused
as unknown, so an inert key cannot creep in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from omegaconf import DictConfig, OmegaConf
from omegaconf.errors import OmegaConfBaseException
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import _Constraint, make_constraint

from newsclf.data.loaders import DATASETS
from newsclf.data.records import FIELDS
from newsclf.data.splits import SPLITS
from newsclf.errors import ConfigError
from newsclf.evaluation.breakdown import BREAKDOWN_FIELDS
from newsclf.features.registry import PAIR_FEATURES, TEXT_FEATURES, build_pair_features
from newsclf.models.target_aware import TARGET_AWARE_MODES, build_target_aware
from newsclf.pipeline import RENAMED_KEYS, build_pipeline, check_renamed_keys, config_tasks
from newsclf.utils.constraints import POSITIVE_INT, Int, Number, StrOptions

__all__ = ["CONFIG_GROUPS", "GroupSchema", "check_config"]

#: constraints of one key (any one satisfied is enough), as in ``_parameter_constraints``
Constraints = list[Any]
#: a check that builds estimators or spans keys: (the whole config, the group's node); it raises
#: a :class:`ConfigError` naming the key
Check = Callable[[DictConfig, Mapping[str, Any]], None]


@dataclass(frozen=True)
class Problem:
    """One bad key: its full name, what is wrong, how to fix it."""

    key: str
    message: str
    hint: str | None = None


def _make(constraint: Any) -> _Constraint:
    """A constraint object for one entry of a constraints list (scikit-learn's, or ours)."""
    return constraint if isinstance(constraint, _Constraint) else make_constraint(constraint)


class _ListOf(_Constraint):
    """A list (YAML sequence) whose items are all ``items``; ``min_len`` items at least."""

    def __init__(self, items: Constraints, what: str, min_len: int = 0) -> None:
        super().__init__()
        self.items = [_make(c) for c in items]
        self.what = what
        self.min_len = min_len

    def is_satisfied_by(self, value: Any) -> bool:
        if not isinstance(value, list | tuple) or len(value) < self.min_len:
            return False
        return all(any(c.is_satisfied_by(v) for c in self.items) for v in value)

    def __str__(self) -> str:
        least = "a non-empty " if self.min_len else "a "
        return f"{least}list of {self.what}"


@dataclass(frozen=True)
class GroupSchema:
    """What one config group may hold.

    ``options``: the option names (each the ``name:`` of ``conf/GROUP/NAME.yaml``; a callable
    when a registry owns them). ``keys``: option -> key -> constraints; ``"*"`` lists keys every
    option may hold. ``keys_from_files``: an option holds the keys of its shipped file
    (``conf/GROUP/NAME.yaml``) and ``keys`` constrain the values of those it has; what the
    others mean (a dataset's labels, sites, files) its loader checks when it reads.
    ``check``: a check that builds estimators from the node or spans keys; its errors name
    their keys.
    """

    options: tuple[str, ...] | Callable[[], tuple[str, ...]]
    keys: Mapping[str, Mapping[str, Constraints]] = field(default_factory=dict)
    keys_from_files: bool = False
    check: Check | None = None

    def option_names(self) -> tuple[str, ...]:
        return self.options() if callable(self.options) else self.options


_PATH = [str, None]
_ENCODINGS = [_ListOf([str], "codec names", min_len=1), str]
_EVAL_KEYS: dict[str, Constraints] = {
    "resamples": [Int(0, None, closed="left")],
    "confidence": [Number(0, 1, closed="neither")],
    "breakdowns": [_ListOf([StrOptions(set(BREAKDOWN_FIELDS))], "record fields"), None],
    "min_slice": [Int(0, None, closed="left")],
    "calibration_bins": [POSITIVE_INT],
}
_SPLIT_KEYS: dict[str, Constraints] = {
    "test_size": [Number(0, 0.5, closed="right")],
    "stratify": [StrOptions({"topic", "stance"}), None],
}
_GROUP_FIELD: dict[str, Constraints] = {"group_field": [StrOptions(set(FIELDS)), None]}


def _check_stratify(cfg: DictConfig, node: Mapping[str, Any]) -> None:
    stratify = node.get("stratify")
    tasks = config_tasks(cfg)
    if stratify is not None and stratify not in tasks:
        raise ConfigError(f"{stratify!r} is not one of the tasks {tasks}", key="split.stratify")


def _check_features(cfg: DictConfig, node: Mapping[str, Any]) -> None:
    """Build the pair features whatever the tasks (a topic run's ``features.pair`` too)."""
    features = dict(OmegaConf.to_container(cfg.features, resolve=True))  # type: ignore[arg-type]
    if features.get("name") in PAIR_FEATURES or "stance" not in config_tasks(cfg):
        build_pair_features(features)  # the task pipelines build the rest


def _check_target_aware(cfg: DictConfig, node: Mapping[str, Any]) -> None:
    """Build the target-aware wrapper around a stand-in stance pipeline, whatever the tasks."""
    from sklearn.linear_model import LogisticRegression

    from newsclf.features.pair import PairVectorizer

    stand_in = Pipeline([("features", PairVectorizer()), ("model", LogisticRegression())])
    build_target_aware(stand_in, dict(node))


def _check_cluster(cfg: DictConfig, node: Mapping[str, Any]) -> None:
    """The address parses (local, local:N, tcp://HOST:PORT); nothing is connected to."""
    from newsclf.cluster.config import check_cluster

    check_cluster(cfg)


#: every config group under conf/ but experiment, hparams_search and hydra (defaults-list
#: groups that set other keys); a new group adds its entry here
CONFIG_GROUPS: dict[str, GroupSchema] = {
    "data": GroupSchema(
        options=lambda: tuple(DATASETS),
        keys={
            "*": {
                "root": _PATH,
                "train": _PATH,
                "test": _PATH,
                "format": [StrOptions({"auto", "jsonl", "csv", "tsv"})],
                "encodings": _ENCODINGS,
            }
        },
        keys_from_files=True,
    ),
    "features": GroupSchema(
        options=lambda: tuple(TEXT_FEATURES | PAIR_FEATURES),
        keys={"*": {"include_title": ["boolean"], "text": [dict, None], "pair": [dict, None]}},
        check=_check_features,
    ),
    "model": GroupSchema(
        options=lambda: tuple(_model_names()),
        keys={"*": {"params": [dict, None]}, "custom": {"target": [str]}},
    ),
    "split": GroupSchema(
        options=lambda: tuple(SPLITS),
        keys={
            "group_stratified": {**_SPLIT_KEYS, **_GROUP_FIELD},
            "hashed_group": {**_SPLIT_KEYS, **_GROUP_FIELD},
            "stratified": _SPLIT_KEYS,
        },
        check=_check_stratify,
    ),
    "trainer": GroupSchema(
        options=("memory", "streaming"),
        keys={
            "streaming": {
                "chunk_size": [POSITIVE_INT],
                "epochs": [POSITIVE_INT],
                "model_shuffle": ["boolean"],
                "progress": ["boolean", StrOptions({"auto"})],
            }
        },
    ),
    "eval": GroupSchema(
        options=("holdout", "cv"),
        keys={"holdout": _EVAL_KEYS, "cv": {**_EVAL_KEYS, "folds": [Int(2, None, closed="left")]}},
    ),
    "target_aware": GroupSchema(options=TARGET_AWARE_MODES, check=_check_target_aware),
    "cluster": GroupSchema(
        options=("none", "dask"),
        keys={
            "dask": {
                "address": [str],
                "connect_timeout": [Number(0, None, closed="neither")],
                "retries": [Int(0, None, closed="left")],
            }
        },
        check=_check_cluster,
    ),
    "tracking": GroupSchema(
        options=("none", "mlflow"),
        keys={
            "mlflow": {
                "tracking_uri": [str],
                "experiment_name": [str],
                "run_name": [str, None],
                "artifact_location": [str, None],
                "register_as": [str, None],
            }
        },
    ),
}
#: groups whose keys the estimators check (target_aware: its mode's estimator parameters)
_PARAMETER_GROUPS = ("target_aware",)
#: top-level keys besides the groups: key -> constraints (``tasks``: :func:`config_tasks`)
TOP_LEVEL: dict[str, Constraints] = {
    "tasks": [list, str],
    "seed": [Int(0, 2**32 - 1)],
    "n_jobs": [Int(1, None, closed="left"), Int(None, -1, closed="right")],
    "force": ["boolean"],
    "paths": [dict],
    "hparams_search": [None],
}


def _model_names() -> list[str]:
    from newsclf.models.registry import MODELS

    return [*MODELS, "custom"]  # custom: any sklearn classifier by import path (model.target)


def _shipped_keys(group: str, option: str) -> set[str]:
    """The keys of ``conf/GROUP/OPTION.yaml`` (the option's own file)."""
    resource = files("newsclf.conf").joinpath(group, f"{option}.yaml")
    if not resource.is_file():
        return set()
    node = OmegaConf.create(resource.read_text(encoding="utf-8"))
    return {str(k) for k in node if k != "defaults"}


def _value(node: DictConfig, key: str) -> tuple[bool, Any]:
    """(resolvable, value) of ``node[key]``; a ``???`` or an unresolvable interpolation is
    reported elsewhere (missing keys) or by the code that needs it (``${hydra:...}``)."""
    if OmegaConf.is_missing(node, key):
        return False, None
    try:
        value = node[key]
        if OmegaConf.is_config(value):
            value = OmegaConf.to_container(value, resolve=True)
    except OmegaConfBaseException:
        return False, None
    return True, value


def _check_value(key: str, value: Any, constraints: Constraints) -> Problem | None:
    made = [_make(c) for c in constraints]
    if any(c.is_satisfied_by(value) for c in made):
        return None
    allowed = " or ".join(str(c) for c in made)
    return Problem(key, f"must be {allowed}, got {value!r}")


def _check_group(cfg: DictConfig, group: str, schema: GroupSchema) -> list[Problem]:
    node = cfg.get(group)
    options = schema.option_names()
    hint = f"{group}={f' | {group}='.join(options)} (conf/{group}/)"
    if not isinstance(node, DictConfig):
        if node is None and group in _PARAMETER_GROUPS:
            return []  # a config saved before the group existed
        return [
            Problem(
                group,
                f"must select a config group option, got the value {node!r}",
                f"pass {group}=NAME on the command line or `- override /{group}: NAME` in an "
                f"experiment's defaults list; {hint}",
            )
        ]
    name = node.get("name")
    if name not in options:
        return [Problem(f"{group}.name", f"unknown option {name!r}", hint)]
    problems: list[Problem] = []
    declared = {**schema.keys.get("*", {}), **schema.keys.get(str(name), {})}
    if group not in _PARAMETER_GROUPS:
        known = _shipped_keys(group, str(name)) if schema.keys_from_files else set(declared)
        known.add("name")
        unknown = sorted(str(k) for k in node if k not in known)
        if unknown:
            problems.append(
                Problem(
                    f"{group}.{unknown[0]}",
                    f"unknown key for {group}={name} (unknown: {', '.join(unknown)})",
                    f"keys of {group}={name}: {', '.join(sorted(known))}",
                )
            )
    for key, constraints in declared.items():
        if key not in node:
            continue
        resolvable, value = _value(node, key)
        if resolvable:
            problem = _check_value(f"{group}.{key}", value, constraints)
            if problem is not None:
                problems.append(problem)
    check = schema.check
    if check is not None and not problems and not _missing(node):
        problems += _raised(lambda: check(cfg, node))
    return problems


def _missing(node: Any) -> list[str]:
    return sorted(OmegaConf.missing_keys(node)) if isinstance(node, DictConfig) else []


def _raised(call: Callable[[], object]) -> list[Problem]:
    """The problem ``call`` raises as a :class:`ConfigError`, if any."""
    try:
        call()
    except ConfigError as exc:
        message = exc.message.removeprefix(f"config '{exc.key}': ")
        return [Problem(exc.key or "config", message, exc.hint)]
    return []


def _check_top_level(cfg: DictConfig) -> list[Problem]:
    problems = []
    for key in cfg:
        key = str(key)
        if key in CONFIG_GROUPS or key == "hydra":
            continue
        if key not in TOP_LEVEL:
            problems.append(
                Problem(
                    key,
                    "unknown top-level key",
                    f"top-level keys: {', '.join(sorted(TOP_LEVEL))}; groups: "
                    f"{', '.join(CONFIG_GROUPS)}",
                )
            )
            continue
        resolvable, value = _value(cfg, key)
        if resolvable:
            problem = _check_value(key, value, TOP_LEVEL[key])
            if problem is not None:
                problems.append(problem)
    if cfg.get("hparams_search") is not None:
        problems = [p for p in problems if p.key != "hparams_search"]
        problems.append(
            Problem(
                "hparams_search",
                "a hyper-parameter search is run by `newsclf tune`, not by `newsclf train`",
                "newsclf tune NAME [OVERRIDES...] (see conf/hparams_search/README.md)",
            )
        )
    problems += _raised(lambda: config_tasks(cfg))
    return problems


def _report(problems: list[Problem]) -> ConfigError:
    """One error naming the first problem's key, listing the others."""
    first, rest = problems[0], problems[1:]
    message = first.message
    if rest:
        message += "; also " + "; ".join(f"'{p.key}': {p.message}" for p in rest)
    return ConfigError(message, key=first.key, hint=first.hint)


def check_config(cfg: DictConfig) -> list[str]:
    """Check every group and key of the composed ``cfg``; return the task list.

    Nothing is read or fitted: datasets are not opened and estimators are only built (their
    parameters validated). Raises one :class:`ConfigError` naming the full key of the first
    problem (``eval.confidence``) and listing the others; required values left unset (``???``)
    come last, so a bad value is named even when ``data.root`` is still to be given.
    """
    # the hydra node exists only in configs composed by tests; it has its own ??? values
    job = OmegaConf.masked_copy(cfg, [key for key in cfg if key != "hydra"])
    check_renamed_keys(k for k in RENAMED_KEYS if OmegaConf.select(job, k) is not None)
    problems = _check_top_level(job)
    for group, schema in CONFIG_GROUPS.items():
        problems += _check_group(job, group, schema)
    built = not _missing(job.get("features")) and not _missing(job.get("model"))
    if built and not any(p.key.startswith(("tasks", "features", "model")) for p in problems):
        # the task pipelines, built unfitted: features and model parameters validated
        for task in config_tasks(job):
            problems += _raised(lambda task=task: build_pipeline(job, task))
    problems += [
        Problem(key, "required value not set", f"{key}=...")
        for key in sorted(OmegaConf.missing_keys(job))
    ]
    if problems:
        raise _report(problems)
    return config_tasks(job)
