"""Slow tier (`pytest -m slow`): whole sweeps in subprocesses (the distributions are checked in
the default tier: tests/test_distributions.py)."""

from __future__ import annotations

import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


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
