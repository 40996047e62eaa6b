"""One id per request, carried into the Celery tasks it publishes, on every log line.

The web side takes the id from the X-Request-ID header when it looks like an id (a load
balancer or the ERP may send one), else makes one, and returns it in the response header.
A task published while a request is handled carries the id in its message headers; the
worker sets it again before the task runs, so web and worker log lines share it.
"""

import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
_SANE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/+=-]{0,127}$")

_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
_task_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("task_id", default=None)
_task_tokens: dict[str, tuple[contextvars.Token, contextvars.Token]] = {}


def current() -> str | None:
    return _request_id.get()


def new_id() -> str:
    return uuid.uuid4().hex


def sane(value: str | None) -> str | None:
    """The value when it can safely go into a log line and a header, else None."""
    if value and _SANE.match(value):
        return value
    return None


class RequestIdMiddleware:
    """Outermost middleware: everything logged while the request is handled carries its id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        rid = sane(request.headers.get(HEADER)) or new_id()
        request.request_id = rid
        token = _request_id.set(rid)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    """Puts `request_id` (and `task_id` inside a worker) on every record."""

    def filter(self, record):
        if not getattr(record, "request_id", None):
            # django.request logs a 4xx/5xx after the middleware returned: the request has it.
            record.request_id = _request_id.get() or getattr(getattr(record, "request", None), "request_id", None)
        if not getattr(record, "task_id", None):
            record.task_id = _task_id.get()
        return True


# --- Celery: the id travels in the message headers --------------------------------------

def _on_publish(sender=None, headers=None, **kwargs):
    rid = _request_id.get()
    if rid and headers is not None and TASK_HEADER not in headers:
        headers[TASK_HEADER] = rid


def _on_prerun(sender=None, task_id=None, task=None, **kwargs):
    request = getattr(task, "request", None)
    carried = sane(getattr(request, TASK_HEADER, None)) or sane((getattr(request, "headers", None) or {}).get(TASK_HEADER))
    if carried:
        rid = carried
    elif getattr(request, "is_eager", False) and _request_id.get():
        rid = _request_id.get()  # run in-process (the demo): still inside the request
    else:
        rid = new_id()  # beat's periodic tasks: one id per run
    _task_tokens[task_id] = (_request_id.set(rid), _task_id.set(task_id))


def _on_postrun(sender=None, task_id=None, **kwargs):
    tokens = _task_tokens.pop(task_id, None)
    if tokens is not None:
        _request_id.reset(tokens[0])
        _task_id.reset(tokens[1])


def _keep_django_logging(**kwargs):
    """A receiver of setup_logging tells Celery to leave logging alone: the worker keeps the
    LOGGING of mall/settings.py (JSON lines with the request id) instead of its own format."""


def connect_celery_signals() -> None:
    from celery import signals

    signals.before_task_publish.connect(_on_publish, dispatch_uid="operations.request_id.publish")
    signals.task_prerun.connect(_on_prerun, dispatch_uid="operations.request_id.prerun")
    signals.task_postrun.connect(_on_postrun, dispatch_uid="operations.request_id.postrun")
    signals.setup_logging.connect(_keep_django_logging, dispatch_uid="operations.request_id.logging")
