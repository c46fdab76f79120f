"""Station scorecards per month (issue 12 item 5). The KPI figures are the KPI engine's
(``kpis.engine.compute`` over the station's own orders, ``Slice(station=…)``): this module
defines none of them again. It adds the month's volume (the engine's completed population), the
complaint count and the faulty-part return compliance (``parts.FaultyReturn`` due in the month
and received by its due date).

An app above (``settlement``) adds figures — the fraud flags — through
``register_scorecard_figure(code, label, fn)``; until it does, cards simply lack that figure.

Thresholds (``ScoreThreshold``, data) turn a month into a warning: at most one warning per
station and month, the station moves to *warned*, and a third warning within twelve months
opens a suspension proposal for the director. Recomputing a month is idempotent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kpis import engine
from kpis.definitions import BY_NAME
from kpis.scorecards import month_period, previous_month
from network.choices import ProposalStatus, StationAction, StationStatus
from network.models import ScoreThreshold, StationProfile, StationScorecard, StationWarning, SuspensionProposal
from network.policies import allowed_actions
from network.services import system_transition
from parts.models import FaultyReturn

WARNINGS_TO_PROPOSE = 3
WINDOW_MONTHS = 12

#: ``fn(station, period) -> {"value": Decimal | None, "numerator": …, "denominator": …}``
FigureFn = Callable[[StationProfile, engine.Period], dict[str, Any]]

#: The KPI engine's figures on a station card, in display order.
KPI_FIGURES = (
    "response_in_time_rate",
    "onsite_in_time_rate",
    "first_time_fix_rate",
    "repeat_repair_rate",
    "satisfaction_rate",
    "complaint_rate",
)


@dataclass(frozen=True)
class StationFigure:
    code: str
    label: Promise | str
    fn: FigureFn | None = None  # None: one of the KPI engine's figures (computed together)
    higher_is_better: bool = True


_REGISTRY: dict[str, StationFigure] = {}


def register_scorecard_figure(code: str, label: Promise | str, fn: FigureFn, *, higher_is_better: bool = False) -> None:
    """An app above adds a figure to every station card (e.g. ``fraud_flags`` from settlement)."""
    _REGISTRY[code] = StationFigure(code, label, fn, higher_is_better)


class _System:
    """The monthly job sees every station's orders."""

    is_authenticated = True
    is_superuser = True
    pk = None

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        return True


def _volume(station: StationProfile, period: engine.Period) -> dict[str, Any]:
    orders = engine.orders_in_scope(_System(), engine.Slice(station=station.unit_id))
    count = engine.completed_population(orders, period).order_by().count()
    return {"value": Decimal(count), "numerator": count, "denominator": None}


def _return_compliance(station: StationProfile, period: engine.Period) -> dict[str, Any]:
    due = FaultyReturn.objects.filter(unit_id=station.unit_id, due_on__gte=period.start, due_on__lte=period.end)
    total = due.count()
    back = due.filter(received_at__isnull=False, received_at__date__lte=F("due_on")).count()
    return {"value": engine.ratio(back, total), "numerator": back, "denominator": total}


def _complaints(station: StationProfile, period: engine.Period) -> dict[str, Any]:
    count = (
        engine.complaints_in_scope(_System(), engine.Slice(station=station.unit_id))
        .filter(Q(period.contains("received_at")))
        .count()
    )
    return {"value": Decimal(count), "numerator": count, "denominator": None}


BUILTIN: tuple[StationFigure, ...] = (
    StationFigure("volume", gettext_lazy("Orders completed"), _volume),
    *(StationFigure(name, BY_NAME[name].label, None, BY_NAME[name].higher_is_better) for name in KPI_FIGURES),
    StationFigure("complaints", gettext_lazy("Complaints"), _complaints, False),
    StationFigure("return_compliance", gettext_lazy("Faulty parts returned in time"), _return_compliance),
)


def figures() -> list[StationFigure]:
    """Every figure of a station card: the built-in ones, then those registered by apps above."""
    return [*BUILTIN, *_REGISTRY.values()]


def figure_label(code: str) -> str:
    for figure in figures():
        if figure.code == code:
            return str(figure.label)
    return code


def _as_json(data: dict[str, Any]) -> dict[str, Any]:
    def plain(value: Any) -> Any:
        return str(value) if isinstance(value, Decimal) else value

    return {key: plain(value) for key, value in data.items()}


