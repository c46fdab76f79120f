"""The station lifecycle as data plus one pure decision (like ``workorders.transitions``):
applying → trial → authorised → warned → suspended → terminated. ``TRANSITIONS`` says from which
states each action is possible and where it leads; ``transition_decision`` answers allowed or
refused with its reasons and reads nothing but its arguments."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from network.choices import StationAction, StationStatus

S, A = StationStatus, StationAction

#: action -> (the states it may start from, the state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    A.START_TRIAL: (frozenset({S.APPLYING}), S.TRIAL),
    A.AUTHORISE: (frozenset({S.TRIAL}), S.AUTHORISED),
    A.WARN: (frozenset({S.TRIAL, S.AUTHORISED, S.WARNED}), S.WARNED),
    A.SUSPEND: (frozenset({S.AUTHORISED, S.WARNED}), S.SUSPENDED),
    A.REINSTATE: (frozenset({S.WARNED, S.SUSPENDED}), S.AUTHORISED),
    A.TERMINATE: (frozenset({S.APPLYING, S.TRIAL, S.AUTHORISED, S.WARNED, S.SUSPENDED}), S.TERMINATED),
}

MIN_REASON = 2


@dataclass(frozen=True)
class Decision:
    allowed: bool
    to_status: str = ""
    reasons: list[str] = field(default_factory=list)


def allowed_actions(status: str) -> list[str]:
    return [action for action, (sources, _to) in TRANSITIONS.items() if status in sources]


def transition_decision(*, status: str, action: str, reason: str, may_transition: bool) -> Decision:
    """May ``action`` move a station in ``status``? Every refusal names why."""
    reasons: list[str] = []
    if not may_transition:
        reasons.append(_("You may not change a station's lifecycle."))
    if action not in TRANSITIONS:
        reasons.append(_("Unknown action “%(action)s”.") % {"action": action})
        return Decision(False, reasons=reasons)
    sources, target = TRANSITIONS[action]
    if status not in sources:
        reasons.append(
            _("“%(action)s” is not possible from the status “%(status)s”.")
            % {"action": StationAction(action).label, "status": StationStatus(status).label}
        )
    if len(reason.strip()) < MIN_REASON:
        reasons.append(_("Give the reason for the change."))
    return Decision(not reasons, target if not reasons else "", reasons)
