"""Roles (SPEC §1) as Django groups carrying permissions; synced after every migrate.

A role says what a user may *do*; the user's unit (core.scoping) says on *which* records.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission

from core.choices import Role

VIEW_MASTER = [
    "customers.view_customer",
    "catalog.view_productmodel",
    "catalog.view_productcategory",
    "devices.view_device",
    "workorders.view_workorder",
]
EDIT_MASTER = [
    "customers.add_customer",
    "customers.change_customer",
    "devices.add_device",
    "devices.change_device",
]
# The staff console (core.staff): a director manages the people of their units; an admin also
# the units and their coverage regions.
MANAGE_STAFF = ["auth.view_user", "auth.add_user", "auth.change_user", "core.view_orgunit"]
MANAGE_UNITS = ["core.add_orgunit", "core.change_orgunit"]
EDIT_CATALOG = [
    "catalog.add_productmodel",
    "catalog.change_productmodel",
    "catalog.add_productcategory",
    "catalog.change_productcategory",
]

#: The audit log (core.audit): who changed what, and every refused request.
VIEW_AUDIT = ["core.view_changelogentry", "core.view_accessrefusal"]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.AGENT: VIEW_MASTER
    + EDIT_MASTER
    + [
        "workorders.add_workorder",
        "workorders.change_workorder",
        "workorders.accept_workorder",
        "workorders.reject_workorder",
        "workorders.cancel_workorder",
        "workorders.follow_up_workorder",
        "workorders.close_workorder",
        "workorders.record_customer_action",
    ],
    Role.DISPATCHER: VIEW_MASTER + ["workorders.dispatch_workorder", "workorders.change_workorder"],
    Role.TECHNICIAN: VIEW_MASTER + ["workorders.work_on_workorder"],
    Role.QC_INSPECTOR: VIEW_MASTER + ["workorders.inspect_workorder"],
    Role.DIRECTOR: VIEW_MASTER
    + EDIT_MASTER
    + EDIT_CATALOG
    + MANAGE_STAFF
    + [
        "workorders.add_workorder",
        "workorders.change_workorder",
        "workorders.accept_workorder",
        "workorders.reject_workorder",
        "workorders.cancel_workorder",
        "workorders.dispatch_workorder",
        "workorders.work_on_workorder",
        "workorders.inspect_workorder",
        "workorders.follow_up_workorder",
        "workorders.close_workorder",
        "workorders.reopen_workorder",
        "workorders.record_customer_action",
    ]
    + VIEW_AUDIT,
    Role.FINANCE: VIEW_MASTER,
    Role.PARTS_CLERK: VIEW_MASTER,
    Role.STATION: VIEW_MASTER
    + EDIT_MASTER
    + [
        "workorders.add_workorder",
        "workorders.change_workorder",
        "workorders.accept_workorder",
        "workorders.reject_workorder",
        "workorders.dispatch_workorder",
        "workorders.work_on_workorder",
        "workorders.inspect_workorder",
        "workorders.follow_up_workorder",
        "workorders.record_customer_action",
    ],
    Role.ADMIN: VIEW_MASTER + EDIT_MASTER + EDIT_CATALOG + MANAGE_STAFF + MANAGE_UNITS + VIEW_AUDIT,
}


def all_role_permissions() -> dict[str, list[str]]:
    """The core grants plus each installed app's own ``<app>.roles.ROLE_PERMISSIONS`` (an app
    that adds models says in its own module which roles may use them)."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    merged = {role: list(codenames) for role, codenames in ROLE_PERMISSIONS.items()}
    for config in apps.get_app_configs():
        module_name = f"{config.name}.roles"
        if config.name == "core" or find_spec(module_name) is None:
            continue
        for role, codenames in getattr(import_module(module_name), "ROLE_PERMISSIONS", {}).items():
            merged.setdefault(role, [])
            merged[role] += [c for c in codenames if c not in merged[role]]
    return merged


def sync_role_groups(**kwargs: Any) -> None:
    """Create or update one group per role with exactly its permissions (idempotent)."""
    for role, codenames in all_role_permissions().items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)


def user_roles(user: Any) -> set[str]:
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached.add(Role.ADMIN)
        user._role_names = cached
    return cached


def has_role(user: Any, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))
