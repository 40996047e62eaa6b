"""What a search takes and gives back: filters, sort, page, hits, total and facets.

Both backends (PostgreSQL/plain in the database, Elasticsearch) take and return exactly
these, so the storefront page and the GraphQL query never know which one answered.
"""

import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from mall.errors import DomainError, ErrorDetail

MAX_QUERY_LENGTH = 200
MAX_PAGE_SIZE = 100
MAX_PRICE = Decimal("1000000000")


class Sort(StrEnum):
    RELEVANCE = "relevance"
    PRICE_ASC = "price_asc"
    PRICE_DESC = "price_desc"
    NEWEST = "newest"
    BEST_SELLING = "best_selling"


PRICE_SORTS = {Sort.PRICE_ASC, Sort.PRICE_DESC}


class SearchError(DomainError):
    """Bad search input (a sort that does not exist, a price range upside down...) or a search
    backend that cannot answer: always a typed error, never a 500."""

    @classmethod
    def of(cls, field_name: str | None, code: str, message: str) -> "SearchError":
        return cls(ErrorDetail(field_name, code, message))


@dataclass(frozen=True)
class SearchFilters:
    """`category` is a category slug (its sub-categories included); prices are the dealer's
    unit prices in the dealer's currency (see catalog/search/dealer_prices.py), inclusive."""

    category: str | None = None
    in_stock: bool | None = None
    on_promotion: bool | None = None
    price_min: Decimal | None = None
    price_max: Decimal | None = None

    @property
    def uses_prices(self) -> bool:
        return self.price_min is not None or self.price_max is not None


@dataclass(frozen=True)
class PageRequest:
    offset: int = 0
    limit: int = 48

    @classmethod
    def number(cls, number: int, size: int) -> "PageRequest":
        return cls(offset=(max(number, 1) - 1) * size, limit=size)


@dataclass(frozen=True)
class CategoryCount:
    slug: str
    name: str
    count: int


@dataclass(frozen=True)
class PriceRangeCount:
    """Dealer prices from `min` (inclusive) to `max` (exclusive; None: no upper end)."""

    min: Decimal
    max: Decimal | None
    count: int
    currency: str


@dataclass(frozen=True)
class Facets:
    categories: list[CategoryCount] = field(default_factory=list)
    price_ranges: list[PriceRangeCount] = field(default_factory=list)
    in_stock: int = 0
    on_promotion: int | None = None  # None: no dealer, so no promotions to count


@dataclass(frozen=True)
class SearchResult:
    """`hits` are Variants (one per SKU, with `product`, `product.category` and `available`
    loaded) in the requested order; `total` counts every match, `facets` describe them all.
    `promotions` are the dealer's live line promotions the search loaded (for badges)."""

    hits: list
    total: int
    facets: Facets
    backend: str
    promotions: tuple = ()
    # True when a very broad search stopped counting (settings.SEARCH_FACET_LIMIT): `total`
    # and the facets then describe the first that many matches ("more than 10,000").
    total_is_lower_bound: bool = False

    @property
    def variant_ids(self) -> list[int]:
        return [v.pk for v in self.hits]

    @property
    def product_ids(self) -> list[int]:
        return list(dict.fromkeys(v.product_id for v in self.hits))


def holds_impossible_text(text: str | None) -> bool:
    """True when the text holds a character no product's text can hold: NUL (PostgreSQL
    cannot store it), a lone surrogate (not Unicode text) or U+FFFD, which the GraphQL
    guard (mall/graphql_guards.py) puts in place of both. Such a search finds nothing, on
    every entry point: it must not become a shorter, broader search (a NUL alone would
    otherwise list the whole catalog)."""
    return bool(text) and any(
        char in ("\x00", "\ufffd") or unicodedata.category(char) == "Cs" for char in str(text)
    )


def clean_query(text: str | None) -> str:
    """The user's text made safe to hand to any backend: NUL bytes, control characters and
    lone surrogates dropped, whitespace collapsed, at most MAX_QUERY_LENGTH characters.
    Operators and quotes stay: the backends parse them with their safe parsers only."""
    if not text:
        return ""
    kept = []
    for char in str(text):
        category = unicodedata.category(char)
        if category == "Cs" or (category == "Cc" and not char.isspace()):
            continue
        kept.append(" " if char.isspace() else char)
    return " ".join("".join(kept).split())[:MAX_QUERY_LENGTH].strip()


def parse_price(value, field_name: str) -> Decimal | None:
    """A price bound typed by a person or an API client: a non-negative finite decimal."""
    if value is None or value == "":
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise SearchError.of(field_name, "INVALID_PRICE", "Enter a price such as 12.50.") from None
    if not amount.is_finite() or amount < 0 or amount > MAX_PRICE:
        raise SearchError.of(field_name, "INVALID_PRICE", "Enter a price of 0 or more, such as 12.50.")
    return amount


def check_request(filters: SearchFilters, sort: str, page: PageRequest, *, has_dealer: bool) -> Sort:
    """The chosen sort, or SearchError. An error's field is the GraphQL products(...) input
    path (`sort`, `filter.priceMin`, `filter.priceMax`, `first`), as parse_price's are; the
    catalog page shows the messages next to its form."""
    try:
        chosen = Sort(sort or Sort.RELEVANCE)
    except ValueError:
        options = ", ".join(s.value for s in Sort)
        raise SearchError.of("sort", "INVALID_SORT", f"Sort by one of: {options}.") from None
    if (chosen in PRICE_SORTS or filters.uses_prices) and not has_dealer:
        raise SearchError.of(
            "sort" if chosen in PRICE_SORTS else "filter.priceMin" if filters.price_min is not None else "filter.priceMax",
            "SIGN_IN_FOR_PRICES",
            "Prices are a dealer's own: sign in as a dealer to sort or filter by price.",
        )
    if filters.price_min is not None and filters.price_max is not None and filters.price_min > filters.price_max:
        raise SearchError.of("filter.priceMax", "INVALID_PRICE_RANGE", "The highest price must not be below the lowest.")
    if page.offset < 0 or page.limit < 0 or page.limit > MAX_PAGE_SIZE:
        raise SearchError.of("first", "INVALID_PAGE", f"Pages hold 0 to {MAX_PAGE_SIZE} products.")
    return chosen
