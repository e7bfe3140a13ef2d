"""`newsclf data fetch`: downloads verified against pinned sha256, served from a loopback HTTP
server in a thread (no network)."""

from __future__ import annotations

import hashlib
import io
import re
import socket
import threading
import zipfile
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from newsclf.cli import main
from newsclf.data import fetch as fetch_module
from newsclf.data.fetch import default_cache_dir, fetch_dataset, get_source
from newsclf.data.sources import SOURCES, DatasetSource, SourceFile
from newsclf.errors import ConfigError, DataError
from newsclf.utils.hashing import file_sha256

CONTENT = "id,text\n1,A forint gyengült.\n".encode()
SHA = hashlib.sha256(CONTENT).hexdigest()


class _Handler(SimpleHTTPRequestHandler):
    requests: list[str]

    def log_message(self, *args: object) -> None:  # keep pytest output clean
        pass

    def do_GET(self) -> None:
        self.requests.append(self.path)
        super().do_GET()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path, list[str]]]:
    """(base URL, served directory, request log) of a loopback HTTP server."""
    root = tmp_path / "served"
    root.mkdir()
    requests: list[str] = []
    handler = type("Handler", (_Handler,), {"requests": requests})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(root)))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root, requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _source(*files: SourceFile, manual: str = "") -> dict[str, DatasetSource]:
    return {
        "tiny": DatasetSource(
            name="tiny",
            title="Tiny test set",
            homepage="https://example.org/tiny",
            licence="test",
            files=files,
            manual=manual,
        )
    }


def _closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/gone.csv"


def _leftovers(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(".part")]


def test_good_download_lands_verified_and_leaves_no_partial_file(server, tmp_path) -> None:
    base, served, requests = server
    (served / "a.csv").write_bytes(CONTENT)
    sources = _source(SourceFile("sub/a.csv", (f"{base}/a.csv",), SHA, size=len(CONTENT)))
    seen: list[tuple[int, int | None]] = []
    result = fetch_dataset(
        "tiny", tmp_path / "cache", sources=sources, progress=lambda _, d, t: seen.append((d, t))
    )
    target = tmp_path / "cache" / "tiny" / "sub" / "a.csv"
    assert result.path == tmp_path / "cache" / "tiny"
    assert result.downloaded == [target] and target.read_bytes() == CONTENT
    assert seen[0] == (0, len(CONTENT)) and seen[-1] == (len(CONTENT), len(CONTENT))
    assert not _leftovers(tmp_path / "cache")
    assert requests == ["/a.csv"]


def test_verified_file_is_not_downloaded_again(server, tmp_path) -> None:
    base, served, requests = server
    (served / "a.csv").write_bytes(CONTENT)
    sources = _source(SourceFile("a.csv", (f"{base}/a.csv",), SHA))
    fetch_dataset("tiny", tmp_path, sources=sources)
    again = fetch_dataset("tiny", tmp_path, sources=sources)
    assert again.present == [tmp_path / "tiny" / "a.csv"] and not again.downloaded
    assert len(requests) == 1


def test_file_with_a_wrong_checksum_in_the_cache_is_replaced(server, tmp_path) -> None:
    base, served, _ = server
    (served / "a.csv").write_bytes(CONTENT)
    (tmp_path / "tiny").mkdir()
    (tmp_path / "tiny" / "a.csv").write_bytes(b"tampered")
    result = fetch_dataset(
        "tiny", tmp_path, sources=_source(SourceFile("a.csv", (f"{base}/a.csv",), SHA))
    )
    assert result.downloaded and (tmp_path / "tiny" / "a.csv").read_bytes() == CONTENT


def test_checksum_mismatch_is_refused_and_the_download_deleted(server, tmp_path) -> None:
    base, served, _ = server
    (served / "a.csv").write_bytes(CONTENT + b"2,changed upstream\n")
    sources = _source(SourceFile("a.csv", (f"{base}/a.csv",), SHA))
    with pytest.raises(DataError, match=r"checksum mismatch for a\.csv") as info:
        fetch_dataset("tiny", tmp_path, sources=sources)
    assert SHA in str(info.value) and "deleted" in str(info.value)
    assert not (tmp_path / "tiny" / "a.csv").exists()
    assert not _leftovers(tmp_path)


