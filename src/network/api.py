"""The service network in the API v1 (issue 12): stations (list, detail, create, update with
``version``), lifecycle transitions, station scorecards and the league table, suspension
decisions, and technical-support escalations (create, answer, send a team). Every list and
detail goes through the app's selectors: a station sees only itself."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from catalog.models import ProductCategory
from core.api import ERROR_RESPONSES, PageQuery, idempotent_create, local_iso, paginate, person_ref
from core.api_schemas import (
    Date,
    DateText,
    DateTime,
    DateTimeText,
    Id,
    IdCodeName,
    IdName,
    IdNumber,
    PersonRef,
    StrictIn,
)
from core.models import OrgUnit
from core.scoping import unit_ids_visible_to
from network import services
from network.choices import StationStatus, SupportStatus
from network.models import StationProfile, StationScorecard, SupportRequest
from network.policies import allowed_actions
from network.scorecards import check_month_over, figures, league_table, value_of
from network.selectors import (
    proposals_visible_to,
    scorecards_visible_to,
    station_events_visible_to,
    stations_visible_to,
    support_visible_to,
)
from workorders.selectors import workorders_visible_to

router = Router(tags=["network"])


class CoverageRegionOut(Schema):
    adcode_prefix: str
    name: str


class StationEventOut(Schema):
    action: str
    from_status: str
    to_status: str
    reason: str
    by: PersonRef | None
    at: DateTimeText | None


class StationOut(Schema):
    id: int
    unit: IdCodeName
    status: str
    status_label: str
    legal_entity: str
    licence_number: str
    licence_expires_on: DateText | None
    product_lines: list[IdName]
    contract_start: DateText | None
    contract_end: DateText | None
    version: int


class StationDetailOut(StationOut):
    equipment: str
    contact_name: str
    contact_phone: str
    contact_email: str
    contract_terms: str
    coverage_regions: list[CoverageRegionOut]
    allowed_actions: list[str]
    history: list[StationEventOut]


class StationListOut(Schema):
    items: list[StationOut]
    count: int


class FigureValueOut(Schema):
    value: str | None = None
    numerator: int | str | None = None
    denominator: int | str | None = None


class FigureOut(Schema):
    code: str
    label: str


class ScorecardOut(Schema):
    station: IdCodeName
    month: str = Field(description="YYYY-MM")
    figures: dict[str, FigureValueOut]
    computed_at: DateTimeText | None


class ScorecardHistoryOut(Schema):
    figures: list[FigureOut]
    items: list[ScorecardOut]


class LeagueRowOut(ScorecardOut):
    rank: int
    value: str


class LeagueOut(Schema):
    month: str
    sort: str
    items: list[LeagueRowOut]


class SuspensionDecisionOut(Schema):
    id: int
    status: str
    station_status: str


class SupportOut(Schema):
    id: int
    station: IdName
    work_order: IdNumber
    reason: str
    question: str
    status: str
    answer: str
    team: str
    team_visit_at: DateTimeText | None
    created_by: PersonRef | None
    created_at: DateTimeText | None
    handled_by: PersonRef | None
    handled_at: DateTimeText | None


class SupportListOut(Schema):
    items: list[SupportOut]
    count: int


def station_out(station: StationProfile, *, detail: bool = False, user: Any = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": station.pk,
        "unit": {"id": station.unit_id, "code": station.unit.code, "name": station.unit.name},
        "status": station.status,
        "status_label": str(station.get_status_display()),
        "legal_entity": station.legal_entity,
        "licence_number": station.licence_number,
        "licence_expires_on": station.licence_expires_on.isoformat() if station.licence_expires_on else None,
        "product_lines": [{"id": c.pk, "name": c.name} for c in station.product_lines.all()],
        "contract_start": station.contract_start.isoformat() if station.contract_start else None,
        "contract_end": station.contract_end.isoformat() if station.contract_end else None,
        "version": station.version,
    }
    if detail:
        body.update(
            equipment=station.equipment,
            contact_name=station.contact_name,
            contact_phone=station.contact_phone,
            contact_email=station.contact_email,
            contract_terms=station.contract_terms,
            coverage_regions=[
                {"adcode_prefix": r.adcode_prefix, "name": r.name}
                for r in station.unit.regions.order_by("adcode_prefix")
            ],
            allowed_actions=allowed_actions(station.status),
            history=[
                {
                    "action": e.action,
                    "from_status": e.from_status,
                    "to_status": e.to_status,
                    "reason": e.reason,
                    "by": person_ref(e.by),
                    "at": local_iso(e.at),
                }
                for e in station_events_visible_to(user).filter(station=station)
            ],
        )
    return body


def _station(request: HttpRequest, pk: int) -> StationProfile:
    return get_object_or_404(stations_visible_to(request.user), pk=pk)


class StationFilters(PageQuery):
    status: str | None = Field(default=None, description="Lifecycle status")
    region: str | None = Field(default=None, description="Coverage region code prefix (adcode)")
    product_line: int | None = Field(default=None, description="Product category id")


@router.get("/stations", response={200: StationListOut, **ERROR_RESPONSES}, summary="List station records (scoped)")
def list_stations(request: HttpRequest, filters: Query[StationFilters]) -> Any:
    stations = stations_visible_to(request.user).prefetch_related("product_lines")
    if filters.status:
        if filters.status not in StationStatus.values:
            raise ValidationError({"status": _("Unknown status “%(status)s”.") % {"status": filters.status}})
        stations = stations.filter(status=filters.status)
    if filters.region:
        stations = stations.filter(unit__regions__adcode_prefix__startswith=filters.region[:6]).distinct()
    if filters.product_line:
        stations = stations.filter(product_lines=filters.product_line)
    return paginate(
        stations.order_by("unit__code"), page=filters.page, page_size=filters.page_size, serialize=station_out
    )


@router.get(
    "/stations/{pk}",
    response={200: StationDetailOut, **ERROR_RESPONSES},
    summary="A station record with its lifecycle history",
)
def get_station(request: HttpRequest, pk: int) -> Any:
    return station_out(_station(request, pk), detail=True, user=request.user)


class StationIn(StrictIn):
    legal_entity: str = Field(max_length=200)
    licence_number: str = Field("", max_length=64)
    licence_expires_on: Date | None = None
    product_lines: list[Id] = []
    equipment: str = Field("", max_length=5000)
    contact_name: str = Field("", max_length=64)
    contact_phone: str = Field("", max_length=32)
    contact_email: str = Field("", max_length=254)
    contract_start: Date | None = None
    contract_end: Date | None = None
    contract_terms: str = Field("", max_length=20000)


class StationCreateIn(StationIn):
    unit: Id


class StationPatchIn(StrictIn):
    version: int
    legal_entity: str | None = Field(None, max_length=200)
    licence_number: str | None = Field(None, max_length=64)
    licence_expires_on: Date | None = None
    product_lines: list[Id] | None = None
    equipment: str | None = Field(None, max_length=5000)
    contact_name: str | None = Field(None, max_length=64)
    contact_phone: str | None = Field(None, max_length=32)
    contact_email: str | None = Field(None, max_length=254)
    contract_start: Date | None = None
    contract_end: Date | None = None
    contract_terms: str | None = Field(None, max_length=20000)


def _categories(ids: list[int]) -> list[ProductCategory]:
    found = list(ProductCategory.objects.filter(pk__in=ids))
    if len(found) != len(set(ids)):
        raise ValidationError({"product_lines": _("Unknown product line.")})
    return found


@router.post(
    "/stations",
    response={201: StationDetailOut, **ERROR_RESPONSES},
    summary="Create a station record (status applying)",
)
def create_station(request: HttpRequest, payload: StationCreateIn) -> Any:
    if not request.user.has_perm("network.add_stationprofile"):
        raise PermissionDenied(_("You may not add station records."))

    def create() -> Any:
        ids = unit_ids_visible_to(request.user)
        units = OrgUnit.objects.all() if ids is None else OrgUnit.objects.filter(pk__in=ids)
        unit = units.filter(pk=payload.unit).first()
        if unit is None:
            raise ValidationError({"unit": _("Unknown unit.")})
        data = payload.dict(exclude={"unit", "product_lines"})
        station = services.station_create(
            acting_user=request.user, unit=unit, product_lines=_categories(payload.product_lines), **data
        )
        return 201, station_out(_station(request, station.pk), detail=True, user=request.user)

    return idempotent_create(request, "network.stations", create)


@router.patch(
    "/stations/{pk}",
    response={200: StationDetailOut, **ERROR_RESPONSES},
    summary="Change a station record (send its version)",
)
def update_station(request: HttpRequest, pk: int, payload: StationPatchIn) -> Any:
    station = _station(request, pk)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    lines = data.pop("product_lines", None)
    services.station_update(
        acting_user=request.user,
        station=station,
        version=version,
        product_lines=None if lines is None else _categories(lines),
        **{
            k: ("" if v is None and k not in {"licence_expires_on", "contract_start", "contract_end"} else v)
            for k, v in data.items()
        },
    )
    return station_out(_station(request, pk), detail=True, user=request.user)


class StationTransitionIn(StrictIn):
    action: str = Field(max_length=32)
    reason: str = Field(max_length=2000)


@router.post(
    "/stations/{pk}/transition",
    response={200: StationDetailOut, **ERROR_RESPONSES},
    summary="Move a station along its lifecycle",
)
def transition_station(request: HttpRequest, pk: int, payload: StationTransitionIn) -> Any:
    station = _station(request, pk)
    services.station_transition(acting_user=request.user, station=station, action=payload.action, reason=payload.reason)
    return station_out(_station(request, pk), detail=True, user=request.user)


def card_out(card: StationScorecard) -> dict[str, Any]:
    return {
        "station": {"id": card.station_id, "code": card.station.unit.code, "name": card.station.unit.name},
        "month": card.month.strftime("%Y-%m"),
        "figures": card.figures,
        "computed_at": local_iso(card.computed_at),
    }


def _parse_month(raw: str | None) -> date | None:
    """A month that is over, from YYYY-MM; None when none was given."""
    if not raw:
        return None
    try:
        year, month = (int(part) for part in raw.split("-"))
        first = date(year, month, 1)
    except ValueError:
        raise ValidationError({"month": _("Give the month as YYYY-MM.")}) from None
    return check_month_over(first, timezone.localdate())


def _required_month(raw: str | None) -> date:
    month = _parse_month(raw)
    if month is None:
        raise ValidationError({"month": _("Give the month as YYYY-MM.")})
    return month


class MonthQuery(Schema):
    month: str | None = Field(default=None, description="YYYY-MM (a month that is over)")


@router.get(
    "/stations/{pk}/scorecards",
    response={200: ScorecardHistoryOut, **ERROR_RESPONSES},
    summary="A station's scorecards (one month or the history)",
)
def station_scorecards(request: HttpRequest, pk: int, query: Query[MonthQuery]) -> Any:
    station = _station(request, pk)
    cards = scorecards_visible_to(request.user).filter(station=station).order_by("-month")
    month = _parse_month(query.month)
    if month is not None:
        cards = cards.filter(month=month)
    return {
        "figures": [{"code": f.code, "label": str(f.label)} for f in figures()],
        "items": [card_out(card) for card in cards[:36]],
    }


class LeagueQuery(Schema):
    month: str | None = Field(default=None, description="YYYY-MM (a month that is over)")
    sort: str = Field(default="first_time_fix_rate", description="Figure code to rank by")
    dir: str = Field(default="desc", description="asc or desc")


@router.get(
    "/scorecards/league",
    response={200: LeagueOut, **ERROR_RESPONSES},
    summary="The league table of a month (HQ; a station sees its own row)",
)
def league(request: HttpRequest, query: Query[LeagueQuery]) -> Any:
    if not request.user.has_perm("network.view_stationscorecard"):
        raise PermissionDenied(_("You may not view station scorecards."))
    month = _required_month(query.month)
    codes = [f.code for f in figures()]
    if query.sort not in codes:
        raise ValidationError({"sort": _("Unknown figure “%(figure)s”.") % {"figure": query.sort}})
    if query.dir not in {"asc", "desc"}:
        raise ValidationError({"dir": _("Sort asc or desc.")})
    cards = league_table(list(scorecards_visible_to(request.user).filter(month=month)), query.sort, query.dir == "desc")
    return {
        "month": query.month,
        "sort": query.sort,
        "items": [
            dict(card_out(card), rank=i + 1, value=str(value_of(card, query.sort))) for i, card in enumerate(cards)
        ],
    }


class SuspensionDecisionIn(StrictIn):
    accept: bool
    reason: str = Field(max_length=2000)


@router.post(
    "/suspension-proposals/{pk}/decide",
    response={200: SuspensionDecisionOut, **ERROR_RESPONSES},
    summary="The director accepts or declines a suspension",
)
def decide(request: HttpRequest, pk: int, payload: SuspensionDecisionIn) -> Any:
    proposal = get_object_or_404(proposals_visible_to(request.user), pk=pk)
    proposal = services.proposal_decide(
        acting_user=request.user, proposal=proposal, accept=payload.accept, reason=payload.reason
    )
    return {"id": proposal.pk, "status": proposal.status, "station_status": proposal.station.status}


def support_out(support: SupportRequest) -> dict[str, Any]:
    return {
        "id": support.pk,
        "station": {"id": support.station_id, "name": support.station.name},
        "work_order": {"id": support.order_id, "number": support.order.number},
        "reason": support.reason,
        "question": support.question,
        "status": support.status,
        "answer": support.answer,
        "team": support.team,
        "team_visit_at": local_iso(support.team_visit_at),
        "created_by": person_ref(support.created_by),
        "created_at": local_iso(support.created_at),
        "handled_by": person_ref(support.handled_by),
        "handled_at": local_iso(support.handled_at),
    }


class SupportFilters(PageQuery):
    status: str | None = None


@router.get(
    "/support-requests",
    response={200: SupportListOut, **ERROR_RESPONSES},
    summary="Technical-support requests (scoped)",
)
def list_support(request: HttpRequest, filters: Query[SupportFilters]) -> Any:
    requests = support_visible_to(request.user)
    if filters.status:
        if filters.status not in SupportStatus.values:
            raise ValidationError({"status": _("Unknown status “%(status)s”.") % {"status": filters.status}})
        requests = requests.filter(status=filters.status)
    return paginate(
        requests.order_by("-created_at"), page=filters.page, page_size=filters.page_size, serialize=support_out
    )


@router.get(
    "/support-requests/{pk}", response={200: SupportOut, **ERROR_RESPONSES}, summary="A technical-support request"
)
def get_support(request: HttpRequest, pk: int) -> Any:
    return support_out(get_object_or_404(support_visible_to(request.user), pk=pk))


class EscalateIn(StrictIn):
    work_order: Id
    reason: str = Field(max_length=16)
    question: str = Field(max_length=5000)


@router.post(
    "/support-requests",
    response={201: SupportOut, **ERROR_RESPONSES},
    summary="Escalate a work order to HQ technical support",
)
def escalate(request: HttpRequest, payload: EscalateIn) -> Any:
    if not request.user.has_perm("network.add_supportrequest"):
        raise PermissionDenied(_("You may not escalate orders to technical support."))

    def create() -> Any:
        order = workorders_visible_to(request.user).filter(pk=payload.work_order).first()
        if order is None:
            raise ValidationError({"work_order": _("Unknown work order.")})
        support = services.support_escalate(
            acting_user=request.user, order=order, reason=payload.reason, question=payload.question
        )
        return 201, support_out(support)

    return idempotent_create(request, "network.support", create)


class AnswerIn(StrictIn):
    answer: str = Field(max_length=5000)


@router.post(
    "/support-requests/{pk}/answer",
    response={200: SupportOut, **ERROR_RESPONSES},
    summary="Answer a support request remotely",
)
def answer(request: HttpRequest, pk: int, payload: AnswerIn) -> Any:
    support = get_object_or_404(support_visible_to(request.user), pk=pk)
    return support_out(services.support_answer(acting_user=request.user, request=support, answer=payload.answer))


class TeamIn(StrictIn):
    team: str = Field(max_length=200)
    visit_at: DateTime
    note: str = Field("", max_length=2000)


@router.post(
    "/support-requests/{pk}/send-team", response={200: SupportOut, **ERROR_RESPONSES}, summary="Send a team to the site"
)
def send_team(request: HttpRequest, pk: int, payload: TeamIn) -> Any:
    support = get_object_or_404(support_visible_to(request.user), pk=pk)
    visit_at = payload.visit_at if timezone.is_aware(payload.visit_at) else timezone.make_aware(payload.visit_at)
    return support_out(
        services.support_send_team(
            acting_user=request.user, request=support, team=payload.team, visit_at=visit_at, note=payload.note
        )
    )


ROUTERS: list[tuple[str, Router]] = [("/network", router)]
