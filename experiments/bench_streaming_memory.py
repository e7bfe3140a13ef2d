"""Does streaming training's peak memory stay flat as the corpus grows? (issue 15)

    .venv/bin/python experiments/bench_streaming_memory.py --root /path/to/20newsgroups_bydate
    .venv/bin/python experiments/bench_streaming_memory.py --root DIR --repeats 1 8 --n-jobs 2

Builds a 20 Newsgroups-length corpus (the first ``--base`` training posts of 20 Newsgroups
"bydate", read through ``data=20newsgroups``), writes it repeated 1x, 8x and 32x to JSONL (ids
made unique, each copy grouped with its original so ``split=hashed_group`` keeps copies
together), and for each size runs, each in a fresh subprocess:

- ``newsclf train experiment=streaming data=records`` (topic task) for each ``--n-jobs``
  (1: everything in one process; 2: the main process plus two joblib workers), and
- the named peer: scikit-learn's ``HashingVectorizer`` (word 1-2-grams, 2**20 columns) feeding
  ``SGDClassifier.partial_fit`` chunk by chunk in one process (same chunk size, no evaluation).

Peak RSS of the whole process tree (main process plus joblib workers) is sampled from /proc every
50 ms (``bench_scale.run_measured``), and of its largest single process. The bar (issue 15):
peak(8x) / peak(1x) <= 1.3 and peak(32x) / peak(8x) <= 1.3. With workers, read the tree's 1x
figure with care: the 1x corpus (7.5k) is smaller than one chunk (``trainer.chunk_size``
10000), so only one of the workers hashes at 1x. Corpora live in ``--work-dir`` (a temp dir by
default).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from itertools import pairwise
from pathlib import Path

from bench_scale import PYTHON, ROOT, run_measured  # same /proc sampler as the scaling bench
from omegaconf import OmegaConf

PEER = """
import json, sys
import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import SGDClassifier
path, chunk_size = sys.argv[1], int(sys.argv[2])
labels = sorted({json.loads(line)["topic"] for line in open(path, encoding="utf-8")})
vec = HashingVectorizer(n_features=2**20, ngram_range=(1, 2), alternate_sign=False,
                        dtype=np.float32)
model = SGDClassifier(loss="modified_huber", shuffle=False, random_state=0)
def flush(rows):
    X = vec.transform([r.get("title", "") + "\\n" + r["text"] for r in rows])
    model.partial_fit(X, [r["topic"] for r in rows], classes=labels)
rows = []
with open(path, encoding="utf-8") as fh:
    for line in fh:
        rows.append(json.loads(line))
        if len(rows) == chunk_size:
            flush(rows)
            rows = []
if rows:
    flush(rows)
"""


def base_records(root: Path, n: int) -> list[dict]:
    """The first ``n`` training posts of 20 Newsgroups as plain dicts."""
    from newsclf.data import load_dataset

    data = OmegaConf.load(ROOT / "conf" / "data" / "20newsgroups.yaml")
    data.root = str(root)
    records = load_dataset(data).train[:n]
    return [{"id": r.id, "title": r.title or "", "text": r.text, "topic": r.topic} for r in records]


def write_repeated(rows: list[dict], times: int, out: Path) -> Path:
    with out.open("w", encoding="utf-8") as fh:
        for copy in range(times):
            for row in rows:
                line = {**row, "id": f"{row['id']}#{copy}", "group": row["id"]}
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")
    return out


def streaming_cmd(data: Path, run_dir: Path, n_jobs: int, chunk_size: int) -> list[str]:
    return [
        PYTHON, "-m", "newsclf", "train", "experiment=streaming", "data=records",
        f"data.train={data}", "tasks=[topic]", f"n_jobs={n_jobs}", "trainer.progress=false",
        f"trainer.chunk_size={chunk_size}", f"hydra.run.dir={run_dir}",
    ]  # fmt: skip


def report(table: list[dict], peers: dict[int, dict], n_jobs: int) -> None:
    """One table per n_jobs: peak of the process tree and of its largest process, and ratios."""
    print(f"\nn_jobs={n_jobs} (processes: main" + (f" + {n_jobs} workers)" if n_jobs > 1 else ")"))
    print(
        f"{'corpus':>7} {'articles':>9} {'tree peak MB':>13} {'largest proc MB':>16} "
        f"{'wall s':>7} {'macro-F1':>9} {'peer peak MB':>13} {'peer wall s':>12}"
    )
    for r in table:
        peer = peers.get(r["times"])
        print(
            f"{r['times']:>6}x {r['articles']:>9} {r['peak_tree_mb']:>13.0f} "
            f"{r['maxrss_mb']:>16.0f} {r['wall']:>7.1f} {r['macro_f1']:>9.3f} "
            + (f"{peer['peak_tree_mb']:>13.0f} {peer['wall']:>12.1f}" if peer else "")
        )
    for a, b in pairwise(table):
        tree = b["peak_tree_mb"] / a["peak_tree_mb"]
        one = b["maxrss_mb"] / a["maxrss_mb"]
        line = f"{b['times']}x / {a['times']}x: tree {tree:.2f}, largest process {one:.2f}"
        line += "" if max(tree, one) <= 1.3 else "  (over the 1.3 bar)"
        if a["times"] in peers and b["times"] in peers:
            ratio = peers[b["times"]]["peak_tree_mb"] / peers[a["times"]]["peak_tree_mb"]
            line += f"; peer {ratio:.2f}"
        print(line)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, required=True, help="20 Newsgroups bydate folder")
    parser.add_argument("--base", type=int, default=7500, help="articles in the 1x corpus")
    parser.add_argument("--repeats", type=int, nargs="+", default=[1, 8, 32])
    parser.add_argument(
        "--n-jobs", type=int, nargs="+", default=[1, 2], help="n_jobs settings, each measured"
    )
    parser.add_argument("--chunk-size", type=int, default=10000)
    parser.add_argument("--no-peer", action="store_true", help="skip the scikit-learn peer")
    parser.add_argument("--work-dir", type=Path, default=None)
    args = parser.parse_args(argv)

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="newsclf-mem-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = base_records(args.root, args.base)
    print(f"base corpus: {len(rows)} posts; work dir {work}", file=sys.stderr)
    corpora = {t: write_repeated(rows, t, work / f"corpus_x{t}.jsonl") for t in args.repeats}
    peers = {}
    if not args.no_peer:
        for times, corpus in corpora.items():
            peers[times] = run_measured([PYTHON, "-c", PEER, str(corpus), str(args.chunk_size)])
    for n_jobs in args.n_jobs:
        table = []
        for times, corpus in corpora.items():
            run_dir = work / f"run_x{times}_j{n_jobs}"
            shutil.rmtree(run_dir, ignore_errors=True)  # a fresh run, never a resumed one
            got = run_measured(streaming_cmd(corpus, run_dir, n_jobs, args.chunk_size))
            metrics = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
            row = {"times": times, "articles": len(rows) * times, **got}
            row["macro_f1"] = metrics["tasks"]["topic"]["macro_f1"]
            table.append(row)
            print(json.dumps(row), file=sys.stderr)
        report(table, peers, n_jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
