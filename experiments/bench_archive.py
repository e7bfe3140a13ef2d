"""Predicting archives: records/s and peak memory of `newsclf predict` at 1x and 8x a corpus,
one file or sharded, against main before issue 25 (which reads its whole input first). (issue 25)

    .venv/bin/python experiments/bench_archive.py --root /work/shared/data/20newsgroups_bydate
    .venv/bin/python experiments/bench_archive.py --root DIR --model RUN/model --workers 1 2

Builds a 20 Newsgroups-length corpus (the first ``--base`` training posts of 20NG "bydate"),
written 1x and 8x as one JSONL file and as shards of ``--base`` posts each (``.jsonl``,
``.jsonl.gz`` and ``.parquet`` in turn), trains ``experiment=20ng_fast`` on 20NG unless
``--model`` is given, and runs, each in a fresh subprocess (peak RSS of the process tree sampled
from /proc every 50 ms, as bench_streaming_memory.py does):

- peer "main before this change": ``newsclf predict MODEL corpus.jsonl -o OUT`` from the source
  of ``--peer-ref`` (default: the merge base with main, exported with ``git archive``, run with
  ``PYTHONPATH``), which reads the whole input before predicting;
- ``newsclf predict MODEL corpus.jsonl -o OUT`` (this branch: chunked);
- ``newsclf predict MODEL shards/* -o DIR`` (this branch: one output per shard, manifest);
- with ``--workers``: the sharded run with ``--cluster local:N`` for each N (needs the cluster
  extra and newsclf.cluster).

records/s is records over the whole command's wall time (start-up and model loading included,
as a user sees it); records/CPU-s divides by the CPU time of the process tree instead, which a
busy machine disturbs less (with workers it counts every worker's CPU). The bars (issue 25):
this branch's single-file peak(8x) / peak(1x) <= 1.2, and records/s at least the peer's.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_scale import PYTHON, ROOT, run_measured
from omegaconf import OmegaConf


def base_records(root: Path, n: int) -> list[dict]:
    """The first ``n`` training posts of 20 Newsgroups as plain dicts."""
    from newsclf.data import load_dataset

    data = OmegaConf.load(ROOT / "conf" / "data" / "20newsgroups.yaml")
    data.root = str(root)
    records = load_dataset(data).train[:n]
    return [{"id": r.id, "title": r.title or "", "text": r.text} for r in records]


def _lines(rows: list[dict], copy: int) -> str:
    return "".join(
        json.dumps({**row, "id": f"{row['id']}#{copy}"}, ensure_ascii=False) + "\n" for row in rows
    )


def write_corpus(rows: list[dict], times: int, folder: Path) -> tuple[Path, Path]:
    """``folder/corpus.jsonl`` (``times`` copies) and ``folder/shards/`` (one shard per copy)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    folder.mkdir(parents=True)
    shards = folder / "shards"
    shards.mkdir()
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as fh:
        for copy in range(times):
            text = _lines(rows, copy)
            fh.write(text)
            kind = copy % 3
            if kind == 0:
                (shards / f"part-{copy:04d}.jsonl").write_text(text, encoding="utf-8")
            elif kind == 1:
                with gzip.open(shards / f"part-{copy:04d}.jsonl.gz", "wt", encoding="utf-8") as gz:
                    gz.write(text)
            else:
                table = pa.Table.from_pylist([{**r, "id": f"{r['id']}#{copy}"} for r in rows])
                pq.write_table(table, shards / f"part-{copy:04d}.parquet")
    return folder / "corpus.jsonl", shards


