"""The report an import or a replay ends with: counts, and rejections grouped by reason."""

from collections import Counter
from dataclasses import dataclass, field

EXAMPLES_PER_REASON = 3


@dataclass
class Tally:
    """Counts by reason with a few examples of each."""

    counts: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)

    def add(self, reason: str, example: str = "", n: int = 1) -> None:
        self.counts[reason] += n
        shown = self.examples.setdefault(reason, [])
        if example and len(shown) < EXAMPLES_PER_REASON:
            shown.append(example)

    def merge(self, other: "Tally") -> None:
        self.counts.update(other.counts)
        for reason, examples in other.examples.items():
            shown = self.examples.setdefault(reason, [])
            shown.extend(examples[: EXAMPLES_PER_REASON - len(shown)])

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def lines(self, indent: str = "  ") -> list[str]:
        out = []
        for reason, n in self.counts.most_common():
            out.append(f"{indent}{reason}: {n}")
            for example in self.examples.get(reason, []):
                out.append(f"{indent}    e.g. {example}")
        return out
