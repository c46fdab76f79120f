"""Training's permission matrix (ADR 0017): a training of customer A (station A's area); station B
sees neither the record nor its form."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from core.choices import Role
from tests.matrix import HIDES, NOT_FOUND, Endpoint, Matrix, Page
from training.models import TrainingRecord

VIEW = frozenset({Role.DIRECTOR, Role.ADMIN, Role.DISPATCHER, Role.TECHNICIAN, Role.STATION, Role.AGENT})
RECORD = frozenset({Role.DIRECTOR, Role.ADMIN, Role.DISPATCHER, Role.TECHNICIAN, Role.STATION})


def _create(f: Any) -> dict[str, Any]:
    return {
        "kind": "initial",
        "content": "开机、走钞、清洁",
        "held_on": timezone.localdate().isoformat(),
        "duration_hours": "1",
        "customer": f.customer_a.pk,
        "trainer_name": "王工",
        "attendees": [{"name": "甲"}],
    }


MATRIX = Matrix(
    pages=[
        Page("list", "/training/", VIEW, other_unit=HIDES, shows="{training_record.number}"),
        Page("create", "/training/new/", RECORD),
        Page("detail", "/training/{training_record.pk}/", VIEW, other_unit=NOT_FOUND, shows="李柜员"),
        Page("sign", "/training/{training_record.pk}/sign/", RECORD, other_unit=NOT_FOUND, shows="赵主管"),
        Page(
            "pdf",
            "/training/{training_record.pk}/form.pdf",
            VIEW,
            other_unit=NOT_FOUND,
            content_type="application/pdf",
        ),
    ],
    endpoints=[
        Endpoint(
            "list", "/api/v1/training/records", VIEW, denied=200, other_unit=HIDES, shows="{training_record.number}"
        ),
        Endpoint("detail", "/api/v1/training/records/{training_record.pk}", VIEW, denied=404, other_unit=NOT_FOUND),
        Endpoint(
            "create",
            "/api/v1/training/records",
            RECORD,
            method="POST",
            body=_create,
            status=201,
            other_unit=NOT_FOUND,
            not_found=400,
            unchanged=lambda f: TrainingRecord.objects.count(),
        ),
        Endpoint("due", "/api/v1/training/due", VIEW),
    ],
)

test_with_permission, test_without_permission, test_other_unit, test_anonymous = MATRIX.tests()
