"""``newsclf tune``: hyper-parameter search with Optuna, resumable, one ordinary run a trial.

The search space is a YAML file in ``conf/hparams_search/`` (``newsclf tune linear_optuna``) or
any path: the study settings and, per ``newsclf train`` override key, an Optuna distribution
(see ``conf/hparams_search/README.md``). Each trial is one ``newsclf train`` run of the Hydra
app in this process (:func:`newsclf.runs.app.run_app`) with the trial's overrides and
``hydra.run.dir=SWEEP_DIR/N``, so it leaves an ordinary run dir (``metrics.json``,
``predictions.jsonl``, ``model/``, ``.hydra/``, or ``error.json``) and ``newsclf compare
SWEEP_DIR`` reads the search like a sweep.

The study lives in ``SWEEP_DIR/optuna.journal`` (Optuna's ``JournalStorage``). Re-running the
same command loads it and runs only the trials still missing: a finished trial (completed, or
failed with ``error.json``) counts towards ``n_trials``; a trial cut short (Ctrl-C, a killed
process) is recorded as failed and marked ``interrupted``, and its parameters run again first,
in its own run dir. A run dir that already holds the finished run is not trained again (the
resume key of :mod:`newsclf.runs.run_dir`). A sweep dir holding a study of another search or other
overrides is refused. One ``newsclf tune`` process per sweep dir at a time.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import logging
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from newsclf.cluster.config import engine_from_config
from newsclf.errors import ConfigError
from newsclf.runs.app import headline_metric, run_app
from newsclf.runs.run_dir import ERROR_FILE, previous_payload

__all__ = ["JOURNAL", "Search", "TrialRow", "TuneResult", "load_search", "tune"]

log = logging.getLogger(__name__)

JOURNAL = "optuna.journal"
SEARCH_GROUP = "hparams_search"
_SAMPLERS = ("tpe", "random")
_DIRECTIONS = ("maximize", "minimize")
_DISTRIBUTIONS = {
    "categorical": ({"choices"}, set()),
    "float": ({"low", "high"}, {"log", "step"}),
    "int": ({"low", "high"}, {"log", "step"}),
}


@dataclass(frozen=True)
class Search:
    """A search space file: study settings and one distribution per override key."""

    name: str
    study_name: str
    direction: str
    n_trials: int
    sampler: dict[str, Any]
    overrides: list[str]
    params: dict[str, dict[str, Any]]


@dataclass
class TrialRow:
    """One trial of the study, as ``newsclf tune`` reports it."""

    number: int
    state: str  # "complete" | "fail" | "interrupted" | "running" | "waiting"
    value: float | None
    run_dir: Path
    params: dict[str, Any]
    error: str | None = None


@dataclass
class TuneResult:
    """What a ``tune`` call left: every trial of the study, and what this call ran."""

    sweep_dir: Path
    direction: str
    trials: list[TrialRow]
    ran: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)

    @property
    def best(self) -> TrialRow | None:
        done = [t for t in self.trials if t.state == "complete" and t.value is not None]
        if not done:
            return None
        pick = max if self.direction == "maximize" else min
        return pick(done, key=lambda t: t.value)


def _search_file(search: str | Path) -> tuple[str, Path | Any]:
    path = Path(search).expanduser()
    if path.suffix in (".yaml", ".yml") or path.is_file():
        if not path.is_file():
            raise ConfigError(f"no such search file: {path}", key=SEARCH_GROUP)
        return path.stem, path
    resource = files("newsclf.conf").joinpath(SEARCH_GROUP, f"{search}.yaml")
    if not resource.is_file():
        known = sorted(
            p.name[:-5]
            for p in files("newsclf.conf").joinpath(SEARCH_GROUP).iterdir()
            if p.name.endswith(".yaml")
        )
        raise ConfigError(
            f"unknown search {str(search)!r}",
            key=SEARCH_GROUP,
            hint=f"one of: {', '.join(known)}; or the path of a search YAML file",
        )
    return str(search), resource


def _check_param(key: str, spec: Any) -> dict[str, Any]:
    where = f"{SEARCH_GROUP}.params.{key}"
    if not isinstance(spec, Mapping) or spec.get("type") not in _DISTRIBUTIONS:
        raise ConfigError(
            f"needs a 'type' of {' | '.join(_DISTRIBUTIONS)}, got {spec!r}",
            key=where,
            hint="e.g. {type: float, low: 0.01, high: 100.0, log: true}",
        )
    required, optional = _DISTRIBUTIONS[spec["type"]]
    given = set(spec) - {"type"}
    if not required <= given or given - required - optional:
        raise ConfigError(
            f"a {spec['type']} distribution takes {sorted(required)} "
            f"(optional {sorted(optional) or 'nothing'}), got {sorted(given)}",
            key=where,
        )
    if spec["type"] == "categorical" and not (
        isinstance(spec["choices"], list) and spec["choices"]
    ):
        raise ConfigError("choices must be a non-empty list", key=f"{where}.choices")
    if spec["type"] != "categorical" and not spec["low"] < spec["high"]:
        raise ConfigError("low must be below high", key=where)
    return dict(spec)


def load_search(search: str | Path) -> Search:
    """Read and check a search space: a name in ``conf/hparams_search/`` or a YAML path."""
    name, source = _search_file(search)
    try:
        raw = OmegaConf.to_container(OmegaConf.create(source.read_text(encoding="utf-8")))
    except Exception as exc:  # YAML syntax, bad encoding
        raise ConfigError(f"unreadable search file {source}: {exc}", key=SEARCH_GROUP) from None
    if not isinstance(raw, dict) or not isinstance(raw.get("params"), dict) or not raw["params"]:
        raise ConfigError(
            f"{source}: needs a non-empty 'params' mapping (override key -> distribution)",
            key=SEARCH_GROUP,
            hint="see conf/hparams_search/README.md",
        )
    known = {"study_name", "direction", "n_trials", "sampler", "overrides", "params"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{source}: unknown key(s) {unknown}", key=SEARCH_GROUP)
    direction = raw.get("direction", "maximize")
    if direction not in _DIRECTIONS:
        raise ConfigError(f"must be one of {_DIRECTIONS}", key=f"{SEARCH_GROUP}.direction")
    sampler = dict(raw.get("sampler") or {"name": "tpe"})
    if sampler.get("name", "tpe") not in _SAMPLERS:
        raise ConfigError(
            f"unknown sampler {sampler.get('name')!r}",
            key=f"{SEARCH_GROUP}.sampler.name",
            hint=" | ".join(_SAMPLERS),
        )
    return Search(
        name=name,
        study_name=str(raw.get("study_name") or f"newsclf_{name}"),
        direction=direction,
        n_trials=_positive(raw.get("n_trials", 20), f"{SEARCH_GROUP}.n_trials"),
        sampler=sampler,
        overrides=[str(o) for o in raw.get("overrides") or []],
        params={str(k): _check_param(str(k), v) for k, v in raw["params"].items()},
    )


def _positive(value: Any, key: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"must be a positive integer, got {value!r}", key=key)
    return value


def _override_key(override: str) -> str:
    return override.split("=", 1)[0].lstrip("+~")


def _check_overrides(search: Search, overrides: Sequence[str]) -> None:
    for override in [*search.overrides, *overrides]:
        key = _override_key(override)
        if key in search.params:
            raise ConfigError(
                f"{key} is searched by {search.name}; it cannot also be set",
                key=key,
                hint="drop the override, or edit the search's params",
            )
        if key.startswith(("hydra.run", "hydra.sweep", "hydra/launcher", "hydra/sweeper")):
            raise ConfigError(
                "each trial's run dir and launcher are chosen by newsclf tune",
                key=key,
                hint="pass the sweep dir with --dir",
            )


def _sampler(spec: Mapping[str, Any], n_previous: int) -> Any:
    import optuna

    kwargs = {k: v for k, v in spec.items() if k != "name"}
    cls = optuna.samplers.RandomSampler if spec.get("name") == "random" else None
    cls = cls or optuna.samplers.TPESampler
    unknown = sorted(set(kwargs) - set(inspect.signature(cls).parameters))
    if unknown:
        raise ConfigError(
            f"{cls.__name__} has no argument(s) {unknown}", key=f"{SEARCH_GROUP}.sampler"
        )
    if kwargs.get("seed") is not None:
        # a resumed study must not draw the same random points again: the seed moves on with
        # the number of trials already in the study (a fresh study uses the seed as given)
        kwargs["seed"] = int(kwargs["seed"]) + n_previous
    return cls(**kwargs)


def _suggest(trial: Any, key: str, spec: Mapping[str, Any]) -> Any:
    kind = spec["type"]
    if kind == "categorical":
        return trial.suggest_categorical(key, list(spec["choices"]))
    extra = {k: spec[k] for k in ("log", "step") if spec.get(k) is not None}
    if kind == "int":
        return trial.suggest_int(key, int(spec["low"]), int(spec["high"]), **extra)
    return trial.suggest_float(key, float(spec["low"]), float(spec["high"]), **extra)


def _override_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    return repr(value) if isinstance(value, float) else str(value)


def _fingerprint(search: Search, overrides: Sequence[str]) -> str:
    """What a study in a sweep dir was started with (``n_trials`` may change on a re-run)."""
    key = {
        "params": search.params,
        "direction": search.direction,
        "overrides": [*search.overrides, *overrides],
    }
    return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()


def _split_cluster(overrides: Sequence[str]) -> tuple[Any, list[str]]:
    """The ``cluster=...`` / ``cluster.KEY=...`` overrides (where the trials run: each trial is
    one task on the engine, its own run in cluster=none) apart from the trials' overrides."""
    chosen: dict[str, str] = {}
    rest = []
    for override in overrides:
        key = _override_key(override)
        if key == "cluster" or key.startswith("cluster."):
            chosen[key] = override.split("=", 1)[1] if "=" in override else ""
        else:
            rest.append(override)
    if not chosen:
        return None, rest
    import yaml

    name = chosen.pop("cluster", "dask" if chosen else "none")
    resource = files("newsclf.conf").joinpath("cluster", f"{name}.yaml")
    node = OmegaConf.load(str(resource)) if resource.is_file() else OmegaConf.create({})
    node.name = name
    for key, value in chosen.items():
        OmegaConf.update(node, key.removeprefix("cluster."), yaml.safe_load(value))
    return OmegaConf.create({"cluster": node}), rest


