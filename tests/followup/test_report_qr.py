"""The service report (服务报告单) carries the survey's link as a QR code and as text (issue 13,
point 2): made at the customer's sign-off, the same PDF the portal hands out at
``/s/o/<number>/report.pdf``. Field work imports nothing of follow-up: the link comes through
``fieldwork.report_links``. A report made before completion has no survey and works as before."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from PIL import Image

from fieldwork import services as fieldwork
from followup.models import Survey
from followup.surveys import survey_url, surveys_issue_due
from notify.models import OutboxMessage
from tests.fieldwork.conftest import make_assigned_order, pdf_text, png_data_url, run_visit_to_qc
from workorders import services as wo

pytestmark = pytest.mark.django_db


def _qr_matrices(data: bytes, tmp_path: Path) -> list[list[list[bool]]]:
    """Every square image of the PDF read back as a grid of modules (dark = True), sampled at
    the centre of each module; the module count is found from the finder pattern's width."""
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(data)
    subprocess.run(["pdfimages", "-png", str(pdf), str(tmp_path / "img")], check=True)
    grids = []
    for path in sorted(tmp_path.glob("img-*.png")):
        image = Image.open(path).convert("L")
        width, height = image.size
        if width != height:
            continue  # the signature
        pixels = image.load()
        row = height // 2
        first_dark = next((x for x in range(width) if pixels[x, int(row * 0.3)] < 128), None)
        if first_dark is None:
            continue
        # Quiet zone of 4 modules, then the finder pattern: its top-left corner tells the module size.
        top = next(y for y in range(height) if pixels[first_dark, y] < 128)
        module = first_dark / 4 if first_dark == top else None
        if not module:
            continue
        count = round(width / module)
        grids.append(
            [
                [pixels[int((i + 0.5) * module), int((j + 0.5) * module)] < 128 for i in range(count)]
                for j in range(count)
            ]
        )
    return grids


def _expected_matrix(url: str) -> list[list[bool]]:
    import qrcode
    import qrcode.constants

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(url)
    code.make(fit=True)
    return [list(row) for row in code.get_matrix()]


def _awaiting_signoff(agent: Any, dispatcher: Any, technician: Any, qc_inspector: Any, customer: Any) -> Any:
    order = make_assigned_order(agent=agent, dispatcher=dispatcher, technician=technician, customer=customer)
    order = wo.workorder_transition(order=order, action="start", acting_user=technician)
    run_visit_to_qc(order, technician)
    order.refresh_from_db()
    return wo.workorder_transition(order=order, action="qc_pass", acting_user=qc_inspector, data={})


def test_the_report_made_at_sign_off_has_the_survey_qr_and_link_and_the_portal_serves_it(
    agent: Any, dispatcher: Any, technician: Any, qc_inspector: Any, customer_a: Any, tmp_path: Path
) -> None:
    order = _awaiting_signoff(agent, dispatcher, technician, qc_inspector, customer_a)
    fieldwork.signature_capture(order=order, acting_user=technician, image=png_data_url(), signer_name="王先生")
    survey = Survey.objects.get(order=order)  # made on the spot for the report
    url = survey_url(survey)
    assert f"/aftercare/survey/{survey.token}/" in url

    report = order.service_reports.order_by("-generated_at", "-id").first()
    assert report is not None
    data = report.file.read()
    text = pdf_text(data, tmp_path)
    assert "服务报告单" in text and "满意度评价" in text and "请用手机扫描二维码" in text  # Chinese renders
    assert url in text  # the address as text, on one line
    assert _expected_matrix(url) in _qr_matrices(data, tmp_path)  # the QR code encodes that address

    # The customer who tracks the order downloads the same report from the portal.
    client = Client()
    client.post(reverse("portal:track"), {"number": order.number, "phone": order.contact_phone})
    response = client.get(reverse("portal:report", args=[order.number]))
    assert response.status_code == 200
    portal_pdf = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert portal_pdf == data
    assert url in pdf_text(portal_pdf, tmp_path)

    # The survey made for the report gets its invitation from the job, once.
    surveys_issue_due()
    surveys_issue_due()
    invites = OutboxMessage.objects.filter(template_key="survey_invite", order_id=order.pk, channel="sms")
    assert invites.count() == 1 and url in invites.get().body


def test_a_report_before_completion_has_no_survey_and_still_works(
    agent: Any, dispatcher: Any, technician: Any, qc_inspector: Any, customer_a: Any, tmp_path: Path
) -> None:
    order = _awaiting_signoff(agent, dispatcher, technician, qc_inspector, customer_a)
    report = fieldwork.service_report_generate(order=order, acting_user=agent)
    text = pdf_text(report.file.read(), tmp_path)
    assert "服务报告单" in text and order.number in text
    assert "满意度评价" not in text and not re.search(r"/aftercare/survey/", text)
    assert not Survey.objects.filter(order=order).exists()
