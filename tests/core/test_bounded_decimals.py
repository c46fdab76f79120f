"""Bounded decimals say in the OpenAPI document exactly what the server takes (issue 10, point 3):
a string only in the documented pattern (which carries the bounds), a JSON number within the
documented minimum and maximum, rounded to the field's decimals."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from core.api_schemas import Hours, Latitude, Longitude, Percent, Share
from sla.models import ServiceLevel

TYPES = {"hours": Hours, "percent": Percent, "latitude": Latitude, "longitude": Longitude, "share": Share}

ACCEPTED = [
    ("hours", "4", Decimal("4")),
    ("hours", "0.5", Decimal("0.5")),
    ("hours", "0.01", Decimal("0.01")),
    ("hours", "99999.99", Decimal("99999.99")),
    ("hours", 2.345, Decimal("2.35")),  # a number is rounded half-up to two decimals
    ("hours", 0.01, Decimal("0.01")),
    ("percent", "0", Decimal("0")),
    ("percent", "100.000", Decimal("100.000")),
    ("percent", 12.3456, Decimal("12.346")),
    ("latitude", "-90", Decimal("-90")),
    ("latitude", "31.230416", Decimal("31.230416")),
    ("longitude", "180.0", Decimal("180.0")),
    ("longitude", "-121.4737011", None),  # seven decimals as a string: refused (see below)
    ("share", "0.05", Decimal("0.05")),
    ("share", "0.50", Decimal("0.50")),
    ("share", "1", Decimal("1")),
    ("share", 0.0001, Decimal("0.0001")),
]

REFUSED = [
    ("hours", "0"),
    ("hours", "0.00"),
    ("hours", "04"),  # not in the documented pattern
    ("hours", "1.001"),
    ("hours", "100000"),
    ("hours", ""),
    ("hours", 0),
    ("hours", 0.004),  # below the minimum before rounding: never rounded into it
    ("hours", 99999.995),
    ("hours", 1e300),
    ("hours", True),
    ("percent", "100.5"),
    ("percent", "-1"),
    ("latitude", "90.5"),
    ("latitude", 91),
    ("longitude", "181"),
    ("share", "0"),
    ("share", "0.0000"),
    ("share", "1.5"),
    ("share", 0.00004),
]


@pytest.mark.parametrize(("kind", "value", "expected"), ACCEPTED, ids=lambda v: repr(v))
def test_documented_values_are_taken(kind: str, value: object, expected: Decimal | None) -> None:
    adapter = TypeAdapter(TYPES[kind])
    if expected is None:
        with pytest.raises(ValidationError):
            adapter.validate_python(value)
        return
    assert adapter.validate_python(value) == expected


@pytest.mark.parametrize(("kind", "value"), REFUSED, ids=lambda v: repr(v))
def test_undocumented_values_are_refused(kind: str, value: object) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(TYPES[kind]).validate_python(value)


@pytest.mark.parametrize("kind", sorted(TYPES))
def test_the_document_states_the_pattern_and_the_bounds_the_server_applies(kind: str) -> None:
    schema = TypeAdapter(TYPES[kind]).json_schema()
    text, number = schema["anyOf"]
    pattern = re.compile(text["pattern"])
    for kind_, value, expected in ACCEPTED:
        if kind_ == kind and isinstance(value, str):
            assert bool(pattern.fullmatch(value)) == (expected is not None), value
    for kind_, value in REFUSED:
        if kind_ == kind and isinstance(value, str):
            assert not pattern.fullmatch(value), value
    low, high = Decimal(str(number["minimum"])), Decimal(str(number["maximum"]))
    adapter = TypeAdapter(TYPES[kind])
    assert adapter.validate_python(float(low)) == low and adapter.validate_python(float(high)) == high
    # "ge"/"max_digits" are pydantic's words, not JSON Schema's: the document never shows them.
    assert not {"ge", "gt", "le", "lt", "max_digits", "decimal_places"} & set(schema)


@pytest.mark.parametrize("hours", ["0", "04", 0.001, "1.005"])
def test_a_service_level_target_outside_the_document_is_refused_naming_the_field(
    api_as: Any, director: Any, hours: object
) -> None:
    response = api_as(director).post(
        "/api/v1/service-levels",
        json.dumps({"code": "Z1", "name": "零", "calendar": "24x7", "response_hours": hours}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [error["field"] for error in response.json()["errors"]] == ["response_hours"]
    assert not ServiceLevel.objects.filter(code="Z1").exists()


def test_a_number_target_is_rounded_to_hundredths_of_an_hour(api_as: Any, director: Any) -> None:
    response = api_as(director).post(
        "/api/v1/service-levels",
        json.dumps({"code": "Z2", "name": "二", "calendar": "24x7", "response_hours": 2.345}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert ServiceLevel.objects.get(code="Z2").response_hours == Decimal("2.35")


def test_the_refusal_says_the_range_and_the_decimals_in_chinese(api_as: Any, director: Any) -> None:
    response = api_as(director).post(
        "/api/v1/service-levels",
        json.dumps({"code": "Z3", "name": "三", "calendar": "24x7", "response_hours": "1.005"}),
        content_type="application/json",
    )
    assert response.json()["errors"] == [
        {"field": "response_hours", "message": "请输入 0.01 到 99999.99 之间、最多 2 位小数的数字。"}
    ]


@pytest.mark.parametrize(
    ("value", "taken"),
    [
        ("0.5", True),
        ("2", True),
        ("199.9", True),
        ("200.0", True),
        (0.54, True),
        ("0", False),
        ("0.4", False),
        ("05", False),
        ("200.1", False),
        ("1.25", False),
        ("", False),
    ],
)
def test_training_hours_take_half_an_hour_to_two_hundred_with_one_decimal(value: object, taken: bool) -> None:
    from core.api_schemas import TrainingHours

    adapter = TypeAdapter(TrainingHours)
    if taken:
        assert Decimal("0.5") <= adapter.validate_python(value) <= Decimal("200")
    else:
        with pytest.raises(ValidationError):
            adapter.validate_python(value)
