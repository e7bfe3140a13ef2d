"""Applying a model or an encoder to sharded corpora (archives of many files).

A shard is one input file; :mod:`~newsclf.archive.shards` plans the jobs (outputs named after
their inputs) and keeps the manifest of finished ones, :func:`~newsclf.archive.predict.
predict_shard` and :func:`~newsclf.archive.embed.embed_shard` do one shard each, streaming it
in chunks. Both are plain picklable functions, so the same jobs run in this process or on the
workers of a Dask cluster (:mod:`newsclf.cluster`).
"""

from newsclf.archive.shards import ShardJob, ShardManifest, ShardResult, pending, plan_shards

__all__ = ["ShardJob", "ShardManifest", "ShardResult", "pending", "plan_shards"]
