"""Promotions and vouchers as merchandisers edit them.

A promotion's reward is its `kind` plus a small JSON object of parameters (`reward`);
`build_reward` turns the two into the core's reward value (pricing_engine/core/promotions.py)
and is the one place that reads that JSON: the model's `clean()` and the loader both use it,
so what the back office accepts is exactly what the pricing core can price.

Budgets: `budget_amount` / `budget_uses` are the caps (empty: none); `spent_amount` /
`used_count` what checkouts have taken, only ever changed by the conditional UPDATEs of
pricing_engine/services.py, and kept within the caps by check constraints as well.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from catalog.models import Variant
from pricing_engine.core import promotions as core
from pricing_engine.core.reward_json import build_reward
from pricing_engine.core.vouchers import Voucher as CoreVoucher
from pricing_engine.core.vouchers import normalize_code


class RewardKind(models.TextChoices):
    PERCENT_OFF = "percent_off", "Percentage off (line)"
    AMOUNT_OFF = "amount_off", "Amount off each unit (line)"
    FIXED_PRICE = "fixed_price", "Fixed unit price (line)"
    QUANTITY_TIERS = "quantity_tiers", "Quantity tiers (line)"
    BUY_X_GET_Y = "buy_x_get_y", "Buy X get Y (line)"
    FULL_REDUCTION = "full_reduction", "Full reduction / spend X get Y off (order)"
    ORDER_PERCENT_OFF = "order_percent_off", "Percentage off the order (order)"
    GIFT_WITH_PURCHASE = "gift_with_purchase", "Gift with purchase (order)"


# One example per kind: shown in the back office, and tested to build.
REWARD_EXAMPLES: dict[str, dict] = {
    RewardKind.PERCENT_OFF: {"percent": "10"},
    RewardKind.AMOUNT_OFF: {"amount": "2.50"},
    RewardKind.FIXED_PRICE: {"unit_price": "7.99"},
    RewardKind.QUANTITY_TIERS: {"tiers": [{"min_quantity": 10, "percent": "5"}, {"min_quantity": 50, "percent": "10"}]},
    RewardKind.BUY_X_GET_Y: {"buy_quantity": 3, "get_quantity": 1, "get_sku": None, "percent": "100", "max_applications": None},
    RewardKind.FULL_REDUCTION: {
        "steps": [{"threshold": "300", "amount": "30"}, {"threshold": "600", "amount": "80"}],
        "repeat": False,
        "max_repeats": None,
    },
    RewardKind.ORDER_PERCENT_OFF: {"percent": "5", "threshold": "500"},
    RewardKind.GIFT_WITH_PURCHASE: {"sku": "GIFT-001", "threshold": "250", "quantity": 1},
}

REWARD_HELP = (
    "The reward's parameters as a JSON object; amounts and percentages as strings (\"10\", "
    "\"2.50\"), counts as whole numbers. Keys marked ? may be left out. "
    "Percentage off: {\"percent\": \"10\"}. "
    "Amount off each unit: {\"amount\": \"2.50\"}. "
    "Fixed unit price: {\"unit_price\": \"7.99\"}. "
    "Quantity tiers (largest minimum reached wins): "
    "{\"tiers\": [{\"min_quantity\": 10, \"percent\": \"5\"}, {\"min_quantity\": 50, \"percent\": \"10\"}]}. "
    "Buy X get Y (3 + 1 free; get_sku? another SKU to discount, percent? default 100 = free, "
    "max_applications? cap per line): {\"buy_quantity\": 3, \"get_quantity\": 1}. "
    "Full reduction, one step or a ladder (highest step reached only): "
    "{\"steps\": [{\"threshold\": \"300\", \"amount\": \"30\"}, {\"threshold\": \"600\", \"amount\": \"80\"}]}; "
    "repeating (every 300 spent, 30 off, at most 5 times): "
    "{\"steps\": [{\"threshold\": \"300\", \"amount\": \"30\"}], \"repeat\": true, \"max_repeats\": 5}. "
    "Percentage off the order (threshold? default 0): {\"percent\": \"5\", \"threshold\": \"500\"}. "
    "Gift with purchase (quantity? default 1): {\"sku\": \"GIFT-001\", \"threshold\": \"250\", \"quantity\": 1}. "
    "Thresholds are measured on the subtotal after line promotions."
)


def _window_error(starts_at, ends_at) -> dict | None:
    if starts_at and ends_at and ends_at <= starts_at:
        return {"ends_at": "The end must be after the start (the end is exclusive)."}
    return None


_WINDOW = Q(starts_at__isnull=True) | Q(ends_at__isnull=True) | Q(ends_at__gt=F("starts_at"))


# ---------------------------------------------------------------- promotion


class Promotion(models.Model):
    """A campaign: a reward on a product scope, for an audience, in a window, with caps."""

    Kind = RewardKind

    name = models.CharField(max_length=128)
    description = models.TextField(blank=True)
    kind = models.CharField(max_length=32, choices=RewardKind.choices)
    reward = models.JSONField(default=dict, help_text=REWARD_HELP)

    # product scope: a line matches if its SKU, one of its categories or tags is listed; none: every product
    skus = models.ManyToManyField("catalog.Variant", blank=True, related_name="promotions")
    categories = models.ManyToManyField("catalog.Category", blank=True, related_name="promotions")
    tags = models.JSONField(default=list, blank=True, help_text='Product tags, e.g. ["clearance", "new"].')

    # audience: none: every dealer
    tiers = models.ManyToManyField("partners.Tier", blank=True, related_name="promotions")
    regions = models.ManyToManyField("partners.Region", blank=True, related_name="promotions")
    companies = models.ManyToManyField("partners.Company", blank=True, related_name="promotions")

    currency = models.CharField(
        max_length=3, blank=True, help_text="Required when the reward holds amounts; carts in another currency do not get it."
    )
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Exclusive: the promotion stops at this moment.")
    priority = models.PositiveSmallIntegerField(default=100, help_text="Lower numbers apply first.")
    exclusive = models.BooleanField(default=False, help_text="When it applies, no other promotion of its level does.")
    stacking_group = models.CharField(max_length=64, blank=True, help_text="At most one promotion of a group applies.")
    is_active = models.BooleanField(default=True)

    budget_amount = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, help_text="Cap on the total discount given. Empty: none."
    )
    budget_uses = models.PositiveIntegerField(null=True, blank=True, help_text="Cap on the number of orders. Empty: none.")
    spent_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    used_count = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["priority", "name", "pk"]
        indexes = [models.Index(fields=["is_active", "starts_at", "ends_at"], name="promotion_live_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(spent_amount__gte=0), name="promotion_spent_not_negative"),
            models.CheckConstraint(
                condition=Q(budget_amount__isnull=True) | Q(spent_amount__lte=F("budget_amount")),
                name="promotion_spent_within_budget",
            ),
            models.CheckConstraint(
                condition=Q(budget_uses__isnull=True) | Q(used_count__lte=F("budget_uses")),
                name="promotion_uses_within_budget",
            ),
            models.CheckConstraint(condition=_WINDOW, name="promotion_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def core_id(self) -> str:
        return f"promotion:{self.pk}"

    @property
    def budget_amount_left(self) -> Decimal | None:
        return None if self.budget_amount is None else max(self.budget_amount - self.spent_amount, Decimal(0))

    @property
    def budget_uses_left(self) -> int | None:
        return None if self.budget_uses is None else max(self.budget_uses - self.used_count, 0)

    def build_reward(self) -> object:
        return build_reward(self.kind, self.reward)

    def clean(self):
        errors: dict[str, list[str]] = {}
        window = _window_error(self.starts_at, self.ends_at)
        if window:
            errors.setdefault("ends_at", []).append(window["ends_at"])
        if not isinstance(self.tags, list) or not all(isinstance(t, str) and t.strip() for t in self.tags):
            errors.setdefault("tags", []).append('Tags are a JSON list of words, e.g. ["clearance"].')
        self.currency = (self.currency or "").strip().upper()
        reward = None
        if self.kind:
            try:
                reward = self.build_reward()
            except ValueError as error:
                errors.setdefault("reward", []).append(f"{error}. Example: {_example(self.kind)}")
        if reward is not None:
            try:
                core.Promotion(id="check", name=self.name or "promotion", reward=reward, currency=self.currency or None)
            except ValueError as error:
                errors.setdefault("currency", []).append(str(error))
            sku = getattr(reward, "get_sku", None) or getattr(reward, "sku", None)
            if sku and not _sku_exists(sku):
                errors.setdefault("reward", []).append(f"No SKU {sku} in the catalog.")
        if errors:
            raise ValidationError(errors)


def _example(kind: str) -> str:
    return json.dumps(REWARD_EXAMPLES.get(kind, {}))


def _sku_exists(sku: str) -> bool:
    return Variant.objects.filter(sku=sku).exists()


# ---------------------------------------------------------------- voucher


class Voucher(models.Model):
    """A code a dealer types; stored normalised (trimmed, upper case), so unique without case."""

    code = models.CharField(max_length=64, help_text="Matched without case or surrounding spaces; stored in upper case.")
    name = models.CharField(max_length=128, blank=True)
    percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True, help_text="Percentage off; or give an amount.")
    amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True, help_text="Amount off; or give a percentage.")
    currency = models.CharField(max_length=3, blank=True, help_text="Required with an amount or a minimum spend.")

    skus = models.ManyToManyField("catalog.Variant", blank=True, related_name="vouchers")
    categories = models.ManyToManyField("catalog.Category", blank=True, related_name="vouchers")
    tiers = models.ManyToManyField("partners.Tier", blank=True, related_name="vouchers")
    regions = models.ManyToManyField("partners.Region", blank=True, related_name="vouchers")
    companies = models.ManyToManyField("partners.Company", blank=True, related_name="vouchers")

    min_spend = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    once_per_order = models.BooleanField(default=False, help_text="Take the discount on one unit of the cheapest matching line only.")
    usage_limit_total = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    usage_limit_per_dealer = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: unlimited.")
    used_count = models.PositiveIntegerField(default=0)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True, help_text="Exclusive.")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code"], name="voucher_code_unique"),
            models.CheckConstraint(
                condition=(Q(percent__isnull=False) & Q(amount__isnull=True))
                | (Q(percent__isnull=True) & Q(amount__isnull=False)),
                name="voucher_percent_or_amount",
            ),
            models.CheckConstraint(
                condition=Q(percent__isnull=True) | (Q(percent__gt=0) & Q(percent__lte=100)),
                name="voucher_percent_between_0_and_100",
            ),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gt=0), name="voucher_amount_positive"),
            models.CheckConstraint(
                condition=Q(usage_limit_total__isnull=True) | Q(used_count__lte=F("usage_limit_total")),
                name="voucher_uses_within_limit",
            ),
            models.CheckConstraint(condition=_WINDOW, name="voucher_ends_after_start"),
        ]

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs):
        self.code = normalize_code(self.code)
        super().save(*args, **kwargs)

    def clean(self):
        self.code = normalize_code(self.code or "")
        self.currency = (self.currency or "").strip().upper()
        errors: dict[str, list[str]] = {}
        if not self.code:
            errors.setdefault("code", []).append("Enter a code.")
        if (self.percent is None) == (self.amount is None):
            errors.setdefault("percent", []).append("Give exactly one of a percentage and an amount.")
        window = _window_error(self.starts_at, self.ends_at)
        if window:
            errors.setdefault("ends_at", []).append(window["ends_at"])
        if not errors:
            try:
                CoreVoucher(
                    code=self.code,
                    percent=self.percent,
                    amount=self.amount,
                    currency=self.currency or None,
                    min_spend=self.min_spend,
                )
            except (ValueError, TypeError) as error:
                field = "currency" if "currency" in str(error) else ("percent" if self.percent is not None else "amount")
                errors.setdefault(field, []).append(str(error))
        if errors:
            raise ValidationError(errors)


class VoucherRedemption(models.Model):
    """One use of a voucher by a dealer on an order (the order number, no link to storefront)."""

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="redemptions")
    company = models.ForeignKey("partners.Company", on_delete=models.PROTECT, related_name="voucher_redemptions")
    order_number = models.CharField(max_length=64)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["voucher", "company"], name="voucher_redemption_dealer_idx")]
        constraints = [
            models.UniqueConstraint(fields=["voucher", "order_number"], name="voucher_once_per_order"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="voucher_redemption_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.voucher.code} on {self.order_number}"
