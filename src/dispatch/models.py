"""Technicians (skills, certificates, shifts, home base), appointments, loans and dispatch plans (SPEC §7)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductCategory
from core.models import BaseModel, OrgUnit
from dispatch.choices import AppointmentStatus, LoanStatus, PlanStatus, Weekday
from workorders.models import WorkOrder


class TechnicianProfile(BaseModel):
    """A technician's dispatch data. The technician's unit is their user profile's unit.

    A technician without a profile is not managed by dispatch (no skill or shift checks)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT, related_name="technician"
    )
    categories = models.ManyToManyField(
        ProductCategory, verbose_name=_("product lines"), blank=True, related_name="technicians"
    )
    service_types: Any = models.JSONField(_("service types"), default=list, blank=True)
    home_lat = models.DecimalField(
        _("home base latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-90")), MaxValueValidator(Decimal("90"))],
    )
    home_lon = models.DecimalField(
        _("home base longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("-180")), MaxValueValidator(Decimal("180"))],
    )
    home_address = models.CharField(_("home base"), max_length=200, blank=True)
    calendar = models.ForeignKey(
        "workcalendar.WorkCalendar",
        verbose_name=_("work calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: the standard calendar."),
    )
    daily_capacity = models.PositiveSmallIntegerField(
        _("daily capacity (jobs)"), default=6, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    is_active = models.BooleanField(_("available for dispatch"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("technician profile")
        verbose_name_plural = _("technician profiles")
        ordering = ["user__first_name", "user__username"]

    def __str__(self) -> str:
        return str(self.user.get_full_name() or self.user.get_username())

    def clean(self) -> None:
        from workorders.choices import ServiceType

        if not isinstance(self.service_types, list) or any(
            code not in ServiceType.values for code in self.service_types
        ):
            raise ValidationError({"service_types": _("Choose service types from the list.")})
        if (self.home_lat is None) != (self.home_lon is None):
            raise ValidationError({"home_lat": _("Enter both latitude and longitude, or neither.")})


class Shift(BaseModel):
    """Working hours of a technician: a weekly row (weekday) or a per-date override (date; may be a day off)."""

    profile = models.ForeignKey(
        TechnicianProfile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="shifts"
    )
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices, null=True, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    starts_at = models.TimeField(_("from"), null=True, blank=True)
    ends_at = models.TimeField(_("until"), null=True, blank=True)
    is_day_off = models.BooleanField(_("day off"), default=False)

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["date", "weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(weekday__isnull=False, date__isnull=True) | Q(weekday__isnull=True, date__isnull=False)),
                name="shift_weekday_xor_date",
            )
        ]

    def __str__(self) -> str:
        day = self.date.isoformat() if self.date else self.get_weekday_display()
        return f"{day} {self.starts_at}–{self.ends_at}"

    def clean(self) -> None:
        if (self.weekday is None) == (self.date is None):
            raise ValidationError({"weekday": _("Give either a weekday or a date.")})
        if self.is_day_off:
            return
        if self.starts_at is None or self.ends_at is None:
            raise ValidationError({"starts_at": _("Enter the start and end of the shift.")})
        if self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The shift must end after it starts.")})


class Certificate(BaseModel):
    """上岗证 and other certificates; an expired one keeps the technician from being assigned."""

    profile = models.ForeignKey(
        TechnicianProfile, verbose_name=_("profile"), on_delete=models.CASCADE, related_name="certificates"
    )
    name = models.CharField(_("certificate"), max_length=100)
    number = models.CharField(_("number"), max_length=64, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["expires_on", "name"]

    def __str__(self) -> str:
        return f"{self.name} {self.number}".strip()


class Appointment(BaseModel):
    """A visit booked with the customer (seed: time, content, expected duration and fees)."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="appointments"
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT, related_name="appointments"
    )
    date = models.DateField(_("date"), db_index=True)
    window_start = models.DateTimeField(_("window from"))
    window_end = models.DateTimeField(_("window until"))
    content = models.TextField(_("content"), blank=True)
    expected_minutes = models.PositiveIntegerField(
        _("expected duration (minutes)"), default=60, validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    expected_fees = models.DecimalField(
        _("expected fees"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    status = models.CharField(
        _("status"), max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["window_start", "id"]
        indexes = [models.Index(fields=["technician", "date", "status"])]

    def __str__(self) -> str:
        return f"{self.order} {self.window_start:%Y-%m-%d %H:%M}"


class TechnicianLoan(BaseModel):
    """Borrowing a technician from another unit; approved by that (the technician's own) unit."""

    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT, related_name="loans"
    )
    from_unit = models.ForeignKey(OrgUnit, verbose_name=_("from unit"), on_delete=models.PROTECT, related_name="+")
    to_unit = models.ForeignKey(OrgUnit, verbose_name=_("to unit"), on_delete=models.PROTECT, related_name="+")
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=12, choices=LoanStatus.choices, default=LoanStatus.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    class Meta:
        verbose_name = _("technician loan")
        verbose_name_plural = _("technician loans")
        ordering = ["-starts_on", "-id"]
        permissions = [("decide_technicianloan", _("Can approve or reject lending a technician"))]
        indexes = [models.Index(fields=["technician", "status", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.technician} → {self.to_unit} {self.starts_on}–{self.ends_on}"

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The loan must end on or after its first day.")})


class DispatchPlan(BaseModel):
    """A proposal of the route planner for a unit and a day; a person accepts, edits or rejects it."""

    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="dispatch_plans")
    day = models.DateField(_("day"), db_index=True)
    status = models.CharField(_("status"), max_length=12, choices=PlanStatus.choices, default=PlanStatus.PROPOSED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    reject_reason = models.TextField(_("rejection reason"), blank=True)
    summary: Any = models.JSONField(_("solver summary"), default=dict, blank=True)
    dropped: Any = models.JSONField(_("dropped jobs"), default=list, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("dispatch plan")
        verbose_name_plural = _("dispatch plans")
        ordering = ["-day", "-id"]
        permissions = [("approve_dispatchplan", _("Can approve dispatch plans"))]

    def __str__(self) -> str:
        return f"{self.unit} {self.day}"


class PlanVisit(BaseModel):
    plan = models.ForeignKey(DispatchPlan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="visits")
    order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="+")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT, related_name="+"
    )
    sequence = models.PositiveSmallIntegerField(_("sequence"))
    arrival_at = models.DateTimeField(_("planned arrival"))
    start_at = models.DateTimeField(_("planned start"))
    finish_at = models.DateTimeField(_("planned finish"))
    travel_km = models.DecimalField(_("travel (km)"), max_digits=8, decimal_places=2, default=Decimal("0"))
    late_minutes = models.PositiveIntegerField(_("late (minutes)"), default=0)

    class Meta:
        verbose_name = _("planned visit")
        verbose_name_plural = _("planned visits")
        ordering = ["technician_id", "sequence"]
        constraints = [models.UniqueConstraint(fields=["plan", "order"], name="uniq_plan_order")]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.order_id}"
