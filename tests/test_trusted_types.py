"""The skops trusted-type list is exactly what newsclf's own artifacts need, by name.

Each type skops does not trust by default that a newsclf artifact holds must be in
``newsclf.artifacts.TRUSTED_TYPES``. The default tier checks the default and the streaming
training runs; the slow tier (``pytest -m slow``, ~2 min) fits every features, model and
target_aware option of conf/ (plus the calibration variants) on a slice of the demo corpus. A
new estimator or feature class fails here until it is added to the list (after checking that
loading it cannot run code from the file).
"""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest
import skops.io
from hydra import compose, initialize_config_module
from hydra.core.hydra_config import HydraConfig
from omegaconf import open_dict

import newsclf
from newsclf.artifacts import TRUSTED_TYPES
from newsclf.cli import main
from newsclf.data import load_dataset
from newsclf.errors import ArtifactError
from newsclf.pipeline import TaskModel, build_pipeline, check_config
from newsclf.utils.hashing import file_sha256

CONF = files("newsclf.conf")
#: options that only make sense with other choices (stance-only features, paired models)
NEEDS = {
    "features=headline_body": ["tasks=[stance]"],
    "model=related_then_stance": ["tasks=[stance]", "features=headline_body"],
    "model=thread_blend": ["tasks=[topic]", "features=news_posts"],
    "model=custom": ["model.target=sklearn.linear_model.RidgeClassifier"],
}


def _options(group: str) -> list[str]:
    return sorted(p.name[:-5] for p in CONF.joinpath(group).iterdir() if p.name.endswith(".yaml"))


CASES = [f"{g}={o}" for g in ("features", "model", "target_aware") for o in _options(g)] + [
    "model.params.calibration=none",
    "model.params.calibration=isotonic",
    "model.params.calibration=temperature",
]


@pytest.fixture(scope="module")
def demo_slice() -> list:
    """Every third demo record: enough per class for calibration folds, fast to fit."""
    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        cfg = compose(config_name="config")
    return load_dataset(cfg.data).train[::3]


def _small_vocabulary(cfg) -> None:
    """Cap the n-gram vocabularies: the same classes are fitted, in a fraction of the time."""
    text = cfg.features.get("text")
    with open_dict(cfg):
        for key in ("max_features", "char_max_features"):
            if text is not None and key in text:
                text[key] = 300


def _untrusted_types(pipeline: object) -> set[str]:
    return set(skops.io.get_untrusted_types(data=skops.io.dumps(pipeline)))


@pytest.mark.slow
@pytest.mark.parametrize("option", CASES)
def test_every_config_saves_only_trusted_types(option: str, demo_slice: list) -> None:
    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        cfg = compose(
            config_name="config",
            overrides=[option, *NEEDS.get(option, [])],
            return_hydra_config=True,
        )
    HydraConfig.instance().set_config(cfg)
    _small_vocabulary(cfg)
    for task in check_config(cfg):
        pipeline = build_pipeline(cfg, task)
        model = TaskModel(pipeline, input="pair" if task == "stance" else "text")
        pipeline.fit(model.inputs(demo_slice), [r.label(task) for r in demo_slice])
        assert _untrusted_types(pipeline) <= set(TRUSTED_TYPES), (option, task)


def test_default_training_run_saves_only_trusted_types(demo_run: Path) -> None:
    for task, model in newsclf.load(demo_run / "model").models.items():
        assert _untrusted_types(model.pipeline) <= set(TRUSTED_TYPES), task


def test_streaming_trainer_saves_only_trusted_types(tmp_path: Path) -> None:
    run = tmp_path / "run"
    assert main(["train", "experiment=streaming", f"hydra.run.dir={run}", "n_jobs=1"]) == 0
    for task, model in newsclf.load(run / "model").models.items():
        assert _untrusted_types(model.pipeline) <= set(TRUSTED_TYPES), task


def test_trusted_types_are_named_one_by_one() -> None:
    assert all(t.count(".") >= 2 and not t.endswith(".") for t in TRUSTED_TYPES)
    assert len(set(TRUSTED_TYPES)) == len(TRUSTED_TYPES)


def test_type_of_a_trusted_package_outside_the_list_is_refused_by_name(
    tiny_classifier, tmp_path: Path
) -> None:
    # a scikit-learn type skops does not trust by default and no newsclf config produces:
    # a package prefix is no longer enough
    from sklearn.utils._bunch import Bunch

    path = tiny_classifier.save(tmp_path / "model", serialization="skops")
    pipeline = tiny_classifier.models["topic"].pipeline
    pipeline.extra_ = Bunch(a=1)
    assert "sklearn.utils._bunch.Bunch" in _untrusted_types(pipeline)
    skops.io.dump(pipeline, path / "topic.skops")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["files"]["topic.skops"] = file_sha256(path / "topic.skops")
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match=r"not trusted: sklearn\.utils\._bunch\.Bunch"):
        newsclf.load(path)
    assert newsclf.load(path, trusted=["sklearn.utils._bunch.Bunch"]).tasks == ["topic", "stance"]
