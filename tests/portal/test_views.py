"""The customer self-service pages, driven as a customer's browser would (no staff login)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from customers.models import Customer
from portal.progress import STATUS_EXPLANATIONS
from workorders.choices import Channel, Status
from workorders.models import Attachment, TimelineEvent, WorkOrder
from workorders.services import workorder_comment, workorder_transition

REQUEST = {
    "name": "李四",
    "phone": "13912345678",
    "address": "浙江省杭州市西湖区文一路1号",
    "product_model": "",
    "serial_number": "",
    "service_type": "repair",
    "description": "电动车无法充电，充电器指示灯不亮",
}


@pytest.fixture
def client() -> Client:
    """A customer's browser; English so assertions read the source strings."""
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _submit(client: Client, **overrides):
    return client.post(reverse("portal:request"), {**REQUEST, **overrides})


def _filed_order(client: Client, **overrides) -> WorkOrder:
    response = _submit(client, **overrides)
    assert response.status_code == 302, response.content.decode()[:2000]
    return WorkOrder.objects.get(number=response["Location"].split("/")[-3])


def _track(client: Client, number: str, phone: str):
    return client.post(reverse("portal:track"), {"number": number, "phone": phone})


# --- home ---------------------------------------------------------------------------------------


def test_home_offers_request_track_and_the_hotline(client, settings, db):
    settings.SERVICE_HOTLINE = "400-820-8820"
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert reverse("portal:request") in response.content.decode()
    assert reverse("portal:track") in response.content.decode()
    assert 'href="tel:400-820-8820"' in response.content.decode()
    assert "Log out" not in response.content.decode()  # no staff navigation for customers


# --- submit -------------------------------------------------------------------------------------


def test_submit_creates_customer_and_web_order_and_confirms_the_number(client, org, product_model):
    response = _submit(client, product_model=str(product_model.pk), serial_number="SN-X-9")
    order = WorkOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:submitted", args=[order.number])
    assert (order.status, order.channel, order.service_type) == (Status.SUBMITTED, Channel.WEB, "repair")
    assert (order.product_model, order.reported_serial) == (product_model, "SN-X-9")
    customer = Customer.objects.get()
    assert (customer.name, customer.phone, order.customer) == ("李四", "13912345678", customer)
    assert order.unit == org.station_a  # 西湖区 → the station serving it
    assert order.created_by is None and order.events.get().actor_label == "customer"

    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200
    assert f'id="order-number">{order.number}</div>' in confirmation.content.decode()
    assert "What happens next" in confirmation.content.decode()
    # The order is tracked in this session: its progress page opens without a lookup.
    assert client.get(reverse("portal:order", args=[order.number])).status_code == 200


def test_submit_matches_an_existing_customer_by_phone(client, customer_a):
    order = _filed_order(client, phone="138-0013-8000", name="张三丰的儿子")
    assert order.customer == customer_a
    assert Customer.objects.count() == 1
    assert (order.applicant_name, order.contact_phone) == ("张三丰的儿子", "13800138000")


