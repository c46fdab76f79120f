"""The answer to an uncaught exception (``handler500``): what a client can act on.

A database that cannot be reached for a moment (PostgreSQL restarting, a failover, SQLite locked
past its timeout) is not a bug of the request: it is answered 503 with ``Retry-After``, so clients
and load balancers retry — with the same ``Idempotency-Key``, which makes the retry safe. Anything
else is a 500. Under ``/api/`` both answer the uniform JSON error body (docs/api.md), never an HTML
page. The page is rendered without the request's context: its processors would query the database
that just failed."""

from __future__ import annotations

import sys

from django import db
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from core.errors import ERROR_STATUS, ErrorCode

RETRY_AFTER_SECONDS = 5

# Errors of the connection, not of the statement: a constraint or a syntax error stays a 500
# (IntegrityError and ProgrammingError are DatabaseErrors too, so the classes are listed exactly).
_UNAVAILABLE = (db.OperationalError, db.InterfaceError)


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether ``exc`` (or what caused it) says the database could not be reached."""
    while exc is not None:
        if isinstance(exc, _UNAVAILABLE):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    unavailable = database_unavailable(sys.exc_info()[1])
    if unavailable:
        # Leave no half-dead connection behind for the next request of this thread.
        db.close_old_connections()
        for connection in db.connections.all(initialized_only=True):
            connection.close_if_unusable_or_obsolete()
    code = ErrorCode.SERVICE_UNAVAILABLE if unavailable else ErrorCode.SERVER_ERROR
    status = ERROR_STATUS[code]
    if unavailable:
        detail = _(
            "The service is briefly unavailable (the database cannot be reached). Nothing was changed; "
            "please try again in a few seconds."
        )
    else:
        detail = _(
            "Something went wrong on the server. Nothing was changed; please try again, and report the problem "
            "if it persists."
        )
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": detail, "code": code.value, "errors": []}, status=status)
    else:
        template = loader.get_template("core/server_error.html")
        response = HttpResponse(template.render({"detail": detail, "status": status}), status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
