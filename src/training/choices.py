"""Choice sets of training records (客户培训登记表, seed 004; station staff training, seed 000 5.2.3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TrainingKind(models.TextChoices):
    INITIAL = "initial", _("Initial training (at installation)")
    DURING_USE = "during_use", _("Training during use")
    CENTRALISED = "centralised", _("Centralised training")


class TrainingAudience(models.TextChoices):
    CUSTOMER = "customer", _("Customer's staff")
    STATION_STAFF = "station_staff", _("Service station staff")


class TrainingSatisfaction(models.TextChoices):
    VERY_SATISFIED = "very_satisfied", _("Very satisfied")
    SATISFIED = "satisfied", _("Satisfied")
    NEUTRAL = "neutral", _("Neutral")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")
