"""Confirming an order: everything a confirmed order takes, in one place.

Checkout calls `confirm_order` for an order within the buyer's limit, in the transaction that
writes the order; approving a pending order calls it in the transaction that approves it
(storefront/services/approvals.py). Both take the same rows in the same order, so they cannot
deadlock with each other: deal attribution, promotion budgets and vouchers (one conditional
UPDATE each), the dealer's credit (one conditional UPDATE), its rebate wallet, stock rows (in id
order), the rebate program period, and last the invoice number series. Any typed error rolls
the caller's whole transaction back.

What is taken comes from the order's frozen snapshot (its lines, totals and `Claims`), never
from pricing the cart again: an approved order costs what the buyer submitted and the
approver saw.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings

from billing.events import invoice_issued
from billing.selectors import on_account_block
from billing.services import invoice_order
from catalog.events import stock_updated
from catalog.models import Variant
from catalog.services import allocate_stock
from deals.services import attribute_order
from integrations.services import record_events
from mall.errors import DomainError
from partners.services import reserve_credit
from pricing_engine.services import consume_promotion_budgets, redeem_voucher
from rebates.services import accrue_order, spend_wallet
from storefront.events import order_confirmed
from storefront.models import Order, OrderLine
from storefront.services import order_snapshot
from storefront.services.payments import open_order_payments


@dataclass(frozen=True)
class Claims:
    """What the priced snapshot takes from shared budgets when the order is confirmed:
    (promotion id, amount) per promotion applied (gifts left out for want of stock excluded),
    (voucher code, amount) per voucher, and the dealer's deal the order counts towards."""

    budgets: tuple[tuple[str, Decimal], ...] = ()
    vouchers: tuple[tuple[str, Decimal], ...] = ()
    deal_id: str | None = None

    @classmethod
    def of(cls, priced, dropped_gifts: set[str], deal_id=None) -> "Claims":
        return cls(
            budgets=tuple((str(p), Decimal(a)) for p, a in order_snapshot.budget_claims(priced, dropped_gifts)),
            vouchers=tuple((str(c), Decimal(a)) for c, a in order_snapshot.voucher_claims(priced)),
            deal_id=None if deal_id in (None, "") else str(deal_id),
        )

    def as_json(self) -> dict:
        return {
            "budgets": [[p, str(a)] for p, a in self.budgets],
            "vouchers": [[c, str(a)] for c, a in self.vouchers],
            "deal_id": self.deal_id,
        }

    @classmethod
    def from_json(cls, data: dict | None) -> "Claims":
        data = data or {}
        return cls(
            budgets=tuple((str(p), Decimal(a)) for p, a in data.get("budgets", ())),
            vouchers=tuple((str(c), Decimal(a)) for c, a in data.get("vouchers", ())),
            deal_id=data.get("deal_id"),
        )


def _quantities(order_lines: list[OrderLine]) -> dict[int, int]:
    """Units per variant id, gift lines included (gifts are goods too: they need stock)."""
    quantities: dict[int, int] = {}
    for line in order_lines:
        if line.variant_id is None:
            raise DomainError.single("lines", "NOT_FOR_SALE", f"{line.sku} is no longer for sale.")
        quantities[line.variant_id] = quantities.get(line.variant_id, 0) + line.quantity
    return quantities


def confirm_order(order: Order, order_lines: list[OrderLine], claims: Claims, *, variants=None) -> None:
    """Take everything a confirmed `order` takes and write its events. `order` must already be
    saved with status CONFIRMED and version 1; `variants` (id -> Variant) saves a query when the
    caller has them."""
    # Deals: the order counts towards the dealer's own approved, protected deal (typed error otherwise).
    if claims.deal_id:
        attribute_order(order, claims.deal_id)
    # Promotion budgets and voucher uses: a conditional UPDATE each, so two dealers cannot both
    # spend the last of a budget.
    if claims.budgets:
        consume_promotion_budgets(claims.budgets)
    for code, amount in claims.vouchers:
        redeem_voucher(code, order.company, order.number, amount)
    amount_due = order.total - order.rebate_credit_used
    if order.payment_method == Order.PaymentMethod.ON_ACCOUNT:
        # Billing: invoices overdue beyond the grace stop orders on account (not other methods).
        hold = on_account_block(order.company)
        if hold:
            raise DomainError.single("payment_method", "ACCOUNT_ON_HOLD", hold)
        # Rebates: the part paid with rebate credit is not taken on account.
        reserve_credit(order.company_id, amount_due, order.currency)
    if order.rebate_credit_used:
        # Rebates: one conditional UPDATE on the dealer's wallet (never below zero).
        spend_wallet(company=order.company, amount=order.rebate_credit_used, currency=order.currency,
                     reference=order.number, idempotency_key=f"order:{order.number}")
    quantities = _quantities(order_lines)
    if variants is None:
        variants = Variant.objects.in_bulk(list(quantities))
    changed_stock = allocate_stock(quantities, variants=variants, announce=False)
    # Rebates: accrue at the rate reached (locks the dealer's program period row, after stock).
    if settings.REBATE_ACCRUE_ON == "confirmed":
        accrue_order(order)
    # Billing: the order's invoice (None in shipment mode). Last lock of all: every invoice of
    # the number series waits for it until this transaction commits.
    invoice = invoice_order(order, lines=order_lines, announce=False)
    # One outbox write for the order and every stock row it changed.
    record_events(
        [order_confirmed(order, order_lines)]
        + [stock_updated(row, "order_confirmed") for row in changed_stock]
        + ([invoice_issued(invoice, order)] if invoice else [])
    )
    # Payments: the order's pending card payment (its Stripe PaymentIntent is made after commit,
    # by the card page) and the part paid with rebate credit; bank transfer and on account wait.
    open_order_payments(order, rebate_credit=order.rebate_credit_used)
