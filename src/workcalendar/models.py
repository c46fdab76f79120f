"""Work calendars (SPEC §6): weekly working hours in a timezone, plus holiday/workday entries."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel

CODE_VALIDATOR = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$",
    _("Use 1–32 letters, digits, “-” or “_”, starting with a letter or digit."),
)


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday (day off)")
    WORKDAY = "workday", _("Make-up working day (调休)")


class WorkCalendar(BaseModel):
    """A calendar deadlines count in: 7×24, or weekly hours (JSON ``{"mon": [["09:00","12:00"], …]}``)."""

    code = models.CharField(_("code"), max_length=32, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=100)
    timezone = models.CharField(_("timezone"), max_length=64, default="Asia/Shanghai")
    always_open = models.BooleanField(_("open 7×24"), default=False)
    use_chinese_holidays = models.BooleanField(
        _("Chinese statutory holidays"),
        default=True,
        help_text=_("Skip statutory holidays and work on make-up working days (调休)."),
    )
    hours: Any = models.JSONField(_("working hours"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("work calendar")
        verbose_name_plural = _("work calendars")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    def hours_rows(self) -> list[dict[str, Any]]:
        """The days with working hours, by weekday name, as the pages show them."""
        from workcalendar.hours import hours_rows

        return hours_rows(self.hours)

    def clean(self) -> None:
        from workcalendar.hours import validate_calendar_definition

        self.hours = validate_calendar_definition(
            timezone=self.timezone, always_open=self.always_open, hours=self.hours
        )


class CalendarDay(BaseModel):
    """A holiday or make-up working day an admin entered. Without a calendar it is national
    (the State Council's dates) and applies to every calendar that follows Chinese holidays; with
    one, it applies to that calendar only. Entries win over the chinesecalendar library."""

    calendar = models.ForeignKey(
        WorkCalendar,
        verbose_name=_("calendar"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="days",
        help_text=_("Empty: a national date for every calendar that follows Chinese holidays."),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["date"], condition=Q(calendar__isnull=True), name="uniq_national_day"),
            models.UniqueConstraint(
                fields=["calendar", "date"], condition=Q(calendar__isnull=False), name="uniq_calendar_day"
            ),
        ]
        indexes = [models.Index(fields=["date"])]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}".strip()


class HolidayYear(BaseModel):
    """An admin's word that the national list of a year is complete (the State Council's notice
    entered in full). Only then does a year the chinesecalendar library does not cover count as
    covered: entries alone never do, so one entry for 元旦 cannot hide a missing Spring Festival.
    ``marked_by`` / ``marked_at`` say who set or withdrew the mark last; the change log keeps the
    history. ``confirmed_missing`` lists the statutory festivals (``workcalendar.policies``) the
    admin confirmed have no entry when marking."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(1900), MaxValueValidator(2200)]
    )
    is_complete = models.BooleanField(_("list complete"), default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("marked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    marked_at = models.DateTimeField(_("marked at"), null=True, blank=True)
    confirmed_missing: Any = models.JSONField(_("festivals confirmed without entry"), default=list, blank=True)

    class Meta:
        verbose_name = _("holiday list of a year")
        verbose_name_plural = _("holiday lists of years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)
