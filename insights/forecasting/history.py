"""Monthly net demand (units sold less units returned) per dealer × SKU, read from the
materialised daily facts in one grouped query, as a pandas panel."""

from dataclasses import dataclass

import pandas as pd
from django.db.models import Max, Sum
from django.db.models.functions import TruncMonth

from insights.models import DailySales
from partners.models import Company


@dataclass
class History:
    panel: pd.DataFrame  # index (dealer id, sku), columns monthly pd.Period, values units
    region_of: pd.Series  # dealer id -> region name
    name_of: pd.Series  # sku -> product name
    category_of: pd.Series  # sku -> category name

    @property
    def months(self) -> list[pd.Period]:
        return list(self.panel.columns)


def load_history(currency: str | None = None) -> History:
    sales = DailySales.objects.all()
    if currency:
        sales = sales.filter(currency=currency)
    rows = list(
        sales.annotate(month=TruncMonth("day"))
        .values_list("company_id", "sku", "month")
        .annotate(units=Sum("quantity"))
        .order_by()
    )
    frame = pd.DataFrame(rows, columns=["dealer", "sku", "month", "units"])
    if frame.empty:
        return History(pd.DataFrame(), pd.Series(dtype=str), pd.Series(dtype=str), pd.Series(dtype=str))
    frame["month"] = pd.PeriodIndex(pd.to_datetime(frame["month"]), freq="M")
    panel = frame.pivot_table(index=["dealer", "sku"], columns="month", values="units", aggfunc="sum", fill_value=0)
    months = pd.period_range(panel.columns.min(), panel.columns.max(), freq="M")
    panel = panel.reindex(columns=months, fill_value=0).astype(float)
    dealers = Company.objects.filter(pk__in=frame["dealer"].unique()).values_list("pk", "region__name")
    region_of = pd.Series({pk: region or "(no region)" for pk, region in dealers})
    products = (
        sales.values("sku").annotate(name=Max("product__name"), category=Max("category__name")).order_by()
    )
    name_of = pd.Series({p["sku"]: p["name"] or "" for p in products})
    category_of = pd.Series({p["sku"]: p["category"] or "(none)" for p in products})
    return History(panel, region_of, name_of, category_of)
