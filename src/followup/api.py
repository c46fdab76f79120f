"""Follow-up in the public API v1: ``/api/v1/callbacks`` and ``/api/v1/complaints`` (SPEC §14.2:
``POST /complaints`` → ``{"id","number","status","acknowledge_by"}``). Thin: parse, call
selectors/services, serialise."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from core.api import (
    ERROR_RESPONSES,
    LAX,
    MAX_ID,
    Date,
    DateText,
    DateTimeText,
    Id,
    IdCodeName,
    IdName,
    IdNumber,
    PageQuery,
    PersonRef,
    Share,
    StrictIn,
    idempotent_create,
    local_iso,
    paginate,
    parse_id,
    person_ref,
)
from core.models import OrgUnit
from core.scoping import unit_ids_visible_to
from customers.selectors import customers_visible_to
from followup import services
from followup.choices import (
    CallbackStatus,
    CallOutcome,
    CareKind,
    ComplaintAlert,
    ComplaintChannel,
    ComplaintStatus,
    ComplaintSubject,
    Festival,
    QualityRoute,
    QualityStatus,
)
from followup.models import (
    CallbackSample,
    CallbackTask,
    CareDelivery,
    CareRule,
    Complaint,
    QualityIssue,
    QualityWarning,
    RecoveryTask,
    Survey,
)
from followup.selectors import (
    call_script_for,
    callback_queue,
    callbacks_visible_to,
    care_log_visible_to,
    care_rules_visible_to,
    complaint_list,
    complaint_monthly_report,
    complaints_visible_to,
    quality_issues_visible_to,
    quality_warnings_visible_to,
    recovery_tasks_visible_to,
    samples_visible_to,
    survey_list,
    survey_results,
    surveys_visible_to,
)
from workorders.choices import Satisfaction
from workorders.selectors import workorders_visible_to

callbacks_router = Router(tags=["callbacks"])
complaints_router = Router(tags=["complaints"])
surveys_router = Router(tags=["surveys"])
recovery_router = Router(tags=["service recovery"])
care_router = Router(tags=["customer care"])
quality_router = Router(tags=["quality"])

ROUTERS: list[tuple[str, Router]] = [
    ("/callbacks", callbacks_router),
    ("/complaints", complaints_router),
    ("/surveys", surveys_router),
    ("/recovery-tasks", recovery_router),
    ("/care", care_router),
    ("/quality", quality_router),
]


# --- callbacks ------------------------------------------------------------------------------------


class CallbackFilters(PageQuery):
    status: CallbackStatus | None = Field(default=None, description="Omitted: the open callbacks due for a call")
    q: str = Field(default="", max_length=64)


class CallIn(StrictIn):
    outcome: Annotated[CallOutcome, LAX]
    satisfaction: Annotated[Satisfaction, LAX] | None = Field(
        default=None, description="Required when the customer was reached"
    )
    score: int | None = Field(default=None, ge=1, le=5)
    comment: str = Field(default="", max_length=2000)
    note: str = Field(default="", max_length=2000)
    version: int | None = Field(default=None, ge=1)


class CallOut(Schema):
    at: DateTimeText
    outcome: str
    note: str
    by: str | None


class CallbackOut(Schema):
    id: int
    work_order: IdNumber
    customer: IdName
    phone: str
    unit: int
    reason: str
    sample: int | None
    visit_at: DateTimeText
    due_at: DateTimeText
    status: str
    attempts: int
    next_attempt_on: DateText | None
    satisfaction: str | None
    score: int | None
    comment: str
    finished_at: DateTimeText | None
    is_late: bool
    version: int


class CallbackDetailOut(CallbackOut):
    script: str
    calls: list[CallOut]


class CallbackListOut(Schema):
    items: list[CallbackOut]
    count: int


class SampleIn(StrictIn):
    unit: Id
    period_start: Date
    period_end: Date
    share: Share | None = Field(default=None, description="e.g. 0.05 for 5 %")
    seed: str = Field(default="", max_length=64)


class DrawnOut(Schema):
    order: int
    number: str
    why: str


class SampleOut(Schema):
    id: int
    unit: int
    period_start: DateText
    period_end: DateText
    share: str
    seed: str
    population: list[int]
    drawn: list[DrawnOut]


def callback_out(task: CallbackTask) -> dict[str, Any]:
    order = task.order
    return {
        "id": task.pk,
        "work_order": {"id": order.pk, "number": order.number},
        "customer": {"id": order.customer_id, "name": order.customer.name},
        "phone": order.contact_phone,
        "unit": task.unit_id,
        "reason": task.reason,
        "sample": task.sample_id,
        "visit_at": local_iso(task.visit_at),
        "due_at": local_iso(task.due_at),
        "status": task.status,
        "attempts": task.attempts,
        "next_attempt_on": task.next_attempt_on.isoformat() if task.next_attempt_on else None,
        "satisfaction": task.satisfaction or None,
        "score": task.score,
        "comment": task.comment,
        "finished_at": local_iso(task.finished_at),
        "is_late": task.is_late,
        "version": task.version,
    }


def callback_detail(task: CallbackTask) -> dict[str, Any]:
    script = call_script_for(task.order.service_type)
    return {
        **callback_out(task),
        "script": script.text if script else "",
        "calls": [
            {
                "at": local_iso(call.at),
                "outcome": call.outcome,
                "note": call.note,
                "by": call.by.get_username() if call.by else None,
            }
            for call in task.calls.select_related("by")
        ],
    }


def sample_out(sample: CallbackSample) -> dict[str, Any]:
    return {
        "id": sample.pk,
        "unit": sample.unit_id,
        "period_start": sample.period_start.isoformat(),
        "period_end": sample.period_end.isoformat(),
        "share": f"{sample.share.normalize():f}",
        "seed": sample.seed,
        "population": list(sample.population),
        "drawn": list(sample.drawn),
    }


def _get_task(request: HttpRequest, task_id: int) -> CallbackTask:
    if not 1 <= task_id <= MAX_ID:
        raise CallbackTask.DoesNotExist
    return callbacks_visible_to(request.user).get(pk=task_id)


@callbacks_router.get("", response={200: CallbackListOut, **ERROR_RESPONSES}, summary="The callback queue")
def list_callbacks(request: HttpRequest, filters: Query[CallbackFilters]) -> Any:
    tasks = callback_queue(user=request.user, status=filters.status or "", q=filters.q)
    return paginate(tasks, page=filters.page, page_size=filters.page_size, serialize=callback_out)


@callbacks_router.post(
    "/samples", response={201: SampleOut, **ERROR_RESPONSES}, summary="Draw the HQ's random sample of a unit"
)
def draw_sample(request: HttpRequest, payload: SampleIn) -> Any:
    ids = unit_ids_visible_to(request.user)
    unit = OrgUnit.objects.filter(pk=payload.unit).first()
    if unit is None or (ids is not None and unit.pk not in ids):
        raise ValidationError({"unit": _("Unknown unit.")})
    sample = services.callback_sample_draw(
        unit=unit,
        period_start=payload.period_start,
        period_end=payload.period_end,
        share=payload.share,
        seed=payload.seed,
        acting_user=request.user,
    )
    return Status(201, sample_out(sample))


@callbacks_router.get("/samples/{sample_id}", response={200: SampleOut, **ERROR_RESPONSES}, summary="One sample")
def get_sample(request: HttpRequest, sample_id: int) -> Any:
    if not 1 <= sample_id <= MAX_ID:
        raise CallbackSample.DoesNotExist
    return sample_out(samples_visible_to(request.user).get(pk=sample_id))


@callbacks_router.get("/{task_id}", response={200: CallbackDetailOut, **ERROR_RESPONSES}, summary="One callback")
def get_callback(request: HttpRequest, task_id: int) -> Any:
    return callback_detail(_get_task(request, task_id))


@callbacks_router.post(
    "/{task_id}/calls", response={200: CallbackDetailOut, **ERROR_RESPONSES}, summary="Record one call"
)
def record_call(request: HttpRequest, task_id: int, payload: CallIn) -> Any:
    task = _get_task(request, task_id)
    services.callback_record_call(
        task=task,
        acting_user=request.user,
        outcome=payload.outcome,
        satisfaction=payload.satisfaction or "",
        score=payload.score,
        comment=payload.comment,
        note=payload.note,
        expected_version=payload.version,
    )
    return callback_detail(_get_task(request, task_id))


# --- complaints -----------------------------------------------------------------------------------


class ComplaintIn(StrictIn):
    customer: Id
    work_order: Id | None = None
    description: str = Field(max_length=5000, description="The customer's words, verbatim")
    channel: Annotated[ComplaintChannel, LAX]
    subject: Annotated[ComplaintSubject, LAX] | None = Field(
        default=None, description="Default: order with a work order, else policy"
    )
    technician: Id | None = None
    station: Id | None = None
    product_model: str | None = Field(default=None, max_length=32, description="A product model's code")
    remedy_requested: str = Field(default="", max_length=2000)


ComplaintAction = Literal[
    "acknowledge", "investigate", "note", "contact", "resolve", "customer_answer", "close", "reopen"
]


class ComplaintTransitionIn(StrictIn):
    action: ComplaintAction
    note: str = Field(default="", max_length=5000)
    reason: str = Field(default="", max_length=2000)
    resolution: str = Field(default="", max_length=5000)
    remedy: str = Field(default="", max_length=2000)
    answer: str = Field(default="", max_length=16, description="customer_answer: satisfied|unsatisfied|not_reached")
    channel: str = Field(default="", max_length=16, description="contact: how the customer was contacted")
    version: int | None = Field(default=None, ge=1)


class ComplaintFilters(PageQuery):
    status: ComplaintStatus | None = None
    subject: ComplaintSubject | None = None
    alert: Literal["at_risk", "breached"] | None = None
    q: str = Field(default="", max_length=64)
    work_order: Id | None = None


class ComplaintEventOut(Schema):
    kind: str
    at: DateTimeText
    by: str
    from_status: str
    to_status: str
    note: str
    data: dict[str, Any]


class ComplaintOut(Schema):
    id: int
    number: str
    status: str
    acknowledge_by: DateTimeText
    customer: IdName
    work_order: IdNumber | None
    unit: int
    channel: str
    subject: str
    alert: str | None
    received_at: DateTimeText
    acknowledged_at: DateTimeText | None
    version: int


class ComplaintDetailOut(ComplaintOut):
    description: str
    remedy_requested: str
    technician: int | None
    station: int | None
    product_model: str | None
    resolution: str
    remedy: str
    resolved_at: DateTimeText | None
    customer_answer: str | None
    customer_asked_at: DateTimeText | None
    closed_at: DateTimeText | None
    reopened_count: int
    timeline: list[ComplaintEventOut]
    allowed_actions: list[str]


class ComplaintListOut(Schema):
    items: list[ComplaintOut]
    count: int


class ReportOut(Schema):
    year: int
    month: int
    received: int
    by_subject: dict[str, int]
    by_channel: dict[str, int]
    by_unit: dict[str, int]
    acknowledged: int
    acknowledged_on_time: int
    escalated: int
    closed: int
    closed_by_answer: dict[str, int]
    open_at_month_end: int


class ReportQuery(Schema):
    month: str = Field(pattern=r"^(19|2\d)\d{2}-(0[1-9]|1[0-2])$", description="YYYY-MM, from 1900-01 to 2999-12")


def complaint_out(complaint: Complaint) -> dict[str, Any]:
    return {
        "id": complaint.pk,
        "number": complaint.number,
        "status": complaint.status,
        "acknowledge_by": local_iso(complaint.acknowledge_by),
        "customer": {"id": complaint.customer_id, "name": complaint.customer.name},
        "work_order": {"id": complaint.work_order_id, "number": complaint.work_order.number}
        if complaint.work_order
        else None,
        "unit": complaint.unit_id,
        "channel": complaint.channel,
        "subject": complaint.subject,
        "alert": complaint.alert or None,
        "received_at": local_iso(complaint.received_at),
        "acknowledged_at": local_iso(complaint.acknowledged_at),
        "version": complaint.version,
    }


def complaint_detail(complaint: Complaint, request: HttpRequest) -> dict[str, Any]:
    return {
        **complaint_out(complaint),
        "description": complaint.description,
        "remedy_requested": complaint.remedy_requested,
        "technician": complaint.technician_id,
        "station": complaint.station_id,
        "product_model": complaint.product_model.code if complaint.product_model else None,
        "resolution": complaint.resolution,
        "remedy": complaint.remedy,
        "resolved_at": local_iso(complaint.resolved_at),
        "customer_answer": complaint.customer_answer or None,
        "customer_asked_at": local_iso(complaint.customer_asked_at),
        "closed_at": local_iso(complaint.closed_at),
        "reopened_count": complaint.reopened_count,
        "timeline": [
            {
                "kind": event.kind,
                "at": local_iso(event.at),
                "by": event.actor_label,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
                "data": event.data,
            }
            for event in complaint.events.all()
        ],
        "allowed_actions": services.complaint_allowed_actions(complaint, request.user),
    }


def _get_complaint(request: HttpRequest, complaint_id: int) -> Complaint:
    if not 1 <= complaint_id <= MAX_ID:
        raise Complaint.DoesNotExist
    return complaints_visible_to(request.user).get(pk=complaint_id)


def _visible(queryset: Any, value: Any, field: str, message: str) -> Any:
    record = queryset.filter(pk=parse_id(value, field)).first()
    if record is None:
        raise ValidationError({field: message})
    return record


@complaints_router.post(
    "", response={201: ComplaintDetailOut, **ERROR_RESPONSES}, summary="Register a complaint (Idempotency-Key honoured)"
)
def create_complaint(request: HttpRequest, payload: ComplaintIn) -> Any:
    from django.contrib.auth import get_user_model

    from catalog.models import ProductModel

    def create() -> tuple[int, dict[str, Any]]:
        customer = _visible(customers_visible_to(request.user), payload.customer, "customer", _("Unknown customer."))
        order = None
        if payload.work_order is not None:
            order = _visible(
                workorders_visible_to(request.user), payload.work_order, "work_order", _("Unknown work order.")
            )
        technician = None
        if payload.technician is not None:
            technician = _visible(
                get_user_model().objects.filter(is_active=True), payload.technician, "technician", _("Unknown user.")
            )
        station = None
        if payload.station is not None:
            station = _visible(OrgUnit.objects.all(), payload.station, "station", _("Unknown unit."))
        product_model = None
        if payload.product_model:
            product_model = ProductModel.objects.filter(code=payload.product_model.strip()).first()
            if product_model is None:
                raise ValidationError({"product_model": _("Unknown product model.")})
        complaint = services.complaint_create(
            acting_user=request.user,
            customer=customer,
            work_order=order,
            description=payload.description,
            channel=payload.channel,
            subject=payload.subject or "",
            technician=technician,
            station=station,
            product_model=product_model,
            remedy_requested=payload.remedy_requested,
        )
        return 201, complaint_detail(_get_complaint(request, complaint.pk), request)

    return idempotent_create(request, "complaints", create)


@complaints_router.get("", response={200: ComplaintListOut, **ERROR_RESPONSES}, summary="List complaints (scoped)")
def list_complaints(request: HttpRequest, filters: Query[ComplaintFilters]) -> Any:
    complaints = complaint_list(
        user=request.user,
        status=filters.status or "",
        subject=filters.subject or "",
        alert=filters.alert or "",
        q=filters.q,
        work_order=filters.work_order,
    )
    return paginate(complaints, page=filters.page, page_size=filters.page_size, serialize=complaint_out)


@complaints_router.get("/report", response={200: ReportOut, **ERROR_RESPONSES}, summary="Monthly complaint report")
def monthly_report(request: HttpRequest, query: Query[ReportQuery]) -> Any:
    year, month = (int(part) for part in query.month.split("-"))
    return complaint_monthly_report(user=request.user, year=year, month=month)


@complaints_router.get(
    "/{complaint_id}", response={200: ComplaintDetailOut, **ERROR_RESPONSES}, summary="One complaint"
)
def get_complaint(request: HttpRequest, complaint_id: int) -> Any:
    return complaint_detail(_get_complaint(request, complaint_id), request)


@complaints_router.post(
    "/{complaint_id}/transitions",
    response={200: ComplaintDetailOut, **ERROR_RESPONSES},
    summary="Apply a step: acknowledge, investigate, note, contact, resolve, customer_answer, close, reopen",
)
def transition(request: HttpRequest, complaint_id: int, payload: ComplaintTransitionIn) -> Any:
    if not request.user.has_perm("followup.handle_complaint"):
        raise PermissionDenied(_("You may not handle complaints."))  # role before unit: 403 for every step
    complaint = _get_complaint(request, complaint_id)
    data = payload.dict(exclude={"action", "version"})
    services.complaint_transition(
        complaint=complaint,
        action=payload.action,
        acting_user=request.user,
        data=data,
        expected_version=payload.version,
    )
    return complaint_detail(_get_complaint(request, complaint_id), request)


# --- surveys (staff side; the customer answers on the portal) -------------------------------------


class SurveyFilters(PageQuery):
    answered: bool | None = Field(default=None, description="true: answered only; false: not answered yet")
    satisfaction: Satisfaction | None = None
    work_order: Id | None = Field(default=None, description="The survey of one order")
    technician: Id | None = None
    unit: Id | None = Field(default=None, description="The order's serving unit (station)")
    start: Date | None = Field(default=None, description="Issued on or after this day")
    end: Date | None = Field(default=None, description="Issued on or before this day")


class RecoveryRef(Schema):
    id: int
    is_open: bool


class SurveyOut(Schema):
    id: int
    work_order: IdNumber
    customer: IdName
    technician: PersonRef | None
    unit: int
    issued_at: DateTimeText
    expires_at: DateTimeText
    answered_at: DateTimeText | None
    satisfaction: str | None
    score: int | None
    comment: str
    recovery: RecoveryRef | None


class SurveyDetailOut(SurveyOut):
    url: str
    editable_until: DateTimeText | None


class SurveyListOut(Schema):
    items: list[SurveyOut]
    count: int


class SurveyResultsQuery(Schema):
    by: Literal["technician", "station"]
    start: Date | None = None
    end: Date | None = None


class SurveyResultOut(Schema):
    id: int
    name: str
    issued: int
    answered: int
    satisfied: int
    unsatisfied: int
    low_scores: int = Field(description="Answers scoring 2 or less")
    mean_score: float | None


class SurveyResultsOut(Schema):
    by: str
    start: DateText | None
    end: DateText | None
    items: list[SurveyResultOut]


def _recovery_of(survey: Survey) -> dict[str, Any] | None:
    try:
        task = survey.recovery
    except RecoveryTask.DoesNotExist:
        return None
    return {"id": task.pk, "is_open": task.is_open}


def survey_out(survey: Survey) -> dict[str, Any]:
    order = survey.order
    return {
        "id": survey.pk,
        "work_order": {"id": order.pk, "number": order.number},
        "customer": {"id": order.customer_id, "name": order.customer.name},
        "technician": person_ref(order.technician),
        "unit": survey.unit_id,
        "issued_at": local_iso(survey.created_at),
        "expires_at": local_iso(survey.expires_at),
        "answered_at": local_iso(survey.answered_at),
        "satisfaction": survey.satisfaction or None,
        "score": survey.score,
        "comment": survey.comment,
        "recovery": _recovery_of(survey),
    }


def _get_survey(request: HttpRequest, survey_id: int) -> Survey:
    if not 1 <= survey_id <= MAX_ID:
        raise Survey.DoesNotExist
    return surveys_visible_to(request.user).select_related("recovery").get(pk=survey_id)


@surveys_router.get("", response={200: SurveyListOut, **ERROR_RESPONSES}, summary="Survey answers (scoped by unit)")
def list_surveys(request: HttpRequest, filters: Query[SurveyFilters]) -> Any:
    surveys = survey_list(
        user=request.user,
        answered=filters.answered,
        satisfaction=filters.satisfaction or "",
        work_order=filters.work_order,
        technician=filters.technician,
        unit=filters.unit,
        start=filters.start,
        end=filters.end,
    ).select_related("recovery")
    return paginate(surveys, page=filters.page, page_size=filters.page_size, serialize=survey_out)


@surveys_router.get(
    "/results", response={200: SurveyResultsOut, **ERROR_RESPONSES}, summary="Survey results per technician or station"
)
def survey_results_view(request: HttpRequest, query: Query[SurveyResultsQuery]) -> Any:
    if query.start and query.end and query.start > query.end:
        raise ValidationError({"end": _("The end is before the start.")})
    return {
        "by": query.by,
        "start": query.start.isoformat() if query.start else None,
        "end": query.end.isoformat() if query.end else None,
        "items": survey_results(user=request.user, by=query.by, start=query.start, end=query.end),
    }


@surveys_router.get("/{survey_id}", response={200: SurveyDetailOut, **ERROR_RESPONSES}, summary="One survey")
def get_survey(request: HttpRequest, survey_id: int) -> Any:
    from followup.surveys import EDIT_WINDOW, survey_url

    survey = _get_survey(request, survey_id)
    return {
        **survey_out(survey),
        "url": survey_url(survey),
        "editable_until": local_iso(survey.answered_at + EDIT_WINDOW) if survey.answered_at else None,
    }


# --- service recovery -------------------------------------------------------------------------------


class RecoveryFilters(PageQuery):
    is_open: bool | None = Field(default=None, description="Omitted: open and closed")


class RecoveryCloseIn(StrictIn):
    resolution: str = Field(max_length=5000, description="What was done for the customer")
    version: int | None = Field(default=None, ge=1)


class RecoveryTaskOut(Schema):
    id: int
    work_order: IdNumber
    customer: IdName
    survey: int
    unit: int
    reason: str
    assigned_to: PersonRef | None
    is_open: bool
    resolution: str
    opened_at: DateTimeText
    closed_at: DateTimeText | None
    closed_by: PersonRef | None
    version: int


class RecoveryTaskListOut(Schema):
    items: list[RecoveryTaskOut]
    count: int


def recovery_out(task: RecoveryTask) -> dict[str, Any]:
    order = task.order
    return {
        "id": task.pk,
        "work_order": {"id": order.pk, "number": order.number},
        "customer": {"id": order.customer_id, "name": order.customer.name},
        "survey": task.survey_id,
        "unit": task.unit_id,
        "reason": task.reason,
        "assigned_to": person_ref(task.assigned_to),
        "is_open": task.is_open,
        "resolution": task.resolution,
        "opened_at": local_iso(task.created_at),
        "closed_at": local_iso(task.closed_at),
        "closed_by": person_ref(task.closed_by),
        "version": task.version,
    }


def _get_recovery(request: HttpRequest, task_id: int) -> RecoveryTask:
    if not 1 <= task_id <= MAX_ID:
        raise RecoveryTask.DoesNotExist
    return recovery_tasks_visible_to(request.user).get(pk=task_id)


@recovery_router.get("", response={200: RecoveryTaskListOut, **ERROR_RESPONSES}, summary="Service-recovery tasks")
def list_recovery_tasks(request: HttpRequest, filters: Query[RecoveryFilters]) -> Any:
    tasks = recovery_tasks_visible_to(request.user)
    if filters.is_open is not None:
        tasks = tasks.filter(is_open=filters.is_open)
    tasks = tasks.order_by("-is_open", "-created_at", "-id")
    return paginate(tasks, page=filters.page, page_size=filters.page_size, serialize=recovery_out)


@recovery_router.get("/{task_id}", response={200: RecoveryTaskOut, **ERROR_RESPONSES}, summary="One recovery task")
def get_recovery_task(request: HttpRequest, task_id: int) -> Any:
    return recovery_out(_get_recovery(request, task_id))


@recovery_router.post(
    "/{task_id}/close", response={200: RecoveryTaskOut, **ERROR_RESPONSES}, summary="Close with what was done"
)
def close_recovery_task(request: HttpRequest, task_id: int, payload: RecoveryCloseIn) -> Any:
    from followup.surveys import recovery_task_close

    if not request.user.has_perm("followup.change_recoverytask"):
        raise PermissionDenied(_("You may not close service-recovery tasks."))
    task = _get_recovery(request, task_id)
    recovery_task_close(
        task=task, acting_user=request.user, resolution=payload.resolution, expected_version=payload.version
    )
    return recovery_out(_get_recovery(request, task_id))


# --- customer care ------------------------------------------------------------------------------------


class CareRuleIn(StrictIn):
    code: str = Field(max_length=32, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(max_length=100)
    kind: Annotated[CareKind, LAX]
    festival: Annotated[Festival, LAX] | None = None
    weekday: int | None = Field(default=None, ge=0, le=6, description="0 = Monday … 6 = Sunday")
    send_on: Date | None = None
    days_before: int = Field(default=0, ge=0, le=60)
    template_key: str = Field(max_length=64)
    segment_tags: str = Field(default="", max_length=200, description="Comma-separated; every tag must match")
    segment_region: str = Field(default="", max_length=6, pattern=r"^\d{0,6}$")
    segment_product_line: str = Field(default="", max_length=32, description="A product category code")
    is_active: bool = True


class CareRulePatch(StrictIn):
    name: str | None = Field(default=None, max_length=100)
    kind: Annotated[CareKind, LAX] | None = None
    festival: Annotated[Festival, LAX] | None = None
    weekday: int | None = Field(default=None, ge=0, le=6)
    send_on: Date | None = None
    days_before: int | None = Field(default=None, ge=0, le=60)
    template_key: str | None = Field(default=None, max_length=64)
    segment_tags: str | None = Field(default=None, max_length=200)
    segment_region: str | None = Field(default=None, max_length=6, pattern=r"^\d{0,6}$")
    segment_product_line: str | None = Field(default=None, max_length=32)
    is_active: bool | None = None
    version: int | None = Field(default=None, ge=1)


class CareRuleOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    festival: str | None
    weekday: int | None
    send_on: DateText | None
    days_before: int
    template_key: str
    segment_tags: str
    segment_region: str
    segment_product_line: str
    is_active: bool
    version: int


class CareRuleListOut(Schema):
    items: list[CareRuleOut]
    count: int


class CarePreviewQuery(PageQuery):
    day: Date | None = Field(default=None, description="Default: today")


class CareCountsOut(Schema):
    send: int
    already_done: int
    opted_out: int
    no_channel: int
    weekly_limit: int


class CarePreviewItemOut(Schema):
    customer: IdName
    send: bool
    reason: str | None
    channels: list[str]


class CarePreviewOut(Schema):
    rule: int
    day: DateText
    fires: bool
    counts: CareCountsOut
    items: list[CarePreviewItemOut]
    count: int


class CareLogFilters(PageQuery):
    rule: Id | None = None
    day: Date | None = None
    status: Literal["queued", "skipped"] | None = None
    customer: Id | None = None


class CareLogOut(Schema):
    id: int
    rule: IdName
    customer: IdName
    day: DateText
    status: str
    reason: str | None
    channels: list[str]
    at: DateTimeText


class CareLogListOut(Schema):
    items: list[CareLogOut]
    count: int


class OptOutIn(StrictIn):
    customer: Id
    channel: Literal["", "email", "sms"] = Field(default="", description='"" = every channel')
    reason: str = Field(default="", max_length=200)


class OptOutOut(Schema):
    id: int
    customer: int
    channel: str
    reason: str


def care_rule_out(rule: CareRule) -> dict[str, Any]:
    return {
        "id": rule.pk,
        "code": rule.code,
        "name": rule.name,
        "kind": rule.kind,
        "festival": rule.festival or None,
        "weekday": rule.weekday,
        "send_on": rule.send_on.isoformat() if rule.send_on else None,
        "days_before": rule.days_before,
        "template_key": rule.template_key,
        "segment_tags": rule.segment_tags,
        "segment_region": rule.segment_region,
        "segment_product_line": rule.segment_product_line,
        "is_active": rule.is_active,
        "version": rule.version,
    }


def care_log_out(row: CareDelivery) -> dict[str, Any]:
    return {
        "id": row.pk,
        "rule": {"id": row.rule_id, "name": row.rule.name},
        "customer": {"id": row.customer_id, "name": row.customer.name},
        "day": row.day.isoformat(),
        "status": row.status,
        "reason": row.reason or None,
        "channels": [c for c in row.channels.split(",") if c],
        "at": local_iso(row.at),
    }


def _get_rule(request: HttpRequest, rule_id: int) -> CareRule:
    if not 1 <= rule_id <= MAX_ID:
        raise CareRule.DoesNotExist
    return care_rules_visible_to(request.user).get(pk=rule_id)


@care_router.get("/rules", response={200: CareRuleListOut, **ERROR_RESPONSES}, summary="Care rules")
def list_care_rules(request: HttpRequest, filters: Query[PageQuery]) -> Any:
    rules = care_rules_visible_to(request.user).order_by("code")
    return paginate(rules, page=filters.page, page_size=filters.page_size, serialize=care_rule_out)


@care_router.post(
    "/rules", response={201: CareRuleOut, **ERROR_RESPONSES}, summary="Create a care rule (Idempotency-Key honoured)"
)
def create_care_rule(request: HttpRequest, payload: CareRuleIn) -> Any:
    from followup.care import care_rule_create

    def create() -> tuple[int, dict[str, Any]]:
        if CareRule.objects.filter(code=payload.code).exists():
            raise ValidationError({"code": _("A care rule with this code exists already.")})
        data = payload.dict()
        data["festival"] = data["festival"] or ""
        rule = care_rule_create(acting_user=request.user, data=data)
        return 201, care_rule_out(rule)

    return idempotent_create(request, "followup.care_rules", create)


@care_router.get("/rules/{rule_id}", response={200: CareRuleOut, **ERROR_RESPONSES}, summary="One care rule")
def get_care_rule(request: HttpRequest, rule_id: int) -> Any:
    return care_rule_out(_get_rule(request, rule_id))


@care_router.patch("/rules/{rule_id}", response={200: CareRuleOut, **ERROR_RESPONSES}, summary="Change a care rule")
def update_care_rule(request: HttpRequest, rule_id: int, payload: CareRulePatch) -> Any:
    from followup.care import care_rule_update

    if not request.user.has_perm("followup.change_carerule"):
        raise PermissionDenied(_("You may not edit care rules."))
    rule = _get_rule(request, rule_id)
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    if "festival" in changes:
        changes["festival"] = changes["festival"] or ""
    for required in ("name", "kind", "template_key", "days_before", "is_active"):
        if required in changes and changes[required] is None:
            raise ValidationError({required: _("This field cannot be empty.")})
    for text in ("segment_tags", "segment_region", "segment_product_line"):
        if text in changes and changes[text] is None:
            changes[text] = ""
    rule = care_rule_update(rule=rule, acting_user=request.user, changes=changes, expected_version=payload.version)
    return care_rule_out(rule)


@care_router.get(
    "/rules/{rule_id}/preview",
    response={200: CarePreviewOut, **ERROR_RESPONSES},
    summary="Who would receive the rule's message on a day, and who is skipped why (writes nothing)",
)
def preview_care_rule(request: HttpRequest, rule_id: int, query: Query[CarePreviewQuery]) -> Any:
    from django.utils import timezone

    from core.scoping import scope_by_unit
    from followup.care import care_count_by_reason, care_decisions, rule_fires_on

    rule = _get_rule(request, rule_id)
    day = query.day or timezone.localdate()
    decisions = scope_by_unit(care_decisions(rule, day), request.user)
    page = paginate(
        decisions,
        page=query.page,
        page_size=query.page_size,
        serialize=lambda c: {
            "customer": {"id": c.pk, "name": c.name},
            "send": not c.care_reason,
            "reason": c.care_reason or None,
            "channels": [ch for ch in c.care_channels.split(",") if ch],
        },
    )
    return {
        "rule": rule.pk,
        "day": day.isoformat(),
        "fires": rule_fires_on(rule, day),
        "counts": care_count_by_reason(decisions),
        **page,
    }


@care_router.get("/log", response={200: CareLogListOut, **ERROR_RESPONSES}, summary="The care log (run results)")
def care_log(request: HttpRequest, filters: Query[CareLogFilters]) -> Any:
    rows = care_log_visible_to(request.user)
    if filters.rule:
        rows = rows.filter(rule_id=filters.rule)
    if filters.day:
        rows = rows.filter(day=filters.day)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.customer:
        rows = rows.filter(customer_id=filters.customer)
    return paginate(rows, page=filters.page, page_size=filters.page_size, serialize=care_log_out)


@care_router.post(
    "/opt-outs", response={201: OptOutOut, **ERROR_RESPONSES}, summary="Opt a customer out of care messages"
)
def create_opt_out(request: HttpRequest, payload: OptOutIn) -> Any:
    from followup.care import care_opt_out

    if not request.user.has_perm("followup.add_careoptout"):
        raise PermissionDenied(_("You may not record opt-outs."))

    def create() -> tuple[int, dict[str, Any]]:
        customer = _visible(customers_visible_to(request.user), payload.customer, "customer", _("Unknown customer."))
        opt = care_opt_out(customer=customer, channel=payload.channel, reason=payload.reason)
        return 201, {"id": opt.pk, "customer": opt.customer_id, "channel": opt.channel, "reason": opt.reason}

    return idempotent_create(request, "followup.care_opt_outs", create)


# --- quality feedback ----------------------------------------------------------------------------------


class StatisticsQuery(Schema):
    by: Literal["model", "cause", "part", "batch"]
    start: Date | None = Field(default=None, description="Default: 89 days before the end")
    end: Date | None = Field(default=None, description="Default: today")


class StatisticRowOut(Schema):
    key: str
    count: int


class StatisticsOut(Schema):
    by: str
    start: DateText
    end: DateText
    items: list[StatisticRowOut]


class QualityIssueRef(Schema):
    id: int
    status: str


class QualityWarningOut(Schema):
    id: int
    product_model: IdCodeName
    window_start: DateText
    window_end: DateText
    observed: int
    expected: float
    devices_in_service: int
    p_value: float
    test: str
    raised_at: DateTimeText
    issue: QualityIssueRef | None


class QualityWarningListOut(Schema):
    items: list[QualityWarningOut]
    count: int


class WarningFilters(PageQuery):
    product_model: str | None = Field(default=None, max_length=32, description="A product model's code")
    with_issue: bool | None = None


class IssueFromWarningIn(StrictIn):
    route: Annotated[QualityRoute, LAX] = QualityRoute.ENGINEERING
    is_major: bool = False
    owner: Id | None = None


class QualityIssueIn(StrictIn):
    product_model: str = Field(max_length=32, description="A product model's code")
    title: str = Field(max_length=200)
    evidence: str = Field(default="", max_length=10000)
    route: Annotated[QualityRoute, LAX] = QualityRoute.ENGINEERING
    is_major: bool = False
    owner: Id | None = None
    affected_devices: list[Id] = Field(default_factory=list, max_length=10000)


IssueAction = Literal["investigate", "note", "close", "reopen"]


class QualityIssueTransitionIn(StrictIn):
    action: IssueAction
    note: str = Field(default="", max_length=5000)
    version: int | None = Field(default=None, ge=1)


class QualityIssueFilters(PageQuery):
    status: QualityStatus | None = None
    route: QualityRoute | None = Field(default=None, description="purchasing: the supplier-part queue")
    is_major: bool | None = None


class QualityIssueEventOut(Schema):
    kind: str
    at: DateTimeText
    by: str
    from_status: str
    to_status: str
    note: str


class QualityIssueOut(Schema):
    id: int
    title: str
    product_model: IdCodeName
    warning: int | None
    route: str
    is_major: bool
    status: str
    owner: PersonRef | None
    created_at: DateTimeText
    closed_at: DateTimeText | None
    version: int


class QualityIssueDetailOut(QualityIssueOut):
    affected_devices: list[int]
    evidence: str
    resolution: str
    timeline: list[QualityIssueEventOut]
    allowed_actions: list[str]


class QualityIssueListOut(Schema):
    items: list[QualityIssueOut]
    count: int


def _require_quality(request: HttpRequest) -> None:
    if not request.user.has_perm("followup.view_qualityissue"):
        raise PermissionDenied(_("You may not see quality feedback."))


def _model_ref(model: Any) -> dict[str, Any]:
    return {"id": model.pk, "code": model.code, "name": model.name}


def warning_out(warning: QualityWarning) -> dict[str, Any]:
    try:
        issue = warning.issue
    except QualityIssue.DoesNotExist:
        issue = None
    return {
        "id": warning.pk,
        "product_model": _model_ref(warning.product_model),
        "window_start": warning.window_start.isoformat(),
        "window_end": warning.window_end.isoformat(),
        "observed": warning.observed,
        "expected": warning.expected,
        "devices_in_service": warning.devices_in_service,
        "p_value": warning.p_value,
        "test": warning.test,
        "raised_at": local_iso(warning.created_at),
        "issue": {"id": issue.pk, "status": issue.status} if issue is not None else None,
    }


def issue_out(issue: QualityIssue) -> dict[str, Any]:
    return {
        "id": issue.pk,
        "title": issue.title,
        "product_model": _model_ref(issue.product_model),
        "warning": issue.warning_id,
        "route": issue.route,
        "is_major": issue.is_major,
        "status": issue.status,
        "owner": person_ref(issue.owner),
        "created_at": local_iso(issue.created_at),
        "closed_at": local_iso(issue.closed_at),
        "version": issue.version,
    }


def issue_detail(issue: QualityIssue, request: HttpRequest) -> dict[str, Any]:
    from followup.quality import quality_issue_allowed_actions

    return {
        **issue_out(issue),
        "affected_devices": list(issue.affected_devices),
        "evidence": issue.evidence,
        "resolution": issue.resolution,
        "timeline": [
            {
                "kind": event.kind,
                "at": local_iso(event.at),
                "by": event.actor_label,
                "from_status": event.from_status,
                "to_status": event.to_status,
                "note": event.note,
            }
            for event in issue.events.all()
        ],
        "allowed_actions": quality_issue_allowed_actions(issue, request.user),
    }


def _get_issue(request: HttpRequest, issue_id: int) -> QualityIssue:
    if not 1 <= issue_id <= MAX_ID:
        raise QualityIssue.DoesNotExist
    return quality_issues_visible_to(request.user).get(pk=issue_id)


def _owner(value: int | None) -> Any:
    from django.contrib.auth import get_user_model

    if value is None:
        return None
    return _visible(get_user_model().objects.filter(is_active=True), value, "owner", _("Unknown user."))


@quality_router.get(
    "/statistics",
    response={200: StatisticsOut, **ERROR_RESPONSES},
    summary="Fault statistics by product model, cause, part or production batch over a period",
)
def quality_statistics(request: HttpRequest, query: Query[StatisticsQuery]) -> Any:
    from datetime import timedelta

    from django.utils import timezone

    from followup.quality import fault_statistics

    _require_quality(request)
    end = query.end or timezone.localdate()
    start = query.start or end - timedelta(days=89)
    if start > end:
        raise ValidationError({"end": _("The end is before the start.")})
    if (end - start).days > 3660:
        raise ValidationError({"start": _("Choose a period of at most ten years.")})
    items = fault_statistics(user=request.user, start=start, end=end, by=query.by)
    return {"by": query.by, "start": start.isoformat(), "end": end.isoformat(), "items": items}


@quality_router.get("/warnings", response={200: QualityWarningListOut, **ERROR_RESPONSES}, summary="Early warnings")
def list_warnings(request: HttpRequest, filters: Query[WarningFilters]) -> Any:
    warnings = quality_warnings_visible_to(request.user)
    if filters.product_model:
        warnings = warnings.filter(product_model__code=filters.product_model.strip())
    if filters.with_issue is not None:
        warnings = warnings.filter(issue__isnull=not filters.with_issue)
    return paginate(warnings, page=filters.page, page_size=filters.page_size, serialize=warning_out)


@quality_router.get(
    "/warnings/{warning_id}", response={200: QualityWarningOut, **ERROR_RESPONSES}, summary="One early warning"
)
def get_warning(request: HttpRequest, warning_id: int) -> Any:
    if not 1 <= warning_id <= MAX_ID:
        raise QualityWarning.DoesNotExist
    return warning_out(quality_warnings_visible_to(request.user).get(pk=warning_id))


@quality_router.post(
    "/warnings/{warning_id}/issue",
    response={201: QualityIssueDetailOut, 200: QualityIssueDetailOut, **ERROR_RESPONSES},
    summary="Open the quality issue of a warning (one per warning: 200 with the existing one)",
)
def issue_from_warning(request: HttpRequest, warning_id: int, payload: IssueFromWarningIn) -> Any:
    from followup.quality import quality_issue_from_warning

    if not request.user.has_perm("followup.add_qualityissue"):
        raise PermissionDenied(_("You may not record quality issues."))
    if not 1 <= warning_id <= MAX_ID:
        raise QualityWarning.DoesNotExist
    warning = quality_warnings_visible_to(request.user).get(pk=warning_id)
    existed = QualityIssue.objects.filter(warning=warning).exists()
    issue = quality_issue_from_warning(
        warning=warning,
        acting_user=request.user,
        route=payload.route,
        is_major=payload.is_major,
        owner=_owner(payload.owner),
    )
    return Status(200 if existed else 201, issue_detail(_get_issue(request, issue.pk), request))


@quality_router.get("/issues", response={200: QualityIssueListOut, **ERROR_RESPONSES}, summary="Quality issue records")
def list_issues(request: HttpRequest, filters: Query[QualityIssueFilters]) -> Any:
    issues = quality_issues_visible_to(request.user)
    if filters.status:
        issues = issues.filter(status=filters.status)
    if filters.route:
        issues = issues.filter(route=filters.route)
    if filters.is_major is not None:
        issues = issues.filter(is_major=filters.is_major)
    return paginate(issues, page=filters.page, page_size=filters.page_size, serialize=issue_out)


@quality_router.post(
    "/issues",
    response={201: QualityIssueDetailOut, **ERROR_RESPONSES},
    summary="Record a quality issue (Idempotency-Key honoured)",
)
def create_issue(request: HttpRequest, payload: QualityIssueIn) -> Any:
    from catalog.models import ProductModel
    from followup.quality import quality_issue_create

    def create() -> tuple[int, dict[str, Any]]:
        model = ProductModel.objects.filter(code=payload.product_model.strip()).first()
        if model is None:
            raise ValidationError({"product_model": _("Unknown product model.")})
        issue = quality_issue_create(
            acting_user=request.user,
            product_model=model,
            title=payload.title,
            evidence=payload.evidence,
            route=payload.route,
            is_major=payload.is_major,
            owner=_owner(payload.owner),
            affected_devices=list(payload.affected_devices),
        )
        return 201, issue_detail(_get_issue(request, issue.pk), request)

    return idempotent_create(request, "followup.quality_issues", create)


@quality_router.get("/issues/{issue_id}", response={200: QualityIssueDetailOut, **ERROR_RESPONSES}, summary="One issue")
def get_issue(request: HttpRequest, issue_id: int) -> Any:
    return issue_detail(_get_issue(request, issue_id), request)


@quality_router.post(
    "/issues/{issue_id}/transitions",
    response={200: QualityIssueDetailOut, **ERROR_RESPONSES},
    summary="Apply a step: investigate, note, close, reopen",
)
def issue_transition(request: HttpRequest, issue_id: int, payload: QualityIssueTransitionIn) -> Any:
    from followup.quality import quality_issue_transition

    if not request.user.has_perm("followup.change_qualityissue"):
        raise PermissionDenied(_("You may not change quality issues."))
    issue = _get_issue(request, issue_id)
    quality_issue_transition(
        issue=issue,
        action=payload.action,
        acting_user=request.user,
        note=payload.note,
        expected_version=payload.version,
    )
    return issue_detail(_get_issue(request, issue_id), request)


__all__ = ["ROUTERS", "ComplaintAlert"]
