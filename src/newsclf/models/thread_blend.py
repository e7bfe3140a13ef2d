"""A linear SVM blended with Complement Naive Bayes and a same-thread prior.

For the accuracy-first 20 Newsgroups config (``model=thread_blend``, ``experiment=20ng``), on the
features of :class:`~newsclf.features.news_posts.NewsPostVectorizer`, whose last
``thread_features`` columns mark each post's subject thread. The score of class ``k`` is

    z(svm)_k + nb_weight * z(cnb)_k + thread_weight * prior_k

where ``z`` standardises each row of a model's scores (mean 0, sd 1 over the classes), ``svm`` is
a one-vs-rest :class:`~sklearn.svm.LinearSVC` and ``cnb`` a
:class:`~sklearn.naive_bayes.ComplementNB` (both on the other columns), and ``prior`` is the
label distribution of the training posts in the same thread (all zeros for a new thread).
Replies in a thread nearly always stay in the newsgroup of the thread, so the prior is kept
out of the SVM, where a memorised thread id would crowd out content features.
``predict_proba`` is a softmax of the blended score: it ranks like a probability but is not
calibrated.
"""

from __future__ import annotations

from numbers import Integral
from typing import Any, ClassVar

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.multiclass import OneVsRestClassifier
from sklearn.naive_bayes import ComplementNB
from sklearn.preprocessing import LabelEncoder
from sklearn.svm import LinearSVC
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from newsclf.models.softmax import softmax_scores
from newsclf.utils.constraints import NON_NEGATIVE, POSITIVE, POSITIVE_INT, Int

__all__ = ["ThreadBlendClassifier"]


def _row_z(scores: np.ndarray) -> np.ndarray:
    centred = scores - scores.mean(axis=1, keepdims=True)
    sd = centred.std(axis=1, keepdims=True)
    return centred / np.where(sd > 0, sd, 1.0)


def _non_negative(X: Any) -> Any:
    """``X`` with negative entries set to 0 (TF-IDF is never negative; NB refuses negatives)."""
    if sp.issparse(X):
        if X.nnz and X.data.min() < 0:
            X = X.copy()
            X.data = np.maximum(X.data, 0.0)
        return X
    return np.maximum(X, 0.0)


