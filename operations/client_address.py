"""The client's address, the same for rate limits, sign-in lockout and the audit log.

A leaf module (Django settings only), so every app may import it.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies the address
    the outermost of them saw, read from the right of X-Forwarded-For.

    Each proxy appends the address that connected to it, so only the last
    TRUSTED_PROXY_COUNT entries were written by our own proxies; anything to their left
    came from the client and may be made up. A made-up header therefore never gives a new
    counter: without trusted proxies it is ignored, with them its spoofed part is skipped.
    """
    remote = _address(request.META.get("REMOTE_ADDR")) or "0.0.0.0"  # a Unix socket has none
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not chain:
        return remote
    # Fewer entries than proxies: the request skipped the outer ones; the first entry is
    # still one our inner proxy wrote.
    return _address(chain[-proxies] if len(chain) >= proxies else chain[0]) or remote


def _address(text: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((text or "").strip()))
    except ValueError:
        return None
