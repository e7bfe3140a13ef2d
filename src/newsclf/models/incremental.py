"""Old home of the softmax wrapper for ``partial_fit`` models, kept only as a name.

:class:`~newsclf.models.softmax.SoftmaxDecisionClassifier` is the one softmax wrapper now (it
passes ``partial_fit`` through). Artifacts saved before the merge name
``newsclf.models.incremental.SoftmaxClassifier``; the alias lets them load (same attributes:
``estimator``, ``estimator_``, ``classes_``). New code should not import this module.
"""

from newsclf.models.softmax import SoftmaxDecisionClassifier as SoftmaxClassifier

__all__ = ["SoftmaxClassifier"]
