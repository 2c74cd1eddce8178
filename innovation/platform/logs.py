"""Logging that an ordinary visitor cannot turn against the server.

Django logs every 4xx answer of `django.request` with the exception's traceback: about 6,800
tracebacks for the refusals of one black-box test, so any signed-in person could fill the disk
by asking for what they may not see. A refusal is the client's doing, not a fault: one line is
enough (who, what, why). The audit trail (`innovation.platform.audit`, written by
AuditMiddleware) keeps its own record of each 403, unchanged.
"""

from __future__ import annotations

import logging


class OneLinePerClientError(logging.Filter):
    """Strip the traceback from 4xx records; rewrite a 403 as who / what / why."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is None or not 400 <= status < 500:
            return True
        error = record.exc_info[1] if record.exc_info else None
        record.exc_info = None
        record.exc_text = None
        request = getattr(record, "request", None)
        if status == 403 and request is not None:
            record.msg = "Refused %s %s (view %s) to %s: %s"
            record.args = (
                request.method,
                request.path[:300].encode("unicode_escape").decode("ascii"),
                getattr(request.resolver_match, "view_name", "-"),
                _who(request),
                (str(error) if error is not None else "") or "no right to this action",
            )
        return True


def _who(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anonymous"
    return f"user {user.pk}"
