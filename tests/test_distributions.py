"""The wheel and the sdist hold the whole package: every module, every config, the demo corpus.

Editable installs (`make demo`, `make test`) read the source tree, so a module left out of the
distributions goes unnoticed until a user installs the wheel (newsclf.trainers once was). This
builds both the way a release is built (`python -m build`: the sdist, then the wheel from the
sdist) from a clean copy of the source tree, and checks their file lists against the source tree,
as pypa/build checks its own. The copy matters: setuptools adds every file a stale
src/*.egg-info/SOURCES.txt lists, which would hide an omission that a clean clone shows.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

import newsclf

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "newsclf"
# what a clean clone does not have: build output, caches, virtualenvs, run outputs
NOT_SOURCE = (
    ".git",
    ".venv*",
    "*.egg-info",
    "build",
    "dist",
    "site",
    "outputs",
    "multirun",
    "__pycache__",
    ".*_cache",
    ".cache",
    ".hypothesis",
    "mlruns",
)


@pytest.fixture(scope="module")
def distributions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, set[str]]:
    """File names inside the built wheel and sdist, relative to their roots."""
    out = tmp_path_factory.mktemp("dist")
    clean = tmp_path_factory.mktemp("clone") / "newsclf"
    shutil.copytree(ROOT, clean, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    result = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(clean)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = out.glob("newsclf-*.whl")
    (sdist,) = out.glob("newsclf-*.tar.gz")
    assert wheel.name.startswith(f"newsclf-{newsclf.__version__}-")  # the one source of version
    with zipfile.ZipFile(wheel) as zf:
        wheel_names = set(zf.namelist())
    with tarfile.open(sdist) as tf:
        prefix = f"{sdist.name.removesuffix('.tar.gz')}/"
        sdist_names = {m.name.removeprefix(prefix) for m in tf.getmembers() if m.isfile()}
    return {"wheel": wheel_names, "sdist": sdist_names}


def _source_files(root: Path, pattern: str) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob(pattern)
        if p.is_file() and "__pycache__" not in p.parts
    }


# (what the source tree holds, where the wheel puts it, where the sdist puts it)
SHIPPED = {
    "modules": (SRC, "*.py", "newsclf/", "src/newsclf/"),
    "configs": (ROOT / "conf", "*.yaml", "newsclf/conf/", "conf/"),
    "demo corpus": (ROOT / "data" / "demo", "*.jsonl", "newsclf/demo/", "data/demo/"),
}


@pytest.mark.parametrize("dist", ["wheel", "sdist"])
@pytest.mark.parametrize("what", sorted(SHIPPED))
def test_distribution_ships_every_file_of_the_source_tree(
    distributions: dict[str, set[str]], dist: str, what: str
) -> None:
    root, pattern, wheel_prefix, sdist_prefix = SHIPPED[what]
    expected = _source_files(root, pattern)
    assert expected, f"no {pattern} under {root}"
    prefix = wheel_prefix if dist == "wheel" else sdist_prefix
    missing = sorted(f"{prefix}{name}" for name in expected - _under(distributions[dist], prefix))
    assert not missing, f"{dist} lacks {len(missing)} {what}: {missing[:20]}"


def _under(names: set[str], prefix: str) -> set[str]:
    return {n.removeprefix(prefix) for n in names if n.startswith(prefix)}


def test_wheel_is_typed_and_licensed(distributions: dict[str, set[str]]) -> None:
    names = distributions["wheel"]
    assert "newsclf/py.typed" in names  # PEP 561: type checkers read newsclf's hints
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
