"""API plumbing shared by every router: auth, the uniform error body, pagination, idempotency.

Error contract (SPEC §14): every ``4xx`` answers
``{"detail": "...", "code": "...", "errors": [{"field", "message"}]}``: ``detail`` and the messages in
the request's language (``Accept-Language``; otherwise the token owner's profile language;
otherwise zh-hans), ``code`` a stable machine-readable ``core.errors.ErrorCode`` (docs/api.md).
Status codes:

- ``400`` — the body is not a JSON object, or it is well-formed but refers to something unknown or
  breaks a business rule (unknown or foreign ids, a required field of an action, a bad upload);
- ``401`` — no valid bearer token (or wrong credentials for a token); ``403`` — the role may not do
  this (or a session call without its CSRF token); ``404`` — not visible;
- ``409`` — a transition not possible from the current state, a stale ``version``, a duplicate;
- ``422`` — the request does not match the schema (types, missing fields, unknown codes, limits),
  or an ``Idempotency-Key`` reused with a different body.

Input is strict (``StrictIn``): a JSON boolean is not a number, a number is not a date or a text,
and numbers as strings are taken only for money and quantities (documented as strings). Query
strings are text by nature and are parsed from it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth import authenticate
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, RequestDataTooBig, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth
from pydantic import Field

from core.api_schemas import (  # re-exported: the routers import them from here
    ERROR_RESPONSES,
    LAX,
    MAX_ID,
    BadRequestOut,
    ConflictOut,
    Date,
    DateText,
    DateTime,
    DateTimeText,
    DecimalNumber,
    DecimalText,
    ErrorItem,
    ErrorOut,
    ForbiddenOut,
    Hours,
    Id,
    IdCodeName,
    IdName,
    IdNumber,
    InvalidInputOut,
    Latitude,
    Longitude,
    Money,
    MoneyText,
    NotFoundOut,
    NumberText,
    Percent,
    PersonRef,
    RateLimitedOut,
    Share,
    StrictIn,
    TimeText,
    TrainingHours,
    UnauthorizedOut,
    Upload,
)
from core.context import current_user
from core.errors import DEFAULT_CODE, ErrorCode
from core.exceptions import ChecklistIncomplete, OutOfStock, PossibleDuplicate, TransitionNotAllowed, VersionConflict
from core.idempotency import KeyReusedForAnotherRequest, run_once
from core.models import ApiToken
from core.throttle import signin_failed, signin_locked

#: Shared schemas and types re-exported for the routers (``from core.api import Id, ErrorOut…``).
__all__ = [
    "ERROR_RESPONSES",
    "LAX",
    "MAX_ID",
    "BadRequestOut",
    "ConflictOut",
    "Date",
    "DateText",
    "DateTime",
    "DateTimeText",
    "DecimalNumber",
    "DecimalText",
    "ErrorCode",
    "ErrorItem",
    "ErrorOut",
    "ForbiddenOut",
    "Hours",
    "Id",
    "IdCodeName",
    "IdName",
    "IdNumber",
    "InvalidInputOut",
    "Latitude",
    "Longitude",
    "Money",
    "MoneyText",
    "NotFoundOut",
    "NumberText",
    "Percent",
    "PersonRef",
    "RateLimitedOut",
    "Share",
    "StrictIn",
    "TimeText",
    "TrainingHours",
    "UnauthorizedOut",
    "Upload",
]


class FieldHttpError(HttpError):
    """An HTTP error about one named part of the request (a header, the body), with its code."""

    def __init__(self, status_code: int, message: str, *, field: str, code: ErrorCode) -> None:
        super().__init__(status_code, message)
        self.field = field
        self.code = code


# --- request bodies ------------------------------------------------------------------------


class BodyNotAnObject(ValueError):
    pass


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


class JsonObjectParser(Parser):
    """Strict JSON (no NaN/Infinity) whose top level is an object, as every v1 endpoint takes."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body, parse_constant=_refuse_constant, parse_float=_json_number)
        if not isinstance(data, dict):
            raise BodyNotAnObject("not an object")
        path = _path_with_nul(data)
        if path is not None:
            # PostgreSQL cannot store U+0000 in text; refuse it here, naming the field, not with a 500.
            raise ValidationError({path or "body": _("Text may not contain NUL (0x00) characters.")})
        return data


