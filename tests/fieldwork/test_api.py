"""/api/v1/field: my jobs, check-in (twice → 400 naming the order), checklist, log, signature
(blank → 400 naming the signature), report PDF; another station's technician gets 404."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from fieldwork import services

from .conftest import pdf_text, png_data_url, run_visit_to_qc

pytestmark = pytest.mark.django_db


def test_my_jobs_and_check_in_once(api_as: Any, assigned_order: Any, technician: Any) -> None:
    client = api_as(technician)
    jobs = client.get("/api/v1/field/jobs").json()
    assert [item["order"]["number"] for item in jobs["items"]] == [assigned_order.number]
    url = f"/api/v1/field/jobs/{assigned_order.pk}/check-in"
    first = client.post(url, {"lat": "30.27", "lon": "120.15"}, content_type="application/json")
    assert first.status_code == 201, first.content
    assert first.json()["lat"] == "30.270000"
    second = client.post(url, {}, content_type="application/json")
    assert second.status_code == 400
    assert second.json()["errors"][0]["field"] == "order"


def test_a_retried_check_in_with_the_same_key_replays_the_answer(
    api_as: Any, assigned_order: Any, technician: Any
) -> None:
    client = api_as(technician)
    url = f"/api/v1/field/jobs/{assigned_order.pk}/check-in"
    answers = [
        client.post(url, {}, content_type="application/json", HTTP_IDEMPOTENCY_KEY="visit-1") for _attempt in range(2)
    ]
    assert [a.status_code for a in answers] == [201, 201]
    assert answers[0].json() == answers[1].json()


def test_checklist_and_log(api_as: Any, assigned_order: Any, technician: Any) -> None:
    client = api_as(technician)
    base = f"/api/v1/field/jobs/{assigned_order.pk}"
    marked = client.post(f"{base}/checklist", {"item": "shoe-covers"}, content_type="application/json").json()
    assert (marked["item"], marked["checked"]) == ("shoe-covers", True)
    items = client.get(f"{base}/checklist").json()["items"]
    assert [item["item"] for item in items if item["checked"]] == ["shoe-covers"]
    unknown = client.post(f"{base}/checklist", {"item": "nope"}, content_type="application/json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "item"
    client.post(f"{base}/check-in", {}, content_type="application/json")
    logged = client.post(f"{base}/log", {"text": "更换插头"}, content_type="application/json")
    assert logged.status_code == 201
    assert [entry["text"] for entry in client.get(f"{base}/log").json()["items"]] == ["更换插头"]


def test_signature_blank_refused_then_signed_and_report_downloaded(
    api_as: Any, assigned_order: Any, technician: Any, qc_inspector: Any, tmp_path: Path
) -> None:
    run_visit_to_qc(assigned_order, technician)
    services.qc_decide(order=assigned_order, acting_user=qc_inspector, passed=True)
    client = api_as(technician)
    base = f"/api/v1/field/jobs/{assigned_order.pk}"
    blank = client.post(
        f"{base}/signature",
        {"signer_name": "张三丰", "image": png_data_url(ink=False)},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert blank.status_code == 400
    assert blank.json()["errors"] == [
        {"field": "signature", "message": "The signature is empty: ask the customer to sign."}
    ]
    signed = client.post(
        f"{base}/signature",
        {"signer_name": "张三丰", "image": png_data_url().split(",", 1)[1]},
        content_type="application/json",
    )
    assert signed.status_code == 201, signed.content
    pdf = client.get(f"{base}/report.pdf")
    assert pdf.status_code == 200
    text = pdf_text(b"".join(pdf.streaming_content), tmp_path)
    assert "服务报告单" in text and assigned_order.number in text and "张三丰" in text


def test_another_stations_technician_gets_404(api_as: Any, assigned_order: Any, station_b_technician: Any) -> None:
    client = api_as(station_b_technician)
    assert client.get("/api/v1/field/jobs").json()["items"] == []
    for method, path in (
        ("post", "check-in"),
        ("get", "checklist"),
        ("get", "log"),
        ("get", "report.pdf"),
    ):
        url = f"/api/v1/field/jobs/{assigned_order.pk}/{path}"
        response = getattr(client, method)(
            url, **({"data": {}, "content_type": "application/json"} if method == "post" else {})
        )
        assert response.status_code == 404, path


def test_repair_plan_over_the_api_with_versions(api_as: Any, assigned_order: Any, technician: Any) -> None:
    from fieldwork import services as field

    field.fieldwork_check_in(order=assigned_order, acting_user=technician)
    client = api_as(technician)
    url = f"/api/v1/field/jobs/{assigned_order.pk}/plan"
    assert client.get(url).status_code == 404
    body = {"materials": "充电器输出线 1 根", "people": 1, "expected_minutes": 40}
    saved = client.put(url, body, content_type="application/json")
    assert saved.status_code == 200, saved.content
    assert saved.json() == {
        "order": assigned_order.pk,
        "materials": "充电器输出线 1 根",
        "people": 1,
        "expected_minutes": 40,
        "note": "",
        "version": 1,
    }
    assert client.put(url, {**body, "people": 2, "version": 1}, content_type="application/json").json()["version"] == 2
    assert client.put(url, {**body, "version": 1}, content_type="application/json").status_code == 409
    bad = client.put(url, {**body, "expected_minutes": 0}, content_type="application/json")
    assert bad.status_code in {400, 422} and bad.json()["errors"][0]["field"] == "expected_minutes"
    assert client.get(url).json()["people"] == 2


def test_customer_objection_over_the_api_goes_back_to_work(
    api_as: Any, assigned_order: Any, technician: Any, qc_inspector: Any
) -> None:
    run_visit_to_qc(assigned_order, technician)
    services.qc_decide(order=assigned_order, acting_user=qc_inspector, passed=True)
    client = api_as(technician)
    url = f"/api/v1/field/jobs/{assigned_order.pk}/objection"
    assert client.post(url, {"reason": ""}, content_type="application/json").status_code == 400
    response = client.post(url, {"reason": "噪音仍然很大"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "in_progress"
    assert assigned_order.events.filter(kind="escalated").count() == 1
