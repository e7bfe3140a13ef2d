"""Slow tier (`pytest -m slow`): packaging and whole sweeps in subprocesses."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from importlib.resources import files
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def test_wheel_ships_every_config_and_the_demo_corpus(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
    )
    (wheel,) = tmp_path.glob("newsclf-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    yamls = {
        f"newsclf/conf/{p.relative_to(ROOT / 'conf').as_posix()}"
        for p in (ROOT / "conf").rglob("*.yaml")
    }
    assert yamls and yamls <= names
    assert "newsclf/demo/articles.jsonl" in names
    assert "newsclf/py.typed" in names  # PEP 561: type checkers read newsclf's hints
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    from newsclf import __version__

    assert wheel.name.startswith(f"newsclf-{__version__}-")  # the one source of the version


def _demo_experiments() -> list[str]:
    """Experiments that run on the bundled demo corpus (the others need a data.root)."""
    from hydra import compose, initialize_config_module

    names = sorted(
        p.name[:-5]
        for p in files("newsclf.conf").joinpath("experiment").iterdir()
        if p.name.endswith(".yaml")
    )
    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        return [
            name
            for name in names
            if compose(config_name="config", overrides=[f"experiment={name}"]).data.name == "demo"
        ]


def test_every_demo_experiment_trains_in_one_sweep(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "newsclf"
    experiments = _demo_experiments()
    assert "demo_logreg" in experiments
    result = subprocess.run(
        [
            str(script),
            "train",
            "-m",
            f"experiment={','.join(experiments)}",
            f"hydra.sweep.dir={tmp_path}",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert len(list(tmp_path.glob("*/metrics.json"))) == len(experiments)