def test_download_longer_than_the_pinned_size_stops_early_and_is_refused(server, tmp_path):
    base, served, _ = server
    (served / "big.bin").write_bytes(b"x" * (3 << 20))
    sources = _source(SourceFile("big.bin", (f"{base}/big.bin",), SHA, size=len(CONTENT)))
    with pytest.raises(DataError, match="checksum mismatch") as info:
        fetch_dataset("tiny", tmp_path, sources=sources)
    assert "3,145,728 bytes" not in str(info.value)  # stopped after the first chunk
    assert not list((tmp_path / "tiny").iterdir())


def test_http_404_is_a_clear_error_naming_the_url(server, tmp_path) -> None:
    base, _, _ = server
    sources = _source(SourceFile("a.csv", (f"{base}/missing.csv",), SHA))
    with pytest.raises(DataError, match=r"could not download a\.csv: .*missing\.csv: HTTP 404"):
        fetch_dataset("tiny", tmp_path, sources=sources)
    assert not list((tmp_path / "tiny").iterdir())


def test_connection_refused_is_a_clear_error_with_a_hint(tmp_path) -> None:
    sources = _source(SourceFile("a.csv", (_closed_port_url(),), SHA))
    with pytest.raises(DataError, match="cannot connect") as info:
        fetch_dataset("tiny", tmp_path, sources=sources, timeout=5)
    assert "download the file by hand" in str(info.value)


def test_next_mirror_is_tried_when_the_first_fails(server, tmp_path) -> None:
    base, served, requests = server
    (served / "a.csv").write_bytes(CONTENT)
    urls = (_closed_port_url(), f"{base}/nope.csv", f"{base}/a.csv")
    result = fetch_dataset("tiny", tmp_path, sources=_source(SourceFile("a.csv", urls, SHA)))
    assert result.downloaded and requests == ["/nope.csv", "/a.csv"]


def test_unknown_dataset_name_lists_the_known_ones() -> None:
    with pytest.raises(ConfigError, match="unknown dataset 'fnc2'") as info:
        get_source("fnc2")
    assert "fnc1" in str(info.value) and "20newsgroups" in str(info.value)


def test_dataset_without_public_download_explains_how_to_get_it(tmp_path) -> None:
    sources = _source(manual="fill in the licence form at https://example.org/form")
    with pytest.raises(DataError, match="no stable public download") as info:
        fetch_dataset("tiny", tmp_path, sources=sources)
    assert "licence form" in str(info.value) and str(tmp_path / "tiny") in str(info.value)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def test_verified_zip_is_unpacked_beside_it(server, tmp_path) -> None:
    base, served, _ = server
    data = _zip({"bbc/sport/001.txt": b"Goal", "__MACOSX/._x": b"fork"})
    (served / "bbc.zip").write_bytes(data)
    spec = SourceFile(
        "bbc.zip", (f"{base}/bbc.zip",), hashlib.sha256(data).hexdigest(), unpack=True
    )
    result = fetch_dataset("tiny", tmp_path, sources=_source(spec))
    assert (tmp_path / "tiny" / "bbc" / "sport" / "001.txt").read_bytes() == b"Goal"
    assert result.unpacked == [tmp_path / "tiny" / "bbc"]
    assert not (tmp_path / "tiny" / "__MACOSX").exists()


def test_zip_entry_escaping_the_dataset_folder_is_refused(server, tmp_path) -> None:
    base, served, _ = server
    data = _zip({"../evil.txt": b"x"})
    (served / "evil.zip").write_bytes(data)
    spec = SourceFile(
        "evil.zip", (f"{base}/evil.zip",), hashlib.sha256(data).hexdigest(), unpack=True
    )
    with pytest.raises(DataError, match="unsafe path"):
        fetch_dataset("tiny", tmp_path, sources=_source(spec))
    assert not (tmp_path / "evil.txt").exists()


