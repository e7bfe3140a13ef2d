"""Short model names -> scikit-learn classifiers that all give probabilities.

Every model must yield ``predict_proba`` (``predict`` output carries label scores), so margin
classifiers are wrapped in :class:`~sklearn.calibration.CalibratedClassifierCV` here, or with
``calibration: none`` in :class:`~newsclf.models.softmax.SoftmaxDecisionClassifier` (softmax of the
decision function, fitted once on all the data).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sklearn.base import ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.naive_bayes import ComplementNB, MultinomialNB
from sklearn.svm import LinearSVC

from newsclf.building import build_estimator
from newsclf.errors import ConfigError
from newsclf.models.softmax import SoftmaxDecisionClassifier
from newsclf.models.two_stage import RelatedThenStanceClassifier

__all__ = ["ALLOWED_CUSTOM_PREFIXES", "MODELS", "build_model"]

ALLOWED_CUSTOM_PREFIXES = ("sklearn.", "newsclf.")
#: the features' named column groups (``feature_groups()`` of the features step), or None
Groups = Mapping[str, Sequence[int]] | None
#: ``(params, seed, n_jobs, groups) -> unfitted classifier``
Builder = Callable[[dict[str, Any], int, int, Groups], Any]
_CALIBRATION_KEYS = ("calibration", "calibration_cv")
#: ``model.params.calibration`` values: CalibratedClassifierCV methods (``temperature``: one
#: temperature for all classes, scikit-learn >= 1.8) or ``none`` (softmax of the margins)
CALIBRATIONS = ("sigmoid", "isotonic", "temperature", "none")


def _calibrated(est: Any, calibration: str, calibration_cv: int, n_jobs: int) -> Any:
    if calibration not in CALIBRATIONS:
        raise ConfigError(
            f"calibration must be one of {', '.join(map(repr, CALIBRATIONS))}, got {calibration!r}",
            key="model.params.calibration",
            hint="'none' fits once on all the data and scores by a softmax of the margins",
        )
    if (
        isinstance(calibration_cv, bool)
        or not isinstance(calibration_cv, int)
        or calibration_cv < 2
    ):
        raise ConfigError(
            f"calibration_cv must be an integer >= 2, got {calibration_cv!r}",
            key="model.params.calibration_cv",
        )
    if calibration == "none":
        return SoftmaxDecisionClassifier(est)
    return CalibratedClassifierCV(est, method=calibration, cv=calibration_cv, n_jobs=n_jobs)


def _linear_svm(params: dict[str, Any], seed: int, n_jobs: int, groups: Groups) -> Any:
    cal = {k: params.pop(k) for k in _CALIBRATION_KEYS if k in params}
    params.setdefault("random_state", seed)
    svm = build_estimator(LinearSVC, params, "model.params")
    return _calibrated(svm, cal.get("calibration", "sigmoid"), cal.get("calibration_cv", 3), n_jobs)


def _sgd(params: dict[str, Any], seed: int, n_jobs: int, groups: Groups) -> Any:
    cal = {k: params.pop(k) for k in _CALIBRATION_KEYS if k in params}
    params.setdefault("random_state", seed)
    sgd = build_estimator(SGDClassifier, params, "model.params")
    if sgd.loss in ("log_loss", "modified_huber"):
        return sgd
    return _calibrated(sgd, cal.get("calibration", "sigmoid"), cal.get("calibration_cv", 3), n_jobs)


def _logreg(params: dict[str, Any], seed: int, n_jobs: int, groups: Groups) -> Any:
    params.setdefault("random_state", seed)
    return build_estimator(LogisticRegression, params, "model.params")


def _passive_aggressive(params: dict[str, Any], seed: int, n_jobs: int, groups: Groups) -> Any:
    """PA-I as scikit-learn now spells it (SGD, hinge, ``learning_rate="pa1"``); softmax scores."""
    params = {"loss": "hinge", "penalty": None, "learning_rate": "pa1", "eta0": 1.0, **params}
    params.setdefault("random_state", seed)
    return SoftmaxDecisionClassifier(build_estimator(SGDClassifier, params, "model.params"))


def _group_columns(names: Any, groups: Groups, key: str) -> list[int]:
    """The input columns of the feature groups ``names`` (sorted, so config order is moot)."""
    if groups is None:
        raise ConfigError(
            "selects feature groups by name, but the features name no groups",
            key=key,
            hint="use features=headline_body, or leave the key out to use all columns",
        )
    if isinstance(names, str) or not names:
        raise ConfigError(f"must be a non-empty list of feature groups, got {names!r}", key=key)
    unknown = [n for n in names if n not in groups]
    if unknown:
        raise ConfigError(
            f"unknown feature group(s) {unknown}",
            key=key,
            hint=f"valid groups: {', '.join(groups)}",
        )
    return sorted({c for name in names for c in groups[name]})


def _refuse_column_counts(params: Mapping[str, Any], blend: Mapping[str, Any]) -> None:
    """Configs of before feature groups counted leading columns; point to the new spelling
    (a shim: :data:`newsclf.compat.OLD_COLUMN_COUNT_KEYS`)."""
    if "relatedness_columns" in params:
        raise ConfigError(
            "columns are selected by feature group now, not counted",
            key="model.params.relatedness_columns",
            hint="e.g. model.params.relatedness_groups=[similarity,overlap] (was "
            "relatedness_columns: 46, the groups up to idf_coverage; see "
            "conf/model/related_then_stance.yaml)",
        )
    if "columns" in blend:
        raise ConfigError(
            "columns are selected by feature group now, not counted",
            key="model.params.stance_dense.columns",
            hint="e.g. model.params.stance_dense.groups=[embed_similarity,relation] "
            "(null: the relatedness groups)",
        )


def _one_column(group: str, groups: Groups, key: str, hint: str) -> int:
    """The column of a one-column group (a route or a support column)."""
    column = _group_columns([group], groups, key)
    if len(column) != 1:
        raise ConfigError(f"the group must be one column, got {len(column)}", key=key, hint=hint)
    return column[0]


def _neutral_head(params: dict[str, Any], seed: int, groups: Groups) -> Any:
    """``stance_neutral`` (language-neutral stance head) and ``stance_drop_groups``: resolves
    their groups into ``params`` and returns the head's unfitted model (None when absent)."""
    drop = params.pop("stance_drop_groups", None)
    if drop:
        params["stance_drop_columns"] = _group_columns(
            drop, groups, "model.params.stance_drop_groups"
        )
    head = dict(params.pop("stance_neutral", None) or {})
    if not head:
        return None
    key = "model.params.stance_neutral"
    params["neutral_columns"] = _group_columns(head.pop("groups", None), groups, f"{key}.groups")
    params["route_column"] = _one_column(
        head.pop("route", "language_route"),
        groups,
        f"{key}.route",
        "language_route (features.pair.embed.name=crosslingual)",
    )
    if head.pop("negation_augment", False):
        # the claim's negation count leads the claim_cues group (NEUTRAL_FEATURES)
        params["negation_column"] = _group_columns(["claim_cues"], groups, f"{key}")[0]
    contrast = head.pop("contrast_augment", None)
    if contrast:
        # each column of these groups marks a contradicting claim (0/1): augmented as disagree
        params["contrast_columns"] = _group_columns(
            list(contrast), groups, f"{key}.contrast_augment"
        )
    support = head.pop("support_group", None)
    threshold = head.pop("support_threshold", None)
    if support is not None:
        params["support_column"] = _one_column(
            support,
            groups,
            f"{key}.support_group",
            "sentence_support (features.pair.embed.support_sentences > 0)",
        )
        params["support_threshold"] = 0.0 if threshold is None else float(threshold)
    labels = head.pop("labels", None)
    params["neutral_labels"] = None if labels is None else [str(x) for x in labels]
    head.setdefault("random_state", seed)
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), build_estimator(LogisticRegression, head, f"{key}"))


