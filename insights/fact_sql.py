"""The sales facts grouped and written by the database: one `INSERT … SELECT` per table and
run of days (no rows travel through Python). insights/services.py calls these inside its
transaction, after deleting the run's rows; the definitions of every column are in
docs/insights.md and insights/models.py.

The SQL is the same on PostgreSQL and SQLite (the demo); only the two date expressions come
from Django's backend (the vendor's day of a timestamp, the month of a date), so a day is
cut exactly where Django's TruncDate cuts it.
"""

from datetime import date, datetime

from django.db import connection

from catalog.models import Product, Variant
from insights.models import DailyDealerSales, DailySales, DailySegmentSales, MonthlyProductSales
from partners.models import Company
from storefront.models import Order, OrderLine, Return, ReturnLine


def _day(column: str, zone_name: str) -> tuple[str, list]:
    sql, params = connection.ops.datetime_cast_date_sql(column, (), zone_name)
    return sql, list(params)


def _moments(start: datetime, end: datetime) -> tuple:
    """Bounds as the backend stores timestamps (SQLite: UTC text), as the ORM would pass them."""
    return connection.ops.adapt_datetimefield_value(start), connection.ops.adapt_datetimefield_value(end)


def _in(values) -> tuple[str, list]:
    values = list(values)
    return f"({', '.join(['%s'] * len(values))})", values


