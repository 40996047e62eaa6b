"""Sign in (e-mail and password) and sign out (POST)."""

from django.contrib.auth import views as auth_views

from storefront.forms import EmailAuthenticationForm


class LoginView(auth_views.LoginView):
    template_name = "storefront/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule): a link cannot sign anyone out."""
