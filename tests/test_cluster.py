"""``newsclf.cluster``: the same results on a real ``distributed.LocalCluster`` of worker
processes as in this process; the shared object sent once per worker; a task whose worker is
SIGKILLed rerun and its output written once; clear errors for a bad spec, an unreachable
scheduler and the missing extra; ``eval=cv`` and streaming training with ``cluster=dask``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from newsclf.cli import main
from newsclf.cluster import Engine, engine_from_config, open_engine, parse_spec
from newsclf.errors import ClusterError, ConfigError, DataError

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def scheduler() -> str:
    """The address of one LocalCluster of 2 single-threaded worker processes (loopback)."""
    import dask

    # as open_engine does: no memory manager dropping the scattered object's extra copies
    no_amm = {"distributed.scheduler.active-memory-manager.start": False}
    with (
        dask.config.set(no_amm),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: 8787 may be taken (another user)
            host="127.0.0.1",
        ) as cluster,
    ):
        yield cluster.scheduler_address


@pytest.fixture
def engine(scheduler: str) -> Engine:
    with open_engine(scheduler) as engine:
        engine.client.wait_for_workers(2, timeout=60)  # a killed worker's nanny restarts it
        yield engine


# --- task functions (top-level: workers import them by reference) ----------------------------


def _square_plus(shared: dict, job: int, *, offset: int = 0) -> tuple[int, int]:
    return job, job * job + shared["base"] + offset


class _CountsUnpickling:
    """Appends a line to ``log`` each time a copy of it is unpickled (on a worker)."""

    def __init__(self, log: str) -> None:
        self.log = log
        self.payload = np.arange(10_000)

    def __reduce__(self) -> tuple:
        return (_unpickled, (self.log, self.payload))


def _unpickled(log: str, payload: np.ndarray) -> _CountsUnpickling:
    with open(log, "a", encoding="utf-8") as f:
        f.write(f"{os.getpid()}\n")
    obj = _CountsUnpickling.__new__(_CountsUnpickling)
    obj.log, obj.payload = log, payload
    return obj


def _sum_payload(shared: _CountsUnpickling, job: int) -> int:
    return int(shared.payload.sum()) + job


def _write_shard(shared: dict, job: int) -> int:
    """Write ``out/part-JOB.txt`` atomically; the first attempt at the last shard kills its
    worker once the client has received the other shards' results (``go`` appears): those
    results must not be recomputed although the dead worker held them."""
    out = Path(shared["out"])
    marker = out / "killed-once"
    if job == shared["kill"] and not marker.exists():
        deadline = time.monotonic() + 120
        while not (out / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        marker.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    tmp = out / f".part-{job}.tmp-{os.getpid()}"
    tmp.write_text("".join(f"{job}:{i}\n" for i in range(100)), encoding="utf-8")
    os.replace(tmp, out / f"part-{job}.txt")
    with open(out / "writes.log", "a", encoding="utf-8") as f:
        f.write(f"{job}\n")
    return job


def _raise_data_error(shared: dict, job: int) -> None:
    with open(shared["log"], "a", encoding="utf-8") as f:
        f.write("attempt\n")
    raise DataError("bad record", path="shard.jsonl", line=job, hint="fix line " + str(job))


# --- the engine ------------------------------------------------------------------------------


def test_map_shards_on_workers_gives_the_in_process_results(engine: Engine) -> None:
    jobs = list(range(8))
    with open_engine(None) as local:
        expected = list(local.map_shards(_square_plus, jobs, shared={"base": 5}, offset=1))
    got = list(engine.map_shards(_square_plus, jobs, shared={"base": 5}, offset=1))
    assert sorted(got) == expected
    assert engine.n_workers == 2 and engine.distributed


def test_the_shared_object_is_unpickled_once_per_worker_not_per_task(
    engine: Engine, tmp_path: Path
) -> None:
    log = tmp_path / "unpickled.log"
    shared = _CountsUnpickling(str(log))
    jobs = list(range(12))
    results = sorted(engine.map_shards(_sum_payload, jobs, shared=shared))
    assert results == [int(shared.payload.sum()) + j for j in jobs]
    pids = log.read_text().split()
    assert 1 <= len(pids) <= engine.n_workers < len(jobs)
    assert len(set(pids)) == len(pids)  # one copy per worker process


def test_a_task_whose_worker_is_killed_is_rerun_and_its_output_written_once(
    engine: Engine, tmp_path: Path
) -> None:
    jobs = list(range(6))
    shared = {"out": str(tmp_path), "kill": jobs[-1]}
    done = []
    for job in engine.map_shards(_write_shard, jobs, shared=shared):
        done.append(job)
        if len(done) == len(jobs) - 1:
            time.sleep(0.5)  # the scheduler hears that the client released them
            (tmp_path / "go").touch()
    assert sorted(done) == jobs
    assert (tmp_path / "killed-once").exists()  # the first attempt at the last shard died
    assert sorted(int(j) for j in (tmp_path / "writes.log").read_text().split()) == jobs
    for job in jobs:
        lines = (tmp_path / f"part-{job}.txt").read_text(encoding="utf-8").splitlines()
        assert lines == [f"{job}:{i}" for i in range(100)]
    assert not list(tmp_path.glob(".part-*"))


def test_a_user_error_on_a_worker_keeps_its_location_and_hint_and_is_not_retried(
    engine: Engine, tmp_path: Path
) -> None:
    log = tmp_path / "attempts.log"
    with pytest.raises(DataError) as info:
        list(engine.map_shards(_raise_data_error, [7], shared={"log": str(log)}))
    assert info.value.path == "shard.jsonl" and info.value.line == 7
    assert "shard.jsonl:7" in str(info.value) and "fix line 7" in str(info.value)
    assert log.read_text().split() == ["attempt"]  # a bad record fails the same way again


def test_an_unreachable_scheduler_names_the_address_and_how_to_start_one() -> None:
    with pytest.raises(ClusterError) as info:
        open_engine("tcp://127.0.0.1:9", connect_timeout=1)
    message = str(info.value)
    assert "tcp://127.0.0.1:9" in message
    assert "dask scheduler --host 127.0.0.1" in message


def test_a_cluster_without_the_extra_says_which_extra_to_install(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    with pytest.raises(ClusterError, match=r"newsclf\[cluster\]"):
        open_engine("local:1")
    with open_engine(None) as engine:  # in process needs no extra
        assert list(engine.map_shards(_square_plus, [2], shared={"base": 0})) == [(2, 4)]


@pytest.mark.parametrize("spec", ["local:0", "localhost", "127.0.0.1:8786", "local:x"])
def test_a_malformed_cluster_spec_is_refused_naming_the_option(spec: str) -> None:
    with pytest.raises(ConfigError, match=r"'--cluster'"):
        parse_spec(spec)


def test_cluster_config_keys_are_checked_with_their_full_key() -> None:
    from omegaconf import OmegaConf

    bad = OmegaConf.create({"cluster": {"name": "dask", "address": "nowhere"}})
    with pytest.raises(ConfigError, match=r"cluster\.address"):
        engine_from_config(bad)
    bad = OmegaConf.create({"cluster": {"name": "dask", "address": "local", "workers": 2}})
    with pytest.raises(ConfigError, match=r"cluster\.workers"):
        engine_from_config(bad)
    bad = OmegaConf.create({"cluster": {"name": "dask", "address": "local", "retries": -1}})
    with pytest.raises(ConfigError, match=r"cluster\.retries"):
        engine_from_config(bad)
    with engine_from_config(OmegaConf.create({"cluster": {"name": "none"}})) as engine:
        assert not engine.distributed


class _NotHere:
    """A local encoder that must not be used: the batches belong on the workers."""

    dim = 256
    key = "char_hash-256"

    def encode(self, texts, kind):
        pytest.fail("encoded in this process")


def test_embedding_batches_of_a_run_on_a_cluster_are_encoded_on_the_workers(
    engine: Engine,
) -> None:
    from newsclf.cluster import using_engine
    from newsclf.features.encoders import embed_texts, get_encoder

    texts = [f"text number {i} about {['rates', 'goals', 'films'][i % 3]}" for i in range(23)]
    texts += texts[:5]  # repeated texts are embedded once
    expected = embed_texts(texts, get_encoder("char_hash"), batch_size=4)
    with using_engine(engine):
        got = embed_texts(texts, _NotHere(), batch_size=4, remote=("char_hash", None))
    np.testing.assert_array_equal(got, expected)


def test_predict_cli_with_cluster_writes_the_in_process_shards(
    scheduler: str, tiny_model_dir: Path, tmp_path: Path
) -> None:
    shards = []
    for k in range(3):
        rows = [
            {"id": f"s{k}-{i}", "text": f"forint infláció gól {i}", "target": "Az infláció."}
            for i in range(7)
        ]
        shard = tmp_path / "in" / f"part-{k}.jsonl"
        shard.parent.mkdir(exist_ok=True)
        shard.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        shards.append(str(shard))
    model = str(tiny_model_dir)
    assert main(["predict", model, *shards, "-o", str(tmp_path / "local")]) == 0
    args = ["predict", model, *shards, "-o", str(tmp_path / "dask"), "--cluster", scheduler]
    assert main(args) == 0
    for k in range(3):
        name = f"part-{k}.jsonl"
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


# --- training with cluster=dask --------------------------------------------------------------

# timings and where things went: not results
VOLATILE = {"train_seconds", "eval_seconds", "total_seconds", "model_dir", "overrides"}


def _metrics(run_dir: Path) -> dict:
    payload = json.loads((run_dir / "metrics.json").read_text(encoding="utf-8"))
    for task in payload["tasks"].values():
        task.pop("train_seconds", None)
    for stats in payload.values():
        if isinstance(stats, dict):
            for key in ("scan_seconds", "fit_seconds", "articles_per_second"):
                stats.pop(key, None)
    return {k: v for k, v in payload.items() if k not in VOLATILE}


def _train_in_process_and_on_cluster(common: list[str], scheduler: str, tmp_path: Path) -> None:
    """Train ``common`` in this process (run dir ``local``) and with ``cluster=dask`` on
    ``scheduler`` (run dir ``dask``); both succeed and write the same metrics."""
    assert main([*common, f"hydra.run.dir={tmp_path / 'local'}"]) == 0
    on_cluster = [f"hydra.run.dir={tmp_path / 'dask'}", "cluster=dask"]
    assert main([*common, *on_cluster, f"cluster.address={scheduler}"]) == 0
    assert _metrics(tmp_path / "dask") == _metrics(tmp_path / "local")


def _topic_rows(n: int = 60) -> list[dict]:
    rng = np.random.default_rng(0)
    words = {
        "economy": ["inflation", "bank", "rates", "budget", "forint", "prices"],
        "sport": ["match", "goal", "striker", "league", "coach", "final"],
        "culture": ["film", "novel", "theatre", "concert", "museum", "poet"],
    }
    topics = list(words)
    rows = []
    for i in range(n):
        topic = topics[i % 3]
        noise = words[topics[rng.integers(3)]]
        w = [*rng.choice(words[topic], 3), *rng.choice(noise, 2)]
        rows.append({"id": f"r{i}", "text": " ".join(w), "topic": topic, "group": f"g{i // 2}"})
    return rows


def test_eval_cv_on_a_cluster_writes_the_metrics_and_predictions_of_an_in_process_run(
    scheduler: str, write_jsonl, tmp_path: Path
) -> None:
    corpus = write_jsonl(_topic_rows())
    common = [
        "train",
        "tasks=[topic]",
        "eval=cv",
        "eval.folds=3",
        "eval.resamples=50",
        "model=logreg",
        "features=word",
        "data=records",
        f"data.train={corpus}",
    ]
    _train_in_process_and_on_cluster(common, scheduler, tmp_path)
    for name in ("predictions.jsonl",):
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "local" / name).read_bytes()


def test_holdout_training_with_embeddings_on_a_cluster_writes_the_in_process_metrics(
    scheduler: str, write_jsonl, tmp_path: Path
) -> None:
    corpus = write_jsonl(_topic_rows())
    common = [
        "train",
        "tasks=[topic]",
        "eval.resamples=20",
        "model=logreg",
        "features=embed",
        "features.text.encoder=char_hash",
        "features.text.batch_size=8",
        "features.text.cache=false",
        "data=records",
        f"data.train={corpus}",
    ]
    _train_in_process_and_on_cluster(common, scheduler, tmp_path)


def test_streaming_training_on_a_cluster_writes_the_metrics_of_an_in_process_run(
    scheduler: str, write_jsonl, tmp_path: Path
) -> None:
    corpus = write_jsonl(_topic_rows(80))
    common = [
        "train",
        "experiment=streaming",
        "data=records",
        f"data.train={corpus}",
        "tasks=[topic]",
        "trainer.chunk_size=9",
        "trainer.epochs=2",
        "eval.resamples=20",
        "n_jobs=1",
    ]
    _train_in_process_and_on_cluster(common, scheduler, tmp_path)


def test_tune_runs_its_trials_as_tasks_on_the_cluster_workers(
    scheduler: str, tmp_path: Path, monkeypatch
) -> None:
    optuna = pytest.importorskip("optuna")
    # a trial run in this process fails the test: they must run on the workers
    monkeypatch.setattr("newsclf.runs.tune.run_app", lambda argv: pytest.fail("ran in process"))
    sweep = tmp_path / "sweep"
    fast = ["tasks=[topic]", "eval.resamples=20", "features.text.max_features=300",
            "features.text.char_max_features=300"]  # fmt: skip
    args = ["tune", "linear_optuna", "--dir", str(sweep), "--n-trials", "2"]
    assert main([*args, "cluster=dask", f"cluster.address={scheduler}", *fast]) == 0
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    storage = JournalStorage(JournalFileBackend(str(sweep / "optuna.journal")))
    study = optuna.load_study(study_name="newsclf_linear", storage=storage)
    assert [t.state.name for t in study.trials] == ["COMPLETE", "COMPLETE"]
    for trial in study.trials:
        assert (sweep / trial.user_attrs["run_dir"] / "metrics.json").is_file()


def test_predict_cli_with_cluster_refuses_a_model_changed_on_disk_with_the_checksum_error(
    scheduler: str, tiny_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    """The workers load the model from its path with newsclf.load's checks: a damaged file is
    the same clear error as in process, and no output is written."""
    import shutil

    model = tmp_path / "model"
    shutil.copytree(tiny_model_dir, model)
    pickled = next(p for p in model.iterdir() if p.name != "manifest.json")
    pickled.write_bytes(pickled.read_bytes() + b"\0")
    shard = tmp_path / "in" / "part-0.jsonl"
    shard.parent.mkdir()
    shard.write_text(json.dumps({"id": "a", "text": "forint"}) + "\n", encoding="utf-8")
    args = ["predict", str(model), str(shard.parent), "-o", str(tmp_path / "out")]
    assert main([*args, "--cluster", scheduler]) == 2
    assert "checksum mismatch" in capsys.readouterr().err
    assert not list((tmp_path / "out").glob("part-*"))


def test_a_client_that_sends_shards_to_a_cluster_does_not_import_scikit_learn() -> None:
    """`newsclf predict --cluster` starts without scikit-learn (~0.8 s of a run's serial
    start-up, bench_cluster): the workers import it to load the model."""
    code = (
        "import contextlib, io, sys, newsclf.archive.run, newsclf.archive.source, newsclf.cluster\n"
        "from newsclf.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['predict', '--help'])  # every command's parser built\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sklearn', 'scipy', 'joblib')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
