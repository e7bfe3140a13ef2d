"""Where a run's independent pieces of work execute: this process, or a Dask cluster.

One shape for every caller (``newsclf predict``/``embed`` shards, the folds of ``eval=cv``, the
trials of ``newsclf tune``, streaming training's chunks): :meth:`Engine.map_shards` calls
``fn(shared, job, **kwargs)`` once per job and yields the results as they complete. ``shared``
(the model) is sent to each Dask worker once (scattered), not with every task; a task whose
worker dies is run again elsewhere, so ``fn`` must be idempotent (write its output atomically).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from newsclf.errors import ClusterError, ConfigError, NewsclfError

__all__ = [
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_RETRIES",
    "DaskEngine",
    "Engine",
    "SequentialEngine",
    "active_engine",
    "open_engine",
    "parse_spec",
    "using_engine",
]

log = logging.getLogger(__name__)

#: seconds to wait for a scheduler before saying it is unreachable
DEFAULT_CONNECT_TIMEOUT = 10.0
#: extra attempts of a task that raised (a task whose worker died is rescheduled by Dask anyway,
#: up to ``distributed.scheduler.allowed-failures`` times)
DEFAULT_RETRIES = 2

_INSTALL_HINT = "pip install 'newsclf[cluster]'"
_START_HINT = (
    "start one with `dask scheduler --host 127.0.0.1` and workers with "
    "`dask worker tcp://127.0.0.1:8786 --nworkers 1 --nthreads 1`, or use --cluster local:N "
    "for worker processes on this machine (docs/cluster.md)"
)
_LOCAL = re.compile(r"local(?::(\d+))?")


def parse_spec(spec: str | None, *, key: str = "--cluster") -> tuple[str, Any]:
    """``("none", None)``, ``("local", n_workers | None)`` or ``("address", "tcp://...")``.

    ``key`` names the option in errors (``--cluster`` or ``cluster.address``).
    """
    if spec is None or str(spec).strip().lower() in ("", "none", "null"):
        return "none", None
    text = str(spec).strip()
    m = _LOCAL.fullmatch(text)
    if m:
        n = None if m.group(1) is None else int(m.group(1))
        if n is not None and n < 1:
            raise ConfigError(f"needs at least one worker, got {text!r}", key=key)
        return "local", n
    if re.fullmatch(r"(tcp|tls|ucx|inproc)://\S+", text):
        return "address", text
    raise ConfigError(
        f"expected local, local:N or a scheduler address tcp://HOST:PORT, got {text!r}",
        key=key,
        hint="e.g. --cluster local:2 or --cluster tcp://127.0.0.1:8786",
    )


class _Failed:
    """A user error (:class:`NewsclfError`: a bad record, a bad option) raised by a task: handed
    back as a result so that Dask does not retry it (it would fail the same way); the client
    raises it. Other exceptions (a flaky file system) are retried (``retries``)."""

    def __init__(self, error: NewsclfError) -> None:
        self.error = error


def _call(fn: Callable[..., Any], shared: Any, job: Any, kwargs: dict[str, Any]) -> Any:
    try:
        return fn(shared, job, **kwargs)
    except NewsclfError as error:
        return _Failed(error)


class Engine:
    """Runs jobs in this process, one after the other (``cluster=none``, no ``--cluster``)."""

    #: what ``--cluster`` / ``cluster.address`` said ("none" for this process)
    spec: str = "none"

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the cluster (a no-op in process)."""

    @property
    def n_workers(self) -> int:
        """Workers that run tasks (1 in process)."""
        return 1

    @property
    def distributed(self) -> bool:
        """Whether tasks leave this process."""
        return False

    def map_shards(
        self,
        fn: Callable[..., Any],
        jobs: Iterable[Any],
        *,
        shared: Any = None,
        **kwargs: Any,
    ) -> Iterator[Any]:
        """``fn(shared, job, **kwargs)`` for every job; results in completion order.

        In process that is the jobs' order. ``fn``, ``shared``, the jobs and ``kwargs`` must be
        picklable for a cluster (a top-level function, plain data).
        """
        for job in jobs:
            yield fn(shared, job, **kwargs)

    def on_workers(self, fn: Callable[[], Any]) -> None:
        """Call ``fn()`` once in every worker process (a clean-up at the end of a run); in
        process nothing: what the tasks kept is the caller's."""

    def joblib_backend(self) -> contextlib.AbstractContextManager[Any]:
        """A context in which joblib ``Parallel`` runs on this engine (in process: unchanged)."""
        return contextlib.nullcontext()

    def joblib_n_jobs(self, n_jobs: int) -> int:
        """The ``n_jobs`` for joblib inside :meth:`joblib_backend` (in process: as given)."""
        return n_jobs


SequentialEngine = Engine