def _trial_task(_: object, argv: Sequence[str]) -> int:
    """One trial on a cluster worker: the ``newsclf train`` run of ``argv``; its exit status."""
    with contextlib.redirect_stdout(sys.stderr):
        return run_app(list(argv))


def _error_message(run_dir: Path) -> str | None:
    try:
        error = json.loads((run_dir / ERROR_FILE).read_text(encoding="utf-8"))
        return str(error.get("message") or error.get("error") or "failed")
    except (OSError, ValueError, AttributeError):
        return None


@contextlib.contextmanager
def _optuna_quiet() -> Any:
    """Optuna's per-trial INFO lines off; newsclf logs its own."""
    import optuna

    level = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    try:
        yield
    finally:
        optuna.logging.set_verbosity(level)


def _state(trial: Any) -> str:
    name = trial.state.name.lower()
    return "interrupted" if name == "fail" and trial.user_attrs.get("interrupted") else name


def _rows(study: Any, sweep_dir: Path) -> list[TrialRow]:
    return [
        TrialRow(
            number=t.number,
            state=_state(t),
            value=None if t.value is None or math.isnan(t.value) else float(t.value),
            run_dir=sweep_dir / str(t.user_attrs.get("run_dir", t.number)),
            params=dict(t.params),
            error=t.user_attrs.get("error"),
        )
        for t in study.get_trials(deepcopy=False)
    ]


