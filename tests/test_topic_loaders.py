"""Topic benchmark loaders (issue 4): 20 Newsgroups, BBC, Hungarian rovat CSVs, class folders.

Every fixture is a tiny corpus written here, in the native layout of its dataset.
"""

from __future__ import annotations

import csv
import io
import tarfile
from pathlib import Path

import pytest
from hydra import compose, initialize_config_module

from newsclf.data import DATASETS, load_dataset
from newsclf.data.bbc import BBC_LABELS, read_bbc
from newsclf.data.folder import read_class_folders
from newsclf.data.hu_rovat import read_hu_rovat
from newsclf.data.newsgroups import (
    read_20newsgroups,
    strip_footer,
    strip_header,
    strip_quotes,
)
from newsclf.errors import ConfigError, DataError

POST = (
    "From: someone@example.com\n"
    "Subject: Re: engines\n"
    "Lines: 6\n"
    "\n"
    "In article <1@example.com> other@example.com writes:\n"
    "> quoted engine talk\n"
    "The new engine is quieter than the old one.\n"
    "\n"
    "--\n"
    "Signature Line\n"
)
GROUPS = {
    "rec.autos": [b"Subject: cars\n\nThe engine and the brakes.", b"Subject: tyres\n\nTyres wear."],
    "sci.space": [b"Subject: orbit\n\nThe orbit of the probe.", b"Subject: moon\n\nMoon landing."],
}


def _write_tar(path: Path, parts: dict[str, dict[str, list[bytes]]]) -> Path:
    with tarfile.open(path, "w:gz") as tar:
        for part, groups in parts.items():
            for group, posts in groups.items():
                for i, raw in enumerate(posts, start=1):
                    info = tarfile.TarInfo(f"20news-bydate-{part}/{group}/{100 + i}")
                    info.size = len(raw)
                    tar.addfile(info, io.BytesIO(raw))
    return path


def _write_folders(root: Path, part: str, groups: dict[str, list[bytes]]) -> None:
    for group, posts in groups.items():
        folder = root / f"20news-bydate-{part}" / group
        folder.mkdir(parents=True)
        for i, raw in enumerate(posts, start=1):
            (folder / str(100 + i)).write_bytes(raw)


def _compose_data(overrides: list[str]):
    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        return compose(config_name="config", overrides=overrides).data


# --- 20 Newsgroups ---------------------------------------------------------------------------


def test_20newsgroups_reads_training_archive_alone_without_test_part(tmp_path: Path) -> None:
    _write_tar(tmp_path / "20news-bydate-train.tar.gz", {"train": GROUPS})
    train, test = read_20newsgroups(tmp_path)
    assert test is None
    assert [r.id for r in train] == [
        "train/rec.autos/101",
        "train/rec.autos/102",
        "train/sci.space/101",
        "train/sci.space/102",
    ]
    assert {r.topic for r in train} == set(GROUPS)
    assert train[0].text.startswith("Subject: cars")


def test_20newsgroups_uses_test_part_when_present(tmp_path: Path) -> None:
    _write_tar(tmp_path / "20news-bydate-train.tar.gz", {"train": GROUPS})
    _write_tar(tmp_path / "20news-bydate-test.tar.gz", {"test": GROUPS})
    _, test = read_20newsgroups(tmp_path)
    assert test is not None and len(test) == 4
    assert test[0].id == "test/rec.autos/101"


def test_20newsgroups_reads_combined_archive_with_both_parts(tmp_path: Path) -> None:
    _write_tar(tmp_path / "20news-bydate.tar.gz", {"train": GROUPS, "test": GROUPS})
    train, test = read_20newsgroups(tmp_path)
    assert len(train) == 4 and test is not None and len(test) == 4


def test_20newsgroups_reads_unpacked_folders(tmp_path: Path) -> None:
    _write_folders(tmp_path, "train", GROUPS)
    train, test = read_20newsgroups(tmp_path)
    assert len(train) == 4 and test is None
    assert train[2].topic == "sci.space"


