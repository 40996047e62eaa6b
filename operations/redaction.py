"""Secrets that travel in URL paths never reach the logs.

An invitation link carries its single-use token in the path (`/invitations/<token>/`); the
access log, Django's "Not Found: ..." warnings and runserver's lines would otherwise write it
to every log shipper. The filter rewrites the finished message of every record.
"""

import logging
import re

# Path segments that are secrets: the part after the prefix, up to the next slash or space.
SECRET_PATHS = re.compile(r"(/invitations/)[^/\s\"'?#]+")
REDACTED = r"\1[redacted]"


def redact_path(text: str) -> str:
    return SECRET_PATHS.sub(REDACTED, text)


class SecretPathFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_path(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
