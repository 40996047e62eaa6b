"""Sales facts materialised from orders and returns, one row per day and key.

Never edited by hand: `insights.services.refresh_days` rebuilds a day's rows from the orders
and returns of that day (delete and insert in one transaction), so refreshing twice gives
the same rows. Days follow the vendor's time zone (settings.TIME_ZONE).
"""

from django.db import models

from storefront.models.money import MONEY


class DailySales(models.Model):
    """Day × dealer × SKU, net of returns. Amounts are line amounts (after line promotions,
    before order-level discounts, which DailyDealerSales carries)."""

    day = models.DateField()
    company = models.ForeignKey("partners.Company", on_delete=models.CASCADE, related_name="+")
    sku = models.CharField(max_length=64)
    variant = models.ForeignKey("catalog.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    product = models.ForeignKey("catalog.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.ForeignKey("catalog.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    currency = models.CharField(max_length=3)
    quantity_sold = models.IntegerField(default=0)
    quantity_returned = models.IntegerField(default=0)
    quantity = models.IntegerField(default=0)  # sold - returned
    sales_amount = models.DecimalField(**MONEY, default=0)
    returns_amount = models.DecimalField(**MONEY, default=0)
    net_amount = models.DecimalField(**MONEY, default=0)  # sales - returns
    discount_amount = models.DecimalField(**MONEY, default=0)  # savings against list on the lines sold
    order_count = models.IntegerField(default=0)  # orders of that day with this SKU
    return_count = models.IntegerField(default=0)

    class Meta:
        verbose_name = "daily sales row"
        verbose_name_plural = "daily sales"
        permissions = [("view_dashboards", "Can view the sales dashboards and forecasts")]
        constraints = [
            models.UniqueConstraint(fields=["day", "company", "sku", "currency"], name="insights_one_sales_row_per_key")
        ]
        indexes = [
            models.Index(fields=["day", "category"], name="insights_sales_day_category"),
            models.Index(fields=["company", "day"], name="insights_sales_company_day"),
            models.Index(fields=["product", "day"], name="insights_sales_product_day"),
            models.Index(fields=["sku", "day"], name="insights_sales_sku_day"),
        ]


class DailySegmentSales(models.Model):
    """Day × region × tier × category: DailySales summed by the dealers' current region and
    tier (small, so period, region, tier, category and returns dashboards read few rows).
    Rebuilt with its day, and for every day when any dealer's region or tier changed."""

    day = models.DateField()
    region = models.ForeignKey("partners.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tier = models.ForeignKey("partners.Tier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.ForeignKey("catalog.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    currency = models.CharField(max_length=3)
    quantity = models.IntegerField(default=0)
    sales_amount = models.DecimalField(**MONEY, default=0)
    returns_amount = models.DecimalField(**MONEY, default=0)
    net_amount = models.DecimalField(**MONEY, default=0)

    class Meta:
        verbose_name = "daily segment sales row"
        verbose_name_plural = "daily segment sales"
        indexes = [models.Index(fields=["currency", "day"], name="insights_segment_day")]


class MonthlyProductSales(models.Model):
    """Month × SKU × region × tier: DailySales summed by month and the dealers' current region
    and tier, for the product and movers dashboards (whole months read here, the days at the
    edges of a period from DailySales). Rebuilt with the month of every refreshed day."""

    month = models.DateField()  # its first day
    sku = models.CharField(max_length=64)
    region = models.ForeignKey("partners.Region", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    tier = models.ForeignKey("partners.Tier", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    category = models.ForeignKey("catalog.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    currency = models.CharField(max_length=3)
    quantity = models.IntegerField(default=0)
    sales_amount = models.DecimalField(**MONEY, default=0)
    returns_amount = models.DecimalField(**MONEY, default=0)
    net_amount = models.DecimalField(**MONEY, default=0)

    class Meta:
        verbose_name = "monthly product sales row"
        verbose_name_plural = "monthly product sales"
        indexes = [models.Index(fields=["currency", "month"], name="insights_product_month")]


class DailyDealerSales(models.Model):
    """Day × dealer: orders, order totals and order-level discounts, returns."""

    day = models.DateField()
    company = models.ForeignKey("partners.Company", on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(max_length=3)
    order_count = models.IntegerField(default=0)
    line_count = models.IntegerField(default=0)
    subtotal_amount = models.DecimalField(**MONEY, default=0)  # line totals
    discount_amount = models.DecimalField(**MONEY, default=0)  # all savings against list
    order_discount_amount = models.DecimalField(**MONEY, default=0)  # order promotions and vouchers
    return_count = models.IntegerField(default=0)
    returns_amount = models.DecimalField(**MONEY, default=0)
    net_amount = models.DecimalField(**MONEY, default=0)  # subtotal - order discounts - returns

    class Meta:
        verbose_name = "daily dealer sales row"
        verbose_name_plural = "daily dealer sales"
        constraints = [
            models.UniqueConstraint(fields=["day", "company", "currency"], name="insights_one_dealer_row_per_key")
        ]
        indexes = [models.Index(fields=["company", "day"], name="insights_dealer_company_day")]


class DailyPromotionCost(models.Model):
    """Day × promotion (or voucher): what it cost and the sales of the orders it came with,
    read from the orders' frozen snapshots."""

    day = models.DateField()
    name = models.CharField(max_length=255)
    level = models.CharField(max_length=16)  # line, order or voucher
    currency = models.CharField(max_length=3)
    cost_amount = models.DecimalField(**MONEY, default=0)
    order_count = models.IntegerField(default=0)
    sales_amount = models.DecimalField(**MONEY, default=0)  # subtotal of the orders it was on

    class Meta:
        verbose_name = "daily promotion cost"
        verbose_name_plural = "daily promotion costs"
        constraints = [
            models.UniqueConstraint(fields=["day", "name", "level", "currency"], name="insights_one_promotion_row_per_key")
        ]


class RefreshState(models.Model):
    """Signatures of what the facts were last built from besides the days themselves (e.g.
    the dealers' regions and tiers, which DailySegmentSales groups by)."""

    key = models.CharField(max_length=64, unique=True)
    signature = models.CharField(max_length=64)
    updated_at = models.DateTimeField(auto_now=True)


class RefreshedDay(models.Model):
    """When a day's facts were last rebuilt, and from which state of its orders and returns
    (the signature: a change to any of them changes it, so the sweep rebuilds that day)."""

    day = models.DateField(unique=True)
    signature = models.CharField(max_length=200, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-day"]

    def __str__(self) -> str:
        return f"{self.day}: {self.signature}"


class ForecastRun(models.Model):
    """One forecast as the back office reads it: computed in the background (Celery, or
    `manage.py forecast --save`), kept whole as JSON so the page needs one query. A run that
    could not be made keeps only its `error` (what the page tells the staff who asked)."""

    train_until = models.DateField(null=True, blank=True, help_text="First day of the last month of training history.")
    horizon = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    seconds = models.FloatField(default=0)
    methods = models.JSONField(default=dict)  # method name -> number of series
    accuracy = models.JSONField(default=list)  # per level, where actuals exist
    backtest = models.JSONField(default=list)  # rolling origins: per origin and level
    totals = models.JSONField(default=list)  # per month: actual, forecast, naive
    products = models.JSONField(default=list)  # top SKUs: forecast (and actual) per month
    regions = models.JSONField(default=list)
    plan = models.JSONField(default=list)  # purchase plan for the first forecast month
    error = models.TextField(blank=True, default="", db_default="")  # why the run failed; empty for a forecast

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        if self.error:
            return f"failed forecast: {self.error}"
        return f"forecast from {self.train_until:%Y-%m} + {self.horizon}"
