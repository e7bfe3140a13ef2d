"""Build one estimator from config parameters: the step both registries share.

:mod:`newsclf.features.registry` (``features``) and :mod:`newsclf.models.registry` (``model``)
map short names to classes; turning a class and its config node into a checked estimator, with
errors that name the config key, is the same for both, so it lives here, below both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from sklearn.base import BaseEstimator

from newsclf.errors import ConfigError

__all__ = ["build_estimator", "check_params"]

#: how scikit-learn's parameter validation names the parameter it refuses
_PARAMETER = re.compile(r"^The '(\w+)' parameter of \w+ ")


def _plain(value: Any) -> Any:
    """Lists from YAML become tuples: sklearn's constraints ask for tuples (ngram_range)."""
    if isinstance(value, list):
        return tuple(_plain(v) for v in value)
    return value


def build_estimator(cls: Callable[..., BaseEstimator], params: Mapping[str, Any], key: str) -> Any:
    """``cls(**params)``, with unknown parameters reported by config ``key`` and valid names."""
    est = cls()
    valid = sorted(est.get_params(deep=False))
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise ConfigError(
            f"unknown parameter(s) {unknown} for {cls.__name__}",
            key=key,
            hint=f"valid parameters: {', '.join(valid)}",
        )
    est.set_params(**{k: _plain(v) for k, v in params.items()})
    check_params(est, key)
    return est


def check_params(est: Any, key: str) -> None:
    """Validate parameter values now, so a bad value fails before any data is read.

    newsclf's estimators expose ``_check_params`` (their declared ``_parameter_constraints``,
    then checks across parameters); scikit-learn estimators have ``_validate_params`` (private
    API, exercised by the tests on the pinned range).
    """
    check = getattr(est, "_check_params", None) or getattr(est, "_validate_params", None)
    if check is None:
        return
    try:
        check()
    except (ValueError, TypeError) as exc:
        # name the parameter's own key (model.params.C) when the message says which it is
        named = _PARAMETER.match(str(exc))
        full_key = f"{key}.{named.group(1)}" if named and hasattr(est, named.group(1)) else key
        raise ConfigError(str(exc), key=full_key) from None
