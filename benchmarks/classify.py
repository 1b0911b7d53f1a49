"""Classifier speed and memory, printed with a baseline measured in the same run.

    python benchmarks/classify.py [--texts FILE.tsv] [--rounds N]

Figures: start-up (importing the classifier and building it the first time, then again),
first-call latency, classifications per second of CPU time on one core after warm-up — against plain jieba
segmentation of the same texts as the baseline — and peak memory (max RSS).
Goal: >= 5,000 classifications/s.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_TEXTS = [
    ROOT / "tests" / "data" / "suggestions_dev.tsv",
    ROOT / "tests" / "data" / "project_names.tsv",
]


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--texts", type=Path, help="a TSV whose first column is text")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    path = args.texts or next(p for p in DEFAULT_TEXTS if p.exists())
    texts = [
        line.split("\t")[0] for line in path.read_text(encoding="utf-8").splitlines()[1:] if line.strip()
    ]
    rss_before = max_rss_mb()

    started, started_cpu = time.perf_counter(), time.process_time()
    from core.categories import default_categories, load_user_words
    from core.classify import Classifier

    imported = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as cache:
        started = time.perf_counter()
        Classifier(default_categories(), user_words=load_user_words(), cache_dir=Path(cache))
        cold = imported + time.perf_counter() - started
        cold_cpu = time.process_time() - started_cpu
        started = time.perf_counter()
        classifier = Classifier(default_categories(), user_words=load_user_words(), cache_dir=Path(cache))
        warm = time.perf_counter() - started
    started = time.perf_counter()
    classifier.classify(texts[0])
    first_call = time.perf_counter() - started

    rss_classifier = max_rss_mb()
    import jieba

    baseline_tokenizer = jieba.Tokenizer()
    baseline_tokenizer.initialize()
    for text in texts[:50]:  # warm-up both
        classifier.classify(text)
        baseline_tokenizer.lcut(text, HMM=False)

    def rate(work) -> float:  # type: ignore[no-untyped-def]
        # CPU time of this process: the work runs on one core, and other processes on a shared
        # machine do not count against it (the ratio to the baseline is the figure to compare).
        started = time.process_time()
        for _ in range(args.rounds):
            for text in texts:
                work(text)
        return args.rounds * len(texts) / (time.process_time() - started)

    ours = rate(classifier.classify)
    baseline = rate(lambda text: baseline_tokenizer.lcut(text, HMM=False))
    mean_chars = sum(map(len, texts)) / len(texts)
    print(f"texts: {len(texts)} from {path.name} (mean {mean_chars:.0f} characters), {args.rounds} rounds")
    print(
        f"start-up: {cold * 1000:.0f} ms ({cold_cpu * 1000:.0f} ms of CPU) importing and building the classifier, "
        f"{warm * 1000:.0f} ms building it again (goal: <= 1 s)"
    )
    print(f"first call after start-up: {first_call * 1000:.2f} ms")
    print(f"baseline, plain jieba segmentation (HMM off): {baseline:,.0f} texts/s")
    print(
        f"classifier: {ours:,.0f} classifications/s = {ours / baseline:.2f} x baseline "
        f"({'meets' if ours >= 5000 else 'misses'} the 5,000/s goal)"
    )
    print(
        f"peak memory (max RSS): {rss_classifier:.0f} MB with the classifier "
        f"({rss_classifier - rss_before:.0f} MB for it), {max_rss_mb():.0f} MB once jieba is loaded for the baseline"
    )


if __name__ == "__main__":
    main()