def _execute(sql: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def insert_sales(start: datetime, end: datetime, zone_name: str, sale_statuses, return_statuses) -> int:
    """DailySales: per day × dealer × SKU × currency, the lines of sale orders and of returns
    that are back, placed in [start, end)."""
    order_day, order_day_params = _day("o.placed_at", zone_name)
    return_day, return_day_params = _day("r.placed_at", zone_name)
    start, end = _moments(start, end)
    sales_in, sales_params = _in(sale_statuses)
    returns_in, returns_params = _in(return_statuses) if return_statuses else ("(NULL)", [])
    sql = f"""
    INSERT INTO {DailySales._meta.db_table} (day, company_id, sku, currency, variant_id, product_id, category_id,
        quantity_sold, quantity_returned, quantity, sales_amount, returns_amount, net_amount, discount_amount,
        order_count, return_count)
    SELECT x.day, x.company_id, x.sku, x.currency, MAX(x.variant_id), MAX(x.product_id), MAX(x.category_id),
        SUM(x.sold), SUM(x.returned), SUM(x.sold) - SUM(x.returned), SUM(x.sales), SUM(x.returns),
        SUM(x.sales) - SUM(x.returns), SUM(x.discount), SUM(x.orders), SUM(x.return_count)
    FROM (
        SELECT {order_day} AS day, o.company_id, l.sku, o.currency, MAX(l.variant_id) AS variant_id,
            MAX(v.product_id) AS product_id, MAX(p.category_id) AS category_id,
            SUM(l.quantity) AS sold, 0 AS returned, SUM(l.line_total) AS sales, 0 AS returns,
            SUM(l.discount_total) AS discount, COUNT(DISTINCT l.order_id) AS orders, 0 AS return_count
        FROM {OrderLine._meta.db_table} l
        JOIN {Order._meta.db_table} o ON o.id = l.order_id
        LEFT JOIN {Variant._meta.db_table} v ON v.id = l.variant_id
        LEFT JOIN {Product._meta.db_table} p ON p.id = v.product_id
        WHERE o.placed_at >= %s AND o.placed_at < %s AND o.status IN {sales_in}
        GROUP BY 1, 2, 3, 4
        UNION ALL
        SELECT {return_day}, r.company_id, rl.sku, r.currency, MAX(rl.variant_id), MAX(v.product_id),
            MAX(p.category_id), 0, SUM(rl.quantity), 0, SUM(rl.line_total), 0, 0, COUNT(DISTINCT rl.return_request_id)
        FROM {ReturnLine._meta.db_table} rl
        JOIN {Return._meta.db_table} r ON r.id = rl.return_request_id
        LEFT JOIN {Variant._meta.db_table} v ON v.id = rl.variant_id
        LEFT JOIN {Product._meta.db_table} p ON p.id = v.product_id
        WHERE r.placed_at >= %s AND r.placed_at < %s AND r.status IN {returns_in}
        GROUP BY 1, 2, 3, 4
    ) x
    GROUP BY x.day, x.company_id, x.sku, x.currency
    """
    params = [*order_day_params, start, end, *sales_params, *return_day_params, start, end, *returns_params]
    return _execute(sql, params)


def insert_dealers(start: datetime, end: datetime, zone_name: str, sale_statuses, return_statuses) -> int:
    """DailyDealerSales: per day × dealer × currency, its sale orders (and their lines) and
    its returns that are back."""
    order_day, order_day_params = _day("o.placed_at", zone_name)
    return_day, return_day_params = _day("r.placed_at", zone_name)
    start, end = _moments(start, end)
    sales_in, sales_params = _in(sale_statuses)
    returns_in, returns_params = _in(return_statuses) if return_statuses else ("(NULL)", [])
    sql = f"""
    INSERT INTO {DailyDealerSales._meta.db_table} (day, company_id, currency, order_count, line_count,
        subtotal_amount, discount_amount, order_discount_amount, return_count, returns_amount, net_amount)
    SELECT x.day, x.company_id, x.currency, SUM(x.orders), SUM(x.lines), SUM(x.subtotal), SUM(x.discount),
        SUM(x.order_discount), SUM(x.returns), SUM(x.returned),
        SUM(x.subtotal) - SUM(x.order_discount) - SUM(x.returned)
    FROM (
        SELECT {order_day} AS day, o.company_id, o.currency, COUNT(*) AS orders, 0 AS lines,
            SUM(o.subtotal) AS subtotal, SUM(o.discount_total) AS discount,
            SUM(o.order_discount_total) AS order_discount, 0 AS returns, 0 AS returned
        FROM {Order._meta.db_table} o
        WHERE o.placed_at >= %s AND o.placed_at < %s AND o.status IN {sales_in}
        GROUP BY 1, 2, 3
        UNION ALL
        SELECT {order_day}, o.company_id, o.currency, 0, COUNT(*), 0, 0, 0, 0, 0
        FROM {OrderLine._meta.db_table} l JOIN {Order._meta.db_table} o ON o.id = l.order_id
        WHERE o.placed_at >= %s AND o.placed_at < %s AND o.status IN {sales_in}
        GROUP BY 1, 2, 3
        UNION ALL
        SELECT {return_day}, r.company_id, r.currency, 0, 0, 0, 0, 0, COUNT(*), SUM(r.total)
        FROM {Return._meta.db_table} r
        WHERE r.placed_at >= %s AND r.placed_at < %s AND r.status IN {returns_in}
        GROUP BY 1, 2, 3
    ) x
    GROUP BY x.day, x.company_id, x.currency
    """
    params = [
        *order_day_params, start, end, *sales_params,
        *order_day_params, start, end, *sales_params,
        *return_day_params, start, end, *returns_params,
    ]  # fmt: skip
    return _execute(sql, params)


def insert_segments(first: date | None = None, last: date | None = None) -> int:
    """DailySegmentSales from DailySales (the days given, or all): summed by day, the dealer's
    region and tier *now*, category and currency."""
    where, params = ("WHERE s.day >= %s AND s.day <= %s", [first, last]) if first is not None else ("", [])
    sql = f"""
    INSERT INTO {DailySegmentSales._meta.db_table} (day, region_id, tier_id, category_id, currency, quantity,
        sales_amount, returns_amount, net_amount)
    SELECT s.day, c.region_id, c.tier_id, s.category_id, s.currency, SUM(s.quantity), SUM(s.sales_amount),
        SUM(s.returns_amount), SUM(s.net_amount)
    FROM {DailySales._meta.db_table} s JOIN {Company._meta.db_table} c ON c.id = s.company_id
    {where}
    GROUP BY s.day, c.region_id, c.tier_id, s.category_id, s.currency
    """
    return _execute(sql, params)


def insert_months(first: date | None = None, last: date | None = None) -> int:
    """MonthlyProductSales from DailySales (the days given, whole months; or all): summed by
    month, SKU, the dealer's region and tier now, category and currency."""
    month, month_params = connection.ops.date_trunc_sql("month", "s.day", ())
    where, params = ("WHERE s.day >= %s AND s.day <= %s", [first, last]) if first is not None else ("", [])
    sql = f"""
    INSERT INTO {MonthlyProductSales._meta.db_table} (month, sku, region_id, tier_id, category_id, currency,
        quantity, sales_amount, returns_amount, net_amount)
    SELECT {month}, s.sku, c.region_id, c.tier_id, s.category_id, s.currency, SUM(s.quantity),
        SUM(s.sales_amount), SUM(s.returns_amount), SUM(s.net_amount)
    FROM {DailySales._meta.db_table} s JOIN {Company._meta.db_table} c ON c.id = s.company_id
    {where}
    GROUP BY 1, s.sku, c.region_id, c.tier_id, s.category_id, s.currency
    """
    return _execute(sql, [*month_params, *params])
