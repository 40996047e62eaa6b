"""Shapes of the dealer ledger in the API: account, invoices, statements."""

import graphene

from billing.models import Invoice as InvoiceModel
from mall.graphql_types import CountedConnection, Money
from mall.graphql_types import money as _money
from pricing_engine.core.money import quantize


def money(amount, currency: str) -> Money | None:
    """Money with the currency's digits: a sum of nothing reads "0.00", not "0"."""
    return None if amount is None else _money(quantize(amount, currency), currency)


InvoiceStatusEnum = graphene.Enum("InvoiceStatusEnum", [(c.name, c.value) for c in InvoiceModel.Status])


class AgingBucket(graphene.ObjectType):
    label = graphene.String(required=True, description="current (not yet due), 1-30, 31-60, 61-90 or 90+ days past due.")
    amount = graphene.Field(Money, required=True)


class Aging(graphene.ObjectType):
    as_of = graphene.Date(required=True)
    buckets = graphene.List(graphene.NonNull(AgingBucket), required=True)
    total = graphene.Field(Money, required=True)

    @staticmethod
    def resolve_buckets(root, info):
        return [AgingBucket(label=label, amount=money(amount, root.currency)) for label, amount in root.aging.buckets.items()]

    @staticmethod
    def resolve_as_of(root, info):
        return root.aging.as_of

    @staticmethod
    def resolve_total(root, info):
        return money(root.aging.total, root.currency)


class DealerAccount(graphene.ObjectType):
    """The dealer's account with the vendor. The balance is derived from the ledger."""

    currency = graphene.String(required=True)
    balance = graphene.Field(Money, required=True, description="What the company owes (negative: what it has in credit).")
    credit_limit = graphene.Field(Money, required=True)
    credit_in_use = graphene.Field(Money, required=True, description="Open orders and unpaid invoices on account.")
    credit_available = graphene.Field(Money, required=True)
    unapplied_credit = graphene.Field(Money, required=True, description="Payments and credit notes not yet used.")
    terms = graphene.String(required=True, description='e.g. "Net 30", "End of month + 15 days", "Prepaid".')
    grace_days = graphene.Int(required=True)
    on_hold = graphene.Boolean(required=True, description="True while orders on account are refused.")
    hold_message = graphene.String(description="Why orders on account are refused now, or null.")
    hold_released_until = graphene.Date(description="Finance let the company order despite overdue invoices until then.")
    aging = graphene.Field(Aging, required=True)

    @staticmethod
    def resolve_balance(root, info):
        return money(root.balance, root.currency)

    @staticmethod
    def resolve_credit_limit(root, info):
        return money(root.credit_limit, root.currency)

    @staticmethod
    def resolve_credit_in_use(root, info):
        return money(root.outstanding, root.currency)

    @staticmethod
    def resolve_credit_available(root, info):
        return money(root.available, root.currency)

    @staticmethod
    def resolve_unapplied_credit(root, info):
        return money(root.unapplied_credit, root.currency)

    @staticmethod
    def resolve_on_hold(root, info):
        return root.hold_message is not None

    @staticmethod
    def resolve_aging(root, info):
        return root


class InvoiceLine(graphene.ObjectType):
    line_number = graphene.Int(required=True)
    sku = graphene.String(required=True)
    description = graphene.String(required=True)
    quantity = graphene.Int(required=True)
    unit_price = graphene.Field(Money, required=True)
    line_total = graphene.Field(Money, required=True)

    @staticmethod
    def resolve_unit_price(root, info):
        return money(root.unit_price, root.invoice.currency)

    @staticmethod
    def resolve_line_total(root, info):
        return money(root.line_total, root.invoice.currency)


class InvoicePayment(graphene.ObjectType):
    """A payment or credit note applied to the invoice (negative: a refund re-opened it)."""

    applied_on = graphene.Date(required=True)
    kind = graphene.String(required=True, description="payment or credit_note.")
    reference = graphene.String(required=True, description="The payment's reference or the credit note's number.")
    amount = graphene.Field(Money, required=True)


