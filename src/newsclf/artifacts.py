"""Save and load trained classifiers as artifact directories.

``manifest.json`` records the format version, library versions, tasks, config, metrics and the
sha256 of every other file. Loading checks all of it *before* unpickling anything, and saving
goes through a temporary directory renamed into place, so an interrupted save leaves nothing
that looks like a model.

Two serialisations: ``joblib`` (pickle; fast, the default for your own runs) and ``skops``
(for models from other people: loading only rebuilds types that pass skops' trusted-types check,
so opening the file cannot run arbitrary code).
"""

from __future__ import annotations

import json
import platform
import sys
import warnings
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import numpy as np
import scipy
import sklearn

from newsclf.compat import MOVED_TYPES
from newsclf.errors import ArtifactError
from newsclf.pipeline import TaskModel
from newsclf.utils.atomic import atomic_dir
from newsclf.utils.coef_layout import row_major_coefs, stored_column_major
from newsclf.utils.hashing import file_sha256

__all__ = [
    "FORMAT_VERSION",
    "MANIFEST",
    "SERIALIZATIONS",
    "TRUSTED_TYPES",
    "export_artifact",
    "library_versions",
    "load_models",
    "read_manifest",
    "save_models",
]

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SERIALIZATIONS = ("joblib", "skops")
#: The types newsclf's own skops artifacts hold beyond those skops trusts by default, by full
#: name: found by saving the fitted pipelines of every features, model and target_aware option in
#: conf/ (and the streaming trainer's); tests/test_trusted_types.py fails when a config yields a
#: type missing here. Any other type in a skops file is refused unless the caller trusts it.
TRUSTED_TYPES: tuple[str, ...] = (
    "newsclf.features.embed.PairEmbedding",
    "newsclf.features.embed.TextEmbedding",
    "newsclf.features.hashed_ngrams.HashingTextVectorizer",
    "newsclf.features.hashed_tfidf.HashedTfidfVectorizer",
    "newsclf.features.headline_body.HeadlineBodyFeatures",
    "newsclf.features.headline_body._terms_as_is",
    "newsclf.features.news_posts.NewsPostVectorizer",
    "newsclf.features.pair.PairSimilarity",
    "newsclf.features.pair.PairVectorizer",
    "newsclf.features.pair._terms_as_is",
    "newsclf.features.target.TargetCrossedFeatures",
    "newsclf.features.target.TargetMentionFeatures",
    "newsclf.features.text.TextVectorizer",
    "newsclf.models.softmax.SoftmaxDecisionClassifier",
    "newsclf.models.stance_blend.DenseSparseBlendClassifier",
    "newsclf.models.target_aware.PerTargetClassifier",
    "newsclf.models.thread_blend.ThreadBlendClassifier",
    "newsclf.models.two_stage.RelatedThenStanceClassifier",
    "newsclf.text.normalize.normalize_text",
    "newsclf.text.tokenize.WordAnalyzer",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.calibration._TemperatureScaling",
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
)


def library_versions() -> dict[str, str]:
    from newsclf import __version__

    return {
        "newsclf": __version__,
        "scikit-learn": sklearn.__version__,
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "python": platform.python_version(),
    }


