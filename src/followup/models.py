"""Follow-up after the repair (SPEC §9): callbacks (回访) with their attempts and the HQ's random
samples, and complaints (投诉) shaped after ISO 10002 with their own timeline."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductModel
from core.models import BaseModel, OrgUnit
from customers.models import Customer
from followup.choices import (
    CallbackReason,
    CallbackStatus,
    CallOutcome,
    CareKind,
    ComplaintAlert,
    ComplaintChannel,
    ComplaintEventKind,
    ComplaintStatus,
    ComplaintSubject,
    CustomerAnswer,
    Festival,
    QualityRoute,
    QualityStatus,
)
from workorders.choices import Satisfaction, ServiceType
from workorders.models import WorkOrder

USER = settings.AUTH_USER_MODEL


class CallScript(BaseModel):
    """What the agent says and asks on a callback of one service type (回访话术)."""

    service_type = models.CharField(_("service type"), max_length=24, choices=ServiceType.choices, unique=True)
    text = models.TextField(_("call script"))

    class Meta:
        verbose_name = _("call script")
        verbose_name_plural = _("call scripts")
        ordering = ["service_type"]

    def __str__(self) -> str:
        return self.get_service_type_display()


class CallbackSample(BaseModel):
    """One draw of the HQ's random sample for one unit: the population, the share, the seed and
    who was drawn, so anyone can re-run the draw and get the same orders (auditable)."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    period_start = models.DateField(_("completed from"))
    period_end = models.DateField(_("completed until"))
    share = models.DecimalField(_("share"), max_digits=5, decimal_places=4)
    seed = models.CharField(_("seed"), max_length=64)
    population = models.JSONField(_("orders eligible"), default=list)
    drawn = models.JSONField(_("orders drawn"), default=list)
    drawn_by = models.ForeignKey(
        USER, verbose_name=_("drawn by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("callback sample")
        verbose_name_plural = _("callback samples")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "period_start", "period_end"], name="uniq_callback_sample_period")
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period_start}–{self.period_end}"


