"""A newsclf artifact as an MLflow pyfunc model: ``tracking=mlflow`` logs one per run.

``mlflow.pyfunc.load_model("runs:/<run id>/model").predict(df)`` then answers as
``newsclf.load(model_dir).predict(df, output="pandas")``: per task the label column (``topic``,
``stance``) and one probability column per label (``topic_score_economy``). The model is
logged "from code" (a short script naming :class:`NewsclfPyfunc`), not as a cloudpickle of
an object, and the newsclf artifact travels inside it as the ``newsclf_model`` artifact; loading
it goes through :func:`newsclf.load` and its checksum and version checks.

This module imports MLflow at the top: only the tracker and MLflow itself import it. It has no
``from __future__ import annotations``: MLflow reads the type hint of ``predict`` at class
creation, and a string hint would read as ``Any`` (and warn).
"""

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import mlflow.pyfunc
import pandas as pd
from mlflow.models import ModelSignature
from mlflow.types import ColSpec, Schema

__all__ = ["ARTIFACT_KEY", "NewsclfPyfunc", "log_pyfunc_model", "model_signature"]

#: name of the newsclf artifact directory inside the MLflow model
ARTIFACT_KEY = "newsclf_model"
#: the record fields a served request may carry besides ``text`` (``target`` for stance)
_OPTIONAL_FIELDS = ("id", "title", "lang", "group")
#: the script MLflow stores and runs to build the model ("models from code")
_MODEL_CODE = """\
import mlflow.models
from newsclf.runs.mlflow_model import NewsclfPyfunc

mlflow.models.set_model(NewsclfPyfunc())
"""
#: a request that every newsclf model answers, shown in the MLflow UI and checked at logging
_EXAMPLE = {
    "text": "A jegybank kamatot emelt, mert az infláció gyorsult.",
    "title": "Kamatemelés",
    "target": "Az infláció gyorsul.",
}


class NewsclfPyfunc(mlflow.pyfunc.PythonModel):
    """Predicts with the newsclf artifact logged beside it; input and output are DataFrames."""

    def load_context(self, context: Any) -> None:
        from newsclf.classifier import load

        self.classifier_ = load(context.artifacts[ARTIFACT_KEY])

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        """Per task the label and ``{task}_score_{label}`` columns, on the input's index."""
        return self.classifier_.predict(model_input, output="pandas")


def model_signature(tasks: Sequence[str], labels: Mapping[str, Sequence[str]]) -> ModelSignature:
    """Columns in: ``text`` (and ``target`` for stance) required, other record fields optional;
    columns out: per task the label (string) and one probability (double) per label."""
    inputs = [ColSpec("string", "text")]
    inputs.append(ColSpec("string", "target", required="stance" in tasks))
    inputs += [ColSpec("string", name, required=False) for name in _OPTIONAL_FIELDS]
    outputs = []
    for task in tasks:
        outputs.append(ColSpec("string", task))
        outputs += [ColSpec("double", f"{task}_score_{label}") for label in labels[task]]
    return ModelSignature(inputs=Schema(inputs), outputs=Schema(outputs))


def _requirements() -> list[str]:
    """What a serving environment needs (pinned to this one), so MLflow does not infer it by
    loading the model in a subprocess."""
    import sklearn

    import newsclf

    return [f"newsclf=={newsclf.__version__}", f"scikit-learn=={sklearn.__version__}"]


def log_pyfunc_model(
    model_dir: Path, *, name: str = "model", registered_model_name: str | None = None
) -> Any:
    """Log the newsclf artifact ``model_dir`` as a pyfunc model of the active MLflow run (and
    register it as ``registered_model_name``); returns MLflow's ``ModelInfo``."""
    from newsclf.artifacts import read_manifest

    manifest = read_manifest(model_dir)
    tasks = list(manifest["tasks"])
    labels = {t: list(spec["labels"]) for t, spec in manifest["tasks"].items()}
    example = pd.DataFrame(
        [{k: v for k, v in _EXAMPLE.items() if k != "target" or "stance" in tasks}]
    )
    with tempfile.TemporaryDirectory(prefix="newsclf-mlflow-") as tmp:
        code = Path(tmp) / "newsclf_pyfunc.py"
        code.write_text(_MODEL_CODE, encoding="utf-8")
        return mlflow.pyfunc.log_model(
            name=name,
            python_model=str(code),
            artifacts={ARTIFACT_KEY: str(model_dir)},
            signature=model_signature(tasks, labels),
            input_example=example,
            pip_requirements=_requirements(),
            registered_model_name=registered_model_name,
        )