def _recover_interrupted(study: Any, storage: Any) -> None:
    """Mark trials left running by a dead process as interrupted; queue each one's retry."""
    from optuna.trial import TrialState

    trials = study.get_trials(deepcopy=False)
    retried = {t.user_attrs.get("retry_of") for t in trials}
    study_id = storage.get_study_id_from_name(study.study_name)
    for t in trials:
        if t.state == TrialState.RUNNING:
            trial_id = storage.get_trial_id_from_study_id_trial_number(study_id, t.number)
            storage.set_trial_user_attr(trial_id, "interrupted", True)
            storage.set_trial_state_values(trial_id, TrialState.FAIL)
        elif not (t.state == TrialState.FAIL and t.user_attrs.get("interrupted")):
            continue
        if t.number in retried:
            continue
        log.info("trial %d was interrupted; running its parameters again first", t.number)
        study.enqueue_trial(
            t.params,
            user_attrs={
                "run_dir": str(t.user_attrs.get("run_dir", t.number)),
                "retry_of": t.number,
            },
            skip_if_exists=False,
        )


def _finished(trial: Any) -> bool:
    from optuna.trial import TrialState

    if trial.state == TrialState.COMPLETE:
        return True
    return trial.state == TrialState.FAIL and not trial.user_attrs.get("interrupted")


