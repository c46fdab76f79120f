"""The staff console and API (issue 10, point 6): people, roles, units and coverage regions managed
without Django's admin, so an HR system can sync staff; who may grant what is one policy."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from core import staff
from core.changelog import history_for
from core.choices import Role, UnitKind
from core.exceptions import VersionConflict
from core.models import ApiToken, CoverageRegion, OrgUnit, UserProfile
from core.testing import make_user

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def admin(org: Any) -> Any:
    return make_user(Role.ADMIN, org.hq, username="admin")


@pytest.fixture
def centre_director(org: Any) -> Any:
    return make_user(Role.DIRECTOR, org.centre, username="centre_director")


def body(**fields: Any) -> dict[str, Any]:
    return {
        "username": "wang.fang",
        "full_name": "王芳",
        "phone": "13800001111",
        "unit": None,
        "roles": [Role.AGENT],
        **fields,
    }


# --- the policy ---------------------------------------------------------------------------------


def test_an_admin_may_grant_every_role_in_every_unit(admin: Any, org: Any) -> None:
    decision = staff.staff_edit_decision(admin, unit=org.station_b, roles=[Role.ADMIN, Role.DIRECTOR])
    assert decision.allowed and decision.reasons == []


def test_a_director_grants_no_role_above_their_own_and_only_in_their_units(centre_director: Any, org: Any) -> None:
    assert staff.staff_edit_decision(centre_director, unit=org.station_a, roles=[Role.TECHNICIAN]).allowed
    above = staff.staff_edit_decision(centre_director, unit=org.station_a, roles=[Role.DIRECTOR])
    assert not above.allowed and len(above.reasons) == 1
    elsewhere = staff.staff_edit_decision(centre_director, unit=org.station_b, roles=[Role.TECHNICIAN])
    assert not elsewhere.allowed


def test_a_director_edits_no_admin_or_director(centre_director: Any, org: Any) -> None:
    other = make_user(Role.DIRECTOR, org.station_a, username="station_director")
    assert not staff.staff_edit_decision(centre_director, unit=org.station_a, roles=[Role.AGENT], target=other).allowed


def test_an_agent_may_not_manage_staff(agent: Any, org: Any) -> None:
    assert not staff.staff_edit_decision(agent, unit=org.hq, roles=[Role.AGENT]).allowed


# --- services ---------------------------------------------------------------------------------------


def test_creating_a_person_gives_roles_unit_and_a_logged_history(admin: Any, org: Any) -> None:
    person = staff.staff_user_create(
        acting_user=admin, username="li.lei", full_name="李雷", unit=org.station_a, roles=[Role.TECHNICIAN], phone="139"
    )
    assert person.profile.unit == org.station_a
    assert staff.person_roles(person) == [Role.TECHNICIAN]
    assert not person.has_usable_password()  # synced without a password: cannot sign in yet
    created = [entry.after for entry in history_for(person.profile) if entry.action == "create"]
    assert {"roles": [Role.TECHNICIAN]}.items() <= {k: v for after in created for k, v in (after or {}).items()}.items()


def test_a_taken_user_name_is_refused_whatever_its_case(admin: Any, agent: Any, org: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        staff.staff_user_create(acting_user=admin, username="AGENT", full_name="x", unit=org.hq, roles=[Role.AGENT])
    assert "username" in refused.value.message_dict


def test_a_weak_password_is_refused_and_nothing_is_saved(admin: Any, org: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        staff.staff_user_create(
            acting_user=admin, username="weak", full_name="弱", unit=org.hq, roles=[Role.AGENT], password="123"
        )
    assert "password" in refused.value.message_dict
    assert not User.objects.filter(username="weak").exists()


def test_deactivating_someone_ends_their_api_tokens_but_not_yourself(admin: Any, agent: Any) -> None:
    ApiToken.issue(agent)
    staff.staff_user_update(acting_user=admin, person=agent, changes={"is_active": False})
    assert not User.objects.get(pk=agent.pk).is_active
    assert not ApiToken.objects.filter(user=agent, is_active=True).exists()
    with pytest.raises(ValidationError) as refused:
        staff.staff_user_update(acting_user=admin, person=admin, changes={"is_active": False})
    assert "is_active" in refused.value.message_dict


def test_an_edit_from_an_old_version_is_refused(admin: Any, agent: Any) -> None:
    version = agent.profile.version
    staff.staff_user_update(acting_user=admin, person=agent, changes={"phone": "1"}, expected_version=version)
    with pytest.raises(VersionConflict):
        staff.staff_user_update(acting_user=admin, person=agent, changes={"phone": "2"}, expected_version=version)
    assert UserProfile.objects.get(user=agent).phone == "1"


def test_a_director_cannot_promote_or_move_someone_out_of_their_units(centre_director: Any, org: Any) -> None:
    tech = make_user(Role.TECHNICIAN, org.station_a, username="t1")
    with pytest.raises(PermissionDenied):
        staff.staff_user_update(acting_user=centre_director, person=tech, changes={"roles": [Role.ADMIN]})
    with pytest.raises(PermissionDenied):
        staff.staff_user_update(acting_user=centre_director, person=tech, changes={"unit": org.station_b})
    assert staff.person_roles(User.objects.get(pk=tech.pk)) == [Role.TECHNICIAN]
    assert UserProfile.objects.get(user=tech).unit == org.station_a


def test_a_unit_with_regions_and_a_parent_that_would_loop_is_refused(admin: Any, org: Any) -> None:
    unit = staff.org_unit_create(
        acting_user=admin,
        code="HZ-BJ",
        name="滨江特约维修站",
        kind=UnitKind.STATION,
        parent=org.centre,
        regions=[("330108", "滨江区")],
    )
    assert list(unit.regions.values_list("adcode_prefix", "name")) == [("330108", "滨江区")]
    with pytest.raises(ValidationError) as loop:
        staff.org_unit_update(acting_user=admin, unit=org.centre, changes={"parent": unit})
    assert "parent" in loop.value.message_dict
    with pytest.raises(ValidationError) as bad_code:
        staff.org_unit_update(acting_user=admin, unit=unit, changes={"regions": [("33010", "x")]})
    assert "regions" in bad_code.value.message_dict
    assert CoverageRegion.objects.filter(unit=unit).count() == 1


def test_a_unit_with_active_staff_stays_active(admin: Any, org: Any, station_a_user: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        staff.org_unit_update(acting_user=admin, unit=org.station_a, changes={"is_active": False})
    assert "is_active" in refused.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_edits_of_one_person_do_not_lose_either(org: Any) -> None:
    admin = make_user(Role.ADMIN, org.hq, username="admin_c")
    person = make_user(Role.AGENT, org.hq, username="agent_c")
    version = UserProfile.objects.get(user=person).version
    outcomes: list[str] = []

    def edit(phone: str) -> None:
        try:
            staff.staff_user_update(
                acting_user=admin, person=person, changes={"phone": phone}, expected_version=version
            )
            outcomes.append("saved")
        except VersionConflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(phone,)) for phone in ("111", "222")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "saved"]
    assert UserProfile.objects.get(user=person).version == version + 1


# --- pages --------------------------------------------------------------------------------------


def test_a_director_adds_a_technician_in_the_console(client_as: Any, centre_director: Any, org: Any) -> None:
    client = client_as(centre_director)
    form = client.get(reverse("core:staff_create"))
    assert form.status_code == 200
    page = form.content.decode()
    assert 'value="technician"' in page and 'value="admin"' not in page  # not offered above their own
    answer = client.post(
        reverse("core:staff_create"),
        {
            "username": "zhao.qiang",
            "full_name": "赵强",
            "unit": org.station_a.pk,
            "roles": [Role.TECHNICIAN],
            "language": "zh-hans",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    person = User.objects.get(username="zhao.qiang")
    assert staff.person_roles(person) == [Role.TECHNICIAN]
    listing = client.get(reverse("core:staff"), {"q": "赵强"}).content.decode()
    assert "zhao.qiang" in listing


def test_a_refused_form_names_the_field_and_saves_nothing(client_as: Any, admin: Any, org: Any, agent: Any) -> None:
    answer = client_as(admin).post(
        reverse("core:staff_create"),
        {"username": "agent", "full_name": "重名", "unit": org.hq.pk, "roles": [Role.AGENT], "language": "zh-hans"},
    )
    assert answer.status_code == 400
    assert answer.context["form"].errors["username"]
    assert User.objects.filter(username__iexact="agent").count() == 1


def test_a_stale_edit_form_answers_409_and_keeps_the_newer_change(client_as: Any, admin: Any, agent: Any) -> None:
    client = client_as(admin)
    url = reverse("core:staff_edit", args=[agent.pk])
    fields = {
        "username": "agent",
        "full_name": "坐席",
        "unit": agent.profile.unit_id,
        "roles": [Role.AGENT],
        "language": "zh-hans",
        "is_active": "on",
        "version": agent.profile.version,
    }
    assert client.post(url, {**fields, "phone": "1"}).status_code == 302
    stale = client.post(url, {**fields, "phone": "2"})
    assert stale.status_code == 409
    assert UserProfile.objects.get(user=agent).phone == "1"


def test_the_unit_page_edits_regions(client_as: Any, admin: Any, org: Any) -> None:
    url = reverse("core:unit_edit", args=[org.station_a.pk])
    assert client_as(admin).get(url).status_code == 200
    answer = client_as(admin).post(
        url,
        {
            "code": org.station_a.code,
            "name": org.station_a.name,
            "kind": org.station_a.kind,
            "parent": org.centre.pk,
            "regions": "330106 西湖区\n330105 拱墅区",
            "is_active": "on",
            "version": OrgUnit.objects.get(pk=org.station_a.pk).version,
        },
    )
    assert answer.status_code == 302
    assert set(org.station_a.regions.values_list("adcode_prefix", flat=True)) == {"330106", "330105"}


def test_who_opens_the_staff_pages(client_as: Any, admin: Any, centre_director: Any, agent: Any, org: Any) -> None:
    station_b_tech = make_user(Role.TECHNICIAN, org.station_b, username="bj_tech")
    assert client_as(agent).get(reverse("core:staff")).status_code == 403
    assert client_as(centre_director).get(reverse("core:staff_edit", args=[station_b_tech.pk])).status_code == 404
    assert client_as(centre_director).get(reverse("core:unit_edit", args=[org.station_a.pk])).status_code == 403
    assert "bj_tech" not in client_as(centre_director).get(reverse("core:staff")).content.decode()
    assert "bj_tech" in client_as(admin).get(reverse("core:staff")).content.decode()


# --- API ----------------------------------------------------------------------------------------


def test_an_hr_system_syncs_a_person_through_the_api(api_as: Any, admin: Any, org: Any) -> None:
    api = api_as(admin)
    payload = body(unit=org.station_a.pk, roles=[Role.TECHNICIAN])
    created = api.post("/api/v1/staff", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="hr-1")
    assert created.status_code == 201, created.content
    again = api.post("/api/v1/staff", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="hr-1")
    assert again.status_code == 201 and again.json()["id"] == created.json()["id"]
    assert User.objects.filter(username="wang.fang").count() == 1
    person = created.json()
    assert person["roles"] == ["technician"] and person["unit"]["id"] == org.station_a.pk
    assert person["has_password"] is False
    moved = api.patch(
        f"/api/v1/staff/{person['id']}",
        {"version": person["version"], "unit": org.centre.pk, "roles": ["technician", "qc_inspector"]},
        content_type="application/json",
    )
    assert moved.status_code == 200, moved.content
    assert moved.json()["unit"]["id"] == org.centre.pk and moved.json()["version"] == person["version"] + 1
    stale = api.patch(
        f"/api/v1/staff/{person['id']}", {"version": person["version"], "phone": "1"}, content_type="application/json"
    )
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    listed = api.get("/api/v1/staff", {"role": "qc_inspector"}).json()
    assert [item["username"] for item in listed["items"]] == ["wang.fang"]


def test_the_api_refuses_bad_input_naming_the_field(api_as: Any, admin: Any, org: Any) -> None:
    api = api_as(admin)
    unknown_role = api.post("/api/v1/staff", body(unit=org.hq.pk, roles=["boss"]), content_type="application/json")
    assert unknown_role.status_code == 422
    no_unit = api.post("/api/v1/staff", body(unit=999999), content_type="application/json")
    assert no_unit.status_code == 400 and no_unit.json()["errors"][0]["field"] == "unit"
    assert not User.objects.filter(username="wang.fang").exists()


def test_a_director_may_not_make_an_admin_through_the_api(api_as: Any, centre_director: Any, org: Any) -> None:
    answer = api_as(centre_director).post(
        "/api/v1/staff", body(unit=org.station_a.pk, roles=["admin"]), content_type="application/json"
    )
    assert answer.status_code == 403 and answer.json()["code"] == "permission_denied"
    assert not User.objects.filter(username="wang.fang").exists()


def test_units_and_regions_through_the_api(api_as: Any, admin: Any, agent: Any, org: Any) -> None:
    api = api_as(admin)
    created = api.post(
        "/api/v1/units",
        {
            "code": "HZ-BJ",
            "name": "滨江特约维修站",
            "kind": "station",
            "parent": org.centre.pk,
            "regions": [{"code": "330108", "name": "滨江区"}],
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    unit = created.json()
    assert unit["regions"] == [{"code": "330108", "name": "滨江区"}]
    bad = api.patch(
        f"/api/v1/units/{unit['id']}",
        {"version": unit["version"], "regions": [{"code": "3301x"}]},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert api_as(agent).get("/api/v1/units").status_code == 200
    assert api_as(agent).get("/api/v1/units").json()["count"] == 0  # no permission: nothing listed
    assert (
        api_as(agent)
        .post("/api/v1/units", {"code": "X", "name": "X", "kind": "hq"}, content_type="application/json")
        .status_code
        == 403
    )