def test_submit_with_photos_attaches_them(client, org, png):
    response = client.post(reverse("portal:request"), {**REQUEST, "photos": [png("a.png"), png("b.png")]})
    assert response.status_code == 302
    order = WorkOrder.objects.get()
    assert sorted(order.attachments.values_list("original_name", flat=True)) == ["a.png", "b.png"]
    assert set(order.attachments.values_list("uploaded_by", flat=True)) == {None}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "坏了"}, "description"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "12812345678"}, "phone"),
        ({"name": ""}, "name"),
        ({"address": ""}, "address"),
        ({"service_type": "claim"}, "service_type"),
        ({"product_model": "999999"}, "product_model"),
    ],
    ids=[
        "missing-description",
        "short-description",
        "short-phone",
        "bad-mobile-prefix",
        "no-name",
        "no-address",
        "staff-only-service-type",
        "unknown-model",
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(client, org, overrides, field):
    response = _submit(client, **overrides)
    assert response.status_code == 200
    assert f'id="error-{field}"' in response.content.decode()
    assert WorkOrder.objects.count() == 0 and Customer.objects.count() == 0


def test_oversize_photo_is_refused_naming_the_photos_field(client, org, png, settings):
    settings.ATTACHMENT_MAX_BYTES = 50
    response = client.post(reverse("portal:request"), {**REQUEST, "photos": [png()]})
    assert response.status_code == 200
    assert 'id="error-photos"' in response.content.decode()
    assert "too large" in response.content.decode()
    assert (WorkOrder.objects.count(), Customer.objects.count(), Attachment.objects.count()) == (0, 0, 0)


def test_photo_of_the_wrong_type_is_refused(client, org, png):
    fake = SimpleUploadedFile("virus.png", b"MZ\x90\x00 not an image at all", content_type="image/png")
    response = client.post(reverse("portal:request"), {**REQUEST, "photos": [png(), fake]})
    assert response.status_code == 200
    assert 'id="error-photos"' in response.content.decode()
    assert "virus.png" in response.content.decode()
    assert (WorkOrder.objects.count(), Customer.objects.count(), Attachment.objects.count()) == (0, 0, 0)


def test_more_than_three_photos_are_refused(client, org, png):
    response = client.post(reverse("portal:request"), {**REQUEST, "photos": [png(f"{i}.png") for i in range(4)]})
    assert response.status_code == 200
    assert 'id="error-photos"' in response.content.decode()
    assert WorkOrder.objects.count() == 0


def test_double_submit_creates_one_order(client, org):
    first = _submit(client)
    second = _submit(client)
    assert WorkOrder.objects.count() == 1 and Customer.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_same_description_after_two_minutes_is_a_new_request(client, org):
    order = _filed_order(client)
    WorkOrder.objects.filter(pk=order.pk).update(submitted_at=timezone.now() - timedelta(minutes=3))
    _submit(client)
    assert WorkOrder.objects.count() == 2


# --- QR label -----------------------------------------------------------------------------------


def test_qr_page_shows_model_and_serial_but_not_the_owner(client, device_a):
    response = client.get(reverse("portal:device_request", args=[device_a.qr_token]))
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="SN-A-0001" readonly' in page
    assert "雅迪 TDR 电动车 (TDR-2000)" in page
    for secret in ("张三丰", "13800138000", "文三路"):
        assert secret not in page
    assert 'name="product_model"' not in page and 'name="serial_number"' not in page


def test_qr_request_files_the_order_on_the_device_for_its_owner(client, device_a, customer_a):
    response = client.post(
        reverse("portal:device_request", args=[device_a.qr_token]),
        {
            "name": "王五",
            "phone": "13600001111",
            "address": "",
            "service_type": "repair",
            "description": "扫码报修：刹车失灵，需要检修",
        },
    )
    order = WorkOrder.objects.get()
    assert response["Location"] == reverse("portal:submitted", args=[order.number])
    assert (order.channel, order.device, order.customer) == (Channel.QR, device_a, customer_a)
    assert (order.product_model, order.reported_serial) == (device_a.product_model, "SN-A-0001")
    assert (order.applicant_name, order.contact_phone) == ("王五", "13600001111")
    assert Customer.objects.count() == 1  # the reporter does not become a second customer
    confirmation = client.get(response["Location"]).content.decode()
    assert "张三丰" not in confirmation and "13800138000" not in confirmation


def test_unknown_qr_token_is_404(client, db):
    assert client.get(reverse("portal:device_request", args=["no-such-token"])).status_code == 404
    assert client.post(reverse("portal:device_request", args=["no-such-token"]), REQUEST).status_code == 404
    assert WorkOrder.objects.count() == 0


# --- tracking -----------------------------------------------------------------------------------


def test_track_with_the_right_pair_shows_the_status_explanation(client, org):
    order = _filed_order(client)
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")  # another device, without the session
    assert browser.get(reverse("portal:order", args=[order.number])).status_code == 404
    response = _track(browser, order.number.lower(), "139 1234 5678")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:order", args=[order.number])
    page = browser.get(response["Location"]).content.decode()
    assert str(STATUS_EXPLANATIONS[Status.SUBMITTED]) in page
    assert 'class="current" aria-current="step"' in page


def test_wrong_pair_gets_one_uniform_message(client, org, customer_b):
    order = _filed_order(client)
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    wrong_phone = _track(browser, order.number, "13000000000").content.decode()
    wrong_number = _track(browser, "WO-20000101-0001", REQUEST["phone"]).content.decode()
    other_customers_phone = _track(browser, order.number, customer_b.phone).content.decode()
    message = "We could not find a request with this order number and phone. Please check both."
    for page in (wrong_phone, wrong_number, other_customers_phone):
        assert message in page
    assert browser.session.get("portal_tracked_orders") in (None, [])


def test_tracking_locks_out_after_ten_failures(client, org):
    order = _filed_order(client)
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(10):
        assert _track(browser, order.number, "13000000000").status_code == 200
    locked = _track(browser, order.number, REQUEST["phone"])  # even the right pair is refused now
    assert locked.status_code == 429
    assert 'id="rate-limited"' in locked.content.decode()
    assert "Too many unsuccessful attempts" in locked.content.decode()
    assert browser.get(reverse("portal:order", args=[order.number])).status_code == 404


def test_nine_failures_still_allow_the_right_pair(client, org):
    order = _filed_order(client)
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(9):
        _track(browser, order.number, "13000000000")
    assert _track(browser, order.number, REQUEST["phone"]).status_code == 302


def test_every_status_has_a_plain_explanation():
    assert set(STATUS_EXPLANATIONS) == set(Status.values)


# --- the progress page and customer actions -----------------------------------------------------


def test_customer_approves_a_quote(client, org, agent):
    order = _filed_order(client)
    workorder_transition(order=order, action="accept", acting_user=agent, data={})
    workorder_transition(order=order, action="quote", acting_user=agent, data={"amount": "150", "note": "更换电机"})
    page = client.get(reverse("portal:order", args=[order.number])).content.decode()
    assert "¥150.00" in page
    assert "Approve the quote" in page and "Decline the quote" in page
    assert "更换电机" in page  # the quote's note is meant for the customer

    response = client.post(reverse("portal:action", args=[order.number]), {"action": "approve_quote", "version": "3"})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.APPROVED and order.quote_approved_at is not None
    event = order.events.last()
    assert (event.kind, event.actor, event.actor_label) == ("approve_quote", None, "customer")


def test_declining_without_a_reason_is_a_message_not_an_error_page(client, org, agent):
    order = _filed_order(client)
    workorder_transition(order=order, action="accept", acting_user=agent, data={})
    workorder_transition(order=order, action="quote", acting_user=agent, data={"amount": "80"})
    response = client.post(
        reverse("portal:action", args=[order.number]), {"action": "decline_quote", "reason": ""}, follow=True
    )
    assert response.status_code == 200
    assert "reason is required for this action" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.QUOTED


def test_action_not_allowed_now_is_refused_with_a_message(client, org):
    order = _filed_order(client)
    response = client.post(
        reverse("portal:action", args=[order.number]), {"action": "sign_off", "signer_name": "李四"}, follow=True
    )
    assert response.status_code == 200
    assert "This action is not possible now" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED


@pytest.mark.parametrize("action", ["accept", "close", "nonsense", ""])
def test_staff_actions_are_not_open_to_customers(client, org, action):
    order = _filed_order(client)
    response = client.post(reverse("portal:action", args=[order.number]), {"action": action}, follow=True)
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED


def test_stale_page_does_not_approve_a_changed_order(client, org, agent):
    order = _filed_order(client)
    workorder_transition(order=order, action="accept", acting_user=agent, data={})
    workorder_transition(order=order, action="quote", acting_user=agent, data={"amount": "80"})
    response = client.post(
        reverse("portal:action", args=[order.number]), {"action": "approve_quote", "version": "2"}, follow=True
    )
    assert "changed in the meantime" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.QUOTED


def test_action_on_an_untracked_order_is_404(client, org, agent, customer_a):
    from workorders.services import workorder_create

    order = workorder_create(
        acting_user=agent, customer=customer_a, service_type="repair", channel="phone", description="无法启动，请检修"
    )
    stranger = Client()
    assert (
        stranger.post(reverse("portal:action", args=[order.number]), {"action": "cancel", "reason": "x"}).status_code
        == 404
    )
    assert stranger.get(reverse("portal:order", args=[order.number])).status_code == 404
    assert stranger.post(reverse("portal:upload", args=[order.number]), {}).status_code == 404
    # Knowing one order does not open another.
    _filed_order(stranger)
    assert (
        stranger.post(reverse("portal:action", args=[order.number]), {"action": "cancel", "reason": "x"}).status_code
        == 404
    )
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED


def test_customer_cancels_a_new_request(client, org):
    order = _filed_order(client)
    client.post(reverse("portal:action", args=[order.number]), {"action": "cancel", "reason": "已经自己修好了"})
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == (Status.CANCELLED, "已经自己修好了")
    page = client.get(reverse("portal:order", args=[order.number])).content.decode()
    assert "This request has been cancelled: 已经自己修好了" in page
    assert 'id="progress-steps"' not in page and 'id="customer-actions"' not in page


def test_cancel_is_not_offered_once_the_order_is_being_handled(client, org, agent):
    order = _filed_order(client)
    workorder_transition(order=order, action="accept", acting_user=agent, data={})
    page = client.get(reverse("portal:order", args=[order.number])).content.decode()
    assert 'id="action-cancel"' not in page


def test_info_request_shows_the_question_and_the_customer_answers(client, org, agent):
    order = _filed_order(client)
    workorder_transition(order=order, action="request_info", acting_user=agent, data={"reason": "请提供购买发票照片"})
    workorder_comment(order=order, acting_user=agent, note="内部：此客户上月已报修过")
    page = client.get(reverse("portal:order", args=[order.number])).content.decode()
    assert "We need more information from you: 请提供购买发票照片。" in page
    assert "内部" not in page  # internal comments never reach the customer
    assert 'id="action-provide_info"' in page

    client.post(reverse("portal:action", args=[order.number]), {"action": "provide_info", "note": "发票已上传"})
    order.refresh_from_db()
    assert order.status == Status.SUBMITTED
    assert TimelineEvent.objects.filter(order=order, kind="provide_info", note="发票已上传").exists()


def test_scheduled_order_shows_appointment_and_technician_first_name(client, org, agent, dispatcher, technician):
    technician.first_name, technician.last_name = "师傅", "王"
    technician.save()
    order = _filed_order(client)
    workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
    workorder_transition(order=order, action="assign", acting_user=dispatcher, data={"technician": technician.pk})
    workorder_transition(
        order=order, action="schedule", acting_user=dispatcher, data={"appointment_at": "2026-12-01T09:30:00+08:00"}
    )
    page = client.get(reverse("portal:order", args=[order.number])).content.decode()
    assert 'id="technician">师傅</dd>' in page
    assert 'id="appointment"' in page and "9:30" in page
    assert "dispatcher" not in page and "agent" not in page  # staff names stay internal


def test_customer_signs_off_with_a_name(client, org, agent, dispatcher, technician, qc_inspector):
    order = _filed_order(client)
    workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
    workorder_transition(order=order, action="start", acting_user=technician, data={})
    workorder_transition(order=order, action="submit_qc", acting_user=technician, data={"note": "更换控制器"})
    workorder_transition(order=order, action="qc_pass", acting_user=qc_inspector, data={})
    page = client.get(reverse("portal:order", args=[order.number])).content.decode()
    assert 'id="action-sign_off"' in page and 'id="action-object"' in page
    client.post(reverse("portal:action", args=[order.number]), {"action": "sign_off", "signer_name": "李四"})
    order.refresh_from_db()
    assert (order.status, order.applicant_signature) == (Status.COMPLETED, "李四")


def test_customer_uploads_a_photo_to_a_tracked_order(client, org, png):
    order = _filed_order(client)
    response = client.post(reverse("portal:upload", args=[order.number]), {"photo": png("later.png")})
    assert response.status_code == 302
    assert list(order.attachments.values_list("original_name", "uploaded_by")) == [("later.png", None)]


def test_bad_photo_upload_is_a_message(client, org):
    order = _filed_order(client)
    bad = SimpleUploadedFile("notes.txt", b"just text", content_type="text/plain")
    response = client.post(reverse("portal:upload", args=[order.number]), {"photo": bad}, follow=True)
    assert response.status_code == 200
    assert "Only photos" in response.content.decode()
    assert order.attachments.count() == 0


def test_quoted_amount_is_shown_as_money(client, org, agent):
    order = _filed_order(client)
    workorder_transition(order=order, action="accept", acting_user=agent, data={})
    workorder_transition(order=order, action="quote", acting_user=agent, data={"amount": Decimal("99.5")})
    page = client.get(reverse("portal:order", args=[order.number])).content.decode()
    assert 'id="quote">¥99.50' in page


def test_qr_page_and_order_page_show_the_serving_station_phone(client, org, device_a):
    org.station_a.phone = "0571-87654321"
    org.station_a.save()
    page = client.get(reverse("portal:device_request", args=[device_a.qr_token])).content.decode()
    assert 'href="tel:0571-87654321"' in page
    order = _filed_order(client)
    assert 'href="tel:0571-87654321"' in client.get(reverse("portal:order", args=[order.number])).content.decode()


def test_track_page_lists_requests_of_this_session_and_prefills_the_number(client, org):
    order = _filed_order(client)
    page = client.get(reverse("portal:track") + f"?number={order.number}").content.decode()
    assert f'value="{order.number}"' in page
    assert f'href="{reverse("portal:order", args=[order.number])}"' in page
    assert 'id="recent-orders"' not in Client().get(reverse("portal:track")).content.decode()


def test_the_same_words_from_another_browser_do_not_open_the_first_order(client, org):
    from django.test import Client

    data = {
        "name": "王五",
        "phone": "13700137000",
        "address": "浙江省杭州市西湖区文三路5号",
        "service_type": "repair",
        "description": "空调不制冷，外机不转",
    }
    first = client.post(reverse("portal:request"), data)
    order = WorkOrder.objects.get()
    assert first["Location"] == reverse("portal:submitted", args=[order.number])
    stranger = Client()
    repeat = stranger.post(reverse("portal:request"), data)
    assert repeat["Location"] == reverse("portal:track")
    assert WorkOrder.objects.count() == 1
    assert stranger.get(reverse("portal:order", args=[order.number])).status_code == 404


def test_the_same_words_about_two_devices_are_two_requests(client, org, device_a, product_model):
    from devices.services import device_create

    other = device_create(
        acting_user=None, customer=device_a.customer, product_model=product_model, serial_number="SN-A-0002"
    )
    data = {"name": "王五", "phone": "13700137000", "service_type": "repair", "description": "无法开机了"}
    client.post(reverse("portal:device_request", args=[device_a.qr_token]), data)
    client.post(reverse("portal:device_request", args=[other.qr_token]), data)
    assert set(WorkOrder.objects.values_list("device_id", flat=True)) == {device_a.pk, other.pk}


@pytest.mark.parametrize(
    ("accept_language", "language", "greeting"), [("en", "en", "Dear 李四"), ("zh-hans", "zh-hans", "尊敬的李四")]
)
def test_a_new_customer_hears_from_us_in_the_language_of_the_form(org, agent, accept_language, language, greeting):
    from notify.models import OutboxMessage
    from workorders.services import workorder_transition

    order = _filed_order(Client(HTTP_ACCEPT_LANGUAGE=accept_language))
    assert order.customer.language == language

    workorder_transition(order=order, action="accept", acting_user=agent, data={})

    sms = OutboxMessage.objects.get(order=order, template_key="order_accepted", channel="sms")
    assert sms.language == language and sms.body.startswith(greeting)
