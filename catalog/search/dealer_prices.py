"""The dealer's price as search filters, sorts and counts it, computed inside the query.

Definition (what "price" means for the price facet, the price filter and the price sort):
the dealer's unit price for one unit before promotions and volume breaks, by the pricing
core's base-price rule (pricing_engine/core/base_price.py): the dealer's contract lists,
then its tier's lists, valid now and in the dealer's currency, by priority; the first list
that applies to the SKU gives its explicit price, or the list price less its default
percentage, or (a list with only volume breaks for the SKU) the list price; no list: the list
price. SKUs listed in another currency have no price for this dealer (they sort last and
fall in no price range).

The SQL computes that price *unrounded* (`raw`); the shown price is `quantize(raw)` (the one
rounding rule, pricing_engine/core/money.py, halves up). Rounding is monotonic, so sorting by
`raw` is sorting by the shown price, and every bound on the shown price becomes an exact bound
on `raw` by half a minor unit: shown >= a  <=>  raw >= a - half;  shown <= b  <=>  raw < b + half;
shown < b  <=>  raw < b - half (a and b on the currency's grid). No rounding happens here.

The dealer's lists are read in one query (the same loader checkout prices with); explicit
prices and breaks are indexed subqueries on (price list, variant) inside the search query.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import (
    Case,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from partners.models import Company
from pricing_engine.core import Level
from pricing_engine.core.money import currency_exponent, quantize
from pricing_engine.loaders import applicable_price_lists, dealer_context
from pricing_engine.models import PriceBreak, PriceList
from pricing_engine.promotion_loaders import load_promotions

from .pricing_snapshot import snapshot

RAW_PRICE = DecimalField(max_digits=24, decimal_places=8)
# Edges of the price facet in the dealer's currency, settings.SEARCH_PRICE_RANGES (major units).
DEFAULT_PRICE_EDGES = ("1", "2", "5", "10", "20", "50", "100")


@dataclass(frozen=True)
class DealerPricing:
    company: Company
    currency: str
    price_lists: tuple[PriceList, ...]
    promotions: tuple  # live line promotions (core Promotions) this dealer can get now

    @property
    def half_step(self) -> Decimal:
        return Decimal(1).scaleb(-currency_exponent(self.currency)) / 2

    def joins(self) -> dict:
        """One LEFT JOIN per price list onto its explicit prices (a hash join on the list's
        rows, rather than one index probe per matching SKU); annotate the queryset with them."""
        return {
            f"list_{pl.pk}": FilteredRelation("price_list_items", condition=Q(price_list_items__price_list_id=pl.pk))
            for pl in self.price_lists
        }

    def raw_price(self):
        """The unrounded dealer price of the outer Variant row (NULL in another currency);
        the queryset must carry `joins()` first."""
        terms = []
        for price_list in self.price_lists:
            terms.append(ExpressionWrapper(F(f"list_{price_list.pk}__unit_price"), RAW_PRICE))
            if price_list.default_discount_percent is not None:
                # This list applies to every SKU: later lists can never win.
                percent = price_list.default_discount_percent
                terms.append(ExpressionWrapper(F("list_price") * (Value(100) - Value(percent)) / Value(100), RAW_PRICE))
                break
            only_breaks = PriceBreak.objects.filter(price_list_id=price_list.pk, variant_id=OuterRef("pk"))
            terms.append(Case(When(Exists(only_breaks), then=F("list_price")), default=None, output_field=RAW_PRICE))
        terms.append(ExpressionWrapper(F("list_price"), RAW_PRICE))
        price = Coalesce(*terms, output_field=RAW_PRICE) if len(terms) > 1 else terms[0]
        return Case(When(currency=self.currency, then=price), default=None, output_field=RAW_PRICE)

    def named_prices_sql(self) -> tuple[str, list, str, list]:
        """The SKUs the dealer's lists name (explicit prices, and SKUs with only volume breaks
        in a list without a percentage): per SKU, the first list that names it decides (its
        explicit price, or NULL for breaks only: those pay the list price). As (SELECT of
        `variant_id, unit_price`, its params, the price of a SKU no list names over `{doc}`
        (its list price less the first percentage, or the list price), that price's params).
        The SELECT is empty when no list names SKUs one by one."""
        named, named_params = [], []
        rest, rest_params = "{doc}.list_price", []
        for order, price_list in enumerate(self.price_lists):
            named.append(
                f"SELECT variant_id, unit_price, {order} AS o, 0 AS k FROM pricing_engine_pricelistitem WHERE price_list_id = %s"
            )
            named_params.append(price_list.pk)
            if price_list.default_discount_percent is not None:
                # This list applies to every SKU: later lists can never win.
                rest, rest_params = "{doc}.list_price * (100 - %s) / 100", [price_list.default_discount_percent]
                break
            named.append(
                f"SELECT variant_id, NULL::numeric, {order}, 1 FROM pricing_engine_pricebreak WHERE price_list_id = %s"
            )
            named_params.append(price_list.pk)
        if not named:
            return "", [], rest, rest_params
        select = (
            f"SELECT DISTINCT ON (x.variant_id) x.variant_id, x.unit_price FROM ({' UNION ALL '.join(named)}) x "
            f"ORDER BY x.variant_id, x.o, x.k"
        )
        return select, named_params, rest, rest_params

    def unnamed_price_sql(self, doc: str = "d") -> tuple[str, list]:
        """The unrounded price of a document `doc` no list names (`named_prices_sql`), rounded
        to 8 places as `document_price_sql` rounds it."""
        _, _, rest, rest_params = self.named_prices_sql()
        return f"ROUND({rest.format(doc=doc)}, 8)", rest_params

    def document_price_sql(self, doc: str = "d") -> tuple[str, list, str, list]:
        """The same unrounded price over search documents (their copied list price and
        currency), as raw SQL: (LEFT JOIN, its params, price expression, its params).

        The SKUs the dealer's lists name are one small derived table (`named_prices_sql`).
        One LEFT JOIN then prices every match; a SKU no list names pays the first percentage
        (or the list price). One join instead of two per list: cheaper to plan and to run."""
        select, named_params, rest, rest_params = self.named_prices_sql()
        rest = rest.format(doc=doc)
        # Rounded to 8 places: exact for list prices of 2 decimals less percentages of up to 3
        # (at most 7 places), and short numerics compare faster over thousands of matches.
        if not select:
            return "", [], f"CASE WHEN {doc}.currency = %s THEN ROUND({rest}, 8) END", [self.currency, *rest_params]
        join = f"LEFT JOIN ({select}) named ON named.variant_id = {doc}.variant_id"
        value = f"CASE WHEN named.variant_id IS NOT NULL THEN COALESCE(named.unit_price, {doc}.list_price) ELSE {rest} END"
        return join, named_params, f"CASE WHEN {doc}.currency = %s THEN ROUND({value}, 8) END", [self.currency, *rest_params]

    def monotone_factor(self) -> Decimal | None:
        """For SKUs without an explicit price or a volume break in the dealer's lists, the
        dealer price is the list price times this factor (the first list with a percentage
        decides; none: 1). None when it is 0 (every such SKU free), as then list price order
        is not price order."""
        for price_list in self.price_lists:
            if price_list.default_discount_percent is not None:
                factor = (Decimal(100) - price_list.default_discount_percent) / 100
                return factor if factor > 0 else None
        return Decimal(1)

    def document_promotion_sql(self, doc: str = "d") -> tuple[str, list]:
        """`on_promotion()` over search documents: (boolean SQL, params)."""
        skus: set[str] = set()
        categories: set[int] = set()
        for promotion in self.promotions:
            scope = promotion.scope
            if not (scope.skus or scope.categories or scope.tags):
                return "true", []
            skus.update(scope.skus)
            categories.update(int(c) for c in scope.categories if str(c).isdigit())
        if not skus and not categories:
            return "false", []
        return f"({doc}.sku = ANY(%s) OR {doc}.category_id = ANY(%s))", [sorted(skus), sorted(categories)]

    def raw_bounds(self, price_min: Decimal | None, price_max: Decimal | None) -> Q:
        """Raw-price conditions for shown prices within [price_min, price_max] (inclusive)."""
        condition = Q(dealer_price__isnull=False)
        if price_min is not None:
            condition &= Q(dealer_price__gte=quantize(price_min, self.currency) - self.half_step)
        if price_max is not None:
            condition &= Q(dealer_price__lt=quantize(price_max, self.currency) + self.half_step)
        return condition

    def ranges(self) -> list[tuple[Decimal, Decimal | None, Decimal, Decimal | None]]:
        """Facet ranges as (shown min, shown max exclusive, raw from, raw below)."""
        edges = [quantize(Decimal(e), self.currency) for e in getattr(settings, "SEARCH_PRICE_RANGES", DEFAULT_PRICE_EDGES)]
        lows = [quantize(Decimal(0), self.currency), *edges]
        highs = [*edges, None]
        half = self.half_step
        return [
            (low, high, low - half, None if high is None else high - half)
            for low, high in zip(lows, highs, strict=True)
        ]

    def on_promotion(self) -> Q:
        """Rows a live line promotion takes (its scope: SKUs or categories; empty: all)."""
        skus: set[str] = set()
        categories: set[int] = set()
        for promotion in self.promotions:
            scope = promotion.scope
            if not (scope.skus or scope.categories or scope.tags):
                return Q(pk__isnull=False)
            skus.update(scope.skus)
            categories.update(int(c) for c in scope.categories if str(c).isdigit())
        if not skus and not categories:
            return Q(pk__isnull=True)
        return Q(sku__in=sorted(skus)) | Q(product__category_id__in=sorted(categories))


def dealer_pricing(company: Company | None, moment: datetime) -> DealerPricing | None:
    """The dealer's price lists and live line promotions; None for anonymous users and users
    without a company. On PostgreSQL one query (pricing_snapshot.py: the promotions are built
    once per change); elsewhere the loaders' (one query, and the promotion loader's)."""
    if company is None:
        return None
    currency = company.currency or settings.DEFAULT_CURRENCY
    if connection.vendor == "postgresql":
        applicable, live = snapshot(company, moment)
    else:
        applicable, live = applicable_price_lists(company, moment), load_promotions(company, moment)
    lists = tuple(pl for pl in applicable if pl.currency == currency)
    dealer = dealer_context(company)
    promotions = tuple(p for p in live if p.level == Level.LINE and p.available(dealer, currency, moment))
    return DealerPricing(company=company, currency=currency, price_lists=lists, promotions=promotions)
