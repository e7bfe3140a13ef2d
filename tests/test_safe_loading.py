"""skops export: models from other people load without running code from the file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import skops.io

import newsclf
from newsclf import artifacts
from newsclf.classifier import NewsClassifier
from newsclf.cli import main
from newsclf.errors import ArtifactError
from newsclf.utils.hashing import file_sha256

DOCS = [{"text": "A jegybank kamatot emelt.", "target": "Az infláció gyorsul."}]


def test_export_to_skops_predicts_exactly_like_the_joblib_model(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "shared"
    assert main(["export", str(tiny_model_dir), "--format", "skops", "-o", str(out)]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["serialization"] == "skops"
    assert sorted(manifest["files"]) == ["stance.skops", "topic.skops"]
    original, shared = newsclf.load(tiny_model_dir), newsclf.load(out)
    for task, proba in original.predict_proba(DOCS).items():
        np.testing.assert_array_equal(proba, shared.predict_proba(DOCS)[task])
    assert shared.manifest["created"] == original.manifest["created"]


def test_skops_model_works_with_predict_cli(tiny_model_dir: Path, tmp_path: Path) -> None:
    out = artifacts.export_artifact(tiny_model_dir, tmp_path / "shared")
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps(DOCS[0], ensure_ascii=False) + "\n", encoding="utf-8")
    assert main(["predict", str(out), str(inp), "-o", str(tmp_path / "p.jsonl")]) == 0
    row = json.loads((tmp_path / "p.jsonl").read_text())
    assert {"topic", "stance", "topic_scores", "stance_scores"} <= set(row)


def test_export_default_output_is_beside_the_model(tiny_classifier, tmp_path: Path) -> None:
    model = tiny_classifier.save(tmp_path / "model")
    assert main(["export", str(model)]) == 0
    assert (tmp_path / "model-skops" / "manifest.json").is_file()


def _skops_artifact_with_foreign_type(tmp_path: Path, classifier: NewsClassifier) -> Path:
    """A skops artifact whose pipeline carries a type from outside newsclf/scikit-learn."""
    path = classifier.save(tmp_path / "model", serialization="skops")
    manifest = json.loads((path / "manifest.json").read_text())
    pipeline = classifier.models["topic"].pipeline
    pipeline.foreign_ = Path("/etc")  # pathlib.PosixPath is not a trusted type
    skops.io.dump(pipeline, path / "topic.skops")
    manifest["files"]["topic.skops"] = file_sha256(path / "topic.skops")
    (path / "manifest.json").write_text(json.dumps(manifest))
    return path


def test_untrusted_type_is_refused_with_its_name(tiny_classifier, tmp_path: Path) -> None:
    path = _skops_artifact_with_foreign_type(tmp_path, tiny_classifier)
    with pytest.raises(ArtifactError, match=r"not trusted: pathlib\.[\w.]*Path"):
        newsclf.load(path)


def test_untrusted_type_loads_when_the_user_trusts_it(tiny_classifier, tmp_path: Path) -> None:
    path = _skops_artifact_with_foreign_type(tmp_path, tiny_classifier)
    untrusted = [
        t for t in skops.io.get_untrusted_types(file=path / "topic.skops") if "pathlib" in t
    ]
    assert newsclf.load(path, trusted=untrusted).tasks == ["topic", "stance"]


def test_untrusted_type_refusal_through_cli_names_trust_option(
    tiny_classifier, tmp_path: Path, capsys
) -> None:
    path = _skops_artifact_with_foreign_type(tmp_path, tiny_classifier)
    inp = tmp_path / "in.jsonl"
    inp.write_text(json.dumps(DOCS[0]) + "\n")
    assert main(["predict", str(path), str(inp)]) == 2
    err = capsys.readouterr().err
    assert "not trusted" in err and "--trust" in err and "Traceback" not in err


def test_skops_file_that_is_not_a_zip_is_a_clear_error(tiny_classifier, tmp_path: Path) -> None:
    path = tiny_classifier.save(tmp_path / "model", serialization="skops")
    manifest = json.loads((path / "manifest.json").read_text())
    (path / "topic.skops").write_bytes(b"not a zip file")
    manifest["files"]["topic.skops"] = file_sha256(path / "topic.skops")
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match=r"topic\.skops: not a readable skops file"):
        newsclf.load(path)


def test_changed_byte_in_skops_file_is_refused_before_reading(
    tiny_classifier, tmp_path: Path
) -> None:
    path = tiny_classifier.save(tmp_path / "model", serialization="skops")
    data = bytearray((path / "stance.skops").read_bytes())
    data[len(data) // 2] ^= 0xFF
    (path / "stance.skops").write_bytes(bytes(data))
    with pytest.raises(ArtifactError, match=r"stance\.skops: checksum mismatch"):
        newsclf.load(path)


def test_unknown_serialization_is_refused(tiny_classifier, tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match="unknown serialization 'pickle5'"):
        tiny_classifier.save(tmp_path / "m", serialization="pickle5")
    path = tiny_classifier.save(tmp_path / "model")
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["serialization"] = "onnx"
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="unknown serialization 'onnx'"):
        newsclf.load(path)


def test_manifest_records_numpy_scipy_sklearn_and_newsclf_versions(tiny_model_dir: Path) -> None:
    versions = json.loads((tiny_model_dir / "manifest.json").read_text())["versions"]
    assert {"newsclf", "scikit-learn", "numpy", "scipy"} <= set(versions)


def test_patch_level_sklearn_difference_warns_but_loads(tiny_classifier, tmp_path: Path) -> None:
    path = tiny_classifier.save(tmp_path / "model")
    manifest = json.loads((path / "manifest.json").read_text())
    major, minor, *_ = manifest["versions"]["scikit-learn"].split(".")
    manifest["versions"]["scikit-learn"] = f"{major}.{minor}.999"
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.warns(UserWarning, match=rf"saved with scikit-learn {major}\.{minor}\.999"):
        assert newsclf.load(path).tasks == ["topic", "stance"]
