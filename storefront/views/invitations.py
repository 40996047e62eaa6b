"""Invitations on the dealer pages: the admin's invite, resend and revoke (on Users), and the
page an invited person opens from the e-mail to choose a name and password.

The accept page works signed out. Its address carries the token, so it is sent with
`Referrer-Policy: same-origin` and `Cache-Control: no-store`: the link does not travel on to
other sites or stay in a shared browser's cache.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mall.errors import DomainError
from partners import invitations as service

from .company_users import _is_admin, users_page
from .context import dealer_required

# Status of the accept page for each dead link: gone for good, or never there.
LINK_STATUS = {"UNKNOWN": 404, "USED": 410, "REVOKED": 410, "EXPIRED": 410, "COMPANY_INACTIVE": 410}


def _forbidden(request, company):
    return render(
        request, "storefront/company_users.html",
        {"company": company, "members": [], "is_admin": False, "forbidden": True}, status=403,
    )


@require_POST
@dealer_required
def invitation_create(request, company):
    if not _is_admin(request):
        return _forbidden(request, company)
    typed = {
        "email": request.POST.get("email", "")[:300],
        "role": request.POST.get("role", ""),
        "order_limit": request.POST.get("order_limit", "")[:40],
    }
    try:
        sent = service.invite(actor=request.user, company=company, **typed)
    except DomainError as exc:
        shown = {**typed, "email": typed["email"].replace("\x00", "")}  # typed again, without the NUL it was refused for
        return users_page(request, company, invite=shown, invite_errors=[d.message for d in exc.details], status=400)
    messages.success(
        request,
        _("Invitation sent to %(email)s. The link works for %(hours)s hours.")
        % {"email": sent.invitation.email, "hours": settings.INVITATION_TTL_HOURS},
    )
    return redirect("storefront:company_users")


def _manage(request, company, pk, action):
    if not _is_admin(request):
        return _forbidden(request, company)
    try:
        invitation = action(actor=request.user, company=company, invitation_id=pk)
    except DomainError as exc:
        if exc.details[0].code == "NOT_FOUND":
            raise Http404("No such invitation.") from None
        for detail in exc.details:
            messages.error(request, detail.message)
        return redirect("storefront:company_users")
    return invitation


@require_POST
@dealer_required
def invitation_resend(request, company, pk: int):
    done = _manage(request, company, pk, service.resend)
    if isinstance(done, service.Sent):
        messages.success(
            request,
            _("Sent the invitation to %(email)s again; the earlier link no longer works.") % {"email": done.invitation.email},
        )
        return redirect("storefront:company_users")
    return done


@require_POST
@dealer_required
def invitation_revoke(request, company, pk: int):
    done = _manage(request, company, pk, service.revoke)
    if isinstance(done, service.Invitation):
        messages.success(request, _("Revoked the invitation of %(email)s; its link no longer works.") % {"email": done.email})
        return redirect("storefront:company_users")
    return done


def _private(response):
    # same-origin, not no-referrer: with no-referrer the browser sends "Origin: null" on the
    # form's POST and the CSRF check refuses it.
    response["Referrer-Policy"] = "same-origin"
    add_never_cache_headers(response)
    return response


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token: str):
    try:
        invitation = service.invitation_for_token(token)
    except DomainError as exc:
        detail = exc.details[0]
        return _private(
            render(request, "storefront/invitation_accept.html", {"problem": detail.message}, status=LINK_STATUS.get(detail.code, 410))
        )
    context = {"invitation": invitation, "typed": {}, "errors": []}
    if request.user.is_authenticated:
        # Accepting makes a new user: the one signed in here would be signed out by it.
        context["signed_in_as"] = request.user.email or request.user.get_username()
        return _private(render(request, "storefront/invitation_accept.html", context, status=403 if request.method == "POST" else 200))
    if request.method == "POST":
        typed = {"first_name": request.POST.get("first_name", "")[:300], "last_name": request.POST.get("last_name", "")[:300]}
        password = request.POST.get("password", "")
        errors = []
        if password != request.POST.get("password_again", ""):
            errors.append(_("The two passwords differ; type the same password twice."))
        else:
            try:
                user = service.accept(token=token, password=password, **typed)
            except DomainError as exc:
                errors = [d.message for d in exc.details]
            else:
                login(request, user, backend=_backend())
                messages.success(request, _("Welcome to %(company)s on DealerMall.") % {"company": invitation.company.name})
                return redirect(settings.LOGIN_REDIRECT_URL)
        context.update(typed=typed, errors=errors)
        return _private(render(request, "storefront/invitation_accept.html", context, status=400))
    return _private(render(request, "storefront/invitation_accept.html", context))


def _backend() -> str:
    # The password was just chosen, so the user is signed in without authenticate(); name the
    # first backend that loads users (axes' lockout backend only guards the sign-in form).
    backends = settings.AUTHENTICATION_BACKENDS
    return next((b for b in backends if not b.startswith("axes.")), backends[-1])
