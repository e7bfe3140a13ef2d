"""Shards: which input files to process, where each one's output goes, and which are done.

A shard is one input file of a corpus (``part-0003.jsonl.gz``); its output is one file named
after it in the output directory (``part-0003.jsonl``), written atomically. A small manifest in
that directory (:data:`MANIFEST_NAME`) records each finished shard with its input's size and
sha256 and the fingerprint of what produced it (the model and the options), so a re-run skips
exactly the shards whose output is already right and a changed input or model redoes them.
The manifest is written by one process only (the one that plans and collects the shards), after
each shard, atomically.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsclf.data.records import expand_inputs, format_suffix, names_several
from newsclf.errors import ConfigError, DataError
from newsclf.utils.atomic import write_text
from newsclf.utils.hashing import file_sha256

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "MANIFEST_NAME",
    "OUTPUT_FORMATS",
    "ShardJob",
    "ShardManifest",
    "ShardResult",
    "fingerprint",
    "is_sharded",
    "model_fingerprint",
    "pending",
    "plan_shards",
]

#: records read, predicted and written at a time: large enough that the per-call overhead of
#: the pipelines is amortised, small enough that memory stays flat (a few MB of text)
DEFAULT_CHUNK_SIZE = 2000
#: the manifest file in an output directory (hidden: a directory input skips it)
MANIFEST_NAME = ".newsclf-shards.json"
#: what ``--output-format`` can ask for, and the suffix each output file gets
OUTPUT_FORMATS = {"jsonl": ".jsonl", "jsonl.gz": ".jsonl.gz", "parquet": ".parquet"}
_MANIFEST_VERSION = 1


@dataclass(frozen=True)
class ShardJob:
    """One input file and where its output goes. Small and picklable (sent to workers).

    ``output`` is ``None`` for "standard output" (one input, no ``-o``) and for work without an
    output file (``newsclf embed``, whose output is the embedding cache). ``key`` is
    ``"SIZE:SHA256"`` of the input, so a shard whose input changed is not taken as done.
    """

    input: Path
    output: Path | None
    format: str
    key: str

    @property
    def name(self) -> str:
        """What the manifest files the shard under: its output's name, else its input's path."""
        return self.output.name if self.output is not None else str(self.input)


@dataclass(frozen=True)
class ShardResult:
    """What one shard produced: records read, of which errors (``--on-error=record`` lines),
    and the seconds it took."""

    job: ShardJob
    records: int
    errors: int
    seconds: float


def input_key(path: Path) -> str:
    """``"SIZE:SHA256"`` of a file (read once, in blocks)."""
    return f"{path.stat().st_size}:{file_sha256(path)}"


def is_sharded(inputs: Sequence[str | Path], out: str | Path | None = None) -> bool:
    """Whether ``inputs`` ask for sharded output (a directory of outputs): more than one input,
    a directory or a glob, or an output that is a directory (existing, or written ``DIR/``)."""
    if out is not None and (Path(out).is_dir() or str(out).endswith(("/", "\\"))):
        return True
    return len(inputs) != 1 or names_several(inputs[0])


def output_name(input_path: Path, output_format: str) -> str:
    """``part-0003.jsonl.gz`` -> ``part-0003.jsonl`` (or ``.jsonl.gz``/``.parquet``)."""
    name = input_path.name
    lower = name.lower()
    if lower.endswith(".gz"):
        name, lower = name[:-3], lower[:-3]
    suffix = format_suffix(Path(name))
    stem = name[: len(name) - len(suffix)] if suffix and lower.endswith(suffix) else name
    return stem + OUTPUT_FORMATS[output_format]


def _check_format(output_format: str) -> None:
    if output_format not in OUTPUT_FORMATS:
        raise ConfigError(
            f"unknown output format {output_format!r}",
            key="--output-format",
            hint=f"use one of: {', '.join(OUTPUT_FORMATS)}",
        )


def _file_format(out: Path, output_format: str) -> str:
    """The format of a single output file: asked for, else from its name, else JSONL."""
    if output_format != "auto":
        _check_format(output_format)
        return output_format
    lower = out.name.lower()
    if lower.endswith(".parquet"):
        return "parquet"
    return "jsonl.gz" if lower.endswith(".gz") else "jsonl"


def plan_shards(
    inputs: Sequence[str | Path],
    out: Path | None,
    output_format: str = "auto",
    *,
    hash_inputs: bool = True,
) -> list[ShardJob]:
    """One :class:`ShardJob` per input file, in input order.

    With several inputs (or a directory or a glob) ``out`` is a directory and each job's output
    is named after its input (:func:`output_name`); two inputs that would write the same output
    raise. With one input file, ``out`` is the output file (``None``: standard output) and
    its format comes from its name unless ``output_format`` says otherwise. ``out=None`` with
    several inputs plans jobs without output files (``newsclf embed``).
    ``hash_inputs=False`` leaves ``key`` empty (standard output: nothing to resume).
    """
    files = expand_inputs(list(inputs))
    several = is_sharded(inputs, out)
    if not several:
        path = files[0]
        fmt = _file_format(out, output_format) if out is not None else "jsonl"
        key = input_key(path) if hash_inputs else ""
        return [ShardJob(path.absolute(), None if out is None else out.absolute(), fmt, key)]
    fmt = "jsonl" if output_format == "auto" else output_format
    _check_format(fmt)
    if out is not None:
        out = out.absolute()
        if out.exists() and not out.is_dir():
            raise DataError(
                "several inputs need an output directory, but this is a file",
                path=out,
                hint="pass -o DIR (it is created), or predict one input into -o FILE",
            )
    seen: dict[str, Path] = {}
    jobs = []
    for path in files:
        target = None
        if out is not None:
            name = output_name(path, fmt)
            if name in seen:
                raise DataError(
                    f"two inputs would write the same output {name!r}: {seen[name]} and {path}",
                    path=out,
                    hint="give shards distinct names (part-0001.jsonl.gz, ...), or predict them "
                    "into separate directories",
                )
            seen[name] = path
            target = out / name
            if target.resolve() == path.resolve():
                raise DataError(
                    "the output would overwrite its input", path=path, hint="pick another -o DIR"
                )
        jobs.append(ShardJob(path.absolute(), target, fmt, input_key(path) if hash_inputs else ""))
    return jobs


def fingerprint(*parts: Any) -> str:
    """A short stable hash of JSON-able ``parts`` (a model fingerprint and the options that
    change the output: field mapping, ``on_error``, ...)."""
    text = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def model_fingerprint(manifest: Mapping[str, Any]) -> str:
    """The fingerprint of a saved model from its artifact manifest: the sha256 of every model
    file (so re-saving the same pipelines keeps it, retraining changes it)."""
    files = manifest.get("files")
    if not files:
        raise DataError(
            "the model has no file checksums (not loaded from an artifact directory)",
            hint="save it (clf.save(DIR)) and load it with newsclf.load(DIR)",
        )
    return fingerprint(manifest.get("format_version"), files)


@dataclass
class ShardManifest:
    """The finished shards of one output directory (or of one embedding cache).

    ``shards`` maps a shard's name (:attr:`ShardJob.name`) to what was recorded when it
    finished: the input ``key``, the ``fingerprint`` of what produced it, the output
    ``format`` and ``size``, and counts. :meth:`save` writes the whole file atomically.
    """

    path: Path
    shards: dict[str, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> ShardManifest:
        """The manifest at ``path``; missing or unreadable means nothing is done yet."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path)
        if not isinstance(data, dict) or data.get("version") != _MANIFEST_VERSION:
            return cls(path)
        shards = data.get("shards")
        return cls(path, dict(shards) if isinstance(shards, dict) else {})

    @classmethod
    def for_output(cls, out: Path) -> ShardManifest:
        """The manifest of output directory ``out``."""
        return cls.load(Path(out) / MANIFEST_NAME)

    def done(self, job: ShardJob, fingerprint: str) -> bool:
        """Whether ``job`` finished with this input and fingerprint, and its output is there."""
        entry = self.shards.get(job.name)
        if not entry or not job.key:
            return False
        if entry.get("key") != job.key or entry.get("fingerprint") != fingerprint:
            return False
        if entry.get("format") != job.format:
            return False
        if job.output is None:
            return True
        try:
            return job.output.stat().st_size == entry.get("size")
        except OSError:
            return False

    def record(self, result: ShardResult, fingerprint: str) -> None:
        """File ``result`` as done and save the manifest (atomically)."""
        job = result.job
        size = job.output.stat().st_size if job.output is not None else None
        self.shards[job.name] = {
            "input": str(job.input),
            "key": job.key,
            "fingerprint": fingerprint,
            "format": job.format,
            "size": size,
            "records": result.records,
            "errors": result.errors,
            "seconds": round(result.seconds, 3),
        }
        self.save()

    def save(self) -> None:
        payload = {"version": _MANIFEST_VERSION, "shards": self.shards}
        write_text(self.path, json.dumps(payload, indent=1, sort_keys=True) + "\n")


def pending(
    jobs: Iterable[ShardJob], manifest: ShardManifest, model_fingerprint: str, force: bool = False
) -> list[ShardJob]:
    """The jobs still to run: all with ``force``, else those :meth:`ShardManifest.done` does
    not vouch for (``model_fingerprint``: the model and the options that shape the output)."""
    jobs = list(jobs)
    if force:
        return jobs
    return [job for job in jobs if not manifest.done(job, model_fingerprint)]
