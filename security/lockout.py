"""Lockout after repeated failed sign-ins, with django-axes (settings: mall/conf/auth.py).

Failures are counted per account and per client address, separately: AXES_FAILURE_LIMIT
failures on one account (from any addresses) lock that account; as many from one address
(on any accounts) lock that address; both until AXES_COOLOFF_TIME has passed since the last
failure. A wrong two-factor code counts as a failure too. The account is the login as typed,
normalised (trimmed, lower case, an e-mail of exactly one user taken as that user's
username), so an unknown login locks exactly like a real one: the lockout never tells
whether an account exists. A full sign-in resets the account's count (not the address's).

The three entry points (storefront page, admin page, GraphQL tokenCreate) call
`authenticate()` once per attempt; the axes backend refuses locked requests there, and
`locked_message` says when to retry. The pages and tokenCreate show that message
themselves; `lockout_response` only keeps axes from replacing their answer (and gives a
page its 429 with `Retry-After`: the seconds until the lock ends, from axes' rows).
"""

import math
from datetime import timedelta

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_login_failed
from django.db.models import Max, Q, Sum
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from partners.emails import login_form
from security import rate_limits

MAX_KEY_LENGTH = 255  # axes' column
_KEYS = "_security_account_keys"


def _clean(text: str) -> str:
    text = text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    return text.strip().lower()[:MAX_KEY_LENGTH]


def account_key(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the account a login attempt is counted against."""
    if credentials is not None:
        login = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        login = getattr(request, "POST", {}).get(settings.AXES_USERNAME_FORM_FIELD)
    if not isinstance(login, str) or not login.strip():
        return None
    typed = _clean(login)
    login = _clean(login_form(typed))  # one account key for both spellings of an IDN domain
    cache = getattr(request, _KEYS, None) if request is not None else None
    if cache is not None and login in cache:
        return cache[login]
    key = login
    if "@" in login and len(login) <= 254:
        # As typed too: a user made in the back office may still have a Unicode domain.
        emails = Q(email__iexact=login) | Q(email__iexact=typed)
        usernames = list(
            get_user_model().objects.filter(emails).values_list(get_user_model().USERNAME_FIELD, flat=True)[:2]
        )
        if len(usernames) == 1:
            key = _clean(usernames[0])
    if request is not None:
        if cache is None:
            cache = {}
            setattr(request, _KEYS, cache)
        cache[login] = key
    return key


def client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the same address the rate limits count (TRUSTED_PROXY_COUNT)."""
    return rate_limits.client_ip(request)


def _attempts(request, credentials) -> list:
    """The live failure rows per lockout parameter: this account's, this address's."""
    AxesProxyHandler.update_request(request)
    since = timezone.now() - get_cool_off(request)
    live = AccessAttempt.objects.filter(attempt_time__gte=since)
    key = account_key(request, credentials)
    selections = [live.filter(ip_address=request.axes_ip_address)]
    if key:
        selections.append(live.filter(username=key))
    return selections


def lock_ends_at(request, credentials):
    """When the lock on this attempt's account or address ends, or None when not locked."""
    limit = get_failure_limit(request, credentials)
    ends = None
    for rows in _attempts(request, credentials):
        totals = rows.aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
        if (totals["failures"] or 0) >= limit:
            end = totals["last"] + get_cool_off(request)
            ends = end if ends is None else max(ends, end)
    return ends


def is_locked(request, login: str) -> bool:
    return AxesProxyHandler.is_locked(request, {settings.AXES_USERNAME_FORM_FIELD: login})


def retry_after(request, login: str) -> int:
    """Whole seconds until the lock on this attempt's account or address ends (at least 1),
    from axes' rows of the failures: the last failure's time plus the cool-off. Also kept on
    the request (`security_lockout_retry_after`) for the answer's Retry-After header."""
    ends = lock_ends_at(request, {settings.AXES_USERNAME_FORM_FIELD: login})
    # No live rows (an unlock between axes' check and this read): the whole cool-off.
    remaining = (ends - timezone.now()) if ends else get_cool_off(request)
    seconds = max(1, math.ceil(max(remaining, timedelta(0)).total_seconds()))
    request.security_lockout_retry_after = seconds
    return seconds


def locked_message(request, login: str) -> str:
    """'Too many failed sign-ins ... try again in N minutes', translated; marks the request
    as answered so axes' middleware leaves the page or API answer as it is."""
    request.security_lockout_shown = True
    minutes = math.ceil(retry_after(request, login) / 60)
    return ngettext(
        "Too many failed sign-in attempts. Try again in %(minutes)d minute.",
        "Too many failed sign-in attempts. Try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}


def record_failure(request, login: str) -> None:
    """Count a failure that `authenticate()` did not see (a wrong two-factor code)."""
    user_login_failed.send(
        sender=__name__, credentials={settings.AXES_USERNAME_FORM_FIELD: login}, request=request
    )


def reset_account(request, user) -> None:
    """After a complete sign-in: forget the failures counted against this account."""
    keys = {_clean(user.get_username())}
    if user.email:
        keys.add(_clean(user.email))
    AccessAttempt.objects.filter(Q(username__in=keys)).delete()


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: keep our own answer when we already showed the lockout;
    otherwise (a sign-in path we do not know) a translated page. HTTP 429 either way for pages."""
    if getattr(request, "security_lockout_shown", False) and original_response is not None:
        if original_response.get("Content-Type", "").startswith("text/html"):
            original_response.status_code = 429  # the sign-in page with its message, as "Too Many Requests"
            with_retry_after(request, original_response)
        return original_response  # GraphQL: 200 with the typed LOCKED_OUT error (its retryAfter)
    login = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD) or ""
    message = locked_message(request, login)
    return with_retry_after(request, render(request, "security/locked_out.html", {"message": message}, status=429))


def with_retry_after(request, response):
    """The 429 answer with `Retry-After`: the seconds `locked_message` worked out."""
    seconds = getattr(request, "security_lockout_retry_after", None)
    if seconds is not None:
        response["Retry-After"] = str(seconds)
    return response
