"""What a trained linear model has learned: indicative features per class, and per input.

Every linear head of a task pipeline (``features -> model``) scores a class as
``x @ w_c + b_c``; :func:`class_weights` recovers ``w`` and ``b`` for the models newsclf builds:

- ``coef_`` of logistic regression, SGD, LinearSVC and other linear classifiers (a binary model's
  single row is the second class's weights; the first class gets their negation), also inside a
  wrapper that holds one fitted ``estimator_`` (``model=passive_aggressive``);
- :class:`~sklearn.calibration.CalibratedClassifierCV` (``model=linear_svm``, margin SGD): the
  weights of its per-fold base estimators, averaged per class. The calibrators map each class's
  score through a monotone function, so these weights show what drives the scores, though not
  the calibrated probabilities' exact values;
- ``feature_log_prob_`` of :class:`~sklearn.naive_bayes.ComplementNB` / ``MultinomialNB``, centred
  per feature over the classes (a per-feature constant does not change which class wins), with
  ``class_log_prior_`` as intercept for the multinomial one.

The feature names come from the feature steps' ``get_feature_names_out``, e.g. ``word:infláció``,
``char:ció`` (``text:`` / ``target:`` / ``pair:`` prefixes for stance). The contribution of a
feature to one input's score for a class is its value in that input times the class's weight.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.naive_bayes import ComplementNB, MultinomialNB

from newsclf.classifier import NewsClassifier
from newsclf.data.records import Record
from newsclf.data.validate import check_record
from newsclf.errors import ConfigError, DataError

__all__ = [
    "ClassWeights",
    "Contribution",
    "RecordExplanation",
    "class_weights",
    "explain_record",
    "format_record_explanation",
    "format_top_features",
    "pick_record",
    "task_weights",
    "top_features",
]

log = logging.getLogger(__name__)

_LINEAR_MODELS = (
    "linear_svm, logreg, sgd, passive_aggressive, complement_nb, multinomial_nb "
    "(or a linear custom model)"
)


@dataclass(frozen=True)
class ClassWeights:
    """Per-class linear weights of one task head.

    ``weights[i, j]`` is the weight of feature ``feature_names[j]`` for class ``classes[i]``;
    the score of class ``i`` for features ``x`` is ``x @ weights[i] + intercept[i]``.
    """

    classes: list[str]
    feature_names: np.ndarray
    weights: np.ndarray
    intercept: np.ndarray
    source: str  # how the weights were read, e.g. "LogisticRegression.coef_"


@dataclass(frozen=True)
class Contribution:
    """One feature's share of a class score for one input: ``value * weight``."""

    feature: str
    value: float
    weight: float
    contribution: float


@dataclass
class RecordExplanation:
    """Why one record got its label: the score of each class split into feature contributions."""

    record_id: str
    line: int
    task: str
    predicted: str
    probabilities: dict[str, float]
    scores: dict[str, float]
    intercept: dict[str, float]
    # per class, the contributions sorted from most positive to most negative
    contributions: dict[str, list[Contribution]] = field(default_factory=dict)


def _expand(coef: np.ndarray, intercept: np.ndarray, n_classes: int) -> tuple[np.ndarray, ...]:
    """Binary models keep one row (the second class); give the first class its negation."""
    coef = np.asarray(coef.toarray() if sp.issparse(coef) else coef, dtype=np.float64)
    coef = np.atleast_2d(coef)
    intercept = np.atleast_1d(np.asarray(intercept, dtype=np.float64))
    if intercept.size == 1 and coef.shape[0] > 1:
        intercept = np.repeat(intercept, coef.shape[0])
    if n_classes == 2 and coef.shape[0] == 1:
        return np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    return coef, intercept


def _not_linear(model: Any) -> ConfigError:
    return ConfigError(
        f"cannot explain a {type(model).__name__}: it has no per-feature linear weights "
        "(coef_ or feature_log_prob_)",
        key="model",
        hint=f"explain works for linear models: {_LINEAR_MODELS}",
    )