class ThreadBlendClassifier(ClassifierMixin, BaseEstimator):
    """LinearSVC + ComplementNB (standardised scores) + a same-thread label prior.

    Parameters
    ----------
    C : float, default=1.0
        The SVM's inverse regularisation strength.
    tol : float, default=1e-2
        The SVM's stopping tolerance (looser than sklearn's 1e-4: as accurate on 20 Newsgroups,
        and faster; experiments/RESULTS.md, "Topic benchmarks").
    max_iter : int, default=1000
        The SVM's iteration limit.
    nb_alpha : float, default=0.1
        ComplementNB's smoothing. NB sees negative feature values as 0.
    nb_weight : float, default=0.3
        Weight of the standardised ComplementNB scores; 0 skips NB (and its non-negative input).
    thread_features : int, default=0
        How many trailing columns of ``X`` are the thread block (0: no thread prior).
    thread_weight : float, default=4.0
        Weight of the thread prior (a label distribution, so at 4 a known thread nearly decides).
    n_jobs : int or None, default=None
        Parallel one-vs-rest SVM fits.
    random_state : int or None, default=None
        Seed of the SVM's coordinate descent.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    svm_ : OneVsRestClassifier of LinearSVC
    nb_ : ComplementNB or None
    n_iter_ : int
        The most coordinate-descent iterations any one-vs-rest SVM ran.
    thread_counts_ : sparse matrix of shape (thread_features, n_classes) or None
        Training posts per (thread bucket, class).
    n_features_in_ : int

    See Also
    --------
    NewsPostVectorizer : builds the word, character and thread blocks.
    """

    def __init__(
        self,
        *,
        C: float = 1.0,
        tol: float = 1e-2,
        max_iter: int = 1000,
        nb_alpha: float = 0.1,
        nb_weight: float = 0.3,
        thread_features: int = 0,
        thread_weight: float = 4.0,
        n_jobs: int | None = None,
        random_state: int | None = None,
    ) -> None:
        self.C = C
        self.tol = tol
        self.max_iter = max_iter
        self.nb_alpha = nb_alpha
        self.nb_weight = nb_weight
        self.thread_features = thread_features
        self.thread_weight = thread_weight
        self.n_jobs = n_jobs
        self.random_state = random_state

    _parameter_constraints: ClassVar[dict[str, list[Any]]] = {
        "C": [POSITIVE],
        "tol": [POSITIVE],
        "max_iter": [POSITIVE_INT],
        "nb_alpha": [POSITIVE],
        "nb_weight": [NON_NEGATIVE],
        "thread_features": [Int(0, None, closed="left")],
        "thread_weight": [NON_NEGATIVE],
        "n_jobs": [Integral, None],
        "random_state": ["random_state"],
    }

    def _check_params(self) -> None:
        self._validate_params()

    def _split(self, X: Any) -> tuple[Any, Any]:
        t = int(self.thread_features)
        if t == 0:
            return X, None
        return X[:, : X.shape[1] - t], X[:, X.shape[1] - t :]

    def fit(self, X: Any, y: Any) -> ThreadBlendClassifier:
        """Fit the SVM and NB on the content columns; count training labels per thread."""
        self._check_params()
        X, y = validate_data(self, X, y, accept_sparse="csr")
        check_classification_targets(y)
        if int(self.thread_features) >= X.shape[1]:
            raise ValueError(
                f"thread_features={self.thread_features} leaves no content columns "
                f"(X has {X.shape[1]})"
            )
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        if len(self.classes_) < 2:
            raise ValueError(
                f"ThreadBlendClassifier needs samples of at least 2 classes, got "
                f"{len(self.classes_)} class"
            )
        codes = encoder.transform(y)
        content, thread = self._split(X)
        svm = LinearSVC(
            C=float(self.C),
            tol=float(self.tol),
            max_iter=int(self.max_iter),
            random_state=self.random_state,
        )
        self.svm_ = OneVsRestClassifier(svm, n_jobs=self.n_jobs).fit(content, codes)
        self.n_iter_ = max(int(est.n_iter_) for est in self.svm_.estimators_)
        self.nb_ = None
        if self.nb_weight > 0:
            self.nb_ = ComplementNB(alpha=float(self.nb_alpha)).fit(_non_negative(content), codes)
        self.thread_counts_ = None
        if thread is not None:
            onehot = sp.csr_matrix(
                (np.ones(len(codes)), (np.arange(len(codes)), codes)),
                shape=(len(codes), len(self.classes_)),
            )
            self.thread_counts_ = (sp.csr_matrix(thread != 0, dtype=np.float64).T @ onehot).tocsr()
        return self

    def decision_function(self, X: Any) -> np.ndarray:
        """The blended score, shape (n_samples, n_classes); for 2 classes, ``s_1 - s_0``."""
        score = self._scores(X)
        return score[:, 1] - score[:, 0] if score.shape[1] == 2 else score

    def _scores(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "svm_")
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        content, thread = self._split(X)
        svm = np.asarray(self.svm_.decision_function(content), dtype=np.float64)
        if svm.ndim == 1:
            svm = np.column_stack([-svm, svm])
        score = _row_z(svm)
        if self.nb_ is not None:
            score += float(self.nb_weight) * _row_z(
                self.nb_.predict_joint_log_proba(_non_negative(content))
            )
        if thread is not None and self.thread_weight > 0:
            counts = sp.csr_matrix(thread != 0, dtype=np.float64) @ self.thread_counts_
            counts = np.asarray(counts.todense())
            score += (
                float(self.thread_weight)
                * counts
                / np.maximum(counts.sum(axis=1, keepdims=True), 1.0)
            )
        return score

    def predict_proba(self, X: Any) -> np.ndarray:
        """Softmax of :meth:`decision_function` (rows sum to 1; not calibrated)."""
        return softmax_scores(self._scores(X))

    def predict(self, X: Any) -> np.ndarray:
        """The class with the highest blended score."""
        scores = self._scores(X)
        return self.classes_[scores.argmax(axis=1)]

    def linear_part(self) -> tuple[np.ndarray, np.ndarray, str]:
        """(weights over all input columns, intercepts, what they are) for ``newsclf explain``.

        Only the SVM part is linear in the features; the NB scores and the thread prior are not
        included (the thread columns get weight 0).
        """
        check_is_fitted(self, "svm_")
        coef = np.vstack([est.coef_ for est in self.svm_.estimators_])
        intercept = np.concatenate([np.ravel(est.intercept_) for est in self.svm_.estimators_])
        if coef.shape[0] == 1:  # two classes: one binary SVM
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        coef = np.hstack([coef, np.zeros((coef.shape[0], int(self.thread_features)))])
        return (
            coef,
            intercept,
            "ThreadBlendClassifier: its LinearSVC part (NB, thread prior left out)",
        )

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
