"""Every shipped config option and experiment composes and builds its pipelines (no fitting)."""

from __future__ import annotations

import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest
from hydra import compose, initialize_config_module
from hydra.core.hydra_config import HydraConfig
from omegaconf import OmegaConf

from newsclf.config_check import CONFIG_GROUPS, check_config
from newsclf.pipeline import build_pipeline

CONF = files("newsclf.conf")
GROUPS = (*CONFIG_GROUPS, "experiment")


def _options(group: str) -> list[str]:
    return sorted(p.name[:-5] for p in CONF.joinpath(group).iterdir() if p.name.endswith(".yaml"))


def _compose(overrides: list[str]):
    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        cfg = compose(config_name="config", overrides=overrides, return_hydra_config=True)
    HydraConfig.instance().set_config(cfg)  # ${hydra:...} interpolations need it
    return cfg


CASES = [(g, o) for g in GROUPS for o in _options(g)]


@pytest.mark.parametrize(("group", "option"), CASES, ids=[f"{g}={o}" for g, o in CASES])
def test_every_config_option_composes_and_builds(group: str, option: str) -> None:
    overrides = [f"{group}={option}"]
    if option == "records":
        overrides.append("data.train=records.jsonl")
    if option == "custom":
        overrides.append("model.target=sklearn.linear_model.RidgeClassifier")
    if option == "headline_body":  # stance-only features (features.name in PAIR_FEATURES)
        overrides.append("tasks=[stance]")
    if option == "related_then_stance":  # selects feature groups of features=headline_body
        overrides += ["tasks=[stance]", "features=headline_body"]
    cfg = _compose(overrides)
    if OmegaConf.is_missing(cfg.data, "root"):  # benchmark folders: data.root=DIR is required
        cfg = _compose([*overrides, "data.root=DATASET_DIR"])
    for task in check_config(cfg):
        pipeline = build_pipeline(cfg, task)
        assert hasattr(pipeline, "fit")


def test_shipped_groups_are_not_empty() -> None:
    for group in ("data", "features", "model", "split"):
        assert _options(group), group


def test_installed_app_searches_packaged_config(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "newsclf"
    result = subprocess.run(
        [str(script), "train", "--info", "searchpath"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "pkg://newsclf.conf" in result.stdout


def test_old_bootstrap_key_is_refused_naming_the_new_one() -> None:
    from newsclf.errors import ConfigError

    cfg = _compose(["+eval.bootstrap_resamples=200"])  # e.g. from an experiment file of 0.1
    with pytest.raises(ConfigError, match=r"eval\.bootstrap_resamples.*renamed to eval\.resamples"):
        check_config(cfg)
    assert check_config(_compose(["eval.resamples=200"]))
