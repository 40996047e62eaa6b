"""Validation of webhook endpoint settings, shared by the service, the admin form and models."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from .events import ALL_EVENTS, EVENT_TYPES

URL_MAX_LENGTH = 500
SECRET_MAX_LENGTH = 255


class WebhookConfigError(Exception):
    """Bad endpoint settings: which field, a stable code, and a message for a person."""

    def __init__(self, field: str, code: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.code = code
        self.message = message


_url_validator = URLValidator(schemes=["http", "https"])


def validate_url(url: str) -> str:
    if not url or not str(url).strip():
        raise WebhookConfigError("url", "required", "Enter the endpoint URL.")
    url = str(url).strip()
    if len(url) > URL_MAX_LENGTH:
        raise WebhookConfigError(
            "url", "too_long", f"The URL is longer than {URL_MAX_LENGTH} characters."
        )
    try:
        _url_validator(url)
    except ValidationError:
        raise WebhookConfigError("url", "invalid", f"{url!r} is not a valid http(s) URL.") from None
    return url


def validate_secret(secret: str) -> str:
    """The secret is kept exactly as given; it only has to be non-blank and not too long."""
    if secret is None or not isinstance(secret, str) or not secret.strip():
        raise WebhookConfigError(
            "secret", "required", "Enter a signing secret; it cannot be empty."
        )
    if len(secret) > SECRET_MAX_LENGTH:
        raise WebhookConfigError(
            "secret", "too_long", f"The secret is longer than {SECRET_MAX_LENGTH} characters."
        )
    return secret


def validate_event_types(event_types: Iterable[str] | None) -> list[str]:
    if isinstance(event_types, str) or event_types is None:
        raise WebhookConfigError(
            "event_types", "invalid", 'Give the event types as a list, e.g. ["order.confirmed"].'
        )
    cleaned: list[str] = []
    for event_type in event_types:
        if not isinstance(event_type, str):
            raise WebhookConfigError("event_types", "invalid", f"{event_type!r} is not a string.")
        event_type = event_type.strip()
        if event_type != ALL_EVENTS and event_type not in EVENT_TYPES:
            known = ", ".join(sorted(EVENT_TYPES))
            raise WebhookConfigError(
                "event_types",
                "unknown_event_type",
                f'Unknown event type {event_type!r}; known types: {known} (or "*" for all).',
            )
        if event_type not in cleaned:
            cleaned.append(event_type)
    if not cleaned:
        raise WebhookConfigError("event_types", "required", "Subscribe to at least one event type.")
    return cleaned


def validate_endpoint(url, secret, event_types) -> tuple[str, str, list[str]]:
    return validate_url(url), validate_secret(secret), validate_event_types(event_types)
