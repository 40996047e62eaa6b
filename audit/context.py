"""Who is acting, from where: set per request by AuditContextMiddleware, per command or task
by `acting_as`, read by `audit.services.record`. A contextvar, so concurrent requests in
one process (threads or async) never see each other's actor."""

import contextvars
from contextlib import contextmanager
from dataclasses import dataclass, field

from operations import request_id
from operations.client_address import client_ip

SYSTEM = "system"
USER_AGENT_MAX = 300


@dataclass
class Actor:
    request: object = None  # the request: its user is read when recording (GraphQL sets it late)
    user: object = None
    label: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    # Models whose rows an admin save is auditing itself (a service it calls does not record them again).
    admin_models: set = field(default_factory=set)


_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("audit_actor", default=None)


def from_request(request) -> Actor:
    agent = request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]
    return Actor(request=request, ip_address=client_ip(request), user_agent=agent)


def current() -> Actor | None:
    return _actor.get()


def set_actor(actor: Actor | None) -> contextvars.Token:
    return _actor.set(actor)


def reset(token: contextvars.Token) -> None:
    _actor.reset(token)


@contextmanager
def acting_as(user=None, label: str = ""):
    """`with acting_as(user)` (a command's named user) or `acting_as(label="app token erp")`:
    what is recorded inside names that actor. Inside a request, its IP and user agent stay."""
    outer = _actor.get()
    actor = Actor(
        user=user, label=label,
        ip_address=outer.ip_address if outer else None, user_agent=outer.user_agent if outer else "",
    )
    token = _actor.set(actor)
    try:
        yield actor
    finally:
        _actor.reset(token)


def resolve(actor: Actor | None) -> tuple[object, str]:
    """(user or None, label) of the one acting now."""
    if actor is None:
        return None, SYSTEM
    user = actor.user
    if user is None and actor.request is not None:
        user = getattr(actor.request, "user", None)
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if user is not None:
        return user, actor.label or user.email or user.get_username()
    return None, actor.label or SYSTEM


def current_request_id() -> str:
    return request_id.current() or ""
