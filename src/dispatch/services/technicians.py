"""Technicians' setup: profile, home base, shifts and overrides, certificates."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.services import check_version, save_versioned
from dispatch.models import (
    Certificate,
    Shift,
    TechnicianProfile,
)
from dispatch.services._common import _ensure_unit_visible, _require

# --- technicians' setup ---------------------------------------------------------------------


@transaction.atomic
def technician_profile_save(
    *,
    acting_user: Any,
    user: Any,
    categories: list[Any] | None = None,
    service_types: list[str] | None = None,
    home_lat: Decimal | None = None,
    home_lon: Decimal | None = None,
    home_address: str | None = None,
    calendar: Any | None = None,
    daily_capacity: int | None = None,
    is_active: bool | None = None,
    expected_version: int | None = None,
) -> TechnicianProfile:
    """Create or update a technician's dispatch profile (skills, home base, calendar, capacity)."""
    profile = TechnicianProfile.objects.select_for_update().filter(user_id=user.pk).first()
    _require(acting_user, "dispatch.change_technicianprofile" if profile else "dispatch.add_technicianprofile")
    unit_profile = getattr(user, "profile", None)
    if unit_profile is None or not user.has_perm("workorders.work_on_workorder"):
        raise ValidationError({"user": _("Choose an active technician.")})
    _ensure_unit_visible(acting_user, unit_profile.unit_id, "user")
    creating = profile is None
    if profile is None:
        profile = TechnicianProfile(user=user)
    else:
        check_version(profile, expected_version)
    values = {
        "service_types": sorted(set(service_types)) if service_types is not None else None,
        "home_lat": home_lat,
        "home_lon": home_lon,
        "home_address": home_address,
        "calendar": calendar,
        "daily_capacity": daily_capacity,
        "is_active": is_active,
    }
    fields = [name for name, value in values.items() if value is not None]
    for name in fields:
        setattr(profile, name, values[name])
    profile.full_clean(exclude=["user", "categories"])
    if creating:
        profile.save()
    elif fields:
        save_versioned(profile, fields)
    if categories is not None:
        profile.categories.set(categories)
    return profile


@transaction.atomic
def technician_home_clear(*, acting_user: Any, profile: TechnicianProfile) -> TechnicianProfile:
    _require(acting_user, "dispatch.change_technicianprofile")
    profile.home_lat = profile.home_lon = None
    save_versioned(profile, ["home_lat", "home_lon"])
    return profile


@transaction.atomic
def technician_shifts_replace(
    *, acting_user: Any, profile: TechnicianProfile, weekly: dict[int, list[tuple[time, time]]]
) -> list[Shift]:
    """Replace the weekly shift rows (per-date overrides stay). An empty weekly set means the calendar's hours."""
    _require(acting_user, "dispatch.change_technicianprofile")
    rows = []
    for weekday, spans in sorted(weekly.items()):
        for start, end in spans:
            row = Shift(profile=profile, weekday=weekday, starts_at=start, ends_at=end)
            row.full_clean()
            rows.append(row)
    Shift.objects.filter(profile=profile, weekday__isnull=False).delete()
    for row in rows:
        row.save()
    return rows


@transaction.atomic
def shift_override_set(
    *,
    acting_user: Any,
    profile: TechnicianProfile,
    day: date,
    starts_at: time | None = None,
    ends_at: time | None = None,
    day_off: bool = False,
) -> Shift:
    """The technician's hours on one date (or a day off), replacing the week's and the calendar's."""
    _require(acting_user, "dispatch.change_technicianprofile")
    row = Shift(profile=profile, date=day, starts_at=starts_at, ends_at=ends_at, is_day_off=day_off)
    row.full_clean()
    Shift.objects.filter(profile=profile, date=day).delete()
    row.save()
    return row


@transaction.atomic
def certificate_add(
    *, acting_user: Any, profile: TechnicianProfile, name: str, number: str = "", expires_on: date | None = None
) -> Certificate:
    _require(acting_user, "dispatch.change_technicianprofile")
    certificate = Certificate(
        profile=profile, name=(name or "").strip(), number=(number or "").strip(), expires_on=expires_on
    )
    certificate.full_clean()
    certificate.save()
    return certificate


@transaction.atomic
def certificate_retire(*, acting_user: Any, certificate: Certificate) -> Certificate:
    _require(acting_user, "dispatch.change_technicianprofile")
    certificate.is_active = False
    certificate.save(update_fields=["is_active", "updated_at"])
    return certificate
