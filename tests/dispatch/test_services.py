"""Appointments, assignment rules, loans and auto-assign, through the services."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.choices import Role
from core.testing import make_user
from dispatch import services
from dispatch.choices import AppointmentStatus, LoanStatus
from dispatch.geo import approx_location
from dispatch.models import Appointment
from workorders.choices import EventKind, Status
from workorders.selectors import workorders_visible_to
from workorders.services import workorder_transition

from .conftest import DAY, at, make_order, make_profile

pytestmark = pytest.mark.django_db


def _book(dispatcher, order, technician, start, end, **kw):
    return services.appointment_book(
        acting_user=dispatcher,
        order=order,
        technician=technician,
        window_start=start,
        window_end=end,
        content=kw.pop("content", "上门检修"),
        expected_minutes=kw.pop("expected_minutes", 60),
        expected_fees=kw.pop("expected_fees", Decimal("80")),
        **kw,
    )


# --- geo ------------------------------------------------------------------------------------


def test_approx_location_falls_back_from_district_to_city_to_province():
    assert approx_location("330106") == pytest.approx((30.259463, 120.130194))  # 西湖区
    assert approx_location("330199") == pytest.approx((30.24692, 120.209789))  # unknown district → 杭州市
    assert approx_location("339999") == pytest.approx((30.266597, 120.152585))  # unknown city → 浙江省
    assert approx_location("") is None
    assert approx_location("99") is None
    assert approx_location("abc") is None


# --- appointments ---------------------------------------------------------------------------


def test_booking_assigns_schedules_and_records_the_appointment(dispatcher, technician, tech_profile, order_a):
    appointment = _book(dispatcher, order_a, technician, at(9), at(11))

    order_a.refresh_from_db()
    assert order_a.status == Status.SCHEDULED
    assert order_a.technician_id == technician.pk
    assert order_a.appointment_at == at(9)
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.expected_fees == Decimal("80.00")
    event = order_a.events.filter(kind=EventKind.APPOINTMENT).get()
    assert event.data["action"] == "book"
    assert event.data["window_start"] == "2026-12-15T09:00:00+08:00"
    assert event.data["expected_fees"] == "80.00"
    assert list(order_a.events.values_list("kind", flat=True))[-3:] == ["assign", "schedule", "appointment"]


def test_double_booking_of_a_technician_is_refused(
    agent, dispatcher, technician, tech_profile, order_a, customer_a, device_a
):
    _book(dispatcher, order_a, technician, at(9), at(11))
    second = make_order(agent, customer_a, device=device_a)

    with pytest.raises(ValidationError) as error:
        _book(dispatcher, second, technician, at(10, 30), at(12))

    assert error.value.message_dict["window_start"] == [f"tech is already booked 09:00–11:00 ({order_a.number})."]
    second.refresh_from_db()
    assert second.technician_id is None  # nothing half-done
    # Back to back is fine.
    assert _book(dispatcher, second, technician, at(11), at(12)).window_start == at(11)


def test_a_booking_beyond_the_daily_capacity_is_refused(agent, dispatcher, technician, category, customer_a, device_a):
    make_profile(dispatcher, technician, category, lat="30.259463", lon="120.130194", daily_capacity=2)
    first, second, third = (make_order(agent, customer_a, device=device_a) for _ in range(3))
    _book(dispatcher, first, technician, at(9), at(10))
    _book(dispatcher, second, technician, at(10), at(11))

    with pytest.raises(ValidationError) as error:
        _book(dispatcher, third, technician, at(14), at(15))

    assert error.value.message_dict["window_start"] == [
        f"tech already has 2 visits on {DAY.isoformat()} (daily capacity 2)."
    ]
    third.refresh_from_db()
    assert third.technician_id is None
    # Moving one of the day's own visits is not a new visit.
    appointment = services.appointment_reschedule(
        acting_user=dispatcher,
        appointment=first.appointments.get(),
        window_start=at(15),
        window_end=at(16),
        reason="客户改约",
    )
    assert appointment.window_start == at(15)


def test_window_outside_the_shift_is_refused(dispatcher, technician, tech_profile, order_a):
    with pytest.raises(ValidationError) as error:
        _book(dispatcher, order_a, technician, at(17, 30), at(19))
    assert error.value.message_dict["window_start"] == ["The window 17:30–19:00 is outside tech's shift 09:00–18:00."]


def test_weekend_and_day_off_are_refused(dispatcher, technician, tech_profile, order_a):
    saturday = datetime.date(2026, 12, 19)
    with pytest.raises(ValidationError) as error:
        _book(dispatcher, order_a, technician, at(9, day=saturday), at(10, day=saturday))
    assert error.value.message_dict["window_start"] == ["tech does not work on 2026-12-19 (day off or holiday)."]

    services.shift_override_set(acting_user=dispatcher, profile=tech_profile, day=DAY, day_off=True)
    with pytest.raises(ValidationError):
        _book(dispatcher, order_a, technician, at(9), at(10))


def test_weekly_shift_rows_replace_the_calendar_hours(dispatcher, technician, tech_profile, order_a):
    services.technician_shifts_replace(
        acting_user=dispatcher,
        profile=tech_profile,
        weekly={1: [(datetime.time(13), datetime.time(21))]},
    )
    with pytest.raises(ValidationError):
        _book(dispatcher, order_a, technician, at(9), at(10))
    assert _book(dispatcher, order_a, technician, at(19), at(20)).window_end == at(20)


def test_technician_without_the_skill_is_refused_by_booking_and_by_the_assign_transition(
    dispatcher, technician, category, order_a
):
    make_profile(dispatcher, technician, category, lat="30.25", lon="120.13", service_types=["installation"])

    with pytest.raises(ValidationError) as error:
        _book(dispatcher, order_a, technician, at(9), at(10))
    assert error.value.message_dict["technician"] == ["tech does not do “Repair” work."]

    with pytest.raises(ValidationError) as error:
        workorder_transition(order=order_a, action="assign", acting_user=dispatcher, data={"technician": technician.pk})
    assert error.value.message_dict["technician"] == ["tech does not do “Repair” work."]


def test_technician_without_the_product_line_is_refused(dispatcher, technician, category, order_a):
    from catalog.services import product_category_create

    other = product_category_create(acting_user=None, code="ATM", name="清分机", warranty_months=12)
    make_profile(dispatcher, technician, other, lat="30.25", lon="120.13")
    with pytest.raises(ValidationError) as error:
        workorder_transition(order=order_a, action="assign", acting_user=dispatcher, data={"technician": technician.pk})
    assert error.value.message_dict["technician"] == ["tech is not qualified for the product line “电动自行车”."]


def test_expired_certificate_keeps_the_technician_from_being_assigned(dispatcher, technician, tech_profile, order_a):
    services.certificate_add(
        acting_user=dispatcher,
        profile=tech_profile,
        name="上岗证",
        number="HZ-001",
        expires_on=datetime.date(2020, 1, 1),
    )
    with pytest.raises(ValidationError) as error:
        workorder_transition(order=order_a, action="assign", acting_user=dispatcher, data={"technician": technician.pk})
    assert error.value.message_dict["technician"] == ["tech's certificate “上岗证” expired on 2020-01-01."]


def test_reschedule_is_recorded_on_the_timeline_with_before_and_after(dispatcher, technician, tech_profile, order_a):
    appointment = _book(dispatcher, order_a, technician, at(9), at(10))

    with pytest.raises(ValidationError) as error:
        services.appointment_reschedule(
            acting_user=dispatcher, appointment=appointment, window_start=at(14), window_end=at(15), reason=""
        )
    assert "reason" in error.value.message_dict

    moved = services.appointment_reschedule(
        acting_user=dispatcher,
        appointment=appointment,
        window_start=at(14),
        window_end=at(15),
        reason="客户下午才在家",
        expected_version=appointment.version,
    )

    assert moved.status == AppointmentStatus.RESCHEDULED
    assert moved.version == appointment.version + 1
    order_a.refresh_from_db()
    assert order_a.appointment_at == at(14)
    event = order_a.events.filter(kind=EventKind.APPOINTMENT).order_by("-id").first()
    assert event.note == "客户下午才在家"
    assert event.data["action"] == "reschedule"
    assert event.data["before"]["window_start"] == "2026-12-15T09:00:00+08:00"
    assert event.data["after"]["window_start"] == "2026-12-15T14:00:00+08:00"


def test_reschedule_with_a_stale_version_is_refused(dispatcher, technician, tech_profile, order_a):
    from core.exceptions import VersionConflict

    appointment = _book(dispatcher, order_a, technician, at(9), at(10))
    with pytest.raises(VersionConflict):
        services.appointment_reschedule(
            acting_user=dispatcher,
            appointment=appointment,
            window_start=at(14),
            window_end=at(15),
            reason="x",
            expected_version=appointment.version + 5,
        )


def test_cancelled_appointment_frees_the_slot(
    agent, dispatcher, technician, tech_profile, order_a, customer_a, device_a
):
    appointment = _book(dispatcher, order_a, technician, at(9), at(10))
    services.appointment_cancel(acting_user=dispatcher, appointment=appointment, reason="客户取消")
    second = make_order(agent, customer_a, device=device_a)
    assert _book(dispatcher, second, technician, at(9), at(10)).status == AppointmentStatus.BOOKED
    assert Appointment.objects.get(pk=appointment.pk).status == AppointmentStatus.CANCELLED


# --- loans ----------------------------------------------------------------------------------


def test_borrowing_a_technician_needs_the_lending_units_approval(org, agent, director, customer_b, category):
    """Station B (北京海淀) borrows the Hangzhou centre's technician: refused before the centre
    approves; afterwards admitted, and the technician can open the order. (The HQ director
    assigns: workorders' picker only offers technicians of units the acting user sees.)"""
    b_dispatcher = make_user(Role.DISPATCHER, org.station_b, username="b_dispatcher")
    centre_dispatcher = make_user(Role.DISPATCHER, org.centre, username="centre_dispatcher")
    lent = make_user(Role.TECHNICIAN, org.centre, username="lent")
    make_profile(centre_dispatcher, lent, category, lat="39.95", lon="116.29", service_types=["repair"])
    order = make_order(agent, customer_b)
    assert not workorders_visible_to(lent).filter(pk=order.pk).exists()

    with pytest.raises(ValidationError) as error:
        workorder_transition(order=order, action="assign", acting_user=director, data={"technician": lent.pk})
    assert error.value.message_dict["technician"] == ["This technician's unit does not serve this order."]

    today = timezone.localdate()
    loan = services.loan_request(
        acting_user=b_dispatcher,
        technician=lent,
        to_unit=org.station_b,
        starts_on=today,
        ends_on=today,
        reason="海淀人手不足",
    )
    assert loan.from_unit == org.centre
    with pytest.raises(PermissionDenied):
        services.loan_decide(acting_user=b_dispatcher, loan=loan, approve=True)
    with pytest.raises(ValidationError):
        workorder_transition(order=order, action="assign", acting_user=director, data={"technician": lent.pk})

    loan = services.loan_decide(acting_user=centre_dispatcher, loan=loan, approve=True, note="同意")
    assert loan.status == LoanStatus.APPROVED and loan.decided_by == centre_dispatcher

    # The borrowing station's own dispatcher assigns the technician it borrowed.
    order = workorder_transition(order=order, action="assign", acting_user=b_dispatcher, data={"technician": lent.pk})
    assert order.technician_id == lent.pk
    assert workorders_visible_to(lent).filter(pk=order.pk).exists()


def test_rejected_loan_admits_nobody(org, agent, director, customer_b, category):
    b_dispatcher = make_user(Role.DISPATCHER, org.station_b, username="b_dispatcher")
    centre_dispatcher = make_user(Role.DISPATCHER, org.centre, username="centre_dispatcher")
    lent = make_user(Role.TECHNICIAN, org.centre, username="lent")
    make_profile(centre_dispatcher, lent, category, lat="39.95", lon="116.29")
    order = make_order(agent, customer_b)
    today = timezone.localdate()
    loan = services.loan_request(
        acting_user=b_dispatcher, technician=lent, to_unit=org.station_b, starts_on=today, ends_on=today, reason="x"
    )
    services.loan_decide(acting_user=centre_dispatcher, loan=loan, approve=False)
    with pytest.raises(ValidationError):
        workorder_transition(order=order, action="assign", acting_user=director, data={"technician": lent.pk})
    with pytest.raises(ValidationError):
        services.loan_decide(acting_user=centre_dispatcher, loan=loan, approve=True)


# --- auto-assign ----------------------------------------------------------------------------


def test_auto_assign_picks_the_skilled_nearby_technician_with_capacity_and_explains(
    org, dispatcher, technician, tech_profile, far_technician, far_profile, category, order_a
):
    unskilled = make_user(Role.TECHNICIAN, org.centre, username="unskilled")
    make_profile(dispatcher, unskilled, category, lat="30.259463", lon="120.130194", service_types=["installation"])

    result = services.auto_assign(acting_user=dispatcher, order=order_a, day=DAY, apply=True)

    assert result.decision.choice == technician.pk
    assert result.applied
    assert result.order.technician_id == technician.pk
    by_id = {c.technician_id: c for c in result.decision.candidates}
    assert by_id[technician.pk].score is not None
    assert by_id[far_technician.pk].score > by_id[technician.pk].score
    assert by_id[unskilled.pk].score is None
    assert by_id[unskilled.pk].reasons == ["unskilled does not do “Repair” work."]
    assert "has the skills" in by_id[technician.pk].reasons
    assert "0.0 km from home base" in by_id[technician.pk].reasons
    assert result.decision.reasons[0].startswith("tech: lowest score")
    assign = result.order.events.filter(kind="assign").get()
    assert assign.note.startswith("Auto-assign: tech: lowest score")


def test_auto_assign_skips_a_full_technician(
    agent, dispatcher, technician, category, far_technician, far_profile, order_a, customer_a, device_a
):
    make_profile(dispatcher, technician, category, lat="30.259463", lon="120.130194", daily_capacity=1)
    other = make_order(agent, customer_a, device=device_a)
    _book(dispatcher, other, technician, at(9), at(10))

    result = services.auto_assign(acting_user=dispatcher, order=order_a, day=DAY)

    assert result.decision.choice == far_technician.pk
    assert not result.applied
    full = next(c for c in result.decision.candidates if c.technician_id == technician.pk)
    assert full.reasons == ["fully booked (1 of 1 jobs)"]


def test_auto_assign_without_anyone_says_why(dispatcher, technician, order_a):
    result = services.auto_assign(acting_user=dispatcher, order=order_a, day=DAY, apply=True)
    assert result.decision.choice is None
    assert not result.applied
    assert result.decision.reasons == ["No technician has the skills, a shift and free capacity."]


# --- reminders ------------------------------------------------------------------------------


def test_day_before_reminder_is_queued_once_per_appointment(dispatcher, technician, tech_profile, order_a):
    from notify.models import MessageTemplate, OutboxMessage

    # The ready-made template exists; an admin's edit of it is what goes out.
    MessageTemplate.objects.filter(key="appointment_reminder", channel="sms", language="zh-hans").update(
        body="{{ customer_name }}：明天 {{ appointment_at }} 上门（{{ order_number }}）"
    )
    _book(dispatcher, order_a, technician, at(9), at(10))

    assert services.appointment_reminders_enqueue(day=DAY) == 1
    services.appointment_reminders_enqueue(day=DAY)

    reminders = OutboxMessage.objects.filter(template_key="appointment_reminder", channel="sms")
    assert reminders.count() == 1
    assert reminders.get().body == f"张三丰：明天 2026-12-15 09:00 上门（{order_a.number}）"
    assert services.appointment_reminders_enqueue(day=DAY + datetime.timedelta(days=1)) == 0


# --- the order page's own assign / schedule / cancel ----------------------------------------


def _schedule(dispatcher, order, moment):
    return workorder_transition(
        order=order, action="schedule", acting_user=dispatcher, data={"appointment_at": moment, "note": "电话约好"}
    )


def _assign(dispatcher, order, technician, reason=""):
    return workorder_transition(
        order=order, action="assign", acting_user=dispatcher, data={"technician": technician.pk, "reason": reason}
    )


def test_the_order_pages_booking_refuses_a_double_booking_naming_the_field(
    agent, dispatcher, technician, tech_profile, order_a, customer_a, device_a
):
    _book(dispatcher, order_a, technician, at(9), at(11))
    second = _assign(dispatcher, make_order(agent, customer_a, device=device_a), technician)

    with pytest.raises(ValidationError) as error:
        _schedule(dispatcher, second, at(10))

    assert error.value.message_dict == {"appointment_at": [f"tech is already booked 09:00–11:00 ({order_a.number})."]}
    second.refresh_from_db()
    assert second.status == Status.ASSIGNED and second.appointment_at is None  # the transition was undone


def test_the_order_pages_booking_outside_the_shift_is_refused(agent, dispatcher, technician, tech_profile, order_a):
    order = _assign(dispatcher, order_a, technician)
    with pytest.raises(ValidationError) as error:
        _schedule(dispatcher, order, at(19))
    assert error.value.message_dict["appointment_at"] == ["The window 19:00–20:00 is outside tech's shift 09:00–18:00."]


def test_the_order_pages_booking_makes_and_moves_the_appointment(dispatcher, technician, tech_profile, order_a):
    order = _schedule(dispatcher, _assign(dispatcher, order_a, technician), at(9))
    appointment = Appointment.objects.get(order=order)
    booked = (appointment.technician_id, appointment.window_start, appointment.window_end)
    assert booked == (technician.pk, at(9), at(10))
    assert appointment.status == AppointmentStatus.BOOKED and appointment.content == "电话约好"

    _schedule(dispatcher, order, at(14))
    appointment.refresh_from_db()
    assert (appointment.window_start, appointment.status) == (at(14), AppointmentStatus.RESCHEDULED)
    assert Appointment.objects.filter(order=order).count() == 1


def test_reassigning_a_booked_order_moves_its_appointment_if_the_new_technician_is_free(
    agent, dispatcher, technician, tech_profile, far_technician, far_profile, order_a, customer_a, device_a
):
    appointment = _book(dispatcher, order_a, technician, at(9), at(10))
    busy = _book(dispatcher, make_order(agent, customer_a, device=device_a), far_technician, at(9, 30), at(10, 30))

    with pytest.raises(ValidationError) as error:
        _assign(dispatcher, order_a, far_technician, reason="原师傅请假")
    assert error.value.message_dict == {
        "technician": [f"远方师傅 is already booked 09:30–10:30 ({busy.order.number})."]
    }
    order_a.refresh_from_db()
    assert order_a.technician_id == technician.pk

    services.appointment_cancel(acting_user=dispatcher, appointment=busy, reason="客户改天")
    _assign(dispatcher, order_a, far_technician, reason="原师傅请假")
    appointment.refresh_from_db()
    assert (appointment.technician_id, appointment.window_start) == (far_technician.pk, at(9))


def test_cancelling_a_booked_order_frees_the_technicians_time(
    agent, dispatcher, technician, tech_profile, order_a, customer_a, device_a
):
    appointment = _book(dispatcher, order_a, technician, at(9), at(10))
    workorder_transition(order=order_a, action="cancel", acting_user=agent, data={"reason": "客户取消"})
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    other = make_order(agent, customer_a, device=device_a)
    assert _book(dispatcher, other, technician, at(9), at(10)).status == AppointmentStatus.BOOKED


def test_the_week_board_lists_a_technician_on_loan_from_midweek(org, director, category):
    from dispatch.selectors import dispatch_board

    b_dispatcher = make_user(Role.DISPATCHER, org.station_b, username="b_dispatcher")
    centre_dispatcher = make_user(Role.DISPATCHER, org.centre, username="centre_dispatcher")
    lent = make_user(Role.TECHNICIAN, org.centre, username="lent")
    make_profile(centre_dispatcher, lent, category, lat="39.95", lon="116.29")
    monday = DAY - datetime.timedelta(days=DAY.weekday())
    loan = services.loan_request(
        acting_user=b_dispatcher,
        technician=lent,
        to_unit=org.station_b,
        starts_on=monday + datetime.timedelta(days=2),
        ends_on=monday + datetime.timedelta(days=4),
        reason="周三起借调",
    )
    services.loan_decide(acting_user=centre_dispatcher, loan=loan, approve=True)

    week = dispatch_board(user=b_dispatcher, unit=org.station_b, start=monday, days=7)
    day = dispatch_board(user=b_dispatcher, unit=org.station_b, start=monday, days=1)

    assert [(row.profile.user_id, row.loaned) for row in week.rows] == [(lent.pk, True)]
    assert day.rows == []  # not yet on loan on Monday
