"""二级核算: a scheme as data, the month's cards of every technician and unit, the director's lock."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kpis.models import Scorecard
from kpis.scorecards import default_scheme, points, scheme_clean, scorecard_lock, scorecards_compute
from tests.kpis.conftest import SH


def test_points_are_linear_between_floor_and_target() -> None:
    item = {"figure": "first_time_fix_rate", "weight": 25, "target": "0.88", "floor": "0.60"}
    assert points(item, Decimal("0.88")) == Decimal("25.00")
    assert points(item, Decimal("0.74")) == Decimal("12.50")
    assert points(item, Decimal("0.5")) == Decimal("0.00")
    assert points(item, None) is None
    lower_better = {"figure": "repeat_repair_rate", "weight": 10, "target": "0", "floor": "0.15"}
    assert points(lower_better, Decimal("0")) == Decimal("10.00")
    assert points(lower_better, Decimal("0.30")) == Decimal("0.00")


def test_a_scheme_is_checked() -> None:
    with pytest.raises(ValidationError):
        scheme_clean([{"figure": "nonsense", "weight": 100, "target": 1, "floor": 0}])
    with pytest.raises(ValidationError):
        scheme_clean([{"figure": "first_time_fix_rate", "weight": 60, "target": 1, "floor": 0}])


@pytest.mark.django_db
def test_monthly_cards_and_the_directors_lock(flow: Any, technician: Any, director: Any, agent: Any, org: Any) -> None:
    at = datetime(2026, 3, 2, 9, tzinfo=SH)
    flow(when=at).accept(at).assign().start().finish().follow_up("satisfied", 5)
    result = scorecards_compute(month=date(2026, 3, 1))
    assert result["written"] >= 2
    card = Scorecard.objects.get(month=date(2026, 3, 1), technician=technician)
    lines = {line["figure"]: line for line in card.lines}
    assert lines["first_time_fix_rate"]["points"] == "25.00"
    assert lines["satisfaction_rate"]["points"] == "25.00"
    assert card.score == Decimal("100.00")
    with pytest.raises(PermissionDenied):
        scorecard_lock(card=card, acting_user=agent)
    scorecard_lock(card=card, acting_user=director)
    again = scorecards_compute(month=date(2026, 3, 1))
    assert again["locked"] == 1
    with pytest.raises(ValidationError):
        scorecard_lock(card=card, acting_user=director)
    assert default_scheme().code == "DEFAULT"
