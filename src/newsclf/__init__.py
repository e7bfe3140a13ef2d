"""newsclf: topic and stance classification of news articles (Hungarian and English).

>>> import newsclf
>>> clf = newsclf.load("outputs/2026-01-01/12-00-00/model")   # doctest: +SKIP
>>> clf.predict(["A forint gyengült az euróval szemben."])      # doctest: +SKIP
>>> newsclf.evaluate(clf, "test.jsonl").tasks["topic"]["macro_f1"]  # doctest: +SKIP
>>> newsclf.train(frame, overrides=["tasks=[topic]"]).classifier  # doctest: +SKIP
"""

from newsclf.classifier import NewsClassifier, load
from newsclf.errors import ArtifactError, ConfigError, DataError, NewsclfError
from newsclf.runs.python_api import TrainResult, train
from newsclf.scoring import Evaluation, evaluate

__version__ = "0.2.0"

__all__ = [
    "ArtifactError",
    "ConfigError",
    "DataError",
    "Evaluation",
    "NewsClassifier",
    "NewsclfError",
    "TrainResult",
    "__version__",
    "evaluate",
    "load",
    "train",
]
