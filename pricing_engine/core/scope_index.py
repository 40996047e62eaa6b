"""Which lines of a cart a promotion's scope takes, found through an index by SKU, category
and tag instead of testing every promotion against every line (100 promotions on a 200-line
cart would be 20,000 tests per pricing)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from .promotions import ProductScope


class ScopeIndex:
    """Positions of `lines` (items with .item.sku/.categories/.tags) by SKU, category, tag."""

    def __init__(self, lines: Sequence):
        self.lines = lines
        self.by_sku: dict[str, int] = {}
        self.by_category: dict[str, list[int]] = defaultdict(list)
        self.by_tag: dict[str, list[int]] = defaultdict(list)
        for position, line in enumerate(lines):
            item = line.item
            self.by_sku[item.sku] = position
            for category in item.categories:
                self.by_category[category].append(position)
            for tag in item.tags:
                self.by_tag[tag].append(position)
        self._cache: dict[ProductScope, tuple[int, ...]] = {}

    def positions(self, scope: ProductScope) -> tuple[int, ...]:
        """Positions (ascending) of the lines the scope matches, as ProductScope.matches says."""
        found = self._cache.get(scope)
        if found is not None:
            return found
        if not (scope.skus or scope.categories or scope.tags):
            found = tuple(range(len(self.lines)))
        else:
            hits = {self.by_sku[s] for s in scope.skus if s in self.by_sku}
            for category in scope.categories:
                hits.update(self.by_category.get(category, ()))
            for tag in scope.tags:
                hits.update(self.by_tag.get(tag, ()))
            found = tuple(sorted(hits))
        self._cache[scope] = found
        return found

    def matching(self, scope: ProductScope) -> list:
        return [self.lines[p] for p in self.positions(scope)]
