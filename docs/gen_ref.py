"""Generated pages of the docs site: configuration reference, CLI reference, results.

The pages are generated at every `mkdocs build` (docs/hooks.py) from what they describe, so they
cannot go stale: the configuration reference from conf/ (every group, option file and key, with
the file's YAML comments), the CLI reference from newsclf's argparse parsers, the results page
from experiments/RESULTS.md. tests/test_docs.py generates them again and checks them against
conf/ and the parsers.

Run `python docs/gen_ref.py OUT_DIR` to write the pages to OUT_DIR for a look without mkdocs.
"""

from __future__ import annotations

import argparse
import ast
import importlib
import io
import os
import re
import sys
from contextlib import redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]

# --------------------------------------------------------------------------------------------
# configuration reference
# --------------------------------------------------------------------------------------------

_KEY = re.compile(
    r"^(?P<indent> *)(?P<key>\"[^\"]*\"|'[^']*'|[^\s#\-{\[\]'\"][^:#]*?)\s*:(?:\s+(?P<rest>.*))?$"
)
_ITEM = re.compile(r"^(?P<indent> *)- ")
_PACKAGE = re.compile(r"^#\s*@package\s+(\S+)")


def _split_comment(text: str) -> tuple[str, str]:
    """`value  # comment` -> (value, comment); a `#` inside quotes is part of the value."""
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip(), text[i + 1 :].strip()
    return text.rstrip(), ""


def _comment_text(line: str) -> str:
    return line.strip()[1:].strip()


@dataclass
class Option:
    """One option file of a config group (or the primary config)."""

    group: str  # "data", "hydra/launcher"; "" for config.yaml
    name: str  # file stem
    path: Path
    package: str  # key prefix of this file's keys ("" = global)
    description: list[str] = field(default_factory=list)  # header comment lines
    keys: list[tuple[str, str, str]] = field(default_factory=list)  # (dotted key, value, comment)
    defaults: list[tuple[str, str]] = field(default_factory=list)  # (entry, comment)
    comments: list[str] = field(default_factory=list)  # every comment line of the file


def _scan_comments(lines: list[str]) -> tuple[list[str], dict[tuple[str, ...], str], list[str]]:
    """Header comment, {key path: its comment (lines above + inline)}, comments of `defaults`.

    Keys inside list items (a list of mappings) belong to the list's key: their comments are
    added to it. The header is the leading block of comment lines (Hydra's `# @package` line
    left out).
    """
    header: list[str] = []
    i = 0
    while i < len(lines) and lines[i].lstrip().startswith("#"):
        if not _PACKAGE.match(lines[i].strip()):
            header.append(lines[i].strip()[1:].rstrip().removeprefix(" "))
        i += 1
    comments: dict[tuple[str, ...], str] = {}
    stack: list[tuple[int, str]] = []  # (indent, key) of the enclosing mappings
    pending: list[str] = []  # comment lines since the last key or item
    list_owner: tuple[int, tuple[str, ...]] | None = None  # (indent, key path) of a list
    block_indent: int | None = None  # inside a block scalar deeper than this

    def note(path: tuple[str, ...], extra: list[str]) -> None:
        if extra:
            comments[path] = " ".join(filter(None, [comments.get(path, ""), *extra]))

    for line in lines[i:]:
        if not line.strip():
            pending = []
            continue
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if indent > block_indent:
                continue
            block_indent = None
        if line.lstrip().startswith("#"):
            pending.append(_comment_text(line))
            continue
        item = _ITEM.match(line)
        inside = list_owner is not None and (
            indent > list_owner[0] or (item is not None and indent == list_owner[0])
        )
        if item and not inside:
            list_owner = (stack[-1][0] if stack else -1, tuple(k for _, k in stack))
            inside = True
        if inside and list_owner is not None:
            _, inline = _split_comment(line)
            note(list_owner[1], [*pending, *([inline] if inline else [])])
            pending = []
            continue
        list_owner = None
        m = _KEY.match(line)
        if not m:  # a continued flow collection or scalar: part of the key above
            pending = []
            continue
        key = m["key"].strip().strip("'\"")
        while stack and stack[-1][0] >= indent:
            stack.pop()
        stack.append((indent, key))
        value, inline = _split_comment(m["rest"] or "")
        if value[:1] in "|>" and value:
            block_indent = indent
        note(tuple(k for _, k in stack), [*pending, *([inline] if inline else [])])
        pending = []
    return header, comments, []


