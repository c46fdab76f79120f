"""Staff and units in the public API v1, so an HR system can sync people (issue 10, point 6): the
same rules as the console (core.staff decides who may do what). Thin: parse, call, serialise."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from core import staff
from core.api import ERROR_RESPONSES, DateTimeText, PageQuery, StrictIn, idempotent_create, paginate
from core.choices import LanguageChoices, Role, UnitKind
from core.models import OrgUnit

staff_router = Router(tags=["staff"])
units_router = Router(tags=["staff"])

#: The largest id an integer column holds: larger numbers are "not found", never a database error.
MAX_ID = 2**63 - 1

# The choices as enums of the OpenAPI document (strict bodies take the codes as strings).
if TYPE_CHECKING:
    RoleCode = str
    LanguageCode = str
    UnitKindCode = str
else:
    RoleCode = Literal[tuple(Role.values)]
    LanguageCode = Literal[tuple(LanguageChoices.values)]
    UnitKindCode = Literal[tuple(UnitKind.values)]


class UnitRef(Schema):
    id: int
    code: str
    name: str


class PersonOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    phone: str
    unit: UnitRef
    roles: list[RoleCode]
    language: LanguageCode
    is_active: bool
    has_password: bool = Field(description="False: the person cannot sign in until a password is set.")
    version: int
    date_joined: DateTimeText


class PersonListOut(Schema):
    items: list[PersonOut]
    count: int


class PersonIn(StrictIn):
    username: str = Field(min_length=1, max_length=150)
    full_name: str = Field(min_length=1, max_length=150)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=32)
    unit: int = Field(ge=1, le=MAX_ID, description="The unit's id")
    roles: list[RoleCode] = Field(min_length=1, max_length=len(Role.values))
    language: LanguageCode = LanguageChoices.ZH_HANS
    password: str = Field(default="", max_length=128, description="Optional; checked against the password rules")


class PersonPatch(StrictIn):
    version: int = Field(ge=1, le=MAX_ID, description="The version the edit is based on (409 if stale)")
    username: str | None = Field(default=None, min_length=1, max_length=150)
    full_name: str | None = Field(default=None, min_length=1, max_length=150)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=32)
    unit: int | None = Field(default=None, ge=1, le=MAX_ID)
    roles: list[RoleCode] | None = Field(default=None, min_length=1, max_length=len(Role.values))
    language: LanguageCode | None = None
    password: str | None = Field(default=None, min_length=1, max_length=128)
    is_active: bool | None = None


class PersonFilters(PageQuery):
    q: str = Field("", max_length=100)
    unit: int | None = Field(default=None, ge=1, le=MAX_ID)
    role: RoleCode | None = None
    active: bool | None = None


class RegionOut(Schema):
    code: str = Field(description="Administrative division code prefix (2, 4 or 6 digits)")
    name: str


class RegionIn(StrictIn):
    code: str = Field(pattern=r"^(\d{2}|\d{4}|\d{6})$")
    name: str = Field(default="", max_length=100)


class StaffUnitOut(Schema):
    id: int
    code: str
    name: str
    kind: UnitKindCode
    parent: UnitRef | None
    phone: str
    address: str
    is_active: bool
    regions: list[RegionOut]
    version: int


class UnitListOut(Schema):
    items: list[StaffUnitOut]
    count: int


class UnitIn(StrictIn):
    code: str = Field(min_length=1, max_length=32)
    name: str = Field(min_length=1, max_length=100)
    kind: UnitKindCode
    parent: int | None = Field(default=None, ge=1, le=MAX_ID, description="Required except for headquarters")
    phone: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=200)
    regions: list[RegionIn] = Field(default_factory=list, max_length=200)


class UnitPatch(StrictIn):
    version: int = Field(ge=1, le=MAX_ID)
    code: str | None = Field(default=None, min_length=1, max_length=32)
    name: str | None = Field(default=None, min_length=1, max_length=100)
    kind: UnitKindCode | None = None
    parent: int | None = Field(default=None, ge=1, le=MAX_ID)
    phone: str | None = Field(default=None, max_length=32)
    address: str | None = Field(default=None, max_length=200)
    is_active: bool | None = None
    regions: list[RegionIn] | None = Field(default=None, max_length=200)


def _unit_ref(unit: OrgUnit) -> dict[str, Any]:
    return {"id": unit.pk, "code": unit.code, "name": unit.name}


def person_out(person: Any) -> dict[str, Any]:
    profile = person.profile
    return {
        "id": person.pk,
        "username": person.username,
        "full_name": person.first_name,
        "email": person.email,
        "phone": profile.phone,
        "unit": _unit_ref(profile.unit),
        "roles": staff.person_roles(person),
        "language": profile.language,
        "is_active": person.is_active,
        "has_password": person.has_usable_password(),
        "version": profile.version,
        "date_joined": timezone.localtime(person.date_joined).isoformat(),
    }


def unit_out(unit: OrgUnit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "kind": unit.kind,
        "parent": _unit_ref(unit.parent) if unit.parent else None,
        "phone": unit.phone,
        "address": unit.address,
        "is_active": unit.is_active,
        "regions": [{"code": r.adcode_prefix, "name": r.name} for r in unit.regions.all()],
        "version": unit.version,
    }


def _person(request: HttpRequest, person_id: int) -> Any:
    if not 1 <= person_id <= MAX_ID:
        raise get_user_model().DoesNotExist  # answered 404 like every object the user may not see
    return staff.staff_visible_to(request.user).get(pk=person_id)


def _assignable_unit(request: HttpRequest, unit_id: int, field: str = "unit") -> OrgUnit:
    unit = staff.assignable_units(request.user).filter(pk=unit_id).first()
    if unit is None:
        raise ValidationError({field: _("Unknown unit, or one you may not place people in.")})
    return unit


def _any_unit(unit_id: int, field: str = "parent") -> OrgUnit:
    unit = OrgUnit.objects.filter(pk=unit_id).first()
    if unit is None:
        raise ValidationError({field: _("Unknown unit.")})
    return unit


@staff_router.get(
    "", response={200: PersonListOut, **ERROR_RESPONSES}, summary="Staff (q: user name, name, e-mail, phone)"
)
def list_staff(request: HttpRequest, filters: Query[PersonFilters]) -> Any:
    people = staff.staff_search(
        request.user, query=filters.q, unit=filters.unit, role=filters.role or "", active=filters.active
    )
    return paginate(people, page=filters.page, page_size=filters.page_size, serialize=person_out)


@staff_router.post("", response={201: PersonOut, **ERROR_RESPONSES}, summary="Add a person (Idempotency-Key honoured)")
def create_person(request: HttpRequest, payload: PersonIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        person = staff.staff_user_create(
            acting_user=request.user,
            username=payload.username,
            full_name=payload.full_name,
            email=payload.email,
            phone=payload.phone,
            unit=_assignable_unit(request, payload.unit),
            roles=list(payload.roles),
            language=payload.language,
            password=payload.password,
        )
        return 201, person_out(person)

    return idempotent_create(request, "staff", create)


@staff_router.get("/{person_id}", response={200: PersonOut, **ERROR_RESPONSES}, summary="One person")
def get_person(request: HttpRequest, person_id: int) -> Any:
    return person_out(_person(request, person_id))


@staff_router.patch(
    "/{person_id}", response={200: PersonOut, **ERROR_RESPONSES}, summary="Edit a person (optimistic concurrency)"
)
def update_person(request: HttpRequest, person_id: int, payload: PersonPatch) -> Any:
    person = _person(request, person_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    for name in ("username", "full_name", "unit", "roles", "language", "password", "is_active"):
        if name in changes and changes[name] is None:
            raise ValidationError({name: _("This field cannot be empty.")})
    if "unit" in changes:
        changes["unit"] = _assignable_unit(request, changes["unit"])
    person = staff.staff_user_update(acting_user=request.user, person=person, changes=changes, expected_version=version)
    return person_out(person)


@units_router.get("", response={200: UnitListOut, **ERROR_RESPONSES}, summary="Units with their coverage regions")
def list_units(request: HttpRequest, filters: Query[PageQuery]) -> Any:
    return paginate(
        staff.units_visible_to(request.user), page=filters.page, page_size=filters.page_size, serialize=unit_out
    )


@units_router.post(
    "", response={201: StaffUnitOut, **ERROR_RESPONSES}, summary="Create a unit (Idempotency-Key honoured)"
)
def create_unit(request: HttpRequest, payload: UnitIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        unit = staff.org_unit_create(
            acting_user=request.user,
            code=payload.code,
            name=payload.name,
            kind=payload.kind,
            parent=_any_unit(payload.parent) if payload.parent else None,
            phone=payload.phone,
            address=payload.address,
            regions=[(region.code, region.name) for region in payload.regions],
        )
        return 201, unit_out(OrgUnit.objects.prefetch_related("regions").select_related("parent").get(pk=unit.pk))

    return idempotent_create(request, "units", create)


def _unit(request: HttpRequest, unit_id: int) -> OrgUnit:
    if not 1 <= unit_id <= MAX_ID:
        raise OrgUnit.DoesNotExist
    return staff.units_visible_to(request.user).get(pk=unit_id)


@units_router.get("/{unit_id}", response={200: StaffUnitOut, **ERROR_RESPONSES}, summary="One unit")
def get_unit(request: HttpRequest, unit_id: int) -> Any:
    return unit_out(_unit(request, unit_id))


@units_router.patch(
    "/{unit_id}", response={200: StaffUnitOut, **ERROR_RESPONSES}, summary="Edit a unit (optimistic concurrency)"
)
def update_unit(request: HttpRequest, unit_id: int, payload: UnitPatch) -> Any:
    if not request.user.has_perm("core.change_orgunit"):  # units are not secret: say why, not 404
        raise PermissionDenied(_("Only an administrator manages units and their regions."))
    unit = _unit(request, unit_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    for name in ("code", "name", "kind", "is_active", "regions"):
        if name in changes and changes[name] is None:
            raise ValidationError({name: _("This field cannot be empty.")})
    if "parent" in changes:
        changes["parent"] = _any_unit(changes["parent"]) if changes["parent"] else None
    if "regions" in changes:
        changes["regions"] = [(region["code"], region.get("name") or "") for region in changes["regions"]]
    unit = staff.org_unit_update(acting_user=request.user, unit=unit, changes=changes, expected_version=version)
    return unit_out(OrgUnit.objects.prefetch_related("regions").select_related("parent").get(pk=unit.pk))
