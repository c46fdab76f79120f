"""The audit log (issue 10, point 6): who changed what, filterable by user, object type and date
range, paged and exportable as CSV; every refused request (console, API, CSRF) is written with
who, what path and when, and shows on the page's second tab. Admins and directors only (the
matrix: tests/core/test_permissions.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from core.context import acting_as
from core.models import AccessRefusal, ChangeLogEntry
from customers.models import Customer
from tests.conftest import logged_in_client, token_client

pytestmark = pytest.mark.django_db


def _csv(response: Any) -> list[str]:
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


def rename(customer: Customer, name: str, by: Any) -> None:
    with acting_as(by, "req-rename"):
        customer.name = name
        customer.save()


# --- refusals ---------------------------------------------------------------------------------


def test_a_refused_console_page_is_written_with_who_what_and_when(technician: Any) -> None:
    response = logged_in_client(technician).get("/audit/?tab=changes")

    assert response.status_code == 403
    refusal = AccessRefusal.objects.get()
    assert refusal.user == technician
    assert (refusal.method, refusal.path) == ("GET", "/audit/?tab=changes")
    assert refusal.client_ip == "127.0.0.1"
    assert refusal.request_id == response["X-Request-ID"]


def test_a_refused_api_call_is_written_with_the_tokens_user(technician: Any, customer_a: Customer) -> None:
    response = token_client(technician).post(
        "/api/v1/customers", data={"name": "x", "phone": "13900001111"}, content_type="application/json"
    )

    assert response.status_code == 403
    assert AccessRefusal.objects.get().user == technician


def test_a_failed_csrf_check_is_written_too(agent: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    assert client.post("/me/language/", {"language": "en"}).status_code == 403
    assert AccessRefusal.objects.filter(user=agent, method="POST", path="/me/language/").exists()


def test_refusals_show_on_the_audit_page(technician: Any, director: Any) -> None:
    logged_in_client(technician).get("/audit/?tab=changes")

    page = logged_in_client(director).get("/audit/?tab=refusals").content.decode()

    assert 'id="audit-refusals"' in page
    assert "/audit/?tab=changes" in page
    assert "tech" in page


def test_an_allowed_page_writes_no_refusal(director: Any) -> None:
    logged_in_client(director).get("/audit/")

    assert not AccessRefusal.objects.exists()


# --- changes ----------------------------------------------------------------------------------


def test_a_change_shows_who_changed_which_field(customer_a: Customer, agent: Any, director: Any) -> None:
    rename(customer_a, "王五审计", agent)

    page = logged_in_client(director).get("/audit/").content.decode()

    assert "王五审计" in page
    assert "agent" in page
    assert "→ 王五审计" in page


def test_the_changes_filter_by_user_type_and_date(customer_a: Customer, agent: Any, director: Any, org: Any) -> None:
    with time_machine.travel("2026-05-01 10:00 +0800", tick=False) as clock:
        rename(customer_a, "五月改名", agent)
        clock.shift(timedelta(days=31))
        rename(customer_a, "六月改名", director)
        with acting_as(agent, "req-unit"):
            org.station_b.phone = "0571-1234"
            org.station_b.save()
        client = logged_in_client(director)
        customer_type = ContentType.objects.get_for_model(Customer).pk

        by_agent = client.get("/audit/", {"user": agent.pk}).content.decode()
        customers_only = client.get("/audit/", {"type": customer_type}).content.decode()
        in_may = client.get(
            "/audit/", {"from": "2026-05-01", "to": "2026-05-31", "type": customer_type}
        ).content.decode()
        junk = client.get("/audit/", {"from": "yesterday", "user": "x", "type": "-1"})

    assert "五月改名" in by_agent and "六月改名" not in by_agent.split('id="audit-changes"')[1]
    assert "0571-1234" not in customers_only and "六月改名" in customers_only
    assert "→ 五月改名" in in_may and "→ 六月改名" not in in_may
    assert junk.status_code == 200  # bad filter values are ignored, never a 500


def test_the_changes_are_paged_with_the_shared_pager(customer_a: Customer, agent: Any, director: Any) -> None:
    for n in range(55):
        rename(customer_a, f"改名{n:02d}", agent)

    client = logged_in_client(director)
    first = client.get("/audit/", {"type": ContentType.objects.get_for_model(Customer).pk}).content.decode()
    second = client.get("/audit/", {"type": ContentType.objects.get_for_model(Customer).pk, "page": 2}).content.decode()

    assert first.count('class="audit-row"') == 50 and 'id="pager"' in first
    assert 'id="page-next"' in first and "page=2" in first
    assert 0 < second.count('class="audit-row"') <= 6


def test_the_export_is_csv_with_the_pages_filters(customer_a: Customer, agent: Any, director: Any) -> None:
    rename(customer_a, "=HYPERLINK(1)", agent)
    rename(customer_a, "导出客户", director)

    response = logged_in_client(director).get(reverse("core:audit_export"), {"user": agent.pk})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="audit-changes-')
    lines = _csv(response)
    assert len(lines) == 1 + ChangeLogEntry.objects.filter(user=agent).count()
    assert "'=HYPERLINK(1)" in lines[1]  # a formula is defused
    assert not any("导出客户" in line for line in lines)


def test_the_refusals_export(technician: Any, director: Any) -> None:
    logged_in_client(technician).get("/audit/?tab=changes")

    lines = _csv(logged_in_client(director).get("/audit/export.csv", {"tab": "refusals"}))

    assert len(lines) == 2 and "/audit/?tab=changes" in lines[1] and "GET" in lines[1]


def test_a_centre_director_sees_only_what_the_centres_people_did(
    customer_a: Customer, agent: Any, dispatcher: Any, org: Any
) -> None:
    from core.choices import Role
    from core.testing import make_user

    centre_director = make_user(Role.DIRECTOR, org.centre, username="centre-director")
    rename(customer_a, "总部改的", agent)  # agent: HQ
    rename(customer_a, "中心改的", dispatcher)  # dispatcher: the centre

    page = logged_in_client(centre_director).get("/audit/").content.decode()

    assert "→ 中心改的" in page and "→ 总部改的" not in page


def test_the_menu_offers_the_audit_log_to_directors_and_admins_only(director: Any, agent: Any, org: Any) -> None:
    from core.choices import Role
    from core.testing import make_user

    admin = make_user(Role.ADMIN, org.hq, username="admin-audit")

    assert 'id="nav-audit"' in logged_in_client(director).get("/").content.decode()
    assert 'id="nav-audit"' in logged_in_client(admin).get("/").content.decode()
    assert 'id="nav-audit"' not in logged_in_client(agent).get("/").content.decode()
