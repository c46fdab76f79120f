"""Schemas every router shares: strict input types, the text types answers use, the error bodies.

Input (``StrictIn``): request bodies are validated strictly — a JSON boolean is not a number, a
number is not a date, a time or a text, and a number written as a string is refused except where
the API documents it as a string (money, quantities, decimals). Choices (enums), dates and times
are read from their JSON strings. Query strings and path parameters are text by nature and are
parsed from it (``PageQuery`` and the other query schemas stay lax), but a date or a moment there
is still never a bare number (``day=0`` is not 1 January 1970).

Output: answers are built as JSON-ready dicts by each app's serialisers, so the text types below
(``DateTimeText``, ``DateText``, ``MoneyText``…) pass the strings through unchanged and only tell
the OpenAPI document their format.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from ninja.files import UploadedFile
from pydantic import BeforeValidator, ConfigDict, Field, Strict, WithJsonSchema
from pydantic_core import PydanticCustomError

from core.errors import ErrorCode

#: The largest id a database integer column holds; larger numbers are refused by the schema.
MAX_ID = 2**63 - 1

#: Field metadata: read this value leniently (from its JSON string) inside a ``StrictIn`` body.
LAX = Strict(False)


class StrictIn(Schema):
    """Base of every request body: strict types (see the module docstring)."""

    model_config = ConfigDict(strict=True)


# --- input types ---------------------------------------------------------------------------

#: A bare number in a string: pydantic would read it as a Unix time ("0" → 1 January 1970).
_NUMBER_TEXT = re.compile(r"^\s*[+-]?\d+(\.\d*)?\s*$")


def _date_text(value: Any) -> Any:
    """A date is a ``YYYY-MM-DD`` string (or already a date): never a number or a boolean."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        if _NUMBER_TEXT.match(value):
            raise PydanticCustomError("date_parsing", "Input should be a date as YYYY-MM-DD")
        return value
    raise PydanticCustomError("date_type", "Input should be a date as YYYY-MM-DD")


def _datetime_text(value: Any) -> Any:
    """A moment is an ISO 8601 string (or already a datetime): never a number (no Unix times)."""
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        if _NUMBER_TEXT.match(value):
            raise PydanticCustomError("datetime_parsing", "Input should be a date and time in ISO 8601")
        return value
    raise PydanticCustomError("datetime_type", "Input should be a date and time in ISO 8601")


def _not_a_boolean(value: Any) -> Any:
    """``true``/``false`` are not amounts or quantities (Python's ``bool`` is an ``int``)."""
    if isinstance(value, bool):
        raise PydanticCustomError("decimal_type", "Input should be a number or a string with a number")
    return value


Date = Annotated[date, LAX, BeforeValidator(_date_text)]
DateTime = Annotated[datetime, LAX, BeforeValidator(_datetime_text)]
Id = Annotated[int, Field(ge=1, le=MAX_ID, description="A record id (positive integer).")]
#: A decimal number: a JSON number or a string with one (documented as both), never a boolean.
DecimalNumber = Annotated[Decimal, LAX, BeforeValidator(_not_a_boolean)]


def bounded_decimal(*, minimum: str, maximum: str, places: int, pattern: str, example: str) -> Any:
    """A bounded decimal the OpenAPI document can state exactly, in both of its forms.

    A string is the exact form: ``pattern`` admits precisely the values within the bounds with at
    most ``places`` decimals (JSON Schema has no numeric bounds for a string, so the pattern says
    them), and the server refuses any other string. A JSON number is a binary float with no exact
    decimal places, so it is documented with ``minimum``/``maximum`` only and rounded half-up to
    ``places`` (the bounds are such that rounding keeps a value inside them)."""
    text = re.compile(pattern)
    step = Decimal(1).scaleb(-places)
    low, high = Decimal(minimum), Decimal(maximum)

    def _exact_text_or_rounded_number(value: Any) -> Any:
        value = _not_a_boolean(value)
        if isinstance(value, str):
            if not text.fullmatch(value):
                raise PydanticCustomError(
                    "decimal_bounded",
                    "Input should be a number from {minimum} to {maximum} with at most {places} decimals",
                    {"minimum": minimum, "maximum": maximum, "places": places},
                )
            return Decimal(value)
        if isinstance(value, int | float):
            number = Decimal(repr(value))
            if not number.is_finite() or not low <= number <= high:
                return number  # refused by the bounds below, before any rounding could bring it in
            return number.quantize(step, rounding=ROUND_HALF_UP)
        return value

    return Annotated[
        Decimal,
        LAX,
        BeforeValidator(_exact_text_or_rounded_number),
        Field(ge=low, le=high),
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "string", "pattern": pattern},
                    {"type": "number", "minimum": float(minimum), "maximum": float(maximum)},
                ],
                "examples": [example],
            }
        ),
    ]


