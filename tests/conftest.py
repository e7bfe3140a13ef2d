"""Shared fixtures: one demo training run per test session (the CLI, in-process)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsclf.cli import main


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run dir of `newsclf train` on the bundled demo corpus with default config."""
    run_dir = tmp_path_factory.mktemp("demo_run")
    code = main(["train", f"hydra.run.dir={run_dir}"])
    assert code == 0
    return run_dir


@pytest.fixture
def write_jsonl(tmp_path: Path):
    """Write records (dicts) to a JSONL file and return its path."""

    def write(rows: list[dict], name: str = "records.jsonl") -> Path:
        path = tmp_path / name
        path.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
        return path

    return write