def _json_number(text: str) -> float | int:
    """A JSON number with a fraction or exponent that is whole (``3.0``, ``1e2``) is that integer:
    JSON Schema's ``integer`` includes it, so an id or a count sent so is taken."""
    number = float(text)
    if number.is_integer() and abs(number) <= MAX_ID:
        return int(number)
    return number


def _path_with_nul(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string (key or value) holding U+0000, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return path or "body"
            found = _path_with_nul(item, child)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _path_with_nul(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None


# --- auth ----------------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token or len(token) > 200:
            return None
        record = (
            ApiToken.objects.select_related("user", "user__profile", "user__profile__unit")
            .filter(key_hash=ApiToken.hash_key(token), is_active=True, user__is_active=True)
            .first()
        )
        if record is None:
            return None
        request.user = record.user
        request.api_token = record  # type: ignore[attr-defined]
        current_user.set(record.user)
        _activate_profile_language(request, record.user)
        return record.user


def _activate_profile_language(request: HttpRequest, user: Any) -> None:
    """An explicit ``Accept-Language`` wins; without one, answer in the token owner's language."""
    if request.META.get("HTTP_ACCEPT_LANGUAGE"):
        return
    profile = getattr(user, "profile", None)
    if profile is not None and profile.language:
        translation.activate(profile.language)
        request.LANGUAGE_CODE = profile.language


class SessionAuth(NinjaSessionAuth):
    """The console's own pages call the API with the session cookie (and the CSRF token).

    Only a request that carries a session cookie is checked here (and so for CSRF): without one,
    a missing or wrong bearer token answers 401, not "CSRF check failed" (403).
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.COOKIES.get(self.param_name):
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        """A session that still owes its second factor (core.two_factor) is not signed in here."""
        from core.two_factor import Step, session_step

        user = super().authenticate(request, key)
        if user and session_step(request) != Step.NONE:
            return None
        return user


AUTH = [TokenAuth(), SessionAuth()]


# --- the uniform error body ----------------------------------------------------------------


def error_body(detail: str, errors: dict[str, Any] | None = None, *, code: ErrorCode) -> dict[str, Any]:
    """``{"detail", "code", "errors": [{"field", "message"}]}``; ``code`` from ``core.errors``."""
    items = []
    for field, messages in (errors or {}).items():
        for message in messages if isinstance(messages, list) else [messages]:
            items.append({"field": field, "message": str(message)})
    return {"detail": detail, "code": ErrorCode(code).value, "errors": items}


_SOURCES = {"body", "query", "path", "form", "file", "header", "cookie"}
_WRAPPERS = {"payload", "filters", "data"}


def _field_name(loc: list[Any] | tuple[Any, ...]) -> str:
    """``("body", "payload", "customer")`` → ``customer``; ``("query", "page")`` → ``page``."""
    parts = [str(part) for part in loc]
    if parts and parts[0] in _SOURCES:
        parts = parts[1:]
    if parts and parts[0] in _WRAPPERS:
        parts = parts[1:]
    return ".".join(parts) or "body"


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ValidationError)
    def django_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        if hasattr(exc, "error_dict"):
            errors = {field: [m for e in errs for m in e.messages] for field, errs in exc.error_dict.items()}
        else:
            errors = {"__all__": exc.messages}
        first = next(iter(errors.values()))[0] if errors else ""
        return api.create_response(
            request, error_body(str(first) or _("Invalid input."), errors, code=ErrorCode.VALIDATION_ERROR), status=400
        )

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
        return api.create_response(request, error_body(detail, errors, code=ErrorCode.INVALID_INPUT), status=422)

    @api.exception_handler(TransitionNotAllowed)
    def transition_refused(request: HttpRequest, exc: TransitionNotAllowed) -> HttpResponse:
        body = error_body(exc.message, {"action": exc.message}, code=ErrorCode.INVALID_TRANSITION)
        body.update({"status": exc.status, "allowed_actions": exc.allowed_actions})
        return api.create_response(request, body, status=409)

    @api.exception_handler(ChecklistIncomplete)
    def checklist_incomplete(request: HttpRequest, exc: ChecklistIncomplete) -> HttpResponse:
        body = error_body(exc.message, {"checklist": exc.message}, code=ErrorCode.CHECKLIST_INCOMPLETE)
        body.update({"status": exc.status, "allowed_actions": exc.allowed_actions, "open_items": exc.open_items})
        return api.create_response(request, body, status=409)

    @api.exception_handler(VersionConflict)
    def stale_version(request: HttpRequest, exc: VersionConflict) -> HttpResponse:
        body = error_body(exc.message, {"version": exc.message}, code=ErrorCode.STALE_VERSION)
        body["current_version"] = exc.current_version
        return api.create_response(request, body, status=409)

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return api.create_response(
            request, error_body(str(exc) or _("Permission denied."), code=ErrorCode.PERMISSION_DENIED), status=403
        )

    @api.exception_handler(ObjectDoesNotExist)
    def not_found(request: HttpRequest, exc: ObjectDoesNotExist) -> HttpResponse:
        return api.create_response(request, error_body(_("Not found."), code=ErrorCode.NOT_FOUND), status=404)

    @api.exception_handler(Http404)
    def http_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, error_body(_("Not found."), code=ErrorCode.NOT_FOUND), status=404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request,
            error_body(_("Authentication required: send a valid bearer token."), code=ErrorCode.NOT_AUTHENTICATED),
            status=401,
        )

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if exc.status_code == 400 and cause is not None:
            # ninja wraps any failure of the body parser ("Cannot parse request body").
            if isinstance(cause, ValidationError):  # well-formed JSON with a NUL in a text: a field's fault
                return django_validation(request, cause)
            if isinstance(cause, BodyNotAnObject):
                message = _("The request body must be a JSON object.")
            else:
                message = _("The request body is not valid JSON.")
            body = error_body(message, {"body": message}, code=ErrorCode.MALFORMED_BODY)
            return api.create_response(request, body, status=400)
        if exc.status_code == 403 and "CSRF" in str(exc):
            return api.create_response(
                request,
                error_body(
                    _("CSRF check failed: send the CSRF token or use a bearer token."), code=ErrorCode.CSRF_FAILED
                ),
                status=403,
            )
        if isinstance(exc, FieldHttpError):
            body = error_body(str(exc), {exc.field: str(exc)}, code=exc.code)
            return api.create_response(request, body, status=exc.status_code)
        code = DEFAULT_CODE.get(exc.status_code, ErrorCode.VALIDATION_ERROR)
        return api.create_response(request, error_body(str(exc), code=code), status=exc.status_code)

    @api.exception_handler(MultiPartParserError)
    def unreadable_form(request: HttpRequest, exc: MultiPartParserError) -> HttpResponse:
        # A multipart body without its boundary, or with a broken one (Django answers an HTML 400).
        message = _("The request body is not a valid multipart/form-data body (with its boundary).")
        body = error_body(message, {"body": message}, code=ErrorCode.MALFORMED_BODY)
        return api.create_response(request, body, status=400)

    @api.exception_handler(RequestDataTooBig)
    def body_too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        message = _("The request body is too large.")
        body = error_body(message, {"body": message}, code=ErrorCode.MALFORMED_BODY)
        return api.create_response(request, body, status=400)

    @api.exception_handler(IntegrityError)
    def conflict(request: HttpRequest, exc: IntegrityError) -> HttpResponse:
        message = _("This record conflicts with an existing one.")
        return api.create_response(request, error_body(message, code=ErrorCode.CONFLICT), status=409)

    @api.exception_handler(OutOfStock)
    def out_of_stock(request: HttpRequest, exc: OutOfStock) -> HttpResponse:
        body = error_body(exc.message, {exc.field: exc.message}, code=ErrorCode.OUT_OF_STOCK)
        return api.create_response(request, body, status=409)

    @api.exception_handler(PossibleDuplicate)
    def possible_duplicate(request: HttpRequest, exc: PossibleDuplicate) -> HttpResponse:
        body = error_body(exc.message, {exc.field: exc.message}, code=ErrorCode.POSSIBLE_DUPLICATE)
        body["duplicates"] = exc.duplicates
        return api.create_response(request, body, status=409)


def _localised_schema_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    whole_number = _("Enter a whole number.")
    json_object = _("The request body must be a JSON object.")
    datetime_iso = _("Enter a date and time in ISO 8601 with offset.")
    date_iso = _("Enter a date as YYYY-MM-DD.")
    amount = _("Enter an amount such as 120.00.")
    messages: dict[str, Any] = {
        "missing": _("This field is required."),
        "json_invalid": _("The request body is not valid JSON."),
        "string_type": _("Enter text."),
        "int_parsing": whole_number,
        "int_parsing_size": whole_number,
        "int_type": whole_number,
        "int_from_float": whole_number,
        "float_parsing": _("Enter a number."),
        "float_type": _("Enter a number."),
        "bool_parsing": _("Enter true or false."),
        "bool_type": _("Enter true or false."),
        "date_from_datetime_parsing": date_iso,
        "date_from_datetime_inexact": date_iso,
        "date_parsing": date_iso,
        "date_type": date_iso,
        "datetime_parsing": datetime_iso,
        "datetime_from_date_parsing": datetime_iso,
        "datetime_type": datetime_iso,
        "timezone_aware": datetime_iso,
        "decimal_parsing": amount,
        "decimal_bounded": _("Enter a number from %(minimum)s to %(maximum)s with at most %(places)s decimals.")
        % {key: ctx.get(key, "") for key in ("minimum", "maximum", "places")},
        "decimal_type": amount,
        "finite_number": amount,
        "decimal_max_digits": _("Enter at most %(digits)s digits.") % {"digits": ctx.get("max_digits", "")},
        "decimal_max_places": _("Enter at most %(places)s decimal places.") % {"places": ctx.get("decimal_places", "")},
        "decimal_whole_digits": _("The number is too large."),
        "enum": _("Choose one of the allowed values."),
        "literal_error": _("Choose one of the allowed values."),
        "string_too_long": _("Enter at most %(max)s characters.") % {"max": ctx.get("max_length", "")},
        "string_too_short": _("This field may not be empty."),
        "string_pattern_mismatch": _("The value has the wrong format."),
        "list_type": _("Enter a list."),
        "too_long": _("The list is too long."),
        "model_attributes_type": json_object,
        "model_type": json_object,
        "dict_type": json_object,
        "greater_than": _("The value is too small."),
        "greater_than_equal": _("The value is too small."),
        "less_than": _("The value is too large."),
        "less_than_equal": _("The value is too large."),
        "extra_forbidden": _("Unknown field."),
        "value_error": error.get("msg") or _("Invalid value."),
    }
    message = messages.get(kind, _("Invalid value."))
    if kind in {"enum", "literal_error"} and ctx.get("expected"):
        message = _("Choose one of: %(choices)s.") % {"choices": ctx["expected"]}
    return str(message)


# --- lists ---------------------------------------------------------------------------------


class PageQuery(Schema):
    """``page`` (1-based) and ``page_size`` (1–100) of every list (SPEC §14)."""

    page: int = Field(1, ge=1, le=1_000_000, description="Page number, from 1.")
    page_size: int = Field(20, ge=1, le=100, description="Items per page, 1 to 100.")


def paginate(queryset: Any, *, page: int, page_size: int, serialize: Callable[[Any], Any]) -> dict[str, Any]:
    """``{"items": [...], "count": N}`` with ``page`` (1-based) and ``page_size`` (≤ 100)."""
    if page < 1:
        raise ValidationError({"page": _("Pages start at 1.")})
    if not 1 <= page_size <= 100:
        raise ValidationError({"page_size": _("Choose a page size from 1 to 100.")})
    start = (page - 1) * page_size
    return {"count": queryset.count(), "items": [serialize(item) for item in queryset[start : start + page_size]]}


def person_ref(user: Any) -> dict[str, Any] | None:
    """A user as the API names them on a record (technician, author…): id and display name."""
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


def money_text(value: Decimal | None) -> str | None:
    """An amount as the API answers it: a string with two decimals (see ``Money``)."""
    return None if value is None else f"{value:.2f}"


def local_iso(moment: datetime | None) -> str | None:
    """A moment as the API answers it: ISO 8601 in the site's time zone (with its offset)."""
    return timezone.localtime(moment).isoformat() if moment else None


def parse_id(value: Any, field: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("Enter a numeric id.")}) from None
    if not 1 <= number <= MAX_ID:
        raise ValidationError({field: _("Enter a numeric id.")})
    return number


# --- idempotency ---------------------------------------------------------------------------


def _request_fingerprint(request: HttpRequest) -> str:
    """The same request, however its JSON is spaced or ordered, has the same fingerprint."""
    try:
        raw = request.body or b""
    except RawPostDataException:  # multipart already read: fingerprint the fields and file names/sizes
        parts = sorted((key, value) for key, value in request.POST.items())
        files = sorted((key, getattr(f, "name", ""), getattr(f, "size", 0)) for key, f in request.FILES.items())
        raw = json.dumps([parts, files], default=str).encode()
    else:
        with contextlib.suppress(ValueError, RecursionError):
            raw = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":")).encode()
    digest = hashlib.sha256(request.path.encode())
    digest.update(b"\0")
    digest.update(raw)
    return digest.hexdigest()


