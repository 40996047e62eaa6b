"""Helpers of the sign-in tests: GraphQL calls from a chosen address, TOTP codes."""

import json

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

TOKEN_CREATE = """
mutation($email: String!, $password: String!, $otp: String) {
  tokenCreate(email: $email, password: $password, otpCode: $otp) { token refreshToken errors { field code message } }
}"""


def gql(query, variables=None, *, token=None, ip="127.0.0.1", client=None):
    """POST /graphql/ from `ip`; the decoded answer."""
    headers = {"REMOTE_ADDR": ip}
    if token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    response = (client or Client()).post(
        "/graphql/", json.dumps({"query": query, "variables": variables or {}}), content_type="application/json", **headers
    )
    return response


def token_create(email, password=PASSWORD, otp=None, ip="127.0.0.1"):
    response = gql(TOKEN_CREATE, {"email": email, "password": password, "otp": otp}, ip=ip)
    assert response.status_code == 200, response.content
    return response.json()["data"]["tokenCreate"]


def enrolled_authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def current_code(device: TOTPDevice, offset_steps: int = 0) -> str:
    """What the authenticator app shows now (or `offset_steps` steps away)."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset_steps)
    return f"{code:0{device.digits}d}"
