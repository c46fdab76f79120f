"""The visit code of conduct holds up QC and the sign-off on every path, not only on the
technician's pages: the generic transitions API and the work-order service refuse while items
are open once a technician has checked in (issue 18, point 5)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from core.exceptions import ChecklistIncomplete
from fieldwork import services as field
from fieldwork.models import ChecklistItem
from tests.fieldwork.conftest import tick_checklist
from workorders.models import WorkOrder
from workorders.services import workorder_transition

pytestmark = pytest.mark.django_db

API = "/api/v1"


def checked_in(order: Any, technician: Any) -> WorkOrder:
    field.fieldwork_check_in(order=order, acting_user=technician, at=timezone.now() - timedelta(minutes=1))
    return WorkOrder.objects.get(pk=order.pk)


def test_the_transitions_api_refuses_qc_with_open_items_and_writes_nothing(
    assigned_order: Any, technician: Any, api_as: Any
) -> None:
    order = checked_in(assigned_order, technician)
    before = (order.version, order.events.count())
    answer = api_as(technician).post(
        f"{API}/work-orders/{order.pk}/transitions",
        {"action": "submit_qc", "version": order.version, "note": "已修好"},
        content_type="application/json",
    )
    assert answer.status_code == 409, answer.content
    body = answer.json()
    assert body["code"] == "checklist_incomplete"
    assert body["status"] == "in_progress"
    open_codes = {item["item"] for item in body["open_items"]}
    assert open_codes == set(ChecklistItem.objects.filter(is_active=True).values_list("code", flat=True))
    order.refresh_from_db()
    assert (order.status, order.version, order.events.count()) == ("in_progress", *before)


def test_once_every_item_is_ticked_the_same_request_goes_through(
    assigned_order: Any, technician: Any, api_as: Any
) -> None:
    order = checked_in(assigned_order, technician)
    tick_checklist(order, technician)
    order.refresh_from_db()
    answer = api_as(technician).post(
        f"{API}/work-orders/{order.pk}/transitions",
        {"action": "submit_qc", "version": order.version, "note": "已修好"},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "qc"


def test_the_sign_off_is_refused_when_an_item_was_unticked_after_qc(
    assigned_order: Any, technician: Any, qc_inspector: Any
) -> None:
    order = checked_in(assigned_order, technician)
    tick_checklist(order, technician)
    order = field.work_submit_qc(order=order, acting_user=technician, note="更换电源板")
    order = workorder_transition(order=order, action="qc_pass", acting_user=qc_inspector)
    item = ChecklistItem.objects.filter(is_active=True).order_by("position").first()
    assert item is not None
    field.checklist_mark(order=order, acting_user=technician, item_code=item.code, checked=False)
    with pytest.raises(ChecklistIncomplete) as refused:
        workorder_transition(
            order=order, action="sign_off", acting_user=None, by_customer=True, data={"signer_name": "张三"}
        )
    assert [open_item["item"] for open_item in refused.value.open_items] == [item.code]
    order.refresh_from_db()
    assert order.status == "awaiting_signoff"


def test_an_order_worked_without_a_visit_has_no_code_of_conduct(assigned_order: Any, technician: Any) -> None:
    order = workorder_transition(order=assigned_order, action="start", acting_user=technician)
    order = workorder_transition(order=order, action="submit_qc", acting_user=technician, data={"note": "远程指导解决"})
    assert order.status == "qc"
