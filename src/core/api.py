"""API plumbing shared by every router: auth, the uniform error body, pagination, idempotency."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from core.context import current_user
from core.exceptions import TransitionNotAllowed, VersionConflict
from core.models import ApiToken, IdempotencyRecord


class ErrorItem(Schema):
    field: str
    message: str


class ErrorOut(Schema):
    detail: str
    errors: list[ErrorItem] = []


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        record = (
            ApiToken.objects.select_related("user", "user__profile")
            .filter(key_hash=ApiToken.hash_key(token), is_active=True, user__is_active=True)
            .first()
        )
        if record is None:
            return None
        request.user = record.user
        current_user.set(record.user)
        return record.user


class SessionAuth:
    """The console's own pages call the API with the session cookie (and the CSRF token)."""

    def __call__(self, request: HttpRequest) -> Any:
        return django_auth(request)


AUTH = [TokenAuth(), django_auth]


def error_body(detail: str, errors: dict[str, Any] | None = None) -> dict[str, Any]:
    items = []
    for field, messages in (errors or {}).items():
        for message in messages if isinstance(messages, list) else [messages]:
            items.append({"field": field, "message": str(message)})
    return {"detail": detail, "errors": items}


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    parts = [str(part) for part in loc if part not in ("body", "query", "path", "form", "payload", "data")]
    return ".".join(parts) or "body"


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def django_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = {field: [m for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
        else:
            errors = {"__all__": exc.messages}
        first = next(iter(errors.values()))[0] if errors else ""
        return api.create_response(request, error_body(str(first) or _("Invalid input."), errors), status=400)

    @api.exception_handler(NinjaValidationError)
    def schema_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        errors: dict[str, list[str]] = {}
        for error in exc.errors:
            field = _field_name(error.get("loc", ()))
            errors.setdefault(field, []).append(_localised_schema_message(error))
        first_field = next(iter(errors), "body")
        detail = (
            _("Invalid input in “%(field)s”: %(message)s") % {"field": first_field, "message": errors[first_field][0]}
            if errors
            else _("Invalid input.")
        )
        return api.create_response(request, error_body(detail, errors), status=422)

    @api.exception_handler(TransitionNotAllowed)
    def transition_refused(request: HttpRequest, exc: TransitionNotAllowed) -> HttpResponse:
        body = error_body(exc.message, {"action": exc.message})
        body.update({"status": exc.status, "allowed_actions": exc.allowed_actions})
        return api.create_response(request, body, status=409)

    @api.exception_handler(VersionConflict)
    def stale_version(request: HttpRequest, exc: VersionConflict) -> HttpResponse:
        body = error_body(exc.message, {"version": exc.message})
        body["current_version"] = exc.current_version
        return api.create_response(request, body, status=409)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(request, error_body(str(exc) or _("Permission denied.")), status=403)

    @api.exception_handler(ObjectDoesNotExist)
    def not_found(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
        return api.create_response(request, error_body(_("Not found.")), status=404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, error_body(_("Authentication required: send a valid bearer token.")), status=401
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        return api.create_response(request, error_body(str(exc)), status=exc.status_code)

    @api.exception_handler(IntegrityError)
    def conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        return api.create_response(request, error_body(_("This record conflicts with an existing one.")), status=409)


def _localised_schema_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    messages = {
        "missing": _("This field is required."),
        "json_invalid": _("The request body is not valid JSON."),
        "string_type": _("Enter text."),
        "int_parsing": _("Enter a whole number."),
        "int_type": _("Enter a whole number."),
        "bool_parsing": _("Enter true or false."),
        "date_from_datetime_parsing": _("Enter a date as YYYY-MM-DD."),
        "date_parsing": _("Enter a date as YYYY-MM-DD."),
        "datetime_parsing": _("Enter a date and time in ISO 8601 with offset."),
        "datetime_from_date_parsing": _("Enter a date and time in ISO 8601 with offset."),
        "decimal_parsing": _("Enter an amount such as 120.00."),
        "enum": _("Choose one of the allowed values."),
        "literal_error": _("Choose one of the allowed values."),
        "string_too_long": _("The text is too long."),
        "string_too_short": _("This field may not be empty."),
        "model_attributes_type": _("The request body must be a JSON object."),
        "dict_type": _("The request body must be a JSON object."),
        "greater_than_equal": _("The value is too small."),
        "less_than_equal": _("The value is too large."),
        "value_error": error.get("msg", _("Invalid value.")),
    }
    message = messages.get(kind, _("Invalid value."))
    if kind in {"enum", "literal_error"} and error.get("ctx", {}).get("expected"):
        message = _("Choose one of: %(choices)s.") % {"choices": error["ctx"]["expected"]}
    return str(message)


# --- lists ---------------------------------------------------------------------------------


def paginate(queryset: Any, *, page: int, page_size: int, serialize: Callable[[Any], Any]) -> dict[str, Any]:
    """``{"items": [...], "count": N}`` with ``page`` (1-based) and ``page_size`` (≤ 100)."""
    if page < 1:
        raise ValidationError({"page": _("Pages start at 1.")})
    if not 1 <= page_size <= 100:
        raise ValidationError({"page_size": _("Choose a page size from 1 to 100.")})
    start = (page - 1) * page_size
    return {"count": queryset.count(), "items": [serialize(item) for item in queryset[start : start + page_size]]}


def parse_id(value: Any, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a numeric id.")}) from None
    if number <= 0:
        raise ValidationError({field: _("Enter a numeric id.")})
    return number


# --- idempotency ---------------------------------------------------------------------------


def idempotent_create(request: HttpRequest, scope: str, create: Callable[[], tuple[int, dict[str, Any]]]) -> Any:
    """Run ``create`` once per ``Idempotency-Key``; a retry gets the first response again.

    The key is reserved in the same transaction as the creation, so two concurrent retries
    cannot both create: the second waits on the unique row and then replays.
    """
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        status, body = create()
        return status, body
    if len(key) > 128:
        raise ValidationError({"Idempotency-Key": _("The idempotency key may be at most 128 characters.")})
    user = request.user if request.user.is_authenticated else None
    fingerprint = hashlib.sha256(request.body or b"").hexdigest()
    existing = IdempotencyRecord.objects.filter(scope=scope, user=user, key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                status, body = create()
                IdempotencyRecord.objects.create(
                    scope=scope,
                    user=user,
                    key=key,
                    request_hash=fingerprint,
                    status_code=status,
                    response=json.loads(json.dumps(body, default=str)),
                )
                return status, body
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(scope=scope, user=user, key=key).first()
            if existing is None:
                raise
    if existing.request_hash != fingerprint:
        raise HttpError(422, _("This Idempotency-Key was already used with a different request body."))
    return existing.status_code, existing.response


# --- auth endpoint -------------------------------------------------------------------------

auth_router = Router(tags=["auth"])


class TokenIn(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@auth_router.post("/token", response={200: TokenOut, 400: ErrorOut}, auth=None)
def obtain_token(request: HttpRequest, payload: TokenIn) -> Any:
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        return 400, error_body(_("Wrong username or password."), {"password": _("Wrong username or password.")})
    return 200, {"token": ApiToken.issue(user)}