def station_figures(station: StationProfile, period: engine.Period) -> dict[str, dict[str, Any]]:
    kpi = engine.compute(user=_System(), period=period, slice_=engine.Slice(station=station.unit_id), names=KPI_FIGURES)
    result: dict[str, dict[str, Any]] = {}
    for figure in figures():
        if figure.fn is None:
            got = kpi[figure.code]
            result[figure.code] = {"value": got.value, "numerator": got.numerator, "denominator": got.denominator}
        else:
            result[figure.code] = figure.fn(station, period)
    return {code: _as_json(data) for code, data in result.items()}


def value_of(card: StationScorecard, code: str) -> Decimal | None:
    raw = (card.figures.get(code) or {}).get("value")
    return None if raw is None else Decimal(str(raw))


def check_month_over(month: date, today: date) -> date:
    first = month.replace(day=1)
    if month_period(first).end >= today:
        raise ValidationError(
            {
                "month": _("The month %(month)s is not over yet: its scorecard cannot be computed.")
                % {"month": first.strftime("%Y-%m")}
            }
        )
    return first


def _months_back(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _breaches(card: StationScorecard, thresholds: list[ScoreThreshold]) -> list[dict[str, Any]]:
    found = []
    for threshold in thresholds:
        value = value_of(card, threshold.figure)
        if threshold.breached(value):
            found.append(
                {
                    "figure": threshold.figure,
                    "value": str(value),
                    "limit": str(threshold.limit),
                    "direction": threshold.direction,
                }
            )
    return found


def _warn(station: StationProfile, card: StationScorecard, breaches: list[dict[str, Any]]) -> bool:
    """The month's warning (once); the lifecycle moves to warned; a third warning in twelve
    months proposes suspension. Returns whether a new warning was written."""
    warning, created = StationWarning.objects.get_or_create(
        station=station, month=card.month, defaults={"scorecard": card, "breaches": breaches}
    )
    if not created:
        if warning.breaches != breaches:
            warning.breaches = breaches
            warning.save(update_fields=["breaches", "updated_at"])
        return False
    names = ", ".join(figure_label(b["figure"]) for b in breaches)
    if StationAction.WARN in allowed_actions(station.status):
        system_transition(
            station=station,
            action=StationAction.WARN,
            reason=_("Scorecard %(month)s below the thresholds: %(figures)s")
            % {"month": card.month.strftime("%Y-%m"), "figures": names},
        )
    since = _months_back(card.month, WINDOW_MONTHS - 1)
    recent = list(StationWarning.objects.filter(station=station, month__gte=since, month__lte=card.month))
    station.refresh_from_db(fields=["status"])
    open_exists = SuspensionProposal.objects.filter(station=station, status=ProposalStatus.OPEN).exists()
    if (
        len(recent) >= WARNINGS_TO_PROPOSE
        and not open_exists
        and station.status not in {StationStatus.SUSPENDED, StationStatus.TERMINATED}
    ):
        proposal = SuspensionProposal.objects.create(station=station)
        proposal.warnings.set(recent)
    return True


@transaction.atomic
def station_scorecards_compute(*, month: date, today: date | None = None) -> dict[str, int]:
    """Every station's card of ``month`` (a month that is over). Idempotent: a card is
    recomputed in place, a month warns once, a proposal is opened once."""
    month = check_month_over(month, today or timezone.localdate())
    period = month_period(month)
    thresholds = list(ScoreThreshold.objects.filter(is_active=True))
    now = timezone.now()
    written = warned = 0
    stations = StationProfile.objects.select_related("unit").exclude(
        status__in=[StationStatus.APPLYING, StationStatus.TERMINATED]
    )
    for station in stations.order_by("pk"):
        card, _created = StationScorecard.objects.update_or_create(
            station=station, month=month, defaults={"figures": station_figures(station, period), "computed_at": now}
        )
        written += 1
        breaches = _breaches(card, thresholds)
        if breaches and _warn(station, card, breaches):
            warned += 1
    return {"written": written, "warned": warned}


def previous_month_compute() -> dict[str, int]:
    return station_scorecards_compute(month=previous_month(timezone.localdate()))


def league_table(cards: list[StationScorecard], sort: str, descending: bool) -> list[StationScorecard]:
    """The month's cards ordered by one figure (cards without a value last)."""

    def key(card: StationScorecard) -> tuple[int, Decimal]:
        value = value_of(card, sort)
        if value is None:
            return (1, Decimal(0))
        return (0, -value if descending else value)

    return sorted(cards, key=key)
