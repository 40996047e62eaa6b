"""Back-office two-factor pages: enrol an authenticator, enter a code for this session."""

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login

from security import lockout, two_factor
from security.two_factor_forms import CodeForm


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("admin:index")


def _staff_only(view):
    @never_cache
    @login_required(login_url="admin:login")
    def wrapped(request, *args, **kwargs):
        if not (request.user.is_staff and request.user.is_active):
            return redirect("admin:login")
        return view(request, *args, **kwargs)

    return wrapped


@_staff_only
def enrol(request):
    """QR code and secret of a new authenticator; a code from it confirms it and shows the
    backup codes once. Not for a user who has one already (they verify instead)."""
    user = request.user
    if two_factor.has_authenticator(user):
        return redirect(f"{reverse('security:two_factor_verify')}?next={_next(request)}")
    device = two_factor.pending_authenticator(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_authenticator(user, device, form.cleaned_data["otp_token"])
        if codes is not None:
            device.refresh_from_db()
            otp_login(request, device)
            lockout.reset_account(request, user)
            return render(request, "security/backup_codes.html", {"codes": codes, "next": _next(request)})
        lockout.record_failure(request, user.get_username())
        form.add_error("otp_token", _("That code is not right. Check the time on your phone and enter a new code."))
    context = {
        "form": form,
        "qr_svg": two_factor.qr_code_svg(device),
        "secret": two_factor.secret_text(device),
        "next": _next(request),
        "title": _("Set up two-factor sign-in"),
    }
    return render(request, "security/enrol.html", context)


@_staff_only
def verify(request):
    """A code for a signed-in staff user whose session is not verified yet."""
    user = request.user
    if not two_factor.has_authenticator(user):
        return redirect(f"{reverse('security:two_factor_enrol')}?next={_next(request)}")
    login = user.get_username()
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if lockout.is_locked(request, login):
            message = lockout.locked_message(request, login)
            logout(request)
            return lockout.with_retry_after(request, render(request, "security/locked_out.html", {"message": message}, status=429))
        device = two_factor.verify_code(user, form.cleaned_data["otp_token"])
        if device is not None:
            otp_login(request, device)
            lockout.reset_account(request, user)
            return redirect(_next(request))
        lockout.record_failure(request, login)
        form.add_error("otp_token", _("That code is not right (or was already used). Enter a new code."))
    return render(request, "security/verify.html", {"form": form, "next": _next(request), "title": _("Two-factor code")})