def _related_then_stance(params: dict[str, Any], seed: int, n_jobs: int, groups: Groups) -> Any:
    """Gradient-boosted relatedness, then logistic-regression stance (params of each nested).

    ``relatedness_groups`` and ``stance_dense.groups`` name feature groups of the pair
    features; they are resolved here to the columns those groups occupy (``groups``).
    """
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import MaxAbsScaler

    related_kind = params.pop("relatedness_model", "gbm")
    if related_kind not in ("gbm", "logreg"):
        raise ConfigError(
            f"relatedness_model must be 'gbm' or 'logreg', got {related_kind!r}",
            key="model.params.relatedness_model",
            hint="'logreg' (standardised features) is linear, so `newsclf explain` can show it",
        )
    # parameters of each relatedness model, under its name; the chosen one is used
    by_model = dict(params.pop("relatedness", None) or {})
    unknown = sorted(set(by_model) - {"gbm", "logreg"})
    if unknown:
        raise ConfigError(
            f"expects one node per relatedness model (gbm, logreg), got {unknown}",
            key="model.params.relatedness",
            hint="e.g. model.params.relatedness.gbm.max_iter=300 (was relatedness.max_iter)",
        )
    related = dict(by_model.get(related_kind) or {})
    related.setdefault("random_state", seed)
    stance = dict(params.pop("stance", None) or {})
    stance.setdefault("random_state", seed)
    # optional: gradient boosting on the relation columns, averaged with the stance model
    blend = dict(params.pop("stance_dense", None) or {})
    _refuse_column_counts(params, blend)
    related_groups = params.pop("relatedness_groups", None)
    if related_groups is not None:
        params["relatedness_columns"] = _group_columns(
            related_groups, groups, "model.params.relatedness_groups"
        )
    if params.get("stance_scale") is not None:
        params["stance_scale"] = dict(params["stance_scale"])
    neutral = _neutral_head(params, seed, groups)
    est = build_estimator(RelatedThenStanceClassifier, params, "model.params")
    if neutral is not None:
        est.set_params(neutral=neutral)
    linear = make_pipeline(
        MaxAbsScaler(), build_estimator(LogisticRegression, stance, "model.params.stance")
    )
    if blend:
        from newsclf.models.stance_blend import DenseSparseBlendClassifier

        weight = blend.pop("weight", 0.5)
        dense_groups = blend.pop("groups", None)  # None: the relatedness model's columns
        columns = (
            est.relatedness_columns
            if dense_groups is None
            else _group_columns(dense_groups, groups, "model.params.stance_dense.groups")
        )
        blend.setdefault("random_state", seed)
        linear = build_estimator(
            DenseSparseBlendClassifier,
            {
                "dense_columns": columns,
                "dense_weight": weight,
            },
            "model.params.stance_dense",
        ).set_params(
            dense=build_estimator(
                HistGradientBoostingClassifier, blend, "model.params.stance_dense"
            ),
            sparse=linear,
        )
    key = f"model.params.relatedness.{related_kind}"
    if related_kind == "gbm":
        relatedness = build_estimator(HistGradientBoostingClassifier, related, key)
    else:
        from sklearn.preprocessing import StandardScaler

        relatedness = make_pipeline(
            StandardScaler(), build_estimator(LogisticRegression, related, key)
        )
    return est.set_params(relatedness=relatedness, stance=linear)


