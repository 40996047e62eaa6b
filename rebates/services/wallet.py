"""Writes of the rebate wallet. The balance is a counter changed only by one conditional
UPDATE per entry (`balance + amount >= 0` in its WHERE), so two checkouts spending the last of
a wallet at once cannot both succeed; every change appends a WalletEntry in the same
transaction. Each call takes an idempotency key: the same key returns the first entry."""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext

from mall.errors import DomainError
from pricing_engine.core.money import check_amount, check_currency, quantize
from rebates.models import RebateWallet, WalletEntry

MAX_KEY_LENGTH = 128


def wallet_for(company, currency: str) -> RebateWallet:
    """The company's wallet in `currency`, made on first use (safe when two requests race)."""
    check_currency(currency)
    wallet = RebateWallet.objects.filter(company=company, currency=currency).first()
    if wallet is None:
        RebateWallet.objects.bulk_create([RebateWallet(company=company, currency=currency)], ignore_conflicts=True)
        wallet = RebateWallet.objects.get(company=company, currency=currency)
    return wallet


def _amount(amount, currency: str) -> Decimal:
    try:
        value = check_amount(amount)
    except (TypeError, ValueError):
        raise DomainError.single("amount", "INVALID", gettext("Give the amount as a decimal number.")) from None
    if value <= 0:
        raise DomainError.single("amount", "INVALID", gettext("The amount must be more than zero."))
    if quantize(value, currency) != value:
        raise DomainError.single("amount", "INVALID", gettext("%(value)s is finer than the smallest unit of %(currency)s.") % {"value": value, "currency": currency})
    return value


def _key(idempotency_key: str) -> str:
    key = (idempotency_key or "").strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise DomainError.single("idempotency_key", "INVALID", gettext("Give an idempotency key of 1 to %(limit)s characters.") % {"limit": MAX_KEY_LENGTH})
    return key


def _append(company, currency: str, kind: str, signed: Decimal, *, reason: str, reference: str, key: str) -> WalletEntry:
    wallet = wallet_for(company, currency)
    earlier = WalletEntry.objects.filter(wallet=wallet, idempotency_key=key).first()
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            changed = RebateWallet.objects.filter(pk=wallet.pk, balance__gte=-signed).update(balance=F("balance") + signed)
            if not changed:
                held = RebateWallet.objects.values_list("balance", flat=True).get(pk=wallet.pk)
                raise DomainError.single(
                    "rebate_credit", "INSUFFICIENT_REBATE_CREDIT",
                    gettext("Your rebate wallet holds %(held)s %(currency)s; %(value)s %(currency)s cannot be spent.") % {"held": held, "currency": currency, "value": -signed},
                )
            # The row is locked by our UPDATE until commit: this read is our own balance.
            balance = RebateWallet.objects.values_list("balance", flat=True).get(pk=wallet.pk)
            return WalletEntry.objects.create(
                wallet=wallet, kind=kind, amount=signed, balance_after=balance,
                reason=reason[:255], reference=reference[:128], idempotency_key=key,
            )
    except IntegrityError:
        # The same key committed by a concurrent call: that entry is the answer.
        earlier = WalletEntry.objects.filter(wallet=wallet, idempotency_key=key).first()
        if earlier is None:
            raise
        return earlier


@transaction.atomic
def credit_wallet(*, company, amount: Decimal, currency: str, reason: str, reference: str, idempotency_key: str) -> WalletEntry:
    """Add rebate credit (a settled rebate, an approved marketing-fund claim)."""
    value = _amount(amount, currency)
    return _append(company, currency, WalletEntry.Kind.CREDIT, value, reason=reason, reference=reference, key=_key(idempotency_key))


@transaction.atomic
def spend_wallet(*, company, amount: Decimal, currency: str, reference: str, idempotency_key: str) -> WalletEntry:
    """Take rebate credit (checkout); INSUFFICIENT_REBATE_CREDIT when the wallet holds less."""
    value = _amount(amount, currency)
    return _append(company, currency, WalletEntry.Kind.SPEND, -value, reason="spent at checkout", reference=reference,
                   key=_key(idempotency_key))


@transaction.atomic
def refund_to_wallet(*, company, amount: Decimal, currency: str, reference: str, idempotency_key: str,
                     reason: str = "refunded to the wallet") -> WalletEntry:
    """Give rebate credit back (an order paid with it was cancelled or refunded)."""
    value = _amount(amount, currency)
    return _append(company, currency, WalletEntry.Kind.REFUND, value, reason=reason, reference=reference, key=_key(idempotency_key))