def save_models(
    models: Mapping[str, TaskModel],
    path: str | Path,
    *,
    config: dict[str, Any] | None = None,
    metrics: dict[str, Any] | None = None,
    data_fingerprint: str | None = None,
    serialization: str = "joblib",
    created: str | None = None,
) -> Path:
    """Write the task ``models`` to the directory ``path`` (which must not exist yet)."""
    if serialization not in SERIALIZATIONS:
        raise ArtifactError(
            f"unknown serialization {serialization!r}",
            path=path,
            hint=f"use one of: {', '.join(SERIALIZATIONS)}",
        )
    path = Path(path).absolute()
    if path.exists():
        raise ArtifactError(
            "already exists; refusing to overwrite",
            path=path,
            hint="choose a new directory or remove the old one",
        )
    with atomic_dir(path) as tmp:
        tasks = {}
        for task, model in models.items():
            name = f"{task}.{serialization}"
            # stored as prediction reads them (a model mapped with mmap=True is then not copied)
            with stored_column_major([model.pipeline]):
                _dump(model.pipeline, tmp / name, serialization)
            tasks[task] = {
                "file": name,
                "labels": model.labels,
                "input": model.input,
                "include_title": model.include_title,
            }
        manifest = {
            "format": "newsclf-artifact",
            "format_version": FORMAT_VERSION,
            "created": created or datetime.now(UTC).isoformat(timespec="seconds"),
            "serialization": serialization,
            "versions": library_versions(),
            "tasks": tasks,
            "config": config or {},
            "data_fingerprint": data_fingerprint,
            "metrics": metrics or {},
            "files": {t["file"]: file_sha256(tmp / t["file"]) for t in tasks.values()},
        }
        # the manifest is written last: without it the directory is not an artifact
        (tmp / MANIFEST).write_text(
            json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return path


def _dump(pipeline: Any, file: Path, serialization: str) -> None:
    if serialization == "skops":
        import skops.io

        skops.io.dump(pipeline, file)
    else:
        joblib.dump(pipeline, file)


def _load_skops(file: Path, trusted: list[str]) -> Any:
    """Rebuild a pipeline only if every type in the file is trusted; else say which are not."""
    import skops.io

    try:
        found = skops.io.get_untrusted_types(file=file)
    except Exception as exc:  # not a zip, bad schema, ...
        raise ArtifactError(
            f"not a readable skops file ({type(exc).__name__}: {exc})", path=file
        ) from None
    untrusted = [
        t for t in found if t not in TRUSTED_TYPES and t not in MOVED_TYPES and t not in trusted
    ]
    if untrusted:
        raise ArtifactError(
            f"refusing to load types that are not trusted: {', '.join(untrusted)}",
            path=file,
            hint="load it only if you trust where it came from: pass "
            "trusted=[...] (newsclf predict --trust TYPE) with the types listed",
        )
    return skops.io.load(file, trusted=found)


def read_manifest(path: Path) -> dict[str, Any]:
    """The checked manifest of the model directory ``path`` (without loading the models)."""
    if not path.exists():
        raise ArtifactError(
            "no such model directory",
            path=path,
            hint="pass the 'model' directory of a training run (RUN_DIR/model)",
        )
    manifest_path = path / MANIFEST
    if not manifest_path.is_file():
        raise ArtifactError(
            f"no {MANIFEST}: not a newsclf model (or an interrupted save)",
            path=path,
            hint="pass the 'model' directory of a finished training run",
        )
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"unreadable manifest ({exc})", path=manifest_path) from None
    required = ("format_version", "versions", "tasks", "files")
    if not isinstance(manifest, dict) or any(k not in manifest for k in required):
        raise ArtifactError("incomplete manifest (missing keys)", path=manifest_path)
    version = manifest["format_version"]
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ArtifactError(
            f"artifact format {version!r} is newer than this newsclf reads ({FORMAT_VERSION})",
            path=manifest_path,
            hint="upgrade newsclf (pip install -U newsclf)",
        )
    return manifest


def _check_files(path: Path, manifest: dict[str, Any]) -> None:
    files = manifest["files"]
    for task, spec in manifest["tasks"].items():
        if spec.get("file") not in files:
            raise ArtifactError(f"task {task!r} has no checksum in the manifest", path=path)
    for name, expected in files.items():
        if Path(name).name != name:
            raise ArtifactError(f"manifest names a file outside the artifact: {name!r}", path=path)
        file = path / name
        if not file.is_file():
            raise ArtifactError("file listed in the manifest is missing", path=file)
        if file_sha256(file) != expected:
            raise ArtifactError(
                "checksum mismatch: the file changed after the model was saved",
                path=file,
                hint="re-train or re-copy the artifact; never load a model you cannot verify",
            )


