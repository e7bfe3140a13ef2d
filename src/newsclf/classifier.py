"""NewsClassifier: the trained topic and stance heads behind one API."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, overload

import numpy as np

from newsclf.artifacts import load_models, save_models
from newsclf.data.records import Record, has_no_surrogates, records_from_dicts
from newsclf.data.tabular import as_rows, check_output, result_frame
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

    ``predict``, ``predict_proba``, ``predict_records`` and ``score`` accept a pandas DataFrame
    or a pyarrow Table (one row per record, the columns are its fields: ``text``, ``title``,
    ``target``, ...), a list of records (dicts or :class:`~newsclf.data.Record`) or a list of
    texts (with ``targets`` for stance); anything else raises ``TypeError``. Without ``task``
    they answer for every head, as a dict; with ``task="topic"`` they return that head's array,
    as a scikit-learn classifier would, so the result goes straight into ``sklearn.metrics``.
    With ``output="pandas"`` (or after ``set_output(transform="pandas")``) they return a
    DataFrame instead: per task the label column (``topic``) and one probability column per
    label (``topic_score_economy``), on the input frame's index.

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
        self._output = "default"

    def set_output(self, *, transform: str | None = None) -> NewsClassifier:
        """What the predict methods return when not given ``output=``, as scikit-learn's
        ``set_output``: ``"pandas"`` (DataFrames) or ``"default"`` (arrays and dicts); None
        leaves it unchanged. Returns the classifier."""
        if transform is not None:
            self._output = check_output(transform, key="transform")
        return self

    def _output_kind(self, output: str | None) -> str:
        return self._output if output is None else check_output(output)

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
        return model.inputs(self._head(task)._records(as_rows(X).items, targets))

    def _records(
        self, items: list[Any], targets: Sequence[str] | None, *, require_targets: bool = True
    ) -> list[Record]:
        """Records of ``items`` (what :func:`~newsclf.data.tabular.as_rows` returned)."""
        if items and all(isinstance(x, Record) for x in items):
            records = items
        elif all(isinstance(x, str) for x in items):
            records = records_from_dicts([{"text": x} for x in items])
        else:
            records = records_from_dicts([dict(x) for x in items])
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
        self,
        X: Any,
        targets: Sequence[str] | None = None,
        *,
        task: None = None,
        output: None = None,
    ) -> dict[str, np.ndarray]: ...
    @overload
    def predict_proba(
        self, X: Any, targets: Sequence[str] | None = None, *, task: str, output: None = None
    ) -> np.ndarray: ...
    @overload
    def predict_proba(
        self, X: Any, targets: Sequence[str] | None = None, *, task: str | None = None, output: str
    ) -> Any: ...
    def predict_proba(
        self,
        X: Any,
        targets: Sequence[str] | None = None,
        *,
        task: str | None = None,
        output: str | None = None,
    ) -> Any:
        """Per task, an ``(n, n_labels)`` array of probabilities in the order of ``labels``.

        With ``task``, only that head's array (columns in the order of ``classes_[task]``).
        With ``output="pandas"``, a DataFrame of the ``{task}_score_{label}`` columns.
        """
        kind = self._output_kind(output)
        rows = as_rows(X)
        clf = self if task is None else self._head(task)
        proba = clf._proba_of(rows.items, targets)
        if kind == "pandas":
            return result_frame(clf.labels, proba, rows.index, with_labels=False)
        return proba if task is None else proba[task]

    def _proba_of(self, items: list[Any], targets: Sequence[str] | None) -> dict[str, np.ndarray]:
        if targets is not None:
            targets = list(targets)
        texts = _plain_texts(items, targets, needs_target="stance" in self.models)
        if texts is not None:  # fast path: the same checks and inputs, no Record objects
            if not texts:
                return self._proba([])
            pairs = None if targets is None else list(zip(texts, targets, strict=True))
            return {
                t: m.pipeline.predict_proba(texts if m.input == "text" else pairs)
                for t, m in self.models.items()
            }
        return self._proba(self._records(items, targets))

    def _proba(self, records: list[Record]) -> dict[str, np.ndarray]:
        if not records:
            return {t: np.zeros((0, len(m.labels))) for t, m in self.models.items()}
        return {t: m.pipeline.predict_proba(m.inputs(records)) for t, m in self.models.items()}

    def _labels_of(self, proba: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        return {
            t: np.asarray(self.labels[t], dtype=object)[p.argmax(axis=1)]
            if len(p)
            else np.asarray([], dtype=object)
            for t, p in proba.items()
        }

    @overload
    def predict(
        self,
        X: Any,
        targets: Sequence[str] | None = None,
        *,
        task: None = None,
        output: None = None,
    ) -> dict[str, np.ndarray]: ...
    @overload
    def predict(
        self, X: Any, targets: Sequence[str] | None = None, *, task: str, output: None = None
    ) -> np.ndarray: ...
    @overload
    def predict(
        self, X: Any, targets: Sequence[str] | None = None, *, task: str | None = None, output: str
    ) -> Any: ...
    def predict(
        self,
        X: Any,
        targets: Sequence[str] | None = None,
        *,
        task: str | None = None,
        output: str | None = None,
    ) -> Any:
        """Per task, the most probable label of each input; with ``task``, that head's array.

        With ``output="pandas"``, a DataFrame: per task the label column and the
        ``{task}_score_{label}`` probability columns, on the input frame's index.
        """
        kind = self._output_kind(output)
        rows = as_rows(X)
        clf = self if task is None else self._head(task)
        proba = clf._proba_of(rows.items, targets)
        if kind == "pandas":
            return result_frame(clf.labels, proba, rows.index)
        labels = clf._labels_of(proba)
        return labels if task is None else labels[task]

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

        With ``task``: a float, against ``y`` or else the records' own ``task`` labels (a
        frame's ``task`` column). Without: ``{task: accuracy}`` for every head whose gold
        labels all records carry.
        """
        from sklearn.metrics import accuracy_score

        items = as_rows(X).items
        if task is not None:
            head = self._head(task)
            if y is None:
                records = head._records(items, targets)
                y = [r.label(task) for r in records]
                if any(label is None for label in y):
                    raise DataError(
                        f"records without a gold {task!r} label",
                        field=task,
                        hint=f"pass y=[...] or records with a '{task}' field",
                    )
                items, targets = records, None
            predicted = head._labels_of(head._proba_of(items, targets))[task]
            return float(accuracy_score(list(y), predicted))
        if y is not None:
            raise DataError(
                "y given but not the task it labels", hint=f"pass task= one of {self.tasks}"
            )
        records = self._records(items, targets, require_targets=False)
        labelled = [t for t in self.tasks if records and all(r.label(t) for r in records)]
        if not labelled:
            raise DataError(
                f"no task has a gold label on every record (tasks: {self.tasks})",
                hint="pass records with the label fields, or task= and y=",
            )
        return {t: self.score(records, task=t) for t in labelled}

    def predict_records(
        self,
        records: Any,
        tasks: Sequence[str] | None = None,
        *,
        output: str | None = None,
    ) -> Any:
        """One output dict per record, in order: ``id``, then label and scores for each task.

        ``tasks`` limits the heads used (e.g. scoring topic on records without a ``target``).
        With ``output="pandas"``, a DataFrame: ``id``, then per task the label column and the
        ``{task}_score_{label}`` columns, on the input frame's index.
        """
        kind = self._output_kind(output)
        if tasks is not None and list(tasks) != self.tasks:
            unknown = sorted(set(tasks) - set(self.models))
            if unknown:
                raise DataError(f"the model has no {unknown} head(s); it has {self.tasks}")
            heads = {task: self.models[task] for task in tasks}
            return NewsClassifier(heads, self.manifest).predict_records(records, output=kind)
        rows = as_rows(records, name="records")
        records = self._records(rows.items, None)
        proba = self._proba(records)
        if kind == "pandas":
            return result_frame(self.labels, proba, rows.index, ids=[r.id for r in records])
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
    path: str | Path,
    *,
    allow_version_mismatch: bool = False,
    trusted: list[str] | None = None,
    mmap: bool = False,
) -> NewsClassifier:
    """Load a saved classifier after checking its manifest, checksums and versions.

    ``trusted`` names extra types a ``skops`` artifact may rebuild (beyond those skops trusts
    by default and :data:`newsclf.artifacts.TRUSTED_TYPES`); joblib artifacts are pickles and
    must come from a trusted source. ``mmap=True`` maps the large arrays of a joblib artifact
    read-only from the file (joblib's ``mmap_mode="r"``) instead of copying them: the model
    loads faster and the processes of one machine that load it share one copy of its weights
    (``newsclf predict`` and its Dask workers do); such a model predicts, it cannot be
    refitted in place.
    """
    models, manifest = load_models(
        path, allow_version_mismatch=allow_version_mismatch, trusted=trusted, mmap=mmap
    )
    return NewsClassifier(models, manifest)
