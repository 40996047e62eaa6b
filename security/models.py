"""Models of the security app: API sign-in sessions and their refresh tokens, and the stored
answers of GraphQL mutations sent with an idempotency key (`IdempotentRequest`).

A `TokenFamily` is one API sign-in (one tokenCreate): every access token carries its id
(`sid`) and every refresh token belongs to it. Revoking the family (sign-out, theft
detection, sign out everywhere) ends its access tokens at their next request and its
refresh tokens at once. Refresh tokens are opaque random strings stored only as SHA-256
digests, single use: each refresh marks the presented one used and issues the next.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class TokenFamily(models.Model):
    class RevokedReason(models.TextChoices):
        SIGN_OUT = "sign_out", "Signed out"
        SIGN_OUT_EVERYWHERE = "sign_out_everywhere", "Signed out everywhere"
        REUSE = "reuse", "A used refresh token was presented again"
        PASSWORD_CHANGE = "password_change", "Password changed"
        DEACTIVATED = "deactivated", "User deactivated"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="token_families")
    created_at = models.DateTimeField(auto_now_add=True)
    # The user's session auth hash (it changes with the password) when the family began.
    password_digest = models.CharField(max_length=64)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=32, choices=RevokedReason.choices, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)

    class Meta:
        verbose_name = "API sign-in session"
        indexes = [models.Index(fields=["user", "revoked_at"], name="security_family_user_live")]

    def __str__(self):
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M}"


class RefreshToken(models.Model):
    family = models.ForeignKey(TokenFamily, on_delete=models.CASCADE, related_name="refresh_tokens")
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 hex of the token; the token is never stored
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API refresh token"

    def __str__(self):
        return f"refresh token {self.pk} of {self.family_id}"


class IdempotentRequest(models.Model):
    """The first answer to a mutation sent with an idempotency key (security/idempotency.py).
    A key belongs to one user and one mutation: the same request again gets this answer back
    and changes nothing; the key with a different input is refused. Deleted after
    IDEMPOTENCY_KEY_TTL_HOURS (security.tasks.purge_idempotency_keys)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey("partners.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    mutation = models.CharField(max_length=64, help_text="The GraphQL mutation, e.g. cartAddLines.")
    key = models.CharField(max_length=128)
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the mutation's input (and the company).")
    answer = models.JSONField(default=dict, help_text="What the mutation needs to answer the same again.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "idempotent API request"
        constraints = [
            models.UniqueConstraint(fields=["user", "mutation", "key"], name="security_idempotent_one_per_key"),
        ]
        indexes = [models.Index(fields=["created_at"], name="security_idempotent_created")]

    def __str__(self):
        return f"{self.mutation} {self.key} of user {self.user_id}"