def test_20newsgroups_archive_path_as_root(tmp_path: Path) -> None:
    archive = _write_tar(tmp_path / "anything.tar.gz", {"train": GROUPS})
    train, _ = read_20newsgroups(archive)
    assert len(train) == 4


def test_20newsgroups_remove_strips_headers_footers_and_quotes(tmp_path: Path) -> None:
    _write_tar(tmp_path / "20news-bydate-train.tar.gz", {"train": {"rec.autos": [POST.encode()]}})
    (record,), _ = read_20newsgroups(tmp_path, remove=["headers", "footers", "quotes"])
    assert record.text.strip() == "The new engine is quieter than the old one."
    (kept,), _ = read_20newsgroups(tmp_path)
    assert "Subject: Re: engines" in kept.text and "Signature Line" in kept.text


def test_20newsgroups_strippers_follow_sklearn_rules() -> None:
    assert strip_header("A: b\n\nbody\n\nmore") == "body\n\nmore"
    assert strip_quotes("x writes:\n> q\n| q\nkept") == "kept"
    assert strip_footer("body\n--\nsig") == "body"
    assert strip_footer("no footer here") == "no footer here"


def test_20newsgroups_drops_posts_left_empty_by_removal(tmp_path: Path) -> None:
    posts = {"rec.autos": [b"Subject: only a header\n", b"Subject: x\n\nbody text"]}
    _write_tar(tmp_path / "20news-bydate-train.tar.gz", {"train": posts})
    train, _ = read_20newsgroups(tmp_path, remove=["headers"])
    assert [r.id for r in train] == ["train/rec.autos/102"]


