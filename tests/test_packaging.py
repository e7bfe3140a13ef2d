"""Package metadata: one version, typed, licensed, and a lean core install."""

from __future__ import annotations

from importlib.metadata import metadata, requires, version
from importlib.resources import files

from packaging.requirements import Requirement

import newsclf


def test_installed_version_is_the_package_version() -> None:
    assert version("newsclf") == newsclf.__version__


def test_package_is_marked_typed_and_licensed() -> None:
    assert files("newsclf").joinpath("py.typed").is_file()
    meta = metadata("newsclf")
    assert meta["License-Expression"] == "MIT"
    assert any("Python :: 3.13" in c for c in meta.get_all("Classifier") or [])


def test_core_install_requires_neither_submitit_nor_matplotlib() -> None:
    declared = [Requirement(r) for r in requires("newsclf") or []]
    core = {r.name for r in declared if r.marker is None}
    assert {"scikit-learn", "hydra-core", "skops"} <= core
    assert not core & {"hydra-submitit-launcher", "submitit", "hydra-joblib-launcher", "matplotlib"}
    cluster = {r.name for r in declared if r.marker and r.marker.evaluate({"extra": "cluster"})}
    assert {"hydra-joblib-launcher", "hydra-submitit-launcher"} <= cluster
