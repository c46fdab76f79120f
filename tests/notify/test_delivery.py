"""The outbox end to end: enqueue from order events, delivery through real SMTP and HTTP
providers, backoff, failure, channel not configured, leases, de-duplication."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from notify.choices import DeliveryChannel, OutboxStatus
from notify.models import OutboxMessage, StaffContact
from notify.recipients import Recipient
from notify.services import notification_enqueue, outbox_claim_due, outbox_deliver, outbox_deliver_due, outbox_retry
from tests.notify.conftest import Receiver, accepted_order, header_text, new_order
from workorders import services as wo

pytestmark = pytest.mark.django_db


def rows(**filters: Any) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(**filters).order_by("id"))


def test_acceptance_queues_an_email_and_an_sms_to_the_customer_in_chinese(agent: Any, customer_a: Any) -> None:
    customer_a.email = "zhang@example.cn"
    customer_a.save(update_fields=["email"])

    order = accepted_order(agent, customer_a)

    messages = rows(order=order)
    assert [(m.channel, m.status, m.address) for m in messages] == [
        (DeliveryChannel.EMAIL, OutboxStatus.PENDING, "zhang@example.cn"),
        (DeliveryChannel.SMS, OutboxStatus.PENDING, "13800138000"),
    ]
    sms = messages[1]
    assert sms.template_key == "order_accepted" and sms.language == "zh-hans"
    assert sms.body.startswith(f"尊敬的张三丰：您的服务申请 {order.number} 已受理")
    assert f"https://service.example.cn/s/o/{order.number}/" in sms.body
    assert messages[0].subject == f"您的服务申请已受理（{order.number}）"
    assert {m.customer_id for m in messages} == {customer_a.pk}
    assert {m.unit_id for m in messages} == {order.unit_id}


def test_a_customer_without_email_gets_only_the_sms(agent: Any, customer_a: Any) -> None:
    order = accepted_order(agent, customer_a)
    assert [m.channel for m in rows(order=order)] == [DeliveryChannel.SMS]


def test_enqueuing_the_same_event_twice_queues_nothing_new(customer_a: Any) -> None:
    recipient = Recipient.for_customer(customer_a)
    context = {"order_number": "WO-1", "customer_name": "张三丰", "order_url": "u", "hotline": "400"}
    first = notification_enqueue(
        template_key="order_accepted", recipient=recipient, context=context, order_id=None,
        customer_id=customer_a.pk, dedupe_key="order:1:event:7",
    )  # fmt: skip
    again = notification_enqueue(
        template_key="order_accepted", recipient=recipient, context=context, order_id=None,
        customer_id=customer_a.pk, dedupe_key="order:1:event:7",
    )  # fmt: skip

    assert [m.pk for m in first] == [m.pk for m in again]
    assert OutboxMessage.objects.count() == 1


def test_the_same_key_for_two_recipients_is_two_messages(customer_a: Any, customer_b: Any) -> None:
    for customer in (customer_a, customer_b):
        notification_enqueue(
            template_key="order_accepted", recipient=Recipient.for_customer(customer), context={},
            order_id=None, customer_id=customer.pk, dedupe_key="broadcast:1",
        )  # fmt: skip
    assert sorted(OutboxMessage.objects.values_list("address", flat=True)) == ["01062345678", "13800138000"]


def test_staff_get_messages_in_their_profile_language(agent: Any, customer_a: Any, org: Any) -> None:
    from core.testing import make_user

    english_tech = make_user("technician", org.centre, username="tech_en", language="en", full_name="Li Lei")
    chinese_tech = make_user("technician", org.centre, username="tech_zh", full_name="王工")
    order = accepted_order(agent, customer_a)
    for tech in (english_tech, chinese_tech):
        notification_enqueue(
            template_key="job_assigned", recipient=Recipient.for_user(tech),
            context={"order_number": order.number, "customer_name": "张三丰", "service_address": "文三路",
                     "description": "无法启动"},
            order_id=order.pk, customer_id=customer_a.pk, dedupe_key=f"job:{order.pk}",
        )  # fmt: skip

    english = OutboxMessage.objects.get(recipient_user=english_tech, channel=DeliveryChannel.IN_APP)
    chinese = OutboxMessage.objects.get(recipient_user=chinese_tech, channel=DeliveryChannel.IN_APP)
    assert (english.language, english.subject) == ("en", f"New job: {order.number}")
    assert (chinese.language, chinese.subject) == ("zh-hans", f"新工单：{order.number}")
    assert english.status == OutboxStatus.SENT  # in-app: the row is the delivery


def test_email_goes_through_a_real_smtp_server_with_the_message_uuid_as_message_id(
    agent: Any, customer_a: Any, smtp_server: Any
) -> None:
    customer_a.email = "zhang@example.cn"
    customer_a.save(update_fields=["email"])
    order = accepted_order(agent, customer_a)
    email = OutboxMessage.objects.get(order=order, channel=DeliveryChannel.EMAIL)

    report = outbox_deliver_due(owner="w1")

    assert (report.claimed, report.sent, report.cancelled) == (2, 1, 1)  # SMS: no gateway configured
    [received] = smtp_server.parsed()
    assert received["Message-ID"] == f"<{email.uuid}@example.cn>"
    assert header_text(received["Subject"]) == f"您的服务申请已受理（{order.number}）"
    assert "zhang@example.cn" in received["To"]
    assert order.number in received.get_payload(decode=True).decode("utf-8")
    email.refresh_from_db()
    assert (email.status, email.attempts, email.provider_message_id) == (
        OutboxStatus.SENT, 1, f"<{email.uuid}@example.cn>",
    )  # fmt: skip
    assert email.sent_at is not None and email.lease_until is None


def test_sms_is_posted_to_the_gateway_with_the_idempotency_key(
    agent: Any, customer_a: Any, receiver: Receiver, settings: Any
) -> None:
    settings.NOTIFY_SMS_URL = receiver.url + "/sms"
    settings.NOTIFY_SMS_TOKEN = "secret-token"
    settings.NOTIFY_SMS_SIGNATURE = "【雅迪售后】"
    order = accepted_order(agent, customer_a)
    sms = OutboxMessage.objects.get(order=order, channel=DeliveryChannel.SMS)

    outbox_deliver_due(owner="w1")

    [request] = receiver.requests
    assert request["path"] == "/sms"
    assert request["headers"]["Idempotency-Key"] == str(sms.uuid)
    assert request["headers"]["Authorization"] == "Bearer secret-token"
    assert request["json"] == {
        "message_id": str(sms.uuid), "to": "13800138000", "text": sms.body, "signature": "【雅迪售后】",
    }  # fmt: skip
    sms.refresh_from_db()
    assert (sms.status, sms.provider_message_id) == (OutboxStatus.SENT, "prov-1")


def test_assignment_tells_the_customer_and_the_technician_on_wechat_work(
    agent: Any, dispatcher: Any, technician: Any, customer_a: Any, receiver: Receiver, settings: Any
) -> None:
    settings.NOTIFY_WECOM_URL = receiver.url + "/cgi-bin/message/send"
    settings.NOTIFY_WECOM_KEY = "k1"
    StaffContact.objects.create(user=technician, wecom_userid="tech-wx")
    order = accepted_order(agent, customer_a)
    wo.workorder_transition(order=order, action="assign", acting_user=dispatcher, data={"technician": technician.pk})

    assigned = rows(order=order, template_key__in=["technician_assigned", "job_assigned"])
    assert [(m.template_key, m.channel) for m in assigned] == [
        ("technician_assigned", DeliveryChannel.SMS),
        ("job_assigned", DeliveryChannel.IN_APP),
        ("job_assigned", DeliveryChannel.WECOM),
    ]
    assert "tech" in assigned[0].body  # the technician's name
    outbox_deliver_due(owner="w1")

    [request] = receiver.requests
    assert request["path"] == "/cgi-bin/message/send?key=k1"
    assert request["json"]["touser"] == "tech-wx"
    assert request["json"]["text"]["content"].startswith(f"新工单：{order.number}\n")
    assert rows(channel=DeliveryChannel.WECOM)[0].status == OutboxStatus.SENT


def test_wechat_error_code_counts_as_a_failed_attempt(
    customer_a: Any, technician: Any, receiver: Receiver, settings: Any
) -> None:
    settings.NOTIFY_WECOM_URL = receiver.url
    receiver.answer = {"errcode": 40014, "errmsg": "invalid access_token"}
    StaffContact.objects.create(user=technician, wecom_userid="tech-wx")
    notification_enqueue(
        template_key="job_assigned", recipient=Recipient.for_user(technician), context={},
        order_id=None, customer_id=None, dedupe_key="x",
    )  # fmt: skip

    outbox_deliver_due(owner="w1")

    message = OutboxMessage.objects.get(channel=DeliveryChannel.WECOM)
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert message.last_error == "errcode 40014: invalid access_token"


def test_provider_errors_are_retried_with_backoff_then_failed_and_can_be_sent_again(
    agent: Any, director: Any, customer_a: Any, receiver: Receiver, settings: Any
) -> None:
    settings.NOTIFY_SMS_URL = receiver.url
    settings.NOTIFY_MAX_ATTEMPTS = 3
    settings.NOTIFY_BACKOFF_SECONDS = 60
    receiver.status = 503
    order = accepted_order(agent, customer_a)
    sms = OutboxMessage.objects.get(order=order)

    before = timezone.now()
    outbox_deliver_due(owner="w1")
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (OutboxStatus.PENDING, 1)
    assert sms.last_error.startswith("HTTP 503")
    # first backoff: 60 s plus up to 25 % jitter
    assert before + timedelta(seconds=60) <= sms.next_attempt_at <= timezone.now() + timedelta(seconds=75)
    assert outbox_deliver_due(owner="w1").claimed == 0  # not due yet

    for expected_attempts in (2, 3):
        OutboxMessage.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now())
        outbox_deliver_due(owner="w1")
        sms.refresh_from_db()
        assert sms.attempts == expected_attempts
    assert sms.status == OutboxStatus.FAILED
    assert len(receiver.requests) == 3

    receiver.status = 200
    outbox_retry(message=sms, acting_user=director)
    outbox_deliver_due(owner="w1")
    sms.refresh_from_db()
    assert (sms.status, sms.attempts, sms.last_error) == (OutboxStatus.SENT, 1, "")
    assert list(receiver.accepted) == [str(sms.uuid)]


def test_the_periodic_task_sends_a_retry_once_its_backoff_has_ended(
    agent: Any, customer_a: Any, receiver: Receiver, settings: Any
) -> None:
    """No kick wakes a worker for a retry: the minute-by-minute task finds it when it is due."""
    from notify.tasks import deliver_outbox_periodically

    settings.NOTIFY_SMS_URL = receiver.url
    receiver.status = 503
    accepted_order(agent, customer_a)
    assert deliver_outbox_periodically.call_local() == 0
    sms = OutboxMessage.objects.get()
    assert (sms.status, sms.attempts) == (OutboxStatus.PENDING, 1)

    receiver.status = 200
    assert deliver_outbox_periodically.call_local() == 0  # backoff not over: left alone
    OutboxMessage.objects.filter(pk=sms.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert deliver_outbox_periodically.call_local() == 1
    assert deliver_outbox_periodically.call_local() == 0  # sent once, never again
    sms.refresh_from_db()
    assert (sms.status, sms.attempts) == (OutboxStatus.SENT, 2)
    assert list(receiver.accepted) == [str(sms.uuid)]


def test_a_provider_timeout_is_retried(agent: Any, customer_a: Any, receiver: Receiver, settings: Any) -> None:
    settings.NOTIFY_SMS_URL = receiver.url
    settings.NOTIFY_HTTP_TIMEOUT = 0.3
    receiver.delay = 1.0
    accepted_order(agent, customer_a)

    outbox_deliver_due(owner="w1")

    sms = OutboxMessage.objects.get()
    assert (sms.status, sms.attempts, sms.last_error) == (OutboxStatus.PENDING, 1, "timeout after 0.3 s")


def test_a_provider_refusing_the_message_fails_it_at_once(
    agent: Any, customer_a: Any, receiver: Receiver, settings: Any
) -> None:
    settings.NOTIFY_SMS_URL = receiver.url
    receiver.status = 400
    accepted_order(agent, customer_a)

    outbox_deliver_due(owner="w1")

    sms = OutboxMessage.objects.get()
    assert (sms.status, sms.attempts) == (OutboxStatus.FAILED, 1)


def test_an_unconfigured_channel_is_cancelled_visibly(agent: Any, customer_a: Any) -> None:
    accepted_order(agent, customer_a)

    report = outbox_deliver_due(owner="w1")

    sms = OutboxMessage.objects.get()
    assert report.cancelled == 1
    assert (sms.status, sms.last_error) == (OutboxStatus.CANCELLED, "channel not configured")


def test_a_claimed_message_is_taken_by_another_worker_only_after_its_lease_ends(
    agent: Any, customer_a: Any, receiver: Receiver, settings: Any
) -> None:
    settings.NOTIFY_SMS_URL = receiver.url
    accepted_order(agent, customer_a)
    now = timezone.now()

    assert len(outbox_claim_due(owner="dead-worker", limit=10, lease_seconds=60, now=now)) == 1
    assert outbox_claim_due(owner="w2", limit=10, lease_seconds=60, now=now + timedelta(seconds=59)) == []
    [claimed] = outbox_claim_due(owner="w2", limit=10, lease_seconds=60, now=now + timedelta(seconds=61))

    assert outbox_deliver(message_id=claimed, owner="dead-worker") == "lost_lease"
    assert outbox_deliver(message_id=claimed, owner="w2") == OutboxStatus.SENT
    sms = OutboxMessage.objects.get()
    assert (sms.attempts, len(receiver.requests)) == (2, 1)


def test_enqueue_wakes_a_worker_after_commit(
    agent: Any, customer_a: Any, receiver: Receiver, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.NOTIFY_KICK_ON_COMMIT = True
    settings.NOTIFY_SMS_URL = receiver.url
    with django_capture_on_commit_callbacks(execute=True):
        accepted_order(agent, customer_a)

    assert OutboxMessage.objects.get().status == OutboxStatus.SENT  # huey runs immediately in tests
    assert len(receiver.requests) == 1


def test_a_rolled_back_event_leaves_no_message(agent: Any, customer_a: Any) -> None:
    from django.db import transaction

    order = new_order(agent, customer_a)
    with pytest.raises(RuntimeError), transaction.atomic():
        wo.workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
        raise RuntimeError("the request failed after the event")
    assert OutboxMessage.objects.count() == 0
