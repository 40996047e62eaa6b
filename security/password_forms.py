"""The password change form of the dealer's page (/account/password/): Django's (the current
password, then a new one by AUTH_PASSWORD_VALIDATORS), and the new one must differ from the
current one, or "changing" it would end every other session for nothing and keep a password
the user meant to replace."""

from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy


class NewPasswordChangeForm(PasswordChangeForm):
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_unchanged": gettext_lazy(
            "The new password is the same as your current one. Choose a different password."
        ),
    }

    def clean(self):
        cleaned = super().clean()
        current = cleaned.get("old_password")  # only there when it was typed right
        new = cleaned.get("new_password2")
        if current and new and "new_password2" not in self.errors and new == current:
            self.add_error("new_password2", self.error_messages["password_unchanged"])
        return cleaned
