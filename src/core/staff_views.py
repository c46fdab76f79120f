"""The staff console: people (roles, unit, account) and units (with their coverage regions).
Thin: forms → core.staff, which decides who may do what."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core import staff
from core.changelog import history_for
from core.choices import Role, choice_labels
from core.exceptions import VersionConflict
from core.forms import add_service_errors, add_submission_token, create_once, form_int
from core.staff_forms import OrgUnitForm, StaffFilterForm, StaffUserForm, regions_text

PAGE_SIZE = 25


def _person_or_404(request: HttpRequest, person_id: int) -> Any:
    person = staff.staff_visible_to(request.user).filter(pk=person_id).first()
    if person is None:
        raise Http404
    return person


def _active_filter(value: str) -> bool | None:
    return {"1": True, "0": False}.get(value)


@login_required
@permission_required("auth.view_user", raise_exception=True)
def staff_list(request: HttpRequest) -> HttpResponse:
    form = StaffFilterForm(request.GET or None, user=request.user)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    people = staff.staff_search(
        request.user,
        query=data.get("q") or "",
        unit=data["unit"].pk if data.get("unit") else None,
        role=data.get("role") or "",
        active=_active_filter(data.get("active") or ""),
    )
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"person": person, "roles": choice_labels(Role, staff.person_roles(person))} for person in page]
    return render(request, "core/staff/user_list.html", {"form": form, "page": page, "rows": rows})


def _user_form_context(form: StaffUserForm, person: Any) -> dict[str, Any]:
    context: dict[str, Any] = {"form": form, "person": person}
    if person is not None:
        context["history"] = list(history_for(person.profile).order_by("-at")[:20])
    return context


def _service_error(form: Any, error: Exception) -> int:
    if isinstance(error, VersionConflict):
        form.add_error(None, error.message)
        return 409
    if isinstance(error, PermissionDenied):
        form.add_error(None, str(error))
        return 403
    assert isinstance(error, ValidationError)
    add_service_errors(form, error)
    return 400


@login_required
@permission_required("auth.add_user", raise_exception=True)
def staff_create(request: HttpRequest) -> HttpResponse:
    form = StaffUserForm(request.POST or None, user=request.user)
    add_submission_token(form)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                person_id, _replayed = create_once(
                    form,
                    user=request.user,
                    scope="core.staff_create",
                    create=lambda: (
                        staff.staff_user_create(
                            acting_user=request.user,
                            username=data["username"],
                            full_name=data["full_name"],
                            email=data["email"],
                            phone=data["phone"],
                            unit=data["unit"],
                            roles=data["roles"],
                            language=data["language"],
                            password=data["password"],
                        ).pk
                    ),
                )
            except (ValidationError, PermissionDenied) as error:
                status = _service_error(form, error)
            else:
                messages.success(request, _("%(name)s was added to the staff.") % {"name": data["full_name"]})
                return redirect("core:staff_edit", person_id=person_id)
    return render(request, "core/staff/user_form.html", _user_form_context(form, None), status=status)


@login_required
@permission_required("auth.change_user", raise_exception=True)
def staff_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = _person_or_404(request, person_id)
    initial = {
        "username": person.username,
        "full_name": person.first_name,
        "email": person.email,
        "phone": person.profile.phone,
        "unit": person.profile.unit_id,
        "roles": staff.person_roles(person),
        "language": person.profile.language,
        "is_active": person.is_active,
        "version": person.profile.version,
    }
    form = StaffUserForm(request.POST or None, user=request.user, person=person, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version", None)
            if not data.get("password"):
                data.pop("password", None)
            try:
                staff.staff_user_update(acting_user=request.user, person=person, changes=data, expected_version=version)
            except (ValidationError, PermissionDenied, VersionConflict) as error:
                status = _service_error(form, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("core:staff_edit", person_id=person.pk)
    return render(request, "core/staff/user_form.html", _user_form_context(form, person), status=status)


@login_required
@permission_required("core.view_orgunit", raise_exception=True)
def unit_list(request: HttpRequest) -> HttpResponse:
    units = staff.units_visible_to(request.user)
    page = Paginator(units, PAGE_SIZE).get_page(form_int(request.GET.get("page"), 1))
    return render(request, "core/staff/unit_list.html", {"page": page})


@login_required
@permission_required("core.add_orgunit", raise_exception=True)
def unit_create(request: HttpRequest) -> HttpResponse:
    form = OrgUnitForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                unit = staff.org_unit_create(
                    acting_user=request.user,
                    code=data["code"],
                    name=data["name"],
                    kind=data["kind"],
                    parent=data["parent"],
                    phone=data["phone"],
                    address=data["address"],
                    regions=data["regions"],
                )
            except (ValidationError, PermissionDenied) as error:
                status = _service_error(form, error)
            else:
                messages.success(request, _("Unit %(unit)s created.") % {"unit": unit.name})
                return redirect("core:units")
    return render(request, "core/staff/unit_form.html", {"form": form, "unit": None}, status=status)


@login_required
@permission_required("core.change_orgunit", raise_exception=True)
def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = staff.units_visible_to(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise Http404
    initial = {
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": unit.parent_id,
        "phone": unit.phone,
        "address": unit.address,
        "regions": regions_text(unit),
        "is_active": unit.is_active,
        "version": unit.version,
    }
    form = OrgUnitForm(request.POST or None, unit=unit, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            version = data.pop("version", None)
            try:
                staff.org_unit_update(acting_user=request.user, unit=unit, changes=data, expected_version=version)
            except (ValidationError, PermissionDenied, VersionConflict) as error:
                status = _service_error(form, error)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("core:units")
    members = unit.members.select_related("user").order_by("user__username")[:50]
    return render(request, "core/staff/unit_form.html", {"form": form, "unit": unit, "members": members}, status=status)
