"""The visit code of conduct holds up QC and the sign-off (issue 18 point 5): an item neither
ticked nor explained refuses ``submit_qc`` and the customer's signature with a message naming the
items (``ChecklistIncomplete``, API code ``checklist_incomplete``); a short reason per item, stored
with who and when, lets the work through; the QC page shows the log, parts, photos and every
item's state; the service report lists every item with its state."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.exceptions import ChecklistIncomplete
from fieldwork import services
from fieldwork.choices import ChecklistState
from fieldwork.models import ChecklistItem, CustomerSignature, ServiceReport, VisitChecklist
from fieldwork.policies import checklist_decide, checklist_item_state
from fieldwork.reference import REFERENCE_CHECKLIST
from workorders import services as wo
from workorders.choices import EventKind, Status

from .conftest import pdf_text, png_data_url

pytestmark = pytest.mark.django_db

#: The three items the technician of issue 18 left open, "请客户检验维修结果" among them.
LEFT_OPEN = ("explained", "customer-inspected", "cleaned-up")
OPEN_MESSAGE = (
    "Tick or explain every item of the visit code of conduct before sending the work to QC. "
    "Open: “Explained the repair and usage tips”, “Customer inspected the result”, “Cleaned up the site”."
)
REASON = "客户临时外出，由其家人代为确认"


def work_with_open_items(order: Any, technician: Any) -> Any:
    """Checked in, a log entry, a part and a photo; every item ticked but the three of ``LEFT_OPEN``."""
    services.fieldwork_check_in(order=order, acting_user=technician, at=timezone.now() - timedelta(minutes=5))
    services.repair_log_add(order=order, acting_user=technician, text="更换充电器输出线，测试充电正常")
    services.part_use(
        order=order, acting_user=technician, name="充电器输出线", model="CL-48", quantity="1", unit_price="35.50"
    )
    services.photo_add(order=order, acting_user=technician, upload=png_upload("after-repair.png"))
    for code, _zh, _en in REFERENCE_CHECKLIST:
        if code not in LEFT_OPEN:
            services.checklist_mark(order=order, acting_user=technician, item_code=code)
    return order


def png_upload(name: str) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def client_for(user: Any) -> Client:
    user.profile.language = "en"
    user.profile.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


# --- the pure decision -------------------------------------------------------------------------


def _item(code: str, *, active: bool = True) -> ChecklistItem:
    return ChecklistItem(code=code, label=code, is_active=active)


@pytest.mark.parametrize(
    ("mark", "state"),
    [
        pytest.param(None, ChecklistState.OPEN, id="no-mark"),
        pytest.param(VisitChecklist(checked=True), ChecklistState.DONE, id="ticked"),
        pytest.param(VisitChecklist(checked=False, reason="客户不在家"), ChecklistState.EXPLAINED, id="explained"),
        pytest.param(VisitChecklist(checked=False, reason=""), ChecklistState.OPEN, id="unticked"),
        pytest.param(VisitChecklist(checked=False, reason="   "), ChecklistState.OPEN, id="blank-reason"),
    ],
)
def test_an_items_state_is_ticked_explained_or_open(mark: VisitChecklist | None, state: ChecklistState) -> None:
    assert checklist_item_state(mark) == state


def test_only_open_active_items_hold_the_work_up() -> None:
    ticked, explained, open_item, retired = _item("a"), _item("b"), _item("c"), _item("d", active=False)
    decision = checklist_decide(
        [
            (ticked, VisitChecklist(checked=True)),
            (explained, VisitChecklist(checked=False, reason="客户不在家")),
            (open_item, None),
            (retired, VisitChecklist(checked=False)),
        ]
    )
    assert (decision.ok, decision.open_items) == (False, (open_item,))
    assert checklist_decide([(ticked, VisitChecklist(checked=True)), (retired, None)]).ok


# --- sending to QC -------------------------------------------------------------------------------


def test_sending_to_qc_with_open_items_is_refused_naming_them(assigned_order: Any, technician: Any) -> None:
    work_with_open_items(assigned_order, technician)

    with pytest.raises(ChecklistIncomplete) as refused:
        services.work_submit_qc(order=assigned_order, acting_user=technician)

    assert refused.value.message == OPEN_MESSAGE
    assert [item["item"] for item in refused.value.open_items] == list(LEFT_OPEN)
    assert refused.value.action == "submit_qc"
    assigned_order.refresh_from_db()
    assert assigned_order.status == Status.IN_PROGRESS
    assert not assigned_order.events.filter(kind=EventKind.SUBMIT_QC).exists()


def test_an_explained_item_and_the_others_ticked_let_the_work_go_to_qc(assigned_order: Any, technician: Any) -> None:
    work_with_open_items(assigned_order, technician)

    mark = services.checklist_explain(
        order=assigned_order, acting_user=technician, item_code="customer-inspected", reason=f"  {REASON} "
    )
    with pytest.raises(ChecklistIncomplete) as still_open:
        services.work_submit_qc(order=assigned_order, acting_user=technician)
    assert [item["item"] for item in still_open.value.open_items] == ["explained", "cleaned-up"]
    for code in ("explained", "cleaned-up"):
        services.checklist_mark(order=assigned_order, acting_user=technician, item_code=code)
    order = services.work_submit_qc(order=assigned_order, acting_user=technician)

    assert order.status == Status.QC
    mark.refresh_from_db()
    assert (mark.checked, mark.reason, mark.checked_by, mark.state) == (False, REASON, technician, "explained")
    assert timezone.now() - mark.checked_at < timedelta(minutes=1)
    event = order.events.get(kind=EventKind.UPDATED, data__checklist_item="请客户检验维修结果")
    assert (event.actor, event.data["not_done_reason"]) == (technician, REASON)


@pytest.mark.parametrize(
    ("reason", "message"),
    [
        pytest.param("  ", "This field is required.", id="blank"),
        pytest.param("久" * 201, "Enter at most 200 characters.", id="too-long"),
    ],
)
def test_an_explanation_needs_a_short_reason_naming_the_field(
    assigned_order: Any, technician: Any, reason: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.checklist_explain(
            order=assigned_order, acting_user=technician, item_code="customer-inspected", reason=reason
        )
    assert refused.value.message_dict == {"reason": [message]}
    assert not VisitChecklist.objects.filter(order=assigned_order).exists()


def test_ticking_an_explained_item_drops_the_reason_and_unticking_opens_it_again(
    assigned_order: Any, technician: Any
) -> None:
    work_with_open_items(assigned_order, technician)
    for code in LEFT_OPEN:
        services.checklist_explain(order=assigned_order, acting_user=technician, item_code=code, reason=REASON)
    ticked = services.checklist_mark(order=assigned_order, acting_user=technician, item_code="customer-inspected")
    assert (ticked.checked, ticked.reason, ticked.state) == (True, "", "done")

    services.checklist_mark(order=assigned_order, acting_user=technician, item_code="customer-inspected", checked=False)
    with pytest.raises(ChecklistIncomplete) as refused:
        services.work_submit_qc(order=assigned_order, acting_user=technician)
    assert [item["item"] for item in refused.value.open_items] == ["customer-inspected"]


def test_a_retired_item_never_holds_the_work_up(assigned_order: Any, technician: Any) -> None:
    work_with_open_items(assigned_order, technician)
    ChecklistItem.objects.filter(code__in=["explained", "cleaned-up"]).update(is_active=False)
    with pytest.raises(ChecklistIncomplete) as refused:
        services.work_submit_qc(order=assigned_order, acting_user=technician)
    assert [item["item"] for item in refused.value.open_items] == ["customer-inspected"]
    ChecklistItem.objects.filter(code="customer-inspected").update(is_active=False)
    assert services.work_submit_qc(order=assigned_order, acting_user=technician).status == Status.QC


# --- the customer's sign-off -------------------------------------------------------------------


def test_the_customer_cannot_sign_off_with_an_item_unticked_after_qc(
    assigned_order: Any, technician: Any, qc_inspector: Any
) -> None:
    work_with_open_items(assigned_order, technician)
    for code in LEFT_OPEN:
        services.checklist_mark(order=assigned_order, acting_user=technician, item_code=code)
    services.work_submit_qc(order=assigned_order, acting_user=technician)
    services.qc_decide(order=assigned_order, acting_user=qc_inspector, passed=True)
    services.checklist_mark(order=assigned_order, acting_user=technician, item_code="customer-inspected", checked=False)

    with pytest.raises(ChecklistIncomplete) as refused:
        services.signature_capture(
            order=assigned_order, acting_user=technician, image=png_data_url(), signer_name="张三丰"
        )

    assert refused.value.message == (
        "Tick or explain every item of the visit code of conduct before the customer signs off. "
        "Open: “Customer inspected the result”."
    )
    assigned_order.refresh_from_db()
    assert assigned_order.status == Status.AWAITING_SIGNOFF
    assert not CustomerSignature.objects.exists()
    services.checklist_explain(
        order=assigned_order, acting_user=technician, item_code="customer-inspected", reason=REASON
    )
    services.signature_capture(order=assigned_order, acting_user=technician, image=png_data_url(), signer_name="张三丰")
    assigned_order.refresh_from_db()
    assert assigned_order.status == Status.COMPLETED


# --- the API -----------------------------------------------------------------------------------


def test_the_api_refuses_qc_with_its_code_and_the_open_items_then_takes_the_explanation(
    api_as: Any, assigned_order: Any, technician: Any
) -> None:
    work_with_open_items(assigned_order, technician)
    client = api_as(technician)
    base = f"/api/v1/field/jobs/{assigned_order.pk}"

    refused = client.post(f"{base}/submit-qc", {}, content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert refused.status_code == 409, refused.content
    body = refused.json()
    assert (body["code"], body["status"]) == ("checklist_incomplete", "in_progress")
    assert body["open_items"] == [
        {"item": "explained", "label": "讲解维修情况及使用注意事项"},
        {"item": "customer-inspected", "label": "请客户检验维修结果"},
        {"item": "cleaned-up", "label": "清理现场"},
    ]
    assert [item["field"] for item in body["errors"]] == ["checklist"]
    assert "“请客户检验维修结果”" in body["detail"]

    explained = client.post(
        f"{base}/checklist/explain", {"item": "customer-inspected", "reason": REASON}, content_type="application/json"
    )
    assert explained.status_code == 200, explained.content
    assert {key: explained.json()[key] for key in ("item", "checked", "state", "reason", "by")} == {
        "item": "customer-inspected",
        "checked": False,
        "state": "explained",
        "reason": REASON,
        "by": "tech",
    }
    blank = client.post(
        f"{base}/checklist/explain", {"item": "cleaned-up", "reason": ""}, content_type="application/json"
    )
    assert blank.status_code == 400 and blank.json()["errors"][0]["field"] == "reason"
    for code in ("explained", "cleaned-up"):
        client.post(f"{base}/checklist", {"item": code}, content_type="application/json")
    items = client.get(f"{base}/checklist").json()["items"]
    assert {item["item"]: item["state"] for item in items}["customer-inspected"] == "explained"
    assert {item["state"] for item in items} == {"done", "explained"}

    sent = client.post(f"{base}/submit-qc", {"note": "更换输出线"}, content_type="application/json")
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "qc"


# --- the pages ---------------------------------------------------------------------------------


def test_the_job_page_lists_the_open_items_and_refuses_qc_naming_them(assigned_order: Any, technician: Any) -> None:
    work_with_open_items(assigned_order, technician)
    client = client_for(technician)

    page = client.get(reverse("fieldwork:job", args=[assigned_order.pk])).content.decode()
    assert 'id="checklist-open"' in page
    for code in LEFT_OPEN:
        assert f'id="explain-submit-{code}"' in page
    response = client.post(reverse("fieldwork:action", args=[assigned_order.pk, "submit-qc"]), follow=True)

    assert OPEN_MESSAGE in response.content.decode()
    assigned_order.refresh_from_db()
    assert assigned_order.status == Status.IN_PROGRESS


def test_the_qc_page_shows_the_log_parts_photos_and_each_items_state(
    assigned_order: Any, technician: Any, qc_inspector: Any
) -> None:
    work_with_open_items(assigned_order, technician)
    services.checklist_explain(
        order=assigned_order, acting_user=technician, item_code="customer-inspected", reason=REASON
    )
    for code in ("explained", "cleaned-up"):
        services.checklist_mark(order=assigned_order, acting_user=technician, item_code=code)
    services.work_submit_qc(order=assigned_order, acting_user=technician)
    photo = assigned_order.attachments.get(kind="photo")

    page = client_for(qc_inspector).get(reverse("fieldwork:qc_list")).content.decode()

    number = assigned_order.number
    log = page[page.index(f'id="qc-log-{number}"') :]
    assert "更换充电器输出线，测试充电正常" in log[: log.index("</ul>")]
    parts = page[page.index(f'id="qc-parts-{number}"') :]
    assert "充电器输出线 (CL-48)" in parts[: parts.index("</ul>")]
    photo_url = reverse("workorders:attachment", args=[assigned_order.pk, photo.pk])
    assert f'class="qc-thumb" src="{photo_url}"' in page
    checklist = page[page.index(f'id="qc-checklist-{number}"') :]
    checklist = checklist[: checklist.index("</ul>")]
    for code, _zh, _en in REFERENCE_CHECKLIST:
        state = "explained" if code == "customer-inspected" else "done"
        assert f'data-item="{code}" data-state="{state}"' in checklist, code
    assert f"Reason not done: {REASON}" in checklist
    assert 'id="qc-pass-' + number + '"' in page


def test_the_qc_page_reads_the_same_number_of_statements_for_one_order_or_three(
    agent: Any, dispatcher: Any, technician: Any, qc_inspector: Any, customer_a: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .conftest import make_assigned_order

    client = client_for(qc_inspector)

    def statements() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("fieldwork:qc_list")).status_code == 200
        return len(queries)

    counts = []
    for _round in range(2):
        for _order in range(1 if not counts else 2):
            order = make_assigned_order(agent=agent, dispatcher=dispatcher, technician=technician, customer=customer_a)
            work_with_open_items(order, technician)
            for code in LEFT_OPEN:
                services.checklist_mark(order=order, acting_user=technician, item_code=code)
            services.work_submit_qc(order=order, acting_user=technician)
        counts.append(statements())
    assert counts[0] == counts[1], counts


# --- the service report --------------------------------------------------------------------------


def test_the_report_lists_every_item_with_its_state_never_leaving_one_out(
    assigned_order: Any, technician: Any, qc_inspector: Any, agent: Any, tmp_path: Path
) -> None:
    """Ticked, explained and — for an order that went through QC without the field pages, as the
    demo data and orders from before this rule did — open items are all on the report."""
    # Worked without a check-in (so no code of conduct held it up), items marked afterwards.
    order = wo.workorder_transition(order=assigned_order, action="start", acting_user=technician)
    order = wo.workorder_transition(order=order, action="submit_qc", acting_user=technician, data={"note": "修"})
    services.checklist_mark(order=order, acting_user=technician, item_code="shoe-covers")
    services.checklist_explain(order=order, acting_user=technician, item_code="customer-inspected", reason=REASON)
    wo.workorder_transition(order=order, action="qc_pass", acting_user=qc_inspector, data={})

    report = services.service_report_generate(order=order, acting_user=agent)
    text = pdf_text(ServiceReport.objects.get(pk=report.pk).file.read(), tmp_path)

    lines = [" ".join(line.split()) for line in text.splitlines()]
    for code, label, _en in REFERENCE_CHECKLIST:
        row = next((line for line in lines if label in line), None)
        assert row is not None, label
        if code == "shoe-covers":
            assert "√ 已完成" in row, row
        elif code == "customer-inspected":
            assert "× 未完成（已说明原因）" in row and "原因：" in row, row
        else:
            assert "□ 未完成（未说明）" in row, row
    assert REASON in "".join(text.split())