def _value(v: Any) -> str:
    """A value as YAML would spell it on one line."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v if v and v.strip() == v and v not in {"null", "true", "false"} else repr(v)
    if isinstance(v, int | float):
        return str(v)
    return yaml.safe_dump(v, default_flow_style=True, width=10_000, sort_keys=False).strip()


def _md(text: str) -> str:
    """Comment text as Markdown that shows it as written: outside `code` spans, characters
    Markdown would read as markup (`*`, `<`, `>`, a leading `#`) are escaped."""
    parts = re.split(r"(`[^`]*`)", text)
    for i in range(0, len(parts), 2):
        part = parts[i].replace("\\", "\\\\").replace("*", r"\*")
        parts[i] = part.replace("<", "&lt;").replace(">", "&gt;")
    out = "".join(parts)
    return "\\" + out if out.startswith(("#", "+ ", "= ")) else out


def _walk(data: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every mapping key (depth first, file order) with its value; lists are values."""
    out = []
    if isinstance(data, dict):
        for k, v in data.items():
            out.append(((*path, str(k)), v))
            out.extend(_walk(v, (*path, str(k))))
    return out


def read_option(conf: Path, path: Path) -> Option:
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    rel = path.relative_to(conf)
    group = rel.parent.as_posix() if rel.parent != Path(".") else ""
    package = group.replace("/", ".")
    for line in lines:
        if not line.startswith("#"):
            break
        if m := _PACKAGE.match(line):
            package = {"_global_": "", "_group_": group.replace("/", ".")}.get(m[1], m[1])
    header, comments, _ = _scan_comments(lines)
    data = yaml.safe_load(text) or {}
    option = Option(group, path.stem, path, package, description=header)
    option.comments = [_comment_text(x) for x in lines if x.lstrip().startswith("#")]
    option.comments = [c for c in option.comments if c and not c.startswith("@package")]
    if isinstance(data, dict) and isinstance(data.get("defaults"), list):
        for entry in data["defaults"]:
            option.defaults.append((_value(entry).strip("{}"), ""))
        data = {k: v for k, v in data.items() if k != "defaults"}
        if c := comments.get(("defaults",)):
            option.defaults.append(("", c))
    for key_path, value in _walk(data):
        dotted = ".".join(f'"{k}"' if "." in k else k for k in key_path)
        full = f"{package}.{dotted}" if package else dotted
        shown = "" if isinstance(value, dict) and value else _value(value)
        option.keys.append((full, shown, comments.get(key_path, "")))
    return option


def read_conf(conf: Path) -> dict[str, list[Option]]:
    """{group: its options}, "" for the primary config; groups in path order."""
    groups: dict[str, list[Option]] = {}
    for path in sorted(conf.rglob("*.yaml"), key=lambda p: (p.parent.as_posix(), p.name)):
        option = read_option(conf, path)
        groups.setdefault(option.group, []).append(option)
    return dict(sorted(groups.items()))


def _cell(text: str) -> str:
    return text.replace("|", r"\|").replace("\n", " ")


def _code(text: str) -> str:
    if not text:
        return ""
    ticks = "``" if "`" in text else "`"
    pad = " " if ticks == "``" else ""
    return f"{ticks}{pad}{_cell(text)}{pad}{ticks}"


def _description(lines: list[str]) -> list[str]:
    """Header comment -> Markdown: indented lines (commands) become a code block."""
    out: list[str] = []
    code: list[str] = []
    for line in [*lines, ""]:
        if _is_command(line):
            code.append(line.strip())
            continue
        if code:
            out += ["", "```bash", *code, "```", ""]
            code = []
        out.append(_md(line))
    return out


