"""Invitations: a dealer admin invites a person by e-mail to become a user of the company.

The link in the e-mail carries a random token; only its SHA-256 is stored, so neither the
database nor the back office can give a working link away. An invitation is open until it is
accepted or revoked; an open one past `expires_at` is expired (it can be resent, which gives it
a new token and a new expiry). partners/invitations.py holds every change.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from partners.models.companies import Company, Membership


class Invitation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", gettext_lazy("Pending")
        EXPIRED = "expired", gettext_lazy("Expired")
        ACCEPTED = "accepted", gettext_lazy("Accepted")
        REVOKED = "revoked", gettext_lazy("Revoked")

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="invitations")
    # Normalised (trimmed, lower case): one open invitation per company and address.
    email = models.EmailField(max_length=254)
    role = models.CharField(max_length=16, choices=Membership.Role.choices, default=Membership.Role.BUYER)
    # In the company's currency; empty: no limit (as Membership.order_limit).
    order_limit = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # The language the inviter used (the e-mail is written in it).
    language = models.CharField(max_length=16, default="en-gb")
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(default=timezone.now)  # the last (re)send
    send_count = models.PositiveSmallIntegerField(default=1)
    expires_at = models.DateTimeField()
    # hex SHA-256 of the token in the link; the token itself is never stored.
    token_hash = models.CharField(max_length=64, unique=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "email"],
                condition=Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_company_email",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_accepted_or_revoked_not_both",
            ),
            models.CheckConstraint(condition=Q(order_limit__isnull=True) | Q(order_limit__gte=0), name="invitation_limit_not_negative"),
        ]
        indexes = [models.Index(fields=["company", "expires_at"], name="invitation_company_expiry")]

    def __str__(self) -> str:
        return f"{self.email} → {self.company.code} ({self.role})"

    def status_at(self, now) -> str:
        if self.accepted_at is not None:
            return self.Status.ACCEPTED
        if self.revoked_at is not None:
            return self.Status.REVOKED
        if self.expires_at <= now:
            return self.Status.EXPIRED
        return self.Status.PENDING

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    def get_status_display(self) -> str:
        return self.Status(self.status).label
