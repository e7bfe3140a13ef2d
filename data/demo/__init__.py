"""The bundled demo corpus (articles.jsonl), shipped in the wheel as ``newsclf.demo``."""