def _thread_columns(name: Any, groups: Groups) -> int:
    """How many trailing columns the feature group ``name`` (``model.params.thread_group``)
    holds: :class:`ThreadBlendClassifier` reads the thread block as the last columns."""
    key = "model.params.thread_group"
    if name is None:
        return 0
    if groups is None or name not in groups:
        raise ConfigError(
            f"the features have no group {name!r}",
            key=key,
            hint="use features=news_posts (group thread; features.text.thread_n_features > 0) "
            "or thread_group=null for no thread prior",
        )
    columns = groups[name]
    if not isinstance(columns, range) or columns.stop != 0 or columns.step != 1:
        raise ConfigError(
            f"feature group {name!r} is not the features' trailing block",
            key=key,
            hint="thread_group names the block that ends the features (news_posts: thread)",
        )
    return len(columns)


def _thread_blend(params: dict[str, Any], seed: int, n_jobs: int, groups: Groups) -> Any:
    """LinearSVC + ComplementNB + same-thread prior (features=news_posts); scores by softmax.

    The prior reads the feature group ``thread_group`` (null: no prior), resolved here to the
    column count the classifier takes; configs never count columns themselves.
    """
    from newsclf.models.thread_blend import ThreadBlendClassifier

    if "thread_features" in params:
        raise ConfigError(
            "columns are selected by feature group now, not counted",
            key="model.params.thread_features",
            hint="model.params.thread_group=thread (features=news_posts), or null for none",
        )
    params["thread_features"] = _thread_columns(params.pop("thread_group", None), groups)
    params.setdefault("random_state", seed)
    params.setdefault("n_jobs", n_jobs)
    return build_estimator(ThreadBlendClassifier, params, "model.params")


