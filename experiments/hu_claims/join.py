"""Join the hand-written Hungarian/English claims with the article bodies they are about.

The claims file holds only our own claims plus each article's link (its stable key) and the
SHA-256 of its title and body; the article texts stay in the dataset, which may not be
redistributed. This script reads the dataset's site CSVs and writes one newsclf stance record
per (article, claim) pair:

    {"id", "text": body, "title", "target": claim, "stance": label, "claim_lang", "group"}

``group`` is the article key, so splitting or cross-validating by group keeps an article's five
claims together. There is no ``lang`` field on purpose: the hidden test set may not carry one.

    python experiments/hu_claims/join.py --root /work/shared/data/hungarian_news_rovat_2025 \
        --split dev -o /tmp/hu_dev.jsonl

Stdlib only. It fails with a message naming the article when the root is wrong, an article is
missing, or its title/body changed since the claims were written.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLAIMS = HERE / "claims.jsonl"
SITES = ("hvg", "mandiner", "mn", "telex")
SPLITS = ("dev", "holdout", "fresh", "fresh2", "all")  # "all" = every split
LABELS = ("agree", "disagree", "unrelated")


class JoinError(Exception):
    """A problem with the inputs; the message says what, where and how to fix it."""


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _site_file(root: Path, site: str) -> Path:
    for folder in (root / "data_raw", root):
        path = folder / f"{site}_db.csv"
        if path.is_file():
            return path
    raise JoinError(
        f"{site}_db.csv not found under {root} (looked in {root / 'data_raw'} and {root}); "
        "pass --root the folder of hungarian_news_rovat_2025 (the one holding data_raw/)"
    )


def read_articles(root: Path) -> dict[str, dict[str, str]]:
    """Every article of the four site CSVs, keyed by its link."""
    if not root.is_dir():
        raise JoinError(f"--root {root} is not a directory")
    csv.field_size_limit(sys.maxsize)
    articles: dict[str, dict[str, str]] = {}
    for site in SITES:
        path = _site_file(root, site)
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = {"title", "body", "link"} - set(reader.fieldnames or ())
            if missing:
                raise JoinError(f"{path}: header lacks column(s) {sorted(missing)}")
            for row in reader:
                link = (row.get("link") or "").strip()
                if link:
                    articles[link] = row
    return articles


def read_claims(path: Path, split: str) -> list[dict[str, str]]:
    claims = []
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                claim = json.loads(line)
            except json.JSONDecodeError as exc:
                raise JoinError(f"{path}:{number}: not valid JSON ({exc})") from None
            for field in ("article", "link", "claim", "claim_lang", "label", "split"):
                if not claim.get(field):
                    raise JoinError(f"{path}:{number}: field {field!r} is missing or empty")
            if claim["label"] not in LABELS:
                raise JoinError(f"{path}:{number}: label {claim['label']!r} not in {LABELS}")
            if split == "all" or claim["split"] == split:
                claim["_line"] = number
                claims.append(claim)
    return claims


def join(root: Path, split: str, claims_path: Path = CLAIMS) -> list[dict[str, str]]:
    articles = read_articles(root)
    records = []
    counters: dict[str, int] = {}
    for claim in read_claims(claims_path, split):
        where = f"{claims_path.name}:{claim['_line']} (article {claim['article']})"
        row = articles.get(claim["link"])
        if row is None:
            raise JoinError(
                f"{where}: no article with link {claim['link']} in {root}; the dataset is not "
                "the snapshot the claims were written for (see its PROVENANCE.md)"
            )
        for field in ("title", "body"):
            expected = claim.get(f"{field}_sha256")
            if expected and _sha(row[field]) != expected:
                raise JoinError(
                    f"{where}: the article's {field} changed since the claims were written "
                    f"(sha256 differs); re-read the article and re-check its claims"
                )
        key = claim["article"]
        counters[key] = counters.get(key, 0) + 1
        records.append(
            {
                "id": f"{key}#{counters[key]}",
                "text": row["body"],
                "title": row["title"].strip(),
                "target": claim["claim"],
                "stance": claim["label"],
                "claim_lang": claim["claim_lang"],
                "group": key,
            }
        )
    return records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", required=True, type=Path, help="hungarian_news_rovat_2025 folder")
    parser.add_argument("--split", default="dev", choices=SPLITS)
    parser.add_argument("--claims", default=CLAIMS, type=Path, help="claims file (default: ours)")
    parser.add_argument("-o", "--output", required=True, help="output .jsonl ('-' for stdout)")
    args = parser.parse_args(argv)
    try:
        records = join(args.root, args.split, args.claims)
    except (JoinError, OSError) as exc:
        print(f"join.py: error: {exc}", file=sys.stderr)
        return 2
    lines = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    if args.output == "-":
        sys.stdout.write(lines)
    else:
        Path(args.output).write_text(lines, encoding="utf-8")
        print(f"wrote {len(records)} records ({args.split}) to {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
