"""The technician's phone (issue 18 point 8): a tick or an explanation answers only that item's row
and the open-items warning (htmx), the form still posts without JavaScript; pause (暂停 / 等待备件 /
等待客户) and resume from the job page with timeline events; parts picked from the parts price
list (search as you type, with a plain GET fallback), a part typed by hand marked as not on the
list; photos as server-side thumbnails that open the full photo; a technician signs in to today's
jobs."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from billing.services import PartPriceSpec, part_price_list_create
from core.exceptions import TransitionNotAllowed
from core.testing import make_user
from fieldwork import services, thumbnails
from fieldwork.models import ChecklistItem
from workorders.choices import EventKind, Status, WaitReason
from workorders.models import TimelineEvent

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-2026"  # core.testing.make_user's default


def client_for(user: Any) -> Client:
    user.profile.language = "en"
    user.profile.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def working_order(assigned_order: Any, technician: Any) -> Any:
    services.fieldwork_check_in(order=assigned_order, acting_user=technician, at=timezone.now() - timedelta(minutes=5))
    assigned_order.refresh_from_db()
    return assigned_order


@pytest.fixture
def price_list(db: Any) -> Any:
    return part_price_list_create(
        acting_user=None,
        effective_from=date(2024, 1, 1),
        prices=[
            PartPriceSpec("BAT-48V", "48V 锂电池", Decimal("1280.00"), "块"),
            PartPriceSpec("BRK-PAD", "刹车片", Decimal("45.50"), "副"),
            PartPriceSpec("CHG-LINE", "充电器输出线", Decimal("35.50"), "根"),
        ],
    )


def png_upload(
    name: str = "after-repair.png", size: tuple[int, int] = (640, 480), *, noise: bool = False
) -> SimpleUploadedFile:
    """A photo; ``noise``: like a camera's (a plain colour compresses to almost nothing)."""
    from PIL import Image

    buffer = io.BytesIO()
    image = Image.effect_noise(size, 64).convert("RGB") if noise else Image.new("RGB", size, (40, 120, 200))
    image.save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- 1. a tick swaps only its row ------------------------------------------------------------------


