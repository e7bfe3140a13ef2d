"""Parameter constraints for newsclf's estimators, in scikit-learn's declarative form.

Each estimator declares ``_parameter_constraints`` (parameter -> allowed constraints) on the
class, like ``CountVectorizer``, and validates them with ``self._validate_params()`` at the
start of ``fit`` (and when the registries build it from config); checks that span parameters
(an n-gram range's order) stay in ``fit``. ``sklearn.utils._param_validation`` is private API:
the tests exercise it on the pinned scikit-learn range.

scikit-learn's ``Interval(Integral, ...)`` accepts ``True`` (``bool`` is an ``Integral``), but
``n_features: true`` in a config is a mistake, so :class:`Int` and :class:`Number` refuse bools.
"""

from __future__ import annotations

from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

from sklearn.utils._param_validation import HasMethods, Interval, Options, StrOptions

from newsclf.text.lang import SUPPORTED_LANGUAGES

__all__ = [
    "LANG",
    "NGRAM_RANGE",
    "NON_NEGATIVE",
    "POSITIVE",
    "POSITIVE_INT",
    "HasMethods",
    "Int",
    "Number",
    "Options",
    "StrOptions",
    "is_sequence",
]


class Int(Interval):
    """An int (not a bool) in ``[left, right]`` (``None``: unbounded; ``closed`` as sklearn's)."""

    def __init__(self, left: int | None, right: int | None = None, *, closed: str = "both"):
        super().__init__(Integral, left, right, closed=closed)

    def is_satisfied_by(self, val: Any) -> bool:
        return not isinstance(val, bool) and super().is_satisfied_by(val)


class Number(Interval):
    """A real number (not a bool) in ``[left, right]`` (``None``: unbounded)."""

    def __init__(
        self, left: float | None = None, right: float | None = None, *, closed: str = "both"
    ):
        super().__init__(Real, left, right, closed=closed)

    def is_satisfied_by(self, val: Any) -> bool:
        return not isinstance(val, bool) and super().is_satisfied_by(val)


#: ``lang`` of the analysers: a supported language code or "auto"
LANG = [StrOptions({"auto", *SUPPORTED_LANGUAGES})]
#: an n-gram range as YAML gives it (list) or Python (tuple); its order is checked in ``fit``
NGRAM_RANGE: list[Any] = [tuple, list]

#: a positive count, int >= 1
POSITIVE_INT = Int(1, None, closed="left")
#: a positive weight, > 0 (and finite)
POSITIVE = Number(0, None, closed="neither")
#: a weight >= 0 (and finite)
NON_NEGATIVE = Number(0, None, closed="left")


def is_sequence(value: Any) -> bool:
    """A list or tuple of items, not a string."""
    return isinstance(value, Sequence) and not isinstance(value, str)
