"""Maintenance's permission matrix (ADR 0017): every console page and API endpoint by role, and by
unit — a plan over station A's devices, its occurrences and inspection results are station A's;
station B sees none of them and cannot plan on station A's devices."""

from __future__ import annotations

from typing import Any

import pytest

from core.choices import Role
from maintenance.models import InspectionResult, MaintenancePlan, Occurrence
from policies.roles import ROLE_PERMISSIONS as POLICY_ROLES
from tests.matrix import HIDES, NOT_FOUND, Endpoint, Matrix, Page

VIEW = frozenset({Role.DIRECTOR, Role.DISPATCHER, Role.STATION, Role.TECHNICIAN, Role.AGENT, Role.ADMIN})
PLAN = frozenset({Role.DIRECTOR, Role.DISPATCHER, Role.STATION, Role.ADMIN})
RECORD = frozenset({Role.STATION, Role.TECHNICIAN, Role.ADMIN})
CONTRACTS = frozenset(
    {role for role, codenames in POLICY_ROLES.items() if "policies.view_contract" in codenames} | {Role.ADMIN}
)


@pytest.fixture
def order(occurrence: Occurrence) -> Any:
    """A generated inspection order of station A's customer (submitted)."""
    return occurrence.work_order


@pytest.fixture
def contract(today: Any, customer_a: Any, devices_a: list[Any]) -> Any:
    from datetime import date

    from policies.services import contract_create

    return contract_create(
        acting_user=None,
        customer=customer_a,
        kind="annual_maintenance",
        starts_on=date(2025, 4, 1),
        ends_on=date(2026, 3, 31),
        devices=devices_a[:2],
    )


@pytest.fixture
def item(checklist: Any) -> Any:
    return checklist.items.get(label="外观及机身清洁")


def _plan_body(f: Any) -> dict[str, Any]:
    return {
        "name": "季度巡检",
        "service_type": "inspection",
        "interval_months": 3,
        "starts_on": "2026-03-31",
        "devices": [f.devices_a[0].pk],
    }


def _plans(f: Any) -> int:
    return MaintenancePlan.objects.count()


def _occurrences(f: Any) -> int:
    return Occurrence.objects.count()


def _results(f: Any) -> int:
    return InspectionResult.objects.count()


MATRIX = Matrix(
    pages=[
        Page("plans", "/maintenance/plans/", VIEW, other_unit=HIDES, shows="{plan.name}", fixtures=("plan",)),
        Page("plan", "/maintenance/plans/{plan.pk}/", VIEW, other_unit=NOT_FOUND),
        Page("plan_create", "/maintenance/plans/new/", PLAN),
        Page("plan_edit", "/maintenance/plans/{plan.pk}/edit/", PLAN, other_unit=NOT_FOUND),
        Page(
            "plan_generate",
            "/maintenance/plans/{plan.pk}/generate/",
            PLAN,
            method="POST",
            body={"until": "2026-03-31"},
            status=302,
            other_unit=NOT_FOUND,
            unchanged=_occurrences,
        ),
        Page("inspection", "/maintenance/orders/{order.pk}/inspection/", VIEW, other_unit=NOT_FOUND),
        Page(
            "inspection_record",
            "/maintenance/orders/{order.pk}/inspection/",
            RECORD,
            method="POST",
            body=lambda f: {"item": f.item.pk, "outcome": "ok"},
            status=302,
            other_unit=NOT_FOUND,
            unchanged=_results,
        ),
        Page(
            "inspection_pdf",
            "/maintenance/orders/{order.pk}/inspection.pdf",
            VIEW,
            other_unit=NOT_FOUND,
            content_type="application/pdf",
        ),
        Page("rollup", "/maintenance/rollup/", VIEW),
        Page(
            "contracts",
            "/maintenance/contracts/",
            CONTRACTS,
            other_unit=HIDES,
            shows="{contract.number}",
            fixtures=("contract",),
        ),
        Page(
            "contract_plan",
            "/maintenance/contracts/{contract.pk}/plan/",
            PLAN & CONTRACTS,
            method="POST",
            body={},
            status=302,
            other_unit=NOT_FOUND,
            unchanged=_plans,
        ),
    ],
    endpoints=[
        Endpoint(
            "plans",
            "/api/v1/maintenance-plans",
            VIEW,
            denied=200,
            other_unit=HIDES,
            shows="{plan.name}",
            fixtures=("plan",),
        ),
        Endpoint("plan", "/api/v1/maintenance-plans/{plan.pk}", VIEW, denied=404, other_unit=NOT_FOUND),
        Endpoint(
            "plan_create",
            "/api/v1/maintenance-plans",
            PLAN,
            method="POST",
            body=_plan_body,
            status=201,
            denied=403,
            other_unit=NOT_FOUND,
            not_found=400,
            unchanged=_plans,
            fixtures=("today",),
        ),
        Endpoint(
            "plan_generate",
            "/api/v1/maintenance-plans/{plan.pk}/generate",
            PLAN,
            method="POST",
            body={"until": "2026-03-31"},
            denied=404,
            denied_for={Role.AGENT: 403, Role.TECHNICIAN: 403},
            other_unit=NOT_FOUND,
            unchanged=_occurrences,
        ),
        Endpoint(
            "plan_occurrences",
            "/api/v1/maintenance-plans/{plan.pk}/occurrences",
            VIEW,
            denied=404,
            other_unit=NOT_FOUND,
        ),
        Endpoint("inspection", "/api/v1/inspections/{order.pk}", VIEW, denied=404, other_unit=NOT_FOUND),
        Endpoint(
            "inspection_record",
            "/api/v1/inspections/{order.pk}/results",
            RECORD,
            method="POST",
            body=lambda f: {"item": f.item.pk, "outcome": "ok"},
            denied=403,
            denied_for={Role.FINANCE: 404, Role.QC_INSPECTOR: 404, Role.PARTS_CLERK: 404},
            other_unit=NOT_FOUND,
            unchanged=_results,
        ),
    ],
)

test_with_permission, test_without_permission, test_other_unit, test_anonymous = MATRIX.tests()
