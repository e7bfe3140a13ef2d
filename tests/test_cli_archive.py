"""`newsclf predict` over shards and `newsclf embed` through the CLI: directory outputs, resume,
a run killed with SIGKILL and started again, field mapping and error messages."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from newsclf.cli import main

pytest.importorskip("pyarrow")

TEXTS = [
    "A forint gyengült, az infláció gyorsult.",
    "The striker scored twice in the final.",
    "Az MNB kamatot emelt a drágulás miatt.",
    "A Fradi kikapott a bajnokin.",
]


def _shards(root: Path, n: int, per: int, key: str = "text") -> list[str]:
    root.mkdir(parents=True)
    ids = []
    for i in range(n):
        rows = [
            {"id": f"s{i}-{j}", key: TEXTS[j % 4], "target": "Az infláció gyorsul."}
            for j in range(per)
        ]
        ids += [r["id"] for r in rows]
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        (root / f"part-{i:04d}.jsonl").write_text(text, encoding="utf-8")
    return ids


def _outputs(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.glob("part-*"))}


def test_predict_a_directory_writes_one_output_per_shard(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    ids = _shards(tmp_path / "shards", n=3, per=4)
    out = tmp_path / "out"
    assert main(["predict", str(tiny_model_dir), str(tmp_path / "shards"), "-o", str(out)]) == 0
    assert sorted(_outputs(out)) == ["part-0000.jsonl", "part-0001.jsonl", "part-0002.jsonl"]
    lines = [x for name in sorted(_outputs(out)) for x in (out / name).read_text().splitlines()]
    got = [json.loads(x)["id"] for x in lines]
    assert got == ids
    assert (
        main(["predict", str(tiny_model_dir), str(tmp_path / "shards" / "*"), "-o", str(out)]) == 0
    )
    assert "3 of 3 shards already done" in capsys.readouterr().err


@pytest.mark.parametrize(
    "content", [b"", b"\n  \n", b'{"text": "a"}\nnot json\n'], ids=["empty", "blank", "bad"]
)
def test_a_failed_predict_leaves_a_pre_existing_output_byte_identical(
    tmp_path: Path, tiny_model_dir: Path, content: bytes
) -> None:
    """No records, or a bad record: the error, and the previous result at OUT untouched."""
    previous = b'{"id": "1", "topic": "economy"}\n'
    out = tmp_path / "predictions.jsonl"
    out.write_bytes(previous)
    inp = tmp_path / "new.jsonl"
    inp.write_bytes(content)
    assert main(["predict", str(tiny_model_dir), str(inp), "-o", str(out), "-q"]) == 2
    assert out.read_bytes() == previous
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.jsonl", "predictions.jsonl"]


def test_field_mapping_on_the_command_line(tmp_path: Path, tiny_model_dir: Path) -> None:
    _shards(tmp_path / "shards", n=2, per=2, key="body")
    out = tmp_path / "out"
    args = ["predict", str(tiny_model_dir), str(tmp_path / "shards"), "-o", str(out)]
    assert main([*args, "--field", "text=body"]) == 0
    assert len(_outputs(out)) == 2


def test_a_missing_text_column_names_the_file_line_and_field(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    _shards(tmp_path / "shards", n=1, per=2, key="body")
    shard = tmp_path / "shards" / "part-0000.jsonl"
    assert main(["predict", str(tiny_model_dir), str(shard)]) == 2
    assert f"{shard}:1, field 'text'" in capsys.readouterr().err


def test_a_bad_field_option_is_a_usage_error(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    _shards(tmp_path / "shards", n=1, per=1)
    args = ["predict", str(tiny_model_dir), str(tmp_path / "shards"), "-o", str(tmp_path / "o")]
    assert main([*args, "--field", "body"]) == 2
    assert "--field" in capsys.readouterr().err


def test_several_inputs_without_an_output_directory_are_refused(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    _shards(tmp_path / "shards", n=2, per=1)
    assert main(["predict", str(tiny_model_dir), str(tmp_path / "shards")]) == 2
    assert "output directory" in capsys.readouterr().err


def test_a_run_killed_with_sigkill_completes_the_same_when_started_again(
    tmp_path: Path, tiny_model_dir: Path
) -> None:
    """Kill a real run mid-way (some shards done, one half-written), run it again: the outputs
    are byte for byte those of a clean run, and no temp file is left."""
    _shards(tmp_path / "shards", n=12, per=400)
    cmd = [
        sys.executable,
        "-m",
        "newsclf",
        "predict",
        str(tiny_model_dir),
        str(tmp_path / "shards"),
    ]
    clean, killed = tmp_path / "clean", tmp_path / "killed"
    subprocess.run([*cmd, "-o", str(clean), "--chunk-size", "50"], check=True)
    manifest = killed / ".newsclf-shards.json"
    proc = subprocess.Popen([*cmd, "-o", str(killed), "--chunk-size", "50"])
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        if manifest.exists() and len(json.loads(manifest.read_text())["shards"]) >= 3:
            break
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done_before = len(json.loads(manifest.read_text())["shards"])
    assert 0 < done_before < 12, "the run was not killed mid-way"
    subprocess.run([*cmd, "-o", str(killed), "--chunk-size", "50"], check=True)
    assert _outputs(killed) == _outputs(clean)
    assert not [p for p in killed.iterdir() if p.name.endswith(".tmp")]


def test_embed_fills_the_cache_and_skips_done_shards_on_a_rerun(
    tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NEWSCLF_CACHE_DIR", str(tmp_path / "cache"))
    _shards(tmp_path / "shards", n=2, per=3)
    args = [
        "embed", "features=embed", str(tmp_path / "shards"), "--set", "tasks=[topic]",
        "--set", "features.text.encoder=char_hash",
    ]  # fmt: skip
    assert main(args) == 0
    assert "embedded the texts of 6 records in 2 shards" in capsys.readouterr().err
    assert list((tmp_path / "cache" / "embeddings").glob("char_hash-*.sqlite"))
    assert main(args) == 0
    assert "(2 already done)" in capsys.readouterr().err


def test_embed_with_a_model_without_embeddings_says_so(
    tmp_path: Path, tiny_model_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    _shards(tmp_path / "shards", n=1, per=1)
    assert main(["embed", str(tiny_model_dir), str(tmp_path / "shards")]) == 2
    assert "no sentence embeddings" in capsys.readouterr().err


@pytest.mark.parametrize("trainer", ["memory", "streaming"])
def test_training_reads_a_renamed_sharded_corpus_through_data_fields(
    tmp_path: Path, trainer: str
) -> None:
    import gzip

    import pyarrow as pa
    import pyarrow.parquet as pq

    from newsclf.data.loaders import demo_path

    rows = [json.loads(line) for line in demo_path().read_text(encoding="utf-8").splitlines()]
    renamed = [
        {"url": r["id"], "body": r["text"], "section": r["topic"], "group": r.get("group")}
        for r in rows
    ]
    shards = tmp_path / "corpus"
    shards.mkdir()
    pq.write_table(pa.Table.from_pylist(renamed[:200]), shards / "part-0.parquet")
    with gzip.open(shards / "part-1.jsonl.gz", "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in renamed[200:])
    run = tmp_path / "run"
    args = [
        "train", "data=records", f"data.train={shards}", "tasks=[topic]",
        "data.fields={text:body,id:url,topic:section}", f"hydra.run.dir={run}",
    ]  # fmt: skip
    if trainer == "streaming":
        args += ["experiment=streaming", "trainer.progress=false"]
    assert main(args) == 0
    metrics = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["n_train"] + metrics["n_eval"] == len(rows)  # both shards, every record
