"""Complaints (投诉, SPEC §9 / §14.2, ISO 10002): numbered, verbatim, acknowledged within the
committed business hours with at-risk and breach alerts escalating agent → director, investigated,
resolved, closed only after the customer was asked, reopened; the monthly report; the API."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from core.exceptions import TransitionNotAllowed
from followup.models import Complaint
from followup.selectors import complaint_monthly_report
from followup.services import complaint_create, complaint_scan, complaint_transition
from notify.choices import DeliveryChannel
from notify.models import OutboxMessage

from .conftest import SH, Clock

pytestmark = pytest.mark.django_db

WORDS = "师傅迟到两个小时，还说是我地址写错了。我要求退还上门费并道歉。"


def in_app(template_key: str) -> list[str]:
    messages = OutboxMessage.objects.filter(template_key=template_key, channel=DeliveryChannel.IN_APP)
    return sorted(messages.values_list("recipient_user__username", flat=True))


@pytest.fixture
def complaint(agent: Any, customer_a: Any, clock: Clock) -> Complaint:
    return complaint_create(
        acting_user=agent, customer=customer_a, description=WORDS, channel="phone", remedy_requested="退还上门费"
    )


def test_a_complaint_is_numbered_kept_verbatim_and_due_in_business_hours(complaint: Complaint) -> None:
    assert complaint.number.startswith("TS-20260302-")
    assert complaint.description == WORDS and complaint.status == "received"
    # Received Mon 09:00; 8 business hours on the standard calendar (9–12, 13–18) → Mon 18:00.
    assert complaint.acknowledge_by == datetime(2026, 3, 2, 18, 0, tzinfo=SH)
    assert [e.kind for e in complaint.events.all()] == ["received"]


def test_the_acknowledgement_alerts_agents_at_risk_then_escalates_to_the_director_once(
    complaint: Complaint, agent: Any, director: Any, clock: Clock
) -> None:
    assert complaint_scan(now=clock.advance(hours=3)) == {"at_risk": 0, "breached": 0}
    assert complaint_scan(now=complaint.at_risk_at) == {"at_risk": 1, "breached": 0}
    assert complaint_scan(now=complaint.at_risk_at) == {"at_risk": 0, "breached": 0}
    assert in_app("service_complaint_at_risk") == ["agent"]
    assert complaint_scan(now=complaint.acknowledge_by) == {"at_risk": 0, "breached": 1}
    assert complaint_scan(now=complaint.acknowledge_by + timedelta(hours=1)) == {"at_risk": 0, "breached": 0}
    assert in_app("service_complaint_breached") == ["agent", "director"]
    complaint.refresh_from_db()
    assert complaint.alert == "breached"
    assert [e.kind for e in complaint.events.all()] == ["received", "at_risk", "escalate"]
    clock.set(complaint.acknowledge_by + timedelta(hours=2))
    done = complaint_transition(complaint=complaint, action="acknowledge", acting_user=agent)
    assert done.events.get(kind="acknowledge").data == {"late": True}


def test_the_whole_handling_and_closing_only_after_the_customer_was_asked(
    complaint: Complaint, agent: Any, director: Any, clock: Clock
) -> None:
    step = complaint_transition
    complaint = step(complaint=complaint, action="acknowledge", acting_user=agent)
    assert complaint.status == "acknowledged"
    complaint = step(complaint=complaint, action="investigate", acting_user=agent)
    complaint = step(
        complaint=complaint, action="note", acting_user=agent, data={"note": "调取派工记录：预约 9:00，到达 11:05"}
    )
    complaint = step(
        complaint=complaint, action="contact", acting_user=agent, data={"note": "电话致歉", "channel": "phone"}
    )
    complaint = step(
        complaint=complaint,
        action="resolve",
        acting_user=agent,
        data={"resolution": "工程师迟到属实，已批评教育", "remedy": "退还上门费 50 元"},
    )
    assert complaint.status == "resolved"
    with pytest.raises(TransitionNotAllowed) as refused:
        step(complaint=complaint, action="close", acting_user=agent)
    assert "Ask the customer" in refused.value.message
    complaint.refresh_from_db()
    assert complaint.status == "resolved" and complaint.closed_at is None  # nothing written
    complaint = step(complaint=complaint, action="customer_answer", acting_user=agent, data={"answer": "satisfied"})
    complaint = step(complaint=complaint, action="close", acting_user=agent)
    assert complaint.status == "closed" and complaint.closed_at is not None
    complaint = step(complaint=complaint, action="reopen", acting_user=director, data={"reason": "客户称未收到退款"})
    assert complaint.status == "investigating" and complaint.customer_answer == "" and complaint.reopened_count == 1
    kinds = [e.kind for e in complaint.events.all()]
    assert kinds == [
        "received",
        "acknowledge",
        "investigate",
        "note",
        "contact",
        "resolve",
        "customer_answer",
        "close",
        "reopen",
    ]
    assert OutboxMessage.objects.filter(
        template_key="service_complaint_acknowledged", customer=complaint.customer
    ).exists()


@pytest.mark.parametrize(
    ("action", "data", "field"),
    [("note", {}, "note"), ("reopen", {}, "action"), ("frobnicate", {}, "action")],
    ids=["note-without-text", "reopen-while-received", "unknown-action"],
)
def test_bad_steps_are_refused(complaint: Complaint, agent: Any, action: str, data: dict[str, Any], field: str) -> None:
    with pytest.raises((ValidationError, TransitionNotAllowed)):
        complaint_transition(complaint=complaint, action=action, acting_user=agent, data=data)
    assert complaint.events.count() == 1


def test_registering_needs_the_customers_words_and_a_known_subject(agent: Any, customer_a: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        complaint_create(acting_user=agent, customer=customer_a, description="  ", channel="phone")
    assert "description" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        complaint_create(acting_user=agent, customer=customer_a, description=WORDS, channel="phone", subject="station")
    assert "station" in refused.value.message_dict
    assert not Complaint.objects.exists()


def test_the_monthly_report_counts_in_sql(complaint: Complaint, agent: Any, director: Any) -> None:
    complaint_transition(complaint=complaint, action="acknowledge", acting_user=agent)
    report = complaint_monthly_report(user=director, year=2026, month=3)
    assert report["received"] == 1 and report["by_channel"] == {"phone": 1} and report["by_subject"] == {"policy": 1}
    assert report["acknowledged"] == 1 and report["acknowledged_on_time"] == 1 and report["open_at_month_end"] == 1
    assert complaint_monthly_report(user=director, year=2026, month=2)["received"] == 0


def test_api_create_answers_as_spec_14_2_and_runs_every_step(
    api_as: Any, agent: Any, customer_a: Any, complete_on_site: Any, clock: Clock
) -> None:
    order = complete_on_site(customer_a)
    client = api_as(agent)
    body = {"customer": customer_a.pk, "work_order": order.pk, "description": WORDS, "channel": "phone"}
    created = client.post(
        "/api/v1/complaints", body, content_type="application/json", headers={"Idempotency-Key": "c-1"}
    )
    assert created.status_code == 201, created.json()
    answer = created.json()
    assert {"id", "number", "status", "acknowledge_by"} <= set(answer)
    assert answer["status"] == "received" and answer["subject"] == "order"
    assert answer["acknowledge_by"].endswith("+08:00")
    again = client.post("/api/v1/complaints", body, content_type="application/json", headers={"Idempotency-Key": "c-1"})
    assert again.json()["id"] == answer["id"] and Complaint.objects.count() == 1
    url = f"/api/v1/complaints/{answer['id']}/transitions"
    assert client.post(url, {"action": "acknowledge"}, content_type="application/json").status_code == 200
    refused = client.post(url, {"action": "close"}, content_type="application/json")
    assert refused.status_code == 409 and refused.json()["status"] == "acknowledged"
    assert "investigate" in refused.json()["allowed_actions"]
    missing = client.post(url, {"action": "resolve"}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "resolution"
    detail = client.get(f"/api/v1/complaints/{answer['id']}").json()
    assert [e["kind"] for e in detail["timeline"]] == ["received", "acknowledge"]
    report = client.get("/api/v1/complaints/report?month=2026-03")
    assert report.status_code == 200 and report.json()["received"] == 1
    assert client.get("/api/v1/complaints/report?month=2026-13").status_code == 422


def test_api_callback_call_refuses_score_0_and_6(
    api_as: Any, agent: Any, customer_a: Any, complete_on_site: Any
) -> None:
    from followup.models import CallbackTask
    from followup.services import callback_queue_refresh

    complete_on_site(customer_a)
    callback_queue_refresh()
    task = CallbackTask.objects.get()
    client = api_as(agent)
    for score in (0, 6):
        bad = client.post(
            f"/api/v1/callbacks/{task.pk}/calls",
            {"outcome": "reached", "satisfaction": "satisfied", "score": score},
            content_type="application/json",
        )
        assert bad.status_code == 422 and "score" in bad.json()["errors"][0]["field"]
    ok = client.post(
        f"/api/v1/callbacks/{task.pk}/calls",
        {"outcome": "reached", "satisfaction": "satisfied", "score": 4, "version": task.version},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["status"] == "done"
    assert ok.json()["script"]
