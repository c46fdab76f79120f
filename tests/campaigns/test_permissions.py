"""Campaigns' permission matrix (ADR 0017): HQ's campaign over station A's devices; station B
sees neither the campaign nor its devices."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from campaigns.models import Campaign, CampaignTarget
from campaigns.services import campaign_create
from core.choices import Role
from devices.services import device_create
from tests.matrix import HIDES, NOT_FOUND, Endpoint, Matrix, Page

VIEW = frozenset({Role.DIRECTOR, Role.ADMIN, Role.DISPATCHER, Role.TECHNICIAN, Role.STATION, Role.AGENT})
CREATE = frozenset({Role.DIRECTOR, Role.ADMIN})
LAUNCH = frozenset({Role.DIRECTOR, Role.ADMIN, Role.DISPATCHER})
RECORD = frozenset({Role.DIRECTOR, Role.ADMIN, Role.DISPATCHER, Role.TECHNICIAN, Role.STATION})


@pytest.fixture
def campaign(customer_a: Any, category: Any) -> Campaign:
    from catalog.services import product_model_create

    sorter = product_model_create(acting_user=None, code="JL-2000", name="JL-2000 A 类清分机", category=category)
    device_create(
        acting_user=None, customer=customer_a, product_model=sorter, serial_number="SN-M-1", firmware_version="V1.9"
    )
    return campaign_create(
        acting_user=None,
        code="UPG-M",
        name="矩阵升级",
        kind="upgrade",
        product_models=["JL-2000"],
        firmware_below="2.0",
        due_on=timezone.localdate() + timedelta(days=30),
    )


@pytest.fixture
def campaign_device(campaign: Campaign) -> CampaignTarget:
    return CampaignTarget.objects.get(campaign=campaign)


def _selection(f: Any) -> dict[str, Any]:
    assert f.campaign
    return {"product_models": ["JL-2000"], "firmware_below": "2.0"}


def _create(f: Any) -> dict[str, Any]:
    assert f.campaign
    return {
        "code": "UPG-NEW",
        "name": "新建",
        "kind": "upgrade",
        "product_models": ["JL-2000"],
        "due_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
    }


NO_VIEW_404 = {Role.AGENT: 403, Role.TECHNICIAN: 403, Role.STATION: 403}

MATRIX = Matrix(
    pages=[
        Page("list", "/campaigns/", VIEW, other_unit=HIDES, shows="{campaign.code}"),
        Page("create", "/campaigns/new/", CREATE),
        Page("board", "/campaigns/{campaign.pk}/", VIEW, other_unit=NOT_FOUND, shows="SN-M-1"),
        Page(
            "launch",
            "/campaigns/{campaign.pk}/launch/",
            LAUNCH,
            method="POST",
            body={},
            status=302,
            other_unit=NOT_FOUND,
            unchanged=lambda f: Campaign.objects.get(pk=f.campaign.pk).status,
        ),
        Page(
            "outcome",
            "/campaigns/{campaign.pk}/devices/{campaign_device.pk}/outcome/",
            RECORD,
            method="POST",
            body={"status": "unreachable", "note": "联系不上"},
            status=302,
            other_unit=NOT_FOUND,
            unchanged=lambda f: CampaignTarget.objects.get(pk=f.campaign_device.pk).status,
        ),
    ],
    endpoints=[
        Endpoint("list", "/api/v1/campaigns", VIEW, denied=200, other_unit=HIDES, shows="{campaign.code}"),
        Endpoint("detail", "/api/v1/campaigns/{campaign.pk}", VIEW, denied=404, other_unit=NOT_FOUND),
        Endpoint(
            "devices", "/api/v1/campaigns/{campaign.pk}/devices", VIEW, denied=404, other_unit=NOT_FOUND, shows="SN-M-1"
        ),
        Endpoint("preview", "/api/v1/campaigns/preview", CREATE, method="POST", body=_selection),
        Endpoint(
            "create",
            "/api/v1/campaigns",
            CREATE,
            method="POST",
            body=_create,
            status=201,
            unchanged=lambda f: Campaign.objects.count(),
        ),
        Endpoint(
            "launch",
            "/api/v1/campaigns/{campaign.pk}/launch",
            LAUNCH,
            method="POST",
            denied=404,
            denied_for=NO_VIEW_404,
            other_unit=NOT_FOUND,
            unchanged=lambda f: Campaign.objects.get(pk=f.campaign.pk).status,
        ),
        Endpoint(
            "outcome",
            "/api/v1/campaigns/{campaign.pk}/devices/{campaign_device.pk}/outcome",
            RECORD,
            method="POST",
            body={"status": "unreachable", "note": "联系不上"},
            denied=404,
            denied_for={Role.AGENT: 403},
            other_unit=NOT_FOUND,
            unchanged=lambda f: CampaignTarget.objects.get(pk=f.campaign_device.pk).status,
        ),
    ],
)

test_with_permission, test_without_permission, test_other_unit, test_anonymous = MATRIX.tests()