def _as_pair(result: Any) -> tuple[int, Any]:
    if isinstance(result, Status):
        return result.status_code, result.value
    status, body = result
    return status, body


def idempotent_create(request: HttpRequest, scope: str, create: Callable[[], Any]) -> Status:
    """Run ``create`` once per ``Idempotency-Key``; a retry gets the first response again.

    ``create`` returns ``Status(code, body)`` (or a ``(code, body)`` pair).

    The key is reserved in the same transaction as the creation, so two concurrent retries
    cannot both create: the second's insert of the key fails, its creation is rolled back and it
    replays the first answer. The same key with a different body is refused (422).
    """
    key = request.headers.get("Idempotency-Key", "").strip()
    if not key:
        return Status(*_as_pair(create()))
    if len(key) > 128:
        raise ValidationError({"Idempotency-Key": _("The idempotency key may be at most 128 characters.")})
    try:
        status, body, _replayed = run_once(
            scope=scope,
            user=request.user,
            key=key,
            fingerprint=_request_fingerprint(request),
            create=lambda: _as_pair(create()),
        )
    except KeyReusedForAnotherRequest:
        message = _("This Idempotency-Key was already used with a different request body.")
        raise FieldHttpError(422, message, field="Idempotency-Key", code=ErrorCode.IDEMPOTENCY_KEY_REUSED) from None
    return Status(status, body)


