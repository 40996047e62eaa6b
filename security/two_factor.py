"""Two-factor sign-in (TOTP, django-otp) for vendor staff.

With STAFF_TWO_FACTOR on, a staff user reaches the back office (/admin/) only in a session
verified with a code: the admin login asks for it, `StaffTwoFactorMiddleware` sends a
signed-in but unverified staff user to the code page, or, without a confirmed
authenticator yet, to the enrolment page (QR code, the secret as text, a code to confirm;
then ten single-use backup codes, shown once). tokenCreate asks staff for `otpCode` too.
A wrong code counts as a failed sign-in for the lockout (security/lockout.py).
"""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"
MAX_CODE_LENGTH = 16


def required_for(user) -> bool:
    return bool(settings.STAFF_TWO_FACTOR and user.is_authenticated and user.is_staff)


def has_authenticator(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def clean_code(code) -> str:
    code = "".join((code or "").split()).replace("-", "")
    return code.lower() if code.isascii() and 0 < len(code) <= MAX_CODE_LENGTH else ""


def verify_code(user, code):
    """The confirmed device (authenticator or backup codes) that accepts `code`, or None."""
    code = clean_code(code)
    return match_token(user, code) if code else None


def pending_authenticator(user) -> TOTPDevice:
    """The authenticator being enrolled (unconfirmed), made on first visit with a new secret."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)


def qr_code_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as inline SVG markup (no script, no style attribute: the CSP allows it)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, title="QR code")


def secret_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def confirm_authenticator(user, device: TOTPDevice, code) -> list[str] | None:
    """Confirm the enrolled authenticator with a code from it; the new backup codes, or None."""
    device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, user=user, confirmed=False).first()
    code = clean_code(code)
    if device is None or not code or not device.verify_token(code):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return new_backup_codes(user)


@transaction.atomic
def new_backup_codes(user) -> list[str]:
    """Replace the user's backup codes with STAFF_BACKUP_CODES new single-use ones."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_CODES_NAME, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(settings.STAFF_BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


class StaffTwoFactorMiddleware:
    """When STAFF_TWO_FACTOR is on: keeps unverified staff out of /admin/ (except its logout),
    and makes a session of unverified staff anonymous on /graphql/ (signed in on the shop's
    page with a password only, it must not reach staff mutations; bearer tokens are checked
    at tokenCreate)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.STAFF_TWO_FACTOR and self._unverified_staff(request.user):
            if request.path_info == reverse("graphql"):
                request.user = AnonymousUser()
            elif self._guarded(request):
                target = "security:two_factor_verify" if has_authenticator(request.user) else "security:two_factor_enrol"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    @staticmethod
    def _unverified_staff(user) -> bool:
        return user.is_authenticated and user.is_staff and user.is_active and not user.is_verified()

    @staticmethod
    def _guarded(request) -> bool:
        admin_root = reverse("admin:index")
        path = request.path_info
        if not path.startswith(admin_root):
            return False
        own_pages = reverse("security:two_factor_verify").removesuffix("verify/")  # enrolment and code pages
        return not path.startswith(own_pages) and path != reverse("admin:logout")
