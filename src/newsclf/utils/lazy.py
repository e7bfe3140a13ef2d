"""Public names of a package imported on first use (PEP 562).

``import newsclf`` (or ``newsclf.data``) alone then does not import scikit-learn, so a command
that does not need it (``newsclf predict --cluster``: the workers load the model) starts sooner.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_attributes"]


def lazy_attributes(
    package: str, names: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: each of ``names`` (name -> module) is
    imported from its module on first access and kept in ``namespace`` (the package's
    ``globals()``), so later accesses are plain lookups."""

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(names))

    return __getattr__, __dir__
