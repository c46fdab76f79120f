"""Staff, their roles and units, and the units' coverage regions, managed in the console and the API
(issue 10, point 6) so that an HR system can sync people without Django's admin.

Who may do what is a policy here, in one place, for the pages and the API alike:

- admins manage every person and every unit (and its coverage regions);
- a service director manages the people of the units they see (core.scoping), but grants no
  role above their own (admin, director) and edits no one who holds one: no one hands out more
  than they hold;
- no one deactivates themselves, and the last active admin stays.

Every edit bumps the profile's (or unit's) ``version`` under a row lock, so two people editing the
same person do not overwrite each other; the generic change log records the profile and unit rows,
and each person's roles and account changes are written to it as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.changelog import record_change
from core.choices import LanguageChoices, Role, UnitKind
from core.models import ApiToken, CoverageRegion, OrgUnit, UserProfile
from core.roles import user_roles
from core.scoping import unit_ids_visible_to
from core.services import check_version

#: Roles only an admin grants (and only an admin edits someone holding one).
ADMIN_GRANTED_ROLES = frozenset({Role.ADMIN, Role.DIRECTOR})

ADCODE_LENGTHS = (2, 4, 6)  # province, city, district


# --- the policy ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffDecision:
    allowed: bool
    reasons: list[str] = field(default_factory=list)


def is_admin_user(user: Any) -> bool:
    return bool(user.is_superuser) or Role.ADMIN in user_roles(user)


def staff_edit_decision(
    acting_user: Any, *, unit: OrgUnit | None, roles: Iterable[str], target: Any = None
) -> StaffDecision:
    """May ``acting_user`` give a person (``target``, or a new one) these ``roles`` in ``unit``?"""
    reasons: list[str] = []
    if not acting_user.has_perm("auth.change_user" if target is not None else "auth.add_user"):
        return StaffDecision(False, [_("You may not manage staff.")])
    if is_admin_user(acting_user):
        return StaffDecision(True)
    visible = unit_ids_visible_to(acting_user)
    if unit is not None and visible is not None and unit.pk not in visible:
        reasons.append(_("You may only manage the staff of your own units."))
    above = sorted(str(Role(role).label) for role in set(roles) & ADMIN_GRANTED_ROLES)
    if above:
        reasons.append(_("Only an administrator grants these roles: %(roles)s.") % {"roles": "、".join(above)})
    if target is not None and (target.is_superuser or user_roles(target) & ADMIN_GRANTED_ROLES):
        reasons.append(_("Only an administrator edits an administrator or a service director."))
    return StaffDecision(not reasons, reasons)


def _require(decision: StaffDecision) -> None:
    if not decision.allowed:
        raise PermissionDenied(" ".join(decision.reasons))


def _require_unit_admin(acting_user: Any) -> None:
    if not acting_user.has_perm("core.change_orgunit"):
        raise PermissionDenied(_("Only an administrator manages units and their regions."))


# --- reads --------------------------------------------------------------------------------------


def staff_visible_to(user: Any) -> QuerySet[Any]:
    """The people ``user`` may see in the staff console: everyone for an admin or HQ, the people
    of their units for a director; nobody without the permission."""
    people = (
        get_user_model()
        .objects.filter(profile__isnull=False)
        .select_related("profile", "profile__unit")
        .prefetch_related("groups")
        .order_by("profile__unit__code", "username")
    )
    if not user.has_perm("auth.view_user"):
        return people.none()
    visible = unit_ids_visible_to(user)
    return people if visible is None else people.filter(profile__unit_id__in=visible)


def staff_search(
    user: Any, *, query: str = "", unit: int | None = None, role: str = "", active: bool | None = None
) -> QuerySet[Any]:
    people = staff_visible_to(user)
    if query.strip():
        text = query.strip()
        people = people.filter(
            Q(username__icontains=text)
            | Q(first_name__icontains=text)
            | Q(email__icontains=text)
            | Q(profile__phone__icontains=text)
        )
    if unit:
        people = people.filter(profile__unit_id=unit)
    if role:
        people = people.filter(groups__name=role)
    if active is not None:
        people = people.filter(is_active=active)
    return people.distinct()


def units_visible_to(user: Any) -> QuerySet[OrgUnit]:
    units = OrgUnit.objects.select_related("parent").prefetch_related("regions").order_by("code")
    if not user.has_perm("core.view_orgunit"):
        return units.none()
    visible = unit_ids_visible_to(user)
    return units if visible is None else units.filter(pk__in=visible)


def assignable_units(user: Any) -> QuerySet[OrgUnit]:
    """Active units a person may be placed in by ``user``."""
    units = OrgUnit.objects.filter(is_active=True).order_by("code")
    visible = None if is_admin_user(user) else unit_ids_visible_to(user)
    return units if visible is None else units.filter(pk__in=visible)


def person_roles(person: Any) -> list[str]:
    names = {group.name for group in person.groups.all()}
    if person.is_superuser:
        names.add(Role.ADMIN)
    return [role for role in Role.values if role in names]


# --- writes: people -----------------------------------------------------------------------------


def _clean_roles(roles: Sequence[str]) -> list[str]:
    unknown = [role for role in roles if role not in Role.values]
    if unknown:
        raise ValidationError({"roles": _("Unknown role: %(roles)s.") % {"roles": ", ".join(unknown)}})
    if not roles:
        raise ValidationError({"roles": _("Give the person at least one role.")})
    return list(dict.fromkeys(roles))


def _clean_password(password: str, person: Any) -> None:
    try:
        validate_password(password, user=person)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from None


def _set_roles(person: Any, roles: list[str]) -> None:
    groups = [Group.objects.get_or_create(name=role)[0] for role in roles]
    person.groups.set(groups)
    # An admin is a superuser (as the demo and tests make them): Django's admin and every unit.
    is_admin = Role.ADMIN in roles
    if person.is_superuser != is_admin or person.is_staff != is_admin:
        person.is_superuser = person.is_staff = is_admin
        person.save(update_fields=["is_superuser", "is_staff"])


def _log_account(profile: UserProfile, before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    """The account and its roles live outside ``BaseModel``: their change goes into the change log
    as a row of the person's profile (the profile's own fields log themselves)."""
    changed = {key: value for key, value in after.items() if before is None or before.get(key) != value}
    if changed:
        record_change(
            profile,
            action="create" if before is None else "update",
            before=None if before is None else {key: before.get(key) for key in changed},
            after=changed,
        )


def _account_facts(person: Any) -> dict[str, Any]:
    return {
        "username": person.username,
        "full_name": person.first_name,
        "email": person.email,
        "is_active": person.is_active,
        "roles": person_roles(person),
    }


def _check_username(username: str, *, exclude: int | None = None) -> str:
    username = username.strip()
    if not username:
        raise ValidationError({"username": _("Enter a user name.")})
    taken = get_user_model().objects.filter(username__iexact=username)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"username": _("The user name “%(name)s” is taken.") % {"name": username}})
    return username


def staff_user_create(
    *,
    acting_user: Any,
    username: str,
    full_name: str,
    unit: OrgUnit,
    roles: Sequence[str],
    phone: str = "",
    email: str = "",
    language: str = LanguageChoices.ZH_HANS,
    password: str = "",
) -> Any:
    """A new staff member. Without a password the account cannot sign in until one is set (an HR
    system syncs people; their password is set in the console)."""
    roles = _clean_roles(roles)
    _require(staff_edit_decision(acting_user, unit=unit, roles=roles))
    if not unit.is_active:
        raise ValidationError({"unit": _("This unit is no longer active.")})
    User = get_user_model()
    with transaction.atomic():
        person = User(username=_check_username(username), first_name=full_name.strip(), email=email.strip())
        if password:
            _clean_password(password, person)
            person.set_password(password)
        else:
            person.set_unusable_password()
        person.full_clean(exclude=["password"])
        person.save()
        profile = UserProfile(user=person, unit=unit, phone=phone.strip(), language=language)
        profile.full_clean(exclude=["user"])
        profile.save()
        _set_roles(person, roles)
        _log_account(profile, None, _account_facts(person))
    return User.objects.select_related("profile", "profile__unit").get(pk=person.pk)


ACCOUNT_FIELDS = {"username", "full_name", "email", "is_active"}
PROFILE_FIELDS = {"unit", "phone", "language"}


def staff_user_update(
    *, acting_user: Any, person: Any, changes: dict[str, Any], expected_version: int | None = None
) -> Any:
    """Edit a person: ``changes`` may hold username, full_name, email, is_active, unit, phone,
    language, roles and password; ``expected_version`` is the profile's version the edit started
    from (a later edit by someone else refuses it: 409)."""
    unknown = set(changes) - ACCOUNT_FIELDS - PROFILE_FIELDS - {"roles", "password"}
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    User = get_user_model()
    with transaction.atomic():
        profile = UserProfile.objects.select_for_update().select_related("unit").get(user_id=person.pk)
        person = User.objects.prefetch_related("groups").get(pk=person.pk)
        check_version(profile, expected_version)
        roles = _clean_roles(changes["roles"]) if "roles" in changes else person_roles(person)
        unit = changes.get("unit") or profile.unit
        _require(staff_edit_decision(acting_user, unit=unit, roles=roles, target=person))
        if unit != profile.unit:
            # Moving someone out of the units you see is a transfer a director cannot make alone.
            _require(staff_edit_decision(acting_user, unit=profile.unit, roles=roles, target=person))
            if not unit.is_active:
                raise ValidationError({"unit": _("This unit is no longer active.")})
        before = _account_facts(person)
        if changes.get("is_active") is False and person.is_active:
            _refuse_lockout(acting_user, person)
        if "username" in changes:
            person.username = _check_username(changes["username"], exclude=person.pk)
        if "full_name" in changes:
            person.first_name = (changes["full_name"] or "").strip()
        if "email" in changes:
            person.email = (changes["email"] or "").strip()
        if "is_active" in changes:
            person.is_active = bool(changes["is_active"])
        if changes.get("password"):
            _clean_password(changes["password"], person)
            person.set_password(changes["password"])
        person.full_clean(exclude=["password"])
        person.save()
        if not person.is_active:
            # A person who left cannot go on with a token either.
            ApiToken.objects.filter(user=person, is_active=True).update(is_active=False)
        if "roles" in changes:
            _set_roles(person, roles)
        profile.unit = unit
        for name in ("phone", "language"):
            if name in changes:
                setattr(profile, name, (changes[name] or "").strip() if name == "phone" else changes[name])
        profile.full_clean(exclude=["user"])
        profile.version += 1
        profile.save()
        person = User.objects.prefetch_related("groups").get(pk=person.pk)
        after = _account_facts(person)
        if changes.get("password"):
            after["password"] = True
        _log_account(profile, before, after)
    return User.objects.select_related("profile", "profile__unit").prefetch_related("groups").get(pk=person.pk)


def _refuse_lockout(acting_user: Any, person: Any) -> None:
    if person.pk == acting_user.pk:
        raise ValidationError({"is_active": _("You cannot deactivate your own account.")})
    if person.is_superuser:
        others = get_user_model().objects.filter(is_superuser=True, is_active=True).exclude(pk=person.pk)
        if not others.exists():
            raise ValidationError({"is_active": _("The last active administrator stays active.")})


# --- writes: units and regions ------------------------------------------------------------------


def _clean_regions(regions: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    cleaned: dict[str, str] = {}
    for prefix, name in regions:
        prefix = prefix.strip()
        if not (prefix.isascii() and prefix.isdigit() and len(prefix) in ADCODE_LENGTHS):
            raise ValidationError(
                {
                    "regions": _("“%(code)s” is not a region code: 2, 4 or 6 digits (province, city, district).")
                    % {"code": prefix}
                }
            )
        cleaned[prefix] = name.strip()
    return list(cleaned.items())


def _check_parent(unit: OrgUnit | None, kind: str, parent: OrgUnit | None) -> None:
    if kind == UnitKind.HQ:
        if parent is not None:
            raise ValidationError({"parent": _("Headquarters has no parent unit.")})
        return
    if parent is None:
        raise ValidationError({"parent": _("Choose the unit this one reports to.")})
    ancestor: OrgUnit | None = parent
    while ancestor is not None:
        if unit is not None and ancestor.pk == unit.pk:
            raise ValidationError({"parent": _("A unit cannot report to itself or to a unit below it.")})
        ancestor = ancestor.parent


def _set_regions(unit: OrgUnit, regions: list[tuple[str, str]]) -> None:
    keep = {prefix for prefix, _name in regions}
    unit.regions.exclude(adcode_prefix__in=keep).delete()
    for prefix, name in regions:
        CoverageRegion.objects.update_or_create(unit=unit, adcode_prefix=prefix, defaults={"name": name})


def org_unit_create(
    *,
    acting_user: Any,
    code: str,
    name: str,
    kind: str,
    parent: OrgUnit | None,
    phone: str = "",
    address: str = "",
    regions: Sequence[tuple[str, str]] = (),
) -> OrgUnit:
    _require_unit_admin(acting_user)
    cleaned_regions = _clean_regions(regions)
    _check_parent(None, kind, parent)
    if OrgUnit.objects.filter(code__iexact=code.strip()).exists():
        raise ValidationError({"code": _("The unit code “%(code)s” is taken.") % {"code": code.strip()}})
    with transaction.atomic():
        unit = OrgUnit(
            code=code.strip(), name=name.strip(), kind=kind, parent=parent, phone=phone.strip(), address=address.strip()
        )
        unit.full_clean()
        unit.save()
        _set_regions(unit, cleaned_regions)
    return unit


UNIT_FIELDS = {"code", "name", "kind", "parent", "phone", "address", "is_active", "regions"}


def org_unit_update(
    *, acting_user: Any, unit: OrgUnit, changes: dict[str, Any], expected_version: int | None = None
) -> OrgUnit:
    _require_unit_admin(acting_user)
    unknown = set(changes) - UNIT_FIELDS
    if unknown:
        raise ValidationError({name: _("This field cannot be changed here.") for name in sorted(unknown)})
    with transaction.atomic():
        unit = OrgUnit.objects.select_for_update().get(pk=unit.pk)
        check_version(unit, expected_version)
        kind = changes.get("kind", unit.kind)
        parent = changes.get("parent", unit.parent)
        _check_parent(unit, kind, parent)
        if (
            "code" in changes
            and OrgUnit.objects.filter(code__iexact=changes["code"].strip()).exclude(pk=unit.pk).exists()
        ):
            raise ValidationError({"code": _("The unit code “%(code)s” is taken.") % {"code": changes["code"].strip()}})
        if changes.get("is_active") is False and unit.is_active:
            if unit.members.filter(user__is_active=True).exists():
                raise ValidationError({"is_active": _("Move or deactivate the unit's staff first.")})
            if unit.children.filter(is_active=True).exists():
                raise ValidationError({"is_active": _("Deactivate or move the units below it first.")})
        for name in ("code", "name", "phone", "address"):
            if name in changes:
                setattr(unit, name, (changes[name] or "").strip())
        if "is_active" in changes:
            unit.is_active = bool(changes["is_active"])
        unit.kind, unit.parent = kind, parent
        unit.full_clean()
        unit.version += 1
        unit.save()
        if "regions" in changes:
            _set_regions(unit, _clean_regions(changes["regions"]))
    return OrgUnit.objects.prefetch_related("regions").get(pk=unit.pk)
