"""Each back-office dashboard as tables (the numbers) with the chart drawn from them.

A dashboard is a title, a sentence on how to read it, and tables; every table is what the
page shows beside its chart and what the CSV/Excel export holds.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from insights import selectors
from insights.charts import Chart, Series
from insights.filters import Filters


@dataclass
class Table:
    title: str
    columns: Sequence[str]
    rows: list[list]
    chart: Chart | None = None
    note: str = ""


@dataclass
class Dashboard:
    slug: str
    title: str
    help: str
    tables: list[Table] = field(default_factory=list)


def percent(part: Decimal | None, whole: Decimal | None) -> float | None:
    """A share in per cent with one decimal (a display figure, not money)."""
    if not whole:
        return None
    return round(float((part or 0) / whole) * 100, 1)


def _label(period_start, period: str) -> str:
    return period_start.strftime("%Y-%m") if period == "month" else period_start.isoformat()


def sales(f: Filters) -> list[Table]:
    rows = selectors.sales_by_period(f)
    labels = [_label(r["period_start"], f.period) for r in rows]
    return [
        Table(
            f"Net sales by {f.period}",
            ["period", "net sales", "units", "sales before returns", "returns", "returns %"],
            [
                [label, r["net"], r["units"], r["sales"], r["returns"], percent(r["returns"], r["sales"])]
                for label, r in zip(labels, rows, strict=True)
            ],
            Chart(f"Net sales by {f.period} ({f.currency})", labels, [Series("net sales", [r["net"] for r in rows])]),
        )
    ]


def _share_table(title: str, key_name: str, rows: list[dict], key: Callable[[dict], str], f: Filters) -> Table:
    total = sum((r["net"] for r in rows), Decimal(0))
    labels = [key(r) for r in rows]
    with_dealers = bool(rows) and "dealers" in rows[0]
    return Table(
        title,
        [key_name, "net sales", "share %", "units", *(["dealers"] if with_dealers else []), "returns"],
        [
            [k, r["net"], percent(r["net"], total), r["units"], *([r["dealers"]] if with_dealers else []), r["returns"]]
            for k, r in zip(labels, rows, strict=True)
        ],
        Chart(f"{title} ({f.currency})", labels[:25], [Series("net sales", [r["net"] for r in rows[:25]])], horizontal=True),
    )


def regions(f: Filters) -> list[Table]:
    rows = selectors.sales_by_region(f)
    return [_share_table("Net sales by region (country)", "region", rows, lambda r: r["name"] or "(none)", f)]


def products(f: Filters) -> list[Table]:
    categories = selectors.sales_by_category(f)
    top = selectors.sales_by_product(f)
    return [
        _share_table("Net sales by category", "category", categories, lambda r: r["name"] or "(none)", f),
        _share_table(
            "Top 25 products", "product", top, lambda r: f"{r['sku']} {r['name']}".strip(), f
        ),
    ]


def dealers(f: Filters) -> list[Table]:
    tiers = selectors.sales_by_tier(f)
    top = selectors.sales_by_dealer(f)
    total = sum((r["net"] for r in top), Decimal(0))
    labels = [f"{r['company'].code} {r['company'].name}" for r in top]
    return [
        _share_table("Net sales by tier", "tier", tiers, lambda r: r["name"] or "(no tier)", f),
        Table(
            "Top 25 dealers",
            ["dealer", "tier", "region", "net sales", "share of top 25 %", "orders", "returns"],
            [
                [label, str(r["company"].tier or ""), str(r["company"].region or ""), r["net"],
                 percent(r["net"], total), r["orders"], r.get("returns")]
                for label, r in zip(labels, top, strict=True)
            ],  # fmt: skip
            Chart(f"Top 25 dealers ({f.currency})", labels, [Series("net sales", [r["net"] for r in top])], horizontal=True),
        ),
    ]


def movers(f: Filters) -> list[Table]:
    ups, downs = selectors.top_movers(f)
    previous = f.previous()
    note = f"{f.start}…{f.end} against {previous.start}…{previous.end} (the same number of days just before)."
    tables = []
    for title, rows in (("Top movers up", ups), ("Top movers down", downs)):
        labels = [f"{r['sku']} {r['name']}".strip() for r in rows]
        tables.append(
            Table(
                title,
                ["product", "this period", "previous period", "change", "change %"],
                [
                    [label, r["current"], r["previous"], r["change"], percent(r["change"], r["previous"])]
                    for label, r in zip(labels, rows, strict=True)
                ],
                Chart(title, labels, [Series("change", [r["change"] for r in rows])], horizontal=True),
                note,
            )
        )
    return tables


def quiet(f: Filters) -> list[Table]:
    rows = selectors.quiet_dealers(f)
    top = rows[:25]
    labels = [f"{q.code} {q.name}" for q in top]
    return [
        Table(
            "Dealers going quiet",
            ["dealer", "tier", "region", "last order", "order days", "median gap (days)", "days since",
             "× their gap", "net sales to date"],
            [
                [f"{q.code} {q.name}", q.tier, q.region, q.last_order.isoformat(), q.order_days, q.median_gap_days,
                 q.days_since, round(q.ratio, 1), q.net_amount]
                for q in rows
            ],  # fmt: skip
            Chart(
                "Days since last order against twice their usual gap",
                labels,
                [Series("days since", [q.days_since for q in top]), Series("2 × median gap", [2 * q.median_gap_days for q in top])],
                horizontal=True,
            ),
            f"As of {f.end}: dealers with at least 3 order days whose days since their last order exceed "
            "twice their own median gap between order days, most overdue first.",
        )
    ]


def promotions(f: Filters) -> list[Table]:
    periods = selectors.discount_by_period(f)
    labels = [_label(r["period_start"], f.period) for r in periods]
    costs = selectors.promotion_costs(f)
    rebates = selectors.rebate_accruals(f)
    return [
        Table(
            f"Order discounts against sales by {f.period}",
            ["period", "orders", "sales (line totals)", "order promotions and vouchers", "all savings against list",
             "order discounts %"],
            [
                [label, r["orders"], r["subtotal"], r["order_discount"], r["discount"],
                 percent(r["order_discount"], r["subtotal"])]
                for label, r in zip(labels, periods, strict=True)
            ],  # fmt: skip
            Chart(
                f"Sales and order discounts ({f.currency})",
                labels,
                [Series("sales", [r["subtotal"] for r in periods]),
                 Series("order discounts", [r["order_discount"] for r in periods], style="line")],
            ),  # fmt: skip
            "All savings against list include tier and contract prices and volume breaks, not only promotions.",
        ),
        Table(
            "Cost of each promotion and voucher against the sales it came with",
            ["promotion", "level", "cost", "orders", "sales of those orders", "cost %"],
            [[r["name"], r["level"], r["cost"], r["orders"], r["sales"], percent(r["cost"], r["sales"])] for r in costs],
            Chart("Cost per promotion", [r["name"] for r in costs[:25]], [Series("cost", [r["cost"] for r in costs[:25]])],
                  horizontal=True),  # fmt: skip
            "Region, tier and category filters do not apply to this table.",
        ),
        Table(
            "Rebate accruals against the sales they accrued on",
            ["rebate program", "accrued", "sales volume", "accrued %", "dealers"],
            [[r["period__program__name"], r["accrued"], r["volume"], percent(r["accrued"], r["volume"]), r["dealers"]]
             for r in rebates],  # fmt: skip
            Chart("Rebate accrued per program", [r["period__program__name"] for r in rebates[:25]],
                  [Series("accrued", [r["accrued"] for r in rebates[:25]])], horizontal=True),  # fmt: skip
            "From the rebates ledger, dated by the order or return each entry came with; the category filter "
            "does not apply (programs define their own categories).",
        ),
    ]


def returns(f: Filters) -> list[Table]:
    rows = selectors.sales_by_period(f)
    labels = [_label(r["period_start"], f.period) for r in rows]
    categories = selectors.returns_by_category(f)
    return [
        Table(
            f"Returns rate by {f.period}",
            ["period", "sales before returns", "returns", "returns %"],
            [[label, r["sales"], r["returns"], percent(r["returns"], r["sales"])] for label, r in zip(labels, rows, strict=True)],
            Chart("Returns as % of sales", labels, [Series("returns %", [percent(r["returns"], r["sales"]) or 0 for r in rows], style="line")]),
        ),
        Table(
            "Returns by category",
            ["category", "sales before returns", "returns", "returns %"],
            [[r["name"] or "(none)", r["sales"], r["returns"], percent(r["returns"], r["sales"])] for r in categories],
            Chart("Returns % by category", [r["name"] or "(none)" for r in categories],
                  [Series("returns %", [percent(r["returns"], r["sales"]) or 0 for r in categories])], horizontal=True),  # fmt: skip
        ),
    ]


DASHBOARDS: dict[str, tuple[str, str, Callable[[Filters], list[Table]]]] = {
    "sales": ("Sales by period", "Net sales (line totals after line promotions, less returns) per day, week or month.", sales),
    "regions": ("Sales by region", "Where the sales go: each dealer's region (its country in the imported data).", regions),
    "products": ("Products and categories", "What sells: net sales per category and the 25 best-selling products.", products),
    "dealers": ("Dealers and tiers", "Who buys: net sales per price tier and the 25 biggest dealers.", dealers),
    "movers": ("Top movers", "Products whose net sales rose or fell most against the previous period of the same length.", movers),
    "quiet": ("Dealers going quiet", "Dealers ordering less often than their own habit: call them before they are gone.", quiet),
    "promotions": ("Promotion cost", "What promotions, vouchers and rebates cost against the sales they came with.", promotions),
    "returns": ("Returns rate", "Returns (goods back, at the price credited) as a share of sales before returns.", returns),
}


def build(slug: str, f: Filters) -> Dashboard:
    title, help_text, builder = DASHBOARDS[slug]
    return Dashboard(slug, title, help_text, builder(f))
