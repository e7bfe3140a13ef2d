"""newsclf.compat: every compatibility shim is in the one table and goes in its release."""

from __future__ import annotations

import re

import pytest

import newsclf
from newsclf import compat
from newsclf.compat import OLD_ENCODING_KEYS, RENAMED_KEYS, SHIMS
from newsclf.errors import ConfigError


def _release(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split(".")[:3])


@pytest.mark.parametrize("shim", SHIMS, ids=lambda s: s.name)
def test_no_shim_outlives_its_removal_release(shim) -> None:
    # fails on the version bump that should delete the shim: delete it (and its entry here)
    assert _release(newsclf.__version__) < _release(shim.removed_in), (
        f"{shim.name} ({shim.keeps}) is due for removal in {shim.removed_in}: "
        f"delete it from {shim.applied_in} and from newsclf.compat"
    )


def test_every_shim_in_the_table_names_its_data_in_compat() -> None:
    assert {s.name for s in SHIMS} <= set(compat.__all__)
    assert len({s.name for s in SHIMS}) == len(SHIMS)


@pytest.mark.parametrize(("old", "new"), sorted(RENAMED_KEYS.items()))
def test_a_renamed_config_key_is_refused_naming_the_new_one(old: str, new: str) -> None:
    from newsclf.pipeline import check_renamed_keys

    with pytest.raises(ConfigError, match=re.escape(new)) as info:
        check_renamed_keys(["seed", old])
    assert info.value.key == old


@pytest.mark.parametrize("old", OLD_ENCODING_KEYS)
def test_an_old_encoding_key_is_refused_naming_data_encodings(old: str) -> None:
    from newsclf.data.dataset import config_encodings

    with pytest.raises(ConfigError, match=r"data\.encodings") as info:
        config_encodings({old: "latin-1"})
    assert info.value.key == f"data.{old}"
