"""Core's permission matrix (ADR 0017): the audit log — changes, refused requests and their CSV —
is for directors and admins; a director of another unit sees only what that unit's people did."""

from __future__ import annotations

from typing import Any

import pytest

from core.choices import Role
from core.context import acting_as
from core.models import AccessRefusal
from tests.matrix import HIDES, Matrix, Page

AUDIT = frozenset({Role.DIRECTOR, Role.ADMIN})
RENAMED = "审计矩阵客户"
REFUSED_PATH = "/billing/refused-by-matrix/"


@pytest.fixture
def station_a_change(customer_a: Any, station_a_user: Any) -> Any:
    """Station A's user renames customer A (the change log writes who did it)."""
    with acting_as(station_a_user, "matrix-request"):
        customer_a.name = RENAMED
        customer_a.save()
    return customer_a


@pytest.fixture
def station_a_refusal(station_a_user: Any) -> AccessRefusal:
    return AccessRefusal.objects.create(user=station_a_user, method="GET", path=REFUSED_PATH, client_ip="10.0.0.9")


MATRIX = Matrix(
    pages=[
        Page("audit", "/audit/", AUDIT, other_unit=HIDES, shows=RENAMED, fixtures=("station_a_change",)),
        Page(
            "audit_refusals",
            "/audit/?tab=refusals",
            AUDIT,
            other_unit=HIDES,
            shows=REFUSED_PATH,
            fixtures=("station_a_refusal",),
        ),
        Page(
            "audit_export",
            "/audit/export.csv",
            AUDIT,
            content_type="text/csv",
            other_unit=HIDES,
            shows=RENAMED,
            fixtures=("station_a_change",),
        ),
        Page(
            "audit_export_refusals",
            "/audit/export.csv?tab=refusals",
            AUDIT,
            content_type="text/csv",
            other_unit=HIDES,
            shows=REFUSED_PATH,
            fixtures=("station_a_refusal",),
        ),
    ],
)
test_with_permission, test_without_permission, test_other_unit, test_anonymous = MATRIX.tests()
