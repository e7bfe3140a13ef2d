"""Download benchmark datasets into a cache and verify their pinned sha256 checksums.

Each file is streamed into a temporary ``.part`` file beside its target while its sha256 is
computed; only a file whose checksum matches the one pinned in :mod:`newsclf.data.sources` is
renamed into place (``os.replace``, atomic), anything else is deleted. A file already in place
with the right checksum is not downloaded again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from newsclf.data.sources import SOURCES, DatasetSource, SourceFile
from newsclf.errors import ConfigError, DataError
from newsclf.utils.hashing import file_sha256

__all__ = [
    "CACHE_ENV",
    "FetchResult",
    "Progress",
    "default_cache_dir",
    "download_file",
    "fetch_dataset",
    "get_source",
]

log = logging.getLogger(__name__)

#: environment variable naming the cache directory (datasets go to ``$NEWSCLF_CACHE_DIR/data``)
CACHE_ENV = "NEWSCLF_CACHE_DIR"
_CHUNK = 1 << 20

#: ``progress(label, bytes_done, bytes_total_or_None)``, called as a download advances
Progress = Callable[[str, int, int | None], None]


@dataclass
class FetchResult:
    """Where a dataset landed and what was done to each file."""

    name: str
    path: Path
    downloaded: list[Path] = field(default_factory=list)
    present: list[Path] = field(default_factory=list)  # already there, checksum verified
    unpacked: list[Path] = field(default_factory=list)


def default_cache_dir() -> Path:
    """``$NEWSCLF_CACHE_DIR``, else ``$XDG_CACHE_HOME/newsclf``, else ``~/.cache/newsclf``."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser().absolute()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return (base / "newsclf").absolute()


def get_source(name: str, sources: Mapping[str, DatasetSource] = SOURCES) -> DatasetSource:
    """The registered source of dataset ``name``; an unknown name lists the known ones."""
    if name not in sources:
        raise ConfigError(
            f"unknown dataset {name!r}",
            key="NAME",
            hint=f"choose one of: {', '.join(sorted(sources))}",
        )
    return sources[name]


def _safe_target(root: Path, relative: str) -> Path:
    """``root / relative``, refusing absolute paths and ``..`` (registry or archive entries)."""
    parts = PurePosixPath(relative).parts
    if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
        raise DataError(f"unsafe path {relative!r} outside the dataset folder", path=root)
    return root.joinpath(*parts)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"cannot connect ({exc.reason})"
    return f"{type(exc).__name__}: {exc}"


def _stream(
    url: str,
    out: Path,
    spec: SourceFile,
    progress: Progress | None,
    timeout: float,
) -> tuple[str, int]:
    """Write ``url`` to ``out``; return (sha256, size). Stops early past the pinned size."""
    from newsclf import __version__

    request = urllib.request.Request(url, headers={"User-Agent": f"newsclf/{__version__}"})
    digest = hashlib.sha256()
    done = 0
    with urllib.request.urlopen(request, timeout=timeout) as response, open(out, "wb") as fh:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else spec.size
        if progress:
            progress(spec.path, 0, total)
        while chunk := response.read(_CHUNK):
            digest.update(chunk)
            fh.write(chunk)
            done += len(chunk)
            if progress:
                progress(spec.path, done, total)
            if spec.size is not None and done > spec.size:
                break  # already longer than the pinned file: the checksum cannot match
    return digest.hexdigest(), done


