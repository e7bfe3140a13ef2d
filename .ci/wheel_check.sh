#!/usr/bin/env bash
# `make wheel-check`: newsclf as a user gets it from PyPI. Builds the sdist and the wheel from it
# (python -m build), installs the wheel into a fresh venv outside the source tree (no extras:
# the demo needs none) and, from an empty directory, trains, predicts, evaluates, runs a 2-run
# sweep and compares it. Any error fails the check (set -e; every command's exit status counts).
#
# Usage: .ci/wheel_check.sh BUILD_PYTHON [VENV_PYTHON]
#   BUILD_PYTHON  a Python with pypa/build installed (the dev venv's)
#   VENV_PYTHON   the interpreter the fresh venv is made from (default: BUILD_PYTHON's base)
# KEEP=1 keeps the scratch directory for inspection.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
build_python="${1:?usage: $0 BUILD_PYTHON [VENV_PYTHON]}"
venv_python="${2:-$("$build_python" -c 'import sys; print(sys._base_executable)')}"

scratch="$(mktemp -d "${TMPDIR:-/tmp}/newsclf-wheel-check.XXXXXX")"
case "$scratch" in "$root"/*) echo "error: scratch dir $scratch is inside the source tree" >&2; exit 2;; esac
if [[ "${KEEP:-0}" != 1 ]]; then trap 'rm -rf "$scratch"' EXIT; fi
step() { printf '\n== wheel-check: %s\n' "$*"; }

step "build the sdist and the wheel from it ($scratch/dist)"
"$build_python" -m build --outdir "$scratch/dist" "$root" >"$scratch/build.log" 2>&1 \
    || { tail -40 "$scratch/build.log" >&2; exit 1; }
wheel="$(ls "$scratch"/dist/newsclf-*.whl)"
echo "$wheel"

step "fresh venv outside the source tree, pip install the wheel"
"$venv_python" -m venv "$scratch/venv"
"$scratch/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel"
newsclf="$scratch/venv/bin/newsclf"

mkdir "$scratch/work"
cd "$scratch/work"
# nothing from the source tree may be importable: the installed wheel alone must do
"$scratch/venv/bin/python" - "$root" <<'EOF'
import sys
from pathlib import Path

import newsclf

where = Path(newsclf.__file__).resolve()
assert Path(sys.argv[1]) not in where.parents, f"newsclf imported from the source tree: {where}"
print(f"newsclf {newsclf.__version__} from {where.parent}")
EOF
# a records file to predict and evaluate on: the demo corpus shipped inside the wheel
"$scratch/venv/bin/python" -c '
from importlib.resources import files
open("articles.jsonl", "w", encoding="utf-8").write(
    files("newsclf.demo").joinpath("articles.jsonl").read_text(encoding="utf-8"))'

step "newsclf train (demo corpus, default config)"
"$newsclf" train hydra.run.dir=run
test -f run/metrics.json && test -f run/model/manifest.json

step "newsclf predict"
"$newsclf" predict run/model articles.jsonl -o predictions.jsonl
inputs=$(grep -c . articles.jsonl); outputs=$(grep -c '"topic"' predictions.jsonl)
[[ "$inputs" == "$outputs" ]] || { echo "error: $inputs records in, $outputs predictions out" >&2; exit 1; }
echo "$outputs predictions"

step "newsclf evaluate"
"$newsclf" evaluate run/model articles.jsonl -o eval.metrics.json
test -s eval.metrics.json

step "2-run sweep: newsclf train -m model=linear_svm,logreg"
"$newsclf" train -m model=linear_svm,logreg hydra.sweep.dir=sweep
runs=$(ls sweep/*/metrics.json | wc -l)
[[ "$runs" == 2 ]] || { echo "error: the sweep finished $runs runs, not 2" >&2; exit 1; }

step "newsclf compare"
"$newsclf" compare sweep --out compare   # no matplotlib in this venv: tables only
test -s compare/compare.md

step "passed: wheel $(basename "$wheel") trains, predicts, evaluates, sweeps and compares"
