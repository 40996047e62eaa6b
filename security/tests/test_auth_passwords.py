"""Password rules (Django's validators) where a user chooses a password: too short, common,
all digits, or like the user's own e-mail are refused; a long passphrase is fine."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "password,message",
    [
        ("Tr0ub4dor", "This password is too short. It must contain at least 10 characters."),
        ("password123", "This password is too common."),
        ("20261203123456", "This password is entirely numeric."),
        ("alice.wong@alpha.example", "The password is too similar to the username."),  # the username is the e-mail
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, message):
    user = UserFactory(email="alice.wong@alpha.example")
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user)
    assert message in refused.value.messages


def test_a_passphrase_passes():
    assert validate_password(PASSWORD, UserFactory(email="alice.wong@alpha.example")) is None


def test_the_back_office_password_change_applies_the_rules(settings):
    settings.STAFF_TWO_FACTOR = False
    staff = UserFactory(email="kim@vendor.example", is_staff=True)
    client = Client()
    client.force_login(staff)
    page = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": "password123", "new_password2": "password123"},
    )
    assert page.status_code == 200 and "This password is too common." in page.content.decode()
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)