def peer_source(ref: str, dest: Path) -> Path:
    """The ``src`` folder of ``ref`` (git archive: nothing in the repository changes)."""
    archive = subprocess.run(
        ["git", "archive", ref, "src"], cwd=ROOT, check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest / "src"


def merge_base() -> str:
    out = subprocess.run(
        ["git", "merge-base", "HEAD", "main"], cwd=ROOT, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def train_model(root: Path, run_dir: Path) -> Path:
    cmd = [
        PYTHON, "-m", "newsclf", "train", "experiment=20ng_fast", f"data.root={root}",
        f"hydra.run.dir={run_dir}",
    ]  # fmt: skip
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
    return run_dir / "model"


def predict_cmd(model: Path, inputs: list[str], out: Path, extra: list[str]) -> list[str]:
    return [PYTHON, "-m", "newsclf", "predict", str(model), *inputs, "-o", str(out), *extra]


def count_lines(path: Path) -> int:
    if path.is_dir():
        return sum(count_lines(p) for p in path.glob("*.jsonl"))
    with path.open("rb") as fh:
        return sum(1 for _ in fh)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, required=True, help="20 Newsgroups bydate folder")
    parser.add_argument("--base", type=int, default=7500, help="posts in the 1x corpus")
    parser.add_argument("--repeats", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--model", type=Path, help="a trained model (default: train 20ng_fast)")
    parser.add_argument("--peer-ref", help="git ref of the peer (default: merge base with main)")
    parser.add_argument(
        "--workers", type=int, nargs="*", default=[], help="also --cluster local:N for each N"
    )
    parser.add_argument("--work-dir", type=Path, help="corpora and outputs (default: a temp dir)")
    args = parser.parse_args(argv)

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="bench-archive-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        ref = args.peer_ref or merge_base()
        peer_dir = work / "peer"
        peer_dir.mkdir(exist_ok=True)
        peer_env = {"PYTHONPATH": str(peer_source(ref, peer_dir))}
        model = args.model or train_model(args.root, work / "train")
        rows = base_records(args.root, args.base)
        results = []
        for times in args.repeats:
            corpus, shards = write_corpus(rows, times, work / f"x{times}")
            n = len(rows) * times
            shard_inputs = [str(p) for p in sorted(shards.iterdir())]
            runs = [
                ("peer: main, whole input", predict_cmd(model, [str(corpus)], work / "p.jsonl", []),
                 peer_env, work / "p.jsonl"),
                ("this: one file", predict_cmd(model, [str(corpus)], work / "t.jsonl", []),
                 None, work / "t.jsonl"),
                ("this: shards", predict_cmd(model, shard_inputs, work / f"s{times}", []),
                 None, work / f"s{times}"),
            ]  # fmt: skip
            for n_workers in args.workers:
                out = work / f"c{times}-{n_workers}"
                cmd = predict_cmd(model, shard_inputs, out, ["--cluster", f"local:{n_workers}"])
                runs.append((f"this: shards, {n_workers} workers", cmd, None, out))
            for label, cmd, env, out in runs:
                full_env = {**os.environ, **(env or {})}
                measured = run_measured(cmd, env=full_env)
                written = count_lines(out)
                if written != n:
                    raise SystemExit(f"{label}: {written} output lines for {n} records")
                results.append({"times": times, "label": label, "records": n, **measured})
                print(
                    f"{times}x {label:<34} {n:>7} records {n / measured['wall']:>8.0f} rec/s "
                    f"{n / measured['cpu']:>8.0f} rec/CPU-s peak {measured['peak_tree_mb']:>6.0f} "
                    f"MB (largest process {measured['maxrss_mb']:.0f} MB)",
                    flush=True,
                )
                if out.is_dir():
                    shutil.rmtree(out)
                else:
                    out.unlink()
        print(f"\npeer: {ref[:10]} (main before this change); model: {model}")
        print(
            "| corpus | run | records | records/s (wall) | records/CPU-s | peak RSS MB |\n"
            "|---|---|---:|---:|---:|---:|"
        )
        for r in results:
            print(
                f"| {r['times']}x | {r['label']} | {r['records']} | {r['records'] / r['wall']:.0f} "
                f"| {r['records'] / r['cpu']:.0f} | {r['peak_tree_mb']:.0f} |"
            )
        lo, hi = min(args.repeats), max(args.repeats)
        for label in dict.fromkeys(r["label"] for r in results):
            peaks = {r["times"]: r["peak_tree_mb"] for r in results if r["label"] == label}
            if lo in peaks and hi in peaks and lo != hi:
                print(f"{label}: peak {hi}x / {lo}x = {peaks[hi] / peaks[lo]:.2f}")
    finally:
        if args.work_dir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
