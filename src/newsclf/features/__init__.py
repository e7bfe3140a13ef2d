"""Feature extractors (all scikit-learn transformers) and the registry that builds them."""

from newsclf.features.embed import PairEmbedding, TextEmbedding
from newsclf.features.pair import PairSimilarity, PairVectorizer
from newsclf.features.text import TextVectorizer

__all__ = ["PairEmbedding", "PairSimilarity", "PairVectorizer", "TextEmbedding", "TextVectorizer"]
