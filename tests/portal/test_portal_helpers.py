"""Issue 18, point 10 A on the portal: the customer's order page offers the service report (PDF)
once staff made one; a refused request form keeps the photos it carried (held server-side,
named by a signed token) so the customer need not attach them again."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fieldwork import services as fieldwork
from portal.models import StagedPhoto
from portal.services import STAGED_PHOTO_TTL, staged_photos_purge, staged_photos_token
from tests.fieldwork.conftest import make_assigned_order
from workorders import services as wo
from workorders.choices import Status
from workorders.models import Attachment, WorkOrder

pytestmark = pytest.mark.django_db

REQUEST = {
    "name": "李四",
    "phone": "13912345678",
    "address": "浙江省杭州市西湖区文一路1号",
    "product_model": "",
    "serial_number": "",
    "service_type": "repair",
    "description": "电动车无法充电，充电器指示灯不亮",
}
TOKEN = re.compile(r'name="staged_photos" value="([^"]+)"')
KEEP = re.compile(r'name="staged_keep" value="([0-9a-f]{32})"')


@pytest.fixture
def client() -> Client:
    return Client()


def _refused_with_photo(client: Client, png: Any, **overrides: Any) -> tuple[str, list[str]]:
    response = client.post(
        reverse("portal:request"), {**REQUEST, "phone": "12", "photos": [png("fault.png")], **overrides}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-phone"' in page
    token = TOKEN.search(page)
    return (token.group(1) if token else ""), KEEP.findall(page)


# --- photos of a refused form ------------------------------------------------------------------


def test_a_refused_form_keeps_the_photo_and_the_next_try_attaches_it(client: Client, org: Any, png: Any) -> None:
    token, keep = _refused_with_photo(client, png)
    assert token and len(keep) == 1
    staged = StagedPhoto.objects.get()
    assert staged.original_name == "fault.png" and default_storage.exists(staged.file.name)
    assert not WorkOrder.objects.exists()  # nothing half-saved

    response = client.post(reverse("portal:request"), {**REQUEST, "staged_photos": token, "staged_keep": keep})

    assert response.status_code == 302, response.content.decode()[:500]
    order = WorkOrder.objects.get()
    attachment = Attachment.objects.get(order=order)
    assert attachment.original_name == "fault.png" and attachment.uploaded_by is None
    assert not StagedPhoto.objects.exists() and not default_storage.exists(staged.file.name)


def test_a_second_refusal_keeps_the_photo_and_adds_the_new_one(client: Client, org: Any, png: Any) -> None:
    token, keep = _refused_with_photo(client, png)
    response = client.post(
        reverse("portal:request"),
        {**REQUEST, "name": "", "staged_photos": token, "staged_keep": keep, "photos": [png("label.png")]},
    )
    page = response.content.decode()
    assert 'id="error-name"' in page
    token = TOKEN.search(page).group(1)  # type: ignore[union-attr]
    keep = KEEP.findall(page)
    assert len(keep) == 2 and "fault.png" in page and "label.png" in page

    assert (
        client.post(reverse("portal:request"), {**REQUEST, "staged_photos": token, "staged_keep": keep}).status_code
        == 302
    )
    assert sorted(Attachment.objects.values_list("original_name", flat=True)) == ["fault.png", "label.png"]


def test_an_unticked_photo_is_left_out(client: Client, org: Any, png: Any) -> None:
    token, _keep = _refused_with_photo(client, png)
    assert client.post(reverse("portal:request"), {**REQUEST, "staged_photos": token}).status_code == 302
    assert not Attachment.objects.exists()


def test_a_forged_or_expired_token_attaches_nothing(client: Client, org: Any, png: Any, time_machine: Any) -> None:
    token, keep = _refused_with_photo(client, png)
    forged = staged_photos_token([StagedPhoto(key=StagedPhoto.objects.get().key)])[:-2] + "xx"
    assert (
        client.post(reverse("portal:request"), {**REQUEST, "staged_photos": forged, "staged_keep": keep}).status_code
        == 302
    )
    assert not Attachment.objects.exists()

    token, keep = _refused_with_photo(client, png, name="王五")
    time_machine.move_to(timezone.now() + STAGED_PHOTO_TTL + timedelta(minutes=1))
    data = {**REQUEST, "name": "王五", "staged_photos": token, "staged_keep": keep}
    assert client.post(reverse("portal:request"), data).status_code == 302
    assert not Attachment.objects.exists()
    assert staged_photos_purge() == 2 and not StagedPhoto.objects.exists()
    assert staged_photos_purge() == 0


def test_a_file_the_form_refuses_is_not_held(client: Client, org: Any, png: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("virus.png", b"MZ not a picture", content_type="image/png")
    response = client.post(reverse("portal:request"), {**REQUEST, "photos": [fake]})
    assert 'id="error-photos"' in response.content.decode()
    assert not StagedPhoto.objects.exists()


def test_the_qr_form_keeps_the_photo_too(client: Client, device_a: Any, png: Any) -> None:
    url = reverse("portal:device_request", args=[device_a.qr_token])
    data = {"name": "李四", "phone": "1", "service_type": "repair", "description": "充不进电，指示灯不亮"}
    page = client.post(url, {**data, "photos": [png("qr.png")]}).content.decode()
    token, keep = TOKEN.search(page).group(1), KEEP.findall(page)  # type: ignore[union-attr]
    assert (
        client.post(url, {**data, "phone": "13912345678", "staged_photos": token, "staged_keep": keep}).status_code
        == 302
    )
    assert Attachment.objects.get().original_name == "qr.png"


# --- the service report --------------------------------------------------------------------------


def _order_awaiting_signoff(agent: Any, dispatcher: Any, technician: Any, qc_inspector: Any, customer: Any) -> Any:
    order = make_assigned_order(agent=agent, dispatcher=dispatcher, technician=technician, customer=customer)
    order = wo.workorder_transition(order=order, action="start", acting_user=technician)
    order = wo.workorder_transition(order=order, action="submit_qc", acting_user=technician, data={"note": "修好了"})
    return wo.workorder_transition(order=order, action="qc_pass", acting_user=qc_inspector, data={})


def test_the_order_page_offers_the_service_report_once_it_exists(
    client: Client, agent: Any, dispatcher: Any, technician: Any, qc_inspector: Any, customer_a: Any
) -> None:
    order = _order_awaiting_signoff(agent, dispatcher, technician, qc_inspector, customer_a)
    report_url = reverse("portal:report", args=[order.number])
    assert client.get(report_url).status_code == 404  # not tracked by this browser
    client.post(reverse("portal:track"), {"number": order.number, "phone": order.contact_phone})

    page = client.get(reverse("portal:order", args=[order.number])).content.decode()
    assert 'id="service-report"' not in page  # staff have not made one yet
    assert client.get(report_url).status_code == 404
    assert not order.service_reports.exists()  # the portal never makes one itself

    report = fieldwork.service_report_generate(order=order, acting_user=agent)
    page = client.get(reverse("portal:order", args=[order.number])).content.decode()
    assert 'id="service-report-link"' in page and report.number in page
    response = client.get(report_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    assert f"{report.number}.pdf" in response["Content-Disposition"]


def test_another_browser_never_gets_the_report(
    client: Client, agent: Any, dispatcher: Any, technician: Any, qc_inspector: Any, customer_a: Any
) -> None:
    order = _order_awaiting_signoff(agent, dispatcher, technician, qc_inspector, customer_a)
    fieldwork.service_report_generate(order=order, acting_user=agent)
    assert order.status == Status.AWAITING_SIGNOFF
    client.post(reverse("portal:track"), {"number": order.number, "phone": "13999999999"})
    assert client.get(reverse("portal:report", args=[order.number])).status_code == 404


def test_the_staged_photo_rows_expire(org: Any) -> None:
    assert staged_photos_purge(now=timezone.now()) == 0