class CallbackTask(BaseModel):
    """One callback owed to the customer of one completed order (one per order and completion)."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("why"), max_length=12, choices=CallbackReason.choices)
    sample = models.ForeignKey(
        CallbackSample, null=True, blank=True, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("sample")
    )
    visit_at = models.DateTimeField(_("service completed at"))
    due_at = models.DateTimeField(_("call back by"), db_index=True)
    status = models.CharField(
        _("status"), max_length=12, choices=CallbackStatus.choices, default=CallbackStatus.OPEN, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_on = models.DateField(_("next attempt on"), null=True, blank=True)
    satisfaction = models.CharField(_("rating"), max_length=12, choices=Satisfaction.choices, blank=True)
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    finished_by = models.ForeignKey(
        USER, verbose_name=_("finished by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_late = models.BooleanField(_("late"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["due_at", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "visit_at"], name="uniq_callback_per_completion")]
        indexes = [models.Index(fields=["unit", "status", "due_at"])]
        permissions = [("call_callbacktask", _("Can call customers back")), ("draw_sample", _("Can draw HQ samples"))]

    def __str__(self) -> str:
        return f"{self.order.number} · {self.get_reason_display()}"


class CallbackAttempt(models.Model):
    """One call: when, by whom, how it went (append-only)."""

    task = models.ForeignKey(CallbackTask, on_delete=models.CASCADE, related_name="calls")
    at = models.DateTimeField(_("time"))
    by = models.ForeignKey(
        USER, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=CallOutcome.choices)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("callback attempt")
        verbose_name_plural = _("callback attempts")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.outcome}"


class Complaint(BaseModel):
    """A complaint (ISO 10002): received verbatim, acknowledged within the committed business
    hours, investigated, resolved, and closed only once the customer said whether the handling
    satisfied them."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("handling unit"), on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(_("channel"), max_length=12, choices=ComplaintChannel.choices)
    subject = models.CharField(_("about"), max_length=12, choices=ComplaintSubject.choices)
    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    technician = models.ForeignKey(
        USER, verbose_name=_("technician"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    station = models.ForeignKey(
        OrgUnit, verbose_name=_("station"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    product_model = models.ForeignKey(
        ProductModel, verbose_name=_("product model"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField(_("the customer's words"))
    remedy_requested = models.TextField(_("remedy asked for"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED, db_index=True
    )
    received_at = models.DateTimeField(_("received at"), db_index=True)
    acknowledge_by = models.DateTimeField(_("acknowledge by"))
    at_risk_at = models.DateTimeField(_("at risk from"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    alert = models.CharField(_("acknowledgement"), max_length=10, choices=ComplaintAlert.choices, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    remedy = models.TextField(_("remedy given"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    customer_answer = models.CharField(
        _("customer's answer"), max_length=12, choices=CustomerAnswer.choices, blank=True
    )
    customer_asked_at = models.DateTimeField(_("customer asked at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status", "-received_at"]),
            models.Index(fields=["status", "acknowledge_by"]),
        ]
        permissions = [
            ("handle_complaint", _("Can handle complaints")),
            ("close_complaint", _("Can close and reopen complaints")),
        ]

    def __str__(self) -> str:
        return self.number


class ComplaintEvent(models.Model):
    """The complaint's timeline: every step, note and contact (append-only)."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16, choices=ComplaintEventKind.choices)
    at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        USER, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=64, blank=True)
    from_status = models.CharField(max_length=16, choices=ComplaintStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ComplaintStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"


class Survey(BaseModel):
    """The satisfaction survey of one order, answered by the customer on the phone through an
    unguessable link (token); one answer per order, editable for 24 hours after it was given."""

    order = models.OneToOneField(WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    token = models.CharField(verbose_name=_("token"), max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("link valid until"))
    invited_at = models.DateTimeField(_("invitation sent at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    satisfaction = models.CharField(_("rating"), max_length=12, choices=Satisfaction.choices, blank=True)
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["unit", "answered_at"])]

    def __str__(self) -> str:
        return f"{self.order.number} · {self.get_satisfaction_display() or '—'}"


class RecoveryTask(BaseModel):
    """Service recovery (服务补救) opened for the unit's director when a survey says 不满意 or
    scores 2 or less."""

    survey = models.OneToOneField(Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="recovery")
    order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    assigned_to = models.ForeignKey(
        USER, verbose_name=_("assigned to"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200)
    is_open = models.BooleanField(_("open"), default=True)
    resolution = models.TextField(_("what was done"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        USER, verbose_name=_("closed by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("service recovery task")
        verbose_name_plural = _("service recovery tasks")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order.number} · {self.reason}"


class CareRule(BaseModel):
    """A customer-care rule (客户关怀, seed 000 第一篇): when it fires (birthday, purchase
    anniversary, a festival, a weekday, a campaign date), to whom (a segment by tags, region and
    product line) and with which message template. Every rule honours opt-outs, quiet hours and
    the per-customer weekly limit (followup.care)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=CareKind.choices)
    festival = models.CharField(_("festival"), max_length=16, choices=Festival.choices, blank=True)
    weekday = models.PositiveSmallIntegerField(_("weekday (0 = Monday)"), null=True, blank=True)
    send_on = models.DateField(_("send on"), null=True, blank=True)
    days_before = models.PositiveSmallIntegerField(_("days before"), default=0)
    template_key = models.CharField(_("message"), max_length=64)
    segment_tags = models.CharField(_("customers tagged"), max_length=200, blank=True)
    segment_region = models.CharField(_("region code starts with"), max_length=6, blank=True)
    segment_product_line = models.CharField(_("product category code"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("care rule")
        verbose_name_plural = _("care rules")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class CareOptOut(BaseModel):
    """A customer's opt-out of care messages, on one channel or (blank) on all of them."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("channel"), max_length=8, blank=True)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("care opt-out")
        verbose_name_plural = _("care opt-outs")
        constraints = [models.UniqueConstraint(fields=["customer", "channel"], name="uniq_care_opt_out")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.channel or '*'}"


class CareDelivery(models.Model):
    """The care log: one row per rule, customer and day — queued or skipped with the reason.
    Its uniqueness makes a repeated daily run send nothing twice."""

    rule = models.ForeignKey(CareRule, on_delete=models.PROTECT, related_name="deliveries")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("day"), db_index=True)
    status = models.CharField(_("status"), max_length=8)  # queued / skipped
    reason = models.CharField(_("reason"), max_length=32, blank=True)
    channels = models.CharField(_("channels"), max_length=32, blank=True)
    at = models.DateTimeField(_("time"))

    class Meta:
        verbose_name = _("care delivery")
        verbose_name_plural = _("care deliveries")
        ordering = ["-day", "-id"]
        constraints = [models.UniqueConstraint(fields=["rule", "customer", "day"], name="uniq_care_delivery")]
        indexes = [models.Index(fields=["customer", "status", "day"])]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.customer_id} {self.day} {self.status}"


class QualityWarning(models.Model):
    """An early warning (质量预警): a product model's failures in a window above its own baseline,
    with the statistical test that raised it (followup.quality)."""

    product_model = models.ForeignKey(
        ProductModel, verbose_name=_("product model"), on_delete=models.PROTECT, related_name="+"
    )
    window_start = models.DateField(_("from"))
    window_end = models.DateField(_("until"))
    observed = models.PositiveIntegerField(_("failures"))
    expected = models.FloatField(_("expected failures"))
    devices_in_service = models.PositiveIntegerField(_("devices in service"))
    p_value = models.FloatField(_("p-value"))
    test = models.CharField(_("test"), max_length=64)
    created_at = models.DateTimeField(_("raised at"), auto_now_add=True)

    class Meta:
        verbose_name = _("quality warning")
        verbose_name_plural = _("quality warnings")
        ordering = ["-window_end", "p_value"]
        constraints = [
            models.UniqueConstraint(fields=["product_model", "window_end"], name="uniq_quality_warning_window")
        ]

    def __str__(self) -> str:
        return f"{self.product_model} {self.window_end} p={self.p_value:.2g}"


class QualityIssue(BaseModel):
    """A quality issue record (质量问题反馈) sent to engineering — or to purchasing for a supplier
    part — with the affected devices and the evidence; linked to the warning that raised it."""

    title = models.CharField(_("title"), max_length=200)
    product_model = models.ForeignKey(
        ProductModel, verbose_name=_("product model"), on_delete=models.PROTECT, related_name="+"
    )
    warning = models.OneToOneField(
        QualityWarning, null=True, blank=True, on_delete=models.PROTECT, related_name="issue", verbose_name=_("warning")
    )
    route = models.CharField(
        _("sent to"), max_length=12, choices=QualityRoute.choices, default=QualityRoute.ENGINEERING
    )
    is_major = models.BooleanField(_("major (escalated to the director)"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=QualityStatus.choices, default=QualityStatus.OPEN)
    owner = models.ForeignKey(
        USER, verbose_name=_("owner"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    affected_devices = models.JSONField(_("affected devices"), default=list, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    resolution = models.TextField(_("findings and corrective action"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("quality issue")
        verbose_name_plural = _("quality issues")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "route", "-created_at"])]

    def __str__(self) -> str:
        return self.title


class QualityIssueEvent(models.Model):
    """The quality issue's record of steps: opened, investigation, notes, escalation, closure,
    reopening (append-only)."""

    issue = models.ForeignKey(QualityIssue, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=16)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        USER, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=64, blank=True)
    from_status = models.CharField(max_length=16, choices=QualityStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=QualityStatus.choices, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("quality issue event")
        verbose_name_plural = _("quality issue events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}"
