"""Carts: what a buyer is about to order. Prices are never stored here."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class Cart(models.Model):
    """A buyer's open cart in its company. Prices are never stored here: always re-priced."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="carts")
    company = models.ForeignKey("partners.Company", on_delete=models.CASCADE, related_name="carts")
    # Codes the buyer entered, normalised; checked again every time the cart is priced.
    voucher_codes = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "company"], name="one_cart_per_buyer")]

    def __str__(self) -> str:
        return f"Cart of {self.user} ({self.company.code})"


class CartLine(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="lines")
    variant = models.ForeignKey("catalog.Variant", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["cart", "variant"], name="one_cart_line_per_sku"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="cart_line_quantity_positive"),
        ]