def _plain_weights(model: Any) -> tuple[list[Any], np.ndarray, np.ndarray, str]:
    """(classes, weights, intercept, source) of a model that is not a calibration wrapper."""
    classes = list(getattr(model, "classes_", []))
    name = type(model).__name__
    if isinstance(model, ComplementNB | MultinomialNB):
        w = np.asarray(model.feature_log_prob_, dtype=np.float64)
        w = w - w.mean(axis=0, keepdims=True)
        if isinstance(model, ComplementNB):
            b = np.zeros(len(classes))  # ComplementNB ignores the prior when predicting
        else:
            b = np.asarray(model.class_log_prior_, dtype=np.float64)
        return classes, w, b, f"{name}.feature_log_prob_ (centred per feature)"
    linear_part = getattr(model, "linear_part", None)
    if callable(linear_part):  # a blend or two-stage model with linear components
        try:
            w, b, source = linear_part()
        except ValueError as exc:
            raise ConfigError(
                f"cannot explain a {name}: {exc}",
                key="model",
                hint="two-stage models explain when both stages are linear "
                "(model.params.relatedness_model=logreg)",
            ) from None
        return classes, np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64), source
    coef = getattr(model, "coef_", None)
    inner = getattr(model, "estimator_", None)
    if coef is None and inner is not None and inner is not model:
        # a wrapper around one fitted linear model (e.g. SoftmaxDecisionClassifier of
        # model=passive_aggressive): its scores are a monotone map of the inner model's
        inner_classes, w, b, source = _plain_weights(inner)
        if [str(c) for c in inner_classes] != [str(c) for c in classes]:
            raise _not_linear(model)
        return classes, w, b, f"{name} of {source}"
    if coef is None or not classes or np.ndim(coef) not in (1, 2):
        raise _not_linear(model)
    w, b = _expand(coef, getattr(model, "intercept_", 0.0), len(classes))
    if w.shape[0] != len(classes):
        raise _not_linear(model)
    return classes, w, b, f"{name}.coef_"


def _calibrated_weights(model: CalibratedClassifierCV) -> tuple[list[Any], np.ndarray, ...]:
    """Average the base estimators' weights, class by class (a fold may miss a class)."""
    classes = list(model.classes_)
    index = {c: i for i, c in enumerate(classes)}
    total_w: np.ndarray | None = None
    total_b = np.zeros(len(classes))
    counts = np.zeros(len(classes))
    base_name = "?"
    for calibrated in model.calibrated_classifiers_:
        base = calibrated.estimator
        base_classes, w, b, source = _plain_weights(base)
        base_name = source
        if total_w is None:
            total_w = np.zeros((len(classes), w.shape[1]))
        if all(c in index for c in base_classes):
            rows = [index[c] for c in base_classes]
        else:  # method="temperature" fits the base estimators on label-encoded y
            rows = [int(c) for c in base_classes]
        total_w[rows] += w
        total_b[rows] += b
        counts[rows] += 1
    if total_w is None:
        raise _not_linear(model)
    counts = np.maximum(counts, 1)
    n = len(model.calibrated_classifiers_)
    source = f"CalibratedClassifierCV: mean of {n} × {base_name}"
    return classes, total_w / counts[:, None], total_b / counts, source


def class_weights(pipeline: Any) -> ClassWeights:
    """The per-class weights of a fitted ``features -> ... -> model`` pipeline.

    Raises :class:`ConfigError` (key ``model``) for a model without linear weights.
    """
    steps = getattr(pipeline, "steps", None)
    if not steps:
        raise ConfigError(
            f"expected a fitted scikit-learn Pipeline, got {type(pipeline).__name__}",
            key="model",
        )
    model = pipeline[-1]
    if isinstance(model, CalibratedClassifierCV):
        classes, w, b, source = _calibrated_weights(model)
    else:
        classes, w, b, source = _plain_weights(model)
    n_features = w.shape[1]
    try:
        names = np.asarray(pipeline[:-1].get_feature_names_out(), dtype=object)
    except (AttributeError, TypeError, ValueError) as exc:
        log.warning("feature names unavailable (%s); using x0, x1, ...", exc)
        names = np.asarray([f"x{j}" for j in range(n_features)], dtype=object)
    if len(names) != n_features:
        raise ConfigError(
            f"the features give {len(names)} names but the model has {n_features} weights",
            key="model",
            hint="the pipeline's steps do not fit together; retrain the model",
        )
    return ClassWeights([str(c) for c in classes], names, w, b, source)


def _task_model(clf: NewsClassifier, task: str) -> Any:
    if task not in clf.models:
        raise ConfigError(
            f"the model has no task {task!r}",
            key="--task",
            hint=f"this model's tasks: {', '.join(clf.tasks)}",
        )
    return clf.models[task]


def task_weights(clf: NewsClassifier, task: str) -> ClassWeights:
    """:func:`class_weights` of ``task``'s pipeline in a loaded :class:`NewsClassifier`."""
    return class_weights(_task_model(clf, task).pipeline)


def _check_top(top: int) -> None:
    if isinstance(top, bool) or not isinstance(top, int | np.integer) or top < 1:
        raise ConfigError(f"must be a positive integer, got {top!r}", key="--top", hint="--top 20")


def top_features(weights: ClassWeights, top: int = 20) -> dict[str, list[tuple[str, float]]]:
    """Per class, the ``top`` features with the largest weight (most indicative first)."""
    _check_top(top)
    out: dict[str, list[tuple[str, float]]] = {}
    for label, row in zip(weights.classes, weights.weights, strict=True):
        k = min(top, row.size)
        best = np.argpartition(-row, k - 1)[:k] if k < row.size else np.arange(row.size)
        best = best[np.lexsort((best, -row[best]))]  # by weight, ties by feature index
        out[label] = [(str(weights.feature_names[j]), float(row[j])) for j in best]
    return out