def _check_versions(path: Path, manifest: dict[str, Any], allow_version_mismatch: bool) -> None:
    saved = manifest["versions"].get("scikit-learn", "?")
    now = sklearn.__version__
    if saved == now:
        return
    same_minor = saved.split(".")[:2] == now.split(".")[:2]
    message = f"saved with scikit-learn {saved}, loading with {now}"
    if same_minor or allow_version_mismatch:
        warnings.warn(f"{path}: {message}; predictions may differ slightly", stacklevel=3)
        return
    raise ArtifactError(
        message + "; models are not guaranteed to behave the same across minor versions",
        path=path,
        hint=f"install scikit-learn=={saved} to use it, re-train it, or pass "
        "allow_version_mismatch=True (--allow-version-mismatch) to load anyway",
    )


def load_models(
    path: str | Path,
    *,
    allow_version_mismatch: bool = False,
    trusted: list[str] | None = None,
    mmap: bool = False,
) -> tuple[dict[str, TaskModel], dict[str, Any]]:
    """The task models and the manifest of an artifact directory, after checking its
    manifest, checksums and versions (:func:`newsclf.load` wraps them in a classifier).

    ``trusted`` names extra types a ``skops`` artifact may rebuild (beyond those skops trusts
    by default and :data:`TRUSTED_TYPES`); joblib artifacts are pickles and must come from a
    trusted source. ``mmap``: map a joblib artifact's arrays read-only from the file (see
    :func:`newsclf.load`); skops artifacts are always read into memory.
    """
    path = Path(path).expanduser().absolute()
    manifest = read_manifest(path)
    serialization = manifest.get("serialization", "joblib")
    if serialization not in SERIALIZATIONS:
        raise ArtifactError(
            f"unknown serialization {serialization!r}",
            path=path / MANIFEST,
            hint="upgrade newsclf (pip install -U newsclf)",
        )
    _check_files(path, manifest)
    _check_versions(path, manifest, allow_version_mismatch)
    models = {}
    with warnings.catch_warnings():
        if not allow_version_mismatch:
            warnings.simplefilter("error", sklearn.exceptions.InconsistentVersionWarning)
        for task, spec in manifest["tasks"].items():
            try:
                if serialization == "skops":
                    pipeline = _load_skops(path / spec["file"], list(trusted or []))
                else:
                    pipeline = joblib.load(path / spec["file"], mmap_mode="r" if mmap else None)
                if not mmap:  # in memory: the layout partial_fit needs (saved column-major)
                    row_major_coefs([pipeline])
            except ArtifactError:
                raise
            except sklearn.exceptions.InconsistentVersionWarning as exc:
                raise ArtifactError(str(exc), path=path / spec["file"]) from None
            except Exception as exc:  # corrupt pickles raise many types
                raise ArtifactError(
                    f"cannot unpickle ({type(exc).__name__}: {exc})", path=path / spec["file"]
                ) from None
            models[task] = TaskModel(
                pipeline=pipeline,
                input=spec.get("input", "text"),
                include_title=bool(spec.get("include_title", True)),
            )
    if sys.version_info[:2] != tuple(
        int(x) for x in manifest["versions"].get("python", "0.0").split(".")[:2]
    ):
        warnings.warn(
            f"{path}: saved with Python {manifest['versions'].get('python')}", stacklevel=2
        )
    return models, manifest


def export_artifact(
    source: str | Path,
    dest: str | Path,
    *,
    serialization: str = "skops",
    allow_version_mismatch: bool = False,
) -> Path:
    """Verify the artifact ``source`` and write it to ``dest`` with another serialization.

    The manifest (config, metrics, data fingerprint, creation time) is carried over.
    """
    models, manifest = load_models(source, allow_version_mismatch=allow_version_mismatch)
    return save_models(
        models,
        dest,
        config=manifest.get("config"),
        metrics=manifest.get("metrics"),
        data_fingerprint=manifest.get("data_fingerprint"),
        serialization=serialization,
        created=manifest.get("created"),
    )
