"""Artifacts: round trip, checksums, versions and atomic saves."""

from __future__ import annotations

import json
from pathlib import Path

import joblib
import numpy as np
import pytest
import sklearn
from conftest import TINY_TARGETS as TARGETS
from conftest import TINY_TEXTS as TEXTS
from conftest import reachable_arrays

import newsclf
from newsclf import artifacts
from newsclf.classifier import NewsClassifier
from newsclf.errors import ArtifactError


@pytest.fixture
def classifier(tiny_classifier: NewsClassifier) -> NewsClassifier:
    return tiny_classifier


@pytest.fixture
def saved(classifier: NewsClassifier, tmp_path: Path) -> Path:
    return classifier.save(tmp_path / "model", config={"seed": 1}, metrics={"x": 1})


def test_round_trip_gives_identical_probabilities(classifier, saved: Path) -> None:
    loaded = newsclf.load(saved)
    before = classifier.predict_proba(TEXTS, targets=TARGETS)
    after = loaded.predict_proba(TEXTS, targets=TARGETS)
    for task in before:
        assert (before[task] == after[task]).all()
    assert loaded.labels == classifier.labels


def test_mmap_load_maps_the_weights_read_only_and_predicts_the_same(
    classifier, saved: Path
) -> None:
    mapped = newsclf.load(saved, mmap=True)
    arrays = [a for task in mapped.models.values() for a in reachable_arrays(task.pipeline)]
    maps = [a for a in arrays if isinstance(a, np.memmap)]
    assert maps and not any(a.flags.writeable for a in maps)
    assert not any(isinstance(a, np.memmap) for a in reachable_arrays(newsclf.load(saved).models))
    before = classifier.predict_proba(TEXTS, targets=TARGETS)
    after = mapped.predict_proba(TEXTS, targets=TARGETS)
    for task in before:
        assert (before[task] == after[task]).all()


def test_weights_are_saved_column_major_so_a_mapped_model_is_not_copied_to_predict(
    classifier, tmp_path: Path
) -> None:
    stance = classifier.estimator("stance").named_steps["model"]
    stance.coef_ = np.ascontiguousarray(stance.coef_)  # as SGDClassifier and LinearSVC fit it
    before = classifier.predict_proba(TEXTS, targets=TARGETS)
    mapped = newsclf.load(classifier.save(tmp_path / "model"), mmap=True)
    # streaming prediction wants coef_ column-major (archive.predict): stored so, the mapped
    # weights are used as they are instead of being copied into each process
    coef = mapped.estimator("stance").named_steps["model"].coef_
    assert coef.shape[0] > 1 and isinstance(coef, np.memmap) and coef.flags.f_contiguous
    after = mapped.predict_proba(TEXTS, targets=TARGETS)
    for task in before:
        assert (before[task] == after[task]).all()
    # saving leaves the caller's model alone, and a model loaded into memory is row-major
    # again: SGDClassifier.partial_fit refuses a column-major coef_
    assert stance.coef_.flags.c_contiguous
    loaded = newsclf.load(tmp_path / "model").estimator("stance").named_steps["model"]
    assert loaded.coef_.flags.c_contiguous and not isinstance(loaded.coef_, np.memmap)


def test_manifest_records_versions_tasks_and_checksums(saved: Path) -> None:
    manifest = json.loads((saved / "manifest.json").read_text())
    assert manifest["format_version"] == artifacts.FORMAT_VERSION
    assert {"newsclf", "scikit-learn", "numpy", "scipy", "python"} <= set(manifest["versions"])
    assert manifest["tasks"]["stance"]["input"] == "pair"
    assert set(manifest["files"]) == {"topic.joblib", "stance.joblib"}


def test_changed_byte_is_refused_naming_the_file(saved: Path) -> None:
    path = saved / "topic.joblib"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match=r"topic\.joblib: checksum mismatch"):
        newsclf.load(saved)


def test_missing_file_is_refused(saved: Path) -> None:
    (saved / "stance.joblib").unlink()
    with pytest.raises(ArtifactError, match=r"stance\.joblib: file listed in the manifest"):
        newsclf.load(saved)


def test_truncated_manifest_is_refused(saved: Path) -> None:
    manifest = saved / "manifest.json"
    manifest.write_text(manifest.read_text()[:40])
    with pytest.raises(ArtifactError, match="unreadable manifest"):
        newsclf.load(saved)


def test_newer_format_is_refused_with_upgrade_hint(saved: Path) -> None:
    manifest = json.loads((saved / "manifest.json").read_text())
    manifest["format_version"] = artifacts.FORMAT_VERSION + 1
    (saved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="newer than this newsclf reads") as exc:
        newsclf.load(saved)
    assert "upgrade newsclf" in str(exc.value)


def test_other_sklearn_minor_version_is_refused_unless_allowed(saved: Path) -> None:
    manifest = json.loads((saved / "manifest.json").read_text())
    major, minor = sklearn.__version__.split(".")[:2]
    manifest["versions"]["scikit-learn"] = f"{major}.{int(minor) + 1}.0"
    (saved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="allow_version_mismatch"):
        newsclf.load(saved)
    with pytest.warns(UserWarning, match="saved with scikit-learn"):
        assert newsclf.load(saved, allow_version_mismatch=True).tasks == ["topic", "stance"]


def test_directory_without_manifest_is_not_a_model(tmp_path: Path) -> None:
    (tmp_path / "model").mkdir()
    with pytest.raises(ArtifactError, match="not a newsclf model"):
        newsclf.load(tmp_path / "model")


def test_interrupted_save_leaves_nothing_that_loads(
    classifier: NewsClassifier, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def dump_then_crash(obj, path):
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt("simulated crash during save")
        return joblib.dump(obj, path)

    monkeypatch.setattr(artifacts.joblib, "dump", dump_then_crash)
    with pytest.raises(KeyboardInterrupt):
        classifier.save(tmp_path / "model")
    assert not (tmp_path / "model").exists()
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_to_overwrite(classifier: NewsClassifier, saved: Path) -> None:
    with pytest.raises(ArtifactError, match="refusing to overwrite"):
        classifier.save(saved)


def test_stance_model_requires_targets(classifier: NewsClassifier) -> None:
    with pytest.raises(newsclf.DataError, match="needs a target"):
        classifier.predict(TEXTS)


def test_predict_accepts_records_and_rejects_a_bare_string(classifier: NewsClassifier) -> None:
    records = [{"text": t, "target": g} for t, g in zip(TEXTS, TARGETS, strict=True)]
    assert list(classifier.predict(records)["topic"]) == list(
        classifier.predict(TEXTS, targets=TARGETS)["topic"]
    )
    with pytest.raises(TypeError, match="wrap a single text in a list"):
        classifier.predict("egy szöveg")
