"""The station lifecycle: the transition table and its pure decision, the service that records
who/why/when, the API's 409 naming a refused action, and the director's suspension decision."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.exceptions import TransitionNotAllowed
from network.choices import ProposalStatus, StationStatus
from network.models import StationEvent, SuspensionProposal
from network.policies import TRANSITIONS, allowed_actions, transition_decision
from network.services import proposal_decide, station_create, station_transition

pytestmark = pytest.mark.django_db


def test_every_status_but_terminated_has_a_way_out() -> None:
    for status in StationStatus.values:
        assert bool(allowed_actions(status)) == (status != StationStatus.TERMINATED)
    assert TRANSITIONS["start_trial"] == (frozenset({"applying"}), "on_trial")


def test_decision_names_every_reason() -> None:
    ok = transition_decision(status="applying", action="start_trial", reason="资料齐全", may_transition=True)
    assert ok.allowed and ok.to_status == "on_trial" and ok.reasons == []
    refused = transition_decision(status="applying", action="suspend", reason="", may_transition=False)
    assert not refused.allowed
    assert len(refused.reasons) == 3  # permission, not from applying, no reason
    unknown = transition_decision(status="on_trial", action="promote", reason="xxxx", may_transition=True)
    assert not unknown.allowed and "promote" in unknown.reasons[0]


def test_lifecycle_records_who_why_when(org: Any, director: Any) -> None:
    station = station_create(acting_user=director, unit=org.station_a, legal_entity="西湖维修有限公司")
    assert station.status == StationStatus.APPLYING
    station = station_transition(acting_user=director, station=station, action="start_trial", reason="资料审核通过")
    station = station_transition(acting_user=director, station=station, action="authorise", reason="试运行三个月合格")
    assert station.status == StationStatus.AUTHORISED
    events = list(StationEvent.objects.filter(station=station).order_by("at", "id"))
    assert [(e.from_status, e.to_status) for e in events] == [
        ("", "applying"),
        ("applying", "on_trial"),
        ("on_trial", "authorised"),
    ]
    assert events[-1].by == director and events[-1].reason == "试运行三个月合格"
    with pytest.raises(TransitionNotAllowed) as refused:
        station_transition(acting_user=director, station=station, action="start_trial", reason="再来一次")
    assert refused.value.allowed_actions == ["warn", "suspend", "terminate"]


def test_only_station_units_and_once(org: Any, director: Any, agent: Any) -> None:
    with pytest.raises(ValidationError):
        station_create(acting_user=director, unit=org.centre, legal_entity="x")
    station_create(acting_user=director, unit=org.station_a, legal_entity="x")
    with pytest.raises(ValidationError):
        station_create(acting_user=director, unit=org.station_a, legal_entity="x")
    with pytest.raises(PermissionDenied):
        station_create(acting_user=agent, unit=org.station_b, legal_entity="x")


def test_api_refuses_an_unknown_or_impossible_transition(station_a: Any, director: Any, api_as: Any) -> None:
    client = api_as(director)
    url = f"/api/v1/network/stations/{station_a.pk}/transition"
    response = client.post(url, {"action": "promote", "reason": "升级"}, content_type="application/json")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_transition" and "promote" in body["detail"]
    assert body["allowed_actions"] == ["warn", "suspend", "terminate"]
    response = client.post(url, {"action": "start_trial", "reason": "再试"}, content_type="application/json")
    assert response.status_code == 409 and "开始试运行" in response.json()["detail"]
    response = client.post(url, {"action": "warn", "reason": "投诉较多"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "warned"
    assert response.json()["history"][0]["reason"] == "投诉较多"


def test_station_user_may_not_transition(station_a: Any, station_a_user: Any, api_as: Any) -> None:
    response = api_as(station_a_user).post(
        f"/api/v1/network/stations/{station_a.pk}/transition",
        {"action": "warn", "reason": "自己警告自己"},
        content_type="application/json",
    )
    assert response.status_code == 403
    station_a.refresh_from_db()
    assert station_a.status == StationStatus.AUTHORISED


def _proposal(station: Any) -> SuspensionProposal:
    return SuspensionProposal.objects.create(station=station)


def test_suspension_only_by_the_director(station_a: Any, director: Any, qc_inspector: Any, api_as: Any) -> None:
    proposal = _proposal(station_a)
    with pytest.raises(PermissionDenied):
        proposal_decide(acting_user=qc_inspector, proposal=proposal, accept=True, reason="同意暂停")
    response = api_as(qc_inspector).post(
        f"/api/v1/network/suspension-proposals/{proposal.pk}/decide",
        {"accept": True, "reason": "同意暂停"},
        content_type="application/json",
    )
    assert response.status_code == 403
    response = api_as(director).post(
        f"/api/v1/network/suspension-proposals/{proposal.pk}/decide",
        {"accept": True, "reason": "三次预警，暂停授权"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["station_status"] == "suspended"
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ACCEPTED and proposal.decided_by == director
    assert StationEvent.objects.filter(station=station_a, to_status="suspended", by=director).exists()
    again = api_as(director).post(
        f"/api/v1/network/suspension-proposals/{proposal.pk}/decide",
        {"accept": False, "reason": "改主意"},
        content_type="application/json",
    )
    assert again.status_code == 409


def test_declining_keeps_the_status(station_a: Any, director: Any) -> None:
    proposal = proposal_decide(acting_user=director, proposal=_proposal(station_a), accept=False, reason="已整改")
    station_a.refresh_from_db()
    assert proposal.status == ProposalStatus.DECLINED and station_a.status == StationStatus.AUTHORISED


def test_update_needs_the_current_version(station_a: Any, director: Any, api_as: Any) -> None:
    client = api_as(director)
    url = f"/api/v1/network/stations/{station_a.pk}"
    ok = client.patch(
        url, {"version": station_a.version, "licence_number": "ZJ-2026-001"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["licence_number"] == "ZJ-2026-001"
    stale = client.patch(url, {"version": station_a.version, "equipment": "示波器"}, content_type="application/json")
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
