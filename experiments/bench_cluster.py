"""`newsclf predict --cluster tcp://...` on a Dask scheduler and workers started from the
command line: the local run's output, also when a worker is SIGKILLed halfway, and records/s
with 1 vs 2 workers. (issue 25)

    .venv/bin/python experiments/bench_cluster.py --root /work/shared/data/20newsgroups_bydate
    .venv/bin/python experiments/bench_cluster.py --root DIR --model RUN/model --shards 16

Builds ``--shards`` shards of ``--per-shard`` 20 Newsgroups training posts (``.jsonl``,
``.jsonl.gz`` and ``.parquet`` in turn, as bench_archive.py does), trains ``experiment=20ng_fast``
unless ``--model`` is given, then, everything on loopback (127.0.0.1):

1. reference: ``newsclf predict MODEL shards/* -o ref`` in this machine's process;
2. two ``dask scheduler --host 127.0.0.1 --port P`` subprocesses, one with one ``dask worker
   tcp://127.0.0.1:P --nworkers 1 --nthreads 1 --no-nanny``, one with two; ``newsclf predict ...
   --cluster tcp://127.0.0.1:P`` on each in turn (1, 2, 1, 2, ... ``--repeat`` times), so that
   a change of the machine's load hits both alike; the ratio is of the median wall times
   (each worker's peak RSS read from /proc/PID/status VmHWM);
3. a run on the 2-worker cluster, one worker SIGKILLed once half the shards are done; the survivor
   finishes (no nanny restarts the dead one).

Every output directory is compared file by file with the reference (same bytes). records/s is
records over the predict command's wall time (start-up, model loading and sending included, as
a user sees it); workers are started and warmed up (``import newsclf``) before the clock starts,
as a long-lived cluster would be. /proc/loadavg is printed before and after: on a shared machine
the 1-vs-2 ratio is only as good as the CPU the workers got.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_archive import base_records, predict_cmd, train_model, write_corpus
from bench_scale import PYTHON, ROOT, run_measured

MANIFEST = ".newsclf-shards.json"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loadavg() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a live process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


class Cluster:
    """A ``dask scheduler`` and ``dask worker`` processes on loopback, stopped on exit."""

    def __init__(self, logs: Path, name: str = "") -> None:
        self.name = name
        self.port = free_port()
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.logs = logs
        self.workers: list[subprocess.Popen] = []
        self.scheduler = self._spawn(
            f"scheduler{name}", ["scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                          "--no-dashboard"],
        )  # fmt: skip

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        dask = str(Path(PYTHON).with_name("dask"))  # the CLI of the venv running this
        # keep every worker's copy of the scattered model (docs/cluster.md: a worker lost with
        # the only copy would take the tasks that need it down with it)
        env = {**os.environ, "DASK_DISTRIBUTED__SCHEDULER__ACTIVE_MEMORY_MANAGER__START": "False"}
        return subprocess.Popen([dask, *args], stdout=log, stderr=subprocess.STDOUT, env=env)

    def add_workers(self, n: int) -> None:
        for _ in range(n):
            i = len(self.workers)
            self.workers.append(
                self._spawn(
                    f"worker{self.name}-{i}",
                    [
                        "worker",
                        self.address,
                        "--nworkers",
                        "1",
                        "--nthreads",
                        "1",
                        "--no-nanny",
                        "--host",
                        "127.0.0.1",
                        "--name",
                        f"{self.name}w{i}",
                    ],
                )
            )
        self.wait_and_warm(len(self.alive()))

    def alive(self) -> list[subprocess.Popen]:
        return [w for w in self.workers if w.poll() is None]

    def wait_and_warm(self, n: int) -> None:
        from distributed import Client

        with Client(self.address, timeout=60) as client:
            client.wait_for_workers(n, timeout=120)
            # import what a shard task needs, as a worker that has been up a while would have
            client.run(lambda: __import__("newsclf.archive.predict"))

    def stop_workers(self) -> None:
        for w in self.alive():
            w.terminate()
        for w in self.workers:
            w.wait(timeout=30)
        self.workers = []
        time.sleep(1.0)  # the scheduler notices they left

    def close(self) -> None:
        self.stop_workers()
        self.scheduler.terminate()
        self.scheduler.wait(timeout=30)


def same_outputs(ref: Path, out: Path) -> tuple[bool, int]:
    """Whether every output file of ``ref`` is in ``out`` with the same bytes; records seen."""
    names = sorted(p.name for p in ref.iterdir() if not p.name.startswith("."))
    records = 0
    for name in names:
        a, b = (
            (ref / name).read_bytes(),
            (out / name).read_bytes() if (out / name).exists() else b"",
        )
        if a != b:
            return False, records
        records += a.count(b"\n")
    extra = sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) != names
    return not extra, records


def done_shards(out: Path) -> int:
    try:
        return len(json.loads((out / MANIFEST).read_text())["shards"])
    except (OSError, ValueError, KeyError, TypeError):
        return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, required=True, help="20 Newsgroups bydate folder")
    parser.add_argument("--shards", type=int, default=16)
    parser.add_argument("--per-shard", type=int, default=2500, help="posts per shard")
    parser.add_argument("--model", type=Path, help="a trained model (default: train 20ng_fast)")
    parser.add_argument("--work-dir", type=Path, help="corpus and outputs (default: a temp dir)")
    parser.add_argument(
        "--repeat", type=int, default=3, help="alternating 1-worker and 2-worker runs (default: 3)"
    )
    args = parser.parse_args(argv)

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="bench-cluster-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "logs").mkdir(exist_ok=True)
    print(f"work dir {work}; load before {loadavg()}", flush=True)
    model = args.model or train_model(args.root, work / "train")
    rows = base_records(args.root, args.per_shard)
    corpus_dir = work / "corpus"
    if not corpus_dir.exists():
        write_corpus(rows, args.shards, corpus_dir)
    shards = [str(p) for p in sorted((corpus_dir / "shards").iterdir())]
    n = len(rows) * args.shards
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    results: list[dict] = []

    def predict(label: str, out: Path, extra: list[str]) -> dict:
        measured = run_measured(predict_cmd(model, shards, out, extra), env=env)
        same, records = same_outputs(work / "ref", out) if label != "in process" else (True, n)
        row = {"label": label, "records": records, "same": same, **measured}
        results.append(row)
        print(
            f"{label:<34} {records:>7} records {records / measured['wall']:>7.0f} rec/s "
            f"({measured['wall']:.1f} s) client peak {measured['maxrss_mb']:.0f} MB, "
            f"same as in process: {same}; load {loadavg()}",
            flush=True,
        )
        return row

    predict("in process", work / "ref", [])
    # a 1-worker and a 2-worker cluster side by side; their runs alternate (1, 2, 1, 2, ...) so
    # that a change of the machine's load hits both alike
    clusters = {1: Cluster(work / "logs", "a"), 2: Cluster(work / "logs", "b")}
    try:
        for n_workers, cluster in clusters.items():
            cluster.add_workers(n_workers)
        for r in range(args.repeat):
            for n_workers, cluster in clusters.items():
                row = predict(f"{n_workers} worker(s), run {r + 1}", work / f"w{n_workers}-{r}",
                              ["--cluster", cluster.address])  # fmt: skip
                row["workers"] = n_workers
        for n_workers, cluster in clusters.items():
            peaks = [round(peak_rss_mb(w.pid)) for w in cluster.alive()]
            print(f"  {n_workers} worker(s): peak RSS (VmHWM) {peaks} MB", flush=True)

        # 2 workers, one SIGKILLed once half the shards are in the manifest
        cluster = clusters[2]
        out = work / "killed"
        cmd = predict_cmd(model, shards, out, ["--cluster", cluster.address])
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=(work / "logs" / "client.log").open("wb"),
        )
        victim = cluster.workers[0]
        while done_shards(out) < args.shards // 2 and proc.poll() is None:
            time.sleep(0.05)
        killed_at = done_shards(out)
        victim.send_signal(signal.SIGKILL)
        code = proc.wait()
        wall = time.perf_counter() - start
        same, records = same_outputs(work / "ref", out)
        print(
            f"{'2 workers, one SIGKILLed':<34} {records:>7} records {records / wall:>7.0f} rec/s "
            f"({wall:.1f} s) exit {code}, killed after {killed_at}/{args.shards} shards, "
            f"same as in process: {same}; load {loadavg()}",
            flush=True,
        )
        results.append({"label": "2 workers, one SIGKILLed", "records": records, "same": same,
                        "wall": wall, "maxrss_mb": float("nan")})  # fmt: skip
    finally:
        for cluster in clusters.values():
            cluster.close()

    print(f"\n{n} records in {args.shards} shards; model {model}; load after {loadavg()}")
    print("| run | records | wall s | records/s | same output |\n|---|---:|---:|---:|---|")
    for r in results:
        print(
            f"| {r['label']} | {r['records']} | {r['wall']:.1f} | {r['records'] / r['wall']:.0f} "
            f"| {r['same']} |"
        )
    walls = {k: [r["wall"] for r in results if r.get("workers") == k] for k in (1, 2)}
    pairs = ", ".join(f"{a / b:.2f}" for a, b in zip(walls[1], walls[2], strict=True))
    print(
        f"2 workers / 1 worker: {statistics.median(walls[1]) / statistics.median(walls[2]):.2f}x "
        f"(medians of {args.repeat} alternating runs each; run by run: {pairs})"
    )
    ok = all(r["same"] and r["records"] == n for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
