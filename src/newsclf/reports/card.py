"""Model cards: ``newsclf card MODEL`` writes what someone receiving a model needs to judge it.

The card is built from the artifact alone (``manifest.json``: tasks, labels, config, data
fingerprint, metrics, versions) plus the run's ``metrics.json`` when the model still sits in
its run dir (sizes of the training and evaluation parts, the split). Calibration and
breakdown blocks are rendered when the metrics have them and skipped otherwise.

Plain Markdown rather than ``skops.card``: skops' card describes one estimator for the
Hugging Face Hub (metadata header, hyper-parameter dump of one pipeline, get-started code that
unpickles it), while a newsclf artifact holds one pipeline per task and is loaded with
:func:`newsclf.load`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from newsclf.artifacts import read_manifest
from newsclf.reports.error_analysis import largest_confusions

__all__ = ["model_card", "write_card"]

#: what each task predicts, for the intended-use section
_TASK_USE = {
    "topic": "the topic (section) of a news article from its title and text",
    "stance": "the stance of a news article toward a target (a claim, a headline, an entity)",
}
#: config groups summarised in the card, in this order
_GROUPS = ("data", "features", "model", "target_aware", "split", "trainer", "eval")


def _run_metrics(model: Path, manifest: Mapping[str, Any]) -> dict[str, Any]:
    """``metrics.json`` of the run the model was trained in, if it is still beside it."""
    path = model.parent / "metrics.json"
    if not path.is_file():
        return {}
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        return {}
    fingerprint = manifest.get("data_fingerprint")
    if not isinstance(payload, dict) or payload.get("data_fingerprint") != fingerprint:
        return {}  # another run's metrics (e.g. a copied model): do not mix them in
    return payload


def _num(value: Any, digits: int = 3) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "" if value is None else str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return "n/a"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def _ci(pair: Any) -> str:
    if isinstance(pair, Sequence) and not isinstance(pair, str) and len(pair) == 2:
        return f"[{_num(pair[0])}, {_num(pair[1])}]"
    return ""


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    def line(cells: Sequence[str]) -> str:
        return "| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |"

    return [line(header), "|" + "|".join("---" for _ in header) + "|", *map(line, rows)]


#: the key that names a config group's choice (features and target_aware have no ``name``)
_CHOICE_KEYS = ("name", "mode", "kind")


def _choice(node: Any) -> tuple[str, str | None]:
    """The choice a config group node shows, and the key it was read from."""
    if not isinstance(node, Mapping):
        return str(node), None
    for key in _CHOICE_KEYS:
        if isinstance(node.get(key), str):
            return node[key], key
    return "", None


def _options(node: Any, prefix: str = "", skip: str | None = None) -> list[str]:
    """``key=value`` for the scalar and list options of a config node (nested keys dotted)."""
    if not isinstance(node, Mapping):
        return []
    out = []
    for key, value in node.items():
        if key == skip:
            continue
        if isinstance(value, Mapping):
            out += _options(value, f"{prefix}{key}.")
        else:
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            out.append(f"{prefix}{key}={text}")
    return out


def _config_section(config: Mapping[str, Any]) -> list[str]:
    rows = []
    for group in _GROUPS:
        node = config.get(group)
        if node is None:
            continue
        name, key = _choice(node)
        options = ", ".join(f"`{o}`" for o in _options(node, skip=key)) or "·"
        rows.append([group, f"`{name}`", options])
    lines = ["## Configuration", ""]
    if not rows:
        return [*lines, "No configuration was saved with this model.", ""]
    seed = config.get("seed")
    lines += _table(["group", "choice", "options"], rows)
    lines += ["", f"Seed: {seed}. The full resolved config is in `manifest.json` (`config`).", ""]
    return lines


def _calibration(block: Mapping[str, Any]) -> list[str]:
    keys = [k for k in ("brier", "log_loss", "ece") if k in block]
    if not keys:
        return []
    names = {"brier": "Brier score", "log_loss": "log loss", "ece": "ECE (top label)"}
    bins = f" ({block['bins']} bins)" if "bins" in block else ""
    cells = ", ".join(f"{names[k]} {_num(block[k])}" for k in keys)
    return [f"Calibration{bins}: {cells} (lower is better).", ""]


def _breakdowns(task: str, block: Mapping[str, Any]) -> list[str]:
    lines = []
    for field, slices in block.items():
        if not isinstance(slices, Mapping) or not slices:
            continue
        rows = []
        for value, m in slices.items():
            if not isinstance(m, Mapping):
                continue
            cal = m.get("calibration") if isinstance(m.get("calibration"), Mapping) else {}
            favg = m.get("favg")
            favg = favg.get("score") if isinstance(favg, Mapping) else favg
            rows.append(
                [
                    str(value),
                    _num(m.get("n")),
                    _num(m.get("accuracy")),
                    f"{_num(m.get('macro_f1'))} {_ci(m.get('macro_f1_ci'))}".strip(),
                    _num(favg) if favg is not None else "",
                    _num(cal.get("ece")) if cal else "",
                    "small" if m.get("small") else "",
                ]
            )
        if not rows:
            continue
        lines += [f"#### {task} by `{field}`", ""]
        header = ["slice", "n", "accuracy", "macro-F1 [CI]", "F_avg", "ECE", "note"]
        keep = [i for i in range(len(header)) if i < 4 or any(r[i] for r in rows)]
        lines += _table([header[i] for i in keep], [[r[i] for i in keep] for r in rows])
        lines.append("")
    if any(
        m.get("small")
        for s in block.values()
        if isinstance(s, Mapping)
        for m in s.values()
        if isinstance(m, Mapping)
    ):
        lines += ["`small`: too few records for a stable estimate; read it as a hint.", ""]
    return lines


def _task_metrics(task: str, m: Mapping[str, Any]) -> list[str]:
    conf = m.get("ci", {}).get("confidence") if isinstance(m.get("ci"), Mapping) else None
    level = f"{round(conf * 100)}% " if isinstance(conf, int | float) else ""
    resamples = m.get("ci", {}).get("resamples") if isinstance(m.get("ci"), Mapping) else None
    lines = [f"### {task}", ""]
    headline = [
        f"n={_num(m.get('n'))}",
        f"accuracy {_num(m.get('accuracy'))}",
        f"macro-F1 {_num(m.get('macro_f1'))} {level}CI {_ci(m.get('macro_f1_ci'))}".rstrip(),
    ]
    if isinstance(m.get("fnc"), Mapping) and "score" in m["fnc"]:
        headline.append(f"FNC-1 score {_num(m['fnc']['score'], 2)}%")
    if isinstance(m.get("favg"), Mapping) and "score" in m["favg"]:
        headline.append(f"F_avg {_num(m['favg']['score'])}")
    lines += [", ".join(headline) + ".", ""]
    if resamples:
        lines += [
            f"CIs: percentile bootstrap over the evaluation records ({resamples} resamples).",
            "",
        ]
    per_class = m.get("per_class")
    if isinstance(per_class, Mapping) and per_class:
        rows = [
            [
                label,
                _num(c.get("precision")),
                _num(c.get("recall")),
                _num(c.get("f1")),
                _num(c.get("support")),
            ]
            for label, c in per_class.items()
            if isinstance(c, Mapping)
        ]
        lines += _table(["class", "precision", "recall", "F1", "support"], rows)
        lines.append("")
    matrix = m.get("confusion_matrix")
    if isinstance(matrix, Mapping) and matrix.get("labels") and matrix.get("matrix"):
        found = largest_confusions(matrix["labels"], matrix["matrix"], 3)
        if found:
            listed = "; ".join(f"{c.gold} → {c.predicted} ({c.count})" for c in found)
            lines += [f"Largest confusions (gold → predicted): {listed}.", ""]
    if isinstance(m.get("calibration"), Mapping):
        lines += _calibration(m["calibration"])
    if isinstance(m.get("breakdowns"), Mapping):
        lines += _breakdowns(task, m["breakdowns"])
    return lines


def _limitations(
    tasks: Sequence[str], metrics: Mapping[str, Any], run: Mapping[str, Any]
) -> list[str]:
    split = run.get("split")
    evaluated = (
        f"a held-out part of the training data ({split})"
        if split
        else "a held-out part of the training data"
    )
    has_cal = bool(metrics) and all(
        isinstance(m, Mapping) and "calibration" in m for m in metrics.values()
    )
    has_lang = bool(metrics) and all(
        isinstance(m, Mapping)
        and isinstance(m.get("breakdowns"), Mapping)
        and "lang" in m["breakdowns"]
        for m in metrics.values()
    )
    lines = [
        "## Limitations",
        "",
        f"- **Held-out, not a test set.** The metrics come from {evaluated}, drawn from the same "
        "corpus as the training records: expect lower scores on other outlets, periods and "
        "topics. Score it on your own labelled records with `newsclf evaluate MODEL FILE` "
        "before relying on it.",
        "- **Languages.** The features are built for Hungarian and English (stemming, "
        "stop words, language detection); other languages are tokenised but not stemmed"
        + ("" if has_lang else ", and the card has no per-language breakdown of the metrics")
        + ".",
        "- **Labels.** It only ever predicts the labels listed above, also for articles that "
        "fit none of them.",
        "- **Probabilities.** The scores it outputs are "
        + (
            "checked for calibration above (Brier, log loss, ECE) on the held-out part only"
            if has_cal
            else "not checked for calibration in this card; do not read them as frequencies"
        )
        + ".",
    ]
    if "stance" in tasks:
        lines.append(
            "- **Stance** is judged toward the given target only; a target unlike those in "
            "training (another claim style, another entity) is out of its experience."
        )
    lines.append(
        "- **Use.** Meant for research and for triaging articles, with people checking the "
        "results; not for decisions about people or for moderating speech on its own."
    )
    return [*lines, ""]


def model_card(model: str | Path, *, title: str | None = None) -> str:
    """The Markdown model card of the artifact directory ``model``."""
    model = Path(model).expanduser().absolute()
    manifest = read_manifest(model)
    run = _run_metrics(model, manifest)
    tasks = list(manifest["tasks"])
    config = manifest.get("config") or {}
    metrics = manifest.get("metrics") or run.get("tasks") or {}
    versions = manifest.get("versions") or {}
    name = title or (model.parent.name if model.name == "model" else model.name)
    lines = [
        f"# Model card: {name}",
        "",
        f"A newsclf model for {' and '.join(tasks)} classification of news articles. "
        f"Created {manifest.get('created', '(unknown)')} with newsclf "
        f"{versions.get('newsclf', '?')}, scikit-learn {versions.get('scikit-learn', '?')}, "
        f"Python {versions.get('python', '?')}; saved as `{manifest.get('serialization', '?')}`.",
        "",
        "## Intended use",
        "",
    ]
    lines += [
        f"- **{t}**: predicts {_TASK_USE.get(t, f'the {t} label of an article')}." for t in tasks
    ]
    lines += [
        "- Built for Hungarian and English news; the labels are those of its training data.",
        "- Load it with `newsclf.load(PATH)` or use `newsclf predict PATH articles.jsonl`"
        + (
            "; skops files can be loaded without running code from them."
            if manifest.get("serialization") == "skops"
            else "; joblib files are pickles: load them only from sources you trust (share "
            "with `newsclf export PATH --format skops`)."
        ),
        "",
        "## Tasks and labels",
        "",
    ]
    rows = []
    for task, spec in manifest["tasks"].items():
        labels = spec.get("labels") or (metrics.get(task, {}).get("per_class") or {}).keys()
        source = spec.get("input", "text")
        if source == "text" and spec.get("include_title", True):
            source = "title + text"
        elif source == "pair":
            source = "text and target"
        rows.append([task, source, ", ".join(f"`{label}`" for label in labels)])
    lines += _table(["task", "input", "labels"], rows)
    lines += ["", "## Training data", ""]
    data = config.get("data") if isinstance(config.get("data"), Mapping) else {}
    source = data.get("name", "(not recorded)")
    files = [f"{k}=`{data[k]}`" for k in ("train", "test", "path", "root") if data.get(k)]
    lines.append(f"- Data: `{source}`" + (f" ({', '.join(files)})" if files else "") + ".")
    if run:
        lines.append(
            f"- Size: {_num(run.get('n_train'))} training and {_num(run.get('n_eval'))} "
            f"evaluation records" + (f"; split: {run['split']}" if run.get("split") else "") + "."
        )
    else:
        lines.append("- Size: not recorded (the run's metrics.json is not beside the model).")
    fingerprint = manifest.get("data_fingerprint")
    lines += [
        f"- Data fingerprint: `{fingerprint or '(not recorded)'}` (sha256 over the records' id, "
        "text, title, target and labels; the same data gives the same fingerprint).",
        "",
    ]
    lines += _config_section(config)
    lines += ["## Evaluation", ""]
    if not metrics:
        lines += ["No metrics were saved with this model.", ""]
    for task in tasks:
        if isinstance(metrics.get(task), Mapping):
            lines += _task_metrics(task, metrics[task])
    lines += _limitations(tasks, metrics, run)
    return "\n".join(lines).rstrip("\n") + "\n"


def write_card(model: str | Path, output: str | Path) -> Path:
    """Write :func:`model_card` of ``model`` to the file ``output``; return its path."""
    text = model_card(model)
    path = Path(output).expanduser().absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
