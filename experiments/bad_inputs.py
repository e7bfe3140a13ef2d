"""Throw each class of bad input at `newsclf predict` and print what happens, as a table.

    python experiments/bad_inputs.py [--model MODEL_DIR]

Without --model it trains a small model on the demo corpus first (about 10 s). For each input
class it shows the exit status and the message of the default mode (stop at the first bad
record) and the output lines of `--on-error=record`.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import tempfile
from pathlib import Path

from newsclf.cli import main

GOOD = '{"id": "ok", "text": "A jegybank kamatot emelt.", "target": "Az infláció gyorsul."}'
T = '"target": "Az infláció gyorsul."'

CASES: dict[str, tuple[str, bytes]] = {
    "missing file": ("jsonl", b""),  # replaced by a path that does not exist
    "empty file": ("jsonl", b""),
    "only blank lines": ("jsonl", b"\n  \n\r\n"),
    "malformed JSON": ("jsonl", f'{GOOD}\n{{"text": "broken"\n'.encode()),
    "JSON array instead of object": ("jsonl", f"{GOOD}\n[1, 2]\n".encode()),
    "missing text": ("jsonl", f'{GOOD}\n{{"title": "no body", {T}}}\n'.encode()),
    "empty text": ("jsonl", f'{GOOD}\n{{"text": "   ", {T}}}\n'.encode()),
    "text of wrong type": ("jsonl", f'{GOOD}\n{{"text": 42.5e3, {T}}}\n'.encode()),
    "text is a list": ("jsonl", f'{GOOD}\n{{"text": ["a"], {T}}}\n'.encode()),
    "stance record without target": ("jsonl", f'{GOOD}\n{{"text": "Egy cikk."}}\n'.encode()),
    "NaN target": ("jsonl", f'{GOOD}\n{{"text": "Egy cikk.", "target": NaN}}\n'.encode()),
    "non-UTF-8 bytes (latin-1)": (
        "jsonl",
        f'{GOOD}\n{{"text": "caf\xe9", {T}}}\n'.encode("latin-1"),
    ),
    "unpaired surrogate escape": ("jsonl", f'{GOOD}\n{{"text": "\\ud800", {T}}}\n'.encode()),
    "UTF-8 BOM": ("jsonl", b"\xef\xbb\xbf" + GOOD.encode() + b"\n"),
    "mixed CRLF/LF newlines": ("jsonl", f"{GOOD}\r\n{GOOD}\n{GOOD}\r\n".encode()),
    "control characters in text": (
        "jsonl",
        f'{{"text": "a\\u0000b\\u001fc\\u0085", {T}}}\n'.encode(),
    ),
    "only control characters": ("jsonl", f'{{"text": "\\u0001\\u0002", {T}}}\n'.encode()),
    "huge text (2 MB)": (
        "jsonl",
        json.dumps({"text": "forint " * 300_000, "target": "x"}).encode(),
    ),
    "duplicate ids": ("jsonl", f"{GOOD}\n{GOOD}\n".encode()),
    "deeply nested JSON": ("jsonl", b"[" * 100_000 + b"]" * 100_000 + b"\n"),
    "CSV: empty cells / NaN": ("csv", b"id,text,target\n1,,x\n2,NaN,x\n3,ok text,\n"),
    "CSV: too many cells": ("csv", b"id,text,target\n1,a,b,c\n"),
    "CSV: unclosed quote": ("csv", b'id,text,target\n1,"unclosed,x\n'),
    "CSV: NUL byte": ("csv", b"id,text,target\n1,a\x00b,x\n"),
}


def _run(model: str, path: Path, *extra: str) -> tuple[int, str, list[str]]:
    out = path.with_suffix(".out")
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(["predict", model, str(path), "-o", str(out), *extra])
    lines = out.read_text(encoding="utf-8").splitlines() if out.exists() else []
    out.unlink(missing_ok=True)
    message = " ".join(err.getvalue().split())
    return code, message, lines


def _train(tmp: Path) -> str:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["train", f"hydra.run.dir={tmp / 'run'}", "eval.resamples=10"]) == 0
    return str(tmp / "run" / "model")


def _short(text: str, n: int = 110) -> str:
    text = text.replace("|", "\\|")
    return text if len(text) <= n else text[: n - 1] + "…"


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="artifact dir (default: train one on the demo corpus)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        model = args.model or _train(tmp)
        print("| input | default: exit, message | --on-error=record: exit, output lines |")
        print("|---|---|---|")
        for name, (suffix, content) in CASES.items():
            path = tmp / f"input.{suffix}"
            if name == "missing file":
                path = tmp / "does-not-exist.jsonl"
            else:
                path.write_bytes(content)
            code, message, lines = _run(model, path)
            stop = (
                f"{code}: {_short(message.replace(str(tmp), '…'))}"
                if code
                else (f"0: {len(lines)} lines")
            )
            code_r, message_r, lines_r = _run(model, path, "--on-error=record")
            rows = [json.loads(line) for line in lines_r]
            shown = [
                f"line {r['line']}: {r['error']}" if "error" in r else f"ok ({r['topic']})"
                for r in rows
            ]
            record = f"{code_r}: " + (_short("; ".join(shown)) if rows else _short(message_r))
            print(f"| {name} | {stop} | {record} |")


if __name__ == "__main__":
    main_()
