"""Sign in (e-mail and password), sign out (POST), change the password."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from security.password_forms import NewPasswordChangeForm
from security.tokens import TokenFamily, revoke_all
from storefront.forms import EmailAuthenticationForm


class LoginView(auth_views.LoginView):
    template_name = "storefront/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule): a link cannot sign anyone out."""


class PasswordChangeView(auth_views.PasswordChangeView):
    """The current password, then a new one by the password rules (AUTH_PASSWORD_VALIDATORS),
    not the current one again.
    This browser stays signed in; other browsers and every API token of the user stop working."""

    template_name = "storefront/password_change.html"
    form_class = NewPasswordChangeForm  # the new password must differ from the current one
    success_url = reverse_lazy("storefront:catalog")

    def form_valid(self, form):
        response = super().form_valid(form)  # keeps this session (update_session_auth_hash)
        revoke_all(self.request.user, TokenFamily.RevokedReason.PASSWORD_CHANGE)
        messages.success(self.request, _("Your password is changed. Other browsers and API tokens are signed out."))
        return response
