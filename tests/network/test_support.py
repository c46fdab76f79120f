"""Technical support: a station escalates its order, HQ answers remotely or sends a team, and
the order's timeline shows each step; another station never sees the request."""

from __future__ import annotations

from typing import Any

import pytest

from network.models import SupportRequest
from workorders.models import TimelineEvent

pytestmark = pytest.mark.django_db


def _escalate(api_as: Any, user: Any, order: Any) -> Any:
    return api_as(user).post(
        "/api/v1/network/support-requests",
        {"work_order": order.pk, "reason": "diagnosis", "question": "更换电源板后仍不开机"},
        content_type="application/json",
    )


def _network_events(order: Any) -> list[str]:
    return [
        e.data.get("network")
        for e in TimelineEvent.objects.filter(order=order).order_by("at", "id")
        if isinstance(e.data, dict) and e.data.get("network")
    ]


def test_escalate_answer_and_timeline(march_order: Any, station_a_user: Any, director: Any, api_as: Any) -> None:
    response = _escalate(api_as, station_a_user, march_order)
    assert response.status_code == 201, response.content
    support = response.json()
    assert support["station"]["id"] == march_order.unit_id and support["status"] == "open"
    assert _escalate(api_as, station_a_user, march_order).status_code == 400  # one open request per order
    answered = api_as(director).post(
        f"/api/v1/network/support-requests/{support['id']}/answer",
        {"answer": "检查主板保险丝 F2"},
        content_type="application/json",
    )
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    assert _network_events(march_order) == ["support_escalated", "support_answered"]
    again = api_as(director).post(
        f"/api/v1/network/support-requests/{support['id']}/send-team",
        {"team": "总部技术组 李工", "visit_at": "2026-03-05T09:00:00+08:00"},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_send_team(march_order: Any, station_a_user: Any, director: Any, api_as: Any) -> None:
    support = _escalate(api_as, station_a_user, march_order).json()
    sent = api_as(director).post(
        f"/api/v1/network/support-requests/{support['id']}/send-team",
        {"team": "总部技术组 李工", "visit_at": "2026-03-05T09:00:00+08:00"},
        content_type="application/json",
    )
    assert sent.status_code == 200 and sent.json()["team"] == "总部技术组 李工"
    event = TimelineEvent.objects.filter(order=march_order, data__network="support_team_sent").get()
    assert "2026-03-05 09:00" in event.note


def test_another_station_sees_nothing(
    march_order: Any, station_a_user: Any, station_b_user: Any, api_as: Any, client_as: Any
) -> None:
    support = _escalate(api_as, station_a_user, march_order).json()
    client = api_as(station_b_user)
    assert client.get(f"/api/v1/network/support-requests/{support['id']}").status_code == 404
    assert client.get("/api/v1/network/support-requests").json()["count"] == 0
    assert _escalate(api_as, station_b_user, march_order).status_code == 400
    assert client_as(station_b_user).get(f"/network/support/{support['id']}/").status_code == 404


def test_station_may_not_answer(march_order: Any, station_a_user: Any, api_as: Any) -> None:
    support = _escalate(api_as, station_a_user, march_order).json()
    response = api_as(station_a_user).post(
        f"/api/v1/network/support-requests/{support['id']}/answer", {"answer": "自答"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert SupportRequest.objects.get(pk=support["id"]).status == "open"


def test_order_page_shows_the_panel(march_order: Any, station_a_user: Any, client_as: Any, api_as: Any) -> None:
    page = client_as(station_a_user).get(f"/work-orders/{march_order.pk}/")
    assert page.status_code == 200 and 'id="escalate-order"' in page.content.decode()
    _escalate(api_as, station_a_user, march_order)
    page = client_as(station_a_user).get(f"/work-orders/{march_order.pk}/")
    html = page.content.decode()
    assert 'id="support-panel"' in html and 'id="escalate-order"' not in html
