"""Campaigns through the API and the services: creation (SPEC §14.2), refusals that save nothing,
launch (one order per device, never twice), progress, completion writing the firmware, joining
devices added later, and a station seeing only its part."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from campaigns.choices import TargetStatus
from campaigns.models import Campaign, CampaignTarget
from campaigns.services import campaign_create, campaign_join_new, campaign_launch, campaign_target_mark
from devices.services import device_create
from workorders.models import WorkOrder
from workorders.services import workorder_transition


def _body(**extra: Any) -> dict[str, Any]:
    return {
        "code": "UPG-2026-01",
        "name": "新版人民币升级",
        "kind": "upgrade",
        "product_models": ["JL-2000"],
        "firmware_below": "2.0",
        "due_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
        **extra,
    }


def _upgrade(director: Any, **extra: Any) -> Campaign:
    fields = {
        "code": "UPG-1",
        "name": "升级",
        "kind": "upgrade",
        "product_models": ["JL-2000"],
        "firmware_below": "2.0",
        "firmware_to": "V3.4.10",
        "due_on": timezone.localdate() + timedelta(days=30),
        **extra,
    }
    return campaign_create(acting_user=director, **fields)


def test_create_answers_id_and_devices(fleet: Any, director: Any, api_as: Any) -> None:
    response = api_as(director).post("/api/v1/campaigns", _body(), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["devices"] == 4
    detail = api_as(director).get(f"/api/v1/campaigns/{body['id']}").json()
    assert (detail["id"], detail["devices"], detail["done"], detail["status"]) == (body["id"], 4, 0, "draft")


def test_preview_counts_without_saving(fleet: Any, director: Any, api_as: Any) -> None:
    response = api_as(director).post(
        "/api/v1/campaigns/preview",
        {"product_models": ["JL-2000"], "firmware_below": "1.10"},
        content_type="application/json",
    )
    assert response.json() == {"devices": 2}
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"firmware_below": "2.x"}, "firmware_below", id="unparseable-version"),
        pytest.param({"firmware_below": "0.1"}, "product_models", id="empty-population"),
        pytest.param({"product_models": ["NOPE"]}, "product_models", id="unknown-model"),
        pytest.param({"product_models": []}, "product_models", id="no-model"),
        pytest.param({"serial_from": "SN-9", "serial_to": "SN-1"}, "serial_to", id="reversed-serials"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    fleet: Any, director: Any, api_as: Any, change: Any, field: str
) -> None:
    response = api_as(director).post("/api/v1/campaigns", _body(**change), content_type="application/json")
    assert response.status_code == 400, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not Campaign.objects.exists() and not CampaignTarget.objects.exists()


def test_an_impossible_date_is_refused(fleet: Any, director: Any, api_as: Any) -> None:
    response = api_as(director).post("/api/v1/campaigns", _body(due_on="2026-02-30"), content_type="application/json")
    assert response.status_code == 422
    assert "due_on" in {e["field"] for e in response.json()["errors"]}
    assert not Campaign.objects.exists()


def test_a_duplicate_code_names_the_field(fleet: Any, director: Any, api_as: Any) -> None:
    assert api_as(director).post("/api/v1/campaigns", _body(), content_type="application/json").status_code == 201
    response = api_as(director).post("/api/v1/campaigns", _body(name="另一个"), content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "code"
    assert Campaign.objects.count() == 1 and CampaignTarget.objects.count() == 4


def test_a_foreign_unit_selection_is_refused(fleet: Any, org: Any, station_a_user: Any, director: Any) -> None:
    """A selection naming a unit the user does not see is refused (the selection check)."""
    from campaigns.services import selection_clean

    with pytest.raises(Exception) as error:
        selection_clean(user=station_a_user, product_models=["JL-2000"], unit=org.station_b.pk)
    assert "unit" in error.value.message_dict  # type: ignore[attr-defined]


def test_the_same_idempotency_key_creates_once(fleet: Any, director: Any, api_as: Any) -> None:
    client = api_as(director)
    first = client.post("/api/v1/campaigns", _body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post("/api/v1/campaigns", _body(), content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json() and Campaign.objects.count() == 1


def test_launch_creates_one_order_per_device_routed_to_its_unit_and_never_twice(
    fleet: Any, director: Any, api_as: Any
) -> None:
    campaign = _upgrade(director)
    response = api_as(director).post(f"/api/v1/campaigns/{campaign.pk}/launch")
    assert response.status_code == 200, response.content
    assert response.json()["created"] == 4
    assert api_as(director).post(f"/api/v1/campaigns/{campaign.pk}/launch").json()["created"] == 0
    orders = WorkOrder.objects.filter(campaign_target__campaign=campaign)
    assert orders.count() == 4
    for order in orders.select_related("device__customer"):
        assert order.service_type == "software_upgrade"
        assert order.unit_id == order.device.customer.unit_id
        assert "UPG-1" in order.description
    target = CampaignTarget.objects.filter(campaign=campaign).first()
    assert target is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        CampaignTarget.objects.create(campaign=campaign, device=target.device, unit=target.unit)


def test_a_recall_inspects(fleet: Any, director: Any) -> None:
    campaign = _upgrade(director, code="RC-1", kind="recall", firmware_below="")
    assert campaign_launch(campaign=campaign, acting_user=director) == 7
    assert set(WorkOrder.objects.values_list("service_type", flat=True)) == {"inspection"}


def test_completing_an_upgrade_writes_the_new_firmware(
    fleet: Any, director: Any, technician: Any, complete_order: Any, api_as: Any
) -> None:
    campaign = _upgrade(director)
    campaign_launch(campaign=campaign, acting_user=director)
    first, second = CampaignTarget.objects.filter(campaign=campaign).order_by("pk")[:2]
    response = api_as(technician).post(
        f"/api/v1/campaigns/{campaign.pk}/devices/{second.pk}/firmware",
        {"firmware_version": "V3.4.11"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    complete_order(first.work_order)
    complete_order(second.work_order)
    first.device.refresh_from_db()
    second.device.refresh_from_db()
    assert first.device.firmware_version == "V3.4.10"  # the campaign's version
    assert second.device.firmware_version == "V3.4.11"  # the one the technician recorded
    detail = api_as(director).get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert (detail["devices"], detail["done"], detail["pending"]) == (4, 2, 2)


def test_progress_counts_failed_unreachable_and_overdue(
    fleet: Any, director: Any, agent: Any, clock_days: Any, api_as: Any
) -> None:
    campaign = _upgrade(director, due_on=timezone.localdate() + timedelta(days=5))
    campaign_launch(campaign=campaign, acting_user=director)
    a, b, _c, _d = CampaignTarget.objects.filter(campaign=campaign).order_by("pk")
    workorder_transition(order=a.work_order, action="cancel", acting_user=agent, data={"reason": "客户已报废该设备"})
    campaign_target_mark(target=b, acting_user=director, status=TargetStatus.UNREACHABLE, note="网点搬迁，联系不上")
    detail = api_as(director).get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert (detail["failed"], detail["unreachable"], detail["pending"], detail["overdue"]) == (1, 1, 2, 0)
    clock_days(6)
    detail = api_as(director).get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert detail["overdue"] == 2


def test_an_outcome_needs_a_reason(fleet: Any, director: Any, api_as: Any) -> None:
    campaign = _upgrade(director)
    target = CampaignTarget.objects.filter(campaign=campaign).first()
    assert target is not None
    response = api_as(director).post(
        f"/api/v1/campaigns/{campaign.pk}/devices/{target.pk}/outcome",
        {"status": "unreachable"},
        content_type="application/json",
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "note"


def test_devices_added_later_can_be_joined(fleet: Any, director: Any, sorter: Any, customer_a: Any) -> None:
    campaign = _upgrade(director)
    campaign_launch(campaign=campaign, acting_user=director)
    device_create(
        acting_user=None, customer=customer_a, product_model=sorter, serial_number="SN-100", firmware_version="1.0"
    )
    assert campaign_join_new(campaign=campaign, acting_user=director) == 1
    assert campaign_join_new(campaign=campaign, acting_user=director) == 0
    late = CampaignTarget.objects.get(campaign=campaign, device__serial_number="SN-100")
    assert late.joined_late and late.work_order is not None


def test_a_station_sees_only_its_part(
    fleet: Any, director: Any, station_a_user: Any, station_b_user: Any, api_as: Any
) -> None:
    campaign = _upgrade(director)
    assert api_as(station_a_user).get(f"/api/v1/campaigns/{campaign.pk}").json()["devices"] == 3
    assert api_as(station_b_user).get(f"/api/v1/campaigns/{campaign.pk}").json()["devices"] == 1
    serials = {
        row["serial_number"]
        for row in api_as(station_b_user).get(f"/api/v1/campaigns/{campaign.pk}/devices").json()["items"]
    }
    assert serials == {"SN-004"}


def test_pages_preview_and_board(fleet: Any, director: Any, client_as: Any) -> None:
    client = client_as(director)
    form = {"code": "UPG-P", "name": "页面", "kind": "upgrade", "product_models": ["JL-2000"], "firmware_below": "1.10"}
    response = client.post("/campaigns/new/", {**form, "preview": "1"})
    assert response.status_code == 200 and response.context["preview"] == 2
    assert not Campaign.objects.exists()
    response = client.post("/campaigns/new/", {**form, "due_on": date(2026, 12, 31).isoformat(), "create": "1"})
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    client.post(f"/campaigns/{campaign.pk}/launch/")
    board = client.get(f"/campaigns/{campaign.pk}/")
    assert board.context["figures"]["orders"] == 2


def test_the_device_page_lists_its_campaigns(fleet: Any, director: Any, client_as: Any) -> None:
    campaign = _upgrade(director)
    page = client_as(director).get(f"/devices/{fleet['SN-001'].pk}/")
    assert page.status_code == 200
    assert campaign.code in page.content.decode()
    other = client_as(director).get(f"/devices/{fleet['SN-003'].pk}/")  # 2.0: not below 2.0
    assert campaign.code not in other.content.decode()


def test_the_list_reads_every_campaigns_figures_at_once(
    fleet: Any, director: Any, client_as: Any, django_assert_max_num_queries: Any
) -> None:
    for index in range(5):
        _upgrade(director, code=f"UPG-L{index}")
    client = client_as(director)
    client.get("/campaigns/")  # warm the session and permission caches
    with django_assert_max_num_queries(12):
        page = client.get("/campaigns/")
    assert page.status_code == 200
    rows = dict((c.code, f) for c, f in page.context["boards"])
    assert rows["UPG-L0"] == {"devices": 4, "done": 0, "pending": 4, "overdue": 0}