def _simple(cls: type) -> Builder:
    return lambda params, seed, n_jobs, groups: build_estimator(cls, params, "model.params")


#: model names usable as ``model=NAME``
MODELS: dict[str, Builder] = {
    "linear_svm": _linear_svm,
    "logreg": _logreg,
    "sgd": _sgd,
    "complement_nb": _simple(ComplementNB),
    "multinomial_nb": _simple(MultinomialNB),
    "related_then_stance": _related_then_stance,
    "passive_aggressive": _passive_aggressive,
    "thread_blend": _thread_blend,
}


def _custom(target: str | None, params: dict[str, Any], seed: int, n_jobs: int) -> Any:
    from hydra.utils import get_class

    if not target or not target.startswith(ALLOWED_CUSTOM_PREFIXES):
        raise ConfigError(
            f"custom model target must start with one of {ALLOWED_CUSTOM_PREFIXES}, got {target!r}",
            key="model.target",
            hint="e.g. model=custom model.target=sklearn.linear_model.RidgeClassifier",
        )
    try:
        cls = get_class(target)
    except Exception as exc:  # hydra raises ImportError or ValueError variants
        raise ConfigError(f"cannot import {target!r}: {exc}", key="model.target") from None
    if not issubclass(cls, ClassifierMixin):
        raise ConfigError(f"{target} is not a scikit-learn classifier", key="model.target")
    cal = {k: params.pop(k) for k in _CALIBRATION_KEYS if k in params}
    est = build_estimator(cls, params, "model.params")
    if hasattr(est, "predict_proba"):
        return est
    return _calibrated(est, cal.get("calibration", "sigmoid"), cal.get("calibration_cv", 3), n_jobs)


def build_model(
    model: Mapping[str, Any], *, seed: int, n_jobs: int = 1, feature_groups: Groups = None
) -> Any:
    """A fresh, unfitted classifier for the ``model`` config node (``name`` and ``params``).

    ``feature_groups`` (group name -> input columns, from the features step's
    ``feature_groups()``) lets a config select columns by group name.
    """
    name = model.get("name")
    params = dict(model.get("params") or {})
    if name == "custom":
        est = _custom(model.get("target"), params, seed, n_jobs)
    elif name in MODELS:
        est = MODELS[name](params, seed, n_jobs, feature_groups)
    else:
        raise ConfigError(
            f"unknown model {name!r}",
            key="model",
            hint=f"choose one of: {', '.join(sorted(MODELS))}, custom",
        )
    return est
