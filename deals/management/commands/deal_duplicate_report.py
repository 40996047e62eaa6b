"""How the name check behaves on real strings, and what one check costs.

    manage.py deal_duplicate_report [--csv sample_data/online-retail-2010-12.csv.gz] [--threshold 90]

1. The registration variants of docs/deals-and-messages.md with their scores.
2. The distinct product descriptions of the real data set taken as if they were company
   names (thousands of distinct strings that often differ by one word, like "PINK REGENCY
   TEACUP AND SAUCER" and "GREEN REGENCY TEACUP AND SAUCER"): how many pairs the threshold
   would flag, with examples. Every flagged pair is two different things, so this is the
   rate of false alarms staff would review on names this close.
3. The time of one check against N candidate names (rapidfuzz over the normalised names).
"""

import csv
import gzip
import time
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.management.base import BaseCommand
from rapidfuzz import fuzz, process

from deals.matching import normalise_name, similar_names

VARIANTS = [
    "ACME Trading Limited", "Acme-Trading", "Acme Trading Co., Ltd.", "The Acme Trading Company",
    "Acme Trading GmbH & Co. KG", "AcmeTrading Ltd", "Acme Tradng Ltd", "Acme Trading UK Ltd",
    "Acme Tracking Ltd", "Apex Trading Ltd", "Acme Logistics Ltd",
]


class Command(BaseCommand):
    help = "Scores of name variants, false alarms on the real data's descriptions, and the cost of one check."

    def add_arguments(self, parser):
        parser.add_argument("--csv", default=str(Path(settings.BASE_DIR) / "sample_data" / "online-retail-2010-12.csv.gz"))
        parser.add_argument("--threshold", type=float, default=settings.DEAL_DUPLICATE_THRESHOLD)
        parser.add_argument("--candidates", type=int, default=50_000)

    def handle(self, *args, csv: str, threshold: float, candidates: int, **options):
        out = self.stdout.write
        base = normalise_name("Acme Trading Ltd")
        out(f"1. Variants against 'Acme Trading Ltd' (threshold {threshold:g})")
        for name in VARIANTS:
            score = fuzz.token_sort_ratio(base, normalise_name(name))
            out(f"   {score:5.1f}  {'caught ' if score >= threshold else 'missed '} {name}")

        names = sorted({normalise_name(d) for d in _descriptions(csv)} - {""})
        started = time.perf_counter()
        matrix = process.cdist(names, names, scorer=fuzz.token_sort_ratio, score_cutoff=threshold, dtype=np.uint8, workers=1)
        upper = np.triu(matrix, k=1)
        pairs = np.argwhere(upper >= threshold)
        elapsed = time.perf_counter() - started
        total = len(names) * (len(names) - 1) // 2
        out(f"2. {len(names)} distinct descriptions of {Path(csv).name} as names: {len(pairs)} of {total:,} pairs "
            f"score >= {threshold:g} ({len(pairs) / total:.4%}); all pairs in {elapsed:.1f} s")
        for i, j in pairs[:: max(1, len(pairs) // 8)][:8]:
            out(f"   {upper[i, j]:3d}  {names[i]!r} ~ {names[j]!r}")

        pool = {i: names[i % len(names)] + (f" {i // len(names)}" if i >= len(names) else "") for i in range(candidates)}
        started = time.perf_counter()
        runs = 20
        for k in range(runs):
            similar_names(names[k % len(names)], pool, threshold)
        per_check = (time.perf_counter() - started) / runs
        out(f"3. One name check against {candidates:,} candidates: {per_check * 1000:.1f} ms")


def _descriptions(path: str) -> list[str]:
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as handle:
        return [row["Description"] for row in csv.DictReader(handle) if row.get("Description")]
