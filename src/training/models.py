"""Training records (客户培训登记表): who was trained on what, by whom, when, for how long, how
satisfied they were, and the attendees' signatures drawn on the trainer's phone. Station staff
training (seed 000 5.2.3) uses the same record with the station as the audience. A contract that
promises trainings (e.g. twice a year) keeps that number here, keyed to the contract."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductModel
from core.models import BaseModel, OrgUnit
from customers.models import Customer
from devices.models import Device
from policies.models import Contract
from training.choices import TrainingAudience, TrainingKind, TrainingSatisfaction

USER = settings.AUTH_USER_MODEL


def signature_path(instance: TrainingSignature, filename: str) -> str:
    return f"training/signatures/{uuid.uuid4().hex}.png"


class TrainingRecord(BaseModel):
    number = models.CharField(_("number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=TrainingKind.choices)
    audience = models.CharField(
        _("trained"), max_length=16, choices=TrainingAudience.choices, default=TrainingAudience.CUSTOMER
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    device = models.ForeignKey(
        Device, verbose_name=_("device"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    product_model = models.ForeignKey(
        ProductModel, verbose_name=_("product model"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    content = models.TextField(_("training content"))
    trainer = models.ForeignKey(
        USER, verbose_name=_("trainer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    trainer_name = models.CharField(_("trainer"), max_length=64)
    held_on = models.DateField(_("date"), db_index=True)
    duration_hours = models.DecimalField(
        _("duration (hours)"),
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0.5), MaxValueValidator(200)],
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    satisfaction = models.CharField(_("satisfaction"), max_length=16, choices=TrainingSatisfaction.choices, blank=True)
    comment = models.TextField(_("attendees' comments"), blank=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["unit", "-held_on"]), models.Index(fields=["customer", "held_on"])]
        permissions = [("sign_trainingrecord", _("Can take the attendees' signatures"))]

    def __str__(self) -> str:
        return f"{self.number} · {self.held_on}"


class TrainingAttendee(models.Model):
    record = models.ForeignKey(TrainingRecord, on_delete=models.CASCADE, related_name="attendees")
    name = models.CharField(_("name"), max_length=64)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("attendee")
        verbose_name_plural = _("attendees")
        ordering = ["record", "id"]

    def __str__(self) -> str:
        return self.name


class TrainingSignature(BaseModel):
    """One attendee's signature drawn on the phone (fieldwork's pad and checks)."""

    change_logged = False  # append-only: the row is its own record

    record = models.ForeignKey(TrainingRecord, on_delete=models.PROTECT, related_name="signatures")
    attendee = models.ForeignKey(
        TrainingAttendee, null=True, blank=True, on_delete=models.PROTECT, related_name="signatures"
    )
    signer_name = models.CharField(_("signed by"), max_length=64)
    image = models.FileField(_("signature"), upload_to=signature_path)
    at = models.DateTimeField(_("signed at"))
    captured_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("attendee signature")
        verbose_name_plural = _("attendee signatures")
        ordering = ["record", "at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["attendee"], condition=models.Q(attendee__isnull=False), name="uniq_training_attendee_signature"
            )
        ]

    def __str__(self) -> str:
        return self.signer_name


class TrainingCommitment(BaseModel):
    """What a contract promises of training (e.g. twice a year, seed 004), kept beside the
    contract (policies.Contract is not changed)."""

    contract = models.OneToOneField(
        Contract, verbose_name=_("contract"), on_delete=models.PROTECT, related_name="training_commitment"
    )
    trainings_per_year = models.PositiveSmallIntegerField(
        _("trainings per year"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("training commitment")
        verbose_name_plural = _("training commitments")
        ordering = ["contract"]

    def __str__(self) -> str:
        return f"{self.contract.number} · {self.trainings_per_year}"
