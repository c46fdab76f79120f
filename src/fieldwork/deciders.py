"""fieldwork's decider on work-order transitions (workorders.hooks): the visit code of conduct
holds up QC and the customer's sign-off wherever they are asked for — the technician's pages, the
order page, the generic transitions API — once a technician has been on site (a check-in).
An order worked without a visit (remote resolution, workshop repair) has no code of conduct."""

from __future__ import annotations

from django.utils.translation import gettext as _

from fieldwork.models import CheckIn
from workorders.hooks import NO_CHANGE, Decision, TransitionContext
from workorders.models import WorkOrder
from workorders.services import Actor

#: The actions the code of conduct must be complete for.
CHECKLIST_ACTIONS = ("submit_qc", "sign_off")


def checklist_decide_on_transition(order: WorkOrder, context: TransitionContext) -> Decision:
    """Refuse (``ChecklistIncomplete``, naming the items) while an item is neither ticked nor
    explained; the order has not been saved yet, so nothing of the transition is written."""
    from fieldwork.services import _refuse_open_checklist

    if not CheckIn.objects.filter(order_id=order.pk).exists():
        return NO_CHANGE
    actor = Actor(context.acting_user, is_customer=context.by_customer)
    if context.action == "submit_qc":
        message = _(
            "Tick or explain every item of the visit code of conduct before sending the work to QC. Open: %(items)s."
        )
    else:
        message = _(
            "Tick or explain every item of the visit code of conduct before the customer signs off. Open: %(items)s."
        )
    # The refusal names the status the order is in (and its actions there), not the one it was going to.
    target, order.status = order.status, context.from_status
    try:
        _refuse_open_checklist(order, context.action, actor, message)
    finally:
        order.status = target
    return NO_CHANGE
