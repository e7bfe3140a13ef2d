"""Docstring examples run, so they cannot rot: every module of newsclf that has one, and an
Examples section in every public estimator's docstring (issue 24)."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest
from test_parameter_constraints import ESTIMATORS

import newsclf

SRC = Path(newsclf.__file__).parent


def _modules_with_examples() -> list[str]:
    names = []
    for path in sorted(SRC.rglob("*.py")):
        if ">>> " in path.read_text(encoding="utf-8"):
            parts = path.relative_to(SRC.parent).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


MODULES = _modules_with_examples()


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(
        module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE, verbose=False
    )
    assert result.attempted > 0, f"{name} has '>>> ' but doctest found no example"
    assert result.failed == 0


def test_examples_are_found_in_the_features_and_models_packages() -> None:
    assert any(m.startswith("newsclf.features.") for m in MODULES)
    assert any(m.startswith("newsclf.models.") for m in MODULES)


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_every_public_estimator_has_an_examples_section(cls: type) -> None:
    doc = cls.__doc__ or ""
    assert "\n    Examples\n    --------\n" in doc
    assert ">>> " in doc.split("Examples", 1)[1]
