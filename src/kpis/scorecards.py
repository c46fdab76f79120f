"""二级核算 scorecards (seed 000 第五篇 5.7.3, issue 16 item 4): a month's figures of every
technician and unit scored by a scheme kept as data, computed by a monthly job on the 1st
(``scorecards_compute``) and reviewed and locked by the director by the 5th
(``scorecard_lock``). A locked card is never recomputed; every month's cards are kept."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role
from core.models import OrgUnit
from kpis import engine
from kpis.definitions import BY_NAME
from kpis.models import Scorecard, ScorecardStatus, ScoreScheme

#: The default scheme (weights sum to 100): the seed's promises and the Aberdeen references.
DEFAULT_SCHEME: dict[str, Any] = {
    "code": "DEFAULT",
    "name": "二级核算（默认）",
    "items": [
        {"figure": "first_time_fix_rate", "weight": 25, "target": "0.88", "floor": "0.60"},
        {"figure": "onsite_in_time_rate", "weight": 20, "target": "1", "floor": "0.70"},
        {"figure": "response_in_time_rate", "weight": 10, "target": "1", "floor": "0.80"},
        {"figure": "satisfaction_rate", "weight": 25, "target": "1", "floor": "0.80"},
        {"figure": "repeat_repair_rate", "weight": 10, "target": "0", "floor": "0.15"},
        {"figure": "complaint_rate", "weight": 10, "target": "0", "floor": "0.05"},
    ],
}


class _System:
    """The monthly job sees every unit (its cards are then read through the scoped pages)."""

    is_authenticated = True
    is_superuser = True
    pk = None

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True


def scheme_clean(items: Any) -> list[dict[str, Any]]:
    """Validate a scheme's items: known figures, positive weights summing to 100, numbers."""
    if not isinstance(items, list) or not items:
        raise ValidationError({"items": _("List at least one figure.")})
    cleaned = []
    for item in items:
        name = item.get("figure") if isinstance(item, dict) else None
        if name not in BY_NAME or name == "mean_score":
            raise ValidationError({"items": _("Unknown figure “%(name)s”.") % {"name": name}})
        try:
            weight = int(item["weight"])
            target, floor = Decimal(str(item["target"])), Decimal(str(item["floor"]))
        except (KeyError, ValueError, ArithmeticError):
            raise ValidationError({"items": _("Each figure needs a weight, a target and a floor.")}) from None
        if weight <= 0 or target == floor:
            raise ValidationError({"items": _("Weights are positive and a target differs from its floor.")})
        cleaned.append({"figure": name, "weight": weight, "target": str(target), "floor": str(floor)})
    if sum(item["weight"] for item in cleaned) != 100:
        raise ValidationError({"items": _("The weights must add up to 100.")})
    return cleaned


def default_scheme() -> ScoreScheme:
    scheme, _created = ScoreScheme.objects.get_or_create(
        code=DEFAULT_SCHEME["code"],
        defaults={"name": DEFAULT_SCHEME["name"], "items": scheme_clean(DEFAULT_SCHEME["items"])},
    )
    return scheme


def points(item: dict[str, Any], value: Decimal | None) -> Decimal | None:
    """Linear between the floor (0) and the target (the full weight); ``None`` without a value."""
    if value is None:
        return None
    target, floor = Decimal(item["target"]), Decimal(item["floor"])
    share = (value - floor) / (target - floor)
    share = min(Decimal(1), max(Decimal(0), share))
    return (share * item["weight"]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Scored:
    score: Decimal | None
    lines: list[dict[str, Any]]


def score(scheme: ScoreScheme, figures: dict[str, engine.Figure]) -> Scored:
    """The score out of 100 over the figures that have a value (weights renormalised)."""
    lines, earned, weights = [], Decimal(0), 0
    for item in scheme.items:
        figure = figures[item["figure"]]
        got = points(item, figure.value)
        lines.append(
            {
                "figure": item["figure"],
                "weight": item["weight"],
                "value": None if figure.value is None else str(figure.value),
                "numerator": str(figure.numerator),
                "denominator": str(figure.denominator),
                "points": None if got is None else str(got),
            }
        )
        if got is not None:
            earned += got
            weights += item["weight"]
    total = (earned * 100 / weights).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if weights else None
    return Scored(total, lines)


def month_period(month: date) -> engine.Period:
    first = month.replace(day=1)
    return engine.Period(first, first.replace(day=calendar.monthrange(first.year, first.month)[1]))


def previous_month(today: date) -> date:
    first = today.replace(day=1)
    return first.replace(year=first.year - 1, month=12) if first.month == 1 else first.replace(month=first.month - 1)


@transaction.atomic
def scorecards_compute(*, month: date, scheme: ScoreScheme | None = None) -> dict[str, int]:
    """Every active technician's and unit's card of ``month`` (drafts are recomputed, locked
    ones left alone). Idempotent; returns how many cards were written and left locked."""
    scheme = scheme or default_scheme()
    month = month.replace(day=1)
    period = month_period(month)
    names = [item["figure"] for item in scheme.items]
    system = _System()
    now = timezone.now()
    subjects: list[tuple[dict[str, Any], engine.Slice]] = [
        ({"technician": user}, engine.Slice(technician=user.pk))
        for user in get_user_model().objects.filter(is_active=True, groups__name=Role.TECHNICIAN).order_by("pk")
    ]
    subjects += [({"unit": unit}, engine.Slice(unit=unit.pk)) for unit in OrgUnit.objects.filter(is_active=True)]
    written = locked = 0
    for subject, slice_ in subjects:
        existing = Scorecard.objects.filter(scheme=scheme, month=month, **subject).first()
        if existing is not None and existing.status == ScorecardStatus.LOCKED:
            locked += 1
            continue
        scored = score(scheme, engine.compute(user=system, period=period, slice_=slice_, names=names))
        Scorecard.objects.update_or_create(
            scheme=scheme,
            month=month,
            **subject,
            defaults={"score": scored.score, "lines": scored.lines, "computed_at": now},
        )
        written += 1
    return {"written": written, "locked": locked}


@transaction.atomic
def scorecard_lock(*, card: Scorecard, acting_user: Any) -> Scorecard:
    """The director's review: the card is locked as it stands (never recomputed again)."""
    if not acting_user.has_perm("kpis.lock_scorecard"):
        raise PermissionDenied(_("You may not lock scorecards."))
    card = Scorecard.objects.select_for_update().get(pk=card.pk)
    if card.status == ScorecardStatus.LOCKED:
        raise ValidationError({"status": _("This scorecard is already locked.")})
    card.status, card.locked_by, card.locked_at = ScorecardStatus.LOCKED, acting_user, timezone.now()
    card.save(update_fields=["status", "locked_by", "locked_at"])
    return card
