"""Where each benchmark dataset newsclf knows can be downloaded, with pinned sha256 checksums.

``newsclf data fetch NAME`` downloads the files of ``SOURCES[NAME]`` and refuses any file whose
sha256 differs from the one pinned here. The checksums are those of the original files, as
recorded in each dataset's PROVENANCE.md (and recomputed with ``sha256sum`` on the copies that
are the original files). URLs are pinned to a commit where the source is a Git repository.

Only the training (and validation) parts are listed where the source offers the parts as
separate files: the official test parts are held aside to evaluate newsclf independently. Where
a dataset only comes as one archive (20 Newsgroups, CIC), the archive also holds its test part;
the note says so.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["SOURCES", "DatasetSource", "SourceFile"]


@dataclass(frozen=True)
class SourceFile:
    """One file of a dataset.

    ``path`` is where it lands below ``DEST/NAME/`` (``/`` separated); ``urls`` are tried in
    order (mirrors) until one answers; ``unpack`` extracts a zip archive beside it after the
    checksum matched.
    """

    path: str
    urls: tuple[str, ...]
    sha256: str
    size: int | None = None
    unpack: bool = False


@dataclass(frozen=True)
class DatasetSource:
    """A dataset's public source: its files, or, with ``files=()``, how to obtain it by hand."""

    name: str
    title: str
    homepage: str
    licence: str
    files: tuple[SourceFile, ...] = ()
    note: str = ""
    manual: str = ""  # non-empty: no stable public download; how to get the files instead

    @property
    def downloadable(self) -> bool:
        return bool(self.files) and not self.manual


_GH = "https://raw.githubusercontent.com"

