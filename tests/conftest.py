"""Shared fixtures: one demo training run per test session (the CLI, in-process), and a tiny
bilingual topic + stance model that trains in milliseconds."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from newsclf.classifier import NewsClassifier
from newsclf.cli import main
from newsclf.features import PairVectorizer, TextVectorizer
from newsclf.pipeline import TaskModel

TINY_TEXTS = [
    "A forint gyengült, az infláció gyorsult.",
    "Az MNB kamatot emelt a drágulás miatt.",
    "A válogatott gólzáporos meccsen nyert.",
    "A Fradi kikapott a bajnokin.",
    "Inflation rose as the central bank held rates.",
    "The striker scored twice in the final.",
]
TINY_TOPICS = ["economy", "economy", "sport", "sport", "economy", "sport"]
TINY_TARGETS = ["Az infláció gyorsul."] * 6
TINY_STANCES = ["agree", "discuss", "unrelated", "unrelated", "agree", "unrelated"]


def build_tiny_classifier() -> NewsClassifier:
    topic = Pipeline([("features", TextVectorizer()), ("model", LogisticRegression())])
    topic.fit(TINY_TEXTS, TINY_TOPICS)
    stance = Pipeline([("features", PairVectorizer()), ("model", LogisticRegression())])
    stance.fit(list(zip(TINY_TEXTS, TINY_TARGETS, strict=True)), TINY_STANCES)
    return NewsClassifier(
        {"topic": TaskModel(topic, input="text"), "stance": TaskModel(stance, input="pair")}
    )


@pytest.fixture
def tiny_classifier() -> NewsClassifier:
    """A fresh, unsaved topic + stance classifier."""
    return build_tiny_classifier()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny classifier saved as a joblib artifact (shared: do not modify it)."""
    return build_tiny_classifier().save(tmp_path_factory.mktemp("tiny") / "model")


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run dir of `newsclf train` on the bundled demo corpus with default config."""
    run_dir = tmp_path_factory.mktemp("demo_run")
    code = main(["train", f"hydra.run.dir={run_dir}"])
    assert code == 0
    return run_dir


@pytest.fixture
def write_jsonl(tmp_path: Path):
    """Write records (dicts) to a JSONL file and return its path."""

    def write(rows: list[dict], name: str = "records.jsonl") -> Path:
        path = tmp_path / name
        path.write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
        )
        return path

    return write


@pytest.fixture(autouse=True, scope="session")
def _embedding_cache_in_tmp(tmp_path_factory: pytest.TempPathFactory):
    """Embeddings (and other caches) go to a per-session folder, never to ~/.cache."""
    import os

    old = os.environ.get("NEWSCLF_CACHE_DIR")
    os.environ["NEWSCLF_CACHE_DIR"] = str(tmp_path_factory.mktemp("newsclf-cache"))
    yield
    if old is None:
        os.environ.pop("NEWSCLF_CACHE_DIR", None)
    else:
        os.environ["NEWSCLF_CACHE_DIR"] = old


FNC1_TOPICS = ["bridge", "panda", "tour", "storm", "election", "vaccine", "merger", "rocket"]


def write_synthetic_fnc1(root: Path) -> Path:
    """An FNC-1 folder: eight bodies, each with an agree, disagree, discuss and two unrelated
    headlines (tests of the loader and the pinned predictions share it)."""
    root.mkdir(parents=True, exist_ok=True)
    bodies = ["Body ID,articleBody"]
    stances = ["Headline,Body ID,Stance"]
    for i, topic in enumerate(FNC1_TOPICS):
        other = FNC1_TOPICS[(i + 3) % len(FNC1_TOPICS)]
        bodies.append(
            f'{i},"The {topic} story broke on Monday. Officials confirmed the {topic} news.\n\n'
            f'Critics denied parts of it, and some reports remain unverified."'
        )
        stances += [
            f"Officials confirm the {topic} news,{i},agree",
            f"The {topic} news is a hoax and false,{i},disagree",
            f"Reports claim the {topic} story may be true,{i},discuss",
            f"Officials confirm the {other} news,{i},unrelated",
            f"Reports claim the {other} story may be true,{i},unrelated",
        ]
    (root / "train_bodies.csv").write_text("\n".join(bodies), encoding="utf-8")
    (root / "train_stances.csv").write_text("\n".join(stances), encoding="utf-8")
    return root


def reachable_arrays(obj: object, depth: int = 0) -> list[np.ndarray]:
    """The numpy arrays reachable from ``obj`` through attributes, lists and dicts."""
    if isinstance(obj, np.ndarray):
        return [obj]
    if depth > 8:
        return []
    children = (
        list(obj.values())
        if isinstance(obj, dict)
        else list(obj)
        if isinstance(obj, list | tuple)
        else list(vars(obj).values())
        if hasattr(obj, "__dict__")
        else []
    )
    return [a for child in children for a in reachable_arrays(child, depth + 1)]
