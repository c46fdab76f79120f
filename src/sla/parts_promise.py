"""Which part shipment promise an order's service level carries (parts.promises asks; ADR 0018,
amendment "Part promises"). The seed's two parts levels are ready-made (``sla.reference``); an
admin's own level names its promise in ``settings.SLA_PARTS_PROMISES`` (level code → promise)."""

from __future__ import annotations

from django.conf import settings

from workorders.models import WorkOrder

#: The reference levels of seed 000's spare-part commitments and the promise each makes.
PARTS_PROMISE_OF_LEVEL = {"PARTS-7X24X4": "7x24_4", "PARTS-5X10-NBD": "5x10_nbd"}


def order_parts_promise(order: WorkOrder) -> tuple[str, str] | None:
    """(promise, level code) when the order's service level is one that promises parts."""
    from sla.models import OrderServiceLevel

    code = (
        OrderServiceLevel.objects.filter(order_id=order.pk)
        .exclude(status="stopped")
        .values_list("level__code", flat=True)
        .first()
    )
    if code is None:
        return None
    mapping = {**PARTS_PROMISE_OF_LEVEL, **getattr(settings, "SLA_PARTS_PROMISES", {})}
    promise = mapping.get(code)
    return (promise, code) if promise else None
