"""Accuracy figures for the classifier on labelled texts: top-1, top-2, per category, confusion."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CategoryFigures:
    code: str
    support: int
    precision: float
    recall: float


@dataclass
class Evaluation:
    total: int = 0
    top1: int = 0
    top2: int = 0
    sure: int = 0
    sure_correct: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)  # (label, predicted)

    def add(self, label: str, ranked: Sequence[str], sure_category: str | None) -> None:
        self.total += 1
        self.top1 += bool(ranked) and ranked[0] == label
        self.top2 += label in ranked[:2]
        if sure_category is not None:
            self.sure += 1
            self.sure_correct += sure_category == label
        self.confusion[(label, ranked[0] if ranked else "-")] += 1

    def per_category(self, codes: Sequence[str]) -> list[CategoryFigures]:
        figures = []
        for code in codes:
            true_positive = self.confusion[(code, code)]
            predicted = sum(n for (_label, guess), n in self.confusion.items() if guess == code)
            actual = sum(n for (label, _guess), n in self.confusion.items() if label == code)
            figures.append(
                CategoryFigures(
                    code,
                    actual,
                    true_positive / predicted if predicted else 0.0,
                    true_positive / actual if actual else 0.0,
                )
            )
        return figures

    def report(self, codes: Sequence[str]) -> str:
        def share(part: int, whole: int) -> str:
            return f"{part / whole:.1%}" if whole else "n/a"

        lines = [
            f"texts: {self.total}",
            f"top-1 accuracy: {share(self.top1, self.total)} ({self.top1}/{self.total})",
            f"top-2 accuracy: {share(self.top2, self.total)} ({self.top2}/{self.total})",
            f"sure (not asked back): {share(self.sure, self.total)}; "
            f"accuracy when sure: {share(self.sure_correct, self.sure)}",
            "",
            f"{'category':<12} {'n':>4} {'precision':>9} {'recall':>7}",
        ]
        for row in self.per_category(codes):
            lines.append(f"{row.code:<12} {row.support:>4} {row.precision:>9.1%} {row.recall:>7.1%}")
        width = max(len(code) for code in codes)
        short = [code[:5] for code in codes]
        lines += [
            "",
            "confusion (rows: label, columns: predicted)",
            " " * (width + 1) + " ".join(f"{c:>5}" for c in short),
        ]
        for label in codes:
            cells = " ".join(f"{self.confusion[(label, guess)]:>5}" for guess in codes)
            lines.append(f"{label:<{width}} {cells}")
        return "\n".join(lines)