def _is_command(line: str) -> bool:
    """A comment line that shows a command: indented, or starting with one."""
    return bool(line.strip()) and (line.startswith("  ") or line.startswith(COMMANDS))


COMMANDS = ("newsclf ", "pip ", "python ", ".venv/bin/python ")


def _summary(option: Option) -> str:
    text = " ".join(line.strip() for line in option.description if not _is_command(line))
    m = re.match(r"(.+?\.)(\s|$)", text)
    summary = m[1] if m else text
    if len(summary) > 160:
        summary = summary[:160].rsplit(" ", 1)[0] + " …"
    return _cell(_md(summary))


def _demote(markdown: str, by: int) -> str:
    return re.sub(r"^(#+) ", lambda m: "#" * (len(m[1]) + by) + " ", markdown, flags=re.M)


def config_reference(conf: Path = ROOT / "conf") -> str:
    """The configuration reference page: every group, option file and key of `conf`."""
    groups = read_conf(conf)
    out = [
        "# Configuration reference",
        "",
        "<!-- generated from conf/ by docs/gen_ref.py at every docs build: do not edit -->",
        "",
        "`newsclf train` composes its configuration with Hydra from the files in `conf/` "
        "(shipped inside the package as `newsclf.conf`). Pick an option of a group with "
        "`GROUP=OPTION` (`model=logreg`), set a key with `KEY=VALUE` (`model.params.C=0.1`), "
        "and show the composed configuration with `newsclf train --cfg job`. This page is "
        "generated from the files themselves: every group, every option file and every key "
        "with its default and the comments written beside it.",
        "",
        "| group | options |",
        "|---|---|",
    ]
    for group, options in groups.items():
        if group:
            names = ", ".join(f"[`{o.name}`](#{_anchor(o)})" for o in options)
            out.append(f"| [`{group}`](#{_group_anchor(group)}) | {names} |")
    for group, options in groups.items():
        title = f"`{group}`" if group else "The primary config: `config.yaml`"
        out += ["", f"## {title} {{ #{_group_anchor(group)} }}"]
        readme = conf / group / "README.md"
        if group and readme.is_file():
            out += ["", _demote(readme.read_text(encoding="utf-8").strip(), 2)]
        if group:
            out += ["", "| option | what it is |", "|---|---|"]
            out += [f"| [`{o.name}`](#{_anchor(o)}) | {_summary(o)} |" for o in options]
        for option in options:
            out += _render_option(option)
    out.append("")
    return "\n".join(out)


def _group_anchor(group: str) -> str:
    return "group-" + group.replace("/", "-").replace("_", "-") if group else "config"


def _anchor(option: Option) -> str:
    return f"{_group_anchor(option.group)}-{option.name}".replace("_", "-")


def _render_option(option: Option) -> list[str]:
    rel = option.path.relative_to(option.path.parents[len(Path(option.group).parts)])
    title = f"`{option.group}={option.name}`" if option.group else "`config.yaml`"
    out = ["", f"### {title} {{ #{_anchor(option)} }}", ""]
    out.append(
        f"File `conf/{(Path(option.group) / rel.name).as_posix()}`"
        + (f"; keys under `{option.package}`." if option.package else "; global keys.")
    )
    out += ["", *_description(option.description)]
    entries = [e for e, _ in option.defaults if e]
    if entries:
        out += [
            "",
            "Defaults list (what this file composes; `_self_` is this file's own keys):",
            "",
        ]
        out += [f"- `{e}`" for e in entries]
        notes = [c for e, c in option.defaults if not e and c]
        out += [f"\n{_md(n)}" for n in notes]
    if option.keys:
        out += ["", "| key | default | comment |", "|---|---|---|"]
        out += [f"| `{k}` | {_code(v)} | {_cell(_md(c))} |" for k, v, c in option.keys]
    elif not entries:
        out += ["", "(no keys)"]
    return out


