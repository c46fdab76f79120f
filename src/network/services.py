"""The network's state changes (issue 12): station records and their lifecycle, the director's
decision on a suspension proposal, and technical-support escalations. Each runs in one
transaction and records who, why and when (a ``StationEvent``; on the order, a timeline event)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role, UnitKind
from core.exceptions import TransitionNotAllowed, VersionConflict
from core.models import OrgUnit
from core.roles import has_role
from network.choices import ProposalStatus, StationAction, StationStatus, SupportReason, SupportStatus
from network.models import StationEvent, StationProfile, SupportRequest, SuspensionProposal
from network.policies import allowed_actions, transition_decision
from workorders.choices import EventKind
from workorders.models import WorkOrder
from workorders.selectors import workorders_visible_to
from workorders.services import workorder_record_event

#: The fields of a station record a create or an update may set (besides ``product_lines``).
FIELDS = (
    "legal_entity",
    "licence_number",
    "licence_expires_on",
    "equipment",
    "contact_name",
    "contact_phone",
    "contact_email",
    "contract_start",
    "contract_end",
    "contract_terms",
)


def _clean(station: StationProfile) -> None:
    if not station.legal_entity.strip():
        raise ValidationError({"legal_entity": _("Give the station's legal entity.")})
    if station.contract_start and station.contract_end and station.contract_end < station.contract_start:
        raise ValidationError({"contract_end": _("The contract cannot end before it starts.")})


@transaction.atomic
def station_create(*, acting_user: Any, unit: OrgUnit, product_lines: Any = (), **data: Any) -> StationProfile:
    """The record of a station that applies to join the network (status ``applying``)."""
    if not acting_user.has_perm("network.add_stationprofile"):
        raise PermissionDenied(_("You may not add station records."))
    if unit.kind != UnitKind.STATION:
        raise ValidationError({"unit": _("Only an authorised-station unit can have a station record.")})
    if StationProfile.objects.filter(unit=unit).exists():
        raise ValidationError({"unit": _("This station already has a record.")})
    station = StationProfile(unit=unit, **{k: v for k, v in data.items() if k in FIELDS})
    _clean(station)
    station.save()
    station.product_lines.set(product_lines)
    StationEvent.objects.create(
        station=station,
        action="create",
        to_status=StationStatus.APPLYING,
        reason=_("Application received."),
        by=acting_user,
        at=timezone.now(),
    )
    return station


@transaction.atomic
def station_update(
    *, acting_user: Any, station: StationProfile, version: int, product_lines: Any = None, **data: Any
) -> StationProfile:
    if not acting_user.has_perm("network.change_stationprofile"):
        raise PermissionDenied(_("You may not change station records."))
    station = StationProfile.objects.select_for_update().get(pk=station.pk)
    if station.version != version:
        raise VersionConflict(
            _("Someone else changed this station record: reload it and apply your change again."),
            current_version=station.version,
        )
    for key, value in data.items():
        if key in FIELDS:
            setattr(station, key, value)
    _clean(station)
    station.version += 1
    station.save()
    if product_lines is not None:
        station.product_lines.set(product_lines)
    return station


def _transition(station: StationProfile, action: str, reason: str, acting_user: Any | None) -> StationProfile:
    """The lifecycle change itself (the caller checked who may ask for it)."""
    station = StationProfile.objects.select_for_update().get(pk=station.pk)
    decision = transition_decision(status=station.status, action=action, reason=reason, may_transition=True)
    if not decision.allowed:
        raise TransitionNotAllowed(
            " ".join(decision.reasons),
            status=station.status,
            action=action,
            allowed_actions=allowed_actions(station.status),
        )
    StationEvent.objects.create(
        station=station,
        action=action,
        from_status=station.status,
        to_status=decision.to_status,
        reason=reason.strip(),
        by=acting_user,
        at=timezone.now(),
    )
    station.status = decision.to_status
    station.version += 1
    station.save(update_fields=["status", "version", "updated_at"])
    return station


@transaction.atomic
def station_transition(*, acting_user: Any, station: StationProfile, action: str, reason: str) -> StationProfile:
    """Move a station along its lifecycle (applying → trial → authorised → warned → suspended →
    terminated); an unknown action or one not possible from the current state is refused (409,
    naming the action and the allowed ones)."""
    if not acting_user.has_perm("network.transition_stationprofile"):
        raise PermissionDenied(_("You may not change a station's lifecycle."))
    return _transition(station, action, reason, acting_user)


def system_transition(*, station: StationProfile, action: str, reason: str) -> StationProfile:
    """The scorecard job's warning (the system acts; recorded without a person)."""
    return _transition(station, action, reason, None)


def may_decide_suspension(user: Any) -> bool:
    return bool(user.has_perm("network.decide_suspension") and (user.is_superuser or has_role(user, Role.DIRECTOR)))