def explain_record(
    clf: NewsClassifier, record: Record, task: str, top: int = 20
) -> RecordExplanation:
    """Split ``record``'s score for each class of ``task`` into feature contributions.

    Each class keeps its ``top`` largest positive and ``top`` most negative contributions.
    """
    _check_top(top)
    model = _task_model(clf, task)
    check_record(record, tasks=[task], labelled=False)
    weights = class_weights(model.pipeline)
    inputs = model.inputs([record])
    x = model.pipeline[:-1].transform(inputs)
    x = sp.csr_matrix(x, dtype=np.float64)
    proba = model.pipeline.predict_proba(inputs)[0]
    labels = model.labels
    predicted = labels[int(np.argmax(proba))]
    values, columns = x.data, x.indices
    explanation = RecordExplanation(
        record_id=record.id,
        line=record.line,
        task=task,
        predicted=predicted,
        probabilities={label: float(p) for label, p in zip(labels, proba, strict=True)},
        scores={},
        intercept={},
    )
    for label, row, bias in zip(weights.classes, weights.weights, weights.intercept, strict=True):
        contrib = values * row[columns]
        explanation.scores[label] = float(contrib.sum() + bias)
        explanation.intercept[label] = float(bias)
        order = np.argsort(-contrib, kind="stable")
        keep = [i for i in order[:top] if contrib[i] > 0]
        keep += [i for i in order[::-1][:top] if contrib[i] < 0][::-1]
        explanation.contributions[label] = [
            Contribution(
                feature=str(weights.feature_names[columns[i]]),
                value=float(values[i]),
                weight=float(row[columns[i]]),
                contribution=float(contrib[i]),
            )
            for i in keep
        ]
    return explanation


def pick_record(records: Sequence[Record], record_id: str | None, source: str) -> Record:
    """The record with ``record_id``, or the first one when no id is given."""
    if not records:
        raise DataError("no records", path=source, hint="the file is empty or has only blank lines")
    if record_id is None:
        if len(records) > 1:
            log.info(
                "%d records in %s; explaining the first (choose one with --id)",
                len(records),
                source,
            )
        return records[0]
    for r in records:
        if r.id == record_id:
            return r
    shown = ", ".join(r.id for r in records[:5]) + (", ..." if len(records) > 5 else "")
    raise DataError(
        f"no record with id {record_id!r}",
        path=source,
        field="id",
        hint=f"ids in the file: {shown}",
    )


_PREFIX = re.compile(r"^((?:[a-z_]+:)*)(.*)$", re.DOTALL)


def _name(feature: str) -> str:
    """Quote the n-gram of a name when it has blanks at its edges (``char:' f'``): character
    n-grams keep the spaces around words."""
    prefix, gram = _PREFIX.match(feature).groups()  # type: ignore[union-attr]
    return f"{prefix}{gram!r}" if gram != gram.strip() else feature


def format_top_features(
    weights: ClassWeights, top_by_class: dict[str, list[tuple[str, float]]], task: str
) -> str:
    """A plain-text listing: one block per class, weight then feature name."""
    lines = [
        f"{task}: {len(weights.classes)} classes, {len(weights.feature_names):,} features, "
        f"weights from {weights.source}"
    ]
    for label, items in top_by_class.items():
        lines.append("")
        lines.append(f"{label}")
        lines += [f"  {w:+9.4f}  {_name(f)}" for f, w in items]
    return "\n".join(lines) + "\n"


def format_record_explanation(exp: RecordExplanation, *, all_classes: bool = False) -> str:
    """Plain text: the prediction and the features that drove its class's score; the other
    classes' scores on one line each (in detail too with ``all_classes``)."""

    def heading(label: str) -> str:
        return (
            f"{label}: score {exp.scores[label]:+.4f} (intercept {exp.intercept[label]:+.4f}), "
            f"p={exp.probabilities.get(label, float('nan')):.3f}"
        )

    def detail(label: str) -> list[str]:
        items = exp.contributions[label]
        if not items:
            return ["  (no feature of this input has a weight for this class)"]
        return [
            f"  {c.contribution:+9.4f} = {c.value:.4f} × {c.weight:+.4f}  {_name(c.feature)}"
            for c in items
        ]

    lines = [
        f"{exp.task} of record {exp.record_id!r} (line {exp.line}): {exp.predicted} "
        f"(p={exp.probabilities[exp.predicted]:.3f})",
        "contribution = feature value × class weight; score = sum + intercept",
        "",
        heading(exp.predicted),
        *detail(exp.predicted),
    ]
    others = sorted(
        (c for c in exp.scores if c != exp.predicted), key=lambda c: -exp.probabilities.get(c, 0)
    )
    if all_classes:
        for label in others:
            lines += ["", heading(label), *detail(label)]
    elif others:
        lines += ["", "other classes (--all-classes for their features):"]
        lines += [heading(label) for label in others]
    return "\n".join(lines) + "\n"
