"""Training records: creation and its refusals, signatures through fieldwork's checks, the form
as a Chinese PDF (checked with pdftotext), the contracts' next training due with its alert, and
station staff training in the same records."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from policies.models import Contract
from tests.training.conftest import drawn_signature
from training.models import TrainingRecord, TrainingSignature
from training.policies import add_months, training_next_due
from training.selectors import commitments_due
from training.services import training_record_create


def _body(owner: Any, **extra: Any) -> dict[str, Any]:
    return {
        "kind": "during_use",
        "content": "新版人民币参数升级后的操作培训",
        "held_on": timezone.localdate().isoformat(),
        "duration_hours": "1.5",
        "customer": owner.pk,
        "attendees": [{"name": "钱柜员", "organisation": "西湖支行", "position": "柜员"}],
        "satisfaction": "very_satisfied",
        **extra,
    }


def test_record_a_training_through_the_api(customer_a: Any, technician: Any, api_as: Any) -> None:
    response = api_as(technician).post("/api/v1/training/records", _body(customer_a), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"].startswith("TR-") and body["attendees"][0]["name"] == "钱柜员"
    assert body["duration_hours"] == "1.5" and body["unit"] == customer_a.unit_id


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        pytest.param({"attendees": []}, "attendees", 422, id="no-attendees"),
        pytest.param({"held_on": "2026-02-30"}, "held_on", 422, id="impossible-date"),
        pytest.param({"duration_hours": 0}, "duration_hours", 422, id="no-duration"),
        pytest.param({"customer": 999999}, "customer", 400, id="unknown-customer"),
    ],
)
def test_bad_input_names_the_field(
    customer_a: Any, technician: Any, api_as: Any, change: Any, field: str, status: int
) -> None:
    response = api_as(technician).post(
        "/api/v1/training/records", _body(customer_a, **change), content_type="application/json"
    )
    assert response.status_code == status, response.content
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not TrainingRecord.objects.exists()


def test_a_future_training_is_refused(customer_a: Any, technician: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        training_record_create(
            acting_user=technician,
            kind="initial",
            content="x",
            held_on=timezone.localdate() + timedelta(days=1),
            duration_hours=1,
            customer=customer_a,
            attendees=[{"name": "甲"}],
        )
    assert "held_on" in error.value.message_dict


def test_another_station_cannot_train_my_customer(customer_a: Any, station_b_user: Any, api_as: Any) -> None:
    response = api_as(station_b_user).post(
        "/api/v1/training/records", _body(customer_a), content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "customer"


def test_attendees_sign_on_the_phone(training_record: Any, technician: Any, api_as: Any) -> None:
    first = training_record.attendees.order_by("pk").first()
    url = f"/api/v1/training/records/{training_record.pk}/signatures"
    blank = api_as(technician).post(
        url, {"image": drawn_signature(blank=True), "attendee": first.pk}, content_type="application/json"
    )
    assert blank.status_code == 400 and blank.json()["errors"][0]["field"] == "signature"
    signed = api_as(technician).post(
        url, {"image": drawn_signature(), "attendee": first.pk}, content_type="application/json"
    )
    assert signed.status_code == 201 and signed.json()["signer_name"] == "李柜员"
    again = api_as(technician).post(
        url, {"image": drawn_signature(), "attendee": first.pk}, content_type="application/json"
    )
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "attendee"
    assert TrainingSignature.objects.count() == 1


def test_the_sign_page_takes_the_pad_drawing(training_record: Any, technician: Any, client_as: Any) -> None:
    client = client_as(technician)
    page = client.get(f"/training/{training_record.pk}/sign/")
    assert page.status_code == 200 and b"fieldwork/signature.js" in page.content
    attendee = training_record.attendees.order_by("pk").first()
    response = client.post(
        f"/training/{training_record.pk}/sign/", {"signature": drawn_signature(), "attendee": attendee.pk}
    )
    assert response.status_code == 302
    assert TrainingSignature.objects.get().attendee == attendee


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils (pdftotext) not installed")
def test_the_form_pdf_is_in_chinese(training_record: Any, technician: Any, client_as: Any, tmp_path: Any) -> None:
    from training.services import training_signature_capture

    attendee = training_record.attendees.order_by("pk").first()
    training_signature_capture(
        record=training_record, acting_user=technician, image=drawn_signature(), signer_name="", attendee_id=attendee.pk
    )
    response = client_as(technician).get(f"/training/{training_record.pk}/form.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = tmp_path / "form.pdf"
    pdf.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    for expected in ("客户培训登记表", "清分机日常操作", "李柜员", "赵主管", "未签", "满意", training_record.number):
        assert expected in text, expected


def test_month_arithmetic_clamps() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)


def test_next_training_due_twice_a_year() -> None:
    term = {"starts_on": date(2026, 1, 1), "ends_on": date(2026, 12, 31), "per_year": 2}
    first = training_next_due(**term, last_held_on=None, today=date(2026, 3, 1))
    assert (first.next_due_on, first.alert, first.overdue) == (date(2026, 7, 1), False, False)
    soon = training_next_due(**term, last_held_on=None, today=date(2026, 6, 10))
    assert soon.alert and not soon.overdue
    late = training_next_due(**term, last_held_on=date(2026, 1, 15), today=date(2026, 7, 20))
    assert (late.next_due_on, late.overdue) == (date(2026, 7, 15), True)
    over = training_next_due(**term, last_held_on=date(2026, 7, 10), today=date(2026, 8, 1))
    assert over.next_due_on is None and over.reason == "term_over"


def test_a_contract_promising_two_trainings_shows_the_next_one(
    customer_a: Any, director: Any, api_as: Any, client_as: Any
) -> None:
    today = timezone.localdate()
    contract = Contract.objects.create(
        number="MC-T-1",
        kind="annual_maintenance",
        customer=customer_a,
        starts_on=today - timedelta(days=200),
        ends_on=today + timedelta(days=165),
        price=Decimal("1300.00"),
    )
    response = api_as(director).post(
        "/api/v1/training/commitments",
        {"contract": contract.pk, "trainings_per_year": 2},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["next_due_on"] == add_months(contract.starts_on, 6).isoformat()
    assert body["overdue"] is True and body["alert"] is True  # 200 days in, none held yet
    customer_page = client_as(director).get(f"/customers/{customer_a.pk}/")
    assert customer_page.status_code == 200
    assert 'id="customer-training-due"' in customer_page.content.decode() and "MC-T-1" in customer_page.content.decode()
    training_record_create(
        acting_user=None,
        kind="during_use",
        content="操作复训",
        trainer_name="王工",
        held_on=today,
        duration_hours=2,
        customer=customer_a,
        contract=contract,
        attendees=[{"name": "孙柜员"}],
    )
    rows = commitments_due(user=director, today=today)
    assert rows[0].due.next_due_on is None or rows[0].due.next_due_on == add_months(today, 6)
    assert not rows[0].due.alert
    refused = api_as(director).post(
        "/api/v1/training/commitments",
        {"contract": contract.pk, "trainings_per_year": 0},
        content_type="application/json",
    )
    assert refused.status_code == 422


def test_station_staff_training_uses_the_same_records(org: Any, director: Any, api_as: Any) -> None:
    response = api_as(director).post(
        "/api/v1/training/records",
        {
            "kind": "centralised",
            "audience": "station_staff",
            "content": "新版人民币清分机维修技术集中培训",
            "held_on": timezone.localdate().isoformat(),
            "duration_hours": 6,
            "unit": org.station_a.pk,
            "attendees": [{"name": "周师傅", "organisation": "西湖特约维修站"}],
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["unit"] == org.station_a.pk and response.json()["customer"] is None


def test_the_device_page_shows_its_trainings(
    training_record: Any, device_a: Any, director: Any, client_as: Any
) -> None:
    page = client_as(director).get(f"/devices/{device_a.pk}/")
    assert page.status_code == 200
    assert training_record.number in page.content.decode()
