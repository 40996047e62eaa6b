"""Log lines as one JSON object each (LOG_FORMAT=json, the production default), or as text.

Every line has time (UTC, ISO 8601), level, logger, message, request_id, and task_id inside
a worker; `extra={...}` fields of the call are kept; an exception is one `exc` field, so a
traceback never spans lines. Log shippers (Loki, CloudWatch, Elastic) read it as is.
"""

import json
import logging
from datetime import UTC, datetime

# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None))) | {"message", "asctime"}
# Django puts the request object (and the server its socket) on some records: not data.
_SKIP = {"request", "server_time", "socket", "request_id", "task_id"}

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def _jsonable(value):
    # Plain data stays structured (Celery's `data` dicts); anything else becomes its text.
    if isinstance(value, str | int | float | bool | dict | list | tuple) or value is None:
        return value
    return str(value)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        task_id = getattr(record, "task_id", None)
        if task_id:
            entry["task_id"] = task_id
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in _SKIP and not key.startswith("_"):
                entry[key] = _jsonable(value)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        elif record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(fmt: str, level: str) -> dict:
    """The LOGGING dict of the settings (mall/conf/ops.py): `fmt` is "json" or "text"."""
    formatter = {"()": JsonFormatter} if fmt == "json" else {"format": TEXT_FORMAT}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "operations.request_id.RequestIdFilter"},
            "secret_paths": {"()": "operations.redaction.SecretPathFilter"},
        },
        "formatters": {"main": formatter},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": "main", "filters": ["request_id", "secret_paths"]},
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "INFO"},
            # Django's own request/server loggers propagate to the root handler only.
            "django": {"handlers": [], "level": level, "propagate": True},
            # runserver's own access lines repeat mall.request's: only its warnings and errors.
            "django.server": {"handlers": ["console"], "level": "WARNING", "propagate": False},
            "celery": {"level": level},
        },
    }
