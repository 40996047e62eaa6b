"""Dealer query: its own purchase summary (by month, top products), from the insights facts."""

import graphene

from insights import dealer_selectors
from insights.graphql.types import MonthPurchases, PurchaseSummary, TopProduct
from mall.graphql_types import ApiError
from partners.graphql.viewer import require_dealer

MAX_MONTHS = 36
MAX_TOP = 50


class InsightsQuery(graphene.ObjectType):
    purchase_summary = graphene.Field(
        PurchaseSummary,
        required=True,
        months=graphene.Int(default_value=12, description=f"Months back, this one included (1-{MAX_MONTHS})."),
        top=graphene.Int(default_value=10, description=f"How many top products (1-{MAX_TOP})."),
        description="The signed-in dealer's own purchases per month and its most bought products. "
        "Requires a signed-in dealer.",
    )

    @staticmethod
    def resolve_purchase_summary(root, info, months=12, top=10):
        _, company = require_dealer(info)
        # An explicit null (`months: null`) means the default, as leaving the argument out does.
        months = 12 if months is None else months
        top = 10 if top is None else top
        if not 1 <= months <= MAX_MONTHS:
            raise ApiError("INVALID", f"months must be between 1 and {MAX_MONTHS}.", "months")
        if not 1 <= top <= MAX_TOP:
            raise ApiError("INVALID", f"top must be between 1 and {MAX_TOP}.", "top")
        since = dealer_selectors.default_since(months)  # up to the latest refreshed day
        return PurchaseSummary(
            since=since,
            by_month=[MonthPurchases.from_row(r) for r in dealer_selectors.purchases_by_month(company, since=since)],
            top_products=[TopProduct.from_row(r) for r in dealer_selectors.top_products(company, since=since, limit=top)],
        )