def test_an_htmx_tick_answers_only_the_items_row_and_the_open_items_warning(
    working_order: Any, technician: Any
) -> None:
    codes = list(ChecklistItem.objects.filter(is_active=True).values_list("code", flat=True))
    response = client_for(technician).post(
        reverse("fieldwork:action", args=[working_order.pk, "checklist"]),
        {"item": codes[0], "checked": "1"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<nav" not in html
    assert html.count('class="list-group-item"') == 1
    assert f'id="check-row-{codes[0]}" data-state="done"' in html
    assert f'id="check-{codes[0]}" data-checked="1"' in html
    # The warning above "Send to QC", out of band: the ticked item is gone, the others are listed.
    assert '<div id="checklist-open-slot" hx-swap-oob="true">' in html
    warning = html[html.index('id="checklist-open"') :]
    assert f'data-item="{codes[0]}"' not in warning
    assert all(f'data-item="{code}"' in warning for code in codes[1:])


def test_the_last_tick_empties_the_warning_slot(working_order: Any, technician: Any) -> None:
    codes = list(ChecklistItem.objects.filter(is_active=True).values_list("code", flat=True))
    for code in codes[:-1]:
        services.checklist_mark(order=working_order, acting_user=technician, item_code=code)
    html = (
        client_for(technician)
        .post(
            reverse("fieldwork:action", args=[working_order.pk, "checklist"]),
            {"item": codes[-1], "checked": "1"},
            HTTP_HX_REQUEST="true",
        )
        .content.decode()
    )
    assert '<div id="checklist-open-slot" hx-swap-oob="true">' in html
    assert 'id="checklist-open"' not in html


def test_the_job_page_wires_the_checklist_forms_to_htmx_with_a_plain_post_fallback(
    working_order: Any, technician: Any
) -> None:
    html = client_for(technician).get(reverse("fieldwork:job", args=[working_order.pk])).content.decode()
    url = reverse("fieldwork:action", args=[working_order.pk, "checklist"])
    assert f'<form method="post" action="{url}"' in html
    assert f'hx-post="{url}" hx-target="#check-row-' in html
    assert 'id="checklist-open-slot"' in html
    assert 'name="htmx-config"' in html


def test_a_tick_without_javascript_still_reloads_the_page(working_order: Any, technician: Any) -> None:
    code = ChecklistItem.objects.filter(is_active=True).values_list("code", flat=True).first()
    response = client_for(technician).post(
        reverse("fieldwork:action", args=[working_order.pk, "checklist"]), {"item": code, "checked": "1"}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/field/jobs/{working_order.pk}/#checklist")


def test_an_htmx_explanation_without_a_reason_answers_the_row_with_the_refusal(
    working_order: Any, technician: Any
) -> None:
    response = client_for(technician).post(
        reverse("fieldwork:action", args=[working_order.pk, "checklist-explain"]),
        {"item": "customer-inspected", "reason": "  "},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="check-row-customer-inspected" data-state="open"' in html
    assert "Reason: This field is required." in html


def test_an_htmx_explanation_records_the_reason_in_the_row(working_order: Any, technician: Any) -> None:
    response = client_for(technician).post(
        reverse("fieldwork:action", args=[working_order.pk, "checklist-explain"]),
        {"item": "customer-inspected", "reason": "客户临时外出"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="check-row-customer-inspected" data-state="explained"' in html
    assert "客户临时外出" in html
    assert 'data-item="customer-inspected"' not in html[html.index("checklist-open-slot") :]


def test_an_htmx_tick_of_an_unknown_item_swaps_nothing(working_order: Any, technician: Any) -> None:
    response = client_for(technician).post(
        reverse("fieldwork:action", args=[working_order.pk, "checklist"]),
        {"item": "no-such-item", "checked": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert response["HX-Reswap"] == "none"
    assert "Checklist item: Unknown checklist item." in response.content.decode()


# --- 2. pause and resume -----------------------------------------------------------------------------


@pytest.mark.parametrize("reason", [WaitReason.PARTS, WaitReason.CUSTOMER, WaitReason.OTHER])
def test_pausing_waits_with_the_reason_on_the_timeline_and_resuming_goes_back_to_work(
    working_order: Any, technician: Any, reason: str
) -> None:
    order = services.work_pause(order=working_order, acting_user=technician, wait_reason=reason, note="备件明天到")
    assert (order.status, order.wait_reason) == (Status.WAITING, reason)
    event = TimelineEvent.objects.filter(order=order, kind=EventKind.PAUSE).get()
    assert (event.from_status, event.to_status, event.note) == (Status.IN_PROGRESS, Status.WAITING, "备件明天到")
    assert event.data["wait_reason"] == reason
    assert event.actor == technician

    order = services.work_resume(order=order, acting_user=technician)
    assert (order.status, order.wait_reason) == (Status.IN_PROGRESS, "")
    resumed = TimelineEvent.objects.filter(order=order, kind=EventKind.RESUME).get()
    assert (resumed.from_status, resumed.to_status) == (Status.WAITING, Status.IN_PROGRESS)


def test_a_pause_without_a_known_reason_names_the_field(working_order: Any, technician: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.work_pause(order=working_order, acting_user=technician, wait_reason="lunch")
    assert refused.value.message_dict == {"wait_reason": ["Choose what the work is waiting for."]}
    working_order.refresh_from_db()
    assert working_order.status == Status.IN_PROGRESS


def test_only_work_in_progress_is_paused_and_only_waiting_work_resumed(assigned_order: Any, technician: Any) -> None:
    with pytest.raises(TransitionNotAllowed):
        services.work_pause(order=assigned_order, acting_user=technician, wait_reason=WaitReason.PARTS)
    with pytest.raises(TransitionNotAllowed):
        services.work_resume(order=assigned_order, acting_user=technician)


def test_another_technician_may_not_pause_the_job(working_order: Any, org: Any) -> None:
    other = make_user("technician", org.centre, username="tech_other")
    with pytest.raises(PermissionDenied):
        services.work_pause(order=working_order, acting_user=other, wait_reason=WaitReason.PARTS)


def test_the_job_page_pauses_with_three_buttons_and_shows_the_paused_state_with_resume(
    working_order: Any, technician: Any
) -> None:
    client = client_for(technician)
    page = reverse("fieldwork:job", args=[working_order.pk])
    html = client.get(page).content.decode()
    for value in ("other", "parts", "customer"):
        assert f'name="wait_reason" value="{value}" id="pause-{value}"' in html
    assert 'id="paused"' not in html

    response = client.post(
        reverse("fieldwork:action", args=[working_order.pk, "pause"]),
        {"wait_reason": "parts", "note": "等电池到货"},
        follow=True,
    )
    html = response.content.decode()
    assert "The work is paused." in html
    assert 'id="paused" data-wait-reason="parts"' in html
    assert "Work paused: Waiting for parts" in html and "等电池到货" in html
    assert 'id="resume"' in html and 'id="pause-parts"' not in html

    html = client.post(reverse("fieldwork:action", args=[working_order.pk, "resume"]), follow=True).content.decode()
    assert "Back to work." in html
    assert 'id="paused"' not in html
    working_order.refresh_from_db()
    assert working_order.status == Status.IN_PROGRESS


def test_a_pause_from_the_page_with_a_forged_reason_shows_the_field(working_order: Any, technician: Any) -> None:
    response = client_for(technician).post(
        reverse("fieldwork:action", args=[working_order.pk, "pause"]), {"wait_reason": "lunch"}, follow=True
    )
    assert response.status_code == 200
    assert "Waiting for: Choose what the work is waiting for." in response.content.decode()


# --- 3. parts from the price list ----------------------------------------------------------------------


def test_a_part_picked_by_code_takes_the_price_lists_name_unit_and_price(
    working_order: Any, technician: Any, price_list: Any
) -> None:
    line = services.part_use(
        order=working_order,
        acting_user=technician,
        part_code="BRK-PAD",
        name="whatever",
        quantity="2",
        unit_price="0.01",
    )
    assert (line.name, line.model, line.unit_of_measure, line.unit_price, line.subtotal) == (
        "刹车片",
        "BRK-PAD",
        "副",
        Decimal("45.50"),
        Decimal("91.00"),
    )
    event = TimelineEvent.objects.filter(order=working_order, kind=EventKind.UPDATED, note="Material added").get()
    assert event.data["material"] == "刹车片"


def test_an_unknown_part_code_names_the_field(working_order: Any, technician: Any, price_list: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        services.part_use(order=working_order, acting_user=technician, part_code="NOPE", quantity="1")
    assert refused.value.message_dict == {"part_code": ["Part code “NOPE” is not on the price list in force."]}


def test_the_search_as_you_type_lists_matching_parts_of_the_price_list(
    working_order: Any, technician: Any, price_list: Any
) -> None:
    client = client_for(technician)
    url = reverse("fieldwork:part_search", args=[working_order.pk])
    html = client.get(url, {"part_q": "电池"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in html
    assert 'data-code="BAT-48V"' in html and "¥1280.00/块" in html
    assert 'data-code="BRK-PAD"' not in html
    by_code = client.get(url, {"part_q": "brk"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-code="BRK-PAD"' in by_code and 'data-code="BAT-48V"' not in by_code
    nothing = client.get(url, {"part_q": "轮胎"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="part-no-results"' in nothing


def test_picking_a_part_fills_the_form_read_only_and_clears_the_results(
    working_order: Any, technician: Any, price_list: Any
) -> None:
    client = client_for(technician)
    url = reverse("fieldwork:part_pick", args=[working_order.pk])
    html = client.get(url, {"code": "CHG-LINE"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-source="price_list"' in html
    assert '<input type="hidden" name="part_code" value="CHG-LINE">' in html
    assert 'id="part-name" class="form-control" maxlength="100" required value="充电器输出线" readonly' in html
    assert 'value="35.50" readonly' in html and 'value="根" readonly' in html
    assert '<div id="part-results" hx-swap-oob="true"></div>' in html
    free = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-source="free_text"' in free and 'name="part_code"' not in free


def test_without_javascript_the_search_and_the_pick_reload_the_job_page(
    working_order: Any, technician: Any, price_list: Any
) -> None:
    client = client_for(technician)
    page = reverse("fieldwork:job", args=[working_order.pk])
    html = client.get(page, {"part_q": "刹车"}).content.decode()
    assert f'href="{page}?part_code=BRK-PAD#parts"' in html
    picked = client.get(page, {"part_code": "BRK-PAD"}).content.decode()
    assert '<input type="hidden" name="part_code" value="BRK-PAD">' in picked


def test_the_parts_list_marks_a_part_typed_by_hand_as_not_on_the_price_list(
    working_order: Any, technician: Any, price_list: Any
) -> None:
    client = client_for(technician)
    action = reverse("fieldwork:action", args=[working_order.pk, "part"])
    client.post(action, {"part_code": "BAT-48V", "quantity": "1"})
    client.post(
        action, {"name": "自备螺丝", "model": "M5", "unit_of_measure": "颗", "quantity": "4", "unit_price": "0.5"}
    )
    # Typed by hand with a code of the list but another price: still not the list's part.
    client.post(action, {"name": "刹车片", "model": "BRK-PAD", "quantity": "1", "unit_price": "30"})

    html = client.get(reverse("fieldwork:job", args=[working_order.pk])).content.decode()
    lines = html[html.index('id="part-lines"') : html.index("</ul>", html.index('id="part-lines"'))]
    rows = lines.split("<li")[1:]
    assert len(rows) == 3
    assert 'data-source="price_list"' in rows[0] and "48V 锂电池 (BAT-48V) × 1块" in rows[0]
    assert "From the price list" in rows[0]
    assert 'data-source="free_text"' in rows[1] and "Not on the price list" in rows[1] and "× 4颗" in rows[1]
    assert 'data-source="free_text"' in rows[2] and "Not on the price list" in rows[2]


def test_a_part_form_with_a_bad_code_shows_the_field(working_order: Any, technician: Any, price_list: Any) -> None:
    response = client_for(technician).post(
        reverse("fieldwork:action", args=[working_order.pk, "part"]), {"part_code": "X", "quantity": "1"}, follow=True
    )
    assert "Part code: Part code “X” is not on the price list in force." in response.content.decode()


# --- 4. photos as thumbnails ----------------------------------------------------------------------------


def test_the_job_page_shows_each_photo_as_a_thumbnail_opening_the_full_photo(
    working_order: Any, technician: Any
) -> None:
    photo = services.photo_add(order=working_order, acting_user=technician, upload=png_upload())
    html = client_for(technician).get(reverse("fieldwork:job", args=[working_order.pk])).content.decode()
    full = reverse("workorders:attachment", args=[working_order.pk, photo.pk])
    thumb = reverse("fieldwork:photo_thumbnail", args=[working_order.pk, photo.pk])
    assert f'<a href="{full}" class="photo-link" data-bs-toggle="modal" data-bs-target="#photo-modal"' in html
    assert f'<img class="qc-thumb photo-thumb" src="{thumb}" alt="after-repair.png" width="96" height="96"' in html
    assert 'id="photo-modal"' in html and "fieldwork/photos.js" in html


def test_a_thumbnail_is_a_small_jpeg_made_once(working_order: Any, technician: Any) -> None:
    from PIL import Image

    photo = services.photo_add(
        order=working_order, acting_user=technician, upload=png_upload(size=(1600, 1200), noise=True)
    )
    storage = photo.file.storage
    name = thumbnails.thumbnail_name(photo)
    if storage.exists(name):
        storage.delete(name)
    client = client_for(technician)
    url = reverse("fieldwork:photo_thumbnail", args=[working_order.pk, photo.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("JPEG", (192, 144))
    assert len(response.content) < photo.size
    assert storage.exists(name)
    assert client.get(url).content == response.content


def test_a_photo_pillow_cannot_read_falls_back_to_the_photo(working_order: Any, technician: Any) -> None:
    broken = SimpleUploadedFile("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 200, content_type="image/png")
    photo = services.photo_add(order=working_order, acting_user=technician, upload=broken)
    response = client_for(technician).get(reverse("fieldwork:photo_thumbnail", args=[working_order.pk, photo.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("workorders:attachment", args=[working_order.pk, photo.pk])


def test_another_stations_technician_gets_no_thumbnail(
    working_order: Any, technician: Any, station_b_technician: Any
) -> None:
    photo = services.photo_add(order=working_order, acting_user=technician, upload=png_upload())
    response = client_for(station_b_technician).get(
        reverse("fieldwork:photo_thumbnail", args=[working_order.pk, photo.pk])
    )
    assert response.status_code == 404


# --- 5. a technician signs in to today's jobs ---------------------------------------------------------


def sign_in(user: Any, next_url: str | None = None) -> Any:
    query = f"?next={next_url}" if next_url is not None else ""
    return Client().post(f"/login/{query}", {"username": user.username, "password": PASSWORD})


def test_a_technician_signs_in_to_todays_jobs(technician: Any) -> None:
    response = sign_in(technician)
    assert response.status_code == 302
    assert response["Location"] == reverse("fieldwork:my_jobs")


@pytest.mark.parametrize("role", ["agent", "dispatcher", "qc_inspector", "director", "finance"])
def test_other_roles_still_sign_in_to_the_console_home(org: Any, role: str) -> None:
    user = make_user(role, org.hq, username=f"signin-{role}")
    response = sign_in(user)
    assert response.status_code == 302
    if role in settings.TWO_FACTOR_REQUIRED_ROLES:  # the sign-in goes on with the second factor first
        assert response["Location"] == reverse("core:two_factor_enrol")
    else:
        assert response["Location"] == reverse("home")


def test_next_still_wins_for_a_technician(technician: Any, assigned_order: Any) -> None:
    wanted = reverse("fieldwork:job", args=[assigned_order.pk])
    assert sign_in(technician, wanted)["Location"] == wanted


def test_next_pointing_at_the_site_address_is_the_default_landing(technician: Any, agent: Any) -> None:
    """Opening the site's address sends to /login/?next=/: the technician still lands on the jobs."""
    assert sign_in(technician, "/")["Location"] == reverse("fieldwork:my_jobs")
    assert sign_in(agent, "/")["Location"] == "/"