#: dataset name (as in ``data=NAME``) -> source; one entry per benchmark dataset
SOURCES: dict[str, DatasetSource] = {
    "fnc1": DatasetSource(
        name="fnc1",
        title="FNC-1 (Fake News Challenge stage 1), training data",
        homepage="https://github.com/FakeNewsChallenge/fnc-1",
        licence="none stated; research and evaluation only",
        files=(
            SourceFile(
                path="train_bodies.csv",
                urls=(f"{_GH}/FakeNewsChallenge/fnc-1/master/train_bodies.csv",),
                sha256="f1960cf7aa6972a9308aedbd3b393ab773893604d7d323378b75f66112f0c27a",
                size=3752301,
            ),
            SourceFile(
                path="train_stances.csv",
                urls=(f"{_GH}/FakeNewsChallenge/fnc-1/master/train_stances.csv",),
                sha256="0ddb333ba3654ca1ecfa5341e4aa13657afdcdcd05275c46859d43ddd1dbafcf",
                size=4305273,
            ),
        ),
        note="training part only (the competition test files are held aside); "
        "use with data=fnc1 data.root=DIR",
    ),
    "semeval2016": DatasetSource(
        name="semeval2016",
        title="SemEval-2016 Task 6: Detecting Stance in Tweets, subtask A training data",
        homepage="http://saifmohammad.com/WebPages/StanceDataset.htm",
        licence="research use (released by the organisers); tweets belong to their authors",
        files=(
            SourceFile(
                path="semeval2016-task6-trainingdata.txt",
                urls=(
                    f"{_GH}/prrao87/tweet-stance-prediction/"
                    "2c4086dd17b3f058846538113419e7306e07e761/data/"
                    "semeval2016-task6-trainingdata.txt",
                ),
                sha256="882660f548ca54874a59fa633065535f9a0f6ae2a00fb767bf2d9e2b0c2e617f",
                size=397092,
            ),
        ),
        note="the 2,814 training tweets (TSV, latin-1) from a GitHub copy of the organisers' "
        "file; the StanceDataset zip on the homepage (train + trial + test) is not fetched "
        "because it holds the test part. Use with data=semeval2016 data.root=DIR "
        "data.train=semeval2016-task6-trainingdata.txt",
    ),
    "20newsgroups": DatasetSource(
        name="20newsgroups",
        title='20 Newsgroups, "bydate" version (Jason Rennie)',
        homepage="http://qwone.com/~jason/20Newsgroups/",
        licence="none stated; public Usenet posts, research use",
        files=(
            SourceFile(
                path="20news-bydate.tar.gz",
                urls=(
                    # scikit-learn's fetch_20newsgroups mirror; checksum as pinned there
                    "https://ndownloader.figshare.com/files/5975967",
                    "https://people.csail.mit.edu/jrennie/20Newsgroups/20news-bydate.tar.gz",
                ),
                sha256="8f1b2514ca22a5ade8fbb9cfa5727df95fa587f4c87b786e15c759fa66d95610",
            ),
        ),
        note="one archive with both 20news-bydate-train/ and 20news-bydate-test/; checksum "
        "as pinned by scikit-learn's fetch_20newsgroups (the copy in shared/data is repacked, "
        "not the original). data=20newsgroups data.root=DIR evaluates on the test part; add "
        "data.use_test=false to hold out part of the training set instead",
    ),
    "bbc": DatasetSource(
        name="bbc",
        title="BBC News (Greene & Cunningham 2006), full text, 5 sections",
        homepage="http://mlg.ucd.ie/datasets/bbc.html",
        licence="content (c) BBC; research and evaluation only",
        files=(
            SourceFile(
                path="bbc-fulltext.zip",
                urls=(
                    f"{_GH}/HichamSad/News-Categorizer-NeuralFH/"
                    "b65a9abb9e434bea29f70e9e7bbe0a62e3935cbe/bbc-fulltext.zip",
                ),
                sha256="3b63088333102316c4780aff395f5eebd3cebfdb117691af7e8380905ccff8bd",
                size=2816080,
                unpack=True,
            ),
        ),
        note="the authors' bbc-fulltext.zip (via a GitHub copy), unpacked beside the zip; "
        "point data=bbc data.root at the unpacked folder that holds bbc/ or the section folders",
    ),
    "ruw": DatasetSource(
        name="ruw",
        title="RUW: multi-target stance on the Russia-Ukraine war (tweets)",
        homepage="https://github.com/multi-target/RUW",
        licence="none stated; research and evaluation only",
        files=tuple(
            SourceFile(
                path=name,
                urls=(f"{_GH}/multi-target/RUW/ecb2a4579197c5be03092a1b8fa21ead359809ce/{name}",),
                sha256=sha,
                size=size,
            )
            for name, sha, size in (
                (
                    "raw_train_Russia_Ukraine.csv",
                    "e63c65afc3491a51fabec0709b559004ee03453aa392f5b3fac005a55a6372c2",
                    929668,
                ),
                (
                    "raw_val_Russia_Ukraine.csv",
                    "3c13e456bc4b830370a15ebd888de428d1b3a929ad14d1220cc3b0e4a5b50ff0",
                    132660,
                ),
            )
        ),
        note="training and validation parts (the test part is held aside); "
        "use with data=ruw data.root=DIR",
    ),
    "catalonia": DatasetSource(
        name="catalonia",
        title="Catalonia Independence Corpus (CIC), Catalan and Spanish tweets",
        homepage="https://github.com/ixa-ehu/catalonia-independence-corpus",
        licence="CC BY-NC-SA 4.0",
        files=tuple(
            SourceFile(
                path=name,
                urls=(
                    f"{_GH}/ixa-ehu/catalonia-independence-corpus/"
                    f"ab1359326cfad0723046719f04cfac57e84c6bac/{name}",
                ),
                sha256=sha,
                unpack=True,
            )
            for name, sha in (
                (
                    "01_CIC_CA.zip",
                    "c8312c4d1355e414171d166cac5ba3fa97734ebc639b02c2b6f7995cb15c75d9",
                ),
                (
                    "02_CIC_ES.zip",
                    "eb717f7074d5a7c9ef596049bab890ca8a1bae9ac0bad12ef70dc3ae09f068ab",
                ),
            )
        ),
        note="the two archives hold train, val AND test CSVs, unpacked beside them; train and "
        "validate on the train/val files only (data=catalonia data.root=DIR)",
    ),
    "opinhubank": DatasetSource(
        name="opinhubank",
        title="OpinHuBank 2013-01-06 (Hungarian entity-level sentiment)",
        homepage="https://sites.google.com/site/mmihaltz/resources",
        licence="CC-BY",
        files=(
            SourceFile(
                path="OpinHuBank_20130106.csv",
                urls=(
                    f"{_GH}/xerevity/my-little-datasets/"
                    "695165dd3ed84ed94bc3c5b6eef397477db4ccf1/OpinHuBank_20130106.csv",
                ),
                sha256="46fc7c2ffbff84d61b46fb83a025000e53c66e4adab13003fb11408b4df4cc8a",
                size=3212923,
            ),
        ),
        note="official download is META-SHARE (NYTUD) behind a licence form; this is a GitHub "
        "mirror of the same file name and encoding (ISO-8859-2), checksum pinned; "
        "use with data=opinhubank data.root=DIR",
    ),
    "hu_rovat": DatasetSource(
        name="hu_rovat",
        title="Hungarian news with site sections (rovat), 23-24 Dec 2025, 4 sites",
        homepage="https://github.com/4mbrus/Hungarian-News-Scrape",
        licence="none stated; texts (c) their publishers: internal evaluation only",
        files=tuple(
            SourceFile(
                path=f"data_raw/{name}",
                urls=(
                    f"{_GH}/4mbrus/Hungarian-News-Scrape/"
                    f"63c9735700621d3baec7bc57f80ee4c29a9124ff/data_raw/{name}",
                ),
                sha256=sha,
                size=size,
            )
            for name, sha, size in (
                (
                    "hvg_db.csv",
                    "02663cdf453f754b1da352408d3e42a31be34adf90b2de675aa6266c88b99a82",
                    152252,
                ),
                (
                    "mandiner_db.csv",
                    "171217c4f95e00b3ca75c731666b06e11eafdd0733a659edf21bd2777a9f6729",
                    296536,
                ),
                (
                    "mn_db.csv",
                    "196fa796e07654fadefdeed86f3ccc82553addb5815bf94967de700f21c1fdf0",
                    284526,
                ),
                (
                    "telex_db.csv",
                    "cdd05893ed77c8ad823e82a5dd7be8e5e2a54fe949b1e363211dd6f07a861630",
                    954530,
                ),
            )
        ),
        note="smoke tests only (518 articles), not a benchmark; data=hu_rovat data.root=DIR",
    ),
}
