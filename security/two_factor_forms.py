"""Forms of the back-office sign-in: e-mail (or username), password and two-factor code."""

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy

from security import lockout, two_factor


def code_field(required: bool) -> forms.CharField:
    return forms.CharField(
        label=gettext_lazy("Two-factor code"),
        required=required,
        max_length=32,
        strip=True,
        help_text=gettext_lazy("The 6-digit code from your authenticator app, or one of your backup codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


class StaffAuthenticationForm(AdminAuthenticationForm):
    """The admin login: one `authenticate()` per attempt (the lockout counts it), then, for
    staff who enrolled an authenticator, the code. Staff without one sign in and are sent
    to the enrolment page by the middleware."""

    username = forms.CharField(
        label=gettext_lazy("E-mail or username"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    otp_token = code_field(required=False)

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("That e-mail (or username) and password do not match a staff account."),
        "otp_required": gettext_lazy("Enter the code from your authenticator app."),
        "otp_invalid": gettext_lazy("That code is not right (or was already used). Enter a new code."),
    }

    def clean(self):
        login = (self.cleaned_data.get("username") or "").strip()
        password = self.cleaned_data.get("password")
        if not (login and password):
            return self.cleaned_data
        self.user_cache = authenticate(self.request, username=login, password=password)
        if self.user_cache is None:
            if getattr(self.request, "axes_locked_out", False):
                raise forms.ValidationError(lockout.locked_message(self.request, login), code="locked_out")
            raise self.get_invalid_login_error()
        self.confirm_login_allowed(self.user_cache)
        if two_factor.required_for(self.user_cache) and two_factor.has_authenticator(self.user_cache):
            code = self.cleaned_data.get("otp_token")
            if not code:
                raise forms.ValidationError(self.error_messages["otp_required"], code="otp_required")
            device = two_factor.verify_code(self.user_cache, code)
            if device is None:
                lockout.record_failure(self.request, login)
                if getattr(self.request, "axes_locked_out", False):
                    raise forms.ValidationError(lockout.locked_message(self.request, login), code="locked_out")
                raise forms.ValidationError(self.error_messages["otp_invalid"], code="otp_invalid")
            self.user_cache.otp_device = device  # django-otp marks the session verified at login
        lockout.reset_account(self.request, self.user_cache)
        return self.cleaned_data


class CodeForm(forms.Form):
    otp_token = code_field(required=True)
