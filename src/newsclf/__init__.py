"""newsclf: topic and stance classification of news articles (Hungarian and English).

>>> import newsclf
>>> clf = newsclf.load("outputs/2026-01-01/12-00-00/model")   # doctest: +SKIP
>>> clf.predict(["A forint gyengült az euróval szemben."])      # doctest: +SKIP
"""

from newsclf.classifier import NewsClassifier, load
from newsclf.errors import ArtifactError, ConfigError, DataError, NewsclfError

__version__ = "0.1.0"

__all__ = [
    "ArtifactError",
    "ConfigError",
    "DataError",
    "NewsClassifier",
    "NewsclfError",
    "__version__",
    "load",
]
