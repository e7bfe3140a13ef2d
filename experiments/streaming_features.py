"""Which hashed n-grams to stream: word 1-2-grams alone vs word + char n-grams (issue 6).

    .venv/bin/python experiments/streaming_features.py /work/shared/data/20newsgroups_bydate

The reason behind ``experiment=streaming``'s default (word 1-2-grams only): on 20 Newsgroups
(training file, stratified 20% held out), SGD (modified Huber) learns with ``partial_fit`` in
2,000-post chunks, as the streaming trainer does, for one and three epochs over each feature
set; prints accuracy, macro-F1 and CPU seconds (hashing + learning) of each. First, the
hashing speed on this real vocabulary, with a cold and a warm word cache.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.linear_model import SGDClassifier
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

from newsclf.data import load_dataset
from newsclf.features.hashed_ngrams import HashingTextVectorizer

VARIANTS = {
    "word 1-2": {"char_ngram_range": None},
    "word 1-2 + char 3-5": {"char_ngram_range": (3, 5)},
    "word 1-2 + char 3-4": {"char_ngram_range": (3, 4)},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("root", type=Path, help="the 20news-bydate folder (or its tar.gz's)")
    parser.add_argument("--chunk", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    cfg = {
        "name": "20newsgroups",
        "root": str(args.root),
        "remove": [],
        "use_test": False,
        "encodings": ["utf-8", "latin-1"],
    }
    records = load_dataset(cfg).train
    texts = [(r.title + "\n" if r.title else "") + r.text for r in records]
    y = np.asarray([r.topic for r in records])
    train, test = train_test_split(
        np.arange(len(texts)), test_size=0.2, stratify=y, random_state=args.seed
    )
    classes = np.unique(y)
    # hashing speed on a real vocabulary: the first pass analyses every new raw word (normalise,
    # tokenise, stem: Python per word), later passes find all of them in the per-process cache
    words = sum(len(t.split()) for t in texts)
    vec = HashingTextVectorizer(dtype="float32", char_ngram_range=None).fit(["x"])
    for label in ("first pass (cold word cache)", "second pass (warm)"):
        started = time.process_time()
        vec.transform(texts)
        seconds = time.process_time() - started
        print(
            f"hashing word 1-2-grams, {label}: {len(texts) / seconds:,.0f} posts/s "
            f"({len(texts):,} posts, {words / len(texts):.0f} words each, one core)",
            flush=True,
        )
    for label, params in VARIANTS.items():
        vec = HashingTextVectorizer(dtype="float32", **params).fit(["x"])
        for epochs in (1, 3):
            clf = SGDClassifier(loss="modified_huber", alpha=1e-4, random_state=0)
            rng = np.random.default_rng(0)
            started = time.process_time()
            for _ in range(epochs):
                order = train[rng.permutation(len(train))]
                for s in range(0, len(order), args.chunk):
                    idx = order[s : s + args.chunk]
                    X = vec.transform([texts[i] for i in idx])
                    clf.partial_fit(X, y[idx], classes=classes)
            pred = clf.predict(vec.transform([texts[i] for i in test]))
            print(
                f"{label:22s} epochs {epochs}: accuracy {accuracy_score(y[test], pred):.4f}  "
                f"macro-F1 {f1_score(y[test], pred, average='macro'):.4f}  "
                f"CPU {time.process_time() - started:.0f} s",
                flush=True,
            )


if __name__ == "__main__":
    main()
