"""GraphQL types of a dealer's purchase summary."""

import graphene

from mall.graphql_types import Money, money


class MonthPurchases(graphene.ObjectType):
    month = graphene.String(required=True, description="YYYY-MM")
    orders = graphene.Int(required=True)
    spend = graphene.Field(Money, required=True, description="Line totals less order discounts.")
    returns = graphene.Field(Money, required=True)
    net = graphene.Field(Money, required=True, description="Spend less returns.")

    @staticmethod
    def from_row(row: dict) -> "MonthPurchases":
        currency = row["currency"]
        return MonthPurchases(
            month=row["month"].strftime("%Y-%m"),
            orders=row["orders"],
            spend=money(row["spend"], currency),
            returns=money(row["returns"], currency),
            net=money(row["net"], currency),
        )


class TopProduct(graphene.ObjectType):
    sku = graphene.String(required=True)
    name = graphene.String(required=True)
    units = graphene.Int(required=True, description="Units bought less units returned.")
    net = graphene.Field(Money, required=True)

    @staticmethod
    def from_row(row: dict) -> "TopProduct":
        return TopProduct(sku=row["sku"], name=row["name"] or "", units=row["units"], net=money(row["net"], row["currency"]))


class PurchaseSummary(graphene.ObjectType):
    since = graphene.Date(required=True, description="First day of the first month summed.")
    by_month = graphene.List(graphene.NonNull(MonthPurchases), required=True)
    top_products = graphene.List(graphene.NonNull(TopProduct), required=True)
