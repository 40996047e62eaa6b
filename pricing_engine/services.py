"""Writes to price lists, promotion budgets and voucher uses."""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext

from audit.models import AuditEntry
from audit.services import record
from catalog.models import Variant
from mall.errors import DomainError
from partners.models import Company, Tier
from pricing_engine.core.vouchers import normalize_code
from pricing_engine.models import PriceBreak, PriceList, Promotion, Voucher, VoucherRedemption

# Default percentage off the list price per tier (docs/pricing.md). Standard pays list.
DEFAULT_TIER_DISCOUNTS = {
    "PLATINUM": Decimal("15"),
    "GOLD": Decimal("10"),
    "SILVER": Decimal("5"),
}


@transaction.atomic
def ensure_tier_price_lists(currency: str = "GBP") -> list[PriceList]:
    """One price list per tier (Standard: no default discount, list price); kept as edited."""
    lists = []
    for tier in Tier.objects.all():
        price_list, created = PriceList.objects.get_or_create(
            kind=PriceList.Kind.TIER,
            tier=tier,
            currency=currency,
            defaults={
                "name": f"{tier.name} price list",
                "default_discount_percent": DEFAULT_TIER_DISCOUNTS.get(tier.code),
            },
        )
        if created:
            discount = price_list.default_discount_percent
            record(AuditEntry.Action.CREATE, price_list, note="tier price list made by the import", changes={
                "name": [None, price_list.name], "default_discount_percent": [None, None if discount is None else str(discount)],
            })
        lists.append(price_list)
    return lists


@transaction.atomic
def add_volume_breaks(breaks_by_sku: dict[str, tuple[tuple[int, Decimal], ...]], currency: str = "GBP") -> int:
    """Add the same volume breaks to every tier price list. A break only applies where it beats
    the tier's own price (pricing_engine/core). Returns the number of break rows written."""
    wanted = {sku: breaks for sku, breaks in breaks_by_sku.items() if breaks}
    if not wanted:
        return 0
    variant_ids = dict(Variant.objects.filter(sku__in=list(wanted)).values_list("sku", "id"))
    rows = [
        PriceBreak(price_list=price_list, variant_id=variant_ids[sku], min_quantity=qty, unit_price=price)
        for price_list in PriceList.objects.filter(kind=PriceList.Kind.TIER, currency=currency)
        for sku, breaks in wanted.items()
        if sku in variant_ids
        for qty, price in breaks
    ]
    created = PriceBreak.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    for price_list in {row.price_list for row in created}:
        record(AuditEntry.Action.IMPORT, price_list, note=f"volume breaks added by the import ({len(wanted)} SKUs)")
    return len(rows)


# ---------------------------------------------------------------- promotion budgets, vouchers
#
# Called by the checkout inside its own transaction, after pricing the cart: each takes what
# the priced cart says it used with one conditional UPDATE per row, so two checkouts can never
# both spend the last of a budget or the last use of a voucher (the second UPDATE waits for the
# first's row lock, then re-reads the row and finds nothing left). A failure raises DomainError
# and undoes everything this call did (a savepoint); the checkout rolls back and re-prices.

PROMOTION_BUDGET_EXHAUSTED = "PROMOTION_BUDGET_EXHAUSTED"
VOUCHER_USED_UP = "VOUCHER_USED_UP"
VOUCHER_NOT_FOUND = "VOUCHER_NOT_FOUND"


def _promotion_pk(promotion_id: object) -> int:
    """A promotion's pk from its row pk or its core id ("promotion:12")."""
    text = str(promotion_id)
    return int(text.removeprefix("promotion:"))


def consume_promotion_budgets(applied: Iterable[tuple[object, Decimal]]) -> None:
    """Take `amount` and one use from each promotion's budget (ids: pk or "promotion:<pk>").

    Several entries for one promotion are one use of their summed amount. Rows are updated in
    pk order, so concurrent checkouts lock them in the same order and cannot deadlock.
    """
    totals: dict[int, Decimal] = defaultdict(Decimal)
    for promotion_id, amount in applied:
        amount = Decimal(amount)
        if amount < 0:
            raise ValueError(f"a promotion amount cannot be negative: {amount}")
        totals[_promotion_pk(promotion_id)] += amount
    with transaction.atomic():
        for pk in sorted(totals):
            amount = totals[pk]
            spent = F("spent_amount") + amount
            updated = Promotion.objects.filter(
                Q(budget_amount__isnull=True) | Q(budget_amount__gte=spent),
                Q(budget_uses__isnull=True) | Q(budget_uses__gte=F("used_count") + 1),
                pk=pk,
            ).update(spent_amount=spent, used_count=F("used_count") + 1)
            if not updated:
                name = Promotion.objects.filter(pk=pk).values_list("name", flat=True).first() or f"#{pk}"
                raise DomainError.single(
                    None,
                    PROMOTION_BUDGET_EXHAUSTED,
                    gettext("The promotion “%(name)s” has run out of budget; the cart was priced again without it.") % {"name": name},
                )


def redeem_voucher(voucher_code: str, company: Company, order_number: str, amount: Decimal) -> VoucherRedemption:
    """Record one use of a voucher by `company` on `order_number`, within its limits.

    The conditional UPDATE of the voucher's count locks its row until the caller's transaction
    ends, so the per-dealer count read after it is not raced either. Redeeming the same code on
    the same order again returns the first redemption (a retried checkout).
    """
    code = normalize_code(voucher_code)
    amount = Decimal(amount)
    if amount < 0:
        raise ValueError(f"a voucher amount cannot be negative: {amount}")
    with transaction.atomic():
        existing = VoucherRedemption.objects.filter(voucher__code=code, order_number=order_number).first()
        if existing is not None:
            return existing
        updated = Voucher.objects.filter(
            Q(usage_limit_total__isnull=True) | Q(usage_limit_total__gt=F("used_count")),
            code=code,
            is_active=True,
        ).update(used_count=F("used_count") + 1)
        if not updated:
            if not Voucher.objects.filter(code=code, is_active=True).exists():
                raise DomainError.single("voucher_code", VOUCHER_NOT_FOUND, gettext("There is no voucher %(code)s.") % {"code": code})
            raise DomainError.single("voucher_code", VOUCHER_USED_UP, gettext("The voucher %(code)s has been used up.") % {"code": code})
        voucher = Voucher.objects.get(code=code)
        if voucher.usage_limit_per_dealer is not None:
            used = VoucherRedemption.objects.filter(voucher=voucher, company_id=company.pk).count()
            if used >= voucher.usage_limit_per_dealer:
                raise DomainError.single(
                    "voucher_code", VOUCHER_USED_UP, gettext("Your company has used the voucher %(code)s as often as it may.") % {"code": code}
                )
        return VoucherRedemption.objects.create(
            voucher=voucher, company_id=company.pk, order_number=order_number, amount=amount
        )