class DaskEngine(Engine):
    """Runs jobs as tasks of a Dask cluster: a ``LocalCluster`` or a running scheduler."""

    def __init__(
        self,
        client: Any,
        *,
        spec: str,
        cluster: Any = None,
        retries: int = DEFAULT_RETRIES,
    ) -> None:
        self.client = client
        self.cluster = cluster
        self.spec = spec
        self.retries = retries

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.client.close()
        if self.cluster is not None:
            with contextlib.suppress(Exception):
                self.cluster.close()

    @property
    def n_workers(self) -> int:
        return max(len(self.client.scheduler_info(n_workers=-1).get("workers", {})), 1)

    @property
    def distributed(self) -> bool:
        return True

    def scatter(self, obj: Any) -> Any:
        """``obj`` on every worker, once; pass the returned future to tasks in its place."""
        # hash=False: tokenising a large model costs more than sending it
        return self.client.scatter(obj, broadcast=True, hash=False)

    def map_shards(
        self,
        fn: Callable[..., Any],
        jobs: Iterable[Any],
        *,
        shared: Any = None,
        **kwargs: Any,
    ) -> Iterator[Any]:
        from distributed import as_completed

        jobs = list(jobs)
        if not jobs:
            return
        # a small reference (a model's path: shared.send_with_tasks) goes with each task; a
        # scattered object would be one more thing a lost worker can take with it
        inline = getattr(shared, "send_with_tasks", False)
        handle = self.scatter(shared) if shared is not None and not inline else None
        argument = shared if inline else handle
        name = getattr(fn, "__name__", "task")
        batch = uuid.uuid4().hex[:8]
        futures = [
            self.client.submit(
                _call,
                fn,
                argument,
                job,
                kwargs,
                key=f"{name}-{batch}-{i}",
                pure=False,
                retries=self.retries,
            )
            for i, job in enumerate(jobs)
        ]
        running = {future.key: future for future in futures}
        completed = as_completed(futures, loop=self.client.loop)
        del futures
        try:
            for future in completed:
                result = future.result()
                if isinstance(result, _Failed):
                    raise result.error
                # released at once: a result the client holds is not recomputed when the worker
                # that made it dies later (only shards still running are rerun)
                running.pop(future.key)
                future.release()
                yield result
        finally:
            # a consumer that stops early (an error) leaves nothing running on the cluster
            if running:
                self.client.cancel(list(running.values()))
            if handle is not None:
                self.client.cancel([handle])

    def on_workers(self, fn: Callable[[], Any]) -> None:
        # best effort: a worker that died or left has nothing to clean
        with contextlib.suppress(Exception):
            self.client.run(fn)

    def joblib_backend(self) -> contextlib.AbstractContextManager[Any]:
        import joblib

        return joblib.parallel_config(
            backend="dask", client=self.client, wait_for_workers_timeout=60
        )

    def joblib_n_jobs(self, n_jobs: int) -> int:
        return -1  # one joblib task at a time per worker thread of the cluster


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise ClusterError(
            "a Dask cluster needs dask.distributed, which is not installed",
            hint=_INSTALL_HINT,
        ) from None
    return distributed


def open_engine(
    spec: str | None,
    *,
    key: str = "--cluster",
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT,
    retries: int = DEFAULT_RETRIES,
) -> Engine:
    """The engine ``spec`` names (use it as a context manager: it closes the cluster).

    ``None`` (or ``none``): this process, sequential. ``local`` / ``local:N``: a
    ``distributed.LocalCluster`` of N single-threaded worker processes (N: the CPU count).
    ``tcp://HOST:PORT``: a running ``dask scheduler``. ``key`` names the option in errors.
    """
    kind, value = parse_spec(spec, key=key)
    if kind == "none":
        return Engine()
    distributed = _import_distributed()
    # the scheduler's and workers' INFO lines (connections, workers joining) are not the run's
    logging.getLogger("distributed").setLevel(max(logging.WARNING, log.getEffectiveLevel()))
    if kind == "local":
        n = value or os.cpu_count() or 1
        import dask

        # the memory manager would drop the scattered model's extra copies, and a worker lost
        # with the last one would take the tasks that need it down with it
        with dask.config.set({"distributed.scheduler.active-memory-manager.start": False}):
            cluster = _local_cluster(distributed, n)
        client = distributed.Client(cluster)
        log.info("local Dask cluster of %d worker processes at %s", n, cluster.scheduler_address)
        return DaskEngine(client, spec=str(spec), cluster=cluster, retries=retries)
    return _connect(distributed, value, spec, connect_timeout, retries)


def _local_cluster(distributed: Any, n: int) -> Any:
    return distributed.LocalCluster(
        n_workers=n,
        threads_per_worker=1,
        processes=True,
        dashboard_address=":0",  # any free port: 8787 may be taken (another user)
        host="127.0.0.1",
    )


def _connect(
    distributed: Any, address: str, spec: str | None, connect_timeout: float, retries: int
) -> DaskEngine:
    try:
        client = distributed.Client(address, timeout=connect_timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        raise ClusterError(
            f"no Dask scheduler answered within {connect_timeout:g} s ({exc})",
            address=address,
            hint=_START_HINT,
        ) from None
    engine = DaskEngine(client, spec=str(spec), retries=retries)
    workers = len(client.scheduler_info(n_workers=-1).get("workers", {}))
    if workers:
        log.info("Dask scheduler %s: %d workers", address, workers)
    else:
        log.warning(
            "Dask scheduler %s has no workers yet: tasks wait until one connects "
            "(`dask worker %s --nworkers 1 --nthreads 1`)",
            address,
            address,
        )
    return engine


_ACTIVE: contextvars.ContextVar[Engine | None] = contextvars.ContextVar("engine", default=None)


def active_engine() -> Engine | None:
    """The engine of the run in progress (:func:`using_engine`), for steps deep inside a
    pipeline (embedding batches) that no caller can hand it to; ``None`` outside a run."""
    return _ACTIVE.get()


@contextlib.contextmanager
def using_engine(engine: Engine) -> Iterator[Engine]:
    """Make ``engine`` the :func:`active_engine` for the duration of the block."""
    token = _ACTIVE.set(engine)
    try:
        yield engine
    finally:
        _ACTIVE.reset(token)
