"""Pure decisions of the parts app: which moves are allowed and the warnings a change deserves."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.translation import gettext as _

from workcalendar.calendar import MAX_DAYS_SCANNED, MIDNIGHT, CalendarError, WorkingCalendar, add_business_time

#: 第七条 (《部分商品修理更换退货责任规定》): parts must stay available for a model for five years
#: after it is discontinued.
SUPPLY_YEARS_AFTER_DISCONTINUATION = 5


@dataclass(frozen=True)
class FittedModel:
    code: str
    name: str
    discontinued_on: date | None


def _years_later(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February → 28 February
        return day.replace(year=day.year + years, day=28)


def obsolete_warnings(models: Iterable[FittedModel], *, today: date) -> list[str]:
    """The models a part fits whose parts must stay orderable: still made, or discontinued less
    than five years ago (第七条). Making such a part obsolete is allowed but warned about."""
    warnings: list[str] = []
    for model in models:
        if model.discontinued_on is None:
            warnings.append(
                _("%(model)s is still in production: its parts must stay orderable (第七条).") % {"model": model.code}
            )
        elif today < _years_later(model.discontinued_on, SUPPLY_YEARS_AFTER_DISCONTINUATION):
            until = _years_later(model.discontinued_on, SUPPLY_YEARS_AFTER_DISCONTINUATION)
            warnings.append(
                _("%(model)s was discontinued on %(day)s: its parts must stay orderable until %(until)s (第七条).")
                % {"model": model.code, "day": model.discontinued_on.isoformat(), "until": until.isoformat()}
            )
    return warnings


@dataclass(frozen=True)
class MinimumSuggestion:
    """A suggested minimum from the installed base and the consumption history, with its formula."""

    devices: int
    issued: int
    months: int
    per_100_per_month: float
    cover_months: float
    minimum: int
    formula: str


def suggested_minimum(*, devices: int, issued: int, months: int = 3, cover_months: float = 1.0) -> MinimumSuggestion:
    """Parts used per 100 devices per month = issued ÷ (devices ÷ 100) ÷ months; the minimum covers
    ``cover_months`` of that consumption for the installed base: ⌈rate × devices ÷ 100 × cover⌉."""
    import math

    rate = issued / (devices / 100) / months if devices and months else 0.0
    minimum = math.ceil(rate * devices / 100 * cover_months - 1e-9) if rate else 0
    formula = _(
        "%(issued)s used in %(months)s months over %(devices)s devices = %(rate).2f per 100 devices per month; "
        "minimum = ⌈%(rate).2f × %(devices)s ÷ 100 × %(cover)s month(s)⌉ = %(minimum)s"
    ) % {
        "issued": issued,
        "months": months,
        "devices": devices,
        "rate": rate,
        "cover": cover_months,
        "minimum": minimum,
    }
    return MinimumSuggestion(devices, issued, months, rate, cover_months, minimum, formula)


# --- part shipment promises (issue 11, point 7) ----------------------------------------------------

#: The promises' names as the trade writes them (the same in every language).
PROMISE_NAMES = {"5x10_nbd": "5×10×NBD", "7x24_4": "7×24×4"}
#: What fulfils each promise: the part leaving for the order (shipped), or reaching it (on site).
SHIPPED, ON_SITE = "shipped", "on_site"
PROMISE_MEASURES = {"5x10_nbd": SHIPPED, "7x24_4": ON_SITE}
#: 7×24×4: calendar hours from the request.
ON_SITE_HOURS = 4
#: The customer tags (the contract / tier the service levels match on) that carry a promise; the
#: stricter first when a customer has both.
PROMISE_TAGS: tuple[tuple[str, str], ...] = (("7×24×4", "7x24_4"), ("5×10×NBD", "5x10_nbd"))


@dataclass(frozen=True)
class PromiseDecision:
    promise: str
    source: str  # a PromiseSource value
    reason: str


def promise_from_tags(tags: Iterable[str]) -> str | None:
    """The promise a customer's contract tags carry (7×24×4 wins over 5×10×NBD), if any.
    Tags compare without case and with "x" for "×" (``7x24x4`` is ``7×24×4``)."""

    def norm(tag: str) -> str:
        return tag.strip().lower().replace("x", "×").replace("*", "×")

    have = {norm(tag) for tag in tags}
    for tag, promise in PROMISE_TAGS:
        if norm(tag) in have:
            return promise
    return None


def promise_decide(
    *,
    from_service_level: tuple[str, str] | None,
    from_tags: str | None,
    requested: str | None,
    default: str,
) -> PromiseDecision:
    """Which promise a part request carries: the order's service level (``(promise, level code)``),
    else the customer's contract tag, else what the request chose, else ``default``. A request that
    names another promise than the order's terms is refused by the caller (the terms are the
    contract); naming the same one is fine."""
    if from_service_level is not None:
        promise, level = from_service_level
        return PromiseDecision(
            promise,
            "service_level",
            _("The order's service level %(level)s promises %(promise)s.")
            % {"level": level, "promise": PROMISE_NAMES[promise]},
        )
    if from_tags is not None:
        return PromiseDecision(
            from_tags,
            "contract",
            _("The customer's contract (tag %(promise)s) promises it.") % {"promise": PROMISE_NAMES[from_tags]},
        )
    if requested:
        return PromiseDecision(
            requested, "request", _("Chosen on the request: %(promise)s.") % {"promise": PROMISE_NAMES[requested]}
        )
    return PromiseDecision(
        default, "default", _("The default promise: %(promise)s.") % {"promise": PROMISE_NAMES[default]}
    )


def end_of_next_business_day(calendar: WorkingCalendar, moment: datetime) -> datetime:
    """The end of the last working interval of the first business day after ``moment``'s day on
    ``calendar`` (holidays and 调休 included). A request
    on Friday or Saturday is due on Monday (or the 调休 Saturday, or the day after a holiday)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise CalendarError("the request time must be timezone-aware", "requested_at")
    day = moment.astimezone(calendar.tz).date()
    for _step in range(MAX_DAYS_SCANNED):
        day += timedelta(days=1)
        hours = calendar.hours_on(day)
        if not hours:
            continue
        ends = [end for _start, end in hours]
        if MIDNIGHT in ends:  # open until midnight: the end of the day
            return datetime.combine(day + timedelta(days=1), MIDNIGHT, tzinfo=calendar.tz)
        return datetime.combine(day, max(ends), tzinfo=calendar.tz)
    raise CalendarError("no business day found within 30 years", "hours")


def promise_due(promise: str, *, calendar: WorkingCalendar, requested_at: datetime) -> datetime:
    """The deadline of ``promise`` for a request made at ``requested_at``: the end of the next
    business day of ``calendar`` (5×10×NBD), or four hours of ``calendar`` later (7×24×4 counts
    on a 7×24 calendar: calendar hours)."""
    if promise == "5x10_nbd":
        return end_of_next_business_day(calendar, requested_at)
    if promise == "7x24_4":
        return add_business_time(calendar, requested_at, timedelta(hours=ON_SITE_HOURS))
    raise ValueError(f"unknown promise {promise!r}")
