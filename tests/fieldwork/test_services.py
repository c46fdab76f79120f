"""Field-work services: check-in (once per visit, feeds the timeline), the code of conduct,
plan/log/parts/photos, QC by someone else, the customer's signature (a blank one refused) or
objection, and the service report read back with pdftotext."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone

from core.exceptions import TransitionNotAllowed
from fieldwork import services
from fieldwork.models import CheckIn, ChecklistItem, CustomerSignature, ServiceReport, VisitChecklist
from fieldwork.reference import REFERENCE_CHECKLIST, install_reference_data
from workorders.choices import EventKind, Status
from workorders.models import TimelineEvent

from .conftest import pdf_text, png_data_url, run_visit_to_qc

pytestmark = pytest.mark.django_db


def test_check_in_records_the_arrival_time_on_the_timeline_and_starts_the_work(
    assigned_order: Any, technician: Any
) -> None:
    arrived = timezone.now() - timedelta(minutes=7)
    check_in = services.fieldwork_check_in(
        order=assigned_order, acting_user=technician, at=arrived, lat="30.2741", lon="120.1551"
    )
    assigned_order.refresh_from_db()
    assert assigned_order.status == Status.IN_PROGRESS
    event = TimelineEvent.objects.get(order=assigned_order, kind=EventKind.CHECK_IN)
    assert event.at == arrived
    assert event.actor == technician
    assert event.data["check_in"] == check_in.pk
    assert check_in.lat == Decimal("30.274100")
    assert list(assigned_order.events.order_by("id").values_list("kind", flat=True))[-2:] == ["check_in", "start"]


def test_a_second_check_in_for_the_same_visit_is_refused_with_the_first_time(
    assigned_order: Any, technician: Any
) -> None:
    first = services.fieldwork_check_in(order=assigned_order, acting_user=technician)
    with pytest.raises(ValidationError) as refused:
        services.fieldwork_check_in(order=assigned_order, acting_user=technician)
    expected = f"{timezone.localtime(first.at):%Y-%m-%d %H:%M}"
    assert refused.value.message_dict == {"order": [f"You already checked in for this visit at {expected}."]}
    assert CheckIn.objects.filter(order=assigned_order).count() == 1


def test_check_in_in_the_future_is_refused_naming_the_field(assigned_order: Any, technician: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.fieldwork_check_in(
            order=assigned_order, acting_user=technician, at=timezone.now() + timedelta(hours=1)
        )
    assert refused.value.message_dict == {"at": ["The arrival time cannot be in the future."]}


def test_only_the_assigned_technician_checks_in(assigned_order: Any, org: Any) -> None:
    from core.choices import Role
    from core.testing import make_user

    colleague = make_user(Role.TECHNICIAN, org.centre, username="colleague")
    with pytest.raises(PermissionDenied, match="assigned to another technician"):
        services.fieldwork_check_in(order=assigned_order, acting_user=colleague)


def test_another_stations_technician_cannot_touch_the_order(assigned_order: Any, station_b_technician: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.fieldwork_check_in(order=assigned_order, acting_user=station_b_technician)
    assert refused.value.message_dict == {"order": ["Unknown work order."]}


def test_the_reference_checklist_is_installed_once_and_keeps_admins_edits(db: Any) -> None:
    assert list(ChecklistItem.objects.values_list("code", flat=True)) == [
        code for code, _zh, _en in REFERENCE_CHECKLIST
    ]
    ChecklistItem.objects.filter(code="shoe-covers").update(label="穿鞋套（已改）", is_active=False)
    install_reference_data()
    install_reference_data()
    assert ChecklistItem.objects.count() == len(REFERENCE_CHECKLIST)
    item = ChecklistItem.objects.get(code="shoe-covers")
    assert (item.label, item.is_active) == ("穿鞋套（已改）", False)


def test_checklist_marks_an_item_with_the_time_and_can_untick_it(assigned_order: Any, technician: Any) -> None:
    mark = services.checklist_mark(order=assigned_order, acting_user=technician, item_code="shoe-covers")
    assert (mark.checked, mark.checked_by) == (True, technician)
    assert mark.checked_at is not None
    again = services.checklist_mark(
        order=assigned_order, acting_user=technician, item_code="shoe-covers", checked=False
    )
    assert again.pk == mark.pk and again.checked is False
    assert VisitChecklist.objects.filter(order=assigned_order).count() == 1


def test_checklist_refuses_an_unknown_or_retired_item(assigned_order: Any, technician: Any) -> None:
    ChecklistItem.objects.filter(code="quiet-work").update(is_active=False)
    for code in ("no-such-item", "quiet-work"):
        with pytest.raises(ValidationError) as refused:
            services.checklist_mark(order=assigned_order, acting_user=technician, item_code=code)
        assert refused.value.message_dict == {"item": ["Unknown checklist item."]}


def test_repair_plan_is_saved_and_a_stale_edit_is_refused(assigned_order: Any, technician: Any) -> None:
    from core.exceptions import VersionConflict

    services.fieldwork_check_in(order=assigned_order, acting_user=technician)
    plan = services.repair_plan_save(
        order=assigned_order, acting_user=technician, materials="充电器输出线 1 根", people=1, expected_minutes=45
    )
    assert (plan.people, plan.expected_minutes, plan.version) == (1, 45, 1)
    plan = services.repair_plan_save(
        order=assigned_order,
        acting_user=technician,
        materials="充电器 1 台",
        people=2,
        expected_minutes=60,
        expected_version=1,
    )
    assert (plan.materials, plan.people, plan.version) == ("充电器 1 台", 2, 2)
    with pytest.raises(VersionConflict):
        services.repair_plan_save(
            order=assigned_order,
            acting_user=technician,
            materials="x",
            people=1,
            expected_minutes=5,
            expected_version=1,
        )
    with pytest.raises(ValidationError) as refused:
        services.repair_plan_save(
            order=assigned_order, acting_user=technician, materials="", people=0, expected_minutes=30
        )
    assert list(refused.value.message_dict) == ["people"]


def test_repair_log_needs_the_work_to_have_started(assigned_order: Any, technician: Any) -> None:
    with pytest.raises(TransitionNotAllowed):
        services.repair_log_add(order=assigned_order, acting_user=technician, text="到达现场")
    services.fieldwork_check_in(order=assigned_order, acting_user=technician)
    with pytest.raises(ValidationError) as refused:
        services.repair_log_add(order=assigned_order, acting_user=technician, text="   ")
    assert refused.value.message_dict == {"text": ["This field is required."]}
    entry = services.repair_log_add(order=assigned_order, acting_user=technician, text="拆检充电器")
    event = TimelineEvent.objects.get(order=assigned_order, kind=EventKind.REPAIR_LOG)
    assert (event.note, event.data) == ("拆检充电器", {"entry": entry.pk})


def test_part_used_is_a_priced_material_line_and_bad_numbers_name_the_field(
    assigned_order: Any, technician: Any
) -> None:
    services.fieldwork_check_in(order=assigned_order, acting_user=technician)
    line = services.part_use(
        order=assigned_order, acting_user=technician, name="刹车片", quantity="2", unit_price="45.505"
    )
    assert (line.quantity, line.unit_price, line.subtotal) == (Decimal("2.00"), Decimal("45.51"), Decimal("91.02"))
    with pytest.raises(ValidationError) as refused:
        services.part_use(order=assigned_order, acting_user=technician, name="刹车片", quantity="0", unit_price="1")
    assert list(refused.value.message_dict) == ["quantity"]
    with pytest.raises(ValidationError) as refused:
        services.part_use(order=assigned_order, acting_user=technician, name="刹车片", quantity="1", unit_price="abc")
    assert refused.value.message_dict == {"unit_price": ["Enter a number such as 1 or 12.50."]}


JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 300


@override_settings(ATTACHMENT_MAX_BYTES=200)
def test_an_oversize_photo_is_refused_naming_the_photo_field(assigned_order: Any, technician: Any) -> None:
    services.fieldwork_check_in(order=assigned_order, acting_user=technician)
    upload = SimpleUploadedFile("site.jpg", JPEG, content_type="image/jpeg")
    with pytest.raises(ValidationError) as refused:
        services.photo_add(order=assigned_order, acting_user=technician, upload=upload)
    assert refused.value.message_dict == {"photo": ["The file is too large (304\xa0bytes); the limit is 200\xa0bytes."]}
    assert assigned_order.attachments.count() == 0


def test_a_photo_is_attached_and_a_pdf_is_not_a_photo(assigned_order: Any, technician: Any) -> None:
    services.fieldwork_check_in(order=assigned_order, acting_user=technician)
    photo = services.photo_add(
        order=assigned_order, acting_user=technician, upload=SimpleUploadedFile("site.jpg", JPEG)
    )
    assert (photo.kind, photo.uploaded_by) == ("photo", technician)
    with pytest.raises(ValidationError) as refused:
        services.photo_add(
            order=assigned_order, acting_user=technician, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 xxxx")
        )
    assert refused.value.message_dict == {"photo": ["Only photos (JPEG, PNG, GIF, WebP) can be added here."]}


def test_qc_cannot_be_passed_by_the_technician_who_did_the_work(
    assigned_order: Any, technician: Any, qc_inspector: Any
) -> None:
    run_visit_to_qc(assigned_order, technician)
    with pytest.raises(PermissionDenied):
        services.qc_decide(order=assigned_order, acting_user=technician, passed=True)
    order = services.qc_decide(order=assigned_order, acting_user=qc_inspector, passed=False, note="输出线未固定")
    assert order.status == Status.IN_PROGRESS
    services.work_submit_qc(order=order, acting_user=technician, note="固定输出线")
    order = services.qc_decide(order=order, acting_user=qc_inspector, passed=True, note="合格")
    assert order.status == Status.AWAITING_SIGNOFF


def test_work_sent_to_qc_without_a_note_carries_the_repair_log(assigned_order: Any, technician: Any) -> None:
    run_visit_to_qc(assigned_order, technician)
    event = TimelineEvent.objects.get(order=assigned_order, kind=EventKind.SUBMIT_QC)
    assert event.note == "更换充电器输出线，测试充电正常"


@pytest.mark.parametrize(
    ("image", "message"),
    [
        pytest.param(png_data_url(ink=False), "The signature is empty: ask the customer to sign.", id="transparent"),
        pytest.param(
            png_data_url(ink=False, background=(255, 255, 255, 255)),
            "The signature is empty: ask the customer to sign.",
            id="white",
        ),
        pytest.param("", "The customer has not signed yet.", id="nothing"),
        pytest.param("data:image/jpeg;base64,/9j/4AAQ", "The signature must be a PNG image.", id="jpeg"),
        pytest.param("data:image/png;base64,not base64!", "The signature is not a valid base64 PNG image.", id="junk"),
    ],
)
def test_an_empty_or_broken_signature_is_refused(
    assigned_order: Any, technician: Any, qc_inspector: Any, image: str, message: str
) -> None:
    run_visit_to_qc(assigned_order, technician)
    services.qc_decide(order=assigned_order, acting_user=qc_inspector, passed=True)
    with pytest.raises(ValidationError) as refused:
        services.signature_capture(order=assigned_order, acting_user=technician, image=image, signer_name="张三丰")
    assert refused.value.message_dict == {"signature": [message]}
    assigned_order.refresh_from_db()
    assert assigned_order.status == Status.AWAITING_SIGNOFF
    assert CustomerSignature.objects.count() == 0


def test_signature_needs_the_signers_name(assigned_order: Any, technician: Any, qc_inspector: Any) -> None:
    run_visit_to_qc(assigned_order, technician)
    services.qc_decide(order=assigned_order, acting_user=qc_inspector, passed=True)
    with pytest.raises(ValidationError) as refused:
        services.signature_capture(order=assigned_order, acting_user=technician, image=png_data_url(), signer_name=" ")
    assert refused.value.message_dict == {"signer_name": ["This field is required."]}


def test_signature_before_qc_is_refused(assigned_order: Any, technician: Any) -> None:
    services.fieldwork_check_in(order=assigned_order, acting_user=technician)
    with pytest.raises(TransitionNotAllowed, match="once QC has passed"):
        services.signature_capture(
            order=assigned_order, acting_user=technician, image=png_data_url(), signer_name="张三丰"
        )


def test_signature_signs_off_and_the_report_reads_back_in_chinese(
    assigned_order: Any, technician: Any, qc_inspector: Any, tmp_path: Path
) -> None:
    for code in ("certificate-shown", "shoe-covers"):
        services.checklist_mark(order=assigned_order, acting_user=technician, item_code=code)
    run_visit_to_qc(assigned_order, technician)
    services.qc_decide(order=assigned_order, acting_user=qc_inspector, passed=True, note="合格")
    signature = services.signature_capture(
        order=assigned_order, acting_user=technician, image=png_data_url(), signer_name="张三丰"
    )
    assigned_order.refresh_from_db()
    assert assigned_order.status == Status.COMPLETED
    assert assigned_order.applicant_signature == "张三丰"
    assert signature.image.read().startswith(b"\x89PNG")
    sign_event = TimelineEvent.objects.get(order=assigned_order, kind=EventKind.SIGNATURE)
    assert sign_event.data["signature"] == signature.pk
    assert TimelineEvent.objects.get(order=assigned_order, kind=EventKind.SIGN_OFF).actor_label == "customer"

    report = ServiceReport.objects.get(order=assigned_order)
    text = pdf_text(report.file.read(), tmp_path)
    for expected in (
        "服务报告单",
        assigned_order.number,
        report.number,
        "张三丰",
        "充电器输出端接触不良",
        "充电器输出线",
        "35.50",
        "更换充电器输出线，测试充电正常",
        "质检验收：合格",
        "出示上岗证",
        "客户满意度",
        "维修技师：tech",
    ):
        assert expected in text, expected
    check_in = CheckIn.objects.get(order=assigned_order)
    assert f"到达时间：{timezone.localtime(check_in.at):%Y-%m-%d %H:%M}" in text


def test_the_report_embeds_the_signature_image(
    assigned_order: Any, technician: Any, qc_inspector: Any, tmp_path: Path
) -> None:
    import subprocess

    run_visit_to_qc(assigned_order, technician)
    services.qc_decide(order=assigned_order, acting_user=qc_inspector, passed=True)
    services.signature_capture(order=assigned_order, acting_user=technician, image=png_data_url(), signer_name="张三丰")
    path = tmp_path / "r.pdf"
    path.write_bytes(ServiceReport.objects.get(order=assigned_order).file.read())
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, check=True, text=True).stdout
    assert " 300   120 " in images


def test_customer_objection_goes_back_to_work_and_is_escalated(
    assigned_order: Any, technician: Any, qc_inspector: Any
) -> None:
    run_visit_to_qc(assigned_order, technician)
    services.qc_decide(order=assigned_order, acting_user=qc_inspector, passed=True)
    order = services.objection_record(order=assigned_order, acting_user=technician, reason="充电仍然很慢")
    assert order.status == Status.IN_PROGRESS
    kinds = list(order.events.order_by("id").values_list("kind", "note"))[-2:]
    assert kinds == [("object", "充电仍然很慢"), ("escalated", "Customer objection escalated to the supervisor.")]


def test_the_report_waits_for_qc(assigned_order: Any, agent: Any) -> None:
    with pytest.raises(TransitionNotAllowed, match="once QC has passed"):
        services.service_report_generate(order=assigned_order, acting_user=agent)
