"""A saved model named by its path, loaded where the shards are predicted (Dask workers).

On a cluster the client does not unpickle the model to send it: it reads the manifest (what the
run's fingerprint and the log need) and sends each task this small reference. A worker loads the
model from the path once (the first of its tasks; later ones reuse it) with the checks of
:func:`newsclf.load` (checksums, versions, trusted types) in its own environment, and refuses a
model whose manifest is not the one the client read. Measured (experiments/RESULTS.md,
bench_cluster): unpickling 20ng_fast's 176 MB model in the client and sending it cost ~1.7 s of
a 6 s two-worker run, serial before any shard started. Workers read the inputs and write the
outputs by path already, so the model's path is on the same shared file system. A worker maps
the model's arrays read-only from the file (``newsclf.load(..., mmap=True)``): the workers of
one machine then read one copy of the weights (models are saved in the layout prediction
uses, so nothing is copied; two workers predicted 40k posts ~8% faster than with a private
copy each, bench_cluster in RESULTS.md).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from newsclf.errors import ArtifactError

__all__ = ["ModelSource", "forget_loaded"]

#: the manifest file of a model directory (newsclf.artifacts.MANIFEST; not imported from there:
#: that module imports scikit-learn, which a client that only sends tasks does not need)
_MANIFEST = "manifest.json"
_REQUIRED = ("format_version", "versions", "tasks", "files")

_LOCK = threading.Lock()
#: the model this process loaded last (one: a worker serves one run at a time)
_LOADED: dict[ModelSource, Any] = {}


@dataclass(frozen=True)
class ModelSource:
    """A model directory and how to load it; small and picklable (sent with every task)."""

    path: str
    manifest_text: str
    allow_version_mismatch: bool = False
    trusted: tuple[str, ...] = ()

    #: :meth:`newsclf.cluster.DaskEngine.map_shards` sends it with each task instead of
    #: scattering it (a few hundred bytes; no replica a lost worker could take with it)
    send_with_tasks: ClassVar[bool] = True

    @classmethod
    def open(
        cls,
        path: str | Path,
        *,
        allow_version_mismatch: bool = False,
        trusted: list[str] | None = None,
    ) -> ModelSource:
        """The model at ``path`` after reading its manifest (an unreadable one raises the
        :class:`ArtifactError` of :func:`newsclf.artifacts.read_manifest`)."""
        folder = Path(path).expanduser().absolute()
        try:
            text = (folder / _MANIFEST).read_text(encoding="utf-8")
            manifest = json.loads(text)
            ok = isinstance(manifest, dict) and all(k in manifest for k in _REQUIRED)
        except (OSError, ValueError):
            ok = False
        if not ok:
            from newsclf.artifacts import read_manifest

            read_manifest(folder)  # raises, saying what is wrong
            raise ArtifactError("unreadable manifest", path=folder / _MANIFEST)
        return cls(str(folder), text, allow_version_mismatch, tuple(trusted or ()))

    @property
    def manifest(self) -> dict[str, Any]:
        """The manifest as the client read it."""
        return json.loads(self.manifest_text)

    @property
    def tasks(self) -> list[str]:
        """The model's tasks, in the manifest's order (as :attr:`NewsClassifier.tasks`)."""
        return list(self.manifest["tasks"])

    def load(self) -> Any:
        """The :class:`~newsclf.classifier.NewsClassifier`, loaded once per process."""
        with _LOCK:
            clf = _LOADED.get(self)
            if clf is None:
                from newsclf.classifier import load

                clf = load(
                    self.path,
                    allow_version_mismatch=self.allow_version_mismatch,
                    trusted=list(self.trusted) or None,
                    # weights mapped from the file: the workers of one machine share one copy
                    mmap=True,
                )
                if clf.manifest != self.manifest:
                    raise ArtifactError(
                        "the model changed after the run started (its manifest differs)",
                        path=self.path,
                        hint="run again; do not overwrite a model while a run uses it",
                    )
                _LOADED.clear()
                _LOADED[self] = clf
            return clf


def forget_loaded() -> None:
    """Drop the model :meth:`ModelSource.load` keeps (run on the workers when a run ends)."""
    with _LOCK:
        _LOADED.clear()