#: Hours of a service-level target: 0.01 to 99,999.99, two decimals.
Hours = bounded_decimal(
    minimum="0.01",
    maximum="99999.99",
    places=2,
    pattern=r"^([1-9]\d{0,4}(\.\d{1,2})?|0\.(0[1-9]|[1-9]\d?))$",
    example="4.00",
)
#: A percentage from 0 to 100 with up to three decimals (depreciation per day of use).
Percent = bounded_decimal(
    minimum="0", maximum="100", places=3, pattern=r"^(100(\.0{1,3})?|\d{1,2}(\.\d{1,3})?)$", example="0.100"
)
#: An uploaded file (a multipart part with a filename): an empty one is refused ("The file is empty"),
#: and the document says so, so that no client sends one as valid.
Upload = Annotated[UploadedFile, WithJsonSchema({"type": "string", "format": "binary", "minLength": 1})]
#: A share of a population (a random sample's size): 0.0001 to 1, four decimals.
Share = bounded_decimal(
    minimum="0.0001",
    maximum="1",
    places=4,
    pattern=r"^(1(\.0{1,4})?|0\.([1-9]\d{0,3}|0[1-9]\d{0,2}|00[1-9]\d?|000[1-9]))$",
    example="0.05",
)
#: Hours a training lasted: 0.5 to 200, one decimal (the form's 时长).
TrainingHours = bounded_decimal(
    minimum="0.5",
    maximum="200",
    places=1,
    pattern=r"^(200(\.0)?|1\d{2}(\.\d)?|[1-9]\d?(\.\d)?|0\.[5-9])$",
    example="2.0",
)
#: Degrees of latitude (−90 to 90) and longitude (−180 to 180), six decimals (about 0.1 m).
Latitude = bounded_decimal(
    minimum="-90", maximum="90", places=6, pattern=r"^-?(90(\.0{1,6})?|[1-8]?\d(\.\d{1,6})?)$", example="31.230416"
)
Longitude = bounded_decimal(
    minimum="-180",
    maximum="180",
    places=6,
    pattern=r"^-?(180(\.0{1,6})?|(1[0-7]\d|[1-9]?\d)(\.\d{1,6})?)$",
    example="121.473701",
)

#: Money (SPEC §14): documented as a string with at most two decimals; a JSON number is accepted too.
MONEY_PATTERN = r"^\d{1,10}(\.\d{1,2})?$"
Money = Annotated[
    Decimal,
    LAX,
    BeforeValidator(_not_a_boolean),
    Field(ge=0, max_digits=12, decimal_places=2),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": MONEY_PATTERN},
                {"type": "number", "minimum": 0, "maximum": 9999999999.99, "multipleOf": 0.01},
            ],
            "examples": ["120.00"],
        }
    ),
]
#: An amount or quantity the service parses itself (and names the field when it is bad):
#: a string or a JSON number, never a boolean.
NumberText = Annotated[str | int | Annotated[Decimal, LAX], BeforeValidator(_not_a_boolean)]


# --- output types --------------------------------------------------------------------------

DateTimeText = Annotated[
    str, WithJsonSchema({"type": "string", "format": "date-time", "examples": ["2026-03-02T09:30:00+08:00"]})
]
DateText = Annotated[str, WithJsonSchema({"type": "string", "format": "date", "examples": ["2026-03-02"]})]
TimeText = Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^\d{2}:\d{2}$", "examples": ["09:00"]})]
MoneyText = Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$", "examples": ["120.00"]})]
DecimalText = Annotated[str, WithJsonSchema({"type": "string", "format": "decimal", "examples": ["2.50"]})]


class PersonRef(Schema):
    """A user named on a record (technician, author…)."""

    id: int
    name: str


class IdName(Schema):
    id: int
    name: str


class IdCodeName(Schema):
    id: int
    code: str
    name: str


class IdNumber(Schema):
    """A work order (or another numbered record) named on a record."""

    id: int
    number: str


# --- error bodies --------------------------------------------------------------------------


class ErrorItem(Schema):
    field: str = Field(description="The part of the request at fault: a body field (dotted path), a parameter…")
    message: str


