"""Pass one over the files: what the catalog and the dealer list must contain.

Rules (docs/data-import.md):
- one product per StockCode that is not a service code; name = its most frequent upper-case
  description; list price = its most frequent positive unit price on rows of known
  customers (dealers), else on all rows (ties: the lower price);
- category from keywords in the name (first match in CATEGORY_KEYWORDS, else "Gifts & Other");
- starting stock = twice the units sold in the files read, at least 100;
- volume breaks: each price below the list price, and at least half of it, that was charged
  to dealers on at least BREAK_MIN_ROWS rows becomes a break from the 10th-percentile quantity of those rows (at
  least 2 units); a break must beat every break below its quantity, else it is dropped;
- one dealer per CustomerID, region = its latest Country, monthly spend = net spend over the
  months the files cover, and its busiest month (for the starting credit limit).
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from catalog.services import ProductSpec
from partners.services import DealerSpec
from storefront.online_retail.reader import Invoice, service_code_kind

CATEGORY_KEYWORDS = (
    ("Christmas", ("CHRISTMAS", "XMAS", "ADVENT", "SNOWFLAKE", "REINDEER", "SANTA")),
    ("Bags", ("BAG", "TOTE", "PURSE")),
    ("Candles & Lights", ("CANDLE", "T-LIGHT", "TEALIGHT", "LANTERN", "LIGHT", "LAMP")),
    ("Kitchen & Dining", ("MUG", "CUP", "PLATE", "BOWL", "CAKE", "TEA", "JAR", "LUNCH", "BOTTLE", "NAPKIN", "BAKING", "SPOON", "TRAY", "TIN")),
    ("Cards & Wrap", ("CARD", "WRAP", "PAPER", "RIBBON", "TAPE", "ENVELOPE", "STICKER", "NOTEBOOK", "PEN", "PENCIL")),
    ("Home Decor", ("HEART", "SIGN", "FRAME", "CLOCK", "MIRROR", "CUSHION", "DOORMAT", "HOOK", "HANGER", "WREATH", "DECORATION", "BUNTING", "GARLAND", "VASE")),
    ("Toys & Games", ("TOY", "GAME", "DOLL", "PUZZLE", "SPACEBOY", "DOLLY", "SKIPPING", "PLAYHOUSE")),
    ("Jewellery & Accessories", ("NECKLACE", "BRACELET", "EARRINGS", "RING", "HAIR", "UMBRELLA", "SCARF")),
    ("Garden", ("GARDEN", "PLANT", "WATERING", "BIRD")),
)
OTHER_CATEGORY = "Gifts & Other"
MIN_STARTING_STOCK = 100
BREAK_MIN_ROWS = 5
BREAK_FLOOR = Decimal("0.5")


def category_for(name: str) -> str:
    words = name.upper()
    for category, keywords in CATEGORY_KEYWORDS:
        if any(k in words for k in keywords):
            return category
    return OTHER_CATEGORY


@dataclass
class _SkuStats:
    prices: Counter = field(default_factory=Counter)  # every row
    dealer_prices: Counter = field(default_factory=Counter)  # rows of known customers
    sold_at: Counter = field(default_factory=Counter)  # (unit price, quantity) -> rows
    descriptions: Counter = field(default_factory=Counter)
    units_sold: int = 0


@dataclass
class _DealerStats:
    country: str = ""
    spend: Decimal = Decimal("0")
    by_month: Counter = field(default_factory=Counter)


@dataclass
class CatalogScan:
    """What pass one found."""

    products: list[ProductSpec]
    dealers: list[DealerSpec]
    skus_without_price: set[str]
    months: int


def _best_description(descriptions: Counter) -> str:
    upper = Counter({d: n for d, n in descriptions.items() if d and d == d.upper()})
    pool = upper or descriptions
    if not pool:
        return ""
    return sorted(pool.items(), key=lambda item: (-item[1], item[0]))[0][0]


def volume_breaks(list_price: Decimal, sold_at: Counter) -> tuple[tuple[int, Decimal], ...]:
    """(min quantity, unit price) breaks that the history shows for large quantities."""
    quantities_at: dict[Decimal, list[int]] = defaultdict(list)
    for (price, quantity), rows in sold_at.items():
        if price < list_price:
            quantities_at[price.quantize(Decimal("0.01"))].extend([quantity] * rows)
    candidates = []
    for price, quantities in quantities_at.items():
        # Deeper cuts than half price are clearance or special deals, not volume breaks.
        if len(quantities) >= BREAK_MIN_ROWS and price >= list_price * BREAK_FLOOR:
            quantities.sort()
            candidates.append((max(2, quantities[len(quantities) // 10]), price))
    breaks: list[tuple[int, Decimal]] = []
    for min_quantity, price in sorted(candidates):
        if breaks and min_quantity == breaks[-1][0]:
            continue
        if not breaks or price < breaks[-1][1]:
            breaks.append((min_quantity, price))
    return tuple(breaks)


def scan(invoices: Iterable[Invoice]) -> CatalogScan:
    skus: dict[str, _SkuStats] = defaultdict(_SkuStats)
    dealers: dict[str, _DealerStats] = defaultdict(_DealerStats)
    months: set[tuple[int, int]] = set()
    for invoice in invoices:
        if invoice.rejections or not invoice.rows:
            continue
        for row in invoice.rows:
            months.add((row.invoiced_at.year, row.invoiced_at.month))
            if row.customer:
                dealers[row.customer].country = row.country or "Unspecified"
            if service_code_kind(row.sku) is not None:
                continue
            stats = skus[row.sku]
            if row.unit_price > 0:
                stats.prices[row.unit_price] += 1
                if row.customer:
                    stats.dealer_prices[row.unit_price] += 1
            stats.descriptions[row.description.strip()] += 1
            if row.quantity > 0:
                stats.units_sold += row.quantity
                if row.unit_price > 0 and row.customer and not invoice.is_return:
                    stats.sold_at[(row.unit_price, row.quantity)] += 1
            if row.customer and row.unit_price >= 0:
                amount = row.quantity * row.unit_price
                dealers[row.customer].spend += amount
                dealers[row.customer].by_month[(row.invoiced_at.year, row.invoiced_at.month)] += amount
    products, without_price = [], set()
    for sku, stats in sorted(skus.items()):
        if not stats.prices:
            without_price.add(sku)
            continue
        # Walk-in buyers (no CustomerID) paid retail prices; the channel's list price is what
        # the dealers were charged most often, falling back to all rows.
        prices = stats.dealer_prices or stats.prices
        list_price = sorted(prices.items(), key=lambda item: (-item[1], item[0]))[0][0]
        name = _best_description(stats.descriptions) or sku
        list_price = list_price.quantize(Decimal("0.01"))
        products.append(
            ProductSpec(
                sku=sku,
                name=name[:255],
                list_price=list_price,
                category=category_for(name),
                starting_stock=max(MIN_STARTING_STOCK, 2 * stats.units_sold),
                breaks=volume_breaks(list_price, stats.sold_at),
            )
        )
    month_count = max(len(months), 1)
    dealer_specs = [
        DealerSpec(
            code=code,
            name=f"Dealer {code} ({stats.country})",
            country=stats.country,
            monthly_spend=(stats.spend / month_count).quantize(Decimal("0.01")),
            peak_month_spend=max(stats.by_month.values(), default=Decimal("0")).quantize(Decimal("0.01")),
        )
        for code, stats in sorted(dealers.items())
    ]
    return CatalogScan(products, dealer_specs, without_price, month_count)
