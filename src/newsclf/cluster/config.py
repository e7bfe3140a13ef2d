"""``cluster=none | dask`` in a training config: the engine a run uses."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from newsclf.cluster.engine import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_RETRIES,
    Engine,
    open_engine,
    parse_spec,
)
from newsclf.errors import ConfigError

__all__ = ["CLUSTERS", "check_cluster", "engine_from_config"]

#: ``cluster.name`` values (conf/cluster/NAME.yaml) -> the keys each option may hold
CLUSTERS = {
    "none": {"name"},
    "dask": {"name", "address", "connect_timeout", "retries"},
}


def check_cluster(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """The checked options of ``cfg.cluster`` (``{"name": "none"}`` when the group is absent).

    Every key is checked before anything is read or fitted; errors name the full key.
    """
    node = cfg.get("cluster")
    if node is None:
        return {"name": "none"}
    from newsclf.pipeline import group_option

    name = group_option(cfg, "cluster", CLUSTERS, what="cluster", node_required=True)
    options = dict(node.items())
    unknown = sorted(set(options) - CLUSTERS[name])
    if unknown:
        raise ConfigError(
            f"unknown key for cluster={name}",
            key=f"cluster.{unknown[0]}",
            hint=f"cluster={name} takes "
            + (", ".join(sorted(CLUSTERS[name] - {"name"})) or "no other keys"),
        )
    if name == "none":
        return {"name": "none"}
    address = options.get("address")
    kind, _ = parse_spec(None if address is None else str(address), key="cluster.address")
    if kind == "none":
        raise ConfigError(
            "cluster=dask needs an address: local, local:N or tcp://HOST:PORT",
            key="cluster.address",
            hint="or cluster=none to run in this process",
        )
    timeout = options.get("connect_timeout", DEFAULT_CONNECT_TIMEOUT)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
        raise ConfigError(
            f"must be a positive number of seconds, got {timeout!r}", key="cluster.connect_timeout"
        )
    retries = options.get("retries", DEFAULT_RETRIES)
    if isinstance(retries, bool) or not isinstance(retries, int) or retries < 0:
        raise ConfigError(f"must be a non-negative integer, got {retries!r}", key="cluster.retries")
    return {
        "name": name,
        "address": str(address),
        "connect_timeout": float(timeout),
        "retries": retries,
    }


def engine_from_config(cfg: Mapping[str, Any]) -> Engine:
    """The engine ``cfg.cluster`` selects (a context manager; in process for ``cluster=none``)."""
    options = check_cluster(cfg)
    if options["name"] == "none":
        return Engine()
    return open_engine(
        options["address"],
        key="cluster.address",
        connect_timeout=options["connect_timeout"],
        retries=options["retries"],
    )
