"""Compatibility shims in one table: what newsclf still accepts from older releases, until when.

Each shim keeps an old saved model loading, or refuses an old config key or option with its new
spelling instead of ignoring it. :data:`SHIMS` lists every one with the release that removes it
(the next minor after the change, as the CHANGELOG says); ``tests/test_compat.py`` fails once
``newsclf.__version__`` reaches that release, so no shim outlives it unnoticed. The old names
themselves are here too, so the code that applies a shim reads them from this table.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "MOVED_TYPES",
    "OLD_COLUMN_COUNT_KEYS",
    "OLD_ENCODING_KEYS",
    "OLD_OFF_VALUES",
    "RENAMED_KEYS",
    "RENAMED_OPTIONS",
    "SHIMS",
    "Shim",
    "removed_in",
]


@dataclass(frozen=True)
class Shim:
    """One compatibility shim: its name here, the code that applies it, what it keeps working."""

    name: str
    applied_in: str
    keeps: str
    removed_in: str


#: class paths that artifacts saved before a class moved still hold -> the class now; the old
#: modules re-export the classes, so such files load, and skops trusts them by their old name
MOVED_TYPES: dict[str, str] = {
    "newsclf.models.incremental.SoftmaxClassifier": (
        "newsclf.models.softmax.SoftmaxDecisionClassifier"
    ),
    "newsclf.models.target_aware.TargetCrossedFeatures": (
        "newsclf.features.target.TargetCrossedFeatures"
    ),
    "newsclf.models.target_aware.TargetMentionFeatures": (
        "newsclf.features.target.TargetMentionFeatures"
    ),
}

#: config keys that were renamed, old -> new: a config or override still using one is refused
#: naming the new key
RENAMED_KEYS: dict[str, str] = {
    "eval.bootstrap_resamples": "eval.resamples",
    # issue 24, one config convention: every group selects its option by `name`
    "features.kind": "features.name",  # the option's file name (tfidf: word_char, word, char)
    "target_aware.mode": "target_aware.name",
    "eval.group_field": "split.group_field",
}

#: data options that named encodings before ``data.encodings``: refused with the new spelling
OLD_ENCODING_KEYS: tuple[str, ...] = ("encoding", "fallback_encoding")

#: model parameters that counted leading columns before feature groups -> what names them now
OLD_COLUMN_COUNT_KEYS: dict[str, str] = {
    "model.params.relatedness_columns": "model.params.relatedness_groups",
    "model.params.stance_dense.columns": "model.params.stance_dense.groups",
    "model.params.thread_features": "model.params.thread_group",
}

#: the old spelling of an "off" part of the pair features (now null): refused naming null
OLD_OFF_VALUES: dict[str, str] = {"features.pair.{target,similarity,embed}": "drop"}

#: command-line options that were renamed, old -> new: the old one still works, with a warning
RENAMED_OPTIONS: dict[str, str] = {"evaluate --bootstrap": "--resamples"}

SHIMS: tuple[Shim, ...] = (
    Shim(
        "MOVED_TYPES",
        "newsclf.artifacts (skops trust), newsclf.models.incremental, "
        "newsclf.models.target_aware (re-exports)",
        "artifacts that name a class by its old module",
        "0.3.0",
    ),
    Shim(
        "RENAMED_KEYS",
        "newsclf.pipeline.check_renamed_keys",
        "clear errors for renamed keys (eval.bootstrap_resamples, features.kind, "
        "target_aware.mode, eval.group_field)",
        "0.3.0",
    ),
    Shim(
        "OLD_ENCODING_KEYS",
        "newsclf.data.dataset.config_encodings",
        "a clear error for data.encoding / data.fallback_encoding (now data.encodings)",
        "0.3.0",
    ),
    Shim(
        "OLD_COLUMN_COUNT_KEYS",
        "newsclf.models.registry (_refuse_column_counts, _thread_blend)",
        "a clear error for column counts (now feature groups)",
        "0.3.0",
    ),
    Shim(
        "OLD_OFF_VALUES",
        "newsclf.features.registry._part",
        "a clear error for 'drop' as a pair-feature part (now null)",
        "0.3.0",
    ),
    Shim(
        "RENAMED_OPTIONS",
        "newsclf.cli.evaluate",
        "newsclf evaluate --bootstrap N (now --resamples N), with a warning",
        "0.3.0",
    ),
)


def removed_in(name: str) -> str:
    """The release that removes the shim ``name`` (a name in :data:`SHIMS`)."""
    return next(shim.removed_in for shim in SHIMS if shim.name == name)
