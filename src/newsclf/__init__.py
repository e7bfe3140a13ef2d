"""newsclf: topic and stance classification of news articles (Hungarian and English).

>>> import newsclf
>>> clf = newsclf.load("outputs/2026-01-01/12-00-00/model")   # doctest: +SKIP
>>> clf.predict(["A forint gyengült az euróval szemben."])      # doctest: +SKIP
>>> newsclf.evaluate(clf, "test.jsonl").tasks["topic"]["macro_f1"]  # doctest: +SKIP
>>> newsclf.train(frame, overrides=["tasks=[topic]"]).classifier  # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newsclf.errors import ArtifactError, ConfigError, DataError, NewsclfError
from newsclf.utils.lazy import lazy_attributes

if TYPE_CHECKING:
    from newsclf.classifier import NewsClassifier, load
    from newsclf.runs.python_api import TrainResult, train
    from newsclf.scoring import Evaluation, evaluate

__version__ = "0.2.0"

#: public names imported on first use (PEP 562): ``import newsclf`` alone does not import
#: scikit-learn, so a command that does not need it (``newsclf predict --cluster``: the
#: workers load the model) starts ~0.8 s sooner
_LAZY = {
    "NewsClassifier": "newsclf.classifier",
    "load": "newsclf.classifier",
    "TrainResult": "newsclf.runs.python_api",
    "train": "newsclf.runs.python_api",
    "Evaluation": "newsclf.scoring",
    "evaluate": "newsclf.scoring",
}


__getattr__, __dir__ = lazy_attributes("newsclf", _LAZY, globals())


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
