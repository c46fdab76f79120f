"""The population of a selection against hand-computed sets (issue 14), and the version order."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from campaigns.selectors import population, population_count
from campaigns.services import selection_clean
from campaigns.versions import version_key, version_of_device_text, version_parse_bound
from tests.campaigns.conftest import FLEET


def _serials(user: Any, **selection: Any) -> set[str]:
    clean = selection_clean(user=user, **{"product_models": ["JL-2000"], **selection})
    rows = set(population(user=user, selection=clean).values_list("serial_number", flat=True))
    assert population_count(user=user, selection=clean) == len(rows)
    return rows


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        pytest.param({}, {"SN-001", "SN-002", "SN-003", "SN-004", "SN-005", "SN-006", "SN-007"}, id="model-only"),
        # 1.9 < 1.10; 1.9.5 < 1.10; 1.10, 1.12.0, 2.0, 3.2.18 are not; no version never matches
        pytest.param({"firmware_below": "1.10"}, {"SN-001", "SN-004"}, id="below-1.10"),
        pytest.param({"firmware_below": "2.0"}, {"SN-001", "SN-002", "SN-004", "SN-007"}, id="below-2.0"),
        pytest.param(
            {"firmware_below": "V3.2.18"}, {"SN-001", "SN-002", "SN-003", "SN-004", "SN-007"}, id="below-3.2.18"
        ),
        pytest.param({"firmware_below": "1.9"}, set(), id="below-1.9"),
        pytest.param(
            {"firmware_below": "2.0", "serial_from": "SN-002", "serial_to": "SN-005"},
            {"SN-002", "SN-004"},
            id="serials",
        ),
        pytest.param({"firmware_below": "2.0", "region": "110108"}, {"SN-004"}, id="region"),
        pytest.param(
            {"installed_from": date(2025, 1, 1), "installed_to": date(2025, 3, 31)},
            {"SN-001", "SN-002", "SN-004"},
            id="installed",
        ),
    ],
)
def test_population_matches_the_hand_computed_set(fleet: Any, director: Any, selection: Any, expected: Any) -> None:
    assert _serials(director, **selection) == expected


def test_a_unit_selects_its_devices_and_those_below(fleet: Any, director: Any, org: Any) -> None:
    assert _serials(director, unit=org.centre.pk) == {"SN-001", "SN-002", "SN-003", "SN-007"}
    assert _serials(director, unit=org.station_b.pk) == {"SN-004", "SN-005", "SN-006"}


def test_a_station_counts_only_its_own_devices(fleet: Any, station_a_user: Any) -> None:
    assert _serials(station_a_user, firmware_below="2.0") == {"SN-001", "SN-002", "SN-007"}


def test_the_sql_comparison_agrees_with_python_for_every_bound(fleet: Any, director: Any) -> None:
    """Any bound: the SQL set equals the set Python computes from the same texts."""
    for bound in ["0.1", "1", "1.9", "1.9.5", "1.9.6", "1.10", "1.10.0", "1.11", "1.12", "2", "2.0", "3.2.18", "10"]:
        parts = version_parse_bound(bound)
        expected = {
            serial
            for serial, (model, _owner, firmware, _installed, active) in FLEET.items()
            if model == "S" and active and (v := version_of_device_text(firmware)) is not None and v < parts
        }
        assert _serials(director, firmware_below=bound) == expected, bound


def test_versions_compare_numerically_part_by_part() -> None:
    assert version_parse_bound("1.9") < version_parse_bound("1.10") < version_parse_bound("2.0")
    assert version_key((1, 9)) < version_key((1, 10)) < version_key((2, 0))
    assert version_key((1, 9)) < version_key((1, 9, 0))
    assert version_of_device_text("V3.2.18（2019 版人民币）") == (3, 2, 18)
    assert version_of_device_text("GT06N_V2.3.5") == (2, 3, 5)
    assert version_of_device_text("Version 7.1.070, Release 6329") == (7, 1, 70)
    assert version_of_device_text("V7") == (7,)
    assert version_of_device_text("unknown") is None


@pytest.mark.parametrize("bound", ["1.x", "abc", "1..2", "1.2.", "v", "2.0-beta"])
def test_an_unparseable_bound_names_the_field(fleet: Any, director: Any, bound: str) -> None:
    with pytest.raises(ValidationError) as error:
        selection_clean(user=director, product_models=["JL-2000"], firmware_below=bound)
    assert "firmware_below" in error.value.message_dict
