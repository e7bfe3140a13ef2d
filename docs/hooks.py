"""mkdocs hook: adds the generated pages (docs/gen_ref.py) to every build, so the configuration
reference, the CLI reference and the results page always describe the code being documented."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

_spec = importlib.util.spec_from_file_location("gen_ref", Path(__file__).with_name("gen_ref.py"))
assert _spec is not None and _spec.loader is not None
gen_ref = importlib.util.module_from_spec(_spec)
sys.modules["gen_ref"] = gen_ref  # dataclasses look their module up there
_spec.loader.exec_module(gen_ref)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for uri, content in gen_ref.pages().items():
        files.append(File.generated(config, uri, content=content))
    return files
