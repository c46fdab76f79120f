"""Quality feedback (质量问题反馈, seed 000 5.2.5): fault statistics by product model, part, fault
cause and production batch over any period (SQL GROUP BY), and an early warning when a model's
failure rate rises above its own baseline — an exact one-sided Poisson rate test.

The test: in the window of ``W`` days a model has ``k`` quality failures (repair orders with fault
cause "quality" on its devices) and ``n`` devices in service. Its own baseline rate ``r`` is its
failures per device-day over the ``B`` days before the window. Under H0 (no change) the window's
failures are Poisson with mean ``μ = r · n · W``; the p-value is ``P(X ≥ k | μ)``. A warning is
raised when ``p < FOLLOWUP_QUALITY_ALPHA`` (0.01) and ``k ≥ 3``. A model without baseline failures
uses half a failure as its baseline count (a continuity floor), so a first burst can still warn.
The production batch is the serial number's first ``FOLLOWUP_BATCH_PREFIX`` (6) characters."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from catalog.models import ProductModel
from devices.models import Device
from followup.choices import QualityRoute, QualityStatus
from followup.models import QualityIssue, QualityIssueEvent, QualityWarning
from workorders.choices import FaultCause, ServiceType
from workorders.models import MaterialLine, WorkOrder
from workorders.selectors import workorders_visible_to

TEST_NAME = "poisson_upper_tail"


def poisson_upper_tail(k: int, mu: float) -> float:
    """P(X ≥ k) for X ~ Poisson(mu), exact (1 − the sum of the pmf below k, in log space)."""
    if k <= 0:
        return 1.0
    if mu <= 0:
        return 0.0
    below = sum(math.exp(i * math.log(mu) - mu - math.lgamma(i + 1)) for i in range(k))
    return max(0.0, min(1.0, 1.0 - below))


@dataclass(frozen=True)
class RateTest:
    observed: int
    expected: float
    p_value: float
    warn: bool


def rate_test(*, observed: int, baseline_failures: int, baseline_device_days: float, device_days: float) -> RateTest:
    """The window's failures against the model's own baseline rate (pure)."""
    alpha = float(getattr(settings, "FOLLOWUP_QUALITY_ALPHA", 0.01))
    if device_days <= 0 or baseline_device_days <= 0:
        return RateTest(observed, 0.0, 1.0, False)
    rate = max(baseline_failures, 0.5) / baseline_device_days
    expected = rate * device_days
    p = poisson_upper_tail(observed, expected)
    return RateTest(observed, expected, p, p < alpha and observed >= 3)


def _start(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=timezone.get_current_timezone())


def _failures(start: date, end: date) -> QuerySet[WorkOrder]:
    return WorkOrder.objects.filter(
        service_type=ServiceType.REPAIR,
        fault_cause=FaultCause.QUALITY,
        device__isnull=False,
        submitted_at__gte=_start(start),
        submitted_at__lt=_start(end + timedelta(days=1)),
    )


DIMENSIONS = ("model", "cause", "part", "batch")


def fault_statistics(*, user: Any, start: date, end: date, by: str) -> list[dict[str, Any]]:
    """Repair orders with a diagnosed fault in [start, end], grouped in SQL by ``by``."""
    orders = workorders_visible_to(user).filter(
        service_type=ServiceType.REPAIR,
        submitted_at__gte=_start(start),
        submitted_at__lt=_start(end + timedelta(days=1)),
    )
    if by == "model":
        rows = orders.exclude(device__isnull=True).values(key=Substr("device__product_model__code", 1))
    elif by == "cause":
        rows = orders.exclude(fault_cause="").values(key=Substr("fault_cause", 1))
    elif by == "batch":
        length = int(getattr(settings, "FOLLOWUP_BATCH_PREFIX", 6))
        rows = orders.exclude(device__isnull=True).values(key=Substr("device__serial_number", 1, length))
    elif by == "part":
        lines = MaterialLine.objects.filter(order__in=orders.values("pk"))
        return [
            {"key": row["key"], "count": row["count"]}
            for row in lines.values(key=Substr("name", 1))
            .annotate(count=Count("order", distinct=True))
            .order_by("-count", "key")
        ]
    else:
        raise ValueError(by)
    return [{"key": r["key"], "count": r["count"]} for r in rows.annotate(count=Count("id")).order_by("-count", "key")]


def quality_warning_scan(*, today: date | None = None, window_days: int = 30, baseline_days: int = 180) -> int:
    """Test every product model's last ``window_days`` against its own ``baseline_days`` before;
    store a warning where the test says so (once per model and window end). Counts in SQL."""
    today = today or timezone.localdate()
    window_start = today - timedelta(days=window_days - 1)
    baseline_start = window_start - timedelta(days=baseline_days)
    baseline_end = window_start - timedelta(days=1)
    current = dict(
        _failures(window_start, today).values_list("device__product_model").annotate(n=Count("id")).order_by()
    )
    if not current:
        return 0
    baseline = dict(
        _failures(baseline_start, baseline_end)
        .filter(device__product_model__in=list(current))
        .values_list("device__product_model")
        .annotate(n=Count("id"))
        .order_by()
    )
    fleet = dict(
        Device.objects.filter(product_model__in=list(current))
        .values_list("product_model")
        .annotate(n=Count("id"))
        .order_by()
    )
    raised = 0
    for model_id, observed in current.items():
        devices = int(fleet.get(model_id, 0))
        result = rate_test(
            observed=int(observed),
            baseline_failures=int(baseline.get(model_id, 0)),
            baseline_device_days=devices * baseline_days,
            device_days=devices * window_days,
        )
        if not result.warn:
            continue
        try:
            with transaction.atomic():
                QualityWarning.objects.create(
                    product_model_id=model_id,
                    window_start=window_start,
                    window_end=today,
                    observed=result.observed,
                    expected=result.expected,
                    devices_in_service=devices,
                    p_value=result.p_value,
                    test=TEST_NAME,
                )
        except IntegrityError:
            continue
        raised += 1
    return raised


@dataclass(frozen=True)
class IssueStep:
    """One step of a quality issue: the statuses it starts from, where it leads, what it needs."""

    action: str
    sources: tuple[str, ...]
    target: str | None  # None: the status stays (a note)
    needs: str = ""  # the field the step needs: "note"


_S = QualityStatus
ISSUE_STEPS: dict[str, IssueStep] = {
    step.action: step
    for step in (
        IssueStep("investigate", (_S.OPEN,), _S.INVESTIGATING),
        IssueStep("note", (_S.OPEN, _S.INVESTIGATING), None, needs="note"),
        IssueStep("close", (_S.OPEN, _S.INVESTIGATING), _S.CLOSED, needs="note"),
        IssueStep("reopen", (_S.CLOSED,), _S.INVESTIGATING, needs="note"),
    )
}


def quality_issue_allowed_actions(issue: QualityIssue, user: Any) -> list[str]:
    if user is None or not user.has_perm("followup.change_qualityissue"):
        return []
    return [code for code, step in ISSUE_STEPS.items() if issue.status in step.sources]


def _issue_event(
    issue: QualityIssue,
    kind: str,
    acting_user: Any,
    *,
    at: datetime,
    note: str = "",
    source: str = "",
    target: str = "",
) -> QualityIssueEvent:
    label = (acting_user.get_full_name() or acting_user.get_username())[:64] if acting_user is not None else "system"
    return QualityIssueEvent.objects.create(
        issue=issue,
        kind=kind,
        at=at,
        actor=acting_user,
        actor_label=label,
        from_status=source,
        to_status=target,
        note=note,
    )


def _escalate_major(issue: QualityIssue, now: datetime) -> None:
    """A major issue goes to the directors at the top of the organisation (HQ) at once."""
    from core.models import OrgUnit
    from followup.services import _directors_for_unit
    from notify.recipients import Recipient
    from notify.services import notification_enqueue

    top = OrgUnit.objects.filter(parent__isnull=True, is_active=True).order_by("pk").values_list("pk", flat=True)
    directors = [director for unit_id in top for director in _directors_for_unit(unit_id)]
    with translation.override("zh-hans"):
        route = str(issue.get_route_display())
    for director in directors:
        notification_enqueue(
            template_key="quality_major_issue",
            recipient=Recipient.for_user(director),
            context={
                "title": issue.title,
                "model": issue.product_model.code,
                "route": route,
                "evidence": issue.evidence[:300],
            },
            order_id=None,
            customer_id=None,
            dedupe_key=f"quality-issue:{issue.pk}:major",
            fetch=False,
        )
    names = ", ".join(d.get_username() for d in directors) or "—"
    _issue_event(issue, "escalate", None, at=now, note=names)


def _require_issue_editor(user: Any) -> None:
    if user is None or not user.has_perm("followup.add_qualityissue"):
        raise PermissionDenied(_("You may not record quality issues."))


@transaction.atomic
def quality_issue_create(
    *,
    acting_user: Any,
    product_model: ProductModel,
    title: str,
    evidence: str = "",
    route: str = QualityRoute.ENGINEERING,
    is_major: bool = False,
    owner: Any = None,
    affected_devices: list[int] | None = None,
    warning: QualityWarning | None = None,
) -> QualityIssue:
    """Record a quality issue (质量问题反馈): sent to engineering, or to purchasing for a supplier
    part; a major one is escalated to the director at once. Opened with its first event."""
    _require_issue_editor(acting_user)
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = str(_("Give the issue a title."))
    if route not in QualityRoute.values:
        errors["route"] = str(_("Choose engineering or purchasing."))
    device_ids = sorted(set(affected_devices or []))
    if device_ids:
        known = set(Device.objects.filter(pk__in=device_ids, product_model=product_model).values_list("pk", flat=True))
        if len(known) != len(device_ids):
            errors["affected_devices"] = str(_("Name devices of this product model only."))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    issue = QualityIssue(
        title=title[:200],
        product_model=product_model,
        warning=warning,
        route=route,
        is_major=is_major,
        owner=owner,
        affected_devices=device_ids,
        evidence=(evidence or "").strip(),
        created_by=acting_user,
    )
    issue.full_clean()
    issue.save()
    _issue_event(issue, "opened", acting_user, at=now, note=issue.evidence[:500], target=issue.status)
    if is_major:
        _escalate_major(issue, now)
    return issue


@transaction.atomic
def quality_issue_from_warning(
    *, warning: QualityWarning, acting_user: Any, route: str = "engineering", is_major: bool = False, owner: Any = None
) -> QualityIssue:
    """Open the quality issue record for a warning (one per warning): the affected devices are
    the window's failed ones, the evidence states the test and its figures."""
    existing = QualityIssue.objects.filter(warning=warning).first()
    if existing is not None:
        return existing
    devices = sorted(
        set(
            _failures(warning.window_start, warning.window_end)
            .filter(device__product_model=warning.product_model)
            .values_list("device_id", flat=True)
        )
    )
    model: ProductModel = warning.product_model
    return quality_issue_create(
        acting_user=acting_user,
        product_model=model,
        title=f"{model.code} {warning.window_start}–{warning.window_end}",
        warning=warning,
        route=route,
        is_major=is_major,
        owner=owner,
        affected_devices=devices,
        evidence=(
            f"{warning.test}: {warning.observed} failures vs {warning.expected:.2f} expected "
            f"({warning.devices_in_service} devices), p = {warning.p_value:.3g}"
        ),
    )


