"""Inspection results on the technician's phone page, photos through the attachment mechanism,
the Chinese PDF report (read back with pdftotext), the roll-up per organisation and its parent,
and the plan pages (list, calendar, create, edit)."""

from __future__ import annotations

import io
import subprocess
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from core.exceptions import TransitionNotAllowed
from core.testing import make_user
from customers.services import customer_create, customer_update
from devices.services import device_create
from maintenance.models import InspectionResult, MaintenancePlan, Occurrence
from maintenance.selectors import inspection_rollup
from maintenance.services import inspection_record, plan_create, plan_generate
from workorders.models import Attachment
from workorders.services import workorder_transition

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def png_upload(name: str) -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def test_measured_value_outside_limits_is_flagged(started_order: Any, technician: Any, checklist: Any) -> None:
    voltage = checklist.items.get(label="供电电压")
    inside = inspection_record(order=started_order, acting_user=technician, item=voltage, value="220")
    assert (inside.outcome, inside.out_of_limit, inside.unit) == ("measured", False, "V")
    outside = inspection_record(order=started_order, acting_user=technician, item=voltage, value="250.5")
    assert outside.pk == inside.pk and outside.out_of_limit is True
    ground = checklist.items.get(label="整机接地电阻")
    assert inspection_record(order=started_order, acting_user=technician, item=ground, value="4").out_of_limit is False
    assert inspection_record(order=started_order, acting_user=technician, item=ground, value="4.1").out_of_limit is True
    assert started_order.events.filter(kind="comment", note__contains="供电电压").count() == 2


