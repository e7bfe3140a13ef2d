"""Stance benchmark loaders (issue 3) on tiny hand-written files with each release's quirks."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from newsclf.data import load_dataset
from newsclf.data.opinhubank import majority_vote
from newsclf.errors import ConfigError, DataError


def _conf(name: str, root: Path, **values: object):
    cfg = OmegaConf.load(str(files("newsclf.conf").joinpath("data", f"{name}.yaml")))
    cfg.root = str(root)
    for key, value in values.items():
        OmegaConf.update(cfg, key, value)
    return cfg


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# --- SemEval-2016 task 6 -------------------------------------------------------------------

SEMEVAL_CSV = (
    b"Tweet,Target,Stance,Opinion Towards,Sentiment\r"
    b'"@x She deleted emails, lies re #Benghazi #SemST",Hillary Clinton,AGAINST,"1. Tweet",neg\r'
    b'"God is great \x90\xa2 ""amen"" #SemST",Atheism,AGAINST,"1.  The tweet",pos\r'
    b"We need action now #SemST,Climate Change is a Real Concern,FAVOR,2. x,pos\r"
    b"Women deserve rights #SemST,Feminist Movement, favor ,1. x,pos\r"
    b"Build the wall #SemST,Donald Trump,FAVOR,1. x,pos\r"
)


def test_semeval_csv_with_cr_line_ends_and_latin1_bytes_is_read(tmp_path: Path) -> None:
    _write(tmp_path / "StanceDataset" / "train.csv", SEMEVAL_CSV)
    ds = load_dataset(_conf("semeval2016", tmp_path))
    assert ds.test is None
    assert [r.target for r in ds.train] == [
        "Hillary Clinton",
        "Atheism",
        "Climate Change is a Real Concern",
        "Feminist Movement",
    ]  # the Donald Trump row (subtask B) is dropped
    assert ds.train[0].text == "@x She deleted emails, lies re #Benghazi #SemST"
    assert ds.train[1].text == 'God is great \x90\xa2 "amen" #SemST'
    assert [r.stance for r in ds.train] == ["AGAINST", "AGAINST", "FAVOR", "FAVOR"]
    assert [r.line for r in ds.train] == [2, 3, 4, 5]


def test_semeval_tsv_with_unquoted_quotes_and_a_test_file_next_to_it(tmp_path: Path) -> None:
    tsv = (
        b"ID\tTarget\tTweet\tStance\r\n"
        b'101\tAtheism\t"Blessed are the peacemakers #SemST\tAGAINST\r\n'
        b"102\tHillary Clinton\tShe is our best choice \xcd\xa2\x91\x84 #SemST\tFAVOR\r\n"
    )
    _write(tmp_path / "semeval2016_task6" / "train.txt", tsv)
    _write(tmp_path / "semeval2016_task6" / "test.txt", tsv.replace(b"101", b"10001"))
    # data.root may also be the folder above the dataset's own (data.folder)
    ds = load_dataset(_conf("semeval2016", tmp_path, train="train.txt", test="test.txt"))
    assert [r.id for r in ds.train] == ["101", "102"]
    assert ds.train[0].text == '"Blessed are the peacemakers #SemST'
    assert ds.train[1].text == "She is our best choice \xcd\xa2\x91\x84 #SemST"  # Latin-1
    assert ds.test is not None and [r.id for r in ds.test] == ["10001", "102"]


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"Tweet,Target,Stance\nok #SemST,Atheism,AGAINST\nshort row,Atheism\n", 3, "2 cells"),
        (b"Tweet,Target,Stance\nok #SemST,Atheism,MAYBE\n", 2, "unknown stance 'MAYBE'"),
        (b"Tweet,Target,Stance\nok #SemST,Atheism,AGAINST\n\x00\x00\x00", 3, "NUL byte"),
        (b"Text,Label\nok,AGAINST\n", 1, "lacks column(s) ['Tweet', 'Target', 'Stance']"),
        (b'Tweet,Target,Stance\n"never closed,Atheism,AGAINST\n', 2, "malformed"),
    ],
    ids=["missing-cells", "bad-label", "binary", "wrong-header", "open-quote"],
)
def test_semeval_broken_file_raises_data_error_with_line(
    tmp_path: Path, content: bytes, line: int, message: str
) -> None:
    path = _write(tmp_path / "StanceDataset" / "train.csv", content)
    with pytest.raises(DataError) as err:
        load_dataset(_conf("semeval2016", tmp_path))
    assert err.value.path == str(path)
    assert err.value.line == line
    assert message in str(err.value)


def test_semeval_missing_folder_says_what_data_root_must_be(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"no StanceDataset/train.csv here"):
        load_dataset(_conf("semeval2016", tmp_path))


# --- RUW -----------------------------------------------------------------------------------

RUW_HEADER = b"Tweet,Target 1,Stance 1,Target 2,Stance 2,Test/Train/Dev\r\n"


def test_ruw_decodes_gbk_lines_and_makes_two_grouped_records_per_tweet(tmp_path: Path) -> None:
    gbk = b"How it started\xa1\xad how it's going,Russia,AGAINST,Ukraine,FAVOR,Train\r\n"
    utf8 = '"Caf\u00e9 talk, ""peace"" now",Russia,NONE,Ukraine,NONE,Train\r\n'.encode()
    train = RUW_HEADER + gbk + utf8
    _write(tmp_path / "raw_train_Russia_Ukraine.csv", train)
    _write(
        tmp_path / "raw_val_Russia_Ukraine.csv",
        RUW_HEADER + b"x,Russia,FAVOR,Ukraine,AGAINST,Dev\r\n",
    )
    ds = load_dataset(_conf("ruw", tmp_path))
    assert [(r.target, r.stance) for r in ds.train] == [
        ("Russia", "AGAINST"),
        ("Ukraine", "FAVOR"),
        ("Russia", "NONE"),
        ("Ukraine", "NONE"),
    ]
    assert ds.train[0].text == "How it started\u2026 how it's going"
    assert ds.train[2].text == 'Caf\u00e9 talk, "peace" now'
    assert ds.train[0].group == ds.train[1].group != ds.train[2].group
    assert len({r.id for r in ds.train}) == 4
    assert ds.test is not None and [r.stance for r in ds.test] == ["FAVOR", "AGAINST"]


def test_ruw_file_without_second_target_columns_is_refused(tmp_path: Path) -> None:
    _write(
        tmp_path / "raw_train_Russia_Ukraine.csv", b"Tweet,Target 1,Stance 1\r\nx,Russia,NONE\r\n"
    )
    with pytest.raises(DataError, match=r"lacks column\(s\) \['Target 2', 'Stance 2'\]") as err:
        load_dataset(_conf("ruw", tmp_path, test=None))
    assert err.value.line == 1


def test_ruw_bytes_no_encoding_can_read_name_the_line(tmp_path: Path) -> None:
    _write(
        tmp_path / "raw_train_Russia_Ukraine.csv",
        RUW_HEADER + b"ok\xff,Russia,NONE,Ukraine,NONE,x\r\n",
    )
    with pytest.raises(DataError, match="none of the encodings") as err:
        load_dataset(_conf("ruw", tmp_path, test=None, encodings=["utf-8"]))
    assert err.value.line == 2


# --- Catalonia Independence Corpus ---------------------------------------------------------

CIC_TRAIN = (
    "id_str\tTWEET\tLABEL\r\n"
    '11028517837209518e+18\tVisca "la terra lliure\tFAVOR\r\n'
    '11028517837209518e+18\tAixò no és ""normal""\tAGAINST\r\n'
    "1096086953441849344\tBon dia, país\tNEUTRAL\r\n"
).encode()


def test_catalonia_reads_unquoted_tsv_and_makes_mangled_ids_unique(tmp_path: Path) -> None:
    _write(tmp_path / "CIC_CA" / "catalan_train.csv", CIC_TRAIN)
    _write(tmp_path / "CIC_CA" / "catalan_val.csv", CIC_TRAIN)
    ds = load_dataset(_conf("catalonia", tmp_path))
    assert [r.id for r in ds.train] == [
        "11028517837209518e+18",
        "11028517837209518e+18~2",
        "1096086953441849344",
    ]
    assert ds.train[0].text == 'Visca "la terra lliure'
    assert ds.train[1].text == 'Això no és ""normal""'
    assert {r.target for r in ds.train} == {"la independència de Catalunya"}
    assert {r.lang for r in ds.train} == {"ca"}
    assert ds.test is not None and len(ds.test) == 3


def test_catalonia_spanish_is_chosen_by_data_lang(tmp_path: Path) -> None:
    _write(tmp_path / "CIC_ES" / "spanish_train.csv", CIC_TRAIN)
    ds = load_dataset(_conf("catalonia", tmp_path, lang="es", **{"files.es.test": None}))
    assert ds.test is None
    assert {r.target for r in ds.train} == {"la independencia de Cataluña"}


def test_catalonia_unknown_language_and_label_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"data\.lang"):
        load_dataset(_conf("catalonia", tmp_path, lang="fr"))
    _write(tmp_path / "CIC_CA" / "catalan_train.csv", b"id_str\tTWEET\tLABEL\r\n1\tx\tNONE\r\n")
    with pytest.raises(DataError, match="unknown stance 'NONE'") as err:
        load_dataset(_conf("catalonia", tmp_path))
    assert (err.value.line, err.value.field) == (2, "LABEL")


# --- OpinHuBank ----------------------------------------------------------------------------

OHB_HEADER = (
    '"ID","START","LEN","Entity","Sentence","URL","Annot1","Annot2","Annot3","Annot4","Annot5"\r\n'
)


def _ohb_rows(encoding: str) -> bytes:
    rows = (
        '1,0,2,"Orbán Viktor","Orbán Viktor szerint nő a bér.","http://a.hu/1","0","0","0","1","-1"\r\n'
        '2,0,1,"Gyurcsány","Gyurcsány rossz döntést hozott.","http://a.hu/2","-1","-1","-1","0","0"\r\n'
        '3,0,1,"Orbán","Gyurcsány rossz döntést hozott.","http://a.hu/2","1","1","0","0","-1"\r\n'
    )
    return (OHB_HEADER + rows).encode(encoding)


def test_opinhubank_latin2_majority_vote_drops_and_counts_ties(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    raw = _ohb_rows("iso-8859-2").replace(b"szerint", b"Karad\x9ei\xe6 szerint")
    _write(tmp_path / "OpinHuBank_20130106.csv", raw)
    with caplog.at_level("INFO", logger="newsclf.data.opinhubank"):
        ds = load_dataset(_conf("opinhubank", tmp_path))
    assert [(r.id, r.target, r.stance) for r in ds.train] == [
        ("1", "Orbán Viktor", "neutral"),
        ("2", "Gyurcsány", "negative"),
    ]  # row 3 (2 x 1, 2 x 0, 1 x -1) has no 3-of-5 majority
    assert ds.train[0].text == "Orbán Viktor Karadžić szerint nő a bér."  # CP1250 \x9e -> ž
    assert "1 dropped without a 3-of-5 majority" in caplog.text
    assert ds.train[1].group != ds.train[0].group


def test_opinhubank_saved_as_utf8_reads_the_same(tmp_path: Path) -> None:
    _write(tmp_path / "OpinHuBank_20130106.csv", _ohb_rows("utf-8"))
    latin = tmp_path / "latin2"
    _write(latin / "OpinHuBank_20130106.csv", _ohb_rows("iso-8859-2"))
    utf8 = load_dataset(_conf("opinhubank", tmp_path)).train
    assert [r.text for r in utf8] == [
        r.text for r in load_dataset(_conf("opinhubank", latin)).train
    ]


def test_opinhubank_bad_annotation_names_line_and_annotator(tmp_path: Path) -> None:
    raw = _ohb_rows("iso-8859-2").replace(b'"-1","-1","-1"', b'"-1","-1","2"')
    _write(tmp_path / "OpinHuBank_20130106.csv", raw)
    with pytest.raises(DataError, match="annotation '2'") as err:
        load_dataset(_conf("opinhubank", tmp_path))
    assert (err.value.line, err.value.field) == (3, "Annot3")


def test_majority_vote_needs_min_agreement() -> None:
    assert majority_vote(["1", "1", "1", "0", "-1"], 3) == "1"
    assert majority_vote(["1", "1", "0", "0", "-1"], 3) is None
    assert majority_vote(["1", "1", "0", "0", "-1"], 2) in {"1", "0"}
