"""Sign in with the e-mail address or the username, through one `authenticate` call.

One call per attempt matters: every failed call is one failure for the lockout (axes), so
the storefront must not try the e-mail and then the username as two calls.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q

from partners.emails import login_form

MAX_LOGIN_LENGTH = 254
MAX_PASSWORD_LENGTH = 4096


def users_for_login(login: str) -> list:
    """The users a typed login may name: those with this e-mail (any case, the domain in either
    spelling: `exämple.com` is `xn--exmple-cua.com`), then this username."""
    User = get_user_model()
    # As typed too: a user made in the back office may still have a Unicode domain.
    users = list(User.objects.filter(Q(email__iexact=login_form(login)) | Q(email__iexact=login)).order_by("pk")[:5])
    if not any(user.get_username() == login for user in users):
        users += list(User.objects.filter(**{User.USERNAME_FIELD: login})[:1])
    return users


def valid_login(login, password) -> bool:
    return bool(
        login and password and len(login) <= MAX_LOGIN_LENGTH and len(password) <= MAX_PASSWORD_LENGTH
        and "\x00" not in login and "\x00" not in password
    )


class EmailOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        login = (username if username is not None else kwargs.get(get_user_model().USERNAME_FIELD)) or ""
        login = login.strip()
        if not valid_login(login, password):
            return None
        candidates = users_for_login(login)
        if not candidates:
            get_user_model()().set_password(password)  # the same work as a real check: timing tells nothing
            return None
        for user in candidates:
            if user.check_password(password) and self.user_can_authenticate(user):
                return user
        return None
