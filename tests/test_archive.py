"""newsclf.archive: planning shards, predicting them in chunks, resuming from the manifest, and
filling the embedding cache shard by shard."""

from __future__ import annotations

import gzip
import json
import logging
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from conftest import reachable_arrays
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

import newsclf
from newsclf.archive.embed import embed_shard, encoder_spec
from newsclf.archive.predict import predict_shard
from newsclf.archive.run import open_engine, run_shards
from newsclf.archive.shards import (
    ShardManifest,
    fingerprint,
    model_fingerprint,
    output_name,
    plan_shards,
)
from newsclf.errors import DataError
from newsclf.features import TextEmbedding
from newsclf.features.encoders import EmbeddingCache
from newsclf.pipeline import TaskModel

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

TEXTS = [
    "A forint gyengült, az infláció gyorsult.",
    "The striker scored twice in the final.",
    "Az MNB kamatot emelt a drágulás miatt.",
    "A Fradi kikapott a bajnokin.",
]


def _rows(n: int, start: int = 0) -> list[dict]:
    return [
        {"id": f"r{i}", "text": TEXTS[i % len(TEXTS)], "target": "Az infláció gyorsul."}
        for i in range(start, start + n)
    ]


def _write(path: Path, rows: list[dict]) -> Path:
    if path.suffix == ".parquet":
        pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=3)
        return path
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as fh:
            fh.write(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _shards(root: Path, n: int = 16, per: int = 5) -> tuple[Path, list[dict]]:
    """``n`` shards of mixed formats (.jsonl, .jsonl.gz, .parquet) and all their rows."""
    root.mkdir()
    suffixes = [".jsonl", ".jsonl.gz", ".parquet"]
    everything = []
    for i in range(n):
        rows = _rows(per, start=i * per)
        _write(root / f"part-{i:04d}{suffixes[i % 3]}", rows)
        everything += rows
    return root, everything


def _run(model, inputs, out, **kwargs) -> object:
    clf = newsclf.load(model)
    jobs = plan_shards(inputs, out, kwargs.pop("output_format", "auto"))
    fp = fingerprint(model_fingerprint(clf.manifest))
    with open_engine(None) as engine:
        return run_shards(
            engine,
            predict_shard,
            jobs,
            clf,
            manifest=ShardManifest.for_output(out),
            fingerprint=fp,
            force=kwargs.pop("force", False),
            chunk_size=kwargs.pop("chunk_size", 3),
            **kwargs,
        )


def _read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_output_is_named_after_its_input_shard() -> None:
    assert output_name(Path("part-0003.jsonl.gz"), "jsonl") == "part-0003.jsonl"
    assert output_name(Path("part-0003.csv"), "jsonl.gz") == "part-0003.jsonl.gz"
    assert output_name(Path("x.parquet"), "parquet") == "x.parquet"


def test_two_inputs_that_would_write_one_output_are_refused(tmp_path: Path) -> None:
    a = _write(tmp_path / "part-1.jsonl", _rows(2))
    b = _write(tmp_path / "part-1.jsonl.gz", _rows(2))
    with pytest.raises(DataError, match=r"same output 'part-1\.jsonl'"):
        plan_shards([a, b], tmp_path / "out", "jsonl")


def test_sixteen_mixed_shards_give_the_single_file_labels_once_each_in_order(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    root, rows = _shards(tmp_path / "shards")
    summary = _run(tiny_model_dir, [root], tmp_path / "out")
    assert summary.done == 16 and summary.records == len(rows)
    single = _write(tmp_path / "all.jsonl", rows)
    whole = newsclf.load(tiny_model_dir).predict_records(newsclf.data.read_records(single))
    got = []
    for shard in sorted((tmp_path / "out").glob("part-*.jsonl")):
        got += _read_jsonl(shard)
    assert [r["id"] for r in got] == [r["id"] for r in rows]
    assert [(r["topic"], r["stance"]) for r in got] == [(r["topic"], r["stance"]) for r in whole]


def test_a_rerun_skips_done_shards_and_redoes_a_changed_one(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    root, _ = _shards(tmp_path / "shards", n=3)
    out = tmp_path / "out"
    assert _run(tiny_model_dir, [root], out).done == 3
    again = _run(tiny_model_dir, [root], out)
    assert (again.done, again.skipped) == (0, 3)
    _write(root / "part-0001.jsonl.gz", _rows(7))  # new content: its output is stale
    changed = _run(tiny_model_dir, [root], out)
    assert (changed.done, changed.skipped) == (1, 2)
    assert len(_read_jsonl(out / "part-0001.jsonl")) == 7
    assert _run(tiny_model_dir, [root], out, force=True).done == 3


def test_a_deleted_output_is_written_again(tmp_path: Path, tiny_model_dir: Path) -> None:
    root, _ = _shards(tmp_path / "shards", n=2)
    out = tmp_path / "out"
    _run(tiny_model_dir, [root], out)
    (out / "part-0000.jsonl").unlink()
    assert _run(tiny_model_dir, [root], out).done == 1
    assert (out / "part-0000.jsonl").exists()


@pytest.mark.parametrize("output_format", ["jsonl.gz", "parquet"])
def test_predicting_a_shard_twice_writes_the_same_bytes(
    tmp_path: Path, tiny_model_dir: Path, output_format: str
) -> None:
    root, _ = _shards(tmp_path / "shards", n=2)
    out = tmp_path / "out"
    _run(tiny_model_dir, [root], out, output_format=output_format)
    first = {p.name: p.read_bytes() for p in out.glob("part-*")}
    _run(tiny_model_dir, [root], out, output_format=output_format, force=True)
    assert {p.name: p.read_bytes() for p in out.glob("part-*")} == first
    assert not list(out.glob(".part-*"))  # no temp file left behind


def test_parquet_output_has_labels_and_scores_per_task(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    root, rows = _shards(tmp_path / "shards", n=1)
    _run(
        tiny_model_dir, [root, root / "part-0000.jsonl"], tmp_path / "out", output_format="parquet"
    )
    table = pq.read_table(tmp_path / "out" / "part-0000.parquet").to_pylist()
    assert [r["id"] for r in table] == [r["id"] for r in rows]
    assert set(table[0]["topic_scores"]) == {"economy", "sport"}


def test_bad_records_are_error_rows_in_place_with_on_error_record(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    root = tmp_path / "shards"
    root.mkdir()
    rows = _rows(3)
    rows[1] = {"id": "empty", "text": "", "target": "x"}
    _write(root / "a.jsonl", rows)
    _write(root / "b.jsonl", _rows(2))
    summary = _run(tiny_model_dir, [root], tmp_path / "out", on_error="record")
    assert summary.errors == 1
    out = _read_jsonl(tmp_path / "out" / "a.jsonl")
    assert [r["id"] for r in out] == ["r0", "empty", "r2"]
    assert out[1]["line"] == 2 and "error" in out[1]


def test_a_bad_record_stops_the_shard_without_leaving_output(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    root = tmp_path / "shards"
    root.mkdir()
    (root / "a.jsonl").write_text('{"id": "1", "text": "ok", "target": "t"}\n{oops\n')
    _write(root / "b.jsonl", _rows(2))
    with pytest.raises(DataError, match=r"a.jsonl:2"):
        _run(tiny_model_dir, [root], tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == []


# --- embed ---------------------------------------------------------------------------------------


def _embedding_model(cache_dir: Path) -> dict[str, TaskModel]:
    block = TextEmbedding(encoder="char_hash", max_chars=50, cache_dir=str(cache_dir))
    pipeline = Pipeline([("features", block), ("model", LogisticRegression())])
    return {"topic": TaskModel(pipeline, input="text", include_title=True)}


def test_embed_shard_fills_the_cache_with_what_the_model_reads(tmp_path: Path) -> None:
    spec = encoder_spec(_embedding_model(tmp_path / "cache"))
    path = _write(tmp_path / "a.jsonl", _rows(8))
    (job,) = plan_shards([path, path], None)[:1]
    result = embed_shard(spec, job, chunk_size=3)
    assert result.records == 8
    with EmbeddingCache("char_hash-256", 256, tmp_path / "cache") as cache:
        assert len(cache) == len(TEXTS)  # each distinct lead once


def test_a_model_without_embeddings_has_nothing_to_embed(tiny_classifier) -> None:
    from newsclf.errors import ConfigError

    with pytest.raises(ConfigError, match="no sentence embeddings"):
        encoder_spec(tiny_classifier.models)


def test_a_damaged_cache_file_is_moved_aside_and_rebuilt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = tmp_path / "embeddings"
    folder.mkdir()
    (folder / "enc.sqlite").write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING), EmbeddingCache("enc", 2, tmp_path) as cache:
        cache.put([(b"k", [1.0, 2.0])])
        assert len(cache) == 1
    assert "damaged" in caplog.text
    aside = [p.name for p in folder.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1


def test_a_cache_file_damaged_while_open_is_rebuilt_on_the_next_query(tmp_path: Path) -> None:
    cache = EmbeddingCache("enc", 2, tmp_path)
    cache.put([(b"k", [1.0, 2.0])])
    cache.close()
    path = tmp_path / "embeddings" / "enc.sqlite"
    for extra in ("-wal", "-shm"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    cache._db = sqlite3.connect(path)  # as if opened before the damage
    path.write_bytes(b"garbage" * 1000)
    assert cache.get([b"k"]) == {}
    cache.put([(b"j", [0.0, 1.0])])
    assert len(cache) == 1
    cache.close()


def test_column_major_coefficients_predict_exactly_the_same(tiny_model_dir: Path) -> None:
    from newsclf.utils.coef_layout import column_major_coefs

    clf = newsclf.load(tiny_model_dir)
    stance = clf.estimator("stance").named_steps["model"]
    stance.coef_ = np.ascontiguousarray(stance.coef_)  # as scikit-learn fits it
    records = [{"text": t, "target": "Az infláció gyorsul."} for t in TEXTS]
    before = clf.predict_proba(records)
    column_major_coefs(m.pipeline for m in clf.models.values())
    assert stance.coef_.flags.f_contiguous
    after = clf.predict_proba(records)
    for task in before:
        np.testing.assert_array_equal(after[task], before[task])


def test_one_input_into_an_existing_directory_is_a_shard_output(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    path = _write(tmp_path / "part-7.jsonl.gz", _rows(3))
    out = tmp_path / "out"
    out.mkdir()
    (job,) = plan_shards([path], out)
    assert job.output == out / "part-7.jsonl"
    assert _run(tiny_model_dir, [path], out).done == 1
    assert len(_read_jsonl(out / "part-7.jsonl")) == 3


def test_a_model_source_loads_its_model_once_per_process_and_refuses_a_changed_manifest(
    tiny_model_dir: Path, tmp_path: Path
) -> None:
    import shutil

    from newsclf.archive.source import ModelSource, forget_loaded
    from newsclf.errors import ArtifactError

    source = ModelSource.open(tiny_model_dir)
    first = source.load()
    assert source.load() is first and source.tasks == first.tasks
    # a worker maps the weights from the file: the workers of one machine share one copy
    assert any(isinstance(a, np.memmap) for a in reachable_arrays(first.models))
    forget_loaded()
    assert source.load() is not first
    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    moved = ModelSource.open(model)
    manifest = json.loads((model / "manifest.json").read_text())
    manifest["metrics"] = {"changed": True}
    (model / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="changed after the run started"):
        moved.load()
    with pytest.raises(ArtifactError, match="no such model directory"):
        ModelSource.open(tmp_path / "nowhere")
    forget_loaded()
