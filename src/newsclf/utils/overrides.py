"""The one reader of Hydra override strings (``key=value``, ``+key=value``, ``++key=value``,
``~key``) for the places that look at overrides before or after Hydra: the launcher and
renamed-key checks of ``newsclf train``, the searched keys of ``newsclf tune``, and the columns
of ``newsclf compare``."""

from __future__ import annotations

__all__ = ["override_key", "split_override"]


def split_override(override: str) -> tuple[str, str]:
    """``"+model.params.C=2"`` -> ``("model.params.C", "2")``; ``"~seed"`` -> ``("seed", "")``.

    The key loses Hydra's ``+``/``++``/``~`` prefix and surrounding spaces; the value is kept
    as written (Hydra parses it).
    """
    key, _, value = override.partition("=")
    return key.strip().lstrip("+~"), value


def override_key(override: str) -> str:
    """The config key an override sets (see :func:`split_override`)."""
    return split_override(override)[0]