def test_cache_dir_comes_from_the_environment(monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("NEWSCLF_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("NEWSCLF_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "newsclf"


def test_cli_fetch_into_dest_prints_the_dataset_folder(server, tmp_path, monkeypatch, capsys):
    base, served, _ = server
    (served / "a.csv").write_bytes(CONTENT)
    monkeypatch.setitem(
        SOURCES, "tiny", _source(SourceFile("a.csv", (f"{base}/a.csv",), SHA))["tiny"]
    )
    assert main(["data", "fetch", "tiny", "--dest", str(tmp_path / "d")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"tiny: {tmp_path / 'd' / 'tiny'}") and "sha256 verified" in out


def test_cli_fetch_uses_the_cache_env_var_by_default(server, tmp_path, monkeypatch, capsys):
    base, served, _ = server
    (served / "a.csv").write_bytes(CONTENT)
    monkeypatch.setitem(
        SOURCES, "tiny", _source(SourceFile("a.csv", (f"{base}/a.csv",), SHA))["tiny"]
    )
    monkeypatch.setenv("NEWSCLF_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["data", "fetch", "tiny", "-q"]) == 0
    assert (tmp_path / "cache" / "data" / "tiny" / "a.csv").read_bytes() == CONTENT


def test_cli_fetch_mismatch_and_unknown_name_exit_2(server, tmp_path, monkeypatch, capsys):
    base, served, _ = server
    (served / "a.csv").write_bytes(b"other bytes")
    monkeypatch.setitem(
        SOURCES, "tiny", _source(SourceFile("a.csv", (f"{base}/a.csv",), SHA))["tiny"]
    )
    assert main(["data", "fetch", "tiny", "--dest", str(tmp_path)]) == 2
    assert "error:" in capsys.readouterr().err
    assert main(["data", "fetch", "nosuch", "--dest", str(tmp_path)]) == 2
    assert "unknown dataset 'nosuch'" in capsys.readouterr().err


def test_cli_lists_every_registered_dataset(capsys) -> None:
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    for name in SOURCES:
        assert re.search(rf"^{name}\s", out, re.MULTILINE)


# --- the registry itself ----------------------------------------------------------------------


def test_registry_covers_the_benchmark_datasets() -> None:
    assert {"fnc1", "semeval2016", "20newsgroups", "bbc", "ruw", "catalonia", "opinhubank",
            "hu_rovat"} <= set(SOURCES)  # fmt: skip


@pytest.mark.parametrize("name", sorted(SOURCES))
def test_every_source_pins_a_sha256_and_a_safe_path(name: str, tmp_path) -> None:
    source = SOURCES[name]
    assert source.name == name and (source.downloadable or source.manual)
    for spec in source.files:
        assert re.fullmatch("[0-9a-f]{64}", spec.sha256)
        assert spec.urls and all(u.startswith(("https://", "http://")) for u in spec.urls)
        fetch_module._safe_target(tmp_path, spec.path)  # raises for absolute or ../ paths


SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
LOCAL_COPIES = {  # registry path -> copy in shared/data that is the original file
    "fnc1": "fnc1",
    "semeval2016": "semeval2016_task6",
    "ruw": "ruw_russia_ukraine_stance",
    "opinhubank": "opinhubank",
    "hu_rovat": "hungarian_news_rovat_2025",
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(LOCAL_COPIES))
def test_pinned_checksums_match_the_shared_original_copies(name: str) -> None:
    folder = SHARED / LOCAL_COPIES[name]
    if not folder.is_dir():
        pytest.skip(f"{folder} not available")
    for spec in SOURCES[name].files:
        assert file_sha256(folder / spec.path) == spec.sha256


def test_file_sha256_is_the_sha256_of_the_bytes_in_blocks(tmp_path: Path) -> None:
    # larger than one 1 MiB block, so the blocks are joined
    blob = bytes(range(256)) * 5000
    (tmp_path / "f.bin").write_bytes(blob)
    assert file_sha256(tmp_path / "f.bin") == hashlib.sha256(blob).hexdigest()
    assert file_sha256(str(tmp_path / "f.bin")) == hashlib.sha256(blob).hexdigest()


def test_download_bar_shows_megabytes_and_share_and_ends_with_a_newline(capsys) -> None:
    from newsclf.cli.data import _DownloadProgress

    bar = _DownloadProgress()
    bar("a.csv", 0, 2_000_000)
    bar("a.csv", 2_000_000, 2_000_000)  # the last chunk closes the file's bar
    bar("b.bin", 0, None)  # size unknown: bytes and rate only
    bar("b.bin", 5_000, None)
    bar.close()
    err = capsys.readouterr().err
    assert "a.csv:   0%" in err and "0.00/2.00M" in err
    assert "a.csv: 100%" in err and "2.00M/2.00M" in err
    assert "b.bin: 5.00kB" in err and err.endswith("\n")


def test_no_progress_line_when_stderr_is_not_a_terminal(capsys) -> None:
    from argparse import Namespace

    from newsclf.cli.data import _progress

    assert _progress(Namespace(quiet=False)) is None  # pytest captures stderr: not a TTY
