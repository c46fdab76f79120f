"""Numbers typed into forms and query strings (core.forms.form_int)."""

from __future__ import annotations

import pytest

from core.forms import form_int


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("", None),
        (None, None),
        ("x", None),
        ("²", None),
        ("-3", None),
        ("4.5", None),
        (str(2**63), None),
        (str(2**63 - 1), 2**63 - 1),
    ],
)
def test_form_int_takes_only_ascii_digits_a_column_can_hold(raw, expected):
    assert form_int(raw) == expected


def test_form_int_falls_back_to_the_default():
    assert form_int("²", 0) == 0
