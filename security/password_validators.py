"""A password validator of our own: at most as long as sign-in accepts.

Sign-in refuses passwords longer than security.backends.MAX_PASSWORD_LENGTH before hashing
(a megabyte of password would keep a worker hashing); without this validator the password
page and the back office accepted such a password, and the user could never sign in again.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext, ngettext

from security.backends import MAX_PASSWORD_LENGTH


class MaximumLengthValidator:
    def __init__(self, max_length: int = MAX_PASSWORD_LENGTH):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It must contain at most %(max_length)d character.",
                    "This password is too long. It must contain at most %(max_length)d characters.",
                    self.max_length,
                ),
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self):
        return gettext("Your password can’t be longer than %(max_length)d characters.") % {"max_length": self.max_length}
