"""The technician's pages: my jobs today, the job page's actions with refusals shown, the QC list,
and the report download scoped to who may see the order."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fieldwork import services
from workorders.choices import Status

from .conftest import pdf_text, png_data_url, run_visit_to_qc

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    """Signed in with English chosen (messages are asserted as their msgids)."""
    user.profile.language = "en"
    user.profile.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def test_my_jobs_lists_todays_job_with_map_and_call_links(assigned_order: Any, technician: Any) -> None:
    response = client_for(technician).get(reverse("fieldwork:my_jobs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="job-{assigned_order.number}"' in html
    assert 'href="tel:13800138000"' in html
    assert "geo:0,0?q=" in html


def test_my_jobs_of_another_day_is_empty(assigned_order: Any, technician: Any) -> None:
    response = client_for(technician).get(reverse("fieldwork:my_jobs"), {"day": "2020-01-01"})
    assert 'id="no-jobs"' in response.content.decode()


def test_jobs_follow_the_appointment_windows(
    agent: Any, dispatcher: Any, technician: Any, customer_a: Any, assigned_order: Any
) -> None:
    from django.utils import timezone

    from fieldwork.selectors import field_jobs_for
    from workorders import services as wo

    from .conftest import make_assigned_order

    earlier = make_assigned_order(agent=agent, dispatcher=dispatcher, technician=technician, customer=customer_a)
    wo.workorder_transition(
        order=earlier,
        action="schedule",
        acting_user=dispatcher,
        data={"appointment_at": timezone.localtime().replace(hour=8, minute=30, second=0, microsecond=0)},
    )
    jobs = field_jobs_for(technician, timezone.localdate())
    assert [job.order.pk for job in jobs] == [earlier.pk, assigned_order.pk]


def test_check_in_twice_from_the_page_shows_the_refusal(assigned_order: Any, technician: Any) -> None:
    client = client_for(technician)
    url = reverse("fieldwork:action", args=[assigned_order.pk, "check-in"])
    assert client.post(url).status_code == 302
    assigned_order.refresh_from_db()
    assert assigned_order.status == Status.IN_PROGRESS
    response = client.post(url, follow=True)
    assert "You already checked in for this visit" in response.content.decode()


def test_an_empty_signature_from_the_page_names_the_field(
    assigned_order: Any, technician: Any, qc_inspector: Any
) -> None:
    run_visit_to_qc(assigned_order, technician)
    services.qc_decide(order=assigned_order, acting_user=qc_inspector, passed=True)
    response = client_for(technician).post(
        reverse("fieldwork:action", args=[assigned_order.pk, "signature"]),
        {"signature": png_data_url(ink=False), "signer_name": "张三丰"},
        follow=True,
    )
    assert "Signature: The signature is empty: ask the customer to sign." in response.content.decode()


def test_qc_list_passes_an_order(assigned_order: Any, technician: Any, qc_inspector: Any) -> None:
    run_visit_to_qc(assigned_order, technician)
    client = client_for(qc_inspector)
    page = client.get(reverse("fieldwork:qc_list")).content.decode()
    assert f'id="qc-pass-{assigned_order.number}"' in page
    client.post(reverse("fieldwork:qc_decide", args=[assigned_order.pk]), {"result": "pass", "note": "合格"})
    assigned_order.refresh_from_db()
    assert assigned_order.status == Status.AWAITING_SIGNOFF


def test_the_technician_has_no_qc_list(technician: Any) -> None:
    assert client_for(technician).get(reverse("fieldwork:qc_list")).status_code == 403


def test_another_stations_technician_cannot_open_the_job_or_the_report(
    assigned_order: Any, technician: Any, qc_inspector: Any, station_b_technician: Any, station_b_user: Any
) -> None:
    run_visit_to_qc(assigned_order, technician)
    services.qc_decide(order=assigned_order, acting_user=qc_inspector, passed=True)
    services.signature_capture(order=assigned_order, acting_user=technician, image=png_data_url(), signer_name="张三丰")
    for outsider in (station_b_technician, station_b_user):
        client = client_for(outsider)
        assert client.get(reverse("fieldwork:job", args=[assigned_order.pk])).status_code == 404
        assert client.get(reverse("fieldwork:report", args=[assigned_order.pk])).status_code == 404
        assert (
            client.post(reverse("fieldwork:action", args=[assigned_order.pk, "log"]), {"text": "x"}).status_code == 404
        )


def test_the_report_downloads_for_the_station_that_owns_the_order(
    assigned_order: Any, technician: Any, qc_inspector: Any, station_a_user: Any, tmp_path: Path
) -> None:
    run_visit_to_qc(assigned_order, technician)
    services.qc_decide(order=assigned_order, acting_user=qc_inspector, passed=True)
    services.signature_capture(order=assigned_order, acting_user=technician, image=png_data_url(), signer_name="张三丰")
    response = client_for(station_a_user).get(reverse("fieldwork:report", args=[assigned_order.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = pdf_text(b"".join(response.streaming_content), tmp_path)
    assert "服务报告单" in text and assigned_order.number in text and "张三丰" in text
