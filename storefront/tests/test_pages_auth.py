"""Signing in by e-mail and out by POST."""

import pytest
from django.urls import reverse

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("storefront:login")
LOGOUT = reverse("storefront:logout")


def test_sign_in_by_email_any_case_goes_to_the_catalog(client, buyer):
    page = client.post(LOGIN, {"username": "Buyer@ACME.example", "password": PASSWORD})
    assert page.status_code == 302 and page.url == reverse("storefront:catalog")
    assert "Acme Lighting Ltd" in client.get(page.url).content.decode()


def test_wrong_password_is_a_clear_message(client, buyer):
    page = client.post(LOGIN, {"username": "buyer@acme.example", "password": "nope"})
    assert page.status_code == 200
    assert "do not match an account" in page.content.decode()


@pytest.mark.parametrize("login", ["\x00", "x" * 1000, ""])
def test_junk_login_is_not_a_500(client, buyer, login):
    assert client.post(LOGIN, {"username": login, "password": PASSWORD}).status_code == 200


def test_login_page_and_next(client, buyer):
    assert "E-mail" in client.get(LOGIN).content.decode()
    page = client.post(LOGIN + "?next=/cart/", {"username": "buyer@acme.example", "password": PASSWORD, "next": "/cart/"})
    assert page.url == "/cart/"


def test_sign_out_is_post_only(dealer_client):
    assert dealer_client.get(LOGOUT).status_code == 405
    assert dealer_client.post(LOGOUT).status_code == 302
    assert dealer_client.get(reverse("storefront:cart")).status_code == 302
