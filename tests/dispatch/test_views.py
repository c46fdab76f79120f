"""The board, the plan review and the technicians' pages; scoping by unit in the UI."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from core.choices import Role
from core.testing import make_user
from dispatch import services
from dispatch.models import Certificate, DispatchPlan

from .conftest import DAY, before_day, make_order, make_profile

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    from tests.conftest import speak_english

    speak_english(user)  # labels asserted by their msgids (the profile's language wins over the header)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def station_tech(org: Any, station_a_user: Any, category: Any) -> Any:
    user = make_user(Role.TECHNICIAN, org.station_a, username="xh_tech")
    make_profile(station_a_user, user, category, lat="30.259463", lon="120.130194")
    return user


def test_board_shows_technicians_and_unassigned_orders_and_assigns(
    station_a_user, station_tech, agent, customer_a, device_a
):
    order = make_order(agent, customer_a, device=device_a)
    client = _client(station_a_user)

    page = client.get("/dispatch/", {"day": DAY.isoformat()})
    assert page.status_code == 200
    body = page.content.decode()
    assert "xh_tech" in body and order.number in body

    week = client.get("/dispatch/", {"day": DAY.isoformat(), "view": "week"})
    assert week.status_code == 200

    response = client.post(
        f"/dispatch/orders/{order.pk}/assign/", {"technician": station_tech.pk, "day": DAY.isoformat()}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.technician_id == station_tech.pk


def test_auto_assign_button(station_a_user, station_tech, agent, customer_a, device_a):
    order = make_order(agent, customer_a, device=device_a)
    _client(station_a_user).post(f"/dispatch/orders/{order.pk}/assign/", {"auto": "1", "day": DAY.isoformat()})
    order.refresh_from_db()
    assert order.technician_id == station_tech.pk


def test_propose_review_and_approve_in_the_ui(org, director, station_a_user, station_tech, agent, customer_a, device_a):
    order = make_order(agent, customer_a, device=device_a)
    with before_day():
        response = _client(station_a_user).post("/dispatch/plans/propose/", {"day": DAY.isoformat()})
    plan = DispatchPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dispatch/plans/{plan.pk}/"
    review = _client(station_a_user).get(f"/dispatch/plans/{plan.pk}/")
    assert order.number in review.content.decode()
    assert 'id="approve-plan"' not in review.content.decode()
    director_page = _client(director).get(f"/dispatch/plans/{plan.pk}/")
    assert 'id="approve-plan"' in director_page.content.decode()
    _client(director).post(f"/dispatch/plans/{plan.pk}/approve/", {"version": plan.version})
    plan.refresh_from_db()
    assert plan.status == "approved"


def test_a_station_cannot_see_another_stations_board_plans_or_technicians(
    org, station_a_user, station_b_user, station_tech
):
    with before_day():
        plan = services.plan_propose(acting_user=station_a_user, unit=org.station_a, day=DAY, time_limit=0.3)
    other = _client(station_b_user)

    assert other.get(f"/dispatch/plans/{plan.pk}/").status_code == 404
    assert other.get(f"/dispatch/technicians/{station_tech.pk}/").status_code == 404
    assert "xh_tech" not in other.get("/dispatch/technicians/").content.decode()
    board = other.get("/dispatch/", {"unit": org.station_a.pk, "day": DAY.isoformat()}).content.decode()
    assert "xh_tech" not in board
    assert org.station_b.name in board


def test_technician_setup_pages_save_skills_shifts_and_certificates(station_a_user, station_tech, category):
    client = _client(station_a_user)
    assert client.get("/dispatch/technicians/").status_code == 200
    url = f"/dispatch/technicians/{station_tech.pk}/"
    assert client.get(url).status_code == 200
    client.post(
        url,
        {
            "section": "profile",
            "categories": [category.pk],
            "service_types": ["repair"],
            "home_lat": "30.3",
            "home_lon": "120.1",
            "daily_capacity": "4",
            "is_active": "1",
        },
    )
    client.post(url, {"section": "shifts", "start_0": "08:00", "end_0": "16:00"})
    client.post(url, {"section": "certificate", "name": "上岗证", "number": "XH-9", "expires_on": "2027-06-30"})
    profile = station_tech.technician
    profile.refresh_from_db()
    assert profile.daily_capacity == 4 and profile.service_types == ["repair"]
    assert list(profile.shifts.values_list("weekday", flat=True)) == [0]
    assert Certificate.objects.get(profile=profile).number == "XH-9"


def test_menu_shows_dispatch_for_dispatchers_not_technicians(dispatcher, technician):
    assert 'id="nav-dispatch"' in _client(dispatcher).get("/dispatch/").content.decode()
    assert _client(technician).get("/dispatch/").status_code == 403


def _board_queries(client: Client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dispatch/", {"day": DAY.isoformat(), "view": "week"}).status_code == 200
    return len(queries.captured_queries)


def test_the_board_costs_the_same_queries_for_one_or_five_technicians_and_orders(
    org, dispatcher, technician, category, agent, customer_a, device_a
):
    """No query per technician (shifts) or per unassigned order (the technician picker)."""
    make_profile(dispatcher, technician, category, lat="30.2", lon="120.1")
    make_order(agent, customer_a, device=device_a)
    client = _client(dispatcher)
    _board_queries(client)  # caches (calendars, permissions) warm
    few = _board_queries(client)
    for number in range(4):
        user = make_user(Role.TECHNICIAN, org.centre, username=f"more_{number}")
        make_profile(dispatcher, user, category, lat="30.2", lon="120.1")
        services.shift_override_set(acting_user=dispatcher, profile=user.technician, day=DAY, day_off=True)
        make_order(agent, customer_a, device=device_a)
    assert _board_queries(client) == few


def test_a_technician_on_loan_is_offered_and_assigned_on_the_board(org, agent, customer_b, category):
    from django.utils import timezone

    b_dispatcher = make_user(Role.DISPATCHER, org.station_b, username="b_dispatcher")
    centre_dispatcher = make_user(Role.DISPATCHER, org.centre, username="centre_dispatcher")
    lent = make_user(Role.TECHNICIAN, org.centre, username="lent_tech")
    make_profile(centre_dispatcher, lent, category, lat="39.95", lon="116.29", service_types=["repair"])
    order = make_order(agent, customer_b)
    today = timezone.localdate()
    loan = services.loan_request(
        acting_user=b_dispatcher, technician=lent, to_unit=org.station_b, starts_on=today, ends_on=today, reason="缺人"
    )
    services.loan_decide(acting_user=centre_dispatcher, loan=loan, approve=True)
    client = _client(b_dispatcher)

    page = client.get("/dispatch/", {"day": today.isoformat()}).content.decode()
    assert f'<option value="{lent.pk}" data-qualified="1">lent_tech · skills ✓ · 0/6 visits' in page

    client.post(f"/dispatch/orders/{order.pk}/assign/", {"technician": lent.pk, "day": today.isoformat()})
    order.refresh_from_db()
    assert order.technician_id == lent.pk


# --- the appointment card on the order's page ------------------------------------------------


def _english(user: Any) -> Any:
    user.profile.language = "en"
    user.profile.save(update_fields=["language"])
    return user


def test_the_order_page_books_reschedules_and_cancels_the_appointment(
    dispatcher, technician, tech_profile, agent, customer_a, device_a
):
    from decimal import Decimal

    from dispatch.choices import AppointmentStatus
    from dispatch.models import Appointment
    from workorders.choices import EventKind

    order = make_order(agent, customer_a, device=device_a)
    client = _client(_english(dispatcher))
    page = client.get(f"/work-orders/{order.pk}/").content.decode()
    assert 'id="appointment-book"' in page and f'<option value="{technician.pk}">tech</option>' in page

    window = {"date": DAY.isoformat(), "start": "09:00", "end": "10:30"}
    client.post(
        f"/dispatch/orders/{order.pk}/appointment/",
        {
            "technician": technician.pk,
            **window,
            "content": "上门更换电池",
            "expected_minutes": "90",
            "expected_fees": "120.5",
        },
    )
    appointment = Appointment.objects.get(order=order)
    assert (appointment.technician_id, appointment.content, appointment.expected_minutes) == (
        technician.pk,
        "上门更换电池",
        90,
    )
    assert appointment.expected_fees == Decimal("120.50")
    page = client.get(f"/work-orders/{order.pk}/").content.decode()
    assert 'id="appointment-active"' in page and "¥120.50" in page

    moved = client.post(
        f"/dispatch/appointments/{appointment.pk}/reschedule/",
        {"date": DAY.isoformat(), "start": "14:00", "end": "15:00", "reason": "客户改约", "version": "1"},
        follow=True,
    )
    assert "Appointment rescheduled." in moved.content.decode()
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.RESCHEDULED and appointment.window_start.hour == 6  # 14:00+08
    assert order.events.filter(kind=EventKind.APPOINTMENT, data__action="reschedule").count() == 1

    stale = client.post(
        f"/dispatch/appointments/{appointment.pk}/cancel/", {"reason": "客户取消", "version": "1"}, follow=True
    )
    assert "changed" in stale.content.decode().lower()  # the version conflict is shown, nothing cancelled
    client.post(f"/dispatch/appointments/{appointment.pk}/cancel/", {"reason": "客户取消", "version": "2"})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


def test_booking_from_the_order_page_shows_the_double_booking(
    dispatcher, technician, tech_profile, agent, customer_a, device_a
):
    first, second = (make_order(agent, customer_a, device=device_a) for _ in range(2))
    services.appointment_book(
        acting_user=dispatcher,
        order=first,
        technician=technician,
        window_start=services.appointment_window(DAY, *_hours(9, 10))[0],
        window_end=services.appointment_window(DAY, *_hours(9, 10))[1],
    )
    response = _client(_english(dispatcher)).post(
        f"/dispatch/orders/{second.pk}/appointment/",
        {"technician": technician.pk, "date": DAY.isoformat(), "start": "09:30", "end": "10:30"},
        follow=True,
    )
    assert f"tech is already booked 09:00–10:00 ({first.number})." in response.content.decode()
    bad = _client(dispatcher).post(
        f"/dispatch/orders/{second.pk}/appointment/",
        {"technician": technician.pk, "date": "", "start": "x", "end": "", "expected_fees": "abc"},
        follow=True,
    )
    assert bad.status_code == 200
    second.refresh_from_db()
    assert second.technician_id is None


def _hours(start: int, end: int) -> tuple[Any, Any]:
    import datetime

    return datetime.time(start), datetime.time(end)


def test_another_station_cannot_book_or_change_the_centres_appointments(
    dispatcher, technician, tech_profile, agent, customer_a, device_a, station_b_user
):
    order = make_order(agent, customer_a, device=device_a)
    appointment = services.appointment_book(
        acting_user=dispatcher,
        order=order,
        technician=technician,
        window_start=services.appointment_window(DAY, *_hours(9, 10))[0],
        window_end=services.appointment_window(DAY, *_hours(9, 10))[1],
    )
    client = _client(station_b_user)
    assert client.post(f"/dispatch/orders/{order.pk}/appointment/", {}).status_code == 404
    assert client.post(f"/dispatch/appointments/{appointment.pk}/cancel/", {"reason": "x"}).status_code == 404


def test_loans_page_asks_another_unit_which_approves(org, category):
    from django.utils import timezone

    from dispatch.choices import LoanStatus
    from dispatch.models import TechnicianLoan

    b_dispatcher = _english(make_user(Role.DISPATCHER, org.station_b, username="b_dispatcher"))
    centre_dispatcher = make_user(Role.DISPATCHER, org.centre, username="centre_dispatcher")
    lent = make_user(Role.TECHNICIAN, org.centre, username="lent_tech")
    make_profile(centre_dispatcher, lent, category, lat="39.95", lon="116.29")
    today = timezone.localdate().isoformat()

    borrower = _client(b_dispatcher)
    page = borrower.get("/dispatch/loans/").content.decode()
    choice = f'<option value="{lent.pk}">{org.centre.name} · lent_tech</option>'
    assert choice in page
    borrower.post(
        "/dispatch/loans/",
        {"technician": lent.pk, "to_unit": org.station_b.pk, "starts_on": today, "ends_on": today, "reason": "缺人"},
    )
    loan = TechnicianLoan.objects.get()
    assert (loan.from_unit, loan.to_unit, loan.status) == (org.centre, org.station_b, LoanStatus.REQUESTED)

    refused = borrower.post("/dispatch/loans/", {"loan": loan.pk, "decision": "approve"}, follow=True)
    assert "may decide on lending them" in refused.content.decode()
    _client(centre_dispatcher).post("/dispatch/loans/", {"loan": loan.pk, "decision": "approve", "note": "同意"})
    loan.refresh_from_db()
    assert loan.status == LoanStatus.APPROVED and loan.decided_by == centre_dispatcher

    # The lending unit's own technicians are not in its own request list (it sees them already).
    assert choice not in _client(centre_dispatcher).get("/dispatch/loans/").content.decode()


def test_a_director_at_headquarters_lands_on_a_board_with_technicians(org, director, tech_profile):
    """HQ has no field technicians of its own: the board opens on the first unit that has some."""
    response = _client(director).get("/dispatch/")

    assert response.status_code == 200
    assert response.context["unit"] == org.centre
    assert [row.profile.pk for row in response.context["board"].rows] == [tech_profile.pk]
    # Asking for HQ explicitly still shows HQ.
    assert _client(director).get(f"/dispatch/?unit={org.hq.pk}").context["unit"] == org.hq


def test_odd_numbers_in_the_setup_form_are_ignored_not_a_server_error(station_a_user, station_tech, category):
    """ "²" passes str.isdigit but not int(); a category id like "x" is not a number at all."""
    url = f"/dispatch/technicians/{station_tech.pk}/"
    response = _client(station_a_user).post(
        url,
        {
            "section": "profile",
            "categories": [category.pk, "x", "²"],
            "service_types": ["repair"],
            "daily_capacity": "²",
            "version": "²",
            "is_active": "1",
        },
    )
    assert response.status_code < 500
    profile = station_tech.technician
    profile.refresh_from_db()
    assert list(profile.categories.all()) == [category]
