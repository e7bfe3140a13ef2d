"""newsclf.utils.atomic: a target is replaced whole or not at all, and no temporary is left."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsclf.utils.atomic import atomic_dir, atomic_file, write_text


def test_failed_file_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "metrics.json"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(KeyboardInterrupt), atomic_file(target) as fh:
        fh.write("half of the new")
        raise KeyboardInterrupt
    assert target.read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["metrics.json"]


def test_file_write_replaces_the_target_with_the_usual_permissions(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "out.jsonl"
    write_text(target, "new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    plain = tmp_path / "plain"
    plain.write_text("x", encoding="utf-8")  # what open() gives under this umask
    assert target.stat().st_mode == plain.stat().st_mode


def test_failed_dir_write_keeps_the_old_dir_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "compare"
    target.mkdir()
    (target / "compare.md").write_text("old", encoding="utf-8")
    with pytest.raises(RuntimeError), atomic_dir(target, replace=True) as tmp:
        (tmp / "compare.md").write_text("new", encoding="utf-8")
        raise RuntimeError("plot failed")
    assert (target / "compare.md").read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["compare"]


def test_dir_write_replaces_the_old_dir_whole(tmp_path: Path) -> None:
    target = tmp_path / "compare"
    target.mkdir()
    (target / "stale.png").write_text("old", encoding="utf-8")
    with atomic_dir(target, replace=True) as tmp:
        (tmp / "compare.md").write_text("new", encoding="utf-8")
    assert [p.name for p in target.iterdir()] == ["compare.md"]
    assert [p.name for p in tmp_path.iterdir()] == ["compare"]


def test_dir_write_without_replace_refuses_an_existing_dir(tmp_path: Path) -> None:
    target = tmp_path / "model"
    target.mkdir()
    (target / "keep").write_text("x", encoding="utf-8")
    with pytest.raises(OSError), atomic_dir(target) as tmp:
        (tmp / "manifest.json").write_text("{}", encoding="utf-8")
    assert [p.name for p in target.iterdir()] == ["keep"]
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
