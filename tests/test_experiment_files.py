"""Each named experiment is a recipe (issue 15): it names the command that runs it and holds
only its deltas from what its defaults list composes; figures live in experiments/RESULTS.md."""

from __future__ import annotations

from importlib.resources import files

import pytest
import yaml
from hydra import compose, initialize_config_module
from omegaconf import OmegaConf

EXPERIMENTS = files("newsclf.conf").joinpath("experiment")
NAMES = sorted(p.name[:-5] for p in EXPERIMENTS.iterdir() if p.name.endswith(".yaml"))


def _leaves(node: dict, prefix: str = ""):
    for key, value in node.items():
        path = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict) and value:
            yield from _leaves(value, path)
        else:
            yield path, value


@pytest.mark.parametrize("name", NAMES)
def test_experiment_starts_with_the_command_that_runs_it(name: str) -> None:
    lines = EXPERIMENTS.joinpath(f"{name}.yaml").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "# @package _global_"  # Hydra reads the header only from the top
    assert lines[1].startswith(f"# newsclf train experiment={name}"), lines[1]


@pytest.mark.parametrize("name", NAMES)
def test_experiment_holds_only_its_deltas(name: str) -> None:
    body = yaml.safe_load(EXPERIMENTS.joinpath(f"{name}.yaml").read_text(encoding="utf-8"))
    overrides = []
    for entry in body.pop("defaults", []):
        ((group, option),) = entry.items()
        overrides.append(f"{group.removeprefix('override /')}={option}")
    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        base = compose(config_name="config", overrides=overrides)
    same = []
    for path, value in _leaves(body):
        current = OmegaConf.select(base, path)
        if OmegaConf.is_config(current):
            current = OmegaConf.to_container(current, resolve=False)
        if current == value:
            same.append(path)
    assert not same, f"experiment={name} repeats default values: {same}"
