"""Scaling of streaming training (issue 6): time, articles/s and peak memory vs corpus size.

Makes synthetic corpora by resampling a records file (default: the bundled demo corpus) to N
articles, then for each N runs, each in a fresh subprocess:

- streaming training: ``newsclf train experiment=streaming data=records ...`` (topic task,
  ``n_jobs`` workers, default 2), and
- in-memory TF-IDF training (``features=word_char model=sgd``) for the sizes given by
  ``--memory-sizes`` (where it fits in time and memory),

measuring wall time, CPU time and the peak RSS of the whole process tree (main process plus
joblib workers) and of its largest single process, both sampled from /proc every 50 ms. The
"train pass" rate is articles over the time of the pass that learns (``metrics.json``,
``streaming.articles_per_second``); "art/CPU-s" divides by the CPU time of the whole run
(start-up, counting pass, training, evaluation, all processes). Then the prediction throughput
of the smallest streaming model on one core (``sched_setaffinity``; ``--predict-repeats`` runs,
best, median and worst: this VM's speed wanders by +-30% from run to run), and a profile of
where one core's time goes (normalising, word ids, rows and n-grams, the sparse sum, weighting,
the model).

    .venv/bin/python experiments/bench_scale.py                  # 50k, 200k, 800k
    .venv/bin/python experiments/bench_scale.py --sizes 20000 --memory-sizes 20000

Prints one table; nothing is written outside ``--work-dir`` (a temp dir by default).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def make_corpus(source: Path, n: int, out: Path, seed: int = 0) -> Path:
    """``n`` records drawn with replacement from ``source``; ids made unique, groups kept."""
    from newsclf.data import read_records

    records = read_records(source)
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(records), size=n)
    with out.open("w", encoding="utf-8") as fh:
        for i, k in enumerate(picks):
            r = records[int(k)]
            row = {"id": f"{r.id}-{i}", "text": r.text, "title": r.title, "topic": r.topic}
            if r.group:
                row["group"] = r.group
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return out


def _tree_rss(pid: int) -> tuple[int, int]:
    """(sum, largest) RSS in bytes of ``pid`` and all its descendants."""
    total = largest = 0
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ppid, pages = int(fields[1]), int(fields[21])
        children.setdefault(ppid, []).append(int(entry))
        rss[int(entry)] = pages * os.sysconf("SC_PAGE_SIZE")
    stack = [pid]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        largest = max(largest, rss.get(p, 0))
        stack.extend(children.get(p, []))
    return total, largest


def run_measured(cmd: list[str], env: dict[str, str] | None = None) -> dict[str, float]:
    """Run ``cmd``; wall seconds, CPU seconds and peak RSS (tree sum and largest process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    peak = largest = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, largest
        while not done.is_set():
            total, one = _tree_rss(proc.pid)
            peak, largest = max(peak, total), max(largest, one)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    done.set()
    sampler.join()
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    return {
        "wall": wall,
        "cpu": (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime),
        "peak_tree_mb": peak / 2**20,
        "maxrss_mb": largest / 2**20,  # the largest single process of this run (sampled)
    }


def train_cmd(
    data: Path, run_dir: Path, streaming: bool, n_jobs: int, overrides: list[str]
) -> list[str]:
    common = [
        PYTHON,
        "-m",
        "newsclf",
        "train",
        "data=records",
        f"data.train={data}",
        "tasks=[topic]",
        "eval.resamples=100",
        f"hydra.run.dir={run_dir}",
    ]
    if streaming:
        return [
            *common,
            "experiment=streaming",
            f"n_jobs={n_jobs}",
            "trainer.progress=false",
            *overrides,
        ]
    return [*common, "features=word_char", "model=sgd", "model.params.max_iter=5", "n_jobs=1"]


PREDICT_SNIPPET = """
import json, os, sys, time
os.sched_setaffinity(0, {0})
import newsclf
from newsclf.data import read_records
clf = newsclf.load(sys.argv[1])
texts = [r.text if not r.title else r.title + "\\n" + r.text for r in read_records(sys.argv[2])]
n = int(sys.argv[3])
texts = (texts * (n // len(texts) + 1))[:n]
clf.predict(texts[:500])  # warm the word cache and imports
walls, cpus = [], []
for _ in range(int(sys.argv[4])):  # this VM's speed wanders by +-30%: report best and median
    t0, c0 = time.perf_counter(), time.process_time()
    clf.predict(texts)
    walls.append(time.perf_counter() - t0)
    cpus.append(time.process_time() - c0)
print(json.dumps({"walls": sorted(walls), "cpus": sorted(cpus), "n": n}))
"""

PROFILE_SNIPPET = """
import json, os, sys, time
os.sched_setaffinity(0, {0})
import numpy as np
import scipy.sparse as sp
import newsclf
from newsclf.data import read_records
from newsclf.features import hashed_ngrams as H
clf = newsclf.load(sys.argv[1])
pipe = clf.models["topic"].pipeline
vec, model = pipe.named_steps["features"], pipe.named_steps["model"]
texts = [r.text if not r.title else r.title + "\\n" + r.text for r in read_records(sys.argv[2])]
n = int(sys.argv[3])
texts = (texts * (n // len(texts) + 1))[:n]
word, char = vec._check_params()
table = vec._table(word, char)
vec.transform(texts[:500])  # warm the word cache
t = {}
def tick(step, c):
    now = time.process_time()
    t[step] = t.get(step, 0.0) + now - c
    return now
c = time.process_time()
for s in range(0, n, H._BATCH):
    batch = texts[s:s + H._BATCH]
    cps, starts, ends, doc = H._batch_words(batch)
    c = tick("find raw words", c)
    wid = table.word_ids_of_codepoints(cps, starts, ends)
    c = tick("word hashes -> ids", c)
    keys = vec._keys(wid, doc, len(batch), table, word, char)
    c = tick("language, rows, n-grams", c)
    counts = H._count_keys(keys, len(batch), vec._key_bits(), vec.dtype)
    c = tick("count per article (sort)", c)
    data, indices, indptr = vec._weighted(*counts, char)
    c = tick("log tf, L2", c)
    X = sp.csr_matrix((data, indices, indptr), shape=(len(batch), vec.n_features_out_))
    model.predict_proba(X)
    c = tick("model", c)
print(json.dumps({k: v / n * 1e6 for k, v in t.items()}))
"""


def calibration_ns() -> float:
    """ns per iteration of a plain dict-lookup loop: how loaded / fast this machine is now."""
    d = {str(i): i for i in range(1000)}
    keys = [str(i % 1000) for i in range(1_000_000)]
    get = d.get
    t0 = time.process_time()
    for k in keys:
        get(k)
    return (time.process_time() - t0) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT / "data" / "demo" / "articles.jsonl")
    parser.add_argument("--sizes", type=int, nargs="+", default=[50_000, 200_000, 800_000])
    parser.add_argument("--memory-sizes", type=int, nargs="*", default=[50_000])
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--predict-n", type=int, default=20_000)
    parser.add_argument("--predict-repeats", type=int, default=5)
    parser.add_argument("--work-dir", type=Path, default=None)
    parser.add_argument(
        "--override",
        action="append",
        default=[],
        help="Hydra override for the streaming runs, e.g. features.text.char_ngram_range=[3,5]",
    )
    args = parser.parse_args()
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="bench_scale-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    print(
        f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}; "
        f"calibration loop {calibration_ns():.0f} ns/iter (unloaded CPUs: ~30-40)"
    )
    print(f"work dir: {work}")
    rows = []
    for n in sorted(set(args.sizes) | set(args.memory_sizes)):
        data = make_corpus(args.source, n, work / f"corpus-{n}.jsonl")
        kinds = []
        if n in args.sizes:
            kinds.append(("streaming", True))
        if n in args.memory_sizes:
            kinds.append(("in-memory tfidf", False))
        for label, streaming in kinds:
            run_dir = work / f"run-{label.split()[0]}-{n}"
            m = run_measured(train_cmd(data, run_dir, streaming, args.n_jobs, args.override), env)
            metrics = json.loads((run_dir / "metrics.json").read_text())
            m.update(
                kind=label,
                n=n,
                train_s=metrics["train_seconds"],
                macro_f1=metrics["tasks"]["topic"]["macro_f1"],
                rate=metrics.get("streaming", {}).get("articles_per_second")
                or n / metrics["train_seconds"],
            )
            rows.append(m)
            print(
                f"{label:<16} N={n:>8,}  total {m['wall']:7.1f} s  train pass {m['train_s']:7.1f} s"
                f"  {m['rate']:>8,.0f} art/s  {n / m['cpu']:>7,.0f} art/CPU-s"
                f"  peak RSS tree {m['peak_tree_mb']:7.0f} MB (largest process "
                f"{m['maxrss_mb']:.0f} MB)  macro-F1 {m['macro_f1']:.3f}",
                flush=True,
            )
    stream = [r for r in rows if r["kind"] == "streaming"]
    if len(stream) > 1:
        a, b = stream[0], stream[-1]
        print(
            f"growth {a['n']:,} -> {b['n']:,} ({b['n'] / a['n']:.0f}x articles): "
            f"train-pass time x{b['train_s'] / a['train_s']:.2f}, total time "
            f"x{b['wall'] / a['wall']:.2f}, peak RSS x{b['peak_tree_mb'] / a['peak_tree_mb']:.2f}"
        )
    model = work / f"run-streaming-{min(args.sizes)}" / "model"
    out = subprocess.run(
        [
            PYTHON,
            "-c",
            PREDICT_SNIPPET,
            str(model),
            str(args.source),
            str(args.predict_n),
            str(args.predict_repeats),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    p = json.loads(out.stdout)
    walls, n = p["walls"], p["n"]
    print(
        f"prediction, one core, {n:,} demo articles through NewsClassifier.predict, "
        f"{len(walls)} repeats: best {n / walls[0]:,.0f} art/s, median "
        f"{n / walls[len(walls) // 2]:,.0f} art/s, worst {n / walls[-1]:,.0f} art/s (wall)"
    )
    out = subprocess.run(
        [PYTHON, "-c", PROFILE_SNIPPET, str(model), str(args.source), "10000"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    prof = json.loads(out.stdout)
    total = sum(prof.values())
    print("profile, one core, CPU µs per article (prediction path):")
    for step, us in prof.items():
        print(f"  {step:<22} {us:7.1f} µs  {us / total:5.1%}")
    print(f"  {'total':<22} {total:7.1f} µs  -> {1e6 / total:,.0f} art/CPU-s")


if __name__ == "__main__":
    main()