@pytest.mark.parametrize(
    ("label", "fields", "field"),
    [
        ("走钞速度", {}, "value"),
        ("走钞速度", {"value": "fast"}, "value"),
        ("外观及机身清洁", {"outcome": "issue"}, "note"),
        ("外观及机身清洁", {"outcome": "maybe"}, "outcome"),
    ],
)
def test_bad_results_are_refused(
    started_order: Any, technician: Any, checklist: Any, label: str, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        inspection_record(order=started_order, acting_user=technician, item=checklist.items.get(label=label), **fields)
    assert field in refused.value.message_dict
    assert InspectionResult.objects.count() == 0


def test_item_of_another_checklist_is_refused(started_order: Any, technician: Any) -> None:
    from maintenance.services import checklist_template_create

    other = checklist_template_create(
        acting_user=None, code="other", name="其他", items=[{"label": "别的", "kind": "check"}]
    )
    with pytest.raises(ValidationError) as refused:
        inspection_record(order=started_order, acting_user=technician, item=other.items.get(), outcome="ok")
    assert "item" in refused.value.message_dict


def test_another_technician_and_a_finished_order_are_refused(
    started_order: Any, technician: Any, checklist: Any, org: Any, agent: Any
) -> None:
    other = make_user("technician", org.centre, username="tech2")
    item = checklist.items.get(label="外观及机身清洁")
    with pytest.raises(PermissionDenied):
        inspection_record(order=started_order, acting_user=other, item=item, outcome="ok")
    assert InspectionResult.objects.count() == 0


def test_a_cancelled_order_takes_no_results(
    occurrence: Occurrence, checklist: Any, agent: Any, station_a_user: Any
) -> None:
    order = workorder_transition(
        order=occurrence.work_order, action="cancel", acting_user=agent, data={"reason": "客户取消"}
    )
    item = checklist.items.get(label="外观及机身清洁")
    with pytest.raises(TransitionNotAllowed):
        inspection_record(order=order, acting_user=station_a_user, item=item, outcome="ok")
    assert InspectionResult.objects.count() == 0


def test_phone_page_records_items_and_photos(started_order: Any, technician: Any, checklist: Any) -> None:
    client = _client(technician)
    job = client.get(f"/field/jobs/{started_order.pk}/").content.decode()
    assert 'id="open-field-inspection"' in job  # the technician's job page links to it
    url = f"/maintenance/orders/{started_order.pk}/inspection/"
    page = client.get(url)
    assert page.status_code == 200 and "走钞速度" in page.content.decode()
    speed = checklist.items.get(label="走钞速度")
    assert client.post(url, {"item": speed.pk, "value": "1300"}).status_code == 302
    assert InspectionResult.objects.get(item=speed).out_of_limit is True
    refused = client.post(url, {"item": checklist.items.get(label="外观及机身清洁").pk, "outcome": "issue"})
    assert refused.status_code == 400
    assert client.post(url, {"photo": png_upload("巡检.png")}).status_code == 302
    assert Attachment.objects.filter(order=started_order, kind="photo").count() == 1
    assert "超出限值" in client.get(url).content.decode()  # "out of limits"


def test_inspection_report_pdf_in_chinese(
    started_order: Any, technician: Any, checklist: Any, tmp_path: Any, director: Any
) -> None:
    inspection_record(
        order=started_order, acting_user=technician, item=checklist.items.get(label="供电电压"), value="250"
    )
    inspection_record(
        order=started_order,
        acting_user=technician,
        item=checklist.items.get(label="外观及机身清洁"),
        outcome="issue",
        note="机身有划痕",
    )
    response = _client(director).get(f"/maintenance/orders/{started_order.pk}/inspection.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "report.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    for expected in (
        "设备巡检报告",
        started_order.number,
        "清分机季度巡检",
        "供电电压",
        "超出限值",
        "机身有划痕",
        "异常 2 项",
    ):
        assert expected in text, expected


def test_rollup_per_organisation_and_its_parent(
    today: date, product_model: Any, director: Any, technician: Any
) -> None:
    head = customer_create(
        acting_user=None,
        name="杭州银行一级分行",
        phone="057188880000",
        kind="organisation",
        address="浙江省杭州市西湖区庆春路46号",
    )
    branch = customer_create(
        acting_user=None,
        name="杭州银行文三路支行",
        phone="057188880001",
        kind="organisation",
        address="浙江省杭州市西湖区文三路1号",
    )
    customer_update(customer=branch, acting_user=None, changes={"parent": head})
    devices = [
        device_create(acting_user=None, customer=owner, product_model=product_model, serial_number=f"R-{i}")
        for i, owner in enumerate([head, branch, branch])
    ]
    plan = plan_create(
        acting_user=director,
        name="季度巡检",
        service_type="inspection",
        interval_months=3,
        starts_on=date(2026, 3, 31),
        devices=[d.pk for d in devices],
        non_working="keep",
    )
    plan_generate(plan=plan, until=date(2026, 6, 30))
    report = inspection_rollup(user=director, customer=head, start=date(2026, 1, 1), end=date(2026, 12, 31))
    rows = {row["customer"].pk: row for row in report["rows"]}
    assert rows[head.pk]["due"] == 2 and rows[branch.pk]["due"] == 4
    assert report["totals"]["due"] == 6
    page = _client(director).get(f"/maintenance/rollup/?customer={head.pk}&from=2026-01-01&to=2026-12-31")
    assert page.status_code == 200 and "杭州银行文三路支行" in page.content.decode()


def test_parent_organisation_never_loops(customer_a: Any, customer_b: Any) -> None:
    customer_update(customer=customer_b, acting_user=None, changes={"parent": customer_a})
    with pytest.raises(ValidationError) as refused:
        customer_update(customer=customer_a, acting_user=None, changes={"parent": customer_b})
    assert "parent" in refused.value.message_dict


def test_plan_pages(today: date, director: Any, plan: MaintenancePlan, devices_a: list[Any]) -> None:
    client = _client(director)
    assert plan.name in client.get("/maintenance/plans/").content.decode()
    plan_generate(plan=plan, until=date(2026, 3, 31))
    detail = client.get(f"/maintenance/plans/{plan.pk}/?month=2026-03").content.decode()
    assert 'id="plan-calendar"' in detail and devices_a[0].serial_number in detail
    response = client.post(f"/maintenance/plans/{plan.pk}/generate/", {"until": "2026-06-30"})
    assert response.status_code == 302
    assert Occurrence.objects.filter(plan=plan).count() == 6
    device_page = client.get(f"/devices/{devices_a[0].pk}/").content.decode()
    assert 'id="maintenance-panel"' in device_page and plan.name in device_page
    order = Occurrence.objects.filter(plan=plan).first().work_order  # type: ignore[union-attr]
    assert 'id="maintenance-order-panel"' in client.get(f"/work-orders/{order.pk}/").content.decode()


def test_create_and_edit_forms(today: date, director: Any, devices_a: list[Any], checklist: Any) -> None:
    client = _client(director)
    assert client.get(f"/maintenance/plans/new/?device={devices_a[0].pk}").status_code == 200
    form = {
        "name": "保养计划",
        "service_type": "maintenance",
        "schedule": "fixed",
        "interval_months": "6",
        "starts_on": "2026-04-30",
        "horizon_days": "14",
        "non_working": "later",
        "checklist": checklist.pk,
        "devices": f"{devices_a[0].serial_number}, {devices_a[1].serial_number}",
    }
    bad = client.post("/maintenance/plans/new/", {**form, "interval_months": "0"})
    assert bad.status_code == 200 and MaintenancePlan.objects.count() == 0
    unknown = client.post("/maintenance/plans/new/", {**form, "devices": "NO-SUCH"})
    assert unknown.status_code == 200 and MaintenancePlan.objects.count() == 0
    created = client.post("/maintenance/plans/new/", form)
    assert created.status_code == 302
    plan = MaintenancePlan.objects.get()
    assert plan.devices.count() == 2 and plan.interval_months == 6
    edit = client.post(
        f"/maintenance/plans/{plan.pk}/edit/",
        {**form, "name": "半年保养", "interval_months": "", "interval_days": "90", "version": plan.version},
    )
    assert edit.status_code == 302, edit.content.decode()[:2000]
    plan.refresh_from_db()
    assert (plan.name, plan.interval_months, plan.interval_days) == ("半年保养", None, 90)
