"""Classifiers from config by short name (``model=linear_svm``)."""

from newsclf.models.registry import MODELS, build_model

__all__ = ["MODELS", "build_model"]
