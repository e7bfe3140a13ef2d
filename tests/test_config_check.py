"""Every group and key of a run's config is checked before anything is read or fitted, and an
error names the full key (issue 24)."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest
from hydra import compose, initialize_config_module
from hydra.core.hydra_config import HydraConfig
from omegaconf import OmegaConf

from newsclf.cli import main
from newsclf.config_check import CONFIG_GROUPS, check_config
from newsclf.data.loaders import DATASETS
from newsclf.errors import ConfigError

CONF = files("newsclf.conf")
#: groups of the defaults list that set other groups' keys rather than selecting an option
NOT_SELECTED = {"experiment", "hparams_search", "hydra", "local"}


def _compose(overrides: list[str]):
    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        cfg = compose(config_name="config", overrides=overrides, return_hydra_config=True)
    HydraConfig.instance().set_config(cfg)
    return cfg


@pytest.fixture
def no_reading(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every dataset loader replaced by one that records that it was called."""
    calls: list[str] = []

    def loader(name: str):
        def read(data):
            calls.append(name)
            raise AssertionError(f"dataset {name} read before the config was checked")

        return read

    for name in list(DATASETS):
        monkeypatch.setitem(DATASETS, name, loader(name))
    return calls


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        (["eval.confidence=2"], "eval.confidence"),
        (["eval.resamples=-1"], "eval.resamples"),
        (["+eval.typo=1"], "eval.typo"),
        (["split.test_size=0.9"], "split.test_size"),
        (["split.stratify=stance"], "split.stratify"),
        (["model.params.C=-1"], "model.params.C"),
        (["model.params.thread_group=words"], "model.params.thread_group"),
        (["features.text.char_weight=-1"], "features.text.char_weight"),
        (["features.text.thread_n_features=-3"], "features.text.thread_n_features"),
        (["trainer=streaming", "trainer.epochs=0"], "trainer.epochs"),
        (["tracking=mlflow", "tracking.run_name=3"], "tracking.run_name"),
        (["data.encodings=[]"], "data.encodings"),
        (["seed=-1"], "seed"),
    ],
)
def test_bad_value_fails_before_the_dataset_is_read_naming_the_full_key(
    overrides: list[str], key: str, tmp_path: Path, no_reading: list[str]
) -> None:
    run = tmp_path / "run"
    argv = ["train", "experiment=20ng", "data.root=/no/such/dir", *overrides]
    assert main([*argv, f"hydra.run.dir={run}"]) == 2
    error = json.loads((run / "error.json").read_text(encoding="utf-8"))
    assert error["error"] == "ConfigError"
    assert error["message"].startswith(f"config '{key}': ")
    assert no_reading == []
    assert not (run / "model").exists()


def test_bad_value_is_named_before_a_required_value_still_unset(no_reading: list[str]) -> None:
    cfg = _compose(["experiment=20ng", "eval.confidence=2"])  # data.root is ??? here
    with pytest.raises(ConfigError, match=r"^config 'eval\.confidence'.*'data\.root'") as info:
        check_config(cfg)
    assert info.value.key == "eval.confidence"


def test_features_pair_is_checked_for_a_topic_only_run() -> None:
    cfg = _compose(["tasks=[topic]", "features.pair.similarity.window=0"])
    with pytest.raises(ConfigError, match=r"features\.pair\.similarity\.window"):
        check_config(cfg)


def test_target_aware_is_checked_for_a_topic_only_run() -> None:
    cfg = _compose(["tasks=[topic]", "target_aware=per_target", "target_aware.min_samples=0"])
    with pytest.raises(ConfigError, match=r"target_aware\.min_samples"):
        check_config(cfg)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("eval.group_field", "split.group_field"),
        ("features.kind", "features.name"),
        ("target_aware.mode", "target_aware.name"),
    ],
)
def test_an_old_key_names_the_new_one(old: str, new: str, capsys: pytest.CaptureFixture) -> None:
    cfg = _compose([])
    OmegaConf.update(cfg, old, "group", force_add=True)  # as in a config saved before
    with pytest.raises(ConfigError, match=rf"'{old}'.*{new}"):
        check_config(cfg)
    assert main(["train", f"{old}=x"]) == 2  # an override is refused before Hydra composes
    assert new in capsys.readouterr().err


@pytest.mark.parametrize("part", ["target", "similarity", "embed"])
def test_drop_is_no_longer_a_spelling_of_off(part: str) -> None:
    cfg = _compose([f"features.pair.{part}=drop"])
    with pytest.raises(ConfigError, match=rf"(?s)features\.pair\.{part}.*null"):
        check_config(cfg)


def test_stratified_split_has_no_group_field() -> None:
    cfg = _compose(["split=stratified", "+split.group_field=group"])
    with pytest.raises(ConfigError, match=r"split\.group_field"):
        check_config(cfg)


def test_an_unknown_top_level_key_is_refused() -> None:
    with pytest.raises(ConfigError, match="'n_job'"):
        check_config(_compose(["+n_job=2"]))


def _groups() -> list[str]:
    return sorted(
        p.name for p in CONF.iterdir() if p.is_dir() and not p.name.startswith(("_", "."))
    )


def test_every_selected_group_has_a_schema_entry() -> None:
    assert set(_groups()) - NOT_SELECTED == set(CONFIG_GROUPS)


@pytest.mark.parametrize("group", sorted(CONFIG_GROUPS))
def test_every_option_selects_itself_by_name_equal_to_its_file(group: str) -> None:
    shipped = sorted(
        p.name[:-5] for p in CONF.joinpath(group).iterdir() if p.name.endswith(".yaml")
    )
    for option in shipped:
        node = OmegaConf.load(str(CONF.joinpath(group, f"{option}.yaml")))
        assert node.get("name") == option, f"conf/{group}/{option}.yaml"
        assert "kind" not in node and "mode" not in node
    assert set(shipped) <= set(CONFIG_GROUPS[group].option_names())


def test_schema_options_are_the_registries() -> None:
    from newsclf.runs.tracking import TRACKERS
    from newsclf.trainers import TRAINERS
    from newsclf.trainers.cv import EVALS

    assert set(CONFIG_GROUPS["trainer"].option_names()) == set(TRAINERS)
    assert set(CONFIG_GROUPS["eval"].option_names()) == set(EVALS)
    assert set(CONFIG_GROUPS["tracking"].option_names()) == set(TRACKERS)


def test_no_shipped_option_spells_off_as_drop() -> None:
    for path in CONF.iterdir():
        if not path.is_dir():
            continue
        for option in path.iterdir():
            if option.name.endswith(".yaml"):
                text = option.read_text(encoding="utf-8")
                assert ": drop" not in text, f"{path.name}/{option.name}"
