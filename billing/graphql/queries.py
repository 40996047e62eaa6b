"""Dealer-side billing queries: the signed-in dealer's own account, invoices and statements."""

from datetime import date
from types import SimpleNamespace

import graphene
from django.db.models import Prefetch

from billing.graphql.types import (
    DealerAccount,
    Invoice,
    InvoiceConnection,
    InvoiceEdge,
    InvoiceStatusEnum,
    Statement,
)
from billing.models import Allocation, InvoiceLine
from billing.selectors import account_summary, invoice_by_number, invoices, statement
from mall.graphql_types import ApiError, clean_key, cursor, paginate
from partners.graphql.viewer import require_dealer

MAX_STATEMENT_DAYS = 3 * 366


def _with_details(queryset):
    return queryset.select_related("order").prefetch_related(
        Prefetch("lines", queryset=InvoiceLine.objects.order_by("line_number")),
        Prefetch("allocations", queryset=Allocation.objects.filter(invoice__isnull=False).select_related("receipt", "credit_note").order_by("id")),
    )


class BillingQuery(graphene.ObjectType):
    account = graphene.Field(DealerAccount, description="The signed-in dealer's balance, credit and aging.")
    invoices = graphene.Field(
        InvoiceConnection, first=graphene.Int(), after=graphene.String(), status=InvoiceStatusEnum(),
        description="The dealer's invoices, newest first.",
    )
    invoice = graphene.Field(Invoice, number=graphene.String(required=True), description="By our number or the ERP's.")
    statement = graphene.Field(Statement, start=graphene.Date(required=True), end=graphene.Date(required=True))

    @staticmethod
    def resolve_account(root, info):
        _, company = require_dealer(info)
        summary = account_summary(company)
        return summary

    @staticmethod
    def resolve_invoices(root, info, first=None, after=None, status=None):
        _, company = require_dealer(info)
        queryset = invoices(company, getattr(status, "value", status))
        rows, page_info, offset = paginate(_with_details(queryset), first, after)
        edges = [InvoiceEdge(node=row, cursor=cursor(offset + i)) for i, row in enumerate(rows)]
        return SimpleNamespace(queryset=queryset.order_by(), page_info=page_info, edges=edges)

    @staticmethod
    def resolve_invoice(root, info, number):
        _, company = require_dealer(info)
        found = invoice_by_number(company, clean_key(number, 64))
        return _with_details(type(found).objects.filter(pk=found.pk)).first() if found else None

    @staticmethod
    def resolve_statement(root, info, start: date, end: date):
        _, company = require_dealer(info)
        if start > end:
            raise ApiError("INVALID_PERIOD", "The period must start on or before its last day.", "start")
        if (end - start).days > MAX_STATEMENT_DAYS:
            raise ApiError("PERIOD_TOO_LONG", "A statement covers at most three years.", "end")
        return statement(company, start, end)