class ErrorOut(Schema):
    """The uniform error body; ``code`` is stable and machine-readable, the texts are localised."""

    detail: str
    code: ErrorCode = Field(description="Why the request was refused (docs/api.md).")
    errors: list[ErrorItem]


class BadRequestOut(ErrorOut):
    """400: a business rule or an unknown reference (``validation_error``), or a body that is not a
    JSON object (``malformed_body``)."""

    code: Literal[ErrorCode.VALIDATION_ERROR, ErrorCode.MALFORMED_BODY]  # type: ignore[assignment]


class UnauthorizedOut(ErrorOut):
    """401: no valid bearer token (``not_authenticated``) or wrong credentials (``invalid_credentials``)."""

    code: Literal[ErrorCode.NOT_AUTHENTICATED, ErrorCode.INVALID_CREDENTIALS]  # type: ignore[assignment]


class ForbiddenOut(ErrorOut):
    """403: the role may not (``permission_denied``), or a session call without CSRF token (``csrf_failed``)."""

    code: Literal[ErrorCode.PERMISSION_DENIED, ErrorCode.CSRF_FAILED]  # type: ignore[assignment]


class NotFoundOut(ErrorOut):
    """404: no such record, or not visible to the caller."""

    code: Literal[ErrorCode.NOT_FOUND] = Field(json_schema_extra={"enum": [ErrorCode.NOT_FOUND.value]})  # type: ignore[assignment]


class DuplicateOut(Schema):
    """A record the refused creation may duplicate (``possible_duplicate``)."""

    kind: Literal["customer", "work_order"]
    id: int
    label: str = Field(description="The customer's name and phone, or the order's number.")
    reasons: list[str] = Field(
        description="Stable codes: same_phone, other_phone, same_name (customers); open_order_same_device (orders)."
    )


class OpenChecklistItemOut(Schema):
    """An item of the visit code of conduct that is neither ticked nor explained (``checklist_incomplete``)."""

    item: str = Field(description="The item's code, as in GET /field/jobs/{id}/checklist.")
    label: str


class ConflictOut(ErrorOut):
    """409: a refused transition (``invalid_transition``) names the current ``status`` and the
    ``allowed_actions``; a stale edit (``stale_version``) names the ``current_version``; a possible
    duplicate (``possible_duplicate``) lists the existing records in ``duplicates``; work held up
    by its checklist (``checklist_incomplete``) names the ``open_items``."""

    code: Literal[  # type: ignore[assignment]
        ErrorCode.INVALID_TRANSITION,
        ErrorCode.STALE_VERSION,
        ErrorCode.CONFLICT,
        ErrorCode.OUT_OF_STOCK,
        ErrorCode.POSSIBLE_DUPLICATE,
        ErrorCode.CHECKLIST_INCOMPLETE,
    ]
    status: str | None = None
    allowed_actions: list[str] | None = None
    current_version: int | None = None
    duplicates: list[DuplicateOut] | None = None
    open_items: list[OpenChecklistItemOut] | None = None


class InvalidInputOut(ErrorOut):
    """422: the request does not match the schema (``invalid_input``), or an ``Idempotency-Key``
    reused with another body (``idempotency_key_reused``)."""

    code: Literal[ErrorCode.INVALID_INPUT, ErrorCode.IDEMPOTENCY_KEY_REUSED]  # type: ignore[assignment]


class RateLimitedOut(ErrorOut):
    """429: too many attempts; wait before trying again."""

    code: Literal[ErrorCode.RATE_LIMITED] = Field(json_schema_extra={"enum": [ErrorCode.RATE_LIMITED.value]})  # type: ignore[assignment]


class ServerErrorOut(ErrorOut):
    """500: an error of the server (``server_error``, a fault to report); 503: the database cannot
    be reached for a moment (``service_unavailable``) — try again after ``Retry-After`` seconds."""

    code: Literal[ErrorCode.SERVER_ERROR, ErrorCode.SERVICE_UNAVAILABLE]  # type: ignore[assignment]


#: The error answers every endpoint may give, for its ``response=`` declaration.
ERROR_RESPONSES: dict[int, Any] = {
    400: BadRequestOut,
    401: UnauthorizedOut,
    403: ForbiddenOut,
    404: NotFoundOut,
    409: ConflictOut,
    422: InvalidInputOut,
    500: ServerErrorOut,
    503: ServerErrorOut,
}
