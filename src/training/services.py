"""Writes of training records: record a training with its attendees, take an attendee's
signature on the phone (fieldwork's checks: a PNG with ink), set a contract's commitment."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import OrgUnit
from core.numbering import next_number
from core.scoping import unit_ids_visible_to
from fieldwork.policies import signature_check, signature_png_bytes
from policies.models import Contract
from training.choices import TrainingAudience, TrainingKind
from training.models import TrainingAttendee, TrainingCommitment, TrainingRecord, TrainingSignature

MAX_ATTENDEES = 200


def _unit_of(user: Any, customer: Any | None) -> OrgUnit:
    if customer is not None:
        return customer.unit
    profile = getattr(user, "profile", None) if user is not None else None
    if profile is None:
        raise ValidationError({"unit": _("This field is required.")})
    return profile.unit


def _clean_attendees(attendees: list[dict[str, Any]]) -> list[TrainingAttendee]:
    rows: list[TrainingAttendee] = []
    for index, raw in enumerate(attendees or []):
        name = str(raw.get("name") or "").strip()
        if not name:
            continue
        if len(name) > 64:
            raise ValidationError({"attendees": _("Attendee %(n)s: the name is too long.") % {"n": index + 1}})
        rows.append(
            TrainingAttendee(
                name=name,
                organisation=str(raw.get("organisation") or "").strip()[:100],
                position=str(raw.get("position") or "").strip()[:64],
            )
        )
    if not rows:
        raise ValidationError({"attendees": _("List at least one attendee.")})
    if len(rows) > MAX_ATTENDEES:
        raise ValidationError({"attendees": _("At most %(n)s attendees.") % {"n": MAX_ATTENDEES}})
    return rows


@transaction.atomic
def training_record_create(
    *,
    acting_user: Any | None,
    kind: str,
    content: str,
    held_on: date,
    duration_hours: Decimal | str | float,
    attendees: list[dict[str, Any]],
    trainer: Any | None = None,
    trainer_name: str = "",
    audience: str = TrainingAudience.CUSTOMER,
    customer: Any | None = None,
    device: Any | None = None,
    contract: Contract | None = None,
    unit: OrgUnit | None = None,
    location: str = "",
    satisfaction: str = "",
    comment: str = "",
) -> TrainingRecord:
    """A training held (客户培训登记表). The customer, device and contract must be the user's to see
    (the caller resolves them in scope); a device must be the customer's, a contract too."""
    if acting_user is not None and not acting_user.has_perm("training.add_trainingrecord"):
        raise PermissionDenied(_("You may not record trainings."))
    errors: dict[str, str] = {}
    if kind not in TrainingKind.values:
        errors["kind"] = _("Unknown training kind.")
    if audience not in TrainingAudience.values:
        errors["audience"] = _("Unknown audience.")
    if audience == TrainingAudience.CUSTOMER and customer is None:
        errors["customer"] = _("Name the customer whose staff were trained.")
    if device is not None and customer is not None and device.customer_id != customer.pk:
        errors["device"] = _("This device does not belong to the customer.")
    if contract is not None and customer is not None and contract.customer_id != customer.pk:
        errors["contract"] = _("This contract is not the customer's.")
    if held_on > timezone.localdate():
        errors["held_on"] = _("A training is recorded once it was held: the date is in the future.")
    try:
        hours = Decimal(str(duration_hours)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        errors["duration_hours"] = _("Enter a number of hours.")
        hours = Decimal("0")
    if unit is not None:
        visible = unit_ids_visible_to(acting_user) if acting_user is not None else None
        if visible is not None and unit.pk not in visible:
            errors["unit"] = _("Unknown unit.")
    if errors:
        raise ValidationError(errors)
    rows = _clean_attendees(attendees)
    if trainer is None and acting_user is not None and not trainer_name:
        trainer = acting_user
    if trainer is not None and not trainer_name:
        trainer_name = trainer.get_full_name() or trainer.get_username()
    if not (trainer_name or "").strip():
        raise ValidationError({"trainer_name": _("Name the trainer.")})
    record = TrainingRecord(
        number=next_number("TR"),
        kind=kind,
        audience=audience,
        customer=customer,
        device=device,
        product_model=device.product_model if device is not None else None,
        contract=contract,
        unit=unit or _unit_of(acting_user, customer),
        content=(content or "").strip(),
        trainer=trainer,
        trainer_name=(trainer_name or "").strip(),
        held_on=held_on,
        duration_hours=hours,
        location=(location or "").strip(),
        satisfaction=satisfaction or "",
        comment=(comment or "").strip(),
        created_by=acting_user,
    )
    record.full_clean(exclude=["customer", "device", "product_model", "contract", "unit", "trainer", "created_by"])
    record.save()
    for row in rows:
        row.record = record
    TrainingAttendee.objects.bulk_create(rows)
    return record


@transaction.atomic
def training_signature_capture(
    *, record: TrainingRecord, acting_user: Any | None, image: str | bytes, signer_name: str, attendee_id: int | None
) -> TrainingSignature:
    """An attendee signs the form on the trainer's phone (fieldwork's pad; a blank canvas is refused)."""
    if acting_user is not None and not acting_user.has_perm("training.sign_trainingrecord"):
        raise PermissionDenied(_("You may not take signatures."))
    record = TrainingRecord.objects.select_for_update().get(pk=record.pk)
    attendee = None
    if attendee_id is not None:
        attendee = record.attendees.filter(pk=attendee_id).first()
        if attendee is None:
            raise ValidationError({"attendee": _("Unknown attendee.")})
        if attendee.signatures.exists():
            raise ValidationError({"attendee": _("This attendee has signed already.")})
    name = (signer_name or (attendee.name if attendee else "")).strip()
    if not name:
        raise ValidationError({"signer_name": _("Enter the name of the person signing.")})
    if len(name) > 64:
        raise ValidationError({"signer_name": _("At most 64 characters.")})
    try:
        png = signature_png_bytes(image)
    except ValueError as error:
        raise ValidationError({"signature": str(error)}) from None
    decision = signature_check(png)
    if not decision.ok:
        raise ValidationError({"signature": decision.reason})
    signature = TrainingSignature(
        record=record, attendee=attendee, signer_name=name, at=timezone.now(), captured_by=acting_user
    )
    signature.image.save(f"{uuid.uuid4().hex}.png", ContentFile(png), save=False)
    signature.save()
    return signature


@transaction.atomic
def training_commitment_set(
    *, contract: Contract, acting_user: Any | None, trainings_per_year: int, note: str = ""
) -> TrainingCommitment:
    """How many trainings a year the contract promises (0 < N ≤ 12)."""
    if acting_user is not None and not acting_user.has_perm("training.add_trainingcommitment"):
        raise PermissionDenied(_("You may not set training commitments."))
    if not isinstance(trainings_per_year, int) or not 1 <= trainings_per_year <= 12:
        raise ValidationError({"trainings_per_year": _("Between 1 and 12 trainings a year.")})
    commitment, _created = TrainingCommitment.objects.update_or_create(
        contract=contract, defaults={"trainings_per_year": trainings_per_year, "note": (note or "").strip()[:200]}
    )
    return commitment