@transaction.atomic
def quality_issue_transition(
    *, issue: QualityIssue, action: str, acting_user: Any, note: str = "", expected_version: int | None = None
) -> QualityIssue:
    """Move a quality issue on: investigate, note, close (with the findings and corrective action),
    reopen (with the reason). Refused from a status the step does not start from (409); every
    step writes its event in the same transaction."""
    from core.exceptions import TransitionNotAllowed
    from core.services import check_version, save_versioned

    if acting_user is None or not acting_user.has_perm("followup.change_qualityissue"):
        raise PermissionDenied(_("You may not change quality issues."))
    step = ISSUE_STEPS.get(action)
    if step is None:
        raise ValidationError({"action": _("Unknown step.")})
    issue = QualityIssue.objects.select_for_update().select_related("product_model").get(pk=issue.pk)
    check_version(issue, expected_version)
    if issue.status not in step.sources:
        raise TransitionNotAllowed(
            _("This step is not possible while the issue is %(status)s.") % {"status": issue.get_status_display()},
            status=issue.status,
            action=action,
            allowed_actions=quality_issue_allowed_actions(issue, acting_user),
        )
    note = (note or "").strip()
    if step.needs == "note" and not note:
        raise ValidationError({"note": _("Write what was found or why.")})
    now = timezone.now()
    source = issue.status
    fields: list[str] = []
    if step.target is not None:
        issue.status = step.target
        fields.append("status")
    if action == "close":
        issue.resolution, issue.closed_at = note[:5000], now
        fields += ["resolution", "closed_at"]
    elif action == "reopen":
        issue.closed_at = None
        fields.append("closed_at")
    save_versioned(issue, fields)
    _issue_event(issue, action, acting_user, at=now, note=note[:5000], source=source, target=issue.status)
    return issue
