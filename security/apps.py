from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Sign-in defences and API access: lockout, token refresh and revocation, two-factor
    for staff, staff roles, rate and cost limits (docs/security.md)."""

    name = "security"
    verbose_name = "Security"
