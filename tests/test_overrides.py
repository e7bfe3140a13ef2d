"""newsclf.utils.overrides: the key and value of every form of Hydra override."""

from __future__ import annotations

import pytest

from newsclf.utils.overrides import override_key, split_override


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ("model.params.C=2", ("model.params.C", "2")),
        ("+eval.breakdowns=[lang]", ("eval.breakdowns", "[lang]")),
        ("++seed=3", ("seed", "3")),
        ("~tracking", ("tracking", "")),
        ("hydra/launcher=joblib", ("hydra/launcher", "joblib")),
        ("data.train=a=b.jsonl", ("data.train", "a=b.jsonl")),
        (" seed =1", ("seed", "1")),
    ],
)
def test_split_override_strips_hydra_prefixes_and_keeps_the_value(override, expected) -> None:
    assert split_override(override) == expected
    assert override_key(override) == expected[0]
