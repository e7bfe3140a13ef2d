"""The docs' generated references cover what they describe; the README stays short.

docs/gen_ref.py generates the configuration reference from conf/ and the CLI reference from the
parsers at every `make docs`; these tests generate them again and check them against conf/
(read here with PyYAML, not with the generator's own scanner) and against the parsers.
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "conf"


def _gen_ref():
    spec = importlib.util.spec_from_file_location("gen_ref", ROOT / "docs" / "gen_ref.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_ref"] = module
    spec.loader.exec_module(module)
    return module


gen_ref = _gen_ref()


def _keys(data: object, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            out.append((*path, str(k)))
            out.extend(_keys(v, (*path, str(k))))
    return out


def _documented_keys(conf: Path, path: Path) -> tuple[str, list[str]]:
    """(group, every key of the file as the reference must spell it)."""
    text = path.read_text(encoding="utf-8")
    group = path.parent.relative_to(conf).as_posix()
    group = "" if group == "." else group
    prefix = group.replace("/", ".")
    header = re.match(r"#\s*@package\s+(\S+)", text)
    if header:
        prefix = "" if header[1] == "_global_" else header[1]
    data = yaml.safe_load(text) or {}
    if isinstance(data, dict):
        data.pop("defaults", None)
    keys = []
    for key in _keys(data):
        dotted = ".".join(f'"{k}"' if "." in k else k for k in key)
        keys.append(f"{prefix}.{dotted}" if prefix else dotted)
    return group, keys


def _plain(markdown: str) -> str:
    """Markdown escapes undone and whitespace collapsed, to look for the comments' text."""
    text = markdown.replace("&lt;", "<").replace("&gt;", ">").replace("\\|", "|")
    text = re.sub(r"\\(.)", r"\1", text)
    return " ".join(text.split())


def _missing_from_reference(conf: Path) -> list[str]:
    page = gen_ref.config_reference(conf)
    plain = _plain(page)
    missing = []
    for path in sorted(conf.rglob("*.yaml")):
        rel = path.relative_to(conf).as_posix()
        group, keys = _documented_keys(conf, path)
        if group and f"## `{group}`" not in page:
            missing.append(f"group {group}")
        title = f"### `{group}={path.stem}`" if group else "### `config.yaml`"
        if title not in page:
            missing.append(f"option {rel}")
        missing += [f"key {k} ({rel})" for k in keys if f"| `{k}` |" not in page]
        for line in path.read_text(encoding="utf-8").splitlines():
            comment = line.strip()[1:].strip() if line.lstrip().startswith("#") else ""
            if not comment and " #" in line:
                comment = line.split(" #", 1)[1].strip()
            if comment and not comment.startswith("@package") and _plain(comment) not in plain:
                missing.append(f"comment {rel}: {comment}")
    return missing


def test_config_reference_lists_every_group_option_key_and_comment_of_conf() -> None:
    missing = _missing_from_reference(CONF)
    assert not missing, "\n".join(missing[:30])


def test_config_reference_follows_a_new_group_option_and_key(tmp_path: Path) -> None:
    """The generator reads conf/ generically: a new group (as cluster/ was) is documented
    without touching it, and a key it would miss is reported."""
    conf = tmp_path / "conf"
    shutil.copytree(CONF, conf)
    (conf / "queue").mkdir()
    (conf / "queue" / "dask.yaml").write_text(
        "# Run work on a Dask cluster.\nname: dask\n# scheduler address\n"
        "address: null  # or local\nworkers:\n  n: 2  # LocalCluster size\n",
        encoding="utf-8",
    )
    assert _missing_from_reference(conf) == []
    page = gen_ref.config_reference(conf)
    for text in ("## `queue`", "### `queue=dask`", "| `queue.workers.n` | `2` |"):
        assert text in page
    assert "scheduler address or local" in _plain(page)
    bare = gen_ref.config_reference
    try:  # a generator that dropped keys would be caught
        gen_ref.config_reference = lambda c: (
            bare(c).replace("| `queue.workers.n` |", "| x |").replace("LocalCluster size", "")
        )
        assert _missing_from_reference(conf) == [
            "key queue.workers.n (queue/dask.yaml)",
            "comment queue/dask.yaml: LocalCluster size",
        ]
    finally:
        gen_ref.config_reference = bare


def _commands(parser: argparse.ArgumentParser, prefix: str = "newsclf"):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield f"{prefix} {name}", sub
                yield from _commands(sub, f"{prefix} {name}")


def test_cli_reference_documents_every_command_and_option() -> None:
    page = gen_ref.cli_reference()
    commands = list(_commands(gen_ref._find_parser()))
    assert {"newsclf train", "newsclf predict", "newsclf evaluate", "newsclf compare"} <= {
        c for c, _ in commands
    }
    for command, parser in commands:
        assert f"`{command}`" in page, command
        for action in parser._actions:
            if action.help == argparse.SUPPRESS:
                continue
            for option in action.option_strings:
                assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", page), (
                    command,
                    option,
                )


def test_api_reference_renders_every_public_name_and_estimator() -> None:
    import newsclf

    page = gen_ref.api_reference()
    for name in set(newsclf.__all__) - {"__version__", *newsclf.errors.__all__}:
        assert f"::: newsclf.{name}\n" in page, name
    assert "::: newsclf.errors\n" in page
    for estimator in ("features.text.TextVectorizer", "features.pair.PairVectorizer"):
        assert f"::: newsclf.{estimator}\n" in page


def test_results_page_is_generated_from_results_md() -> None:
    page = gen_ref.results_page()
    results = (ROOT / "experiments" / "RESULTS.md").read_text(encoding="utf-8")
    tables = re.findall(r"^### .+\n\n(\|.+?)\n\n", page.split("## The full record")[0], re.M | re.S)
    assert tables and all(t in results for t in tables)


def test_readme_is_at_most_250_lines() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines <= 250, f"README.md has {lines} lines: move detail into docs/ pages"


def test_readme_links_point_at_existing_files() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = re.findall(r"\]\(((?!https?:)[^)#]+)(?:#[^)]*)?\)", readme)
    assert targets
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert not missing, missing
