"""Result charts as PNG (matplotlib, no screen needed)."""

from __future__ import annotations

import io
from typing import Any


def _pyplot() -> Any:
    """matplotlib on first use: it costs ~40 MB, and charts are drawn a few times a year."""
    import matplotlib

    matplotlib.use("Agg")  # before pyplot: render to memory, never to a window
    import matplotlib.pyplot as plt

    return plt


COLOURS = {"elected": "#c0392b", "tied": "#e67e22", "other": "#95a5a6"}


def approvals_chart(title: str, counts: dict[str, int], elected: set[str], tied: set[str]) -> bytes:
    """Bars of approvals per candidate code, elected ones highlighted. Labels are ASCII codes,
    so no CJK font is needed on the server; the message beside it names the projects."""
    codes = sorted(counts, key=lambda code: (-counts[code], int(code[1:]) if code[1:].isdigit() else 0))
    colours = [
        COLOURS["elected"] if c in elected else COLOURS["tied"] if c in tied else COLOURS["other"]
        for c in codes
    ]
    from matplotlib.ticker import MaxNLocator

    plt = _pyplot()
    figure, axes = plt.subplots(figsize=(max(6, len(codes) * 0.35), 4), dpi=100)
    axes.bar(codes, [counts[c] for c in codes], color=colours)
    axes.set_ylabel("votes")
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_title(title)
    return _png(figure, axes)


TIER_COLOURS = {"bonus": "#27ae60", "pass": "#95a5a6", "penalty": "#c0392b", "none": "#dfe6e9"}


def satisfaction_chart(title: str, rates: dict[str, float | None], tiers: dict[str, str]) -> bytes:
    """Satisfaction per project (labels are "#id", ASCII), coloured: bonus tier, penalty, other.

    A project nobody rated gets an empty, pale bar: not rated is not 0%."""
    labels = list(rates)
    figure, axes = _pyplot().subplots(figsize=(max(6, len(labels) * 0.5), 4), dpi=100)
    values = [100 * (rates[label] or 0) for label in labels]
    colours = [
        TIER_COLOURS["none"] if rates[label] is None else TIER_COLOURS[tiers[label]] for label in labels
    ]
    axes.bar(labels, values, color=colours)
    axes.set_ylim(0, 100)
    axes.set_ylabel("satisfaction %")
    for line in (85, 60):
        axes.axhline(line, color="#7f8c8d", linewidth=0.8, linestyle="--")
    axes.set_title(title)
    return _png(figure, axes)


def _png(figure, axes) -> bytes:  # type: ignore[no-untyped-def]
    """Project labels along the bottom, then the figure as PNG bytes (and freed)."""
    axes.tick_params(axis="x", labelrotation=90, labelsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    _pyplot().close(figure)
    return buffer.getvalue()
