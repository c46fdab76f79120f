from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english_and_fresh_calendars() -> Iterator[None]:
    """Messages are asserted in English (the msgids); cached calendars never leak between tests."""
    from workcalendar import calendar as pure
    from workcalendar.selectors import invalidate_calendars

    invalidate_calendars()
    # The years earlier tests' deadlines ran into (on a day in a year without data, every test's).
    pure._warned_years.clear()
    with translation.override("en"):
        yield
    invalidate_calendars()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The calendar's own tests enter (or assert the absence of) admin holiday data themselves:
    the dated run with TEST_ADMIN_HOLIDAYS leaves them their empty start."""
    for item in items:
        if item.nodeid.startswith("tests/workcalendar/"):
            item.add_marker(pytest.mark.own_holiday_data)
