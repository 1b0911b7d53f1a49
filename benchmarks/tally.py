"""Tally speed: 1,000 deputies × 60 candidates (goal: under 50 ms), against a baseline.

    python benchmarks/tally.py [--deputies 1000] [--candidates 60] [--repeat 20]

The baseline is the least any tally must do: one pass adding up the approvals of every ballot
(no checks, no ranking), measured in the same run; the figure is printed as a ratio to it.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from core.tally import Ballot, Candidate, Mode, Round, tally

CODES = [
    "education",
    "eldercare",
    "health",
    "transport",
    "environment",
    "labour",
    "housing",
    "culture",
    "safety",
    "services",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deputies", type=int, default=1000)
    parser.add_argument("--candidates", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    quota = args.candidates * 2 // 3  # 60 candidates for 40 seats: a 50% margin
    generator = random.Random(2026)
    pool = tuple(Candidate(f"c{i}", CODES[i % len(CODES)]) for i in range(args.candidates))
    by_category: dict[str, list[str]] = {}
    for candidate in pool:
        by_category.setdefault(candidate.category, []).append(candidate.id)
    ballots = []
    for _ in range(args.deputies):
        chosen = {generator.choice(ids) for ids in by_category.values()}
        chosen |= set(generator.sample([c.id for c in pool], quota - len(chosen)))
        ballots.append(Ballot(approve=tuple(sorted(chosen))[:quota]))
    round_ = Round(Mode.APPROVAL, quota, args.deputies, pool)

    def baseline() -> None:
        counts = dict.fromkeys((c.id for c in pool), 0)
        for ballot in ballots:
            for choice in ballot.approve:
                counts[choice] += 1

    def measure(work) -> float:  # type: ignore[no-untyped-def]
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            work()
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    ours = measure(lambda: tally(round_, ballots))
    floor = measure(baseline)
    result = tally(round_, ballots)
    print(
        f"{args.deputies} deputies × {args.candidates} candidates for {quota} seats, median of {args.repeat} runs"
    )
    print(f"baseline (adding up approvals only): {floor * 1000:.2f} ms")
    print(
        f"tally (checks, counts, quorum, ranking, ties): {ours * 1000:.2f} ms = {ours / floor:.1f} x baseline "
        f"({'meets' if ours < 0.05 else 'misses'} the 50 ms goal)"
    )
    print(f"valid ballots: {result.turnout - result.invalid_ballots}, elected: {len(result.elected)}")


if __name__ == "__main__":
    main()