def test_20newsgroups_corrupt_archive_raises_data_error(tmp_path: Path) -> None:
    good = _write_tar(tmp_path / "good.tar.gz", {"train": GROUPS}).read_bytes()
    bad = tmp_path / "20news-bydate-train.tar.gz"
    bad.write_bytes(good[: len(good) // 2])
    with pytest.raises(DataError, match="corrupt or truncated archive") as info:
        read_20newsgroups(tmp_path)
    assert info.value.path == str(bad)
    assert "sha256" in str(info.value)


def test_20newsgroups_non_archive_bytes_raise_data_error(tmp_path: Path) -> None:
    (tmp_path / "20news-bydate-train.tar.gz").write_bytes(b"not a tar file at all")
    with pytest.raises(DataError, match="corrupt or truncated archive"):
        read_20newsgroups(tmp_path)


def test_20newsgroups_non_utf8_post_raises_data_error_naming_member_and_line(
    tmp_path: Path,
) -> None:
    posts = {"rec.autos": [b"Subject: price\n\nIt costs \xa3200."]}
    _write_tar(tmp_path / "20news-bydate-train.tar.gz", {"train": posts})
    with pytest.raises(DataError, match="not valid utf-8") as info:
        read_20newsgroups(tmp_path, encodings=["utf-8"])
    assert info.value.path is not None and info.value.path.endswith(
        "20news-bydate-train/rec.autos/101"
    )
    assert info.value.line == 3
    assert "data.encodings=[utf-8,latin-1]" in str(info.value)


def test_20newsgroups_second_encoding_reads_latin1_post(tmp_path: Path) -> None:
    posts = {"rec.autos": [b"Subject: price\n\nIt costs \xa3200."]}
    _write_tar(tmp_path / "20news-bydate-train.tar.gz", {"train": posts})
    (record,), _ = read_20newsgroups(tmp_path, encodings=["utf-8", "latin-1"])
    assert "£200" in record.text


def test_20newsgroups_missing_training_part_raises_data_error(tmp_path: Path) -> None:
    _write_tar(tmp_path / "20news-bydate-test.tar.gz", {"test": GROUPS})
    with pytest.raises(DataError, match="no 20 Newsgroups training part"):
        read_20newsgroups(tmp_path)


def test_20newsgroups_unknown_remove_value_raises_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"data\.remove"):
        read_20newsgroups(tmp_path, remove=["signatures"])


def test_data_20newsgroups_config_loads_and_can_ignore_test_part(tmp_path: Path) -> None:
    _write_tar(tmp_path / "20news-bydate.tar.gz", {"train": GROUPS, "test": GROUPS})
    dataset = load_dataset(_compose_data(["data=20newsgroups", f"data.root={tmp_path}"]))
    assert len(dataset.train) == 4 and dataset.test is not None
    data = _compose_data(["data=20newsgroups", f"data.root={tmp_path}", "data.use_test=false"])
    assert load_dataset(data).test is None


# --- BBC -------------------------------------------------------------------------------------


def _bbc(root: Path, extra: dict[str, bytes] | None = None) -> Path:
    for label in BBC_LABELS:
        folder = root / "bbc" / label
        folder.mkdir(parents=True)
        (folder / "001.txt").write_text(f"{label} headline\n\nThe {label} story body.\n")
    (root / "bbc" / "README.TXT").write_text("the authors' readme")
    for name, raw in (extra or {}).items():
        (root / "bbc" / name).write_bytes(raw)
    return root


def test_bbc_reads_title_from_first_line_and_label_from_folder(tmp_path: Path) -> None:
    records = read_bbc(_bbc(tmp_path))
    assert len(records) == 5
    first = records[0]
    assert (first.id, first.topic, first.title) == (
        "business/001.txt",
        "business",
        "business headline",
    )
    assert first.text == "The business story body."


def test_bbc_accepts_the_class_folders_directly_as_root(tmp_path: Path) -> None:
    assert len(read_bbc(_bbc(tmp_path) / "bbc")) == 5


def test_bbc_missing_class_folder_raises_data_error(tmp_path: Path) -> None:
    _bbc(tmp_path)
    for path in (tmp_path / "bbc" / "tech").iterdir():
        path.unlink()
    (tmp_path / "bbc" / "tech").rmdir()
    with pytest.raises(DataError, match=r"missing \['tech'\]"):
        read_bbc(tmp_path)


def test_bbc_non_utf8_file_raises_data_error_unless_fallback(tmp_path: Path) -> None:
    _bbc(tmp_path, {"sport/002.txt": b"Cup final\n\nTickets cost \xa315.\n"})
    with pytest.raises(DataError, match="not valid utf-8") as info:
        read_bbc(tmp_path)
    assert info.value.path is not None and info.value.path.endswith("sport/002.txt")
    assert info.value.line == 3
    records = read_bbc(tmp_path, encodings=["utf-8", "latin-1"])
    assert "£15" in next(r.text for r in records if r.id == "sport/002.txt")


def test_data_bbc_config_reads_with_latin1_fallback(tmp_path: Path) -> None:
    _bbc(tmp_path, {"sport/002.txt": b"Cup final\n\nTickets cost \xa315.\n"})
    dataset = load_dataset(_compose_data(["data=bbc", f"data.root={tmp_path}"]))
    assert len(dataset.train) == 6 and dataset.test is None


# --- generic class folders -------------------------------------------------------------------


def _folders(root: Path) -> Path:
    for label, texts in {"sport": ["goal", "match"], "economy": ["inflation", "rates"]}.items():
        (root / label / "nested").mkdir(parents=True)
        for i, text in enumerate(texts):
            (root / label / f"{i}.txt").write_text(text)
        (root / label / "nested" / "deep.txt").write_text(f"deep {label}")
        (root / label / ".hidden.txt").write_text("ignored")
    (root / "README.md").write_text("ignored: not inside a class folder")
    (root / ".git").mkdir()
    return root


def test_folder_reads_one_class_per_subfolder_recursively(tmp_path: Path) -> None:
    records = read_class_folders(_folders(tmp_path))
    assert [r.id for r in records] == [
        "economy/0.txt",
        "economy/1.txt",
        "economy/nested/deep.txt",
        "sport/0.txt",
        "sport/1.txt",
        "sport/nested/deep.txt",
    ]
    assert records[0].topic == "economy" and records[0].text == "inflation"


def test_folder_pattern_selects_files(tmp_path: Path) -> None:
    _folders(tmp_path)
    (tmp_path / "sport" / "notes.md").write_text("not an article")
    records = read_class_folders(tmp_path, pattern="*.txt")
    assert "sport/notes.md" not in {r.id for r in records}


def test_folder_without_class_folders_raises_data_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    with pytest.raises(DataError, match="no class folders"):
        read_class_folders(tmp_path)


def test_folder_missing_root_raises_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="folder not found"):
        read_class_folders(tmp_path / "nope")


