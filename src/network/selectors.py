"""The one scoping rule of the network's records (core.scoping): HQ sees every station, a
service centre its own stations, a station only itself — on pages, in the API and exports."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from core.scoping import scope_by_unit
from network.models import StationEvent, StationProfile, StationScorecard, SupportRequest, SuspensionProposal


def stations_visible_to(user: Any) -> QuerySet[StationProfile]:
    return scope_by_unit(
        StationProfile.objects.select_related("unit", "unit__parent"),
        user,
        field="unit",
        permission="network.view_stationprofile",
    )


def station_events_visible_to(user: Any) -> QuerySet[StationEvent]:
    return scope_by_unit(
        StationEvent.objects.select_related("by", "station__unit"),
        user,
        field="station__unit",
        permission="network.view_stationevent",
    )


def scorecards_visible_to(user: Any) -> QuerySet[StationScorecard]:
    return scope_by_unit(
        StationScorecard.objects.select_related("station__unit"),
        user,
        field="station__unit",
        permission="network.view_stationscorecard",
    )


def proposals_visible_to(user: Any) -> QuerySet[SuspensionProposal]:
    return scope_by_unit(
        SuspensionProposal.objects.select_related("station__unit", "decided_by"),
        user,
        field="station__unit",
        permission="network.view_suspensionproposal",
    )


def support_visible_to(user: Any) -> QuerySet[SupportRequest]:
    return scope_by_unit(
        SupportRequest.objects.select_related("station", "order", "created_by", "handled_by"),
        user,
        field="station",
        permission="network.view_supportrequest",
    )