class Invoice(graphene.ObjectType):
    number = graphene.String(required=True)
    erp_number = graphene.String()
    order_number = graphene.String()
    shipment_reference = graphene.String()
    status = graphene.Field(InvoiceStatusEnum, required=True)
    issued_on = graphene.Date(required=True)
    due_on = graphene.Date(required=True)
    terms = graphene.String(required=True)
    subtotal = graphene.Field(Money, required=True)
    discount_total = graphene.Field(Money, required=True)
    tax_total = graphene.Field(Money, required=True)
    total = graphene.Field(Money, required=True)
    amount_paid = graphene.Field(Money, required=True, description="Paid or credited so far.")
    amount_open = graphene.Field(Money, required=True)
    lines = graphene.List(graphene.NonNull(InvoiceLine), required=True)
    payments = graphene.List(graphene.NonNull(InvoicePayment), required=True)

    @staticmethod
    def resolve_order_number(root, info):
        return root.order.number if root.order_id else None

    @staticmethod
    def resolve_shipment_reference(root, info):
        return root.shipment_reference or None

    @staticmethod
    def resolve_status(root, info):
        return root.status

    @staticmethod
    def resolve_subtotal(root, info):
        return money(root.subtotal, root.currency)

    @staticmethod
    def resolve_discount_total(root, info):
        return money(root.discount_total, root.currency)

    @staticmethod
    def resolve_tax_total(root, info):
        return money(root.tax_total, root.currency)

    @staticmethod
    def resolve_total(root, info):
        return money(root.total, root.currency)

    @staticmethod
    def resolve_amount_paid(root, info):
        return money(root.amount_allocated, root.currency)

    @staticmethod
    def resolve_amount_open(root, info):
        return money(root.amount_open, root.currency)

    @staticmethod
    def resolve_lines(root, info):
        lines = list(root.lines.all())  # prefetched by the query
        for line in lines:
            line.invoice = root
        return lines

    @staticmethod
    def resolve_payments(root, info):
        return [
            InvoicePayment(
                applied_on=a.applied_on,
                kind="credit_note" if a.credit_note_id else "payment",
                reference=a.credit_note.number if a.credit_note_id else (a.receipt.reference or a.receipt.method),
                amount=money(a.amount, root.currency),
            )
            for a in root.allocations.all()  # prefetched by the query
        ]


class InvoiceEdge(graphene.ObjectType):
    node = graphene.Field(Invoice, required=True)
    cursor = graphene.String(required=True)


class InvoiceConnection(CountedConnection):
    edges = graphene.List(graphene.NonNull(InvoiceEdge), required=True)


class StatementEntry(graphene.ObjectType):
    date = graphene.Date(required=True)
    kind = graphene.String(required=True, description="invoice, payment, credit_note or refund.")
    document = graphene.String(required=True)
    description = graphene.String(required=True)
    debit = graphene.Field(Money, description="What the company owes more, or null.")
    credit = graphene.Field(Money, description="What the company owes less, or null.")
    balance = graphene.Field(Money, required=True, description="The running balance after this entry.")


class Statement(graphene.ObjectType):
    """对账单: the opening balance, every entry of the period, the closing balance."""

    start = graphene.Date(required=True)
    end = graphene.Date(required=True)
    currency = graphene.String(required=True)
    opening_balance = graphene.Field(Money, required=True)
    closing_balance = graphene.Field(Money, required=True)
    total_debits = graphene.Field(Money, required=True)
    total_credits = graphene.Field(Money, required=True)
    entries = graphene.List(graphene.NonNull(StatementEntry), required=True)

    @staticmethod
    def resolve_opening_balance(root, info):
        return money(root.opening_balance, root.currency)

    @staticmethod
    def resolve_closing_balance(root, info):
        return money(root.closing_balance, root.currency)

    @staticmethod
    def resolve_total_debits(root, info):
        return money(root.total_debits, root.currency)

    @staticmethod
    def resolve_total_credits(root, info):
        return money(root.total_credits, root.currency)

    @staticmethod
    def resolve_entries(root, info):
        c = root.currency
        return [
            StatementEntry(
                date=line.occurred_on, kind=line.kind, document=line.document, description=line.description,
                debit=money(line.debit, c) if line.debit else None, credit=money(line.credit, c) if line.credit else None,
                balance=money(line.balance, c),
            )
            for line in root.lines
        ]
