"""Out-of-core training (experiment=streaming), its hashing features and the submitit launcher."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.preprocessing import normalize

import newsclf
from newsclf.cli import main
from newsclf.data import demo_path, read_records
from newsclf.data.splits import held_out
from newsclf.features.hashed_ngrams import HashingTextVectorizer, _batch_words, _column
from newsclf.models import build_model
from newsclf.runs.run_dir import data_fingerprint
from newsclf.text.normalize import normalize_text
from newsclf.text.tokenize import WordAnalyzer

DEMO_TEXTS = [r.text for r in read_records(demo_path())[:60]]
TRICKY = [
    "",
    "   ",
    "A\u00a0forint  gyengült,\n\naz infláció\tgyorsult.",
    "\u201eIdézet\u201d \u2013 gondolatjel \u00f5r\u00fbl\x07vezérlő",
    "nul\x00byte and \ue000private use",
    "e\u0301kezet, ﬁ ligature, \u2028line sep \x85next",
    "x",
    "it's a well-known _under_score co-op 'quoted' don't-",
    "soft\u00adhyphen zero\u200bwidth \ufeffbom ǅemal ΑΘΗΝΑ ΣΟΦΙΑ İstanbul",
    "emoji \U0001f600 \u201equoted\u201d",
    # NFKC splits a raw word (U+00B4 -> space + accent, U+FE49 likewise) or empties one
    "acute\u00b4split a\ufe49b \u200b lone zwsp \u00ad CAPS Caps caps",
]


def _reference_column(text: str, salt: int, n_features: int) -> int:
    h = 0
    for ch in text:
        h = (h * 0x9E3779B97F4A7C15 + ord(ch)) % 2**64
    return int(_column(np.asarray([h], dtype=np.uint64), salt, n_features)[0])


def _expected(grams_per_doc: list[list[str]], n_features: int, salt_by_length: bool):
    rows, cols = [], []
    for i, grams in enumerate(grams_per_doc):
        for g in grams:
            rows.append(i)
            cols.append(_reference_column(g, len(g) if salt_by_length else 0, n_features))
    counts = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(grams_per_doc), n_features)
    )
    counts.sum_duplicates()
    return normalize(counts)


def test_raw_words_normalised_one_by_one_give_the_words_of_normalize_text() -> None:
    texts = TRICKY + DEMO_TEXTS
    cps, starts, ends, doc = _batch_words(texts)
    got: list[list[str]] = [[] for _ in texts]
    for a, b, d in zip(starts, ends, doc, strict=True):
        raw = cps[a:b].tobytes().decode("utf-32-le")
        assert raw and not any(ch.isspace() for ch in raw)
        got[d].extend(normalize_text(raw).split())
    expected = [normalize_text(t.replace("\ue000", " ")).split() for t in texts]
    assert got == expected


def test_language_guess_counts_the_normalised_words_a_raw_word_stands_for() -> None:
    from newsclf.text.lang import LANGUAGE_WORDS, SUPPORTED_LANGUAGES, language_of_normalized

    # "az´the´the´the" is four normalised words (NFKC splits at U+00B4): the limit may fall
    # inside it, and only the words before the limit count ("az" alone says Hungarian)
    split_word = "az\u00b4the\u00b4the\u00b4the"
    texts = (
        [
            " ".join(["x"] * k + [split_word] + ["the"] * 5)
            for k in range(LANGUAGE_WORDS - 4, LANGUAGE_WORDS + 1)
        ]
        + TRICKY
        + DEMO_TEXTS[:20]
    )
    vec = HashingTextVectorizer(char_ngram_range=None).fit(texts)
    table = vec._table((1, 2), None)
    cps, starts, ends, doc = _batch_words(texts)
    wid = table.word_ids_of_codepoints(cps, starts, ends)
    first = np.searchsorted(doc, np.arange(len(texts)))
    got = [SUPPORTED_LANGUAGES[k] for k in table.languages(wid, doc, first, len(texts))]
    expected = [language_of_normalized(normalize_text(t.replace("\ue000", " "))) for t in texts]
    assert got == expected
    assert expected[3] == "hu" and expected[0] == "en"


def test_word_hash_index_finds_every_key_after_growth_and_clashes() -> None:
    from newsclf.features._word_table import _HashIndex

    index = _HashIndex()
    rng = np.random.default_rng(0)
    # 100k keys in 2**18 slots: many probe past taken slots
    keys = np.unique(rng.integers(1, 2**63, size=100_000, dtype=np.uint64))
    ids = rng.permutation(len(keys))
    index.insert(keys[:1000], ids[:1000])
    index.insert(keys[1000:], ids[1000:])  # grows the table
    assert (index.lookup(keys) == ids).all()
    assert (index.lookup(np.asarray([7, 9], dtype=np.uint64)) == -1).all()


def test_word_block_hashes_the_word_analyzers_ngrams() -> None:
    texts = [t for t in TRICKY + DEMO_TEXTS if "\ue000" not in t]
    vec = HashingTextVectorizer(
        word_ngram_range=(1, 3), char_ngram_range=None, sublinear_tf=False, n_features=2**12
    ).fit(texts)
    analyzer = WordAnalyzer(lang="auto", ngram_range=(1, 3))
    expected = _expected([analyzer(t) for t in texts], 2**12, salt_by_length=False)
    assert np.allclose(vec.transform(texts).toarray(), expected.toarray())


@pytest.mark.parametrize("ngram_range", [(2, 5), (3, 5), (5, 7)])
def test_char_block_hashes_sklearn_char_wb_ngrams(ngram_range: tuple[int, int]) -> None:
    texts = [t for t in TRICKY + DEMO_TEXTS[:20] if "\ue000" not in t]
    vec = HashingTextVectorizer(
        word_ngram_range=None, char_ngram_range=ngram_range, sublinear_tf=False, n_features=2**12
    ).fit(texts)
    analyzer = CountVectorizer(
        analyzer="char_wb", preprocessor=normalize_text, ngram_range=ngram_range
    ).build_analyzer()
    expected = _expected([analyzer(t) for t in texts], 2**12, salt_by_length=True)
    assert np.allclose(vec.transform(texts).toarray(), expected.toarray())


def test_word_and_char_blocks_sit_side_by_side_each_normalised_and_weighted() -> None:
    texts = [t for t in TRICKY + DEMO_TEXTS[:20] if "\ue000" not in t]
    params = {"n_features": 2**10, "word_ngram_range": (1, 2), "char_ngram_range": (3, 4)}
    both = HashingTextVectorizer(**params, char_weight=0.5).fit(texts).transform(texts)
    words = HashingTextVectorizer(**{**params, "char_ngram_range": None}).fit(texts)
    chars = HashingTextVectorizer(**{**params, "word_ngram_range": None}).fit(texts)
    expected = sp.hstack([words.transform(texts), 0.5 * chars.transform(texts)])
    assert both.shape == (len(texts), 2 * 2**10)
    assert abs(both - expected).max() < 1e-12


def test_hashing_output_of_a_text_does_not_depend_on_its_batch() -> None:
    texts = DEMO_TEXTS * 5  # crosses the internal batch size
    vec = HashingTextVectorizer(n_features=2**14).fit(texts)
    together = vec.transform(texts)
    alone = sp.vstack([vec.transform([t]) for t in texts[250:262]])
    assert together.shape == (len(texts), 2 * 2**14)
    assert abs(together[250:262] - alone).max() < 1e-12


def test_hashing_output_is_the_same_with_a_cold_warm_or_restarted_word_cache(monkeypatch) -> None:
    from newsclf.features import _word_table

    texts = DEMO_TEXTS[:40]
    vec = HashingTextVectorizer(word_ngram_range=(1, 3), n_features=2**12).fit(texts)
    monkeypatch.setattr(_word_table, "_TABLES", {})
    cold = vec.transform(texts)
    warm = vec.transform(texts)
    monkeypatch.setattr(_word_table, "WORD_LIMIT", 50)  # the table restarts between batches
    monkeypatch.setattr("newsclf.features.hashed_ngrams._BATCH", 7)
    restarted = vec.transform(texts)
    for other in (warm, restarted):
        assert abs(cold - other).max() < 1e-12


def test_hashing_with_a_fixed_language_stems_every_text_in_it() -> None:
    texts = [t for t in TRICKY + DEMO_TEXTS[:20] if "\ue000" not in t]
    vec = HashingTextVectorizer(
        lang="hu",
        word_ngram_range=(1, 2),
        char_ngram_range=None,
        sublinear_tf=False,
        n_features=2**12,
    ).fit(texts)
    analyzer = WordAnalyzer(lang="hu", ngram_range=(1, 2))
    expected = _expected([analyzer(t) for t in texts], 2**12, salt_by_length=False)
    assert np.allclose(vec.transform(texts).toarray(), expected.toarray())


def test_hashing_float32_output_matches_float64() -> None:
    vec64 = HashingTextVectorizer(n_features=2**12).fit(["x"])
    vec32 = HashingTextVectorizer(n_features=2**12, dtype="float32").fit(["x"])
    X32 = vec32.transform(DEMO_TEXTS[:10])
    assert X32.dtype == np.float32
    assert np.allclose(X32.toarray(), vec64.transform(DEMO_TEXTS[:10]).toarray(), atol=1e-6)
    with pytest.raises(ValueError, match="dtype"):
        HashingTextVectorizer(dtype="int8").fit(["x"])


def test_hashing_vectorizer_follows_the_estimator_contract() -> None:
    vec = HashingTextVectorizer(char_ngram_range=[2, 4], n_features=1024)
    with pytest.raises(NotFittedError):
        vec.transform(["a"])
    assert clone(vec).get_params() == vec.get_params()
    assert vec.fit(["a b"]) is vec
    with pytest.raises(ValueError, match="Iterable over raw text documents"):
        vec.transform("a bare string")
    X = vec.transform(DEMO_TEXTS[:5])
    again = pickle.loads(pickle.dumps(vec)).transform(np.asarray(DEMO_TEXTS[:5], dtype=object))
    assert (X != again).nnz == 0
    assert len(vec.get_feature_names_out()) == X.shape[1]
    for bad in ({"char_ngram_range": (1, 3)}, {"n_features": 0}, {"lang": "de"}):
        with pytest.raises(ValueError):
            HashingTextVectorizer(**bad).fit(["a"])


def test_held_out_is_stable_and_close_to_the_fraction() -> None:
    keys = [f"group-{i}" for i in range(20_000)]
    picked = [held_out(k, 42, 0.2) for k in keys]
    assert picked == [held_out(k, 42, 0.2) for k in keys]
    assert 0.18 < sum(picked) / len(keys) < 0.22
    assert picked != [held_out(k, 7, 0.2) for k in keys]


def test_passive_aggressive_scores_sum_to_one() -> None:
    model = build_model({"name": "passive_aggressive", "params": {"eta0": 0.1}}, seed=0)
    X = np.asarray([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    model.partial_fit(X, ["a", "b", "c"], classes=np.asarray(["a", "b", "c"]))
    assert np.allclose(model.predict_proba(X).sum(axis=1), 1.0)
    assert set(model.predict(X)) <= {"a", "b", "c"}


def _tiny_rows(n: int = 60) -> list[dict]:
    words = {
        "economy": "forint infláció bank kamat piac árfolyam euró budget inflation",
        "sport": "meccs gól bajnokság edző válogatott csapat match goal coach",
    }
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n):
        topic = ("economy", "sport")[i % 2]
        text = " ".join(rng.choice(words[topic].split(), size=25))
        rows.append({"id": f"r{i}", "text": text, "topic": topic, "group": f"g{i // 2}"})
    return rows


def _train(path: Path, run_dir: Path, *extra: str) -> int:
    return main(
        [
            "train",
            "experiment=streaming",
            "data=records",
            f"data.train={path}",
            "tasks=[topic]",
            "n_jobs=1",
            "trainer.chunk_size=7",
            "trainer.epochs=3",
            "eval.resamples=20",
            f"hydra.run.dir={run_dir}",
            *extra,
        ]
    )


def test_streaming_run_holds_out_groups_and_saves_a_loadable_artifact(
    write_jsonl, tmp_path: Path, capsys: pytest.CaptureFixture, monkeypatch
) -> None:
    rows = _tiny_rows()
    path = write_jsonl(rows)
    run_dir = tmp_path / "run"
    assert _train(path, run_dir) == 0
    metrics = json.loads((run_dir / "metrics.json").read_text())
    assert metrics["n_train"] + metrics["n_eval"] == len(rows)
    eval_ids = set(metrics["eval_ids"])
    groups = {r["group"]: r["id"] in eval_ids for r in rows}
    assert all(groups[r["group"]] == (r["id"] in eval_ids) for r in rows)
    predictions = (run_dir / "predictions.jsonl").read_text().splitlines()
    assert [json.loads(p)["id"] for p in predictions] == metrics["eval_ids"]
    assert metrics["tasks"]["topic"]["accuracy"] > 0.8  # the two topics share no words
    records = read_records(path)
    assert metrics["data_fingerprint"] == data_fingerprint(records, ["topic"])
    clf = newsclf.load(run_dir / "model")
    assert clf.labels == {"topic": ["economy", "sport"]}
    assert list(clf.predict(["forint infláció kamat", "gól meccs edző"])["topic"]) == [
        "economy",
        "sport",
    ]
    capsys.readouterr()
    assert main(["predict", str(run_dir / "model"), str(path)]) == 0
    out = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [o["id"] for o in out] == [r["id"] for r in rows]
    assert not list(run_dir.glob(".*spool*"))
    # a second run in the same dir is skipped (resume), so the fingerprint matches; the check
    # streams the file too (it never loads the whole dataset)
    monkeypatch.setattr(
        "newsclf.trainers.memory.load_dataset", lambda *a: pytest.fail("loaded it all")
    )
    assert _train(path, run_dir) == 0
    assert json.loads((run_dir / "metrics.json").read_text()) == metrics


def test_streaming_reads_csv_and_multinomial_nb(tmp_path: Path) -> None:
    path = tmp_path / "records.csv"
    lines = ["id,text,topic,group"]
    lines += [f'{r["id"]},"{r["text"]}",{r["topic"]},{r["group"]}' for r in _tiny_rows()]
    lines[10:10] = [",,,", ""]  # skipped as by the in-memory reader: not a record
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _train(path, tmp_path / "run", "model=multinomial_nb") == 0
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["n_train"] + metrics["n_eval"] == 60


def test_streaming_bad_line_fails_naming_file_and_line(write_jsonl, tmp_path: Path) -> None:
    path = write_jsonl(_tiny_rows(20))
    lines = path.read_text().splitlines()
    lines[11] = '{"id": "bad", "text": '
    path.write_text("\n".join(lines) + "\n")
    assert _train(path, tmp_path / "run") == 2
    error = json.loads((tmp_path / "run" / "error.json").read_text())
    assert f"{path}:12" in error["message"]


def test_streaming_rejects_a_model_without_partial_fit(write_jsonl, tmp_path: Path) -> None:
    path = write_jsonl(_tiny_rows(20))
    assert _train(path, tmp_path / "run", "model=linear_svm") == 2
    error = json.loads((tmp_path / "run" / "error.json").read_text())
    assert "incrementally" in error["message"] and "sgd" in error["message"]


def test_slurm_launcher_config_extends_submitit_slurm() -> None:
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    from hydra import compose, initialize_config_module

    with initialize_config_module(version_base="1.3", config_module="newsclf.conf"):
        cfg = compose(
            config_name="config",
            overrides=["hydra/launcher=slurm", "hydra.launcher.partition=cpu"],
            return_hydra_config=True,
        )
    launcher = cfg.hydra.launcher
    assert launcher._target_.endswith("submitit_launcher.SlurmLauncher")
    assert (launcher.partition, launcher.cpus_per_task, launcher.gpus_per_node) == ("cpu", 2, None)


def test_submitit_local_sweep_runs_two_jobs(write_jsonl, tmp_path: Path) -> None:
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher")
    path = write_jsonl(_tiny_rows(40))
    sweep = tmp_path / "sweep"
    script = Path(sys.executable).parent / "newsclf"
    result = subprocess.run(
        [
            str(script),
            "train",
            "-m",
            "hydra/launcher=submitit_local",
            "hydra.launcher.timeout_min=5",
            "experiment=streaming",
            "data=records",
            f"data.train={path}",
            "tasks=[topic]",
            "n_jobs=1",
            "model=sgd,multinomial_nb",
            "eval.resamples=20",
            f"hydra.sweep.dir={sweep}",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    for job in ("0", "1"):
        metrics = json.loads((sweep / job / "metrics.json").read_text())
        assert metrics["n_train"] + metrics["n_eval"] == 40
        assert (sweep / job / "model" / "manifest.json").is_file()
    models = {json.loads((sweep / j / "metrics.json").read_text())["overrides"][-2] for j in "01"}
    assert models == {"model=sgd", "model=multinomial_nb"}
