"""Model cards: ``newsclf card MODEL`` writes what someone receiving a model needs to judge it.

The card is built from the artifact alone (``manifest.json``: tasks, labels, config, data
fingerprint, metrics, versions) plus the run's ``metrics.json`` when the model still sits in
its run dir (sizes of the training and evaluation parts, the split). Calibration and
breakdown blocks are rendered when the metrics have them and skipped otherwise.

Plain Markdown rather than ``skops.card``: skops' card describes one estimator for the
Hugging Face Hub (metadata header, hyper-parameter dump of one pipeline, get-started code that
unpickles it), while a newsclf artifact holds one pipeline per task and is loaded with
:func:`newsclf.load`. The card does open with the YAML metadata header model hubs read
(:func:`card_metadata`: language, license, library, pipeline tag, tags, datasets, and the
held-out metrics as ``model-index``), so a hub lists and indexes it like any other model.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from newsclf.artifacts import read_manifest
from newsclf.reports.error_analysis import largest_confusions
from newsclf.runs.run_dir import previous_payload

__all__ = ["card_metadata", "model_card"]

#: what each task predicts, for the intended-use section
_TASK_USE = {
    "topic": "the topic (section) of a news article from its title and text",
    "stance": "the stance of a news article toward a target (a claim, a headline, an entity)",
}
#: hub tags per task
_TASK_TAGS = {"topic": "topic-classification", "stance": "stance-detection"}
#: data options that are not a public dataset (the user's own files, the bundled demo corpus)
_OWN_DATA = ("records", "folder", "demo")
#: the demo corpus is written by the project and shipped under its licence
_DATA_LICENSES = {"demo": "mit"}
#: an ISO 639 code, as a ``lang`` slice key (``unknown`` and the like are left out)
_LANG_CODE = re.compile(r"[a-z]{2,3}")
#: config groups summarised in the card, in this order
_GROUPS = ("data", "features", "model", "target_aware", "split", "trainer", "eval")


def _run_metrics(model: Path, manifest: Mapping[str, Any]) -> dict[str, Any]:
    """``metrics.json`` of the run the model was trained in, if it is still beside it."""
    payload = previous_payload(model.parent)
    fingerprint = manifest.get("data_fingerprint")
    if payload is None or payload.get("data_fingerprint") != fingerprint:
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


def _finite(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return round(float(value), 4) if math.isfinite(value) else None


def _languages(metrics: Mapping[str, Any]) -> list[str]:
    """The languages of the evaluation records: the ``lang`` slices of the breakdowns."""
    found: list[str] = []
    for m in metrics.values():
        slices = m.get("breakdowns", {}).get("lang") if isinstance(m, Mapping) else None
        if isinstance(slices, Mapping):
            found += [str(k) for k in slices if _LANG_CODE.fullmatch(str(k)) and k not in found]
    return found


def _model_index(
    name: str, tasks: Sequence[str], metrics: Mapping[str, Any], data: str, split: str
) -> list[dict[str, Any]]:
    results = []
    for task in tasks:
        m = metrics.get(task)
        if not isinstance(m, Mapping):
            continue
        entries = []
        for kind, label, value, args in (
            ("accuracy", "accuracy", m.get("accuracy"), None),
            ("f1", "macro-F1", m.get("macro_f1"), {"average": "macro"}),
            ("fnc1_score", "FNC-1 score (%)", (m.get("fnc") or {}).get("score"), None),
            ("f_avg", "F_avg (FAVOR, AGAINST)", (m.get("favg") or {}).get("score"), None),
        ):
            number = _finite(value)
            if number is None:
                continue
            entry: dict[str, Any] = {"type": kind, "value": number, "name": label}
            if args:
                entry["args"] = args
            entries.append(entry)
        if entries:
            results.append(
                {
                    "task": {"type": "text-classification", "name": f"{task} classification"},
                    "dataset": {"name": data, "type": data, "split": split},
                    "metrics": entries,
                }
            )
    return [{"name": name, "results": results}] if results else []


def card_metadata(
    model: str | Path, *, title: str | None = None, license: str | None = None
) -> dict[str, Any]:
    """The YAML metadata header of the card (the fields the Hugging Face Hub reads).

    ``license`` defaults to the training data's when newsclf knows it (the demo corpus: MIT)
    and otherwise to ``unknown``: a model's licence follows its data, which the artifact
    cannot tell. ``language`` lists the ``lang`` slices of the evaluation breakdowns.
    """
    model = Path(model).expanduser().absolute()
    manifest = read_manifest(model)
    run = _run_metrics(model, manifest)
    return _metadata(model, manifest, run, title=title, license=license)


def _metadata(
    model: Path,
    manifest: Mapping[str, Any],
    run: Mapping[str, Any],
    *,
    title: str | None,
    license: str | None,
) -> dict[str, Any]:
    tasks = list(manifest["tasks"])
    config = manifest.get("config") or {}
    metrics = manifest.get("metrics") or run.get("tasks") or {}
    data_node = config.get("data") if isinstance(config.get("data"), Mapping) else {}
    data = str(data_node.get("name") or "records")
    meta: dict[str, Any] = {}
    languages = _languages(metrics)
    if languages:
        meta["language"] = languages
    meta["license"] = license or _DATA_LICENSES.get(data, "unknown")
    meta["library_name"] = "newsclf"
    meta["pipeline_tag"] = "text-classification"
    meta["tags"] = [
        "newsclf",
        "scikit-learn",
        "news",
        *(_TASK_TAGS.get(t, t) for t in tasks),
    ]
    if data not in _OWN_DATA:
        meta["datasets"] = [data]
    index = _model_index(
        title or _name(model), tasks, metrics, data, str(run.get("split") or "held-out")
    )
    if index:
        meta["metrics"] = sorted(
            {m["type"] for r in index[0]["results"] for m in r["metrics"]} & {"accuracy", "f1"}
        )
        meta["model-index"] = index
    return meta


def _name(model: Path) -> str:
    return model.parent.name if model.name == "model" else model.name


def model_card(model: str | Path, *, title: str | None = None, license: str | None = None) -> str:
    """The model card of the artifact directory ``model``: the YAML metadata header
    (:func:`card_metadata`) between ``---`` lines, then the Markdown."""
    model = Path(model).expanduser().absolute()
    manifest = read_manifest(model)
    run = _run_metrics(model, manifest)
    tasks = list(manifest["tasks"])
    config = manifest.get("config") or {}
    metrics = manifest.get("metrics") or run.get("tasks") or {}
    versions = manifest.get("versions") or {}
    name = title or _name(model)
    header = yaml.safe_dump(
        _metadata(model, manifest, run, title=title, license=license),
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
    )
    lines = [
        "---",
        header.rstrip("\n"),
        "---",
        "",
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
