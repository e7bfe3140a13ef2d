"""Dask as the engine past one machine (``--cluster``, ``cluster=dask``; docs/cluster.md).

:func:`open_engine` gives an :class:`Engine`: in this process, a ``LocalCluster`` of worker
processes, or a running ``dask scheduler``. Work goes through :meth:`Engine.map_shards` (one
task per shard, fold or trial; the model scattered once) or, where it already uses joblib,
through :meth:`Engine.joblib_backend`. ``distributed`` is imported only when a cluster is asked
for, so the in-process engine needs no extra.
"""

from newsclf.cluster.config import CLUSTERS, engine_from_config
from newsclf.cluster.engine import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_RETRIES,
    DaskEngine,
    Engine,
    SequentialEngine,
    active_engine,
    open_engine,
    parse_spec,
    using_engine,
)

__all__ = [
    "CLUSTERS",
    "DEFAULT_CONNECT_TIMEOUT",
    "DEFAULT_RETRIES",
    "DaskEngine",
    "Engine",
    "SequentialEngine",
    "active_engine",
    "engine_from_config",
    "open_engine",
    "parse_spec",
    "using_engine",
]
