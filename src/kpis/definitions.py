"""The KPI definitions as data (SPEC §12): name, what is counted above and below the line, the
event that decides in which period an order counts, and the goal. The UI shows them next to each
figure; the API names are fixed by SPEC §14.2."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

RATIO, MEAN = "ratio", "mean"


@dataclass(frozen=True)
class Definition:
    name: str
    label: Promise
    numerator: Promise
    denominator: Promise
    deciding_event: Promise
    kind: str = RATIO
    goal: Decimal | None = None
    higher_is_better: bool = True


DEFINITIONS: tuple[Definition, ...] = (
    Definition(
        "response_in_time_rate",
        _("Response in time"),
        _("Orders whose first response (acceptance, request for information) met its target"),
        _("Orders whose first-response target fell due in the period (a target still open and past due is a miss)"),
        _("The target's due time"),
        goal=Decimal("1"),
    ),
    Definition(
        "onsite_in_time_rate",
        _("On site in time"),
        _("Orders whose on-site arrival (check-in) met its target"),
        _("Orders whose on-site target fell due in the period (a target still open and past due is a miss)"),
        _("The target's due time"),
        goal=Decimal("1"),
    ),
    Definition(
        "first_time_fix_rate",
        _("First-time fix"),
        _(
            "Repair orders completed as done, with at most one on-site check-in, "
            "not reopened within the repair warranty"
        ),
        _("Repair orders that reached completed in the period, done or not done (a reopened order counts once)"),
        _("The order's first completion"),
        goal=Decimal("0.88"),
    ),
    Definition(
        "repeat_repair_rate",
        _("Repeat repairs"),
        _(
            "Repair orders of the first-time-fix denominator reopened, or followed by a new repair order for the "
            "same device and the same diagnosed fault cause, within the repair warranty"
        ),
        _("Repair orders that reached completed in the period (as for first-time fix)"),
        _("The order's first completion"),
        higher_is_better=False,
    ),
    Definition(
        "mttr_hours",
        _("Mean time to repair (business hours)"),
        _(
            "Sum of the business hours from on-site arrival (or acceptance, without a visit) to resolution, "
            "waiting excluded"
        ),
        _("Repair orders first completed as done in the period"),
        _("The order's first completion"),
        kind=MEAN,
        higher_is_better=False,
    ),
    Definition(
        "satisfaction_rate",
        _("Satisfaction"),
        _("Follow-ups rated satisfied (满意)"),
        _("Follow-ups with a rating recorded in the period"),
        _("The rating"),
        goal=Decimal("1"),
    ),
    Definition(
        "mean_score",
        _("Mean score"),
        _("Sum of the 1–5 scores given"),
        _("Follow-ups with a score recorded in the period"),
        _("The rating"),
        kind=MEAN,
    ),
    Definition(
        "complaint_rate",
        _("Complaint rate"),
        _("Complaints received in the period"),
        _("Orders first completed in the period"),
        _("The complaint's receipt; the order's first completion"),
        higher_is_better=False,
    ),
    Definition(
        "commitment_fulfilment_rate",
        _("Commitment fulfilment"),
        _("Orders that met every target that fell due"),
        _("Orders whose last target fell due in the period"),
        _("The due time of the order's last target"),
        goal=Decimal("1"),
    ),
    Definition(
        "device_availability",
        _("Device availability"),
        _("Scheduled hours of contracted devices minus their downtime (fault report to resolution)"),
        _("Scheduled hours of contracted devices in the period, in the service calendar; planned maintenance excluded"),
        _("The hours of the period"),
        goal=Decimal("0.97"),
    ),
)

BY_NAME: dict[str, Definition] = {d.name: d for d in DEFINITIONS}
NAMES: tuple[str, ...] = tuple(BY_NAME)
AVAILABILITY_FLOOR = Decimal("0.97")
