"""NewsClassifier: the trained topic and stance heads behind one API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, overload

import numpy as np

from newsclf.artifacts import load_models, save_models
from newsclf.data.records import Record, has_no_surrogates, records_from_dicts
from newsclf.errors import DataError
from newsclf.pipeline import TaskModel

__all__ = ["NewsClassifier", "load"]


def _plain_texts(X: Any, targets: Any, *, needs_target: bool) -> list[str] | None:
    """``X`` as a list when it is plain, valid texts (and targets), else None (the Record path).

    Valid means what the Record path would accept without an error: non-empty strings with no
    unpaired surrogate, and a non-empty string target per text when a stance head needs one.
    """
    if isinstance(X, str) or not isinstance(X, Sequence):
        return None
    texts = list(X)
    if not all(type(x) is str and x and has_no_surrogates(x) for x in texts):
        return None
    if targets is None:
        return None if needs_target and texts else texts
    if isinstance(targets, str) or len(targets) != len(texts):
        return None
    if not all(type(t) is str and t and has_no_surrogates(t) for t in targets):
        return None
    return texts


class NewsClassifier:
    """Trained topic and/or stance classifiers; load one with :func:`newsclf.load`.

    ``predict`` and ``predict_proba`` accept a list of texts (with ``targets`` for stance), or
    a list of records (dicts such as ``{"text": ..., "target": ..., "title": ...}`` or
    :class:`~newsclf.data.Record`). Without ``task`` they answer for every head, as a dict;
    with ``task="topic"`` they return that head's array, as a scikit-learn classifier would,
    so the result goes straight into ``sklearn.metrics``.

    Attributes
    ----------
    classes_ : dict of str to ndarray
        Per task, the labels in the order of the probability columns.

    See Also
    --------
    estimator : the fitted scikit-learn Pipeline of one task.
    score : accuracy against gold labels, per task.
    """

    def __init__(self, models: Mapping[str, TaskModel], manifest: dict[str, Any] | None = None):
        self.models = dict(models)
        self.manifest = manifest or {}

    @property
    def tasks(self) -> list[str]:
        return list(self.models)

    @property
    def labels(self) -> dict[str, list[str]]:
        """Label order of each task's probability columns."""
        return {task: m.labels for task, m in self.models.items()}

    @property
    def classes_(self) -> dict[str, np.ndarray]:
        """Per task, the labels in the order of the probability columns."""
        return {task: np.asarray(m.labels, dtype=object) for task, m in self.models.items()}

    def __repr__(self) -> str:
        heads = ", ".join(f"{t}: {len(m.labels)} labels" for t, m in self.models.items())
        return f"NewsClassifier({heads})"

    def _model(self, task: str) -> TaskModel:
        if task not in self.models:
            raise DataError(
                f"the model has no {task!r} head; it has {self.tasks}",
                hint=f"pass task= one of {self.tasks}",
            )
        return self.models[task]

    def _head(self, task: str) -> NewsClassifier:
        """This classifier with only the ``task`` head (its checks ask only what it needs)."""
        return NewsClassifier({task: self._model(task)}, self.manifest)

    def estimator(self, task: str) -> Any:
        """The fitted scikit-learn ``Pipeline`` (``features`` -> ``model``) of ``task``.

        It reads what :meth:`inputs` returns; ``sklearn.base.clone`` gives an unfitted copy
        with the same parameters (e.g. for ``cross_val_score``).
        """
        return self._model(task).pipeline

    def inputs(self, X: Any, task: str, targets: Sequence[str] | None = None) -> list[Any]:
        """What the ``task`` pipeline reads for ``X``: document strings (title and text), or
        ``(document, target)`` pairs for stance."""
        model = self._model(task)
        return model.inputs(self._head(task)._records(X, targets))

    def _records(
        self, X: Any, targets: Sequence[str] | None, *, require_targets: bool = True
    ) -> list[Record]:
        if isinstance(X, str):
            raise DataError(
                "expected a list of texts or records, got a single string",
                hint="wrap it in a list: predict([text])",
            )
        items = list(X)
        if items and all(isinstance(x, Record) for x in items):
            records = items
        elif all(isinstance(x, Mapping) for x in items):
            records = records_from_dicts([dict(x) for x in items])
        elif all(isinstance(x, str) for x in items):
            records = records_from_dicts([{"text": x} for x in items])
        else:
            raise DataError("expected texts (str) or records (dicts), not a mix of types")
        if targets is not None:
            targets = list(targets)
            if len(targets) != len(records):
                raise DataError(f"{len(records)} texts but {len(targets)} targets")
            records = [replace(r, target=t) for r, t in zip(records, targets, strict=True)]
        for r in records:
            if not isinstance(r.text, str):
                raise DataError("missing or non-string text", line=r.line, field="text")
            if require_targets and "stance" in self.models and not r.target:
                raise DataError(
                    "the stance model needs a target for every text",
                    line=r.line,
                    field="target",
                    hint="pass targets=[...] or records with a 'target' field",
                )
        return records

    @overload
    def predict_proba(
        self, X: Any, targets: Sequence[str] | None = None, *, task: None = None
    ) -> dict[str, np.ndarray]: ...
    @overload
    def predict_proba(
        self, X: Any, targets: Sequence[str] | None = None, *, task: str
    ) -> np.ndarray: ...
    def predict_proba(
        self, X: Any, targets: Sequence[str] | None = None, *, task: str | None = None
    ) -> dict[str, np.ndarray] | np.ndarray:
        """Per task, an ``(n, n_labels)`` array of probabilities in the order of ``labels``.

        With ``task``, only that head's array (columns in the order of ``classes_[task]``).
        """
        if task is not None:
            return self._head(task).predict_proba(X, targets)[task]
        texts = _plain_texts(X, targets, needs_target="stance" in self.models)
        if texts is not None:  # fast path: the same checks and inputs, no Record objects
            if not texts:
                return self._proba([])
            pairs = None if targets is None else list(zip(texts, targets, strict=True))
            return {
                t: m.pipeline.predict_proba(texts if m.input == "text" else pairs)
                for t, m in self.models.items()
            }
        records = self._records(X, targets)
        return self._proba(records)

    def _proba(self, records: list[Record]) -> dict[str, np.ndarray]:
        if not records:
            return {t: np.zeros((0, len(m.labels))) for t, m in self.models.items()}
        return {t: m.pipeline.predict_proba(m.inputs(records)) for t, m in self.models.items()}

    @overload
    def predict(
        self, X: Any, targets: Sequence[str] | None = None, *, task: None = None
    ) -> dict[str, np.ndarray]: ...
    @overload
    def predict(self, X: Any, targets: Sequence[str] | None = None, *, task: str) -> np.ndarray: ...
    def predict(
        self, X: Any, targets: Sequence[str] | None = None, *, task: str | None = None
    ) -> dict[str, np.ndarray] | np.ndarray:
        """Per task, the most probable label of each input; with ``task``, that head's array."""
        if task is not None:
            return self._head(task).predict(X, targets)[task]
        proba = self.predict_proba(X, targets)
        return {
            t: np.asarray(self.labels[t], dtype=object)[p.argmax(axis=1)]
            if len(p)
            else np.asarray([], dtype=object)
            for t, p in proba.items()
        }

    @overload
    def score(
        self,
        X: Any,
        y: None = None,
        *,
        targets: Sequence[str] | None = None,
        task: None = None,
    ) -> dict[str, float]: ...
    @overload
    def score(
        self,
        X: Any,
        y: Sequence[str] | None = None,
        *,
        targets: Sequence[str] | None = None,
        task: str,
    ) -> float: ...
    def score(
        self,
        X: Any,
        y: Sequence[str] | None = None,
        *,
        targets: Sequence[str] | None = None,
        task: str | None = None,
    ) -> dict[str, float] | float:
        """Accuracy of the predictions, as scikit-learn's ``score``.

        With ``task``: a float, against ``y`` or else the records' own ``task`` labels. Without:
        ``{task: accuracy}`` for every head whose gold labels all records carry.
        """
        from sklearn.metrics import accuracy_score

        if task is not None:
            head = self._head(task)
            if y is None:
                records = head._records(X, targets)
                y = [r.label(task) for r in records]
                if any(label is None for label in y):
                    raise DataError(
                        f"records without a gold {task!r} label",
                        field=task,
                        hint=f"pass y=[...] or records with a '{task}' field",
                    )
                X, targets = records, None
            return float(accuracy_score(list(y), head.predict(X, targets)[task]))
        if y is not None:
            raise DataError(
                "y given but not the task it labels", hint=f"pass task= one of {self.tasks}"
            )
        records = self._records(X, targets, require_targets=False)
        labelled = [t for t in self.tasks if records and all(r.label(t) for r in records)]
        if not labelled:
            raise DataError(
                f"no task has a gold label on every record (tasks: {self.tasks})",
                hint="pass records with the label fields, or task= and y=",
            )
        return {t: self.score(records, task=t) for t in labelled}

    def predict_records(
        self, records: Sequence[Record], tasks: Sequence[str] | None = None
    ) -> list[dict[str, Any]]:
        """One output dict per record, in order: ``id``, then label and scores for each task.

        ``tasks`` limits the heads used (e.g. scoring topic on records without a ``target``).
        """
        if tasks is not None and list(tasks) != self.tasks:
            unknown = sorted(set(tasks) - set(self.models))
            if unknown:
                raise DataError(f"the model has no {unknown} head(s); it has {self.tasks}")
            heads = {task: self.models[task] for task in tasks}
            return NewsClassifier(heads, self.manifest).predict_records(records)
        records = self._records(records, None)
        proba = self._proba(records)
        out = []
        for i, r in enumerate(records):
            row: dict[str, Any] = {"id": r.id}
            for task, p in proba.items():
                labels = self.labels[task]
                row[task] = labels[int(p[i].argmax())]
                row[f"{task}_scores"] = {
                    label: round(float(s), 6) for label, s in zip(labels, p[i], strict=True)
                }
            out.append(row)
        return out

    def save(self, path: str | Path, **info: Any) -> Path:
        """Save as an artifact directory (see :func:`newsclf.artifacts.save_models`)."""
        return save_models(self.models, path, **info)


def load(
    path: str | Path, *, allow_version_mismatch: bool = False, trusted: list[str] | None = None
) -> NewsClassifier:
    """Load a saved classifier after checking its manifest, checksums and versions.

    ``trusted`` names extra types a ``skops`` artifact may rebuild (beyond those skops trusts
    by default and :data:`newsclf.artifacts.TRUSTED_TYPES`); joblib artifacts are pickles and
    must come from a trusted source.
    """
    models, manifest = load_models(
        path, allow_version_mismatch=allow_version_mismatch, trusted=trusted
    )
    return NewsClassifier(models, manifest)
