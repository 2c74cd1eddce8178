"""What a visitor sees when the server fails: 503 when the database connection is lost.

During a PostgreSQL restart (or a failover) the requests in flight lose their connection.
That is not a bug of the page: the right answer is 503 with `Retry-After`, so the visitor
(and a proxy or a monitoring probe) knows to come back in a moment. Every other error, the
database's own included (a constraint, a bad value, a statement timeout), stays a 500.
"""

from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader

RETRY_AFTER_SECONDS = 5
# SQLSTATE of a server that is going away or not there yet: class 08 (connection exception),
# 57P01-57P03 (admin shutdown, crash shutdown, cannot connect now), 53300 (too many clients).
LOST_CONNECTION_CODES = {"57P01", "57P02", "57P03", "53300"}


def connection_lost(error: BaseException | None) -> bool:
    """Whether `error` is PostgreSQL's connection going away, not an error of the query."""
    if not isinstance(error, OperationalError | InterfaceError):
        return False
    cause = error.__cause__
    if not type(cause).__module__.startswith("psycopg2"):
        return False  # SQLite (the demo): its errors are the query's
    if isinstance(error, InterfaceError):
        return True  # "connection already closed"
    code = getattr(cause, "pgcode", None)
    # psycopg2 gives no SQLSTATE when the socket itself closed or could not open.
    return code is None or code.startswith("08") or code in LOST_CONNECTION_CODES


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: Django calls it while handling the exception, which sys.exc_info() gives.

    Both pages are plain templates rendered without a request context: building the menu
    would need the database that has just gone."""
    if connection_lost(sys.exc_info()[1]):
        response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.render_to_string("500.html"))
