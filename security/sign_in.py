"""Sign-in of an API client (tokenCreate): lockout, password, two-factor code for staff."""

from django.contrib.auth import authenticate

from mall.errors import DomainError, ErrorDetail
from security import lockout, two_factor

INVALID_CREDENTIALS = ("email", "INVALID_CREDENTIALS", "E-mail or password is wrong.")


class LockedOut(DomainError):
    """LOCKED_OUT, with `retry_after`: whole seconds until the lock ends (axes' rows)."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(ErrorDetail("email", "LOCKED_OUT", message))
        self.retry_after = retry_after


def _locked(request, login: str) -> LockedOut:
    message = lockout.locked_message(request, login)  # works out request.security_lockout_retry_after
    return LockedOut(message, request.security_lockout_retry_after)


def api_sign_in(request, email: str, password: str, otp_code: str | None = None):
    """The user, or DomainError: INVALID_CREDENTIALS (the same for an unknown e-mail, a wrong
    password and an inactive user), LOCKED_OUT (with when to retry), OTP_REQUIRED, OTP_INVALID."""
    login = (email or "").strip()
    user = authenticate(request, username=login, password=password or "")  # axes counts a failure here
    if user is None:
        if getattr(request, "axes_locked_out", False):
            raise _locked(request, login)
        raise DomainError.single(*INVALID_CREDENTIALS)
    if two_factor.required_for(user):
        if not two_factor.has_authenticator(user):
            raise DomainError.single(
                "otpCode", "OTP_REQUIRED",
                "Staff sign in with two-factor: set up an authenticator in the back office first.",
            )
        if not otp_code:
            raise DomainError.single("otpCode", "OTP_REQUIRED", "Send otpCode: the code from your authenticator app.")
        if two_factor.verify_code(user, otp_code) is None:
            lockout.record_failure(request, login)
            if getattr(request, "axes_locked_out", False):
                raise _locked(request, login)
            raise DomainError.single("otpCode", "OTP_INVALID", "That code is not right (or was already used).")
    lockout.reset_account(request, user)
    return user
