"""Reads of training records, scoped by the unit that gave the training, and the contracts'
training commitments with their next due date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Max, QuerySet

from core.scoping import scope_by_unit
from policies.selectors import contracts_visible_to
from training.models import TrainingCommitment, TrainingRecord
from training.policies import TrainingDue, training_next_due


def trainings_visible_to(user: Any) -> QuerySet[TrainingRecord]:
    """The one scoping rule for training records: the unit that gave (or received) the training."""
    return scope_by_unit(
        TrainingRecord.objects.select_related("customer", "device", "product_model", "unit", "contract"),
        user,
        field="unit",
        permission="training.view_trainingrecord",
    )


def trainings_of_device(*, device: Any, user: Any) -> QuerySet[TrainingRecord]:
    return trainings_visible_to(user).filter(device=device).order_by("-held_on", "-id")


@dataclass(frozen=True)
class CommitmentDue:
    commitment: TrainingCommitment
    last_held_on: date | None
    due: TrainingDue


def commitments_due(
    *, user: Any, today: date, only_alerts: bool = False, customer: Any | None = None
) -> list[CommitmentDue]:
    """Every contract in force (visible to the user) that promises trainings, with its next due
    date: one query for the commitments, one for the last training of each."""
    contracts = contracts_visible_to(user).filter(is_active=True, ends_on__gte=today, starts_on__lte=today)
    if customer is not None:
        contracts = contracts.filter(customer=customer)
    commitments = list(
        TrainingCommitment.objects.filter(contract__in=contracts).select_related("contract", "contract__customer")
    )
    last = dict(
        TrainingRecord.objects.filter(contract__in=[c.contract_id for c in commitments])
        .values("contract_id")
        .annotate(last=Max("held_on"))
        .values_list("contract_id", "last")
    )
    rows = []
    for commitment in commitments:
        contract = commitment.contract
        due = training_next_due(
            starts_on=contract.starts_on,
            ends_on=contract.ends_on,
            per_year=commitment.trainings_per_year,
            last_held_on=last.get(contract.pk),
            today=today,
        )
        if only_alerts and not due.alert:
            continue
        rows.append(CommitmentDue(commitment, last.get(contract.pk), due))
    rows.sort(key=lambda row: (row.due.next_due_on or date.max, row.commitment.pk))
    return rows