# --------------------------------------------------------------------------------------------
# CLI reference
# --------------------------------------------------------------------------------------------


def _find_parser() -> argparse.ArgumentParser:
    """newsclf's top-level argparse parser, wherever the cli package builds it."""
    cli = importlib.import_module("newsclf.cli")
    for name in ("build_parser", "make_parser", "parser", "_parser", "_build_parser"):
        builder = getattr(cli, name, None)
        if callable(builder):
            parser = builder()
            if isinstance(parser, argparse.ArgumentParser):
                return parser
    raise RuntimeError("newsclf.cli has no parser builder (build_parser/_parser) to document")


def _subcommands(parser: argparse.ArgumentParser) -> list[tuple[str, argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return list(action.choices.items())
    return []


def _help(parser: argparse.ArgumentParser) -> str:
    old = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = "100"
    try:
        return parser.format_help().rstrip()
    finally:
        if old is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = old


def _hydra_help() -> str:
    """`newsclf train --help`: the Hydra app's own help (groups and their options)."""
    from newsclf.cli import main

    buffer = io.StringIO()
    with redirect_stdout(buffer):
        try:
            main(["train", "--help"])
        except SystemExit:
            pass
    return buffer.getvalue().rstrip()


def cli_reference() -> str:
    """The CLI reference page: `--help` of every command and subcommand, from the parsers."""
    parser = _find_parser()
    parser.prog = "newsclf"
    out = [
        "# Command-line reference",
        "",
        "<!-- generated from newsclf's argparse parsers by docs/gen_ref.py: do not edit -->",
        "",
        "Every command exits with status 2 and a one-line `error: ...` message (file, line, "
        "field and a hint) on bad input; nothing is half-written. `newsclf --help` and "
        "`newsclf COMMAND --help` print what this page shows.",
        "",
        "```text",
        _help(parser),
        "```",
    ]

    def visit(prefix: str, sub: argparse.ArgumentParser, depth: int) -> None:
        nonlocal out
        sub.prog = prefix
        out += ["", f"{'#' * depth} `{prefix}`", ""]
        if prefix == "newsclf train":
            out += [
                "`newsclf train` is the Hydra app: every argument after `train` is a Hydra "
                "override (`GROUP=OPTION`, `KEY=VALUE`, `-m` for a sweep, `--cfg job` to show the "
                "composed config). The groups, options and keys are in the "
                "[configuration reference](configuration.md).",
                "",
                "```text",
                _hydra_help(),
                "```",
            ]
        else:
            out += ["```text", _help(sub), "```"]
        for name, child in _subcommands(sub):
            visit(f"{prefix} {name}", child, min(depth + 1, 4))

    for name, sub in _subcommands(parser):
        visit(f"newsclf {name}", sub, 2)
    out.append("")
    return "\n".join(out)


# --------------------------------------------------------------------------------------------
# results
# --------------------------------------------------------------------------------------------


def _sections(markdown: str, level: int) -> list[tuple[str, str]]:
    parts = re.split(rf"^({'#' * level} .+)$", markdown, flags=re.M)
    return [(parts[i][level + 1 :].strip(), parts[i + 1]) for i in range(1, len(parts), 2)]


def _first_table(body: str) -> str | None:
    """The headline table of `body` (outside code fences): the first with a figure in bold (the
    result the section reports), else the first."""
    lines = body.splitlines()
    tables: list[str] = []
    fence = False
    end = 0
    for i, line in enumerate(lines):
        if line.startswith("```"):
            fence = not fence
        if fence or i < end or not line.startswith("|"):
            continue
        if i + 1 < len(lines) and re.match(r"^\|[\s:|-]+\|\s*$", lines[i + 1]):
            end = i
            while end < len(lines) and lines[end].startswith("|"):
                end += 1
            tables.append("\n".join(lines[i:end]))
    return next((t for t in tables if "**" in t), tables[0] if tables else None)


def results_page(results: Path = ROOT / "experiments" / "RESULTS.md") -> str:
    """Headline tables: the first table of each section of experiments/RESULTS.md, in its order,
    then the whole file."""
    text = results.read_text(encoding="utf-8")
    out = [
        "# Results",
        "",
        "<!-- generated from experiments/RESULTS.md by docs/gen_ref.py: do not edit -->",
        "",
        "What the benchmarks in `experiments/` measured, as recorded in "
        "`experiments/RESULTS.md` (each script prints its figures beside a named peer measured "
        "in the same run). First the headline table of each section, then the whole record with "
        "the tuning history.",
        "",
        "## Headline tables",
    ]
    for title, body in _sections(text, 2):
        table = _first_table(body)
        subsections = _sections(body, 3)
        if table is None:
            for sub_title, sub_body in subsections:
                if (table := _first_table(sub_body)) is not None:
                    title = f"{title}: {sub_title}"
                    break
        if table is not None:
            out += ["", f"### {title}", "", table]
    out += ["", "## The full record", "", _demote(text.split("\n", 1)[1], 1)]
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# Python API
# --------------------------------------------------------------------------------------------


def _public_names(init: Path) -> list[str]:
    """`__all__` of a module, read without importing it."""
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return [ast.literal_eval(e) for e in node.value.elts]  # type: ignore[attr-defined]
    return []


def _estimators(package: Path) -> list[str]:
    """Dotted paths of the public scikit-learn estimators defined in a subpackage (static: no
    optional dependency needs to be installed)."""
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package.parents[0]).with_suffix("")
        if any(part.startswith("_") for part in rel.parts[1:]):
            continue
        module = ".".join(("newsclf", *rel.parts)).removesuffix(".__init__")
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            bases = {getattr(b, "id", getattr(b, "attr", "")) for b in getattr(node, "bases", [])}
            if (
                isinstance(node, ast.ClassDef)
                and not node.name.startswith("_")
                and ("BaseEstimator" in bases)
            ):
                found.append(f"{module}.{node.name}")
    return found


def api_reference(src: Path = ROOT / "src" / "newsclf") -> str:
    """The Python API page: newsclf's public names, its errors, the estimators of features/ and
    models/, rendered from their docstrings by mkdocstrings."""
    first = ["load", "train", "evaluate", "NewsClassifier"]
    top = [n for n in _public_names(src / "__init__.py") if not n.startswith("_")]
    top.sort(key=lambda n: (first.index(n) if n in first else len(first), n))
    errors = set(_public_names(src / "errors.py"))
    out = [
        "# Python API",
        "",
        "<!-- generated by docs/gen_ref.py from newsclf's __all__ and its estimators: do not "
        "edit -->",
        "",
        "Everything `import newsclf` gives, then the error family, then the scikit-learn "
        "estimators newsclf's pipelines are built from (usable on their own). How-to pages: "
        "[Python and scikit-learn](../guide/python.md).",
        "",
        "## `newsclf`",
    ]
    out += [f"\n::: newsclf.{name}" for name in top if name not in errors]
    out += ["", "## Errors", "", "::: newsclf.errors"]
    out += ["    options:", "      show_root_heading: false"]
    for title, sub in (("Features", "features"), ("Models", "models")):
        out += ["", f"## {title}: `newsclf.{sub}`"]
        out += [f"\n::: {path}" for path in _estimators(src / sub)]
    return "\n".join(out) + "\n"


def pages() -> dict[str, str]:
    """{docs URI: content} of every generated page."""
    return {
        "reference/configuration.md": config_reference(),
        "reference/cli.md": cli_reference(),
        "reference/api.md": api_reference(),
        "results.md": results_page(),
    }


if __name__ == "__main__":
    out_dir = Path(sys.argv[1] if len(sys.argv) > 1 else "site-gen")
    for uri, content in pages().items():
        (out_dir / uri).parent.mkdir(parents=True, exist_ok=True)
        (out_dir / uri).write_text(content, encoding="utf-8")
        print(out_dir / uri)
