"""Software / firmware versions compared numerically part by part (SPEC §14.2: 1.9 < 1.10 < 2.0),
in Python for the campaign's own bound and **in SQL** for the devices (ADR 0022).

A device's ``firmware_version`` is free text as the label or the service menu shows it
(``V3.2.18（2019 版人民币）``, ``BIOS 1.12.0``, ``GT800_V1.9.0``, ``Version 7.1.070, Release 6329``):
its version is the first dotted number in it (``3.2.18``, ``1.12.0``, ``1.9.0``, ``7.1.070``), or
the whole text when it is a bare number (``V7``). A text with neither has no version and never
matches "firmware below". The bound a campaign names must itself be a clean version
(``2.0``, ``V3.4.10``); anything else is refused naming the field.

Comparison is the one of integer tuples: (1, 9) < (1, 10) < (2, 0), and a shorter version that is
a prefix of a longer one comes first: (1, 9) < (1, 9, 0). PostgreSQL compares ``numeric[]`` arrays
exactly so; SQLite compares a sortable key (each part zero-padded to ``PART_WIDTH`` digits, joined
by dots) computed by a function registered on each connection."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import BooleanField, Expression, F, Func
from django.utils.translation import gettext as _

PART_WIDTH = 12
#: The campaign's bound: an optional v, then dotted numbers.
BOUND_RE = re.compile(r"^[vV]?(\d{1,12}(?:\.\d{1,12}){0,15})$")
#: Within a device's text: the first dotted number, or a bare number.
DOTTED_RE = re.compile(r"\d+(?:\.\d+)+")
BARE_RE = re.compile(r"^\s*[vV]?(\d+)\s*$")

#: The same two patterns for PostgreSQL's regular expressions (ARE).
PG_DOTTED = r"[0-9]+(?:\.[0-9]+)+"
PG_BARE = r"^\s*[vV]?([0-9]+)\s*$"
SQLITE_FUNCTION = "campaigns_version_key"


def version_parse_bound(text: str, *, field: str = "firmware_below") -> tuple[int, ...]:
    """The parts of a campaign's version bound, or ``ValueError`` naming why (the caller names the field)."""
    match = BOUND_RE.match((text or "").strip())
    if match is None:
        raise ValueError(
            _("“%(value)s” is not a version: use numbers separated by dots, e.g. 2.0 or 3.4.10.")
            % {"value": (text or "")[:64]}
        )
    return tuple(int(part) for part in match.group(1).split("."))


def version_of_device_text(text: str | None) -> tuple[int, ...] | None:
    """The version in a device's firmware text (see the module), or None when it has none."""
    if not text:
        return None
    match = DOTTED_RE.search(text)
    digits = match.group(0) if match else None
    if digits is None:
        bare = BARE_RE.match(text)
        digits = bare.group(1) if bare else None
    if digits is None:
        return None
    parts = digits.split(".")
    if any(len(part.lstrip("0")) > PART_WIDTH for part in parts):
        return None
    return tuple(int(part) for part in parts)


def version_key(parts: tuple[int, ...]) -> str:
    """A text that sorts as the integer tuple does (SQLite's side of the comparison)."""
    return ".".join(str(part).zfill(PART_WIDTH) for part in parts)


def sqlite_version_key(text: str | None) -> str | None:
    """The SQL function ``campaigns_version_key(text)`` on SQLite connections."""
    parts = version_of_device_text(text)
    return version_key(parts) if parts is not None else None


def version_text(parts: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in parts)


class VersionBelow(Func):
    """``firmware_version`` (any text column) is a version strictly below ``bound``, in SQL.

    PostgreSQL: the first dotted number of the text as ``numeric[]``, compared with the bound's
    array; SQLite: the registered key function, compared with the bound's key. A text without a
    version gives NULL, which is not below anything."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, expression: str | Expression, bound: tuple[int, ...]) -> None:
        super().__init__(F(expression) if isinstance(expression, str) else expression)
        self.bound = tuple(int(part) for part in bound)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        column, params = compiler.compile(self.source_expressions[0])
        if connection.vendor == "postgresql":
            text = f"COALESCE(substring({column} from %s), substring({column} from %s))"
            sql = f"(string_to_array({text}, '.')::numeric[] < %s::numeric[])"
            return sql, [*params, PG_DOTTED, *params, PG_BARE, list(self.bound)]
        return f"({SQLITE_FUNCTION}({column}) < %s)", [*params, version_key(self.bound)]


def register_sqlite_function(sender: Any, connection: Any, **kwargs: Any) -> None:
    """``connection_created``: give each SQLite connection the key function (deterministic, so
    the planner may use it in indexes and constant folding)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, sqlite_version_key, deterministic=True)