def download_file(
    spec: SourceFile,
    target: Path,
    *,
    progress: Progress | None = None,
    timeout: float = 60.0,
) -> Path:
    """Download ``spec`` to ``target`` (trying its URLs in order) and verify its sha256.

    A checksum mismatch deletes the download and raises :class:`DataError`; so does a source
    that cannot be reached (with every URL's reason).
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for url in spec.urls:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        os.close(fd)
        part = Path(name)
        try:
            log.info("downloading %s from %s", spec.path, url)
            try:
                sha, size = _stream(url, part, spec, progress, timeout)
            except (urllib.error.URLError, OSError, ValueError) as exc:
                failures.append(f"{url}: {_reason(exc)}")
                if url != spec.urls[-1]:
                    log.warning("%s: %s; trying the next mirror", url, _reason(exc))
                continue
            if sha != spec.sha256:
                raise DataError(
                    f"checksum mismatch for {spec.path}: expected sha256 {spec.sha256}, got {sha} "
                    f"({size:,} bytes); the download was deleted",
                    path=url,
                    hint="the file at the source changed or was corrupted in transit; retry, "
                    "and if it persists do not use this copy (report it to newsclf)",
                )
            os.replace(part, target)
            log.info("verified %s (sha256 %s…, %s bytes)", target, sha[:12], f"{size:,}")
            return target
        finally:
            part.unlink(missing_ok=True)
    raise DataError(
        f"could not download {spec.path}: " + "; ".join(failures),
        path=target,
        hint="check the network connection (and a proxy: HTTPS_PROXY), then retry; or download "
        f"the file by hand and save it as {target}: the next fetch verifies it",
    )


def _unpack(archive: Path) -> list[Path]:
    """Extract a verified zip beside itself (via a temp dir, so a failure leaves no half
    folder); refuses entries that would land outside; skips macOS resource forks."""
    root = archive.parent
    try:
        with zipfile.ZipFile(archive) as zf, tempfile.TemporaryDirectory(dir=root) as tmp:
            members = [m for m in zf.infolist() if not m.filename.startswith("__MACOSX/")]
            for member in members:
                _safe_target(Path(tmp), member.filename)
            zf.extractall(tmp, members=members)
            tops = sorted(p.name for p in Path(tmp).iterdir())
            for top in tops:
                dest = root / top
                if dest.is_dir():
                    shutil.rmtree(dest)
                elif dest.exists():
                    dest.unlink()
                os.replace(Path(tmp) / top, dest)
    except zipfile.BadZipFile as exc:
        raise DataError(f"not a valid zip archive ({exc})", path=archive) from None
    log.info("unpacked %s: %s", archive.name, ", ".join(tops))
    return [root / top for top in tops]


def fetch_dataset(
    name: str,
    dest: str | Path | None = None,
    *,
    sources: Mapping[str, DatasetSource] = SOURCES,
    progress: Progress | None = None,
    timeout: float = 60.0,
    force: bool = False,
) -> FetchResult:
    """Download every file of dataset ``name`` into ``DEST/NAME`` and verify it.

    ``dest`` defaults to ``default_cache_dir() / "data"``. Files already present with the
    pinned checksum are kept unless ``force``. A dataset without a stable public download
    raises :class:`DataError` explaining how to obtain it.
    """
    source = get_source(name, sources)
    base = Path(dest).expanduser().absolute() if dest is not None else default_cache_dir() / "data"
    root = base / source.name
    if not source.downloadable:
        raise DataError(
            f"{source.title} has no stable public download",
            path=root,
            hint=f"{source.manual or 'see ' + source.homepage}; put the files in {root}",
        )
    result = FetchResult(name=source.name, path=root)
    for spec in source.files:
        target = _safe_target(root, spec.path)
        fresh = True
        if target.exists() and not force:
            if file_sha256(target) == spec.sha256:
                log.info("%s already present, checksum verified", target)
                result.present.append(target)
                fresh = False
            else:
                log.warning("%s has the wrong checksum; downloading it again", target)
        if fresh:
            download_file(spec, target, progress=progress, timeout=timeout)
            result.downloaded.append(target)
        marker = target.with_name(f".{target.name}.unpacked")
        if spec.unpack and (fresh or not marker.exists()):
            result.unpacked += _unpack(target)
            marker.write_text(spec.sha256 + "\n", encoding="utf-8")
    return result