def tune(
    search: str | Path,
    sweep_dir: str | Path | None = None,
    overrides: Sequence[str] = (),
    *,
    n_trials: int | None = None,
) -> TuneResult:
    """Run (or resume) the search until the study has ``n_trials`` finished trials.

    ``overrides`` are ``newsclf train`` overrides applied to every trial (after the search
    file's own). ``sweep_dir`` defaults to ``multirun/SEARCH`` in the current directory.
    ``cluster=dask`` (``cluster.address=...``) among them runs the trials as tasks of a Dask
    cluster, as many at a time as it has workers (:mod:`newsclf.cluster`); each trial itself
    runs in its worker's process.
    """
    try:
        import optuna
        from optuna.storages import JournalStorage
        from optuna.storages.journal import JournalFileBackend
    except ImportError:
        raise ConfigError(
            "newsclf tune needs Optuna >= 4, which is not installed",
            key=SEARCH_GROUP,
            hint='pip install "newsclf[optuna]"',
        ) from None

    spec = load_search(search)
    cluster, overrides = _split_cluster(overrides)
    _check_overrides(spec, overrides)
    target = spec.n_trials if n_trials is None else _positive(n_trials, "--n-trials")
    sweep_dir = Path(sweep_dir or Path("multirun") / spec.name).expanduser().absolute()
    sweep_dir.mkdir(parents=True, exist_ok=True)
    storage = JournalStorage(JournalFileBackend(str(sweep_dir / JOURNAL)))
    fingerprint = _fingerprint(spec, overrides)
    with _optuna_quiet():
        study = optuna.create_study(
            study_name=spec.study_name,
            storage=storage,
            direction=spec.direction,
            load_if_exists=True,
        )
    stored = study.user_attrs.get("newsclf_search")
    if stored is None:
        study.set_user_attr("newsclf_search", fingerprint)
        study.set_user_attr("search", spec.name)
    elif stored != fingerprint:
        raise ConfigError(
            f"{sweep_dir} holds study {spec.study_name!r} of another search space or other "
            f"overrides (search {study.user_attrs.get('search')!r}); refusing to mix them",
            key="--dir",
            hint="use a new --dir, or repeat the command that started this study",
        )
    _recover_interrupted(study, storage)
    study.sampler = _sampler(spec.sampler, len(study.trials))
    done = sum(_finished(t) for t in study.get_trials(deepcopy=False))
    result = TuneResult(sweep_dir=sweep_dir, direction=spec.direction, trials=[])
    log.info(
        "study %s in %s: %d of %d trials finished%s",
        spec.study_name,
        sweep_dir / JOURNAL,
        done,
        target,
        f"; running {target - done}" if done < target else "; nothing to run",
    )

    def objective(trial: Any) -> float:
        run_dir = sweep_dir / str(trial.user_attrs.get("run_dir", trial.number))
        trial.set_user_attr("run_dir", run_dir.name)
        chosen = [
            f"{key}={_override_value(_suggest(trial, key, p))}" for key, p in spec.params.items()
        ]
        argv = [*spec.overrides, *overrides, *chosen, f"hydra.run.dir={run_dir}"]
        log.info("trial %d -> %s: %s", trial.number, run_dir, " ".join(chosen))
        result.ran.append(trial.number)
        try:
            if engine.distributed:  # one task; a trial whose worker died is run again
                [code] = engine.map_shards(_trial_task, [argv])
            else:
                with contextlib.redirect_stdout(sys.stderr):  # stdout: the summary only
                    code = run_app(argv)
        except BaseException:
            trial.set_user_attr("interrupted", True)
            raise
        payload = previous_payload(run_dir)
        if code != 0 or payload is None:
            message = _error_message(run_dir) or f"newsclf train exited with status {code}"
            trial.set_user_attr("error", message.splitlines()[0])
            result.failed.append(trial.number)
            log.error("trial %d failed: %s (see %s)", trial.number, message, run_dir / ERROR_FILE)
            return float("nan")  # Optuna records the trial as failed
        value = headline_metric(payload)
        log.info("trial %d: mean macro-F1 %.4f", trial.number, value)
        return value

    if done < target:
        with engine_from_config(cluster or {}) as engine, _optuna_quiet():
            n_jobs = min(engine.n_workers, target - done) if engine.distributed else 1
            if n_jobs > 1:
                log.info("running %d trials at a time on %s", n_jobs, engine.spec)
            study.optimize(objective, n_trials=target - done, n_jobs=n_jobs)
    result.trials = _rows(study, sweep_dir)
    return result