def test_folder_empty_class_folder_raises_data_error(tmp_path: Path) -> None:
    _folders(tmp_path)
    (tmp_path / "culture").mkdir()
    with pytest.raises(DataError, match="no files matching") as info:
        read_class_folders(tmp_path)
    assert info.value.path == str(tmp_path / "culture")


def test_folder_empty_file_raises_data_error(tmp_path: Path) -> None:
    _folders(tmp_path)
    (tmp_path / "sport" / "2.txt").write_text("  \n")
    with pytest.raises(DataError, match="empty file"):
        read_class_folders(tmp_path)


def test_folder_non_utf8_file_raises_data_error(tmp_path: Path) -> None:
    _folders(tmp_path)
    (tmp_path / "sport" / "2.txt").write_bytes("Győzött a csapat".encode("cp1250"))
    with pytest.raises(DataError, match="not valid utf-8") as info:
        read_class_folders(tmp_path)
    assert info.value.path == str(tmp_path / "sport" / "2.txt")


def test_data_folder_config_passes_options(tmp_path: Path) -> None:
    _folders(tmp_path)
    (tmp_path / "sport" / "2.txt").write_bytes("Cím\nGyőzött a csapat".encode("cp1250"))
    data = _compose_data(
        [
            "data=folder",
            f"data.root={tmp_path}",
            "data.pattern=*.txt",
            "data.encodings=[utf-8,cp1250]",
            "data.title_first_line=true",
        ]
    )
    record = next(r for r in load_dataset(data).train if r.id == "sport/2.txt")
    assert (record.title, record.text) == ("Cím", "Győzött a csapat")


def test_data_folder_unknown_encoding_raises_config_error(tmp_path: Path) -> None:
    _folders(tmp_path)
    data = _compose_data(["data=folder", f"data.root={tmp_path}", "data.encodings=[klingon]"])
    with pytest.raises(ConfigError, match=r"data\.encodings.*unknown encoding 'klingon'"):
        load_dataset(data)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (["+data.encoding=latin-1"], "data.encodings=[latin-1]"),
        (["+data.fallback_encoding=latin-1"], "data.encodings=[latin-1]"),
        (
            ["+data.encoding=utf-8", "+data.fallback_encoding=cp1250"],
            "data.encodings=[utf-8,cp1250]",
        ),
    ],
)
def test_old_encoding_keys_raise_config_error_with_the_new_spelling(
    tmp_path: Path, old: list[str], new: str
) -> None:
    _folders(tmp_path)
    data = _compose_data(["data=folder", f"data.root={tmp_path}", *old])
    with pytest.raises(ConfigError, match="no longer an option") as info:
        load_dataset(data)
    assert new in str(info.value)


def test_old_encoding_key_is_refused_for_every_dataset() -> None:
    for name in sorted(DATASETS):
        with pytest.raises(
            ConfigError, match=r"config 'data\.encoding': .* use data\.encodings=\[latin-1\]"
        ):
            load_dataset({"name": name, "root": "x", "train": "x.jsonl", "encoding": "latin-1"})


# --- Hungarian rovat CSVs --------------------------------------------------------------------

SITES = {"telex": "telex_db.csv", "hvg": "hvg_db.csv"}
LABELS = {"domestic": ["Belföld", "Itthon"], "sport": ["Sport"]}


def _csv(path: Path, rows: list[dict[str, str]], encoding: str = "utf-8") -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["title", "pub_date", "category", "body", "link"])
    writer.writeheader()
    for row in rows:
        writer.writerow({"pub_date": "2025-12-24", "link": "https://example.com", **row})
    path.write_bytes(buffer.getvalue().encode(encoding))


