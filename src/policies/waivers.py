"""Which fee kinds an order does not charge, and why: the warranty and the customer's contracts.

The fees app (quotes, settlement) calls ``fee_waivers_for_order`` and shows each waiver as its
own line. One waiver per fee kind: the warranty's comes first, then contracts in term order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import FeeKind
from policies.choices import ContractKind, Coverage

#: What the warranty waives for a covered fault (SPEC §4: free repair and free parts).
WARRANTY_WAIVES = (FeeKind.LABOUR, FeeKind.PARTS)


@dataclass(frozen=True)
class FeeWaiver:
    kind: str  # FeeKind
    source: str  # "warranty" | "contract"
    label: str
    reason: str
    contract_id: int | None = None


def fee_waivers_for_order(*, order: Any) -> list[FeeWaiver]:
    """The waivers of this order: from its latest recorded warranty decision (or, before one is
    recorded, the decision as of today), and from contracts covering its device on the day the
    order was submitted."""
    memo = order.__dict__.get("_fee_waivers")
    if memo is not None and memo[0] == (order.version, order.device_id):
        return list(memo[1])  # the order page's warranty and quote cards both show them
    waivers = _fee_waivers(order)
    order.__dict__["_fee_waivers"] = ((order.version, order.device_id), tuple(waivers))
    return waivers


def _fee_waivers(order: Any) -> list[FeeWaiver]:
    from policies.selectors import contracts_covering, latest_order_decision
    from policies.services import warranty_decision

    waivers: list[FeeWaiver] = []
    device = order.device if order.device_id else None
    if device is None:
        return waivers
    record = latest_order_decision(order)
    coverage = record.coverage if record is not None else None
    if record is None:
        coverage = warranty_decision(device=device, on=timezone.localdate()).coverage
    if coverage == Coverage.FREE:
        for kind in WARRANTY_WAIVES:
            waivers.append(
                FeeWaiver(
                    kind=kind,
                    source="warranty",
                    label=_("Warranty: %(kind)s free") % {"kind": FeeKind(kind).label},
                    reason=_(
                        "In warranty and a covered fault: repair and parts are free (Article 8 of the regulation)."
                    ),
                )
            )
    day = timezone.localdate(order.submitted_at) if order.submitted_at else timezone.localdate()
    for contract in contracts_covering(device=device, on=day):
        for kind in contract.waived_fee_kinds:
            if any(w.kind == kind for w in waivers) or kind not in FeeKind.values:
                continue
            waivers.append(
                FeeWaiver(
                    kind=kind,
                    source="contract",
                    label=_("Contract %(number)s: %(kind)s included")
                    % {"number": contract.number, "kind": FeeKind(kind).label},
                    reason=_("%(contract_kind)s %(number)s, %(start)s to %(end)s, includes %(kind)s.")
                    % {
                        "contract_kind": ContractKind(contract.kind).label,
                        "number": contract.number,
                        "start": contract.starts_on.isoformat(),
                        "end": contract.ends_on.isoformat(),
                        "kind": FeeKind(kind).label,
                    },
                    contract_id=contract.pk,
                )
            )
    return waivers
