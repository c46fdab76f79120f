"""Bulk actions of the work-order list (issue 18, point 10): one action applied to the orders a
user ticked, each order through the very service that does it for one order — assigning through
``workorders.actions.workorder_assign`` (the transition table, its guards and the dispatch rules
registered with ``workorders.hooks.register_assignment_check``), a new priority through
``workorder_update`` — so a bulk action can do nothing a single one could not.

The rules:

* **one transaction per order**: a refusal (state, guard, rule, someone else's edit) leaves that
  order as it was and the others go on; the answer lists every order with what happened;
* **optimistic versions**: each order carries the version it was listed at; an order changed
  since is refused (reload and apply again), never overwritten;
* **once per submission**: the form's token is kept with each order's outcome in the same
  transaction as its change (``core.idempotency``), so a retried POST (a double click, a reloaded
  result page, a lost answer) replays the outcomes and changes nothing a second time;
* **scoped**: an order the user may not see is refused as unknown and never read further, locked
  or written; the answer does not show its number either.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.exceptions import TransitionNotAllowed, VersionConflict
from core.idempotency import KeyReusedForAnotherRequest, run_once
from workorders.actions import workorder_assign
from workorders.choices import Priority
from workorders.models import WorkOrder
from workorders.selectors import workorders_visible_to
from workorders.services import workorder_update

#: The most orders one bulk action takes (a page of the list is 25).
BULK_LIMIT = 100
IDEMPOTENCY_SCOPE = "ui:workorders.bulk"

#: ``apply(order, expected_version) -> what was done`` (a sentence), or a domain error.
ApplyFn = Callable[[WorkOrder, int], str]


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one ticked order: done (with what) or refused (with the reason)."""

    order_id: int
    number: str  # "#<id>" for an order the user may not see
    done: bool
    message: str
    replayed: bool = False  # the outcome of an earlier submission of the same form, not applied again
    known: bool = True  # False: not an order the user may see (no link, no number)


def _person(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def workorders_bulk_assign(
    *,
    acting_user: Any,
    selection: Mapping[int, int | None],
    technician: Any,
    reason: str = "",
    token: str = "",
) -> list[BulkOutcome]:
    """Assign ``technician`` to each selected order (``{order id: version listed}``)."""
    if not acting_user.has_perm("workorders.dispatch_workorder"):
        raise PermissionDenied(_("You may not assign technicians."))
    reason = (reason or "").strip()
    name = _person(technician)

    def assign(order: WorkOrder, version: int) -> str:
        workorder_assign(
            order=order, acting_user=acting_user, technician=technician, reason=reason, expected_version=version
        )
        return _("Assigned to %(technician)s.") % {"technician": name}

    return _bulk_apply(
        acting_user=acting_user,
        selection=selection,
        token=token,
        fingerprint=f"assign:{technician.pk}:{reason}",
        apply=assign,
    )


def workorders_bulk_set_priority(
    *, acting_user: Any, selection: Mapping[int, int | None], priority: int, token: str = ""
) -> list[BulkOutcome]:
    """Give each selected order ``priority`` (the SLA app recomputes its deadlines on the change)."""
    if not acting_user.has_perm("workorders.change_workorder"):
        raise PermissionDenied(_("You may not edit work orders."))
    if priority not in Priority.values:
        raise ValidationError({"priority": _("Choose a priority.")})
    label = str(Priority(priority).label)

    def set_priority(order: WorkOrder, version: int) -> str:
        updated = workorder_update(
            order=order, acting_user=acting_user, changes={"priority": priority}, expected_version=version
        )
        if updated.version == version:  # nothing changed, nothing written
            return _("The priority already was %(priority)s.") % {"priority": label}
        return _("Priority set to %(priority)s.") % {"priority": label}

    return _bulk_apply(
        acting_user=acting_user,
        selection=selection,
        token=token,
        fingerprint=f"priority:{priority}",
        apply=set_priority,
    )


def _bulk_apply(
    *, acting_user: Any, selection: Mapping[int, int | None], token: str, fingerprint: str, apply: ApplyFn
) -> list[BulkOutcome]:
    if not selection:
        raise ValidationError({"order": _("Select at least one work order.")})
    if len(selection) > BULK_LIMIT:
        raise ValidationError({"order": _("Select at most %(limit)s work orders at a time.") % {"limit": BULK_LIMIT}})
    visible = {order.pk: order for order in workorders_visible_to(acting_user).filter(pk__in=list(selection))}
    outcomes = []
    for order_id, version in selection.items():
        order = visible.get(order_id)
        if order is None:
            outcomes.append(BulkOutcome(order_id, f"#{order_id}", False, _("No such work order."), known=False))
        else:
            outcomes.append(
                _apply_once(
                    acting_user=acting_user,
                    order=order,
                    version=version,
                    token=token,
                    fingerprint=fingerprint,
                    apply=apply,
                )
            )
    return outcomes


def _attempt(order: WorkOrder, version: int | None, apply: ApplyFn) -> tuple[int, dict[str, Any]]:
    """Apply to one order; a refusal is an answer (the order's own savepoint is rolled back)."""
    if version is None:
        return 400, {"done": False, "message": _("The form is out of date; reload the page and try again.")}
    try:
        message = apply(order, version)
    except (TransitionNotAllowed, VersionConflict) as refused:
        return 409, {"done": False, "message": refused.message}
    except PermissionDenied as refused:
        return 403, {"done": False, "message": str(refused) or _("You may not do this.")}
    except ValidationError as invalid:
        return 400, {"done": False, "message": " ".join(invalid.messages)}
    return 200, {"done": True, "message": message}


def _apply_once(
    *, acting_user: Any, order: WorkOrder, version: int | None, token: str, fingerprint: str, apply: ApplyFn
) -> BulkOutcome:
    """One order in its own transaction, once per form token: a retried submission replays it."""
    replayed = False
    if token:
        try:
            _status, body, replayed = run_once(
                scope=IDEMPOTENCY_SCOPE,
                user=acting_user,
                key=f"{token}:{order.pk}",
                fingerprint=hashlib.sha256(fingerprint.encode()).hexdigest(),
                create=lambda: _attempt(order, version, apply),
            )
        except KeyReusedForAnotherRequest:
            body = {
                "done": False,
                "message": _("This form was already used for another action; reload the list and try again."),
            }
    else:
        with transaction.atomic():
            _status, body = _attempt(order, version, apply)
    return BulkOutcome(order.pk, order.number, bool(body["done"]), str(body["message"]), replayed)
