"""The benchmark's pricing scenario: 200 catalog items, a Gold tier list, a 200-line cart and
100 live promotions of every kind, generated with a fixed seed (bench/pricing.py times it)."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from decimal import Decimal

from pricing_engine.core import (
    AmountOff,
    BuyXGetY,
    CatalogItem,
    DealerContext,
    FullReduction,
    LineRequest,
    OrderPercentOff,
    PercentOff,
    PriceBreak,
    PriceSource,
    PricingRequest,
    ProductScope,
    Promotion,
    QuantityTier,
    QuantityTiers,
    ReductionStep,
    SourceKind,
    base_price,
)

CURRENCY = "GBP"
MOMENT = datetime(2026, 3, 16, 10, 0, tzinfo=UTC)
STARTS, ENDS = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
CATEGORIES = (
    "lighting",
    "kitchen",
    "garden",
    "bath",
    "tools",
    "storage",
    "textiles",
    "decor",
    "stationery",
    "toys",
)
CENT = Decimal("0.01")
EVERYTHING = ProductScope()


def money(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT)


# ---------------------------------------------------------------- the scenario


def build_scenario(seed: int = 3):
    """Catalog, Gold tier list, 200-line cart and 100 promotions (deterministic)."""
    rnd = random.Random(seed)
    items: dict[str, CatalogItem] = {}
    for n in range(200):
        sku = f"DM-{n + 1:04d}"
        price = money(1.5 * (320 ** rnd.random()))  # log-uniform, 1.50 .. 480.00
        multiple = 6 if n % 25 == 0 else 1
        items[sku] = CatalogItem(
            sku=sku,
            list_price=price,
            currency=CURRENCY,
            min_quantity=multiple,
            order_multiple=multiple,
            categories=(CATEGORIES[n % len(CATEGORIES)],),
        )
    skus = list(items)
    explicit = {s: money(items[s].list_price * Decimal("0.85")) for s in rnd.sample(skus, 30)}
    breaks = {
        s: (
            PriceBreak(12, money(items[s].list_price * Decimal("0.86"))),
            PriceBreak(48, money(items[s].list_price * Decimal("0.80"))),
        )
        for s in rnd.sample(skus, 40)
    }
    gold = PriceSource(
        kind=SourceKind.TIER,
        name="Gold",
        currency=CURRENCY,
        explicit_prices=explicit,
        breaks=breaks,
        default_discount_percent=Decimal(10),
    )
    quantities = {}
    for sku, item in items.items():
        q = rnd.randint(1, 60)
        quantities[sku] = max(item.order_multiple, q - q % item.order_multiple)
    lines = tuple(LineRequest(sku, quantities[sku]) for sku in skus)
    bases = {
        sku: base_price(items[sku], (gold,), CURRENCY, MOMENT, quantities[sku]).unit_price
        for sku in skus
    }

    def scope_base(scope: ProductScope) -> Decimal:
        return sum((bases[s] * quantities[s] for s in skus if scope.matches(items[s])), Decimal(0))

    promotions: list[Promotion] = []

    def add(name, reward, scope=EVERYTHING, priority=None, **kw):
        promotions.append(
            Promotion(
                id=f"P{len(promotions) + 1:03d}",
                name=name,
                reward=reward,
                scope=scope,
                currency=CURRENCY,
                starts_at=STARTS,
                ends_at=ENDS,
                priority=rnd.randint(10, 60) if priority is None else priority,
                **kw,
            )
        )

    # 25 x percentage off a category; 6 of them (2 on each of 3 categories) in one group.
    for n in range(25):
        category = CATEGORIES[n % len(CATEGORIES)] if n >= 6 else CATEGORIES[n // 2]
        add(
            f"{category} {n}: % off",
            PercentOff(Decimal(rnd.randint(2, 12))),
            ProductScope(categories=(category,)),
            stacking_group="seasonal" if n < 6 else None,
        )
    # 20 x percentage off a set of SKUs; 4 of them in the "clearance" group.
    for n in range(20):
        add(
            f"SKU set {n}: % off",
            PercentOff(Decimal(rnd.randint(3, 15))),
            ProductScope(skus=tuple(rnd.sample(skus, rnd.randint(4, 8)))),
            stacking_group="clearance" if n < 4 else None,
        )
    # 15 x amount off each unit of a set of SKUs, 5 x amount off each unit of a category.
    for n in range(15):
        scope = tuple(rnd.sample(skus, rnd.randint(3, 6)))
        cheapest = min(items[s].list_price for s in scope)
        add(
            f"SKU set {n}: amount off",
            AmountOff(max(CENT, money(cheapest * Decimal(rnd.randint(3, 10)) / 100))),
            ProductScope(skus=scope),
        )
    for n in range(5):
        add(
            f"{CATEGORIES[n * 2]}: amount off",
            AmountOff(money(Decimal(rnd.randint(5, 40)) / 100)),
            ProductScope(categories=(CATEGORIES[n * 2],)),
        )
    # 15 x quantity tiers on one SKU: 10+ units 3 %, 30+ units 6 %.
    for sku in rnd.sample([s for s in skus if quantities[s] >= 10], 15):
        add(
            f"{sku}: volume tiers",
            QuantityTiers((QuantityTier(10, Decimal(3)), QuantityTier(30, Decimal(6)))),
            ProductScope(skus=(sku,)),
        )
    # 6 x buy X get 1 free on one SKU.
    for n, sku in enumerate(rnd.sample([s for s in skus if quantities[s] >= 8], 6)):
        add(
            f"{sku}: buy {3 if n < 4 else 5} get 1",
            BuyXGetY(3 if n < 4 else 5, 1),
            ProductScope(skus=(sku,)),
        )
    # 4 x exclusive: applies alone on its lines, first by priority.
    for n in range(4):
        add(
            f"Exclusive {n}: 18 % off",
            PercentOff(Decimal(18)),
            ProductScope(skus=tuple(rnd.sample(skus, 2))),
            priority=n,
            exclusive=True,
        )
    # 5 x full-reduction ladders (2 on the whole order, in one group; 3 on a category): the
    # middle step is reached, the top one is not.
    for n in range(5):
        scope = ProductScope() if n < 2 else ProductScope(categories=(CATEGORIES[n],))
        reach = scope_base(scope)
        add(
            f"Ladder {n}",
            FullReduction(
                tuple(
                    ReductionStep(money(reach * Decimal(f)), money(reach * Decimal(f) * Decimal(r)))
                    for f, r in (("0.3", "0.01"), ("0.7", "0.02"), ("1.3", "0.035"))
                )
            ),
            scope,
            stacking_group="order-ladders" if n < 2 else None,
        )
    # 2 x repeating reductions.
    add(
        "Every 10000 get 100",
        FullReduction((ReductionStep(Decimal(10000), Decimal(100)),), repeat=True, max_repeats=5),
    )
    add(
        "Every 2000 garden get 25",
        FullReduction((ReductionStep(Decimal(2000), Decimal(25)),), repeat=True, max_repeats=10),
        ProductScope(categories=("garden",)),
    )
    # 3 x percentage off the order (two of them in one group, the second not reached).
    total = scope_base(ProductScope())
    add(
        "Order 2 % over half",
        OrderPercentOff(Decimal(2), money(total / 2)),
        stacking_group="order-percent",
    )
    add(
        "Order 3 % over all",
        OrderPercentOff(Decimal(3), money(total * Decimal("1.1"))),
        stacking_group="order-percent",
    )
    add("Toys 1 %", OrderPercentOff(Decimal(1)), ProductScope(categories=("toys",)))
    assert len(promotions) == 100, len(promotions)

    request = PricingRequest(
        dealer=DealerContext("ACME", tier="GOLD", region="UK"),
        lines=lines,
        items=items,
        sources=(gold,),
        currency=CURRENCY,
        moment=MOMENT,
        promotions=tuple(promotions),
    )
    return request, bases


