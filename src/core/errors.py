"""The machine-readable ``code`` of every API error body, in one place (docs/api.md lists them).

A client branches on ``code``, never on the localised ``detail``: the words follow the request's
language, the code does not. Codes are stable snake_case strings; add one here (and to
docs/api.md) before answering a new kind of error, and never rename or reuse one.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Why a request was refused; each code belongs to one HTTP status (``ERROR_STATUS``)."""

    #: 400 — well-formed, but it refers to something unknown or breaks a business rule.
    VALIDATION_ERROR = "validation_error"
    #: 400 — the body is not JSON, or not a JSON object.
    MALFORMED_BODY = "malformed_body"
    #: 401 — no valid bearer token (and no signed-in session).
    NOT_AUTHENTICATED = "not_authenticated"
    #: 401 — wrong username or password at ``POST /auth/token``.
    INVALID_CREDENTIALS = "invalid_credentials"
    #: 403 — the role or the unit may not do this.
    PERMISSION_DENIED = "permission_denied"
    #: 403 — a session (cookie) call without its CSRF token.
    CSRF_FAILED = "csrf_failed"
    #: 404 — no such record, or not visible to the caller.
    NOT_FOUND = "not_found"
    #: 409 — the action is not possible from the record's current state (``status``, ``allowed_actions``).
    INVALID_TRANSITION = "invalid_transition"
    #: 409 — the ``version`` sent is stale: someone saved the record since (``current_version``).
    STALE_VERSION = "stale_version"
    #: 409 — the record conflicts with an existing one (a uniqueness rule of the database).
    CONFLICT = "conflict"
    #: 409 — reserved for the spare-parts ledger: a stock move would make the available quantity negative.
    OUT_OF_STOCK = "out_of_stock"
    #: 409 — the record may already exist (a customer with the same phone, an open order for the
    #: same device); nothing was created. Send ``confirm_duplicate: true`` to create it anyway.
    POSSIBLE_DUPLICATE = "possible_duplicate"
    #: 409 — items of the visit code of conduct are neither ticked nor explained: the work may not go
    #: to QC or to the customer's sign-off yet; ``open_items`` names them.
    CHECKLIST_INCOMPLETE = "checklist_incomplete"
    #: 422 — the request does not match the schema (type, missing field, unknown choice, limits).
    INVALID_INPUT = "invalid_input"
    #: 422 — the ``Idempotency-Key`` was already used with a different request body.
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    #: 429 — too many attempts (failed sign-ins); wait before trying again.
    RATE_LIMITED = "rate_limited"
    #: 500 — the server failed; nothing was changed (the transaction rolled back). Report the request id.
    SERVER_ERROR = "server_error"
    #: 503 — the database is unreachable for a moment (a restart, a failover); retry after ``Retry-After``.
    SERVICE_UNAVAILABLE = "service_unavailable"


#: The HTTP status each code is answered with.
ERROR_STATUS: dict[ErrorCode, int] = {
    ErrorCode.VALIDATION_ERROR: 400,
    ErrorCode.MALFORMED_BODY: 400,
    ErrorCode.NOT_AUTHENTICATED: 401,
    ErrorCode.INVALID_CREDENTIALS: 401,
    ErrorCode.PERMISSION_DENIED: 403,
    ErrorCode.CSRF_FAILED: 403,
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.INVALID_TRANSITION: 409,
    ErrorCode.STALE_VERSION: 409,
    ErrorCode.CONFLICT: 409,
    ErrorCode.OUT_OF_STOCK: 409,
    ErrorCode.POSSIBLE_DUPLICATE: 409,
    ErrorCode.CHECKLIST_INCOMPLETE: 409,
    ErrorCode.INVALID_INPUT: 422,
    ErrorCode.IDEMPOTENCY_KEY_REUSED: 422,
    ErrorCode.RATE_LIMITED: 429,
    ErrorCode.SERVER_ERROR: 500,
    ErrorCode.SERVICE_UNAVAILABLE: 503,
}

#: The code of an error known only by its status (an ``HttpError`` raised without one).
DEFAULT_CODE: dict[int, ErrorCode] = {
    400: ErrorCode.VALIDATION_ERROR,
    401: ErrorCode.NOT_AUTHENTICATED,
    403: ErrorCode.PERMISSION_DENIED,
    404: ErrorCode.NOT_FOUND,
    409: ErrorCode.CONFLICT,
    422: ErrorCode.INVALID_INPUT,
    429: ErrorCode.RATE_LIMITED,
}


def codes_for(status: int) -> list[ErrorCode]:
    """The codes a response of ``status`` may carry, in declaration order."""
    return [code for code, code_status in ERROR_STATUS.items() if code_status == status]
