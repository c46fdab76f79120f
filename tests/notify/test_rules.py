"""Event mapping for SLA and backup-unit events, the sandboxed templates, the retry policy,
the in-app inbox, and who may read which delivery log (views and API)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from core.exceptions import VersionConflict
from core.testing import make_user
from notify.choices import DeliveryChannel, OutboxStatus
from notify.models import MessageTemplate, OutboxMessage
from notify.policies import retry_decide
from notify.recipients import Recipient
from notify.selectors import inbox_for, outbox_visible_to
from notify.services import inbox_mark_read, message_template_update, notification_enqueue, outbox_deliver_due
from tests.notify.conftest import accepted_order
from workorders import services as wo
from workorders.choices import EventKind
from workorders.notifications import SLA_TARGETS

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_breached_deadline_alerts_the_accepting_agent_and_the_directors(
    agent: Any, director: Any, customer_a: Any, org: Any
) -> None:
    other_agent = make_user("agent", org.hq, username="agent2")
    order = accepted_order(agent, customer_a)
    data = {"state": "breached", "target": "response", "deadline": "2026-11-25T10:00:00+08:00"}

    wo.workorder_record_event(order=order, kind=EventKind.SLA, acting_user=None, data=data)
    wo.workorder_record_event(order=order, kind=EventKind.SLA, acting_user=None, data=data)  # a re-run of the scan

    alerts = OutboxMessage.objects.filter(template_key="sla_breached", channel=DeliveryChannel.IN_APP)
    assert sorted(alerts.values_list("recipient_user__username", flat=True)) == ["agent", "director"]
    assert not alerts.filter(recipient_user=other_agent).exists()
    alert = alerts.get(recipient_user=agent)
    with translation.override("zh-hans"):  # the agent's language; the label as the catalogue words it
        label = str(SLA_TARGETS["response"])
    assert alert.body.startswith(f"工单 {order.number} 的{label}已于 2026-11-25 10:00 超时")
    assert f"/work-orders/{order.pk}/" in alert.body


def test_an_at_risk_deadline_alerts_the_units_agents_when_nobody_accepted(customer_a: Any, org: Any) -> None:
    station_agent = make_user("agent", org.station_a, username="xh_agent")
    make_user("agent", org.station_b, username="hd_agent")
    order = wo.workorder_create(
        acting_user=None, customer=customer_a, service_type="repair", channel="web", description="x", by_customer=True
    )
    wo.workorder_record_event(
        order=order, kind=EventKind.SLA, acting_user=None, data={"state": "at_risk", "target": "arrival"}
    )
    wo.workorder_record_event(order=order, kind=EventKind.SLA, acting_user=None, data={"state": "met"})

    assert list(OutboxMessage.objects.values_list("recipient_user", "template_key", "channel")) == [
        (station_agent.pk, "sla_at_risk", DeliveryChannel.IN_APP)
    ]


def test_an_at_risk_deadline_goes_to_the_units_agents_when_the_accepting_agent_has_left(
    customer_a: Any, org: Any
) -> None:
    left = make_user("agent", org.station_a, username="left_agent")
    colleague = make_user("agent", org.station_a, username="xh_agent")
    order = wo.workorder_create(
        acting_user=None, customer=customer_a, service_type="repair", channel="web", description="x", by_customer=True
    )
    order = wo.workorder_transition(order=order, action="accept", acting_user=left, data={"charge_type": "free"})
    left.is_active = False
    left.save(update_fields=["is_active"])

    wo.workorder_record_event(
        order=order, kind=EventKind.SLA, acting_user=None, data={"state": "at_risk", "target": "arrival"}
    )

    alerts = OutboxMessage.objects.filter(template_key="sla_at_risk", channel=DeliveryChannel.IN_APP)
    assert list(alerts.values_list("recipient_user", flat=True)) == [colleague.pk]


def test_progress_and_completion_reach_the_customer(
    agent: Any, dispatcher: Any, technician: Any, customer_a: Any
) -> None:
    order = accepted_order(agent, customer_a)
    order = wo.workorder_transition(
        order=order, action="assign", acting_user=dispatcher, data={"technician": technician.pk}
    )
    order = wo.workorder_transition(order=order, action="start", acting_user=technician, data={})
    order = wo.workorder_transition(order=order, action="pause", acting_user=technician, data={"wait_reason": "parts"})

    from django.utils import translation

    from workorders.choices import WaitReason

    with translation.override("zh-hans"):
        started, paused, parts = str(EventKind.START.label), str(EventKind.PAUSE.label), str(WaitReason.PARTS.label)
    bodies = list(
        OutboxMessage.objects.filter(template_key="order_progress").order_by("id").values_list("body", flat=True)
    )
    link = f"https://service.example.cn/s/o/{order.number}/"
    assert bodies == [
        f"尊敬的张三丰：工单 {order.number} 进度更新：{started}。 查看：{link}",
        f"尊敬的张三丰：工单 {order.number} 进度更新：{paused}。{parts} 查看：{link}",
    ]
    order = wo.workorder_transition(order=order, action="resume", acting_user=technician, data={})
    assert OutboxMessage.objects.filter(template_key="order_progress").count() == 3


def test_completion_sends_the_survey_link(agent: Any, customer_a: Any) -> None:
    order = accepted_order(agent, customer_a)
    # the hook maps the event kind; the transition path to sign-off is covered by workorders' tests
    wo.workorder_record_event(order=order, kind=EventKind.SIGN_OFF, acting_user=agent)

    [done] = OutboxMessage.objects.filter(template_key="order_completed")
    assert done.body.endswith(f"请为本次服务评价：https://service.example.cn/s/o/{order.number}/")


def test_a_quote_and_an_appointment_reach_the_customer_with_amount_and_time(agent: Any, customer_a: Any) -> None:
    order = accepted_order(agent, customer_a)
    # the hook maps the event kinds; the quote and booking flows are covered by billing/dispatch
    wo.workorder_record_event(order=order, kind=EventKind.QUOTE, acting_user=agent, data={"amount": "128.50"})
    order.appointment_at = datetime(2026, 12, 3, 14, 30, tzinfo=timezone.get_current_timezone())
    wo.workorder_record_event(order=order, kind=EventKind.SCHEDULE, acting_user=agent)

    [quote] = OutboxMessage.objects.filter(template_key="quote_sent", channel=DeliveryChannel.SMS)
    assert f"工单 {order.number} 的服务报价为 ¥128.50" in quote.body
    [visit] = OutboxMessage.objects.filter(template_key="appointment_booked", channel=DeliveryChannel.SMS)
    assert f"工单 {order.number} 已预约于 2026-12-03 14:30 上门服务" in visit.body


def test_a_template_cannot_reach_outside_its_context(admin_user_: Any) -> None:
    template = MessageTemplate.objects.get(key="order_accepted", channel=DeliveryChannel.SMS, language="zh-hans")
    for source in ["{% debug %}", "{% include 'base.html' %}", "{% load static %}", "{{ x|nosuchfilter }}"]:
        with pytest.raises(ValidationError) as refused:
            message_template_update(
                template=template, acting_user=admin_user_, changes={"body": source}, expected_version=1
            )
        assert "body" in refused.value.message_dict


def test_templates_are_edited_with_a_version(admin_user_: Any, director: Any, customer_a: Any) -> None:
    template = MessageTemplate.objects.get(key="order_accepted", channel=DeliveryChannel.SMS, language="zh-hans")
    with pytest.raises(PermissionDenied):
        message_template_update(template=template, acting_user=director, changes={"body": "x"}, expected_version=1)

    message_template_update(
        template=template,
        acting_user=admin_user_,
        changes={"body": "{{ customer_name }}，已受理。"},
        expected_version=1,
    )
    with pytest.raises(VersionConflict):
        message_template_update(template=template, acting_user=admin_user_, changes={"body": "y"}, expected_version=1)
    [message] = notification_enqueue(
        template_key="order_accepted", recipient=Recipient.for_customer(customer_a),
        context={"customer_name": "张三丰"}, order_id=None, customer_id=customer_a.pk, dedupe_key="t",
    )  # fmt: skip
    assert message.body == "张三丰，已受理。"


def test_reference_templates_cover_every_message_in_both_languages_and_are_not_overwritten(
    admin_user_: Any,
) -> None:
    from notify.reference import DEFAULT_TEMPLATES, install_reference_data

    expected = sum(len(channels) * 2 for channels, _ in DEFAULT_TEMPLATES.values())
    # Other apps install messages of their own (parts: loaner_overdue): count notify's list only.
    assert MessageTemplate.objects.filter(key__in=DEFAULT_TEMPLATES).count() == expected
    template = MessageTemplate.objects.get(key="quote_sent", channel=DeliveryChannel.EMAIL, language="en")
    message_template_update(template=template, acting_user=admin_user_, changes={"body": "edited"}, expected_version=1)

    assert install_reference_data() == 0
    template.refresh_from_db()
    assert template.body == "edited"


@pytest.mark.parametrize(
    ("attempts", "expected_seconds"),
    [(1, 30), (2, 60), (3, 120), (4, 240)],
    ids=["first", "second", "third", "fourth"],
)
def test_backoff_doubles_per_attempt(attempts: int, expected_seconds: int) -> None:
    now = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.get_current_timezone())
    decision = retry_decide(attempts=attempts, permanent=False, now=now, max_attempts=10, base_seconds=30, jitter=0)
    assert (decision.give_up, decision.next_attempt_at) == (False, now + timedelta(seconds=expected_seconds))


def test_backoff_is_capped_jittered_and_gives_up_at_the_limit() -> None:
    now = timezone.now()
    capped = retry_decide(attempts=20, permanent=False, now=now, max_attempts=30, base_seconds=30, cap_seconds=600)
    assert now + timedelta(seconds=600) <= capped.next_attempt_at <= now + timedelta(seconds=750)
    assert retry_decide(attempts=5, permanent=False, now=now, max_attempts=5).give_up
    assert retry_decide(attempts=1, permanent=True, now=now, max_attempts=5).reason == "permanent"


def test_the_technician_reads_new_jobs_in_the_inbox(
    agent: Any, dispatcher: Any, technician: Any, customer_a: Any
) -> None:
    order = accepted_order(agent, customer_a)
    wo.workorder_transition(order=order, action="assign", acting_user=dispatcher, data={"technician": technician.pk})
    client = client_for(technician)

    page = client.get(reverse("notify:inbox"))
    assert page.status_code == 200
    assert page.context["unread_count"] == 1
    assert f"新工单：{order.number}" in page.content.decode()
    assert inbox_for(dispatcher).count() == 0

    response = client.post(reverse("notify:inbox_read"))
    assert response.status_code == 302
    assert inbox_for(technician, unread_only=True).count() == 0
    assert inbox_mark_read(user=technician) == 0


def test_a_station_sees_only_its_own_orders_deliveries(
    agent: Any, customer_a: Any, customer_b: Any, station_a_user: Any, station_b_user: Any, api_as: Any
) -> None:
    order_a = accepted_order(agent, customer_a)
    order_b = accepted_order(agent, customer_b)

    assert set(outbox_visible_to(station_a_user).values_list("order", flat=True)) == {order_a.pk}
    assert set(outbox_visible_to(station_b_user).values_list("order", flat=True)) == {order_b.pk}
    api = api_as(station_b_user)
    listed = api.get("/api/v1/notifications").json()
    assert [item["order"] for item in listed["items"]] == [order_b.pk]
    foreign = OutboxMessage.objects.get(order=order_a)
    assert api.get(f"/api/v1/notifications/{foreign.pk}").status_code == 404
    log = client_for(station_b_user).get(reverse("notify:order_log", args=[order_a.pk]))
    assert log.status_code == 200 and log.context["rows"] == []


def test_the_console_lists_failures_and_sends_them_again(
    agent: Any, director: Any, technician: Any, customer_a: Any, settings: Any
) -> None:
    settings.NOTIFY_SMS_URL = "http://127.0.0.1:9/unreachable"
    settings.NOTIFY_MAX_ATTEMPTS = 1
    order = accepted_order(agent, customer_a)
    outbox_deliver_due(owner="w1")
    failed = OutboxMessage.objects.get(order=order)
    assert failed.status == OutboxStatus.FAILED

    assert client_for(technician).post(reverse("notify:retry", args=[failed.pk])).status_code == 403
    console = client_for(director)
    page = console.get(reverse("notify:outbox"), {"status": "failed"})
    assert page.status_code == 200
    assert [m.pk for m in page.context["page"]] == [failed.pk]
    assert "notify-retry" in page.content.decode()
    assert console.post(reverse("notify:retry", args=[failed.pk])).status_code == 302
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (OutboxStatus.PENDING, 0)


def test_the_order_and_customer_pages_show_the_delivery_log(agent: Any, customer_a: Any) -> None:
    order = accepted_order(agent, customer_a)
    client = client_for(agent)

    detail = client.get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert reverse("notify:order_log", args=[order.pk]) in detail
    rows = client.get(reverse("notify:order_log", args=[order.pk]))
    assert [m.template_key for m in rows.context["rows"]] == ["order_accepted"]
    customer_page = client.get(reverse("customers:detail", args=[customer_a.pk]))
    assert [m.order_id for m in customer_page.context["notifications"]] == [order.pk]
    assert 'id="customer-notifications"' in customer_page.content.decode()


def test_api_retry_inbox_and_template_edit(
    agent: Any, dispatcher: Any, technician: Any, customer_a: Any, admin_user_: Any, api_as: Any
) -> None:
    order = accepted_order(agent, customer_a)
    wo.workorder_transition(order=order, action="assign", acting_user=dispatcher, data={"technician": technician.pk})
    inbox = api_as(technician).get("/api/v1/notifications/inbox").json()
    assert (inbox["count"], inbox["unread"]) == (1, 1)
    marked = api_as(technician).post(
        "/api/v1/notifications/inbox/read", data=json.dumps({"ids": [inbox["items"][0]["id"]]}),
        content_type="application/json",
    )  # fmt: skip
    assert marked.json() == {"marked": 1}

    pending = OutboxMessage.objects.filter(order=order, channel=DeliveryChannel.SMS).first()
    refused = api_as(admin_user_).post(f"/api/v1/notifications/{pending.pk}/retry")
    assert refused.status_code == 400
    assert refused.json()["errors"][0]["field"] == "status"

    template = MessageTemplate.objects.get(key="quote_sent", channel=DeliveryChannel.SMS, language="en")
    url = f"/api/v1/notifications/templates/{template.pk}"
    ok = api_as(admin_user_).patch(url, data=json.dumps({"version": 1, "body": "Quote {{ amount }}"}),
                                   content_type="application/json")  # fmt: skip
    assert (ok.status_code, ok.json()["version"]) == (200, 2)
    stale = api_as(admin_user_).patch(url, data=json.dumps({"version": 1, "body": "x"}),
                                      content_type="application/json")  # fmt: skip
    assert stale.status_code == 409
    bad = api_as(admin_user_).patch(url, data=json.dumps({"version": 2, "body": "{% include 'x' %}"}),
                                    content_type="application/json")  # fmt: skip
    assert (bad.status_code, bad.json()["errors"][0]["field"]) == (400, "body")


def test_with_the_servers_template_cache_an_edit_is_used_by_the_next_message(
    production_caches: Any, admin_user_: Any, customer_a: Any
) -> None:
    def send(key: str) -> str:
        [message] = notification_enqueue(
            template_key="order_accepted", recipient=Recipient.for_customer(customer_a),
            context={"customer_name": "张三丰"}, order_id=None, customer_id=customer_a.pk, dedupe_key=key,
        )  # fmt: skip
        return message.body

    before = send("cache-1")
    template = MessageTemplate.objects.get(key="order_accepted", channel=DeliveryChannel.SMS, language="zh-hans")
    message_template_update(
        template=template, acting_user=admin_user_, changes={"body": "{{ customer_name }}，已受理（新）。"},
        expected_version=template.version,
    )  # fmt: skip
    assert before != "张三丰，已受理（新）。"
    assert send("cache-2") == "张三丰，已受理（新）。"
