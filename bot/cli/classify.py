"""`python -m bot classify`: one text a line in, one JSON line out; `--eval` and `--learn`."""

from __future__ import annotations

import copy
import json
import sys
from pathlib import Path
from typing import TextIO

from sqlmodel import select

from bot.config import Settings
from bot.db.migrate import migrated_session
from bot.db.models import CategoryCorrection
from core.classify import DECAYS, TITLE_BOOSTS, Classifier
from core.evaluation import Evaluation, Scored, source_group
from core.evaluation import by_source as core_by_source
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
    return [(row["text"], row["category"]) for row in read_rows(path)]


def read_rows(path: Path) -> list[dict[str, str]]:
    """Every row of a labelled TSV as {column: value}; text and category are required columns."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if not lines:
        raise ValueError(f"{path} is empty")
    header = lines[0].split("\t")
    if "text" not in header or "category" not in header:
        raise ValueError(f"{path}: the first line must name the columns text and category")
    needed = max(header.index("text"), header.index("category"))
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) <= needed:
            raise ValueError(f"{path}:{number}: expected {len(header)} tab-separated columns")
        rows.append(dict(zip(header, cells, strict=False)))
    return rows


def evaluate(classifier: Classifier, path: Path, out: TextIO, *, by_source: bool = False) -> int:
    """Accuracy figures on a labelled TSV; with ``by_source``, by held-out source (needs ``source``).

    By source: rows are grouped by publisher (core.evaluation.source_group) into at most 5 folds;
    the confidence threshold is learned on the other folds (core.evaluation.learn_threshold), and
    top-1, top-2, unsure rate and precision when sure are reported overall, per ``style`` column
    value and per fold. The title boost and the keyword decay (core.classify.TITLE_BOOSTS, DECAYS)
    are chosen on the other folds too: each fold shows the setting it was given.
    """
    try:
        rows = read_rows(path)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    codes = [category.code for category in classifier.categories]
    unknown = sorted({row["category"] for row in rows} - set(codes))
    if unknown:
        print(f"error: {path}: unknown categories {', '.join(unknown)}", file=sys.stderr)
        return 2
    if by_source and not all(row.get("source") for row in rows):
        print(f"error: {path}: --by-source needs a source column with a value on every row", file=sys.stderr)
        return 2
    evaluation = Evaluation()
    scored = _scored(classifier, rows, evaluation)
    out.write(evaluation.report(codes) + "\n")
    if by_source:
        variants = {}
        for title_boost in TITLE_BOOSTS:
            for decay in DECAYS:
                variant = copy.copy(classifier)
                variant.title_boost, variant.decay = title_boost, decay
                variants[f"title×{title_boost:g} decay {decay:g}"] = _scored(variant, rows)
        out.write("\n" + core_by_source(scored, variants=variants).report() + "\n")
    return 0


def _scored(
    classifier: Classifier, rows: list[dict[str, str]], evaluation: Evaluation | None = None
) -> list[Scored]:
    scored = []
    for row in rows:
        result = classifier.classify(row["text"])
        if evaluation is not None:
            evaluation.add(row["category"], result.ranked, result.category)
        scored.append(
            Scored(
                row["category"],
                tuple(result.ranked),
                result.confidence,
                row.get("style") or "-",
                source_group(row.get("source", "")),
            )
        )
    return scored


async def learn(classifier: Classifier, settings: Settings, out: TextIO) -> int:
    async with migrated_session(settings.database_url) as session:
        rows = (await session.exec(select(CategoryCorrection))).all()
    corrections = [Correction(row.text, row.predicted, row.corrected) for row in rows]
    proposals = propose(classifier, corrections)
    out.write(
        f"{len(corrections)} corrections; {len(proposals)} proposals for core/data/categories.toml "
        "(review them: a word is added only if it names a thing of the domain, in a [[category.block]]\n"
        "whose source says where it comes from; nothing was changed)\n"
    )
    for proposal in proposals:
        verb = "add to" if proposal.kind == "add" else "lower in"
        out.write(f"{verb} {proposal.category}: {proposal.word}  ({proposal.note})\n")
    return 0