@transaction.atomic
def proposal_decide(*, acting_user: Any, proposal: SuspensionProposal, accept: bool, reason: str) -> SuspensionProposal:
    """The director accepts (the station is suspended) or declines a suspension proposal."""
    if not may_decide_suspension(acting_user):
        raise PermissionDenied(_("Only the service director decides a suspension proposal."))
    proposal = SuspensionProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.OPEN:
        raise TransitionNotAllowed(
            _("This proposal was already decided."), status=proposal.status, action="decide", allowed_actions=[]
        )
    if len(reason.strip()) < 2:
        raise ValidationError({"reason": _("Give the reason for the decision.")})
    if accept:
        proposal.station = _transition(proposal.station, StationAction.SUSPEND, reason, acting_user)
    proposal.status = ProposalStatus.ACCEPTED if accept else ProposalStatus.DECLINED
    proposal.decided_by, proposal.decided_at, proposal.reason = acting_user, timezone.now(), reason.strip()
    proposal.save(update_fields=["status", "decided_by", "decided_at", "reason", "updated_at"])
    return proposal


# --- technical support (seed 000 4.2) --------------------------------------------------------


@transaction.atomic
def support_escalate(*, acting_user: Any, order: WorkOrder, reason: str, question: str) -> SupportRequest:
    """A station asks HQ technical support about one of its orders (shown on the order's timeline)."""
    if not acting_user.has_perm("network.add_supportrequest"):
        raise PermissionDenied(_("You may not escalate orders to technical support."))
    if not workorders_visible_to(acting_user).filter(pk=order.pk).exists():
        raise ValidationError({"order": _("Unknown work order.")})
    if order.unit is None or order.unit.kind != UnitKind.STATION:
        raise ValidationError({"order": _("Only a station's order can be escalated to technical support.")})
    if reason not in SupportReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    if len(question.strip()) < 2:
        raise ValidationError({"question": _("Describe the question.")})
    if SupportRequest.objects.filter(order=order, status=SupportStatus.OPEN).exists():
        raise ValidationError({"order": _("This order already has an open support request.")})
    request = SupportRequest.objects.create(
        station=order.unit, order=order, reason=reason, question=question.strip(), created_by=acting_user
    )
    workorder_record_event(
        order=order,
        kind=EventKind.COMMENT,
        acting_user=acting_user,
        note=_("Escalated to HQ technical support: %(question)s") % {"question": request.question},
        data={"network": "support_escalated", "support_request": request.pk, "reason": reason},
    )
    return request


def _handle(acting_user: Any, request: SupportRequest) -> SupportRequest:
    if not acting_user.has_perm("network.answer_supportrequest"):
        raise PermissionDenied(_("You may not answer support requests."))
    request = SupportRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != SupportStatus.OPEN:
        raise TransitionNotAllowed(
            _("This support request was already handled."), status=request.status, action="answer", allowed_actions=[]
        )
    return request


@transaction.atomic
def support_answer(*, acting_user: Any, request: SupportRequest, answer: str) -> SupportRequest:
    """HQ answers remotely."""
    request = _handle(acting_user, request)
    if len(answer.strip()) < 2:
        raise ValidationError({"answer": _("Write the answer.")})
    request.status, request.answer = SupportStatus.ANSWERED, answer.strip()
    request.handled_by, request.handled_at = acting_user, timezone.now()
    request.save(update_fields=["status", "answer", "handled_by", "handled_at", "updated_at"])
    workorder_record_event(
        order=request.order,
        kind=EventKind.COMMENT,
        acting_user=acting_user,
        note=_("HQ technical support answered: %(answer)s") % {"answer": request.answer},
        data={"network": "support_answered", "support_request": request.pk},
    )
    return request


@transaction.atomic
def support_send_team(
    *, acting_user: Any, request: SupportRequest, team: str, visit_at: datetime, note: str = ""
) -> SupportRequest:
    """HQ sends a team to the site: who, and when they will be there."""
    request = _handle(acting_user, request)
    if len(team.strip()) < 2:
        raise ValidationError({"team": _("Name who goes.")})
    if visit_at is None:
        raise ValidationError({"visit_at": _("Give when the team will be on site.")})
    request.status, request.team, request.team_visit_at = SupportStatus.TEAM_SENT, team.strip(), visit_at
    request.answer = note.strip()
    request.handled_by, request.handled_at = acting_user, timezone.now()
    request.save(update_fields=["status", "team", "team_visit_at", "answer", "handled_by", "handled_at", "updated_at"])
    local = timezone.localtime(visit_at).strftime("%Y-%m-%d %H:%M")
    workorder_record_event(
        order=request.order,
        kind=EventKind.COMMENT,
        acting_user=acting_user,
        note=_("HQ technical support sends a team: %(team)s, on site %(when)s") % {"team": request.team, "when": local},
        data={"network": "support_team_sent", "support_request": request.pk, "team": request.team, "visit_at": local},
    )
    return request
