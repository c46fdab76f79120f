"""Surveys (满意度调查): an unguessable link per completed order sent through the outbox, answered
on the customer's phone; one answer per order, editable for 24 hours; 不满意 or a score of 2 or
less opens a service-recovery task for the unit's director."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from followup.models import RecoveryTask, Survey
from workorders.choices import Satisfaction
from workorders.choices import Status as OrderStatus
from workorders.models import WorkOrder
from workorders.services import workorder_transition

EDIT_WINDOW = timedelta(hours=24)


def survey_valid_days() -> int:
    return int(getattr(settings, "FOLLOWUP_SURVEY_DAYS", 30))


def survey_url(survey: Survey) -> str:
    from core.public_urls import public_url

    return public_url(reverse("followup:survey", args=[survey.token]))


def surveys_issue_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Give every completed order without a survey its link and send it to the customer
    (template ``survey_invite``); send the invitation of surveys made on the spot (the service
    report's QR code, the portal's page) that were not sent yet. Idempotent (one survey per
    order, the message de-duplicated by its key)."""
    now = now or timezone.now()
    for survey_id in Survey.objects.filter(invited_at__isnull=True, expires_at__gt=now).values_list("pk", flat=True)[
        :limit
    ]:
        with transaction.atomic():
            survey = Survey.objects.select_for_update().select_related("order", "order__customer").get(pk=survey_id)
            if survey.invited_at is None:
                _send_invite(survey, survey.order)
                survey.invited_at = now
                survey.save(update_fields=["invited_at", "updated_at"])
    ids = list(
        WorkOrder.objects.filter(status=OrderStatus.COMPLETED, completed_at__isnull=False, completed_at__lte=now)
        .exclude(pk__in=Survey.objects.values("order_id"))
        .order_by("completed_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    created = 0
    for pk in ids:
        try:
            with transaction.atomic():
                order = WorkOrder.objects.select_related("customer").get(pk=pk)
                survey = Survey.objects.create(
                    order=order,
                    unit_id=order.unit_id,
                    token=secrets.token_urlsafe(32),
                    expires_at=now + timedelta(days=survey_valid_days()),
                    invited_at=now,
                )
                _send_invite(survey, order)
        except IntegrityError:
            continue
        created += 1
    return created


def survey_ensure(order: WorkOrder) -> Survey | None:
    """The order's survey, created (without sending the invitation) for a completed order that
    has none yet; ``None`` before completion."""
    existing = Survey.objects.filter(order_id=order.pk).first()
    if existing is not None or order.status != OrderStatus.COMPLETED:
        return existing
    try:
        with transaction.atomic():
            return Survey.objects.create(
                order=order,
                unit_id=order.unit_id,
                token=secrets.token_urlsafe(32),
                expires_at=timezone.now() + timedelta(days=survey_valid_days()),
            )
    except IntegrityError:
        return Survey.objects.filter(order_id=order.pk).first()


def survey_report_link(order: WorkOrder) -> Any:
    """The survey's link for the service report (``fieldwork.report_links``): made on the spot
    for a completed order (the report is made at the customer's sign-off, before the 5-minute
    job), None before completion or once the link cannot be answered any more."""
    from fieldwork.report_links import ReportLink

    survey = survey_ensure(order)
    if survey is None or survey_refusal(survey, now=timezone.now()):
        return None
    return ReportLink(
        heading="满意度评价",
        text="请用手机扫描二维码或打开以下地址，为本次服务评价（满意／不满意，1–5 分）：",
        url=survey_url(survey),
    )


def _send_invite(survey: Survey, order: WorkOrder) -> None:
    from notify.recipients import Recipient
    from notify.services import notification_enqueue

    notification_enqueue(
        template_key="survey_invite",
        recipient=Recipient.for_customer(order.customer),
        context={"customer_name": order.customer.name, "order_number": order.number, "survey_url": survey_url(survey)},
        order_id=order.pk,
        customer_id=order.customer_id,
        dedupe_key=f"survey:{survey.pk}:invite",
        fetch=False,
    )


def survey_for_token(token: str) -> Survey | None:
    token = (token or "").strip()
    if not token or len(token) > 64:
        return None
    return Survey.objects.select_related("order", "order__customer").filter(token=token).first()


def survey_refusal(survey: Survey | None, *, now: datetime) -> str | None:
    """Why this link cannot be answered now (forged, expired, answered more than 24 h ago)."""
    if survey is None:
        return str(_("This survey link is not valid."))
    if now >= survey.expires_at:
        return str(_("This survey link has expired."))
    if survey.answered_at is not None and now > survey.answered_at + EDIT_WINDOW:
        return str(_("This survey was already answered; an answer can be changed for 24 hours only."))
    return None


@transaction.atomic
def survey_answer(*, token: str, satisfaction: str, score: Any, comment: str = "") -> Survey:
    """Record (or, within 24 hours, change) the customer's answer. The first answer of an order
    still completed goes on the order through its ``follow_up`` transition (by the system, the
    survey named in the note); a forged or expired link, a second answer after 24 hours, a score
    outside 1–5 are refused naming the field; nothing half-saved."""
    now = timezone.now()
    survey = survey_for_token(token)
    if survey is not None:
        survey = Survey.objects.select_for_update().select_related("order").get(pk=survey.pk)
    refusal = survey_refusal(survey, now=now)
    if refusal:
        raise ValidationError({"token": refusal}, code="survey_refused")
    assert survey is not None
    errors: dict[str, str] = {}
    if satisfaction not in Satisfaction.values:
        errors["satisfaction"] = str(_("Choose satisfied or unsatisfied."))
    try:
        value = int(score)
    except (TypeError, ValueError):
        value = 0
    if isinstance(score, bool) or not 1 <= value <= 5 or str(score).strip() not in {str(value)}:
        errors["score"] = str(_("Enter a whole number from 1 to 5."))
    if errors:
        raise ValidationError(errors)
    first = survey.answered_at is None
    survey.satisfaction, survey.score, survey.comment = satisfaction, value, (comment or "").strip()[:2000]
    if first:
        survey.answered_at = now
    survey.full_clean()
    survey.save(update_fields=["satisfaction", "score", "comment", "answered_at", "updated_at"])
    if first and survey.order.status == OrderStatus.COMPLETED:
        note = (_("Survey: %(comment)s") % {"comment": survey.comment}) if survey.comment else _("Survey")
        workorder_transition(
            order=survey.order,
            action="follow_up",
            acting_user=None,
            data={"satisfaction": satisfaction, "score": value, "note": note},
        )
    if satisfaction == Satisfaction.UNSATISFIED or value <= 2:
        _open_recovery(survey)
    return survey


def _open_recovery(survey: Survey) -> None:
    from followup.services import _directors_for_unit

    if RecoveryTask.objects.filter(survey=survey).exists():
        return
    directors = _directors_for_unit(survey.unit_id)
    reason = _("Survey: %(rating)s, score %(score)s") % {
        "rating": survey.get_satisfaction_display(),
        "score": survey.score,
    }
    task = RecoveryTask.objects.create(
        survey=survey,
        order=survey.order,
        unit_id=survey.unit_id,
        assigned_to=directors[0] if directors else None,
        reason=str(reason)[:200],
    )
    from notify.recipients import Recipient
    from notify.services import notification_enqueue

    for director in directors:
        notification_enqueue(
            template_key="service_recovery",
            recipient=Recipient.for_user(director),
            context={"order_number": survey.order.number, "reason": task.reason, "comment": survey.comment[:200]},
            order_id=survey.order_id,
            customer_id=survey.order.customer_id,
            dedupe_key=f"survey:{survey.pk}:recovery",
            unit_id=survey.unit_id,
            fetch=False,
        )


@transaction.atomic
def recovery_task_close(
    *, task: RecoveryTask, acting_user: Any, resolution: str, expected_version: int | None = None
) -> RecoveryTask:
    """Close a service-recovery task with what was done for the customer (the director's
    remedy: a revisit, an apology, a waiver). Refused without the text, or when closed already;
    the change log records who closed it."""
    from django.core.exceptions import PermissionDenied

    from core.exceptions import TransitionNotAllowed
    from core.services import check_version, save_versioned

    if acting_user is None or not acting_user.has_perm("followup.change_recoverytask"):
        raise PermissionDenied(_("You may not close service-recovery tasks."))
    task = RecoveryTask.objects.select_for_update().get(pk=task.pk)
    check_version(task, expected_version)
    if not task.is_open:
        raise TransitionNotAllowed(
            _("This service-recovery task is closed already."), status="closed", action="close", allowed_actions=[]
        )
    resolution = (resolution or "").strip()
    if not resolution:
        raise ValidationError({"resolution": _("Write what was done for the customer.")})
    task.is_open, task.resolution = False, resolution[:5000]
    task.closed_at, task.closed_by = timezone.now(), acting_user
    save_versioned(task, ["is_open", "resolution", "closed_at", "closed_by"])
    return task
