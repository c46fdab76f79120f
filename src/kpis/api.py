"""KPIs in the public API v1 (SPEC §14.2): ``GET /api/v1/kpis?from=&to=&unit=&product_model=&technician=``
→ ``{"from","to","kpis": {NAME: {"value","numerator","denominator"}}}``; ``mttr_hours`` and
``mean_score`` as ``{"value","count"}``. Ratios 0–1, ``null`` when the denominator is 0."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from core.api import ERROR_RESPONSES
from kpis import engine
from kpis.definitions import DEFINITIONS
from kpis.params import parse_period, parse_slice

router = Router(tags=["kpis"])


class KpiQuery(Schema):
    from_: str | None = Field(default=None, alias="from", description="First day, YYYY-MM-DD (Asia/Shanghai)")
    to: str | None = Field(default=None, description="Last day, YYYY-MM-DD (inclusive)")
    unit: str | None = Field(default=None, description="Org-unit id: that unit with its sub-units")
    station: str | None = Field(default=None, description="Org-unit id: exactly that unit")
    product_model: str | None = Field(default=None, description="Product model code")
    technician: str | None = Field(default=None, description="User id of the technician")
    service_type: str | None = Field(default=None, description="Service type code")
    customer: str | None = Field(default=None, description="Customer id")


class Ratio(Schema):
    value: float | None
    numerator: float
    denominator: float


class Mean(Schema):
    value: float | None
    count: int


class KpisOut(Schema):
    from_: str = Field(alias="from")
    to: str
    kpis: dict[str, dict[str, Any]]
    definitions: dict[str, dict[str, str]]


@router.get(
    "", response={200: KpisOut, **ERROR_RESPONSES}, summary="KPIs of a period and slice (SPEC §12)", by_alias=True
)
def kpis(request: HttpRequest, query: Query[KpiQuery]) -> Any:
    if not engine.may_view(request.user):
        raise PermissionDenied(_("You may not view KPIs."))
    period = parse_period(query.from_, query.to)
    slice_ = parse_slice(
        request.user,
        unit=query.unit,
        station=query.station,
        technician=query.technician,
        product_model=query.product_model,
        service_type=query.service_type,
        customer=query.customer,
    )
    figures = engine.compute(user=request.user, period=period, slice_=slice_)
    return {
        "from": period.start.isoformat(),
        "to": period.end.isoformat(),
        "kpis": {name: figure.as_api() for name, figure in figures.items()},
        "definitions": {
            d.name: {
                "label": str(d.label),
                "numerator": str(d.numerator),
                "denominator": str(d.denominator),
                "deciding_event": str(d.deciding_event),
            }
            for d in DEFINITIONS
        },
    }


ROUTERS: list[tuple[str, Router]] = [("/kpis", router)]
