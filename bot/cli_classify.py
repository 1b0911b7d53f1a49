"""`python -m bot classify`: one text a line in, one JSON line out; `--eval` and `--learn`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from sqlmodel import select

from bot.config import Settings
from bot.db.migrate import migrated_session
from bot.db.models import CategoryCorrection
from core.classify import Classifier
from core.evaluation import Evaluation
from core.learn import Correction, propose


def classify_lines(classifier: Classifier, source: TextIO, out: TextIO) -> int:
    for line in source:
        text = line.rstrip("\n")
        if not text.strip():
            continue
        result = classifier.classify(text)
        out.write(
            json.dumps(
                {
                    "category": result.category,
                    "confidence": result.confidence,
                    "keywords": list(result.keywords),
                    "alternatives": [[code, score] for code, score in result.alternatives if score > 0],
                },
                ensure_ascii=False,
            )
            + "\n"
        )
    return 0


def read_labelled(path: Path) -> list[tuple[str, str]]:
    """A TSV with columns text and category (a header line naming them; more columns ignored)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        raise ValueError(f"{path} is empty")
    header = lines[0].split("\t")
    if "text" not in header or "category" not in header:
        raise ValueError(f"{path}: the first line must name the columns text and category")
    text_at, category_at = header.index("text"), header.index("category")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) <= max(text_at, category_at):
            raise ValueError(f"{path}:{number}: expected {len(header)} tab-separated columns")
        rows.append((cells[text_at], cells[category_at]))
    return rows


def evaluate(classifier: Classifier, path: Path, out: TextIO) -> int:
    try:
        rows = read_labelled(path)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    codes = [category.code for category in classifier.categories]
    unknown = sorted({label for _text, label in rows} - set(codes))
    if unknown:
        print(f"error: {path}: unknown categories {', '.join(unknown)}", file=sys.stderr)
        return 2
    evaluation = Evaluation()
    for text, label in rows:
        result = classifier.classify(text)
        evaluation.add(label, result.ranked, result.category)
    out.write(evaluation.report(codes) + "\n")
    return 0


async def learn(classifier: Classifier, settings: Settings, out: TextIO) -> int:
    async with migrated_session(settings.database_url) as session:
        rows = (await session.exec(select(CategoryCorrection))).all()
    corrections = [Correction(row.text, row.predicted, row.corrected) for row in rows]
    proposals = propose(classifier, corrections)
    out.write(
        f"{len(corrections)} corrections; {len(proposals)} proposals for core/data/categories.toml "
        "(review them; nothing was changed)\n"
    )
    for proposal in proposals:
        verb = "add to" if proposal.kind == "add" else "lower in"
        out.write(f"{verb} {proposal.category}: {proposal.word}  ({proposal.note})\n")
    return 0