# --- auth endpoints ------------------------------------------------------------------------

auth_router = Router(tags=["auth"])


class TokenIn(StrictIn):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=4096)


class TokenOut(Schema):
    token: str = Field(description="Send it as `Authorization: Bearer <token>`.")


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    roles: list[str]
    unit: UnitOut | None
    language: str


@auth_router.post(
    "/token",
    response={200: TokenOut, 400: BadRequestOut, 401: UnauthorizedOut, 422: InvalidInputOut, 429: RateLimitedOut},
    auth=None,
    summary="Obtain a bearer token",
    description="Exchange a username and password for a token; wrong credentials answer 401.",
)
def obtain_token(request: HttpRequest, payload: TokenIn) -> Any:
    if signin_locked(request, payload.username):
        message = _("Too many failed sign-ins. Try again in 15 minutes.")
        return Status(429, error_body(message, {"username": message}, code=ErrorCode.RATE_LIMITED))
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        signin_failed(request, payload.username)
        message = _("Wrong username or password.")
        return Status(401, error_body(message, {"password": message}, code=ErrorCode.INVALID_CREDENTIALS))
    return Status(200, {"token": ApiToken.issue(user)})


@auth_router.delete(
    "/token",
    response={204: None, 400: BadRequestOut, 401: UnauthorizedOut, 403: ForbiddenOut},
    summary="Revoke the bearer token of this request",
)
def revoke_token(request: HttpRequest) -> Any:
    record = getattr(request, "api_token", None)
    if record is None:
        message = _("This request was not made with a bearer token.")
        return Status(400, error_body(message, {"Authorization": message}, code=ErrorCode.VALIDATION_ERROR))
    ApiToken.objects.filter(pk=record.pk).update(is_active=False)
    return Status(204, None)


@auth_router.get(
    "/me",
    response={200: MeOut, 401: UnauthorizedOut, 403: ForbiddenOut},
    summary="Who the token belongs to (roles, unit)",
)
def who_am_i(request: HttpRequest) -> Any:
    from core.roles import user_roles

    user: Any = request.user
    profile = getattr(user, "profile", None)
    unit = profile.unit if profile is not None else None
    return {
        "id": user.pk,
        "username": user.get_username(),
        "name": user.get_full_name() or user.get_username(),
        "roles": sorted(user_roles(user)),
        "unit": {"id": unit.pk, "code": unit.code, "name": unit.name, "kind": unit.kind} if unit else None,
        "language": translation.get_language() or "",
    }