def _rovat(root: Path) -> Path:
    (root / "data_raw").mkdir()
    _csv(
        root / "data_raw" / "telex_db.csv",
        [
            {"title": "Ülésezett a kormány", "category": "Belföld", "body": "A kormány döntött."},
            {"title": "Gól", "category": "Sport", "body": "Két gólt lőtt a csatár,\nmásodikat."},
            {"title": "Reklám", "category": "PR-cikk", "body": "Vegye meg!"},
            {"title": "Karácsonyi videó", "category": "Videó", "body": ""},
        ],
    )
    _csv(
        root / "data_raw" / "hvg_db.csv",
        [{"title": "Parlament", "category": "itthon ", "body": "Szavazott az Országgyűlés."}],
    )
    return root


def test_hu_rovat_maps_site_sections_onto_shared_labels(tmp_path: Path) -> None:
    records = read_hu_rovat(_rovat(tmp_path), sites=SITES, labels=LABELS, drop_sections=["PR-cikk"])
    assert [(r.id, r.topic, r.group) for r in records] == [
        ("telex:2", "domestic", "telex"),
        ("telex:3", "sport", "telex"),
        ("telex:6", "other", "telex"),
        ("hvg:2", "domestic", "hvg"),
    ]
    assert records[0].title == "Ülésezett a kormány"
    assert records[0].text == "A kormány döntött."


def test_hu_rovat_empty_body_falls_back_to_title(tmp_path: Path) -> None:
    records = read_hu_rovat(_rovat(tmp_path), sites=SITES, labels=LABELS)
    video = next(r for r in records if r.id == "telex:6")
    assert (video.text, video.title) == ("Karácsonyi videó", None)


def test_hu_rovat_unmapped_section_without_other_label_raises_data_error(
    tmp_path: Path,
) -> None:
    with pytest.raises(DataError, match="section 'PR-cikk' has no label") as info:
        read_hu_rovat(_rovat(tmp_path), sites=SITES, labels=LABELS, other_label=None)
    assert info.value.line == 5 and info.value.field == "category"


def test_hu_rovat_section_under_two_labels_raises_config_error(tmp_path: Path) -> None:
    labels = {"domestic": ["Belföld"], "other": ["belföld"]}
    with pytest.raises(ConfigError, match="mapped to both"):
        read_hu_rovat(_rovat(tmp_path), sites=SITES, labels=labels)


def test_hu_rovat_missing_site_file_raises_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"site file mn_db\.csv not found"):
        read_hu_rovat(_rovat(tmp_path), sites={"mn": "mn_db.csv"}, labels=LABELS)


def test_hu_rovat_missing_column_raises_data_error(tmp_path: Path) -> None:
    (tmp_path / "telex_db.csv").write_text("title,body\nx,y\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"lacks column\(s\) \['category'\]"):
        read_hu_rovat(tmp_path, sites={"telex": "telex_db.csv"}, labels=LABELS)


def test_hu_rovat_non_utf8_csv_raises_data_error(tmp_path: Path) -> None:
    _csv(
        tmp_path / "telex_db.csv",
        [{"title": "Gól", "category": "Sport", "body": "Győzött a csapat"}],
        encoding="cp1250",
    )
    with pytest.raises(DataError, match="not valid utf-8") as info:
        read_hu_rovat(tmp_path, sites={"telex": "telex_db.csv"}, labels=LABELS)
    assert info.value.line == 2


def test_data_hu_rovat_config_maps_shipped_sections(tmp_path: Path) -> None:
    _rovat(tmp_path)
    for name in ("mandiner_db.csv", "mn_db.csv"):  # the shipped config names all four sites
        _csv(tmp_path / "data_raw" / name, [{"title": "T", "category": "Kultúra", "body": "B"}])
    dataset = load_dataset(_compose_data(["data=hu_rovat", f"data.root={tmp_path}"]))
    assert [(r.group, r.topic) for r in dataset.train] == [
        ("hvg", "domestic"),
        ("mandiner", "culture"),
        ("mn", "culture"),
        ("telex", "domestic"),
        ("telex", "sport"),
        ("telex", "other"),
    ]
