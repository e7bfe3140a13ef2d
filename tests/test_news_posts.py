"""Features of news posts (word + char + subject thread) and the thread-blend classifier."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.utils.estimator_checks import check_estimator

from newsclf.features.news_posts import NewsPostVectorizer, split_header, thread_key
from newsclf.features.registry import build_text_features
from newsclf.models.registry import build_model
from newsclf.models.thread_blend import ThreadBlendClassifier


def _post(subject: str, body: str, sender: str = "ann@example.org") -> str:
    return f"From: {sender}\nSubject: {subject}\nLines: 12\n\n{body}"


POSTS = [
    _post("Engine swap", "The engine of my car needs new spark plugs and oil."),
    _post("Re: Engine swap", "Change the oil of the car engine every few months."),
    _post("Orbit insertion", "The probe reached orbit and the rocket engine shut down."),
    _post("Re: Orbit insertion", "NASA said the launch and the orbit were nominal."),
]
LABELS = ["autos", "autos", "space", "space"]


def test_thread_key_strips_reply_prefixes_and_case() -> None:
    assert thread_key(_post("Re: RE: Engine  swap", "x")) == "engine swap"
    assert thread_key(_post("Engine swap", "x")) == "engine swap"
    assert thread_key(_post("Fwd: Re[2]: Engine swap", "x")) == "engine swap"


def test_text_without_header_has_no_thread_and_keeps_its_body() -> None:
    text = "Just a body.\n\nWith two paragraphs: and a colon."
    assert thread_key(text) == ""
    assert split_header(text) == ([], text)


def test_dropped_header_fields_leave_the_text_but_subject_and_body_stay() -> None:
    vec = NewsPostVectorizer(
        char_ngram_range=None, thread_n_features=0, drop_headers=["lines", "from"]
    )
    names = set(vec.fit(POSTS).get_feature_names_out())
    assert "word:lines" not in names and "word:ann" not in names
    assert "word:subject" in names and "word:spark" in names
    kept = set(
        NewsPostVectorizer(char_ngram_range=None, thread_n_features=0)
        .fit(POSTS)
        .get_feature_names_out()
    )
    assert {"word:lines", "word:ann"} <= kept


def test_thread_block_is_the_last_columns_and_one_column_per_subject() -> None:
    vec = NewsPostVectorizer(char_n_features=32, thread_n_features=16).fit(POSTS)
    X = vec.transform(POSTS).tocsr()
    names = vec.get_feature_names_out()
    assert X.shape[1] == len(names) == vec.n_features_out_
    assert all(n.startswith("thread:") for n in names[-16:])
    thread = X[:, -16:].toarray()
    assert (thread.sum(axis=1) == 1).all()
    np.testing.assert_array_equal(thread[0], thread[1])  # "Re: Engine swap" joins its thread
    assert not np.array_equal(thread[0], thread[2])
    no_thread = NewsPostVectorizer(char_n_features=32, thread_n_features=0).fit(POSTS)
    assert no_thread.transform(POSTS).shape[1] == X.shape[1] - 16


def test_news_post_vectorizer_passes_sklearn_check_estimator() -> None:
    check_estimator(NewsPostVectorizer(char_n_features=64, thread_n_features=8))


def test_thread_blend_classifier_passes_sklearn_check_estimator() -> None:
    check_estimator(ThreadBlendClassifier())


@pytest.mark.parametrize(
    "params",
    [{"C": 0}, {"nb_weight": -1}, {"thread_features": -2}, {"thread_weight": "4"}, {"tol": True}],
)
def test_thread_blend_rejects_invalid_parameters_at_fit(params: dict) -> None:
    X = np.abs(np.random.default_rng(0).normal(size=(8, 4)))
    with pytest.raises(ValueError):
        ThreadBlendClassifier(**params).fit(X, ["a", "b"] * 4)


def test_thread_blend_refuses_a_thread_block_covering_every_column() -> None:
    with pytest.raises(ValueError, match="no content columns"):
        ThreadBlendClassifier(thread_features=4).fit(np.ones((4, 4)), ["a", "b"] * 2)


def _thread_data() -> tuple[sp.csr_matrix, np.ndarray]:
    """Content columns 0-1 say "a" for rows 0-3, "b" for 4-7; thread column 2 (rows 0-3 and 8)."""
    content = np.array([[1.0, 0.0]] * 4 + [[0.0, 1.0]] * 4 + [[0.0, 1.0]])
    thread = np.array([[1.0, 0.0]] * 4 + [[0.0, 1.0]] * 4 + [[1.0, 0.0]])
    return sp.csr_matrix(np.hstack([content, thread])), np.array(["a"] * 4 + ["b"] * 4 + ["?"])


def test_known_thread_outweighs_content_and_new_thread_does_not() -> None:
    X, y = _thread_data()
    clf = ThreadBlendClassifier(thread_features=2, random_state=0).fit(X[:8], y[:8])
    # row 8: content of "b", thread of "a"
    assert clf.predict(X[8:])[0] == "a"
    no_prior = ThreadBlendClassifier(thread_features=2, thread_weight=0.0, random_state=0)
    assert no_prior.fit(X[:8], y[:8]).predict(X[8:])[0] == "b"
    unseen = X[8:].toarray()
    unseen[0, 2:] = 0.0  # a thread never seen in training adds nothing
    assert clf.predict(sp.csr_matrix(unseen))[0] == "b"


def test_thread_blend_scores_rank_like_probabilities() -> None:
    X, y = _thread_data()
    clf = ThreadBlendClassifier(thread_features=2, random_state=0).fit(X[:8], y[:8])
    proba = clf.predict_proba(X[:8])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.classes_[proba.argmax(axis=1)], clf.predict(X[:8]))


def test_news_posts_and_thread_blend_build_from_config_and_fit_a_pipeline() -> None:
    from sklearn.pipeline import Pipeline

    vec = build_text_features(
        {"kind": "news_posts", "text": {"char_n_features": 256, "thread_n_features": 32}}
    )
    model = build_model(
        {"name": "thread_blend", "params": {"thread_features": 32}}, seed=0, n_jobs=1
    )
    pipe = Pipeline([("features", vec), ("model", model)]).fit(POSTS, LABELS)
    assert pipe.predict([_post("Re: Orbit insertion", "What about the engine?")])[0] == "space"


def test_explain_reads_the_svm_part_of_a_thread_blend_pipeline() -> None:
    from sklearn.pipeline import Pipeline

    from newsclf.reports.explain import class_weights, top_features

    vec = build_text_features(
        {"kind": "news_posts", "text": {"char_ngram_range": None, "thread_n_features": 32}}
    )
    model = build_model(
        {"name": "thread_blend", "params": {"thread_features": 32}}, seed=0, n_jobs=1
    )
    pipe = Pipeline([("features", vec), ("model", model)]).fit(POSTS, LABELS)
    weights = class_weights(pipe)
    assert "LinearSVC part" in weights.source
    top = top_features(weights, top=3)
    assert set(top) == {"autos", "space"}
    words = [name for name, _ in top["space"]]
    assert any("orbit" in w for w in words), words
