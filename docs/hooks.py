"""mkdocs hook: adds the generated pages (docs/gen_ref.py) to every build, so the configuration
reference, the CLI reference and the results page always describe the code being documented.

It also leaves out of the nav the pages in OPTIONAL_PAGES while they do not exist yet (pages
another branch is writing), so that the nav can name them before they land and `--strict` still
passes; any other missing page stays an error."""

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


# pages the archive work adds (docs/archives.md, docs/cluster.md); linked as soon as they exist
OPTIONAL_PAGES = {"archives.md", "cluster.md"}


def _drop_missing(nav: list, docs_dir: Path) -> list:
    kept = []
    for item in nav:
        if isinstance(item, dict):
            (title, value), *_ = item.items()
            if isinstance(value, list):
                kept.append({title: _drop_missing(value, docs_dir)})
            elif not (value in OPTIONAL_PAGES and not (docs_dir / value).is_file()):
                kept.append(item)
        elif not (item in OPTIONAL_PAGES and not (docs_dir / item).is_file()):
            kept.append(item)
    return kept


def on_config(config: MkDocsConfig) -> MkDocsConfig:
    if config.nav:
        config.nav = _drop_missing(config.nav, Path(config.docs_dir))
    return config


def on_files(files: Files, config: MkDocsConfig) -> Files:
    for uri, content in gen_ref.pages().items():
        files.append(File.generated(config, uri, content=content))
    return files
